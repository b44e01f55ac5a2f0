"""The check pipeline: discover → load → validate → model → checks → filtered, sorted findings.

Everything a command needs from a repository comes through :func:`load_repo`, so `check`,
and later `gap`, `soa`, `report` and `bundle`, all see the same entities. Per-file work
(reading, parsing, schema validation, file-scope checks) is kept in :func:`file_result` so it
can be cached and spread over processes without touching the whole-repository checks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import marshal
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from isms import checks as _checks  # noqa: F401  (registers the structural checks)
from isms.cache import (
    EntityRecord,
    FileCache,
    Stage,
    cache_key,
    digest,
    disk_of,
    entity_json,
    finding_to_json,
    findings_from_json,
    loads,
    signature,
)
from isms.catalogs import Catalogs, load_catalogs
from isms.checks import CheckRun
from isms.config import CONFIG_NAME, Config, find_root, load_config
from isms.errors import UsageError
from isms.findings import RULES, Finding, Rule, Severity, make
from isms.links import Ref, ScannedRefs, StoredRefs, catalog_nodes, refs_of
from isms.loader import (
    Y_UNKNOWN_KIND,
    LazyMarks,
    Parsed,
    discover,
    parse_bytes,
    read_stat,
)
from isms.model import Entity, Repo, iter_spec
from isms.reads import Field, Tracked
from isms.schema import KINDS, MarkMap, validate
from isms.stage import (
    Missing,
    ViewSource,
    changed_fields,
    changed_files,
    file_shas,
    file_views,
    read_skeleton,
    relocate,
    skeleton,
    stage_key,
    stage_view,
    stale,
)


@dataclass(frozen=True)
class CheckOptions:
    today: dt.date
    fail_on: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    base: str | None = None  # a git revision: add document-control findings against it
    use_cache: bool = True
    jobs: int | None = None


class FileResult(NamedTuple):
    """What one file contributes: its findings and, when usable, its entity.

    ``entity`` is None for a file that has none, and also for a cached file whose entity was
    not asked for (``stored`` is then True); it holds the entity's data, or its stage view
    (see :mod:`isms.stage`) when that was asked for. ``sha``, ``digest`` and ``view_digest``
    (of the file's bytes, of its entity and of its stage view) are filled when the cache is in
    use, to key it. A named tuple rather than a dataclass: every run makes one per file, and
    a tuple is made three times as fast.
    """

    path: str
    findings: tuple[Finding, ...]
    entity: Entity | None
    sha: str = ""
    digest: str = ""
    disk: tuple[str, ...] = ()
    view_digest: str = ""
    refs: tuple[Ref, ...] | None = None  # the entity's reference values, when made this run

    @property
    def stored(self) -> bool:
        """Whether the entity was left in the cache (see :func:`fill_entities`)."""
        return self.entity is None and bool(self.digest)


@dataclass
class Loaded:
    config: Config
    repo: Repo
    catalogs: Catalogs
    findings: list[Finding] = field(default_factory=list)
    refs: ScannedRefs | None = None  # who names what, for the checks' graph (isms.links)


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
                    findings.extend(_checks.run_file_checks(entity, config, parsed.source))
    return FileResult(rel, tuple(findings), entity)


# Below this many files to parse, a process pool costs more to start than it saves.
AUTO_PARALLEL_MIN = 600

class _Work(NamedTuple):
    """What the per-file stage makes of one file, in plain data (it crosses processes)."""

    findings: tuple[Finding, ...]
    entity: EntityRecord | None  # the entity's data, or its stage view when that was asked for
    sha: str = ""  # of the bytes; "" when the cache is not in use or the file was not read
    sig: str = ""  # stat signature of the file that was read
    stored: str | None = None  # the entity as the cache stores it
    digest: str = ""  # of ``stored``
    disk: tuple[str, ...] = ()
    view: str | None = None  # the entity's stage view as the cache stores it
    view_digest: str = ""  # of ``view``
    refs: tuple[Ref, ...] = ()  # the entity's reference values (see isms.links), when stored


def disk_paths(kind: str, data: Mapping[str, Any]) -> tuple[str, ...]:
    """The repository files an entity names (an evidence record's ``files``): whether they
    exist is an input of the whole-repository stage that the entity data alone does not give."""
    if kind != "evidence":
        return ()
    return tuple(v for _p, v in iter_spec(data, "files") if isinstance(v, str))


def _process(rel: str, raw: bytes, info: os.stat_result | None, config: Config,
             store: bool, view: bool) -> tuple[_Work, MarkMap | None]:
    """Parse, validate and check one file's bytes: the storable result, and the marks of the
    entity (for a caller in this process, which can keep them)."""
    result = file_result(parse_bytes(raw, rel, config.limits), config)
    e = result.entity
    sha = digest(raw) if store else ""
    sig = signature(info) if info is not None else ""
    if e is None:
        return _Work(result.findings, None, sha, sig), None
    full = (e.kind, e.id, dict(e.data))
    seen = (e.kind, e.id, dict(stage_view(e.kind, e.data))) if view or store else full
    stored = entity_json(full) if store else None
    shown = entity_json(seen) if store else None
    return _Work(result.findings, seen if view else full, sha, sig, stored,
                 digest(stored.encode("utf-8")) if stored is not None else "",
                 disk_paths(e.kind, e.data), shown,
                 digest(shown.encode("utf-8")) if shown is not None else "",
                 tuple(refs_of(e.kind, e.data)) if store else ()), e.marks


def _work(rel: str, config: Config, store: bool, view: bool) -> _Work:
    """Per-file stage for one file: read, parse, validate."""
    raw, problems, info = read_stat(config.root, rel, config.limits)
    if raw is None:
        return _Work(tuple(problems), None)
    return _process(rel, raw, info, config, store, view)[0]


def _work_batch(task: tuple[Config, bool, bool, list[str]]) -> bytes:
    """The per-file stage of a batch of files, in a worker process.

    The result goes back as one ``marshal`` blob: it holds only tuples, dicts, lists, strings
    and numbers, which marshal writes about four times faster than pickle (no memo), and it
    comes from a process this run forked, never from disk.
    """
    config, store, view, rels = task
    return marshal.dumps([(_plain(w.findings), *w[1:]) for w in
                          (_work(rel, config, store, view) for rel in rels)])


def _unbatch(blob: bytes) -> list[_Work]:
    return [_Work(tuple(_from_plain(plain)), *rest)
            for plain, *rest in marshal.loads(blob)]  # noqa: S302


def auto_jobs(pending: int) -> int:
    if pending < AUTO_PARALLEL_MIN:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _from_work(config: Config, rel: str, work: _Work, marks: MarkMap | None = None
               ) -> FileResult:
    made = None
    if work.entity is not None:
        kind, ident, data = work.entity
        made = Entity.made(kind, ident, rel, data,
                           marks if marks is not None else LazyMarks(config.root, rel, config.limits))
    return FileResult(rel, work.findings, made, work.sha, work.digest, work.disk,
                      work.view_digest, work.refs if made is not None and work.sha else None)


def load_files(config: Config, files: Sequence[str], cache: FileCache | None,
               jobs: int | None, *, entities: bool = True, view: bool = False,
               meanwhile: Callable[[], object] | None = None) -> list[FileResult]:
    """The per-file stage for every file: cached results where the content is unchanged,
    the rest parsed and validated, in parallel processes when there are many.

    A file whose ``stat`` is what the cache recorded is not even read. With ``entities``
    False, cached files' entities stay on disk (see :func:`fill_entities`). With ``view``,
    entities hold their stage views (what the whole-repository checks see). ``meanwhile``
    runs in this process while worker processes parse, when there are any.
    """
    root, limits = config.root, config.limits
    store = cache is not None
    results: dict[str, FileResult] = {}
    pending: list[tuple[str, bytes | None, os.stat_result | None]] = []
    prefix = os.path.join(root, "")
    index = cache.index if cache is not None else {}
    stat = os.stat
    used = []
    for rel in files:
        entry = index.get(rel)
        if entry is None:
            pending.append((rel, None, None))  # nothing to compare with: read it once, later
            continue
        try:
            now = stat(prefix + rel)
            # signature() written out: this loop runs once per file on every run.
            sig = f"{now.st_size}:{now.st_mtime_ns}:{now.st_ctime_ns}:{now.st_ino}"
        except OSError:
            sig = ""
        if not sig or sig != entry.sig:
            assert cache is not None
            raw, problems, info = read_stat(root, rel, limits)
            if raw is None:
                results[rel] = FileResult(rel, tuple(problems), None)
                continue
            sha = digest(raw)
            entry = cache.lookup(rel, sha, signature(info) if info is not None else "")
            if entry is None:
                # Keep the bytes only while the work looks small enough to do here.
                small = len(pending) < AUTO_PARALLEL_MIN
                pending.append((rel, raw if small else None, info if small else None))
                continue
        # (the common empty values tested here: a call per file costs more than the test)
        findings = () if entry.findings == "[]" else findings_from_json(entry.findings, rel)
        if findings is None:  # a row we did not write: parse the file again
            pending.append((rel, None, None))
            continue
        used.append(rel)
        results[rel] = FileResult(rel, findings, None, entry.sha, entry.digest,
                                  () if entry.disk == "[]" else disk_of(entry), entry.view_digest)
    if cache is not None:
        cache.use(used)
    workers = jobs if jobs is not None else auto_jobs(len(pending))
    if workers > 1 and len(pending) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork" if "fork" in _start_methods() else None)
        rels = [rel for rel, _, _ in pending]
        # Small batches keep both workers busy to the end; each costs one message.
        size = max(1, min(200, len(rels) // (workers * 16) or 1))
        batches = [rels[i:i + size] for i in range(0, len(rels), size)]
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            outcomes = pool.map(_work_batch, [(config, store, view, b) for b in batches])
            if meanwhile is not None:
                meanwhile()
            for batch, blob in zip(batches, outcomes, strict=True):
                for rel, work in zip(batch, _unbatch(blob), strict=True):
                    results[rel] = _from_work(config, rel, work)
                    _store(cache, rel, work)
    else:
        for rel, raw, info in pending:
            if raw is None:
                raw, problems, info = read_stat(root, rel, limits)
                if raw is None:
                    results[rel] = FileResult(rel, tuple(problems), None)
                    continue
            work, marks = _process(rel, raw, info, config, store, view)
            results[rel] = _from_work(config, rel, work, marks)
            _store(cache, rel, work)
    ordered = [results[rel] for rel in files]
    if entities:
        ordered = fill_entities(config, ordered, cache, view=view)
    return ordered


def _store(cache: FileCache | None, rel: str, work: _Work) -> None:
    if cache is not None and work.sha:
        cache.put(rel, work.sig, work.sha, work.findings, work.disk, work.stored, work.digest,
                  work.view, work.view_digest, work.refs)


def fill_entities(config: Config, results: list[FileResult], cache: FileCache | None, *,
                  view: bool = False) -> list[FileResult]:
    """``results`` with the entities (or, with ``view``, the stage views) of cached files
    read from the cache (a file whose stored entity cannot be read back is parsed again)."""
    wanted = {r.path: r.view_digest if view else r.digest
              for r in results if r.stored}
    if not wanted:
        return results
    records = cache.entities(wanted, view=view) if cache is not None else {}
    out = []
    for r in results:
        if r.path not in wanted:
            out.append(r)
            continue
        record = records.get(r.path)
        if record is None:
            out.extend(load_files(config, [r.path], None, 1, view=view))
            continue
        kind, ident, data = record
        entity = Entity.made(kind, ident, r.path, data, LazyMarks(config.root, r.path, config.limits))
        # Built directly: dataclasses.replace costs ten times as much, on every entity.
        out.append(FileResult(r.path, r.findings, entity, r.sha, r.digest, r.disk,
                              r.view_digest))
    return out


@contextlib.contextmanager
def _few_collections() -> Iterator[None]:
    """Run the garbage collector rarely while a repository is loaded and checked.

    Loading builds about a hundred objects per entity and frees almost none of them, so with
    the default thresholds the collector walks the growing heap again and again (about a
    sixth of a cold check at 10,000 entities) and finds nothing: the data is acyclic and
    reference counting frees what is dropped. mypy tunes its collector the same way. Worker
    processes forked inside inherit the setting; the old thresholds come back afterwards.
    """
    old = gc.get_threshold()
    gc.set_threshold(200_000, 30, 30)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def load_repo(path: Path, *, use_cache: bool = True, jobs: int | None = None) -> Loaded:
    """Load and validate every file of the repository at or above ``path``.

    ``use_cache`` reuses per-file results from ``.isms_cache/`` for files whose content is
    unchanged; ``jobs`` sets the number of processes (None: automatic by repository size).
    """
    with _few_collections():
        return _load_repo(path, use_cache, jobs)


def _load_repo(path: Path, use_cache: bool, jobs: int | None) -> Loaded:
    root = find_root(path)
    config = load_config(root)
    files, findings = discover(root, config.folders, config.ignore)
    with _cache(config, use_cache) as cache:
        results = load_files(config, files, cache, jobs)
    for result in results:
        findings.extend(result.findings)
    loaded = _assemble(config, files, results)
    loaded.findings[:0] = findings
    return loaded


@contextlib.contextmanager
def _cache(config: Config, use: bool) -> Iterator[FileCache | None]:
    """The repository's cache (None without ``use``): saved when the work succeeds, closed
    in any case."""
    cache = FileCache.open(config.root, cache_key(config)) if use else None
    try:
        yield cache
        if cache is not None:
            cache.save()
    finally:
        if cache is not None:
            cache.close()


def _assemble(config: Config, files: Sequence[str], results: Sequence[FileResult]) -> Loaded:
    """The repository model of loaded files; ``findings`` holds only the catalogs' own."""
    entities = [r.entity for r in results if r.entity is not None]
    catalogs = load_catalogs(config.root, config.catalogs)
    repo = Repo.build(config, entities, list(files))
    refs = ScannedRefs(repo.entities, {r.path: r.refs for r in results
                                       if r.refs is not None and r.entity is not None})
    return Loaded(config, repo, catalogs, list(catalogs.findings), refs)


def _matches(code: str, selectors: Iterable[str]) -> bool:
    return any(code == s or code.startswith(s) for s in selectors)


def validate_selectors(selectors: Sequence[str], option: str) -> None:
    for s in selectors:
        if not any(code == s or code.startswith(s) for code in RULES):
            raise UsageError(f"{option}: {s!r} matches no finding code",
                             hint="see `isms explain --list`")


def run_check(path: Path, options: CheckOptions) -> CheckResult:
    with _few_collections():
        return _run_check(path, options)


def _run_check(path: Path, options: CheckOptions) -> CheckResult:
    root = find_root(path)
    config = load_config(root)
    select = options.select or config.select
    ignore = (*config.ignore_codes, *options.ignore)
    _checks.load_check_modules()
    validate_selectors(select, "--select")
    validate_selectors(ignore, "--ignore")
    for code in config.severity:
        if code not in RULES:
            raise UsageError(f"isms.yaml checks.severity: unknown code {code!r}")
    fail_on = Severity.parse(options.fail_on or config.fail_on)

    files, findings = discover(root, config.folders, config.ignore)
    # The stage sees stage views; comparing with a revision (--base) needs the whole data.
    whole = options.base is not None
    with _cache(config, options.use_cache) as cache:
        results = load_files(config, files, cache, options.jobs, entities=whole,
                             view=not whole, meanwhile=_import_graph)
        for result in results:
            findings.extend(result.findings)
        if options.base is not None:
            from isms.doccontrol import check_base

            head = Repo.build(config, [r.entity for r in results if r.entity is not None],
                              list(files))
            findings.extend(check_base(config.root, head, options.base))
        if cache is None:
            findings.extend(_flatten(_whole_repo(_stage_loaded(config, files, results, whole),
                                                 options.today, options.jobs, record=False)))
        else:
            findings.extend(_cached_stage(config, files, results, cache, whole, options))

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
    return CheckResult(config.root, options.today, fail_on, len(files), ordered, rules)


def _stage_loaded(config: Config, files: Sequence[str], results: list[FileResult],
                  whole: bool) -> Loaded:
    """The repository as the whole-repository stage sees it: every entity's stage view."""
    if whole:
        results = [r._replace(entity=replace(r.entity, data=stage_view(r.entity.kind,
                                                                       r.entity.data)))
                   if r.entity is not None else r for r in results]
    return _assemble(config, files, results)


# The run that holds the catalogs' own findings, beside the checks' runs.
CATALOGS = "isms.catalogs"


def _cached_stage(config: Config, files: Sequence[str], results: list[FileResult],
                  cache: FileCache, whole: bool, options: CheckOptions) -> list[Finding]:
    """The whole-repository stage's findings, from the cache where it still holds: each check
    whose recorded reads are unchanged keeps its findings (placed again in files whose lines
    may have moved), the others run again; when what the stage reads besides the entities'
    fields changed, every check runs. Either way the cache is left holding the result."""
    key = stage_key(cache.key, config, results, options.today)
    views, shas = file_views(results), file_shas(results)
    prior = cache.stage
    if prior is not None and prior.key == key:
        try:
            runs = _update(config, files, results, cache, prior, views, shas, whole, options)
        except Missing:
            runs = None
        if runs is not None:
            return _flatten(runs)
    if not whole:
        results = fill_entities(config, results, cache, view=True)
    # Every entity's view, its data noting what each check reads (see isms.reads).
    seen = [r._replace(entity=Entity.made(e.kind, e.id, e.path, Tracked(
        e.kind, stage_view(e.kind, e.data) if whole else e.data, None, e.path), e.marks))
        if (e := r.entity) is not None else r for r in results]
    loaded = _assemble(config, files, seen)
    runs = _whole_repo(loaded, options.today, options.jobs)
    cache.stage_put(Stage(key, views, shas, skeleton(files, loaded.repo.entities), runs,
                          json.dumps(catalog_nodes(loaded.catalogs), ensure_ascii=False,
                                     sort_keys=True)))
    return _flatten(runs)


def _update(config: Config, files: Sequence[str], results: list[FileResult], cache: FileCache,
            prior: Stage, views: str, shas: str, whole: bool, options: CheckOptions
            ) -> dict[str, CheckRun] | None:
    """The cached stage brought up to date with the files that changed since it ran, when
    their entities' kinds and ids are unchanged (None when it cannot be).

    A check that read none of the fields that changed keeps its result. One that judges
    subjects (:meth:`isms.checks.Context.each`) judges again only the subjects that depended
    on what the edit touched (:func:`_touched`, :func:`_to_judge`), reading the graph node by
    node from the cache's reference index; any other check that read a changed field runs
    again in full."""
    changed = changed_files(results, prior.shas, shas)
    moved = changed_files(results, prior.views, views)  # the files whose stage views changed
    checks = _checks.stage_checks()
    if (changed is None or moved is None
            or set(prior.runs) != {CATALOGS, *(c.key for c in checks)}):
        return None
    present = {r.path for r in results}
    if not all(_stage_path(config, f.path, present)
               for run in prior.runs.values() for f in run.findings):
        return None
    if not changed:
        return dict(prior.runs)
    fields: set[Field] = set()
    shape: dict[str, tuple[str, str]] = {}
    fresh = _fresh_views(results, moved, prior, cache, whole) if moved else {}
    if moved:
        shape = _shape(files, prior)
        for rel in moved:
            old, new = fresh[rel]
            if shape.get(rel) != (new[0], new[1]) or (old[0], old[1]) != (new[0], new[1]):
                return None  # an entity's kind or id changed: every check runs
            fields |= changed_fields(new[0], old[2], new[2])

    runs: dict[str, CheckRun] = {CATALOGS: prior.runs[CATALOGS]}
    again: list[_checks.Check] = []
    locally: list[_checks.Check] = []
    judged: list[tuple[_checks.Check, list[Finding], set[str], Any]] = []
    touched: set[str] | None = None
    named: set[str] = set()
    for c in checks:
        run = prior.runs[c.key]
        placed = relocate(config, run.findings, changed)
        if placed is None:
            again.append(c)
        elif stale(run, fields):
            recorded = (_checks.subjects_from_json(run.subjects)
                        if run.subjects is not None else None)
            if recorded is None or not recorded[0].isdisjoint(fields):
                again.append(c)
                continue
            if touched is None:
                touched = _touched(moved, fresh)
                ids = {t[1:] for t in touched if t.startswith("@")}
                named = {rel for rel, (_kind, ident) in shape.items() if ident in ids}
            judged.append((c, placed, _to_judge(recorded[1], recorded[2], touched,
                                                {*moved, *named}), recorded))
        elif run.local and moved:
            locally.append(c)
            runs[c.key] = CheckRun(tuple(f for f in placed if f.path not in moved),
                                   run.reads, run.local)
        else:
            runs[c.key] = CheckRun(tuple(placed), run.reads, run.local, run.subjects)
    if again or locally or judged:
        refs = StoredRefs(partial(_referrers, cache),
                          {rel: refs_of(fresh[rel][1][0], fresh[rel][1][2]) for rel in moved})
        repo, source = _lazy_repo(config, files, results, cache, shape or _shape(files, prior),
                                  {rel: fresh[rel][1][2] for rel in moved})
        nodes = _catalog_nodes(prior)
        ctx = _checks.Context(repo, partial(load_catalogs, config.root, config.catalogs),
                              options.today, refs, nodes)
        runs.update(_checks.run_recorded(ctx, again))
        source.singly = True
        for c, placed, subjects, (global_reads, deps, memos) in judged:
            run = _checks.run_recorded(ctx, [c], subjects=subjects)[c.key]
            recorded = (_checks.subjects_from_json(run.subjects)
                        if run.subjects is not None else None)
            if recorded is None:  # it did not judge subjects this time: run it on all
                runs.update(_checks.run_recorded(ctx, [c]))
                continue
            merged = {}
            for token, rels in deps.items():
                left = [rel for rel in rels if rel not in subjects]
                if left:
                    merged[token] = left
            for token, rels in recorded[1].items():
                merged[token] = sorted({*merged.get(token, ()), *rels})
            used = {t for t in merged if t.startswith("$")}
            runs[c.key] = CheckRun(
                tuple([*(f for f in placed if f.path not in subjects), *run.findings]),
                (prior.runs[c.key].reads or frozenset()) | (run.reads or frozenset()), False,
                _checks.subjects_text(global_reads | recorded[0], merged,
                                      {t: v for t, v in {**memos, **recorded[2]}.items()
                                       if t in used}))
        for key, run in _checks.run_recorded(ctx, locally, set(moved)).items():
            if not run.local:  # it read another entity this time: run it on every entity
                runs.update(_checks.run_recorded(ctx, [c for c in locally if c.key == key]))
                continue
            kept = runs[key].findings
            runs[key] = CheckRun((*kept, *run.findings), run.reads, True)
    cache.stage_put(Stage(prior.key, views, shas, prior.skeleton, runs, prior.nodes))
    return runs


def _catalog_nodes(prior: Stage) -> dict[str, str]:
    """The catalogs' graph nodes the cached stage saw (:class:`Missing` when unreadable)."""
    try:
        nodes = loads(prior.nodes)
    except ValueError:
        raise Missing("nodes") from None
    if not (isinstance(nodes, dict) and all(isinstance(v, str) for v in nodes.values())):
        raise Missing("nodes")
    return nodes


def _referrers(cache: FileCache, value: str) -> list[tuple[str, str]]:
    try:
        return cache.referrers(value)
    except sqlite3.Error:
        raise Missing("refs") from None


def _touched(moved: Sequence[str],
             fresh: Mapping[str, tuple[EntityRecord, EntityRecord]]) -> set[str]:
    """The dependencies (see :mod:`isms.reads`) that the files whose views changed touch:
    their files, ``*`` their kinds, and ``@`` every value added to or taken out of their
    reference fields (an edge of the graph that appeared or went)."""
    out = set(moved)
    for rel in moved:
        (kind, _ident, old), (_kind, _ident2, new) = fresh[rel]
        out.add("*" + kind)
        out.update("@" + value for _via, value in set(refs_of(kind, old)) ^ set(refs_of(kind, new)))
    return out


def _to_judge(deps: Mapping[str, list[str]], memos: Mapping[str, list[str]],
              touched: set[str], named: set[str]) -> set[str]:
    """The subjects (files) a check must judge again: ``named`` (the changed ones, and those
    whose own id an edge that appeared or went names) and those that depended on anything
    touched (or on a shared value that did)."""
    touched = touched | {t for t, on in memos.items() if not touched.isdisjoint(on)}
    out = set(named)
    for token in touched:
        out.update(deps.get(token, ()))
    return out


def _shape(files: Sequence[str], prior: Stage) -> dict[str, tuple[str, str]]:
    """Each file's entity as (kind, id), from the cached stage's skeleton (see
    :func:`isms.stage.skeleton`); :class:`Missing` when it cannot be read."""
    parts = read_skeleton(prior.skeleton, files)
    if parts is None:
        raise Missing("skeleton")
    return {rel: part for rel, part in zip(files, parts, strict=True) if part is not None}


def _fresh_views(results: list[FileResult], moved: Sequence[str], prior: Stage,
                 cache: FileCache, whole: bool
                 ) -> dict[str, tuple[EntityRecord, EntityRecord]]:
    """The old and new stage views (as kind, id, data) of the files whose views changed."""
    index = {r.path: i for i, r in enumerate(results)}
    old = cache.entities({rel: prior.views[index[rel] * 64:index[rel] * 64 + 64]
                          for rel in moved}, view=True)
    stored = {rel: results[index[rel]].view_digest for rel in moved
              if results[index[rel]].entity is None}
    now = cache.entities(stored, view=True) if stored else {}
    out = {}
    for rel in moved:
        e = results[index[rel]].entity
        new = now.get(rel) if e is None else (
            e.kind, e.id, dict(stage_view(e.kind, e.data)) if whole else dict(e.data))
        if rel not in old or new is None:
            raise Missing(rel)
        out[rel] = (old[rel], new)
    return out


def _lazy_repo(config: Config, files: Sequence[str], results: list[FileResult],
               cache: FileCache, shape: Mapping[str, tuple[str, str]],
               fresh: Mapping[str, Mapping[str, Any]]) -> tuple[Repo, ViewSource]:
    """The repository as the stage sees it, every entity's view read from the cache only if
    a check asks for it (the changed files' views are at hand)."""
    source = ViewSource(cache, {r.path: r.view_digest for r in results}, shape)
    root, limits, load, made = config.root, config.limits, source.load, Entity.made
    entities = []
    for rel in files:
        part = shape.get(rel)
        if part is None:
            continue
        kind, ident = part
        data = fresh.get(rel)
        entities.append(made(kind, ident, rel, Tracked(kind, data, None, rel) if data is not None
                             else Tracked(kind, None, load, rel), LazyMarks(root, rel, limits)))
    return Repo.build(config, entities, list(files)), source


def _flatten(runs: Mapping[str, CheckRun]) -> list[Finding]:
    return [f for _key, run in sorted(runs.items()) for f in run.findings]


def _stage_path(config: Config, path: str, files: set[str]) -> bool:
    """Whether the whole-repository stage could report a finding in ``path`` (a cached result
    that names any other file was not written by us)."""
    if path in files or path == CONFIG_NAME:
        return True
    folder = (config.catalogs or "").strip("/")
    return bool(folder) and path.startswith(folder + "/")


def _whole_repo(loaded: Loaded, today: dt.date, jobs: int | None = None, record: bool = True
                ) -> dict[str, CheckRun]:
    """The whole-repository stage: the catalogs' findings and every entity and repository
    check, each check's run by its key (with the fields it read when the entities hold
    :class:`isms.reads.Tracked` data).

    In a large repository with more than one process allowed, the checks that do not read the
    graph run in a forked child while this process builds the graph and runs the rest: the
    child sees the loaded repository for free (copy-on-write) and sends back only its runs.
    If the child fails in any way, its checks run here instead, so nothing is lost.
    """
    ctx = _checks.Context(loaded.repo, loaded.catalogs, today, loaded.refs)
    runs = {CATALOGS: CheckRun(tuple(loaded.findings), frozenset())}
    workers = jobs if jobs is not None else auto_jobs(len(loaded.repo.entities))
    if workers < 2 or "fork" not in _start_methods():
        runs.update(_checks.run_recorded(ctx, _checks.stage_checks(), record=record))
        return runs
    import multiprocessing

    others = _checks.stage_checks(graph=False)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_stage_child, args=(ctx, send, record), daemon=True)
    child.start()
    send.close()
    runs.update(_checks.run_recorded(ctx, _checks.stage_checks(graph=True), record=record))
    theirs: dict[str, CheckRun] | None = None
    try:
        theirs = _runs_from_plain(marshal.loads(receive.recv_bytes()))  # noqa: S302
    except (EOFError, OSError, ValueError, TypeError):
        theirs = None
    finally:
        receive.close()
        child.join()
    if theirs is None or child.exitcode != 0:
        theirs = _checks.run_recorded(ctx, others, record=record)
    runs.update(theirs)
    return runs


def _import_graph() -> object:
    """Import networkx (a tenth of a second) while workers parse, not after them."""
    import networkx

    return networkx


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def _stage_child(ctx: _checks.Context, send: Any, record: bool) -> None:
    runs = _checks.run_recorded(ctx, _checks.stage_checks(graph=False), record=record)
    send.send_bytes(marshal.dumps({
        key: (_plain(run.findings), None if run.reads is None else sorted(run.reads), run.local,
              run.subjects)
        for key, run in runs.items()}))
    send.close()


def _runs_from_plain(items: Mapping[str, Any]) -> dict[str, CheckRun]:
    return {key: CheckRun(tuple(_from_plain(found)),
                          None if reads is None else frozenset(map(tuple, reads)), local,
                          subjects)
            for key, (found, reads, local, subjects) in items.items()}


def _plain(findings: Iterable[Finding]) -> list[list[Any]]:
    return [finding_to_json(f) for f in findings]


def _from_plain(items: Iterable[Sequence[Any]]) -> list[Finding]:
    return [Finding(p, ln, c, code, m, Severity(sev), h, jp)
            for p, ln, c, code, m, sev, h, jp in items]
