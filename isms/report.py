"""The auditor report as plain data: pages made of blocks, and the files copied beside them.

:func:`build_site` gathers everything once (the loaded repository, the graph, the gap analysis
and Statement of Applicability, the risk register, the findings of ``isms check`` on the same
day, and the evidence files) into a :class:`Report`, then asks every registered *section* for
its pages. A page is a title and a list of :class:`Block` (a table, an inline SVG, text,
fields, key figures); :mod:`isms.render` turns it into HTML with one template, so a feature
adds pages (vendors, budget, changes since a revision) by registering a section in its own
module and listing that module in :data:`SECTION_MODULES`, without touching the renderer.
Dashboard panels and extra blocks on entity pages are registered the same way.

Links are site-relative paths (``entities/CTL-A.5.19.html``); the renderer makes them
relative to each page. Evidence files inside the repository are copied under ``files/``;
a file that is missing, or resolves outside the repository, is never read and is reported as
missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import os
import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from isms import __version__
from isms.errors import UsageError
from isms.gap import SOA_FRAMEWORK
from isms.i18n import natural_key, pick
from isms.labels import LANGUAGES, Labels

if TYPE_CHECKING:
    import networkx as nx

    from isms.controls import ControlState
    from isms.engine import CheckResult, Loaded
    from isms.gap import GapReport, Soa
    from isms.model import Entity
    from isms.risks import Register

# Modules that register further sections, panels and entity blocks. A module that cannot be
# imported (a feature not installed or not finished) is left out; the rest of the report stands.
SECTION_MODULES: tuple[str, ...] = (
    "isms.report_pages",
    "isms.report_vendors",
    "isms.report_changes",
)

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")
SAFE_PART = re.compile(r'^[^\\/:*?"<>|\x00-\x1f]+$')


_T = TypeVar("_T")


# --- the page model ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Part:
    """A piece of a table cell or field: text, optionally a link, a CSS class and a tooltip."""

    text: str
    href: str | None = None
    cls: str = ""
    title: str = ""


Cell = tuple[Part, ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    row_ids: tuple[str, ...] = ()       # an anchor per row ('' for none)
    levels: tuple[int, ...] = ()        # indentation per row, for trees
    numeric: tuple[int, ...] = ()       # columns aligned right
    filter: bool = True                 # offer the (JavaScript) filter box
    ident: str = ""


@dataclass(frozen=True)
class Value:
    """A field's value: parts on one line, a list of values, or nested fields."""

    parts: Cell = ()
    items: tuple[Value, ...] = ()
    fields: tuple[FieldRow, ...] = ()
    multiline: bool = False


def cells(*values: Cell | Part | str) -> tuple[Cell, ...]:
    """A table row: a part or a string (none when empty) each make one cell."""
    return tuple((c,) if isinstance(c, Part) else ((Part(c),) if c else ()) if isinstance(c, str)
                 else c for c in values)


@dataclass(frozen=True)
class FieldRow:
    label: str
    value: Value


@dataclass(frozen=True)
class Stat:
    label: str
    value: str
    href: str | None = None
    cls: str = ""


@dataclass(frozen=True)
class Block:
    """One titled part of a page. ``type`` says which member holds the content."""

    title: str
    type: str  # table | svg | text | fields | stats | parts
    table: Table | None = None
    svg: str = ""
    paragraphs: tuple[str, ...] = ()
    fields: tuple[FieldRow, ...] = ()
    stats: tuple[Stat, ...] = ()
    parts: Cell = ()
    note: str = ""
    anchor: str = ""
    wide: bool = False


def table_block(title: str, table: Table, note: str = "", anchor: str = "",
                wide: bool = True) -> Block:
    return Block(title, "table", table=table, note=note, anchor=anchor, wide=wide)


def svg_block(title: str, svg: str, note: str = "", anchor: str = "", wide: bool = False) -> Block:
    return Block(title, "svg", svg=svg, note=note, anchor=anchor, wide=wide)


def fields_block(title: str, rows: Sequence[FieldRow], anchor: str = "") -> Block:
    return Block(title, "fields", fields=tuple(rows), anchor=anchor, wide=True)


def stats_block(title: str, stats: Sequence[Stat], note: str = "") -> Block:
    return Block(title, "stats", stats=tuple(stats), note=note)


