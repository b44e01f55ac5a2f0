#!/usr/bin/env python3
"""Time whole-process runs of `isms check` against a YAML-parsing floor and check-jsonschema.

    python benchmarks/run.py [--sizes 1000,10000] [--repeat 5] [--out benchmarks/RESULTS.md]

For each size a synthetic repository is generated with generate.py (or reused from the cache
directory when the generator has not changed) and, in the same run and on the same files, these
are timed as separate processes, repetitions interleaved so that load on the machine hits them
alike:

* floor: one `python -c` process that walks the folders and parses every YAML file with
  `yaml.load(..., Loader=yaml.CSafeLoader)`;
* isms cold: `isms check REPO --today 2026-11-15 --no-cache` (or, on an isms without
  `--no-cache`, plain `isms check` after deleting REPO/.isms_cache);
* isms warm: `isms check` with the cache filled by the previous run and one file changed (a
  comment line appended, a new one each repetition);
* isms wording edit: the same, but the file's English title changed (a change of the data
  that the whole-repository checks do not read: they see texts only as blank or not);
* isms structure edit: the same, but an SLA target of the file changed (data that the SLA
  checks read, so they run again; the other checks keep their cached result);
* isms reference edit: the same, but the first control in the file's `controls` list taken
  out or put back (a reference: the reference and graph checks run again);
* check-jsonschema: one process (or as few as the argument-length limit allows) validating
  every entity file against the exported `entity.schema.json`.

Wall time is measured with time.perf_counter around the child in a fresh wrapper process, so
it includes interpreter start-up; peak memory is the child's max RSS from
`getrusage(RUSAGE_CHILDREN)` in that wrapper (the largest single process), and one extra run
of isms cold samples the RSS of the whole process tree (worker processes included). Medians are
reported, with the number of runs; a measurement stops repeating once its runs add up to
`--budget` seconds. The reference ISMS is timed too. Results go to a Markdown file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TODAY = "2026-11-15"
# What each size measures, in this order in every table (see the module doc).
SERIES = ("floor", "cold", "warm", "edit", "struct", "ref", "cjs")
MB = 1024 * 1024

# The wrapper runs a list of commands one after the other in a fresh interpreter, so that
# RUSAGE_CHILDREN covers exactly these children, and prints one JSON line of measurements.
WRAPPER = r"""
import json, os, resource, subprocess, sys, time
with open(sys.argv[1], encoding="utf-8") as fh:
    spec = json.load(fh)
page = os.sysconf("SC_PAGE_SIZE")

def tree_rss(pid):
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * page
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            pass
    return total

codes, tree_peak = [], 0
with open(spec["stdout"], "wb") as out, open(spec["stderr"], "wb") as err:
    start = time.perf_counter()
    for cmd in spec["cmds"]:
        if spec["sample"]:
            proc = subprocess.Popen(cmd, cwd=spec["cwd"], stdout=out, stderr=err)
            while proc.poll() is None:
                tree_peak = max(tree_peak, tree_rss(proc.pid))
                time.sleep(0.02)
            codes.append(proc.returncode)
        else:
            codes.append(subprocess.run(cmd, cwd=spec["cwd"], stdout=out, stderr=err).returncode)
    wall = time.perf_counter() - start
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "maxrss": ru.ru_maxrss * 1024,
                  "tree_peak": tree_peak, "codes": codes}))
"""

# The floor: discover and parse every YAML file of the repository in one process.
FLOOR = r"""
import os, sys, yaml
root, folders = sys.argv[1], sys.argv[2:]
n = 0
with open(os.path.join(root, "isms.yaml"), "rb") as fh:
    yaml.load(fh.read(), Loader=yaml.CSafeLoader)
for folder in folders:
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, folder)):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith((".yaml", ".yml")):
                with open(os.path.join(dirpath, name), "rb") as fh:
                    yaml.load(fh.read(), Loader=yaml.CSafeLoader)
                n += 1
