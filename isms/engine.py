"""The check pipeline: discover → load → validate → model → checks → filtered, sorted findings.

Everything a command needs from a repository comes through :func:`load_repo`, so `check`,
and later `gap`, `soa`, `report` and `bundle`, all see the same entities. Per-file work
(reading, parsing, schema validation, file-scope checks) is kept in :func:`file_result` so it
can be cached and spread over processes without touching the whole-repository checks.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from isms import checks as _checks  # noqa: F401  (registers the structural checks)
from isms.cache import FileCache, Record, cache_key, digest
from isms.catalogs import Catalogs, load_catalogs
from isms.config import Config, find_root, load_config
from isms.errors import UsageError
from isms.findings import RULES, Finding, Rule, Severity, make
from isms.loader import (
    Y_UNKNOWN_KIND,
    LazyMarks,
    Limits,
    Parsed,
    discover,
    parse_bytes,
    read_raw,
)
from isms.model import Entity, Repo
from isms.schema import KINDS, validate


@dataclass(frozen=True)
class CheckOptions:
    today: dt.date
    fail_on: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    base: str | None = None  # a git revision: add document-control findings against it
    use_cache: bool = True
    jobs: int | None = None


@dataclass(frozen=True)
class FileResult:
    """What one file contributes: its findings and, when usable, its entity."""

    path: str
    findings: tuple[Finding, ...]
    entity: Entity | None


@dataclass
class Loaded:
    config: Config
    repo: Repo
    catalogs: Catalogs
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class CheckResult:
    root: Path
    today: dt.date
    fail_on: Severity
    files: int
    findings: tuple[Finding, ...]
    rules: tuple[Rule, ...]

    def counts(self) -> dict[str, int]:
        out = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for f in self.findings:
            out[f.severity.label] += 1
        return out

    @property
    def failing(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity >= self.fail_on)

    @property
    def failed(self) -> bool:
        return bool(self.failing)


def file_result(parsed: Parsed, config: Config | None = None) -> FileResult:
    """Validate one parsed file and make its entity (shared by disk and git revisions).

    With ``config``, the file-scope checks (content and configuration only) run here too, so
    that they are parallelised and cached with the rest of the per-file stage.
    """
    rel = parsed.path
    findings = list(parsed.findings)
    data = parsed.data
    entity = None
    if isinstance(data, dict):
        kind = data.get("kind")
        if kind not in KINDS:
            line, col = parsed.marks.get(("kind",), (1, 1))
            if kind is None:
                message, hint = "no `kind`", "add `kind:` as the first line: " + ", ".join(KINDS)
            else:
                message = f"unknown kind {kind!r}"
                hint = "use one of: " + ", ".join(KINDS)
            findings.append(make(Y_UNKNOWN_KIND, rel, line, col, message, hint))
        else:
            findings.extend(validate(str(kind), data, rel, parsed.marks))
            ident = data.get("id")
            if isinstance(ident, str) and ident:
                entity = Entity(str(kind), ident, rel, data, parsed.marks)
                if config is not None:
                    findings.extend(_checks.run_file_checks(entity, config))
    return FileResult(rel, tuple(findings), entity)


# Below this many files to parse, a process pool costs more to start than it saves.
AUTO_PARALLEL_MIN = 600


def _to_record(result: FileResult) -> Record:
    e = result.entity
    return result.findings, ((e.kind, e.id, dict(e.data)) if e is not None else None)


def _from_record(root: Path, rel: str, record: Record, limits: Limits) -> FileResult:
    findings, entity = record
    if entity is None:
        return FileResult(rel, findings, None)
    kind, ident, data = entity
    return FileResult(rel, findings, Entity(kind, ident, rel, data, LazyMarks(root, rel, limits)))


def _work(item: tuple[str, Config]) -> tuple[Record, str]:
    """Per-file stage in a worker process: read, parse, validate; returns a plain record."""
    rel, config = item
    raw, problems = read_raw(config.root, rel, config.limits)
    if raw is None:
        return (tuple(problems), None), ""
    result = file_result(parse_bytes(raw, rel, config.limits), config)
    return _to_record(result), digest(raw)


def auto_jobs(pending: int) -> int:
    if pending < AUTO_PARALLEL_MIN:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def load_files(config: Config, files: Sequence[str], cache: FileCache | None,
               jobs: int | None) -> list[FileResult]:
    """The per-file stage for every file: cached results where the content is unchanged,
    the rest parsed and validated, in parallel processes when there are many."""
    root, limits = config.root, config.limits
    results: dict[str, FileResult] = {}
    pending: list[tuple[str, bytes | None]] = []
    for rel in files:
        if cache is None:
            pending.append((rel, None))
            continue
        raw, problems = read_raw(root, rel, limits)
        if raw is None:
            results[rel] = FileResult(rel, tuple(problems), None)
            continue
        hit = cache.get(rel, digest(raw))
        if hit is not None:
            results[rel] = _from_record(root, rel, hit, limits)
        else:
            # Keep the bytes only while the work looks small enough to do here.
            pending.append((rel, raw if len(pending) < AUTO_PARALLEL_MIN else None))
    workers = jobs if jobs is not None else auto_jobs(len(pending))
    if workers > 1 and len(pending) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        items = [(rel, config) for rel, _ in pending]
        chunk = max(1, len(items) // (workers * 8))
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            outcomes = pool.map(_work, items, chunksize=chunk)
            for (rel, _), (record, sha) in zip(pending, outcomes, strict=True):
                results[rel] = _from_record(root, rel, record, limits)
                if cache is not None and sha:
                    cache.put(rel, sha, record)
    else:
        for rel, raw in pending:
            if raw is None:
                raw, problems = read_raw(root, rel, limits)
                if raw is None:
                    results[rel] = FileResult(rel, tuple(problems), None)
                    continue
            result = file_result(parse_bytes(raw, rel, limits), config)
            results[rel] = result
            if cache is not None:
                cache.put(rel, digest(raw), _to_record(result))
    return [results[rel] for rel in files]


def load_repo(path: Path, *, use_cache: bool = True, jobs: int | None = None) -> Loaded:
    """Load and validate every file of the repository at or above ``path``.

    ``use_cache`` reuses per-file results from ``.isms_cache/`` for files whose content is
    unchanged; ``jobs`` sets the number of processes (None: automatic by repository size).
    """
    root = find_root(path)
    config = load_config(root)
    files, findings = discover(root, config.folders, config.ignore)
    cache = FileCache.open(root, cache_key(config)) if use_cache else None
    entities: list[Entity] = []
    for result in load_files(config, files, cache, jobs):
        findings.extend(result.findings)
        if result.entity is not None:
            entities.append(result.entity)
    if cache is not None:
        cache.save()
    catalogs = load_catalogs(root, config.catalogs)
    findings.extend(catalogs.findings)
    repo = Repo.build(config, entities, files)
    return Loaded(config, repo, catalogs, findings)


def _matches(code: str, selectors: Iterable[str]) -> bool:
    return any(code == s or code.startswith(s) for s in selectors)


def validate_selectors(selectors: Sequence[str], option: str) -> None:
    for s in selectors:
        if not any(code == s or code.startswith(s) for code in RULES):
            raise UsageError(f"{option}: {s!r} matches no finding code",
                             hint="see `isms explain --list`")


def run_check(path: Path, options: CheckOptions) -> CheckResult:
    loaded = load_repo(path, use_cache=options.use_cache, jobs=options.jobs)
    config = loaded.config
    select = options.select or config.select
    ignore = (*config.ignore_codes, *options.ignore)
    _checks.load_check_modules()
    validate_selectors(select, "--select")
    validate_selectors(ignore, "--ignore")
    for code in config.severity:
        if code not in RULES:
            raise UsageError(f"isms.yaml checks.severity: unknown code {code!r}")
    fail_on = Severity.parse(options.fail_on or config.fail_on)

    ctx = _checks.Context(loaded.repo, loaded.catalogs, options.today)
    findings = [*loaded.findings, *_checks.run_checks(ctx)]
    if options.base is not None:
        from isms.doccontrol import check_base

        findings.extend(check_base(config.root, loaded.repo, options.base))

    kept: set[Finding] = set()
    for f in findings:
        if select and not _matches(f.code, select):
            continue
        if _matches(f.code, ignore):
            continue
        override = config.severity.get(f.code)
        if override:
            f = Finding(f.path, f.line, f.col, f.code, f.message, Severity.parse(override),
                        f.hint, f.json_path)
        kept.add(f)
    ordered = tuple(sorted(kept))
    codes = sorted({f.code for f in ordered}
                   | {c for c in RULES if not select or _matches(c, select)})
    rules = tuple(RULES[c] for c in codes)
    return CheckResult(config.root, options.today, fail_on, len(loaded.repo.files), ordered, rules)
