"""What each control (Statement of Applicability row) really has behind it on a given day.

The gap analysis, the SoA, the risk register and the control checks all ask the same
questions of a control: is it applicable, what implements it, is its evidence there and fresh.
They are answered once here, from the graph.

Evidence rule. A control's expectation ``{document: D, every_months: N}`` is met by the newest
evidence record whose ``document`` is D; it is *fresh* when that record was collected on or
after today − N months, *stale* when earlier, *missing* when there is none. Records collected
after today do not exist yet as of today and are ignored (so a report for a past date is what
it would have been on that date). A record's ``controls`` list names further controls it
supports; for a control without expectations, such a record is its evidence.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from isms.checks import add_months, as_date
from isms.graph import graph_for
from isms.i18n import natural_key, pick
from isms.model import Entity, Repo, iter_spec
from isms.reads import Field, depend, shared

if TYPE_CHECKING:
    from isms.catalogs import Catalogs
    from isms.checks import Context
    from isms.links import Refs

IMPLEMENTED = "implemented"


@dataclass(frozen=True)
class EvidenceCheck:
    document: str
    every_months: int | None
    record: str | None        # newest evidence record of the document set, as of today
    collected: dt.date | None
    state: str                # fresh | stale | missing

    def describe(self) -> str:
        every = (f"every {self.every_months} month{'s' if self.every_months != 1 else ''}"
                 if self.every_months else "no frequency")
        if self.state == "missing":
            return f"evidence of {self.document} missing (none recorded; expected {every})"
        assert self.collected is not None
        return (f"evidence of {self.document} {self.state} ({self.record}, collected "
                f"{self.collected.isoformat()}; expected {every})")


@dataclass(frozen=True)
class ImplementedBy:
    id: str
    kind: str
    label: str
    status: str


@dataclass(frozen=True)
class ControlStatus:
    """Whether a control applies and how far it is implemented: all a risk's treatment asks
    of it (a check that needs no more reads the control alone, not its evidence and edges)."""

    applicable: bool | None
    status: str | None

    @property
    def excluded(self) -> bool:
        return self.applicable is False

    @property
    def implemented(self) -> bool:
        return self.applicable is not False and self.status == IMPLEMENTED


def control_status(c: Entity) -> ControlStatus:
    applicable, status = c.get("applicable"), c.get("status")
    return ControlStatus(applicable if isinstance(applicable, bool) else None,
                         status if isinstance(status, str) else None)


@dataclass(frozen=True)
class ControlState(ControlStatus):
    id: str
    path: str
    requirement: str | None
    reason: str
    due: dt.date | None
    owner: str
    implementation: str
    implemented_by: tuple[ImplementedBy, ...]   # existing, not retired, procedures/documents
    unresolved: tuple[str, ...]                 # named there but no such procedure/document
    expectations: tuple[EvidenceCheck, ...]
    supporting: tuple[str, ...]                 # evidence records whose `controls` name it
    relied_on_by: tuple[str, ...]               # risks and activities that name it

    @property
    def evidence_state(self) -> str:
        """fresh | stale | missing | none (nothing expected and nothing recorded)."""
        states = {x.state for x in self.expectations}
        if "missing" in states:
            return "missing"
        if "stale" in states:
            return "stale"
        if self.expectations or self.supporting:
            return "fresh"
        return "none"

    @property
    def evidence_ok(self) -> bool:
        return self.evidence_state == "fresh"


def _text(value: Any, languages: tuple[str, ...]) -> str:
    return pick(value, languages).strip()


def _newest(records: list[Entity], today: dt.date) -> tuple[Entity, dt.date] | None:
    best: tuple[Entity, dt.date] | None = None
    for r in records:
        day = as_date(r.get("collected"))
        if day is None or day > today:
            continue
        if best is None or (day, r.id) > (best[1], best[0].id):
            best = (r, day)
    return best


_STATES: dict[tuple[int, int, dt.date], tuple[dict[str, ControlState], frozenset[Field], frozenset[str]]] = {}


def control_states(repo: Repo, catalogs: Catalogs, today: dt.date) -> dict[str, ControlState]:
    """Every control by id (the first definition of a duplicated id).

    Computed once per repository, catalogs and date: the SoA, gap analysis, risk register and
    several checks all ask for it in the same run.
    """
    key = (id(repo), id(catalogs), today)
    states, made = shared(_STATES, key, lambda: _control_states(repo, catalogs, today))
    if made:
        weakref.finalize(repo, _STATES.pop, key, None)
    return states


def _control_states(repo: Repo, catalogs: Catalogs, today: dt.date) -> dict[str, ControlState]:
    from isms.links import ScannedRefs

    g = graph_for(repo, catalogs)
    refs = ScannedRefs(repo.entities)
    return {c.id: control_state(c, repo, g, refs, today) for c in repo.of_kind("control")
            if repo.by_id.get(c.id) is c}


def control_state(c: Entity, repo: Repo, g: Any, refs: Refs, today: dt.date) -> ControlState:
    """One control's state, from its edges in ``g`` (the graph, or the checks' node-by-node
    reading of it, :class:`isms.links.LazyGraph`) and its evidence records (found through
    ``refs``, the index of who names what)."""
    languages = repo.config.languages or ("en",)
    by_path = repo.by_path
    edges = [(v, d["type"]) for _, v, d in g.out_edges(c.id, data=True)]
    implementers = [v for v, edge_type in edges if edge_type == "implemented-by"]
    impl = []
    for v in implementers:
        target = repo.by_id[v]
        status = target.get("status")
        if status == "retired":
            continue
        impl.append(ImplementedBy(v, target.kind, g.nodes[v].get("label", ""),
                                  status if isinstance(status, str) else ""))
    impl.sort(key=lambda i: natural_key(i.id))
    named = {v for _, v in iter_spec(c.data, "implemented_by") if isinstance(v, str)}
    unresolved = sorted(named - set(implementers), key=natural_key)
    expectations = []
    evidence = c.get("evidence")
    for item in evidence if isinstance(evidence, list) else []:
        if not isinstance(item, Mapping) or not isinstance(item.get("document"), str):
            continue
        document = item["document"]
        every = item.get("every_months")
        every = every if isinstance(every, int) and not isinstance(every, bool) and every > 0 \
            else None
        depend("@" + document)
        records = [by_path[rel] for rel, via in _unique(refs.referrers(document, "evidence"))
                   if via == "evidence.document" and rel in by_path]
        newest = _newest(records, today)
        if newest is None:
            expectations.append(EvidenceCheck(document, every, None, None, "missing"))
            continue
        record, collected = newest
        fresh = every is None or collected >= add_months(today, -every)
        expectations.append(EvidenceCheck(document, every, record.id, collected,
                                          "fresh" if fresh else "stale"))
    # Evidence records whose `controls` name the control (once per time they name it).
    depend("@" + c.id)
    naming = []
    for rel, via in _unique(refs.referrers(c.id, "evidence")):
        ev = by_path.get(rel)
        if via != "evidence.controls" or ev is None or repo.by_id.get(ev.id) is not ev:
            continue
        naming += [ev for _p, cid in iter_spec(ev.data, "controls") if cid == c.id]
    supporting = sorted(
        (ev.id for ev in naming
         if (day := as_date(ev.get("collected"))) is not None and day <= today),
        key=natural_key)
    relied = sorted({v for v, edge_type in edges if edge_type in ("treats", "governs")},
                    key=natural_key)
    owner = c.get("owner")
    requirement = c.get("requirement")
    status = control_status(c)
    return ControlState(
        id=c.id, path=c.path,
        requirement=requirement if isinstance(requirement, str) else None,
        applicable=status.applicable,
        reason=_text(c.get("reason"), languages),
        status=status.status,
        due=as_date(c.get("due")),
        owner=owner if isinstance(owner, str) else "",
        implementation=_text(c.get("implementation"), languages),
        implemented_by=tuple(impl),
        unresolved=tuple(unresolved),
        expectations=tuple(expectations),
        supporting=tuple(supporting),
        relied_on_by=tuple(relied),
    )


def _unique(rows: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(file, field) rows once each, in their order (the cached index keeps each once)."""
    return list(dict.fromkeys(rows))


def checked_status(ctx: Context, cid: str) -> ControlStatus | None:
    """Whether control ``cid`` applies and its status, as the checks see it (None when no
    control has that id): read from the control alone, so what asks depends on nothing else."""
    c = ctx.repo.by_id.get(cid)
    return control_status(c) if c is not None and c.kind == "control" else None


def checked_state(ctx: Context, cid: str) -> ControlState | None:
    """The state of control ``cid`` as the checks see it (None when no control has that id),
    computed once per run and shared with what computing it read."""
    c = ctx.repo.by_id.get(cid)
    if c is None or c.kind != "control":
        return None
    g = ctx.graph
    state, _made = shared(g.states, (cid, ctx.today),
                          lambda: control_state(c, ctx.repo, g, g.refs, ctx.today), "$" + cid)
    return state