def note_block(title: str, note: str, wide: bool = False) -> Block:
    return Block(title, "parts", note=note, wide=wide)


@dataclass(frozen=True)
class Page:
    path: str                  # site-relative, '/'-separated
    title: str
    blocks: tuple[Block, ...]
    nav: str | None = None     # the navigation label when the page is a navigation entry
    intro: str = ""
    kicker: str = ""           # a small line above the title (the kind of an entity page)
    layout: str = "page"       # page | dashboard


@dataclass(frozen=True)
class EvidenceFile:
    record: str
    path: str                  # as written in the record
    state: str                 # copied | missing | outside | not-included
    dest: str | None = None    # site path when copied
    source: Path | None = None
    size: int | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class RepoState:
    commit: str | None         # None when the repository is not a git work tree
    dirty: bool | None


@dataclass(frozen=True)
class Site:
    lang: str
    organisation: str
    today: dt.date
    pages: tuple[Page, ...]
    nav: tuple[tuple[str, str], ...]      # (label, href) in section order
    copies: tuple[EvidenceFile, ...]      # every distinct file copied, by destination
    missing: tuple[EvidenceFile, ...]     # included evidence that is missing or outside
    state: RepoState
    frameworks: tuple[str, ...]
    since: str | None


@dataclass(frozen=True)
class ReportOptions:
    today: dt.date
    lang: str | None = None                 # None: the first configured language we speak
    frameworks: tuple[str, ...] = ()        # () = every configured framework
    since: str | None = None                # a git revision: add a "changes since" page


# --- registries -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Section:
    key: str
    order: int
    build: Callable[[Report], Iterable[Page]]


SECTIONS: dict[str, Section] = {}
PANELS: dict[str, tuple[int, Callable[[Report], Iterable[Block]]]] = {}
ENTITY_BLOCKS: dict[str, tuple[int, str, Callable[[Report, Entity], Iterable[Block]]]] = {}


def section(key: str, order: int) -> Callable[[Callable[[Report], Iterable[Page]]],
                                               Callable[[Report], Iterable[Page]]]:
    """Register a function returning the pages of one section of the site."""
    def register(func: Callable[[Report], Iterable[Page]]) -> Callable[[Report], Iterable[Page]]:
        SECTIONS[key] = Section(key, order, func)
        return func
    return register


def panel(key: str, order: int) -> Callable[[Callable[[Report], Iterable[Block]]],
                                            Callable[[Report], Iterable[Block]]]:
    """Register a function returning blocks for the dashboard."""
    def register(func: Callable[[Report], Iterable[Block]]) -> Callable[[Report], Iterable[Block]]:
        PANELS[key] = (order, func)
        return func
    return register


def entity_blocks(key: str, order: int, kind: str = "") -> Callable[
        [Callable[[Report, Entity], Iterable[Block]]], Callable[[Report, Entity], Iterable[Block]]]:
    """Register a function returning extra blocks for entity pages (of ``kind``, or all)."""
    def register(func: Callable[[Report, Entity], Iterable[Block]]) -> Callable[
            [Report, Entity], Iterable[Block]]:
        ENTITY_BLOCKS[key] = (order, kind, func)
        return func
    return register


def load_section_modules() -> None:
    for name in SECTION_MODULES:
        importlib.import_module(name)


# --- the gathered data ------------------------------------------------------------------------

def repo_state(root: Path, paths: Sequence[str]) -> RepoState:
    """The commit checked out and whether ``paths`` (relative to the ISMS root) have
    uncommitted changes; (None, None) when this is not a git work tree or git is missing."""
    try:
        from isms import gitio

        w = gitio.work(root)
        sha = gitio.resolve(w, "HEAD")
        dirty = bool(gitio.dirty(w, list(paths)))
    except Exception:  # noqa: BLE001 - no git, no work tree, no commit yet: all mean "unknown"
        return RepoState(None, None)
    return RepoState(sha, dirty)


def relative_url(page: str, href: str) -> str:
    """``href`` (site-relative, maybe with a #fragment) as seen from ``page``, URL-quoted."""
    path, sep, fragment = href.partition("#")
    out = quote(posixpath.relpath(path, posixpath.dirname(page) or "."), safe="/") if path else ""
    if sep:
        out += "#" + quote(fragment, safe="")
    return out or "#"


