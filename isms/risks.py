"""The risk register as plain data: scores, appetite, treatment and what really stands behind it.

Scores are likelihood × impact on the scale of ``risk.scale`` in isms.yaml. A residual score
above ``risk.appetite`` (the inherent one when no residual is given) needs a recorded
acceptance. The residual score a risk claims only holds when its treatment is in place, so
every treatment lists its controls with their real status: a risk "mitigated" by a planned
control is not mitigated, and its *effective* score stays the inherent one until every
treating control is implemented.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from isms.checks import as_date
from isms.controls import ControlState, ControlStatus, control_states
from isms.graph import graph_for
from isms.i18n import natural_key, pick

if TYPE_CHECKING:
    from isms.catalogs import Catalogs
    from isms.model import Entity, Repo


@dataclass(frozen=True)
class TreatingControl:
    id: str
    status: str           # implementation status, "excluded" or "missing"
    implemented: bool


@dataclass(frozen=True)
class RiskRow:
    id: str
    path: str
    title: str
    owner: str
    status: str
    likelihood: int | None
    impact: int | None
    inherent: int | None
    residual_likelihood: int | None
    residual_impact: int | None
    residual: int | None
    effective: int | None      # residual when the treatment is in place, else inherent
    above_appetite: bool       # the residual score (inherent when none) is above appetite
    accepted_by: str
    accepted_on: dt.date | None
    option: str
    due: dt.date | None
    overdue_days: int          # > 0 when the treatment is past due and the risk is not closed
    controls: tuple[TreatingControl, ...]
    treatment: str             # implemented | partly implemented | not implemented | no controls

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0

    @property
    def accepted(self) -> bool:
        return bool(self.accepted_by)


@dataclass(frozen=True)
class HeatCell:
    likelihood: int
    impact: int
    risks: tuple[str, ...]


@dataclass(frozen=True)
class Register:
    today: dt.date
    scale: int
    appetite: int
    rows: tuple[RiskRow, ...]
    inherent_map: tuple[HeatCell, ...]   # likelihood scale..1, impact 1..scale
    residual_map: tuple[HeatCell, ...]


def _level(value: Any, scale: int) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= scale:
        return value
    return None


def _above(score: int | None, appetite: int) -> bool:
    return score is not None and score > appetite


def _score(a: int | None, b: int | None) -> int | None:
    return a * b if a is not None and b is not None else None


def treating_controls(risk: Entity, g: Any, state_of: Callable[[str], ControlStatus | None]
                      ) -> tuple[TreatingControl, ...]:
    """`treatment.controls` plus controls whose `risks` name the risk, with their real status
    (``state_of`` gives a control's status, None when no control has the id; ``g`` is the
    graph or :class:`isms.links.LazyGraph`)."""
    ids = set()
    if risk.id in g:
        ids = {u for u, _, d in g.in_edges(risk.id, data=True) if d["type"] == "treats"}
    treatment = risk.get("treatment")
    if isinstance(treatment, Mapping):
        listed = treatment.get("controls")
        for cid in listed if isinstance(listed, list) else []:
            if isinstance(cid, str):
                ids.add(cid)
    out = []
    for cid in sorted(ids, key=natural_key):
        state = state_of(cid)
        if state is None:
            out.append(TreatingControl(cid, "missing", False))
        elif state.excluded:
            out.append(TreatingControl(cid, "excluded", False))
        else:
            out.append(TreatingControl(cid, state.status or "unknown", state.implemented))
    return tuple(out)


def _row(risk: Entity, repo: Repo, catalogs: Catalogs, states: Mapping[str, ControlState],
         today: dt.date) -> RiskRow:
    config = repo.config
    scale, appetite = config.risk_scale, config.risk_appetite
    languages = config.languages or ("en",)
    likelihood, impact = _level(risk.get("likelihood"), scale), _level(risk.get("impact"), scale)
    residual = risk.get("residual")
    rl = _level(residual.get("likelihood"), scale) if isinstance(residual, Mapping) else None
    ri = _level(residual.get("impact"), scale) if isinstance(residual, Mapping) else None
    treatment = risk.get("treatment")
    treatment = treatment if isinstance(treatment, Mapping) else {}
    option = treatment.get("option")
    option = option if isinstance(option, str) else ""
    due = as_date(treatment.get("due"))
    status = risk.get("status")
    status = status if isinstance(status, str) else ""
    controls = treating_controls(risk, graph_for(repo, catalogs), states.get)
    done = [c for c in controls if c.implemented]
    if not controls:
        state = "no controls"
    elif len(done) == len(controls):
        state = "implemented"
    elif done or any(c.status == "partial" for c in controls):
        state = "partly implemented"
    else:
        state = "not implemented"
    inherent, residual_score = _score(likelihood, impact), _score(rl, ri)
    in_place = state == "implemented" or (state == "no controls" and option != "mitigate")
    effective = residual_score if residual_score is not None and in_place else inherent
    accepted = risk.get("accepted")
    accepted = accepted if isinstance(accepted, Mapping) else {}
    by = accepted.get("by")
    overdue = (today - due).days if due is not None and due < today and status != "closed" else 0
    owner = risk.get("owner")
    return RiskRow(
        id=risk.id, path=risk.path, title=pick(risk.get("title"), languages),
        owner=owner if isinstance(owner, str) else "", status=status,
        likelihood=likelihood, impact=impact, inherent=inherent,
        residual_likelihood=rl, residual_impact=ri, residual=residual_score,
        effective=effective,
        above_appetite=_above(residual_score if residual_score is not None else inherent, appetite),
        accepted_by=by if isinstance(by, str) else "", accepted_on=as_date(accepted.get("on")),
        option=option, due=due, overdue_days=overdue, controls=controls, treatment=state,
    )


def _heat(rows: list[tuple[str, int | None, int | None]], scale: int) -> tuple[HeatCell, ...]:
    cells = []
    for likelihood in range(scale, 0, -1):
        for impact in range(1, scale + 1):
            ids = tuple(sorted((rid for rid, li, im in rows if li == likelihood and im == impact),
                               key=natural_key))
            cells.append(HeatCell(likelihood, impact, ids))
    return tuple(cells)


def risk_register(repo: Repo, catalogs: Catalogs, today: dt.date) -> Register:
    states = control_states(repo, catalogs, today)
    risks = sorted((e for e in repo.of_kind("risk") if repo.by_id.get(e.id) is e),
                   key=lambda e: natural_key(e.id))
    rows = tuple(_row(r, repo, catalogs, states, today) for r in risks)
    scale = repo.config.risk_scale
    return Register(
        today, scale, repo.config.risk_appetite, rows,
        _heat([(r.id, r.likelihood, r.impact) for r in rows], scale),
        _heat([(r.id, r.residual_likelihood, r.residual_impact) for r in rows], scale),
    )
