"""The check registry and the structural checks.

A check is a small function registered with the finding codes it may emit. Entity checks see
one entity at a time (they can run per file, in parallel, and be cached with it); repository
checks see the whole loaded repository. Later features add checks through the same
``@check`` decorator.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import weakref
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from isms.catalogs import Catalogs
from isms.config import Config
from isms.findings import Finding, Rule, Severity, make, rule
from isms.fsutil import is_inside
from isms.loader import JsonPath, is_language_key
from isms.model import CONTROLLED_KINDS, REQUIREMENT_FIELDS, ROLE_FIELDS, Entity, Repo, iter_spec
from isms.reads import NAMED, Field, Tracked, depend, recording, subject
from isms.schema import json_path, load_schema

if TYPE_CHECKING:
    from isms.links import Refs


class Context:
    """What the entity and repository checks see: the repository, the catalogs and the date.

    The catalogs may be given as a function that loads them when a check first asks: a check
    run again on a few changed files seldom needs them. ``refs`` is the reference index the
    checks' graph reads (see :mod:`isms.links`; by default scanned from the entities).
    """

    __slots__ = ("repo", "today", "_catalogs", "refs", "catalog_nodes", "only", "subjects", "subject_reads",
                 "current", "each_used", "__weakref__")

    def __init__(self, repo: Repo, catalogs: Catalogs | Callable[[], Catalogs],
                 today: dt.date, refs: Refs | None = None,
                 catalog_nodes: Mapping[str, str] | None = None) -> None:
        self.repo = repo
        self.today = today
        self._catalogs = catalogs
        self.refs = refs
        self.catalog_nodes = catalog_nodes
        self.only: Collection[str] | None = None
        self.subjects: dict[str, tuple[str, set[str]]] | None = None
        self.subject_reads: set[Field] = set()
        self.current: str | None = None
        self.each_used = False

    @property
    def catalogs(self) -> Catalogs:
        if not isinstance(self._catalogs, Catalogs):
            self._catalogs = self._catalogs()
        return self._catalogs

    def _catalog_nodes(self) -> Mapping[str, str]:
        if self.catalog_nodes is None:
            from isms.links import catalog_nodes

            self.catalog_nodes = catalog_nodes(self.catalogs)
        return self.catalog_nodes

    def _load_catalogs(self) -> Catalogs:
        return self.catalogs

    @property
    def graph(self) -> Any:
        """The dependency graph as the checks read it (see :mod:`isms.links`): node by node
        when :attr:`refs` is the cache's index (a few subjects judged again), else whole."""
        from isms.links import StoredRefs, checks_graph

        refs = self._refs()
        return checks_graph(self.repo, self._load_catalogs, self._catalog_nodes, refs,
                            isinstance(refs, StoredRefs))

    def referrers(self, value: str, kind: str | None = None) -> Sequence[tuple[str, str]]:
        """(file, ``kind.spec``) of every entity (of ``kind``) whose reference fields hold
        ``value`` (see :class:`isms.links.Refs`); a subject that asks depends on ``@value``."""
        depend("@" + value)
        return self._refs().referrers(value, kind)

    def _refs(self) -> Refs:
        """:attr:`refs`, scanned from the entities on first use when none was given."""
        if self.refs is None:
            from isms.links import ScannedRefs

            self.refs = ScannedRefs(self.repo.entities)
        return self.refs

    def each(self, entities: Iterable[Entity],
             key: Callable[[Entity], Any] | None = None) -> Iterator[Entity]:
        """The entities a repository check judges one by one, each as a *subject*.

        What a subject reads is noted as its own (see :mod:`isms.reads`), so that after an
        edit the check can judge again only the subjects the edit touched (those in
        :attr:`only`, when set). Which entities are subjects must follow from the kinds and
        ids alone, and a subject's findings must be in its own file: anything a check reads
        about a subject's data it reads inside the loop. ``key`` orders the subjects (after
        those not in :attr:`only` are left out).
        """
        only = self.only
        self.each_used = True
        if only is not None:
            entities = [e for e in entities if e.path in only]
        if key is not None:
            entities = sorted(entities, key=key)
        subjects = self.subjects
        if subjects is None:  # nothing is recorded (a run without the cache)
            for e in entities:
                self.current = e.path
                yield e
            self.current = None
            return
        for e in entities:
            with subject() as one:
                self.current = e.path
                try:
                    yield e
                finally:
                    self.current = None
            self.subject_reads |= one.reads
            subjects[e.path] = (e.id, one.deps)