print(n, "files parsed")
"""


@dataclass
class Run:
    wall: float
    cpu: float
    maxrss: int
    tree_peak: int
    codes: list[int]
    stdout: str
    stderr: str


@dataclass
class Series:
    """The runs of one measurement on one repository."""

    name: str
    runs: list[Run] = field(default_factory=list)
    note: str = ""
    skipped: str = ""

    @property
    def wall(self) -> float | None:
        return statistics.median(r.wall for r in self.runs) if self.runs else None

    @property
    def cpu(self) -> float | None:
        return statistics.median(r.cpu for r in self.runs) if self.runs else None

    @property
    def maxrss(self) -> int | None:
        return max(r.maxrss for r in self.runs) if self.runs else None

    @property
    def spent(self) -> float:
        return sum(r.wall for r in self.runs)


def measure(cmds: Sequence[Sequence[str]], cwd: Path, sample: bool = False) -> Run:
    with tempfile.TemporaryDirectory(prefix="isms-bench-") as tmp:
        out_path, err_path = Path(tmp) / "out", Path(tmp) / "err"
        spec = {"cmds": [list(c) for c in cmds], "cwd": str(cwd), "sample": sample,
                "stdout": str(out_path), "stderr": str(err_path)}
        spec_path = Path(tmp) / "spec.json"  # a file: one argv string may not exceed 128 KiB
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        proc = subprocess.run([sys.executable, "-c", WRAPPER, str(spec_path)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"measurement wrapper failed: {proc.stderr.strip()}")
        data = json.loads(proc.stdout)
        out = out_path.read_text(encoding="utf-8", errors="replace")
        err = err_path.read_text(encoding="utf-8", errors="replace")
    return Run(data["wall"], data["cpu"], data["maxrss"], data["tree_peak"], data["codes"], out, err)


# ---------------------------------------------------------------------------------------------
# environment


def precompile() -> None:
    """Write the bytecode of the isms package, as installing a wheel does.

    An editable install under PYTHONDONTWRITEBYTECODE (set on some CI machines and sandboxes)
    never writes it, and then every run compiles every module it imports again: about 0.05 s
    of each `isms check`, which is not what a user's installation pays.
    """
    import compileall

    import isms

    compileall.compile_dir(str(Path(isms.__file__).parent), quiet=1)


def isms_exe() -> list[str]:
    exe = shutil.which("isms")
    return [exe] if exe else [sys.executable, "-m", "isms"]


def cjs_exe() -> list[str] | None:
    exe = shutil.which("check-jsonschema")
    return [exe] if exe else None


def isms_options() -> set[str]:
    help_text = subprocess.run([*isms_exe(), "check", "--help"], capture_output=True, text=True).stdout
    return {opt for opt in ("--no-cache", "--jobs") if opt in help_text}


def version_of(cmd: list[str]) -> str:
    proc = subprocess.run([*cmd, "--version"], capture_output=True, text=True)
    return (proc.stdout or proc.stderr).strip().splitlines()[-1] if proc.returncode == 0 else "unknown"


def machine_info() -> dict[str, str]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import _ruamel_yaml  # type: ignore[import-not-found]  # noqa: F401

        ruamel_c = "yes"
    except ImportError:
        ruamel_c = "no"
    cjs = cjs_exe()
    return {
        "cores": f"{os.cpu_count()} ({len(os.sched_getaffinity(0))} usable)",
        "cpu": model or platform.processor() or "unknown",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "libyaml (PyYAML CSafeLoader)": "yes" if getattr(yaml, "__with_libyaml__", False) else "no",
        "isms": version_of(isms_exe()),
        "isms check options": ", ".join(sorted(isms_options())) or "none of --no-cache, --jobs",
        "check-jsonschema": version_of(cjs) if cjs else "not installed",
        "ruamel.yaml C extension (used by check-jsonschema)": ruamel_c,
    }


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


# ---------------------------------------------------------------------------------------------
# repositories


def generator_digest() -> str:
    h = hashlib.sha256()
    for name in ("generate.py", "corpus.py"):
        h.update((HERE / name).read_bytes())
    return h.hexdigest()[:12]


def cached_repo(n: int, seed: int, cache: Path) -> tuple[Path, float | None]:
    """The generated repository for ``n`` (generating it if needed) and the generation time."""
    repo = cache / f"repo-{n}-seed{seed}-{generator_digest()}"
    marker = repo / ".bench-complete"  # holds the generation time; absent while writing
    if marker.exists():
        try:
            return repo, float(marker.read_text())
        except ValueError:
            return repo, None
    for stale in cache.glob(f"repo-{n}-seed{seed}-*"):  # from an older generator
        shutil.rmtree(stale)
    sys.path.insert(0, str(HERE))
    import generate

    start = time.perf_counter()
    generate.generate(n, repo, seed)
    took = time.perf_counter() - start
    marker.write_text(f"{took:.3f}\n")
    os.sync()
    return repo, took


def reference_copy(source: Path, cache: Path) -> Path:
    """A fresh copy of the reference ISMS content, so that its cache never lands in the source tree."""
    config = yaml.load((source / "isms.yaml").read_bytes(), Loader=yaml.CSafeLoader)
    dest = cache / "reference"
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    shutil.copy2(source / "isms.yaml", dest / "isms.yaml")
    folders = list(config.get("folders") or [])
    if isinstance(config.get("catalogs"), str):
        folders.append(config["catalogs"])
    for folder in folders:
        if (source / folder).is_dir():
            shutil.copytree(source / folder, dest / folder)
    return dest


def config_folders(repo: Path) -> list[str]:
    config = yaml.load((repo / "isms.yaml").read_bytes(), Loader=yaml.CSafeLoader)
    return [f for f in config.get("folders") or [] if (repo / f).is_dir()]


def yaml_files(repo: Path) -> list[str]:
    found: list[str] = []
    for folder in config_folders(repo):
        for path in (repo / folder).rglob("*"):
            if path.suffix in (".yaml", ".yml") and path.is_file():
                found.append(path.relative_to(repo).as_posix())
    return sorted(found)


def chunks(files: list[str], limit: int = 1_000_000) -> list[list[str]]:
    """Split an argument list so that each command line stays well under ARG_MAX."""
    out: list[list[str]] = [[]]
    size = 0
    for f in files:
        if size + len(f) + 1 > limit and out[-1]:
            out.append([])
            size = 0
        out[-1].append(f)
        size += len(f) + 1
    return out


# ---------------------------------------------------------------------------------------------
# one size


@dataclass
class SizeResult:
    n: int
    files: int
    megabytes: float
    generated_in: float | None
    series: dict[str, Series]
    tree_peak: int | None = None
    changed: str = ""
    cjs_errors: list[str] = field(default_factory=list)
    findings: str = ""


def summary_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if "files checked" in ln]
    return lines[-1].strip() if lines else text.strip().splitlines()[-1] if text.strip() else ""


TITLE = re.compile(rb"^((?:title|name): \{en: )", re.MULTILINE)


def data_edit(original: bytes, i: int) -> bytes:
    """The file with its English title changed: a real edit of the entity's data (a new
    digest), where appending a comment changes the bytes but not the data."""
    edited, count = TITLE.subn(rb"\1Revision %d of " % i, original, count=1)
    if not count:
        raise SystemExit("benchmark: the file the warm runs edit has no `title: {en: ...}` line")
    return edited


def edit_target(repo: Path, files: Sequence[str]) -> str:
    """The file that the warm runs change: from the middle of the repository on, the first
    that both edits apply to (an activity: it has a title and SLA targets)."""
    for rel in [*files[len(files) // 2:], *files[:len(files) // 2]]:
        raw = (repo / rel).read_bytes()
        if TITLE.search(raw) and TARGET.search(raw) and FIRST_CONTROL.search(raw):
            return rel
    raise SystemExit("benchmark: no file has a `title: {en: ...}` line, an SLA `target` and "
                     "a `controls` list")


def edited(original: bytes, worded: int, structured: int, referenced: int = 0) -> bytes:
    """The file after the ``worded``-th wording edit, the ``structured``-th structure edit and
    the ``referenced``-th reference edit."""
    out = data_edit(original, worded) if worded else original
    out = structure_edit(out, structured) if structured else out
    return reference_edit(out, referenced)


FIRST_CONTROL = re.compile(rb"^controls:\n  - [^\n]*\n", re.MULTILINE)


def reference_edit(original: bytes, i: int) -> bytes:
    """The file with the first entry of its block `controls` list taken out when ``i`` is
    odd (and so put back by the next edit)."""
    if not FIRST_CONTROL.search(original):
        raise SystemExit("benchmark: the file the warm runs edit has no block `controls` list")
    return FIRST_CONTROL.sub(b"controls:\n", original, count=1) if i % 2 else original


TARGET = re.compile(rb"(\btarget: )([0-9]+)")


def structure_edit(original: bytes, i: int) -> bytes:
    """The file with its first SLA target raised by ``i``: data that checks read."""
    edited, count = TARGET.subn(lambda m: m[1] + str(int(m[2]) + i).encode(), original, count=1)
    if not count:
        raise SystemExit("benchmark: the file the warm runs edit has no `target: <number>`")
    return edited


def bench_size(n: int, args: argparse.Namespace, schema: Path | None, opts: set[str]) -> SizeResult:
    cache: Path = args.cache_dir
    repo, took = cached_repo(n, args.seed, cache)
    files = yaml_files(repo)
    size_mb = sum((repo / f).stat().st_size for f in files) / MB
    folders = config_folders(repo)
    isms = [*isms_exe(), "check", str(repo), "--today", TODAY, *args.isms_arg]
    cold = [*isms, "--no-cache"] if "--no-cache" in opts else isms
    cjs = cjs_exe()
    repeat = args.repeat if n < 50000 else min(args.repeat, args.repeat_large)

    series = {k: Series(k) for k in SERIES}
    if schema is None or cjs is None:
        series["cjs"].skipped = "check-jsonschema not installed (pip install -e '.[bench]')"
    elif n > args.cjs_max:
        series["cjs"].skipped = f"skipped above --cjs-max {args.cjs_max}"
    if "--no-cache" not in opts:
        series["cold"].note = "no --no-cache option: .isms_cache deleted before each run"

    changed = edit_target(repo, files)
    target = repo / changed
    original = target.read_bytes()
    cache_dir = repo / ".isms_cache"

    def fresh_cache() -> None:
        if cache_dir.exists():
            shutil.rmtree(cache_dir)

    def due(s: Series, i: int) -> bool:
        if s.skipped or i >= repeat:
            return False
        if not s.runs:
            return True
        budget: float = args.budget
        return s.spent + s.runs[-1].wall <= budget

    worded = structured = referenced = 0
    try:
        fresh_cache()
        measure([isms], repo)  # warm-up: page cache, and the cache the first warm run starts from
        for i in range(repeat):
            if due(series["floor"], i):
                series["floor"].runs.append(measure([[sys.executable, "-c", FLOOR, str(repo), *folders]], repo))
            if due(series["cold"], i):
                if "--no-cache" not in opts:
                    fresh_cache()
                series["cold"].runs.append(measure([cold], repo))
            if due(series["warm"], i):
                with open(target, "ab") as fh:
                    fh.write(f"# benchmark edit {i + 1}\n".encode())
                series["warm"].runs.append(measure([isms], repo))
            # Each edit changes one thing from the state before it: each keeps the others' last.
            if due(series["edit"], i):
                worded = i + 1
                target.write_bytes(edited(original, worded, structured, referenced))
                series["edit"].runs.append(measure([isms], repo))
            if due(series["struct"], i):
                structured = i + 1
                target.write_bytes(edited(original, worded, structured, referenced))
                series["struct"].runs.append(measure([isms], repo))
            if due(series["ref"], i):
                referenced = i + 1
                target.write_bytes(edited(original, worded, structured, referenced))
                series["ref"].runs.append(measure([isms], repo))
            if cjs is not None and schema is not None and due(series["cjs"], i):
                cmds = [[*cjs, "--schemafile", str(schema), *part] for part in chunks(files)]
                series["cjs"].runs.append(measure(cmds, repo))
            print(f"  [{n}] repetition {i + 1}: " + ", ".join(
                f"{k} {s.runs[-1].wall:.2f}s" for k, s in series.items() if s.runs and len(s.runs) == i + 1),
                flush=True)
        if "--no-cache" in opts:
            tree = measure([cold], repo, sample=True)
        else:
            fresh_cache()
            tree = measure([isms], repo, sample=True)
    finally:
        target.write_bytes(original)

    result = SizeResult(n, len(files), size_mb, took, series, tree.tree_peak, changed)
    if series["cold"].runs:
        last = series["cold"].runs[-1]
        result.findings = f"exit {last.codes[0]}: {summary_line(last.stdout)}"
    for run in series["cjs"].runs[-1:]:
        if any(code != 0 for code in run.codes):
            result.cjs_errors = [ln for ln in run.stdout.splitlines() if "::" in ln][:10] or \
                run.stdout.strip().splitlines()[:10]
    return result


def bench_reference(args: argparse.Namespace, opts: set[str]) -> dict[str, Series]:
    repo = reference_copy(args.reference, args.cache_dir)
    isms = [*isms_exe(), "check", str(repo), "--today", TODAY]
    out = {"cold": Series("cold"), "default": Series("default"), "version": Series("version"),
           "python": Series("python")}
    if "--no-cache" not in opts:
        out["cold"].note = "no --no-cache option: .isms_cache deleted before each run"
    measure([isms], repo)  # warm-up and cache fill
    for _ in range(max(args.repeat, 5)):
        if "--no-cache" in opts:
            out["cold"].runs.append(measure([[*isms, "--no-cache"]], repo))
        else:
            shutil.rmtree(repo / ".isms_cache", ignore_errors=True)
            out["cold"].runs.append(measure([isms], repo))
        out["default"].runs.append(measure([isms], repo))
        out["version"].runs.append(measure([[*isms_exe(), "--version"]], repo))
        out["python"].runs.append(measure([[sys.executable, "-c", "pass"]], repo))
    return out


# ---------------------------------------------------------------------------------------------
# report


def fmt_s(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}" if v < 100 else f"{v:.0f}"


def fmt_ratio(a: float | None, b: float | None) -> str:
    return "–" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def mb(v: int | None) -> str:
    return "–" if v is None else f"{v / MB:.0f}"


def verdict(value: float | None, limit: float) -> str:
    return "not measured" if value is None else "met" if value <= limit else "missed"


def targets(results: list[SizeResult], ref: dict[str, Series] | None) -> list[str]:
    """The targets of issue 8, each with the measured value and whether it is met."""
    by_n = {r.n: r for r in results}
    rows: list[tuple[str, str, str]] = []
    ten = by_n.get(10000)
    if ten is not None:
        s = ten.series
        cold = s["cold"].wall
        for label, a, b, limit in (("10k cold ≤ 0.75 × floor", cold, s["floor"].wall, 0.75),
                                   ("10k cold ≤ 0.10 × check-jsonschema", cold, s["cjs"].wall, 0.10),
                                   ("10k warm, 1 file changed (comment) ≤ 0.20 × cold", s["warm"].wall, cold, 0.20),
                                   ("10k warm, 1 file's wording edited ≤ 0.20 × cold", s["edit"].wall, cold, 0.20),
                                   ("10k warm, 1 file's SLA target edited ≤ 0.20 × cold", s["struct"].wall, cold, 0.20),
                                   ("10k warm, 1 file's reference edited ≤ 0.20 × cold", s["ref"].wall, cold, 0.20)):
            ratio = a / b if a is not None and b else None
            rows.append((label, fmt_ratio(a, b), verdict(ratio, limit)))
    big = by_n.get(50000)
    if big is not None:
        done = bool(big.series["cold"].runs) and all(r.codes[0] in (0, 1) for r in big.series["cold"].runs)
        peak = big.tree_peak or big.series["cold"].maxrss
        rows.append(("50k cold completes, peak memory < 1.5 GB (all processes)",
                     f"{'completed' if done else 'failed'}, {mb(peak)} MB",
                     "met" if done and peak is not None and peak < 1536 * MB else "missed"))
        if ten is not None and ten.series["cold"].wall and big.series["cold"].wall:
            per = (big.series["cold"].wall / 50000) / (ten.series["cold"].wall / 10000)
            rows.append(("50k time per entity ≤ 10k's (linear or better)", f"{per:.2f}", verdict(per, 1.0)))
    if ref is not None:
        rows.append(("reference ISMS `isms check` < 0.6 s (with cache)", f"{fmt_s(ref['default'].wall)} s",
                     verdict(ref["default"].wall, 0.6)))
        rows.append(("reference ISMS `isms check --no-cache` < 0.6 s", f"{fmt_s(ref['cold'].wall)} s",
                     verdict(ref["cold"].wall, 0.6)))
    if not rows:
        return []
    return ["## Targets (issue 8)", "", "| target | measured | |", "|---|---:|---|",
            *[f"| {a} | {b} | {c} |" for a, b, c in rows], ""]


def cell(s: Series) -> str:
    if s.skipped:
        return "skipped"
    if not s.runs:
        return "–"
    return f"{fmt_s(s.wall)} (n={len(s.runs)})"


def render(results: list[SizeResult], ref: dict[str, Series] | None, info: dict[str, str],
           loads: tuple[str, str], args: argparse.Namespace) -> str:
    cols = [f"{r.n:,}" for r in results]
    head = "| measurement | " + " | ".join(cols) + " |\n|---|" + "---:|" * len(cols) + "\n"

    def row(label: str, values: list[str]) -> str:
        return f"| {label} | " + " | ".join(values) + " |\n"

    def sr(key: str) -> list[Series]:
        return [r.series[key] for r in results]

    body = row("YAML files / MB", [f"{r.files:,} / {r.megabytes:.1f}" for r in results])
    body += row("floor: parse every file (libyaml), wall s", [cell(s) for s in sr("floor")])
    body += row("isms check cold (--no-cache), wall s", [cell(s) for s in sr("cold")])
    body += row("isms check warm (1 file changed: comment), wall s", [cell(s) for s in sr("warm")])
    body += row("isms check warm (1 file changed: wording edit), wall s", [cell(s) for s in sr("edit")])
    body += row("isms check warm (1 file changed: structure edit), wall s", [cell(s) for s in sr("struct")])
    body += row("isms check warm (1 file changed: reference edit), wall s", [cell(s) for s in sr("ref")])
    body += row("check-jsonschema (entity.schema.json), wall s", [cell(s) for s in sr("cjs")])
    body += row("CPU s (user+sys) floor / cold / warm / wording / structure / reference / check-jsonschema",
                [" / ".join(fmt_s(r.series[k].cpu) for k in SERIES)
                 for r in results])
    body += row("**ratio isms cold / floor** (target ≤ 0.75 at 10k)",
                [fmt_ratio(r.series["cold"].wall, r.series["floor"].wall) for r in results])
    body += row("**ratio isms cold / check-jsonschema** (target ≤ 0.10 at 10k)",
                [fmt_ratio(r.series["cold"].wall, r.series["cjs"].wall) for r in results])
    body += row("**ratio warm / cold** (target ≤ 0.20 at 10k)",
                [fmt_ratio(r.series["warm"].wall, r.series["cold"].wall) for r in results])
    body += row("**ratio wording edit / cold**",
                [fmt_ratio(r.series["edit"].wall, r.series["cold"].wall) for r in results])
    body += row("**ratio structure edit / cold**",
                [fmt_ratio(r.series["struct"].wall, r.series["cold"].wall) for r in results])
    body += row("**ratio reference edit / cold**",
                [fmt_ratio(r.series["ref"].wall, r.series["cold"].wall) for r in results])
    body += row("peak RSS MB, largest process: floor / cold / warm / wording / structure / reference / "
                "check-jsonschema",
                [" / ".join(mb(r.series[k].maxrss) for k in SERIES)
                 for r in results])
    body += row("peak RSS MB, isms cold, all processes (sampled)",
                [mb(r.tree_peak) for r in results])
    body += row("isms cold result", [r.findings.replace("|", "\\|") for r in results])
    body += row("check-jsonschema result", [
        r.series["cjs"].skipped or ("ok, no errors" if r.series["cjs"].runs and not r.cjs_errors
                                    else f"{len(r.cjs_errors)}+ errors" if r.cjs_errors else "–")
        for r in results])
    body += row("repository generated in, s",
                ["–" if r.generated_in is None else f"{r.generated_in:.1f}" for r in results])

    lines = [
        "# isms benchmark results", "",
        f"Written by `benchmarks/run.py` on {dt.date.today().isoformat()}: sizes {', '.join(cols)} entities, "
        f"up to {args.repeat} repetitions (median wall time; n = runs actually made within the "
        f"{args.budget:.0f} s budget per measurement), seed {args.seed}, `--today {TODAY}`.", "",
        "## Machine", "",
        "| | |", "|---|---|",
        *[f"| {k} | {v} |" for k, v in info.items()],
        f"| load average at start / end | {loads[0]} / {loads[1]} |", "",
        "## Synthetic repositories", "", head + body,
    ]
    lines += targets(results, ref)
    if ref is not None:
        lines += ["## Reference ISMS", "", "| measurement | wall s (median) | peak RSS MB |", "|---|---:|---:|"]
        for key, label in (("cold", "`isms check --no-cache`"),
                           ("default", "`isms check` (cache present, nothing changed)"),
                           ("version", "`isms --version`"), ("python", "`python -c pass` (interpreter alone)")):
            lines.append(f"| {label} | {cell(ref[key])} | {mb(ref[key].maxrss)} |")
        lines.append("")
    notes = [s.note for r in results for s in r.series.values() if s.note]
    notes += [f"warm runs at {r.n:,} append a comment line to `{r.changed}` (the data is unchanged, so "
              "the cached whole-repository stage is reused); wording-edit runs change its English title "
              "instead (new data, but the same stage view: the stage is reused); structure-edit runs raise "
              "its first SLA target (the checks that read SLA targets run again); reference-edit runs take "
              "the first control out of its `controls` list or put it back (the checks that read references "
              "or the graph run again)" for r in results if r.changed]
    if notes:
        lines += ["Notes:", "", *[f"* {n}" for n in dict.fromkeys(notes)], ""]
    errs = [(r.n, e) for r in results for e in r.cjs_errors]
    if errs:
        lines += ["check-jsonschema errors on the generated (valid) files, first lines:", "", "```",
                  *[f"[{n}] {e}" for n, e in errs], "```", ""]
    return "\n".join(lines)


def print_ratios(results: list[SizeResult], ref: dict[str, Series] | None) -> None:
    for r in results:
        s = r.series
        print(f"{r.n:>7,} entities: floor {fmt_s(s['floor'].wall)} s, cold {fmt_s(s['cold'].wall)} s, "
              f"warm {fmt_s(s['warm'].wall)} s, wording edit {fmt_s(s['edit'].wall)} s, "
              f"structure edit {fmt_s(s['struct'].wall)} s, reference edit {fmt_s(s['ref'].wall)} s, "
              f"check-jsonschema {cell(s['cjs'])}; "
              f"cold/floor {fmt_ratio(s['cold'].wall, s['floor'].wall)}, "
              f"cold/check-jsonschema {fmt_ratio(s['cold'].wall, s['cjs'].wall)}, "
              f"warm/cold {fmt_ratio(s['warm'].wall, s['cold'].wall)}, "
              f"wording/cold {fmt_ratio(s['edit'].wall, s['cold'].wall)}, "
              f"structure/cold {fmt_ratio(s['struct'].wall, s['cold'].wall)}, "
              f"reference/cold {fmt_ratio(s['ref'].wall, s['cold'].wall)}, "
              f"peak {(r.tree_peak or 0) / MB:.0f} MB")
    by_n = {r.n: r for r in results}
    if 10000 in by_n and 50000 in by_n:
        a, b = by_n[10000].series["cold"].wall, by_n[50000].series["cold"].wall
        if a and b:
            print(f"50,000 vs 10,000 per entity: {(b / 50000) / (a / 10000):.2f} (1.00 = linear)")
    if ref is not None:
        print(f"reference ISMS: cold {fmt_s(ref['cold'].wall)} s, with cache {fmt_s(ref['default'].wall)} s, "
              f"isms --version {fmt_s(ref['version'].wall)} s, python -c pass {fmt_s(ref['python'].wall)} s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated entity counts (default 1000,10000)")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions per measurement (default 5)")
    parser.add_argument("--repeat-large", type=int, default=2, help="repetitions at 50,000 entities or more")
    parser.add_argument("--budget", type=float, default=150.0,
                        help="stop repeating a measurement once its runs add up to this many seconds")
    parser.add_argument("--cjs-max", type=int, default=10000, help="skip check-jsonschema above this size")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "isms-bench")
    parser.add_argument("--reference", type=Path, default=ROOT, help="the reference ISMS (default: this repository)")
    parser.add_argument("--no-reference", action="store_true", help="do not time the reference ISMS")
    parser.add_argument("--isms-arg", action="append", default=[],
                        help="extra argument for every `isms check` (e.g. --isms-arg=--jobs=2)")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s.replace("_", "")) for s in re.split(r"[,\s]+", args.sizes.strip()) if s]
    except ValueError:
        parser.error("--sizes must be comma-separated integers")
    args.cache_dir.mkdir(parents=True, exist_ok=True)

    info = machine_info()
    load_start = load_average()
    precompile()
    opts = isms_options()
    schema: Path | None = None
    if cjs_exe() is not None:
        schema_dir = args.cache_dir / "schemas"
        subprocess.run([*isms_exe(), "schema", "export", str(schema_dir)], check=True, capture_output=True)
        schema = schema_dir / "entity.schema.json"
    else:
        print("check-jsonschema not found: that measurement is skipped (pip install -e '.[bench]')")

    results = []
    for n in sizes:
        print(f"size {n:,}", flush=True)
        results.append(bench_size(n, args, schema, opts))
    ref = None
    if not args.no_reference:
        print("reference ISMS", flush=True)
        ref = bench_reference(args, opts)
    report = render(results, ref, info, (load_start, load_average()), args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print_ratios(results, ref)
    print(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