def safe_name(ident: str) -> str:
    """A file name for an id: the id itself when harmless, else a digest of it."""
    if SAFE_ID.match(ident) and ".." not in ident:
        return ident
    return "x-" + hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def file_digest(path: Path) -> tuple[int, str]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


def _dest_of(rel: str) -> str:
    parts = rel.split("/")
    if all(SAFE_PART.match(p) and p not in (".", "..") for p in parts):
        return "files/" + rel
    digest = hashlib.sha256(rel.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    suffix = os.path.splitext(parts[-1])[1]
    suffix = suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", suffix) else ""
    return f"files/_/{digest}{suffix}"


class Report:
    """Everything the sections read, computed once per build."""

    def __init__(self, loaded: Loaded, options: ReportOptions, check: CheckResult,
                 state: RepoState) -> None:
        from isms.controls import control_states
        from isms.gap import gap_analysis, resolve_frameworks, statement_of_applicability
        from isms.graph import graph_for
        from isms.risks import risk_register

        self.loaded = loaded
        self.repo = loaded.repo
        self.config = loaded.config
        self.catalogs = loaded.catalogs
        self.options = options
        self.today = options.today
        self.lang = choose_language(options.lang, self.config.languages)
        self.languages = (self.lang, *[x for x in self.config.languages if x != self.lang])
        self.t = Labels(self.lang)
        self.check = check
        self.state = state
        self._once: dict[str, Any] = {}
        self.graph: nx.DiGraph = graph_for(self.repo, self.catalogs)
        self.states: dict[str, ControlState] = control_states(self.repo, self.catalogs, self.today)
        try:
            self.frameworks = tuple(resolve_frameworks(self.repo, self.catalogs, options.frameworks))
        except UsageError:
            if options.frameworks:
                raise
            self.frameworks = ()
        self.gaps: tuple[GapReport, ...] = (
            gap_analysis(self.repo, self.catalogs, self.today, self.frameworks)
            if self.frameworks else ())
        self.soa: Soa | None = None
        if SOA_FRAMEWORK in self.frameworks and SOA_FRAMEWORK in self.catalogs.catalogs:
            self.soa = statement_of_applicability(self.repo, self.catalogs, self.today)
        self.register: Register = risk_register(self.repo, self.catalogs, self.today)
        self.entities: list[Entity] = sorted(
            (e for e in self.repo.by_id.values()), key=lambda e: natural_key(e.id))
        self._pages = self._page_names()
        self.by_path: dict[str, Entity] = {}
        for e in self.entities:
            self.by_path.setdefault(e.path, e)
        self.included_controls = self._included_controls()
        self._expected_documents: set[Any] | None = None
        self.evidence = self._evidence_files()

    # -- names and links --

    def _page_names(self) -> dict[str, str]:
        out: dict[str, str] = {}
        taken: set[str] = set()
        for e in self.entities:
            name = safe_name(e.id)
            if name.lower() in taken:  # case-insensitive file systems
                name = "x-" + hashlib.sha256(e.id.encode("utf-8", "surrogatepass")).hexdigest()[:16]
            taken.add(name.lower())
            out[e.id] = f"entities/{name}.html"
        return out

    def page_of(self, ident: str) -> str | None:
        return self._pages.get(ident)

    def text(self, value: Any) -> str:
        """A Text value in the report's language (another one when it has no translation)."""
        return pick(value, self.languages).strip()

    def title_of(self, ident: str) -> str:
        e = self.repo.by_id.get(ident)
        if e is not None:
            own = self.text(e.get("title")) or self.text(e.get("name"))
            if own:
                return own
            if e.kind == "control" and isinstance(e.get("requirement"), str):
                return self.requirement_title(e.get("requirement"))
            if e.kind == "evidence":
                return " · ".join(str(v) for v in (e.get("document"), e.get("collected"))
                                  if isinstance(v, (str, dt.date)))
            if e.kind == "evaluation":
                return " · ".join(str(v) for v in (e.get("third_party"), e.get("period"))
                                  if isinstance(v, (str, int)))
            return ""
        node = self.graph.nodes.get(ident) if ident in self.graph else None
        if node is not None and node.get("kind") in ("requirement", "group"):
            return self.requirement_title(ident)
        if ident in self.repo.staff:
            name = self.repo.staff[ident][1].get("name")
            return name if isinstance(name, str) else ""
        return ""

    def requirement_title(self, ref: str) -> str:
        framework, _, rid = ref.partition(":")
        catalog = self.catalogs.catalogs.get(framework)
        if catalog is None:
            return ""
        item = catalog.requirements.get(rid) or catalog.groups.get(rid)
        return self.text(item.title) if item is not None else ""

    def gap_page(self, framework: str) -> str:
        return f"gap-{safe_name(framework)}.html"

    def href(self, ident: str) -> str | None:
        """Where a node of the graph is shown: an entity page, a gap row, a staff row."""
        page = self.page_of(ident)
        if page is not None:
            return page
        if ident in self.repo.staff:
            party = self.page_of(self.repo.staff[ident][0].id)
            return f"{party}#staff-{safe_name(ident)}" if party else None
        framework, sep, rid = ident.partition(":")
        if sep and framework in self.frameworks:
            catalog = self.catalogs.catalogs.get(framework)
            if catalog is not None and rid in catalog.requirements:
                return f"{self.gap_page(framework)}#{rid}"
        return None

    def link(self, ident: str, text: str | None = None, cls: str = "") -> Part:
        return Part(ident if text is None else text, self.href(ident), f"id {cls}".strip(),
                    self.title_of(ident))

    def links(self, ids: Iterable[str]) -> Cell:
        return tuple(self.link(i) for i in ids)

    def status(self, value: str | None, prefix: str = "status") -> Part:
        if not value:
            return Part("")
        return Part(self.t.status(value), cls=f"badge {prefix}-{re.sub(r'[^a-z0-9-]', '', value)}")

    def role(self, key: Any) -> str:
        if not isinstance(key, str):
            return ""
        label = self.text(self.config.roles.get(key)) if key in self.config.roles else ""
        return label or key

    # -- evidence --

    def _included_controls(self) -> set[str] | None:
        """The controls a framework-limited report rests on; None when not limited."""
        if not self.options.frameworks:
            return None
        out: set[str] = set()
        for report in self.gaps:
            for row in report.rows:
                if row.control:
                    out.add(row.control)
                for source in row.inherited:
                    out.update(source.controls)
        for cs in self.states.values():
            if cs.requirement and cs.requirement.split(":", 1)[0] in self.frameworks:
                out.add(cs.id)
        return out

    def evidence_included(self, record: Entity) -> bool:
        if self.included_controls is None:
            return True
        if self._expected_documents is None:
            self._expected_documents = {x.document for c in self.included_controls
                                        if c in self.states for x in self.states[c].expectations}
        if record.get("document") in self._expected_documents:
            return True
        controls = record.get("controls")
        return isinstance(controls, list) and any(c in self.included_controls for c in controls)

    def _evidence_files(self) -> dict[str, tuple[EvidenceFile, ...]]:
        from isms.checks import evidence_path_problem

        root_real = os.path.realpath(self.config.root)
        out: dict[str, tuple[EvidenceFile, ...]] = {}
        for record in self.entities:
            if record.kind != "evidence":
                continue
            files = record.get("files")
            included = self.evidence_included(record)
            found: list[EvidenceFile] = []
            for value in files if isinstance(files, list) else []:
                if not isinstance(value, str):
                    continue
                problem = evidence_path_problem(root_real, value)
                if problem:
                    found.append(EvidenceFile(record.id, value, problem))
                    continue
                real = os.path.realpath(os.path.join(root_real, value))
                rel = Path(os.path.relpath(real, root_real)).as_posix()
                if not included:
                    found.append(EvidenceFile(record.id, value, "not-included"))
                    continue
                found.append(EvidenceFile(record.id, value, "copied", _dest_of(rel), Path(real)))
            out[record.id] = tuple(found)
        return out

    def hash_evidence(self, progress: Progress | None = None) -> None:
        """Fill in size and SHA-256 of every copied evidence file."""
        todo = [f for files in self.evidence.values() for f in files if f.source is not None]
        total = sum(_size(f.source) for f in todo)
        done = 0
        cache: dict[Path, tuple[int, str]] = {}
        for record, files in self.evidence.items():
            updated = []
            for f in files:
                if f.source is None:
                    updated.append(f)
                    continue
                if f.source not in cache:
                    try:
                        cache[f.source] = file_digest(f.source)
                    except OSError:
                        updated.append(EvidenceFile(f.record, f.path, "missing"))
                        continue
                    done += cache[f.source][0]
                    if progress is not None:
                        progress(done, total)
                size, sha = cache[f.source]
                updated.append(EvidenceFile(f.record, f.path, f.state, f.dest, f.source, size, sha))
            self.evidence[record] = tuple(updated)

    def once(self, key: str, make: Callable[[], _T]) -> _T:
        """``make()``, computed once per report: figures that several pages show (the vendor
        scorecard on the vendors page and on each third party's page)."""
        if key not in self._once:
            self._once[key] = make()
        value: _T = self._once[key]
        return value

    def files_of(self, record: str) -> tuple[EvidenceFile, ...]:
        return self.evidence.get(record, ())

    def records_of_document(self, document: str) -> list[Entity]:
        return sorted((e for e in self.entities if e.kind == "evidence"
                       and e.get("document") == document),
                      key=lambda e: (str(e.get("collected")), natural_key(e.id)))

    def file_parts(self, record: str) -> Cell:
        parts: list[Part] = []
        for f in self.files_of(record):
            name = f.path.rsplit("/", 1)[-1] or f.path
            if f.dest is not None:
                parts.append(Part(name, f.dest, "file", f.path))
            else:
                parts.append(Part(f"{name} ({self.t.status(f.state)})", None,
                                  f"file badge status-{'missing' if f.state != 'not-included' else 'none'}",
                                  f.path))
        return tuple(parts)


def _size(path: Path | None) -> int:
    try:
        return path.stat().st_size if path is not None else 0
    except OSError:
        return 0


def choose_language(wanted: str | None, configured: Sequence[str]) -> str:
    if wanted is not None:
        if wanted not in LANGUAGES:
            raise UsageError(f"unknown report language {wanted!r}",
                             hint="use one of: " + ", ".join(LANGUAGES))
        return wanted
    for lang in configured:
        if lang in LANGUAGES:
            return lang
    return "en"


def build_site(loaded: Loaded, options: ReportOptions, progress: Progress | None = None) -> Site:
    """Every page of the report, and the evidence files to copy, as plain data."""
    from isms.config import CONFIG_NAME
    from isms.engine import CheckOptions, run_check

    load_section_modules()
    config = loaded.config
    check = run_check(config.root, CheckOptions(today=options.today))
    tracked = [CONFIG_NAME, *config.folders] + ([config.catalogs] if config.catalogs else [])
    report = Report(loaded, options, check, RepoState(None, None))
    # "Dirty" means the ISMS itself changed: isms.yaml, its folders and evidence files kept
    # elsewhere in the repository, not a report or bundle written next to them.
    evidence_paths = sorted({Path(os.path.relpath(f.source, os.path.realpath(config.root))).as_posix()
                             for files in report.evidence.values() for f in files
                             if f.source is not None})
    report.state = repo_state(config.root, tracked + [p for p in evidence_paths
                                                      if p.split("/", 1)[0] not in config.folders])
    report.hash_evidence(progress)
    pages: list[Page] = []
    nav: list[tuple[str, str]] = []
    for sec in sorted(SECTIONS.values(), key=lambda s: (s.order, s.key)):
        for page in sec.build(report):
            pages.append(page)
            if page.nav:
                nav.append((page.nav, page.path))
    seen: dict[str, Page] = {}
    for page in pages:
        if page.path in seen:
            raise RuntimeError(f"two report pages at {page.path}")
        seen[page.path] = page
    copies: dict[str, EvidenceFile] = {}
    missing: list[EvidenceFile] = []
    for files in report.evidence.values():
        for f in files:
            if f.dest is not None:
                copies.setdefault(f.dest, f)
            elif f.state in ("missing", "outside"):
                missing.append(f)
    return Site(
        lang=report.lang,
        organisation=report.text(config.organisation),
        today=options.today,
        pages=tuple(sorted(pages, key=lambda p: p.path)),
        nav=tuple(nav),
        copies=tuple(copies[d] for d in sorted(copies)),
        missing=tuple(sorted(missing, key=lambda f: natural_key(f.record))),  # files as listed
        state=report.state,
        frameworks=report.frameworks,
        since=options.since,
    )


TOOL = f"isms {__version__}"