EntityCheck = Callable[[Entity, Context], Iterable[Finding]]
RepoCheck = Callable[[Context], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    name: str
    rules: tuple[Rule, ...]
    scope: str  # "file" (content and config only), "entity" or "repo"
    func: Callable[..., Iterable[Finding]]
    # A file check that can only fire when the file's text contains one of these strings
    # (see :func:`run_file_checks`).
    only_if: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The check's name, unique among all checks (the cache keeps results by it)."""
        return f"{self.func.__module__}.{self.name}"


@dataclass(frozen=True)
class CheckRun:
    """What one entity or repository check found in one run, and what its result rests on.

    ``reads`` holds the entity fields it read (see :mod:`isms.reads`), or None when they were
    not recorded or may be any. ``local`` marks an entity check that read nothing but the
    entity it was given and reported only in that entity's file: its findings for a file
    depend on that file alone. ``subjects``, for a check that judged subjects, is what each
    subject depended on (see :func:`subjects_json`).
    """

    findings: tuple[Finding, ...]
    reads: frozenset[Field] | None = None
    local: bool = False
    subjects: str | None = None


def subjects_json(global_reads: Iterable[Field],
                  judged: Mapping[str, tuple[str, set[str]]]) -> str:
    """What a check's subjects depended on, as stored: the fields read outside any subject
    (``global``; an edit of one re-judges every subject), per dependency the subjects (by
    file) that noted it, and what each shared value they named (``$...``, see
    :func:`isms.reads.shared`) depended on. A subject's own file and ``@`` its own id are
    left out: a subject always depends on them."""
    inverted: dict[str, list[str]] = {}
    for path in sorted(judged):
        ident, deps = judged[path]
        for token in deps:
            if token != path and token != "@" + ident:
                inverted.setdefault(token, []).append(path)
    memos = {t: sorted(NAMED[t]) for t in inverted if t.startswith("$") and t in NAMED}
    return subjects_text(global_reads, inverted, memos)


def subjects_text(global_reads: Iterable[Field], deps: Mapping[str, list[str]],
                  memos: Mapping[str, list[str]]) -> str:
    """The stored form (each list in ``deps`` and ``memos`` already sorted)."""
    return json.dumps({"global": sorted(global_reads),
                       "deps": {t: deps[t] for t in sorted(deps)},
                       "memos": {t: memos[t] for t in sorted(memos)}},
                      ensure_ascii=False, separators=(",", ":"))


Recorded = tuple[frozenset[Field], dict[str, list[str]], dict[str, list[str]]]


def subjects_from_json(text: str) -> Recorded | None:
    """:func:`subjects_json` read back (None when the text is not one)."""
    from isms.cache import loads

    try:
        value = loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict) or set(value) != {"global", "deps", "memos"}:
        return None
    reads, deps, memos = value["global"], value["deps"], value["memos"]
    if not (isinstance(reads, list) and all(
            isinstance(f, list) and len(f) == 2 and all(isinstance(x, str) for x in f)
            for f in reads)):
        return None
    for table in (deps, memos):
        if not (isinstance(table, dict) and all(
                isinstance(v, list) and all(isinstance(x, str) for x in v)
                for v in table.values())):
            return None
    return frozenset((k, f) for k, f in reads), deps, memos


CHECKS: list[Check] = []

# Modules that register further checks (each adds its own codes); imported on first use so
# that commands which never check pay nothing for them. Every check run imports them all, to
# know every code, so they import what their checks compute with (graph, scorecard...) inside
# the checks: a run that reuses a check's cached result never needs it.
CHECK_MODULES: tuple[str, ...] = (
    "isms.doccontrol",
    "isms.control_checks",
    "isms.risk_checks",
    "isms.graph_checks",
    "isms.vendor_checks",
)


_MODULES_LOADED: list[bool] = []


def load_check_modules() -> None:
    if _MODULES_LOADED:
        return  # the per-file stage asks once per file
    import importlib

    for name in CHECK_MODULES:
        importlib.import_module(name)
    _MODULES_LOADED.append(True)


