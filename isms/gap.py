"""Gap analysis and the Statement of Applicability, as plain data.

One row per framework requirement, with a status and the reason for it in words:

* **compliant**: an applicable control, implemented, with at least one procedure or document
  set implementing it and every evidence expectation met by fresh evidence;
* **partial**: the control is partially implemented, or implemented but its evidence is
  missing or stale or nothing implements it;
* **gap**: the control is planned or not implemented, or there is no control row at all;
* **not-applicable**: the control is excluded (``applicable: false``) with a reason;
* **excluded-without-justification**: excluded with no reason.

Management-system clauses (requirements of kind ``clause``, ISO/IEC 27001 clauses 4 to 10)
have no SoA row: documented information meets them, so they are compliant when an approved
policy, procedure or document set addresses them, partial when only unapproved ones do, and a
gap otherwise.

A framework that is the target of a mapping (GB/T 22239 level 3 via ISO/IEC 27001) inherits
for every requirement that has no control row of its own: it is compliant when an
``equivalent`` or ``superset`` link comes from a compliant source, partial when any linked
source is compliant or partial (a ``subset`` or ``intersects`` link never gives full cover on
its own), and a gap otherwise. The row names the links, their relation and source controls.

Summary per top-level group (theme, clause or category):
coverage = compliant ÷ (requirements − not applicable) × 100 and
addressed = (compliant + partial) ÷ (requirements − not applicable) × 100, rounded half up to
one decimal. An exclusion without justification stays in the denominator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from isms.controls import ControlState, EvidenceCheck, ImplementedBy, control_states
from isms.errors import UsageError
from isms.graph import graph_for
from isms.i18n import natural_key, pick
from isms.numbers import rounded

if TYPE_CHECKING:
    import networkx as nx

    from isms.catalogs import Catalog, Catalogs, Requirement
    from isms.model import Repo

COMPLIANT = "compliant"
PARTIAL = "partial"
GAP = "gap"
NOT_APPLICABLE = "not-applicable"
UNJUSTIFIED = "excluded-without-justification"
STATUSES = (COMPLIANT, PARTIAL, GAP, NOT_APPLICABLE, UNJUSTIFIED)
FULL_COVER = ("equivalent", "superset")

COVERAGE_FORMULA = ("coverage = compliant / (requirements - not applicable) x 100; "
                    "addressed = (compliant + partial) / (requirements - not applicable) x 100")

SOA_FRAMEWORK = "iso27001-2022"


@dataclass(frozen=True)
class Source:
    """One mapping link an inherited row comes through."""

    requirement: str      # FRAMEWORK:REQ of the mapped (source) requirement
    relation: str         # how the source relates to this requirement
    status: str           # the source's own status
    controls: tuple[str, ...]
    mapping: str


@dataclass(frozen=True)
class GapRow:
    framework: str
    requirement: str
    title: str
    group: str            # top-level group: theme, clause or category
    status: str
    reason: str
    control: str | None
    control_status: str | None
    applicable: bool | None
    implemented_by: tuple[ImplementedBy, ...] = ()
    evidence: tuple[EvidenceCheck, ...] = ()
    addressed_by: tuple[str, ...] = ()
    inherited: tuple[Source, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.framework}:{self.requirement}"


@dataclass(frozen=True)
class Summary:
    group: str
    title: str
    counts: tuple[tuple[str, int], ...]   # (status, count) in STATUSES order
    total: int
    coverage: Decimal | None              # None when every requirement is not applicable
    addressed: Decimal | None

    def count(self, status: str) -> int:
        return dict(self.counts)[status]


@dataclass(frozen=True)
class GapReport:
    framework: str
    title: str
    today: dt.date
    rows: tuple[GapRow, ...]
    groups: tuple[Summary, ...]
    total: Summary


# --- statuses ---------------------------------------------------------------------------------

def _ids(items: Iterable[str]) -> str:
    return ", ".join(items)


def control_status(cs: ControlState, also: Sequence[str] = ()) -> tuple[str, str]:
    """The gap status of one control row and the reason for it, in words."""
    extra = f" (also {_ids(also)})" if also else ""
    if cs.applicable is False:
        if cs.reason:
            return NOT_APPLICABLE, f"{cs.id}{extra} excluded: {cs.reason}"
        return UNJUSTIFIED, f"{cs.id}{extra} is excluded (applicable: false) but gives no reason"
    status = cs.status or "without a status"
    due = f", due {cs.due.isoformat()}" if cs.due else ""
    parts = [f"{cs.id}{extra} {status}{due}"]
    missing: list[str] = []
    if cs.implemented_by:
        parts.append("implemented by " + _ids(i.id for i in cs.implemented_by))
    else:
        parts.append("no procedure or document set implements it")
        missing.append("an implementing procedure or document set")
    for x in cs.expectations:
        parts.append(x.describe())
        if x.state != "fresh":
            missing.append(f"fresh evidence of {x.document}")
    if not cs.expectations:
        if cs.supporting:
            parts.append("evidence " + _ids(cs.supporting) + " (no frequency expected)")
        else:
            parts.append("no evidence expected or recorded")
            missing.append("evidence")
    if cs.status == "implemented":
        verdict = COMPLIANT if not missing else PARTIAL
    elif cs.status == "partial":
        verdict = PARTIAL
        missing.insert(0, "full implementation")
    else:
        verdict = GAP
        missing.insert(0, "implementation")
    reason = "; ".join(parts)
    if missing:
        reason += "; missing: " + _ids(missing)
    return verdict, reason


class _Analysis:
    """Per-run state shared by every framework's rows: the graph and control states."""

    def __init__(self, repo: Repo, catalogs: Catalogs, today: dt.date) -> None:
        self.repo = repo
        self.catalogs = catalogs
        self.today = today
        self.graph: nx.DiGraph = graph_for(repo, catalogs)
        self.states = control_states(repo, catalogs, today)
        self.languages = repo.config.languages or ("en",)
        self._base: dict[str, GapRow] = {}

    def controls_of(self, ref: str) -> list[ControlState]:
        if ref not in self.graph:
            return []
        ids = [u for u, _, d in self.graph.in_edges(ref, data=True) if d["type"] == "implements"]
        return [self.states[i] for i in sorted(ids, key=natural_key) if i in self.states]

    def addressed_by(self, catalog: Catalog, req: Requirement) -> list[str]:
        """What addresses the requirement, or a catalog group it belongs to (clause 9.2
        addressed as a whole covers 9.2.1 and 9.2.2)."""
        nodes = [req.ref]
        gid, seen = req.group, set()
        while gid is not None and gid in catalog.groups and gid not in seen:
            seen.add(gid)
            nodes.append(f"{catalog.id}:{gid}")
            gid = catalog.groups[gid].parent
        found = {u for n in nodes if n in self.graph
                 for u, _, d in self.graph.in_edges(n, data=True) if d["type"] == "addresses"}
        return sorted(found, key=natural_key)

    def base_row(self, catalog: Catalog, req: Requirement) -> GapRow:
        """The row from the requirement's own control row, or its documents; no inheritance."""
        if req.ref in self._base:
            return self._base[req.ref]
        title = pick(req.title, self.languages)
        group = _top_group(catalog, req.group)
        addressed = tuple(self.addressed_by(catalog, req))
        controls = self.controls_of(req.ref)
        if controls:
            cs = controls[0]
            status, reason = control_status(cs, [c.id for c in controls[1:]])
            row = GapRow(catalog.id, req.id, title, group, status, reason, cs.id, cs.status,
                         cs.applicable, cs.implemented_by, cs.expectations, addressed)
        elif req.kind == "clause":
            row = self._clause_row(catalog, req, title, group, addressed)
        else:
            reason = "no control (Statement of Applicability row) for this requirement"
            if addressed:
                reason += "; addressed by " + _ids(addressed)
            row = GapRow(catalog.id, req.id, title, group, GAP, reason, None, None, None,
                         addressed_by=addressed)
        self._base[req.ref] = row
        return row

    def _clause_row(self, catalog: Catalog, req: Requirement, title: str, group: str,
                    addressed: tuple[str, ...]) -> GapRow:
        approved = [i for i in addressed if self.repo.by_id[i].get("status") == "approved"]
        others = [i for i in addressed if i not in approved]
        if approved:
            status, reason = COMPLIANT, "met by documented information: addressed by approved " \
                + _ids(approved)
        elif others:
            status, reason = PARTIAL, ("addressed only by documents not yet approved: "
                                       + _ids(others) + "; missing: an approved document")
        else:
            status, reason = GAP, ("no policy, procedure or document set addresses this clause; "
                                   "missing: documented information")
        return GapRow(catalog.id, req.id, title, group, status, reason, None, None, None,
                      addressed_by=addressed)

    def row(self, catalog: Catalog, req: Requirement) -> GapRow:
        base = self.base_row(catalog, req)
        if base.control is not None or req.kind == "clause":
            return base
        sources = self.sources(req.ref)
        if not sources:
            return base
        return self._inherited(base, sources)

    def sources(self, ref: str) -> list[Source]:
        out = []
        for u, _, d in sorted(self.graph.in_edges(ref, data=True), key=lambda e: natural_key(e[0])):
            if d["type"] != "maps-to":
                continue
            framework, _, rid = u.partition(":")
            catalog = self.catalogs.catalogs.get(framework)
            if catalog is None or rid not in catalog.requirements:
                continue
            src = self.base_row(catalog, catalog.requirements[rid])
            controls = tuple(c.id for c in self.controls_of(u))
            out.append(Source(u, d.get("relation", ""), src.status, controls, d.get("via", "")))
        return out

    def _inherited(self, base: GapRow, sources: list[Source]) -> GapRow:
        full = [s for s in sources if s.relation in FULL_COVER and s.status == COMPLIANT]
        some = [s for s in sources if s.status in (COMPLIANT, PARTIAL)]
        mappings = _ids(sorted({s.mapping for s in sources}))
        links = "; ".join(
            f"{s.requirement} {s.relation} ({s.status}"
            + (f", {_ids(s.controls)}" if s.controls else "") + ")" for s in sources)
        if full:
            status = COMPLIANT
            verdict = "fully covered by " + _ids(s.requirement for s in full)
        elif some:
            status = PARTIAL
            reasons = []
            weak = [s.requirement for s in some if s.relation in FULL_COVER]
            if weak:
                reasons.append(f"{_ids(weak)} would cover it fully but {'is' if len(weak) == 1 else 'are'}"
                               " only partial")
            if any(s.relation not in FULL_COVER for s in some):
                reasons.append("subset and intersects links never give full cover on their own")
            verdict = "; ".join(reasons)
        else:
            status = GAP
            verdict = "no mapped source is compliant or partial"
        reason = f"inherited through {mappings}: {links}; {verdict}"
        return GapRow(base.framework, base.requirement, base.title, base.group, status, reason,
                      None, None, None, addressed_by=base.addressed_by, inherited=tuple(sources))