def check(*rules: Rule, scope: str = "repo", only_if: tuple[str, ...] = ()
          ) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
    def register(func: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        made = Check(func.__name__, rules, scope, func, only_if)
        if any(c.key == made.key for c in CHECKS):
            raise AssertionError(f"two checks named {made.key}")
        CHECKS.append(made)
        return func

    return register


def run_file_checks(entity: Entity, config: Config, source: str | None = None) -> list[Finding]:
    """Checks that depend only on one file's content and the configuration.

    They run in the per-file stage, so they are spread over worker processes and cached with
    the file's parse and schema results. With the file's ``source`` text, a check declared
    ``only_if`` some strings is skipped when none of them is in it: a value can only contain
    a string its source spells out, unless an escape sequence (a backslash) builds it.
    """
    load_check_modules()
    out: list[Finding] = []
    escapes = source is None or "\\" in source
    for c in CHECKS:
        if c.scope != "file":
            continue
        if c.only_if and not escapes and not any(s in source for s in c.only_if):  # type: ignore[operator]
            continue
        out.extend(c.func(entity, config))
    return out


# Checks that read the dependency graph (directly or through control states). They share one
# graph build, so a split of the whole-repository stage over two processes keeps them together.
GRAPH_CHECK_MODULES = ("isms.control_checks", "isms.graph_checks", "isms.risk_checks")


def stage_checks(graph: bool | None = None) -> list[Check]:
    """The entity and repository checks: those that read the graph (``graph`` True), the
    others (False), or all."""
    load_check_modules()
    return [c for c in CHECKS if c.scope != "file"
            and (graph is None or (c.func.__module__ in GRAPH_CHECK_MODULES) == graph)]


def run_checks(ctx: Context, checks: Iterable[Check] | None = None) -> list[Finding]:
    """Run ``checks`` (every entity and repository check when None) on ``ctx``."""
    load_check_modules()
    chosen = [c for c in (CHECKS if checks is None else checks) if c.scope != "file"]
    out: list[Finding] = []
    entity_checks = [c for c in chosen if c.scope == "entity"]
    if entity_checks:
        for entity in ctx.repo.entities:
            for c in entity_checks:
                out.extend(c.func(entity, ctx))
    for c in chosen:
        if c.scope == "repo":
            out.extend(c.func(ctx))
    return out


def run_recorded(ctx: Context, checks: Iterable[Check], only: Collection[str] | None = None,
                 subjects: Collection[str] | None = None, record: bool = True
                 ) -> dict[str, CheckRun]:
    """Run ``checks`` on ``ctx``, whose entities hold :class:`isms.reads.Tracked` data,
    recording what each reads (by :attr:`Check.key`).

    An entity check is given its entity's plain data, so that any read it records came from
    another entity; a check that records none, and reports only in its entity's file, is
    ``local``. With ``only`` (paths), entity checks run on those files' entities alone. A
    repository check that judges subjects (:meth:`Context.each`) and reports each finding in
    its subject's file records what each subject depended on; with ``subjects`` (paths), it
    judges those alone. Without ``record`` (a run without the cache) subjects' dependencies
    are not recorded.
    """
    load_check_modules()
    out: dict[str, CheckRun] = {}
    for c in checks:
        if c.scope == "repo":
            ctx.only, ctx.subjects, ctx.subject_reads = subjects, {} if record else None, set()
            ctx.each_used = False
            found: list[Finding] = []
            by_subject = True
            try:
                with recording() as r:
                    for f in c.func(ctx):
                        by_subject = by_subject and f.path == ctx.current
                        found.append(f)
                judged = ctx.subjects
            finally:
                ctx.only, ctx.subjects = None, None
            kept = (subjects_json(r.reads, judged)
                    if by_subject and ctx.each_used and judged is not None else None)
            out[c.key] = CheckRun(tuple(found), frozenset(r.reads | ctx.subject_reads), False,
                                  kept)
        elif c.scope == "entity":
            with recording() as r:
                mine: list[Finding] = []
                local = True
                for e in ctx.repo.entities:
                    if only is not None and e.path not in only:
                        continue
                    given = (Entity(e.kind, e.id, e.path, e.data.plain, e.marks)
                             if isinstance(e.data, Tracked) else e)
                    for f in c.func(given, ctx):
                        local = local and f.path == e.path
                        mine.append(f)
            local = local and not r.reads
            out[c.key] = CheckRun(tuple(mine), None if not local else frozenset(), local)
    return out


def at(r: Rule, entity: Entity, path: JsonPath, message: str, hint: str = "") -> Finding:
    line, col = entity.at(path)
    return make(r, entity.path, line, col, message, hint, json_path(path))


# --- small value helpers (data may be malformed; schema findings already say so) ----------

def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


def as_version(value: Any) -> tuple[int, int, int] | None:
    if isinstance(value, str):
        m = _SEMVER.match(value)
        if m:
            return int(m[1]), int(m[2]), int(m[3])
    return None


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months``; a date beyond the calendar's range (a review every 10**20
    months) is its first or last day: never due, always fresh."""
    month0 = day.month - 1 + months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    if year < dt.MINYEAR:
        return dt.date.min
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# --- references -------------------------------------------------------------------------------

R_DUPLICATE_ID = rule(
    "R001", "duplicate-id", Severity.ERROR, "The same id is defined more than once",
    """
    Ids are unique across the whole repository (entities and third-party staff members), since
    every reference is by id. Two files with the same id usually mean a file was copied and its
    id not changed. Give one of them a new id and update the references that meant it.
    """,
)
R_DANGLING = rule(
    "R002", "dangling-reference", Severity.ERROR, "Reference to an id that does not exist",
    """
    A field that refers to another entity names an id that no file defines (a typo, or an
    entity that was renamed or deleted). Fix the id, or create the missing entity.
    """,
)
R_WRONG_KIND = rule(
    "R003", "wrong-kind-reference", Severity.ERROR, "Reference to an entity of the wrong kind",
    """
    The id exists but is the wrong kind of entity for this field, for example a procedure whose
    `policy` names a document set, or a control whose `implemented_by` names a risk. Point the
    field at an entity of the kind it expects (the message lists them).
    """,
)
R_UNKNOWN_REQ = rule(
    "R004", "unknown-requirement", Severity.ERROR, "Unknown framework or requirement",
    """
    A framework reference (`FRAMEWORK:REQ`, e.g. `iso27001-2022:A.5.19`) names a framework with
    no catalog, or a requirement the catalog does not have. Check the spelling against
    `isms explain`'s catalog list and docs/format.md; repository-specific frameworks need a
    catalog in the folder named by `catalogs` in isms.yaml.
    """,
)
R_CYCLE = rule(
    "R005", "reference-cycle", Severity.ERROR, "Parent references form a cycle",
    """
    Following `parent` from this entity leads back to it. A hierarchy must end at a root, or
    the document register and impact analysis cannot be computed. Remove one `parent` link of
    the cycle listed in the message.
    """,
)
R_UNKNOWN_ROLE = rule(
    "R006", "unknown-role", Severity.ERROR, "Role not defined in isms.yaml",
    """
    Owners, approvers, authors and RACI entries name roles, which isms.yaml defines under
    `roles`. A role used here is not defined there. Fix its spelling or add the role to
    isms.yaml.
    """,
)
R_UNKNOWN_DOMAIN = rule(
    "R007", "unknown-domain", Severity.ERROR, "Domain not defined in isms.yaml",
    """
    An activity's `domain` must be one of the business domains defined under `domains` in
    isms.yaml. Fix the spelling or add the domain there.
    """,
)
R_FOREIGN_STAFF = rule(
    "R008", "staff-of-other-party", Severity.ERROR, "Staff member belongs to another third party",
    """
    An activity lists a staff member who is on the staff of a different third party than the
    one performing the activity. Only that party's own staff can be assigned; fix the staff id
    or the activity's `third_party`.
    """,
)
R_PATH_ESCAPE = rule(
    "R009", "path-outside-repo", Severity.ERROR, "Evidence path points outside the repository",
    """
    An evidence file path is absolute, climbs out with `..`, or resolves through a symlink to a
    place outside the repository. Evidence must live inside the repository so that it is
    versioned, reviewed and included in audit bundles. Copy the file under `evidence/` and
    reference it by its repository-relative path.
    """,
)
R_MISSING_FILE = rule(
    "R010", "evidence-file-missing", Severity.ERROR, "Evidence file does not exist",
    """
    An evidence record lists a file that is not in the repository. Add the file, or fix the
    path (it is relative to the repository root, e.g. `evidence/2026/review.csv`).
    """,
)

# --- document control -------------------------------------------------------------------------

D_NO_APPROVAL = rule(
    "D001", "approved-without-approval", Severity.ERROR, "Approved document without approval",
    """
    The document's status is `approved` but it has no `approval: {by, on}`. ISO/IEC 27001
    clause 7.5.2 requires documented information to be reviewed and approved; record who
    approved this version and when, or set the status back to `in-review`.
    """,
)
D_SELF_APPROVED = rule(
    "D002", "approver-is-owner", Severity.ERROR, "Approver is the document owner",
    """
    The role that approved the document is the role that owns it. Approval exists to get a
    second, accountable pair of eyes; have it approved by another role (for policies, usually
    top management).
    """,
)
D_HISTORY_VERSION = rule(
    "D003", "history-version-mismatch", Severity.ERROR,
    "Newest history entry does not match the version",
    """
    The last entry of `history` records a different version from the document's `version`, so
    the current version's change is undocumented (or the version was not bumped). Add a history
    entry for the current version, or correct the version.
    """,
)
D_HISTORY_ORDER = rule(
    "D004", "history-not-increasing", Severity.ERROR, "History versions or dates go backwards",
    """
    `history` is chronological (oldest first) and each entry must have a higher version and a
    date no earlier than the entry before it. Reorder the entries or fix the version or date.
    """,
)
D_REVIEW_OVERDUE = rule(
    "D005", "review-overdue", Severity.WARNING, "Review overdue",
    """
    The document's next review (`review.last` + `review.every_months`) is before today (or
    `--today`). Review it, then set `review.last` to the review date; if the content changes,
    raise the version and add a history entry.
    """,
)
D_RETIRED_REF = rule(
    "D006", "retired-still-referenced", Severity.WARNING,
    "Approved document refers to a retired one",
    """
    An approved document refers to a document that has been retired, so people following the
    approved one are sent to something no longer in force. Point it at the replacement, or
    revise the approved document.
    """,
)
D_FUTURE_APPROVAL = rule(
    "D007", "approval-in-future", Severity.WARNING, "Approval or history dated in the future",
    """
    The approval date or a history date is after today (or `--today`). Records describe what
    happened; a future date is usually a typo in the year or month.
    """,
)
D_NO_REVIEW = rule(
    "D008", "no-review-cycle", Severity.INFO, "Approved document without a review cycle",
    """
    An approved policy, procedure or document set has no `review: {every_months, last}`, so
    nothing will tell you when it is due for review (ISO/IEC 27001 clause 5.2 and Annex A 5.1
    expect policies to be reviewed at planned intervals). Add a review cycle.
    """,
)

# --- text -------------------------------------------------------------------------------------

T_TRANSLATION = rule(
    "T001", "missing-translation", Severity.WARNING, "Text missing a configured language",
    """
    isms.yaml lists several `languages`, but this text is given in fewer of them (or as a plain
    string, which counts as one). Readers of the missing language see nothing or the wrong
    language in reports. Write it as `{en: ..., zh: ...}` with every configured language.
    """,
)
T_TODO = rule(
    "T002", "todo-marker", Severity.ERROR, "TODO marker left in the text",
    """
    The value still contains a `TODO` marker, usually from a skeleton written by `isms new`.
    Replace it with the real content before the document is used.
    """,
)


def _targets_text(targets: tuple[str, ...]) -> str:
    return " or ".join(targets)


def _staff_ids(party: Entity) -> Iterator[tuple[int, str]]:
    for i, member in enumerate(party.get("staff") or []):
        if isinstance(member, Mapping) and isinstance(member.get("id"), str):
            yield i, member["id"]


@check(R_DUPLICATE_ID)
def duplicate_ids(ctx: Context) -> Iterator[Finding]:
    entities = ctx.repo.entities
    ids = [e.id for e in entities]
    ids += [ident for e in entities if e.kind == "third-party" for _i, ident in _staff_ids(e)]
    if len(set(ids)) == len(ids):
        return  # the usual case, found without gathering where each id is defined
    # Lines are looked up only for ids that collide: marks of cached files are parsed lazily.
    seen: dict[str, list[tuple[Entity, JsonPath]]] = defaultdict(list)
    for e in entities:
        seen[e.id].append((e, ("id",)))
        if e.kind == "third-party":
            for i, ident in _staff_ids(e):
                seen[ident].append((e, ("staff", i, "id")))
    for ident, occurrences in seen.items():
        if len(occurrences) < 2:
            continue
        places = sorted((e.path, e.at(jp), e, jp) for e, jp in occurrences)
        for _path, _mark, entity, jp in places:
            others = ", ".join(f"{p}:{m[0]}" for p, m, en, j in places
                               if not (en is entity and j == jp))
            yield at(R_DUPLICATE_ID, entity, jp, f"id {ident!r} is also defined in {others}",
                     "give one of them a new id")


@check(R_DANGLING, R_WRONG_KIND, R_FOREIGN_STAFF)
def references(ctx: Context) -> Iterator[Finding]:
    repo = ctx.repo
    for e in ctx.each(repo.entities):
        for ref, path, value in repo.references(e):
            if not isinstance(value, str):
                continue
            target = repo.by_id.get(value)
            if target is None:
                yield at(R_DANGLING, e, path,
                         f"{ref.spec.replace('[]', '')} refers to {value!r}, which does not exist",
                         f"expected the id of a {_targets_text(ref.targets)}")
            elif target.kind not in ref.targets:
                yield at(R_WRONG_KIND, e, path,
                         f"{ref.spec.replace('[]', '')} refers to {value!r}, a {target.kind}; "
                         f"expected a {_targets_text(ref.targets)}",
                         f"{value} is defined in {target.path}")
        if e.kind == "activity":
            party = e.get("third_party")
            for path, value in iter_spec(e.data, "staff"):
                if not isinstance(value, str):
                    continue
                member = repo.staff.get(value)
                if member is None:
                    yield at(R_DANGLING, e, path,
                             f"staff refers to {value!r}, who is on no third party's staff",
                             "add the person to the third party's `staff` list")
                elif isinstance(party, str) and member[0].id != party:
                    yield at(R_FOREIGN_STAFF, e, path,
                             f"staff member {value!r} belongs to {member[0].id}, not {party}",
                             "assign only staff of the third party performing the activity")


@check(R_UNKNOWN_REQ, scope="entity")
def requirement_refs(entity: Entity, ctx: Context) -> Iterator[Finding]:
    for spec in REQUIREMENT_FIELDS.get(entity.kind, ()):
        for path, value in iter_spec(entity.data, spec):
            if not isinstance(value, str) or ":" not in value:
                continue
            ok, reason = ctx.catalogs.resolve(value)
            if not ok:
                yield at(R_UNKNOWN_REQ, entity, path, f"{value!r}: {reason}",
                         "write FRAMEWORK:REQ, e.g. iso27001-2022:A.5.19")


@check(R_UNKNOWN_REQ)
def configured_frameworks(ctx: Context) -> Iterator[Finding]:
    for name in ctx.repo.config.frameworks:
        if name not in ctx.catalogs.catalogs:
            known = ", ".join(sorted(ctx.catalogs.catalogs))
            yield make(R_UNKNOWN_REQ, "isms.yaml", 1, 1,
                       f"framework {name!r} in `frameworks` has no catalog (known: {known})",
                       "fix the id or add a catalog to the folder named by `catalogs`")


@check(R_CYCLE)
def parent_cycles(ctx: Context) -> Iterator[Finding]:
    parent = {e.id: p for e in ctx.repo.entities if isinstance(p := e.get("parent"), str)}
    reported: set[frozenset[str]] = set()
    for start in sorted(parent):
        chain = [start]
        node = parent.get(start)
        while isinstance(node, str) and node in parent and node not in chain:
            chain.append(node)
            node = parent[node]
        if node == start:
            members = frozenset(chain)
            if members in reported:
                continue
            reported.add(members)
            entity = ctx.repo.by_id[start]
            cycle = " → ".join([*chain, start])
            yield at(R_CYCLE, entity, ("parent",), f"parent cycle: {cycle}",
                     "remove one `parent` link of the cycle")


@check(R_UNKNOWN_ROLE, R_UNKNOWN_DOMAIN, scope="file")
def roles_and_domains(entity: Entity, config: Config) -> Iterator[Finding]:
    roles = config.roles
    for spec in ROLE_FIELDS.get(entity.kind, ()):
        for path, value in iter_spec(entity.data, spec):
            if isinstance(value, str) and value not in roles:
                yield at(R_UNKNOWN_ROLE, entity, path, f"role {value!r} is not defined in isms.yaml",
                         _suggest(value, roles, "roles"))
    if entity.kind == "activity":
        domain = entity.get("domain")
        if isinstance(domain, str) and domain not in config.domains:
            yield at(R_UNKNOWN_DOMAIN, entity, ("domain",),
                     f"domain {domain!r} is not defined in isms.yaml",
                     _suggest(domain, config.domains, "domains"))


def _suggest(value: str, known: Mapping[str, Any], section: str) -> str:
    import difflib

    close = difflib.get_close_matches(value, list(known), n=1)
    if close:
        return f"did you mean `{close[0]}`?"
    return f"add it under `{section}` in isms.yaml"


@check(R_PATH_ESCAPE, R_MISSING_FILE, scope="entity")
def evidence_files(entity: Entity, ctx: Context) -> Iterator[Finding]:
    if entity.kind != "evidence":
        return
    paths = _evidence_paths(ctx)
    for path, value in iter_spec(entity.data, "files"):
        if not isinstance(value, str):
            continue
        problem = paths.problem(value)
        if problem == "outside":
            yield at(R_PATH_ESCAPE, entity, path, f"{value!r} is outside the repository",
                     "use a path relative to the repository root, inside it")
        elif problem == "missing":
            yield at(R_MISSING_FILE, entity, path, f"{value!r} does not exist",
                     "add the file or fix the path (relative to the repository root)")


def evidence_path_problem(root_real: str, rel: str) -> str:
    """'' when ``rel`` names a file inside the repository, else 'outside' or 'missing'."""
    if _absolute(rel):
        return "outside"
    if "\0" in rel:
        return "missing"  # no file has such a name (and the OS calls refuse it)
    target = os.path.realpath(os.path.join(root_real, rel))
    if not is_inside(root_real, target):
        return "outside"
    if not os.path.isfile(target):
        return "missing"
    return ""


_DRIVE = re.compile(r"[A-Za-z]:")


def _absolute(rel: str) -> bool:
    return bool(os.path.isabs(rel) or rel.startswith(("/", "\\")) or _DRIVE.match(rel))


# A relative path of plain names: no empty, `.` or `..` part (nor a backslash, a separator on
# Windows, nor a NUL, which the OS calls refuse), which the joined path reads exactly as written.
_PLAIN_PATH = re.compile(r"(?!\.\.?(?:/|$))[^/\\\0]+(?:/(?!\.\.?(?:/|$))[^/\\\0]+)*")


class EvidencePaths:
    """:func:`evidence_path_problem` for the evidence files of one run, at one ``lstat`` a file.

    ``realpath`` looks at every component of the joined path for symlinks (the repository
    root's too), and evidence folders hold thousands of files. When no component of a plain
    relative path (no ``.``, ``..`` or empty part) is a symlink, the real path is the joined
    path itself, inside the repository, and the file's own ``lstat`` says whether it exists.
    Anything else, symlinks that may lead out above all, gets the full rule.
    """

    def __init__(self, root: str) -> None:
        self.root_real = os.path.realpath(root)
        self._prefix = os.path.join(self.root_real, "")
        self._plain: dict[str, bool] = {"": True}  # folder → no symlink on the way to it

    def problem(self, rel: str) -> str:
        if _absolute(rel):
            return "outside"
        if (os.sep != "/" or not _PLAIN_PATH.fullmatch(rel)
                or not self._plain_folder(rel.rpartition("/")[0])):
            return evidence_path_problem(self.root_real, rel)
        try:
            mode = os.lstat(self._prefix + rel).st_mode
        except OSError:
            return "missing"  # realpath keeps the path as it is; isfile says no
        if stat.S_ISLNK(mode):
            return evidence_path_problem(self.root_real, rel)
        return "" if stat.S_ISREG(mode) else "missing"

    def _plain_folder(self, folder: str) -> bool:
        plain = self._plain.get(folder)
        if plain is None:
            parent, _, _ = folder.rpartition("/")
            plain = self._plain[folder] = (self._plain_folder(parent) and
                                           not os.path.islink(os.path.join(self.root_real, folder)))
        return plain


_EVIDENCE_PATHS: dict[int, EvidencePaths] = {}


def _evidence_paths(ctx: Context) -> EvidencePaths:
    """One per check run (context), so symlinks changed between runs are seen."""
    key = id(ctx)
    paths = _EVIDENCE_PATHS.get(key)
    if paths is None:
        paths = _EVIDENCE_PATHS[key] = EvidencePaths(str(ctx.repo.config.root))
        weakref.finalize(ctx, _EVIDENCE_PATHS.pop, key, None)
    return paths


@check(D_NO_APPROVAL, D_SELF_APPROVED, D_HISTORY_VERSION, D_HISTORY_ORDER, D_REVIEW_OVERDUE,
       D_FUTURE_APPROVAL, D_NO_REVIEW, scope="entity")
def document_control(entity: Entity, ctx: Context) -> Iterator[Finding]:
    if entity.kind not in CONTROLLED_KINDS:
        return
    data = entity.data
    status = data.get("status")
    approval = data.get("approval")
    owner = data.get("owner")
    if status == "approved" and not isinstance(approval, Mapping):
        yield at(D_NO_APPROVAL, entity, ("status",), "status is approved but there is no `approval`",
                 "add `approval: {by: <role>, on: <date>}` or set status to in-review")
    if isinstance(approval, Mapping):
        if isinstance(owner, str) and approval.get("by") == owner:
            yield at(D_SELF_APPROVED, entity, ("approval", "by"),
                     f"approved by {owner!r}, who is also the owner",
                     "have a different role approve it")
        on = as_date(approval.get("on"))
        if on is not None and on > ctx.today:
            yield at(D_FUTURE_APPROVAL, entity, ("approval", "on"),
                     f"approval date {on.isoformat()} is after today ({ctx.today.isoformat()})",
                     "check the year and month")
    yield from _history(entity, ctx)
    review = data.get("review")
    if isinstance(review, Mapping):
        last = as_date(review.get("last"))
        every = review.get("every_months")
        if last is not None and isinstance(every, int) and not isinstance(every, bool) and every > 0:
            due = add_months(last, every)
            if due < ctx.today and status != "retired":
                yield at(D_REVIEW_OVERDUE, entity, ("review",),
                         f"review was due on {due.isoformat()} "
                         f"({(ctx.today - due).days} days ago)",
                         "review the document and update `review.last`")
    elif status == "approved":
        yield at(D_NO_REVIEW, entity, ("status",), "approved document has no review cycle",
                 "add `review: {every_months: 12, last: <date>}`")


def _history(entity: Entity, ctx: Context) -> Iterator[Finding]:
    history = entity.get("history")
    if not isinstance(history, list) or not history:
        return
    previous: tuple[tuple[int, int, int], dt.date | None] | None = None
    for i, item in enumerate(history):
        if not isinstance(item, Mapping):
            continue
        version = as_version(item.get("version"))
        day = as_date(item.get("date"))
        if day is not None and day > ctx.today:
            yield at(D_FUTURE_APPROVAL, entity, ("history", i, "date"),
                     f"history date {day.isoformat()} is after today ({ctx.today.isoformat()})",
                     "check the year and month")
        if version is not None and previous is not None:
            prev_version, prev_day = previous
            if version <= prev_version:
                yield at(D_HISTORY_ORDER, entity, ("history", i, "version"),
                         f"history version {item.get('version')} does not increase on "
                         f"{'.'.join(map(str, prev_version))}",
                         "list history oldest first, each entry with a higher version")
            elif day is not None and prev_day is not None and day < prev_day:
                yield at(D_HISTORY_ORDER, entity, ("history", i, "date"),
                         f"history date {day.isoformat()} is earlier than the entry before it "
                         f"({prev_day.isoformat()})",
                         "list history oldest first")
        if version is not None:
            previous = (version, day)
    last = history[-1]
    current = entity.get("version")
    if isinstance(last, Mapping) and isinstance(current, str) and last.get("version") != current:
        yield at(D_HISTORY_VERSION, entity, ("history", len(history) - 1, "version"),
                 f"newest history entry is {last.get('version')!r} but version is {current!r}",
                 f"add a history entry for {current} (oldest first, newest last)")


@check(D_RETIRED_REF)
def retired_references(ctx: Context) -> Iterator[Finding]:
    repo = ctx.repo
    retired = {ident for ident, e in repo.by_id.items() if e.get("status") == "retired"}
    if not retired:
        return
    for e in repo.entities:
        if e.get("status") != "approved":
            continue
        for ref, path, value in repo.references(e):
            if isinstance(value, str) and value in retired:
                yield at(D_RETIRED_REF, e, path,
                         f"{ref.spec.replace('[]', '')} refers to {value}, which is retired",
                         "point it at the document that replaced it")


# --- text -------------------------------------------------------------------------------------

@cache
def text_paths(kind: str) -> tuple[tuple[str, ...], ...]:
    """Paths (with '*' for list items) of every Text field of ``kind``, read from its schema."""
    schema = load_schema(kind)
    found: list[tuple[str, ...]] = []

    def walk(node: Any, path: tuple[str, ...], depth: int) -> None:
        if depth > 12 or not isinstance(node, Mapping):
            return
        if node.get("$ref") == "#/$defs/text":
            found.append(path)
            return
        for key, sub in (node.get("properties") or {}).items():
            walk(sub, (*path, key), depth + 1)
        if isinstance(node.get("items"), Mapping):
            walk(node["items"], (*path, "*"), depth + 1)

    walk(schema, (), 0)
    return tuple(found)


def _match_paths(data: Any, pattern: tuple[str, ...], path: JsonPath = ()) -> Iterator[
        tuple[JsonPath, Any]]:
    if not pattern:
        yield path, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from _match_paths(item, rest, (*path, i))
    elif (type(data) is dict or isinstance(data, Mapping)) and head in data:
        yield from _match_paths(data[head], rest, (*path, head))


@check(T_TRANSLATION, scope="file")
def translations(entity: Entity, config: Config) -> Iterator[Finding]:
    languages = config.languages
    if len(languages) < 2:
        return
    for pattern in text_paths(entity.kind):
        for path, value in _match_paths(entity.data, pattern):
            if isinstance(value, str):
                yield at(T_TRANSLATION, entity, path,
                         f"{json_path(path)} is a plain string; languages "
                         f"{', '.join(languages)} are configured",
                         "write it as {" + ", ".join(f"{x}: ..." for x in languages) + "}")
            elif isinstance(value, Mapping):
                missing = [x for x in languages if not value.get(x)]
                # Most texts have every language: the key-shape test is only paid when one is
                # missing (a mapping with other keys is not a text, and the schema says so).
                if missing and all(is_language_key(k) for k in value):
                    yield at(T_TRANSLATION, entity, path,
                             f"{json_path(path)} has no {', '.join(missing)} text",
                             f"add {', '.join(f'`{x}:`' for x in missing)}")


_TODO = re.compile(r"\bTODO\b")


@check(T_TODO, scope="file", only_if=("TODO",))
def todo_markers(entity: Entity, config: Config) -> Iterator[Finding]:
    from isms.loader import iter_strings

    for path, value in iter_strings(entity.data):
        if _TODO.search(value):
            snippet = value.strip().splitlines()[0][:60]
            yield at(T_TODO, entity, path, f"{json_path(path)} still says {snippet!r}",
                     "replace the TODO marker with the real content")