def _top_group(catalog: Catalog, gid: str | None) -> str:
    seen: set[str] = set()
    while gid is not None and gid in catalog.groups and gid not in seen:
        seen.add(gid)
        parent = catalog.groups[gid].parent
        if parent is None or parent not in catalog.groups:
            return gid
        gid = parent
    return gid or ""


def _percent(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return rounded(Decimal(part * 100) / Decimal(whole), 1)


def summarise(group: str, title: str, rows: Sequence[GapRow]) -> Summary:
    counts = {s: 0 for s in STATUSES}
    for r in rows:
        counts[r.status] += 1
    assessable = len(rows) - counts[NOT_APPLICABLE]
    return Summary(group, title, tuple(counts.items()), len(rows),
                   _percent(counts[COMPLIANT], assessable),
                   _percent(counts[COMPLIANT] + counts[PARTIAL], assessable))


def _report(analysis: _Analysis, catalog: Catalog,
            keep: Mapping[str, bool] | None = None) -> GapReport:
    # A withdrawn requirement (e.g. from an imported OSCAL catalog) is no longer one to meet.
    reqs = sorted((r for r in catalog.requirements.values() if not r.data.get("withdrawn")),
                  key=lambda r: natural_key(r.id))
    rows = tuple(analysis.row(catalog, r) for r in reqs if keep is None or keep.get(r.id, False))
    order: list[str] = []
    for r in rows:
        if r.group not in order:
            order.append(r.group)
    groups = []
    for gid in order:
        group = catalog.groups.get(gid)
        title = pick(group.title, analysis.languages) if group else ""
        groups.append(summarise(gid, title, [r for r in rows if r.group == gid]))
    return GapReport(catalog.id, pick(catalog.title, analysis.languages), analysis.today, rows,
                     tuple(groups), summarise("total", "All requirements", rows))


def resolve_frameworks(repo: Repo, catalogs: Catalogs, frameworks: Sequence[str]) -> list[str]:
    if not frameworks:
        chosen = [f for f in repo.config.frameworks if f in catalogs.catalogs]
        if not chosen:
            raise UsageError("no framework with a catalog is configured in isms.yaml",
                             hint="give --framework")
        return chosen
    for f in frameworks:
        if f not in catalogs.catalogs:
            raise UsageError(f"unknown framework {f!r}",
                             hint="known: " + ", ".join(sorted(catalogs.catalogs)))
    return list(dict.fromkeys(frameworks))


def gap_analysis(repo: Repo, catalogs: Catalogs, today: dt.date,
                 frameworks: Sequence[str] = ()) -> tuple[GapReport, ...]:
    """One report per framework (default: those configured in isms.yaml)."""
    analysis = _Analysis(repo, catalogs, today)
    return tuple(_report(analysis, catalogs.catalogs[f])
                 for f in resolve_frameworks(repo, catalogs, frameworks))


# --- Statement of Applicability ---------------------------------------------------------------

@dataclass(frozen=True)
class SoaRow:
    requirement: str
    title: str
    theme: str
    control: str | None
    applicable: bool | None
    reason: str            # the justification for inclusion or exclusion
    status: str | None     # the control's implementation status
    implementation: str
    implemented_by: tuple[ImplementedBy, ...]
    evidence: tuple[EvidenceCheck, ...]
    evidence_state: str    # fresh | stale | missing | none | n/a
    gap: GapRow

    @property
    def ref(self) -> str:
        return self.gap.ref


@dataclass(frozen=True)
class Soa:
    title: str
    today: dt.date
    rows: tuple[SoaRow, ...]
    themes: tuple[Summary, ...]
    total: Summary
    framework: str = SOA_FRAMEWORK


def statement_of_applicability(repo: Repo, catalogs: Catalogs, today: dt.date,
                               framework: str = SOA_FRAMEWORK) -> Soa:
    """The SoA of ``framework``: one row per control, from the graph.

    For ISO/IEC 27001:2022 the rows are the 93 Annex A controls (clauses 4-10 are requirements
    of the management system, not controls). For any other catalog, such as one imported from
    OSCAL, every requirement that is not a clause and not withdrawn is a row.
    """
    catalog = catalogs.catalogs.get(framework)
    if catalog is None:
        known = ", ".join(sorted(catalogs.catalogs))
        raise UsageError(f"no {framework} catalog is loaded", hint=f"known: {known}")
    analysis = _Analysis(repo, catalogs, today)
    if framework == SOA_FRAMEWORK:
        keep = {r.id: r.kind == "control" for r in catalog.requirements.values()}
    else:
        keep = {r.id: r.kind != "clause" and not r.data.get("withdrawn")
                for r in catalog.requirements.values()}
    report = _report(analysis, catalog, keep)
    rows = []
    for g in report.rows:
        controls = analysis.controls_of(g.ref)
        cs = controls[0] if controls else None
        if cs is None:
            rows.append(SoaRow(g.requirement, g.title, g.group, None, None, "", None, "", (), (),
                               "n/a", g))
            continue
        state = cs.evidence_state if cs.applicable is not False else "n/a"
        rows.append(SoaRow(g.requirement, g.title, g.group, cs.id, cs.applicable, cs.reason,
                           cs.status, cs.implementation, cs.implemented_by, cs.expectations,
                           state, g))
    return Soa(report.title, today, tuple(rows), report.groups, report.total, framework)
