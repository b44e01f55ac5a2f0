"""Checks on the risk register (family K), from the same data as `isms risks`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from isms.checks import Context, as_date, at, check
from isms.findings import Finding, Severity, rule

K_ABOVE_APPETITE = rule(
    "K001", "risk-above-appetite-unaccepted", Severity.ERROR,
    "Risk above appetite without acceptance",
    """
    The risk's residual score (likelihood × impact; the inherent score when no residual is
    given) is above `risk.appetite` in isms.yaml, and nobody has accepted it. ISO/IEC 27001
    clause 6.1.3 f) requires risk owners to approve the treatment plan and accept the residual
    risk. Treat the risk further, or record the acceptance as `accepted: {by: <role>, on: <date>}`.
    """,
)
K_TREATMENT_OVERDUE = rule(
    "K002", "treatment-overdue", Severity.WARNING, "Risk treatment past its due date",
    """
    `treatment.due` is before today (or `--today`) and the risk is not `closed`. Either the
    treatment is done (close the risk and record its residual level) or it is late: agree a new
    date with the risk owner and update `treatment.due`.
    """,
)
K_TREATMENT_NOT_IMPLEMENTED = rule(
    "K003", "treatment-not-implemented", Severity.WARNING,
    "Risk treated only by controls that are not implemented",
    """
    Every control that treats the risk (`treatment.controls`, and controls whose `risks` name
    it) is planned, partial, not implemented, excluded or missing, so the residual level the
    risk claims is not yet real: a risk "mitigated" by a planned control is not mitigated.
    Implement a treating control, add one that is implemented, or rate the residual risk as
    the inherent one until then.
    """,
)
K_ABOVE_SCALE = rule(
    "K004", "risk-level-outside-scale", Severity.ERROR,
    "Likelihood or impact outside the configured risk scale",
    """
    Likelihood and impact run from 1 to `risk.scale` in isms.yaml. A value above the scale
    cannot be placed on the heat map and its score is not comparable with the appetite. Use a
    value within the scale, or change the scale (and re-rate every risk).
    """,
)

_LEVELS = (("likelihood",), ("impact",), ("residual", "likelihood"), ("residual", "impact"))


def _value(data: Mapping[str, object], path: tuple[str, ...]) -> object:
    node: object = data
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@check(K_ABOVE_APPETITE, K_TREATMENT_OVERDUE, K_TREATMENT_NOT_IMPLEMENTED, K_ABOVE_SCALE)
def risks(ctx: Context) -> Iterator[Finding]:
    repo = ctx.repo
    scale, appetite = repo.config.risk_scale, repo.config.risk_appetite
    from functools import partial

    from isms.controls import checked_status
    from isms.risks import treating_controls

    state_of = partial(checked_status, ctx)
    for risk in ctx.each([r for r in repo.of_kind("risk") if repo.by_id.get(r.id) is r]):
        data = risk.data
        for path in _LEVELS:
            level = _int(_value(data, path))
            if level is not None and level > scale:
                yield at(K_ABOVE_SCALE, risk, path,
                         f"{'.'.join(path)} is {level}, above the risk scale of {scale}",
                         f"use 1..{scale}, or change `risk.scale` in isms.yaml")
        likelihood, impact = _int(data.get("likelihood")), _int(data.get("impact"))
        rl, ri = _int(_value(data, ("residual", "likelihood"))), _int(_value(data, ("residual", "impact")))
        where: tuple[str, ...]
        if rl is not None and ri is not None:
            score, which, where = rl * ri, "residual", ("residual",)
        elif likelihood is not None and impact is not None:
            score, which, where = likelihood * impact, "inherent", ("likelihood",)
        else:
            score = None
        if score is not None and score > appetite and not isinstance(data.get("accepted"), Mapping):
            yield at(K_ABOVE_APPETITE, risk, where,
                     f"{which} score {score} is above the appetite of {appetite} and the risk "
                     "has not been accepted",
                     "treat it further or add `accepted: {by: <role>, on: <date>}`")
        treatment = data.get("treatment")
        due = as_date(treatment.get("due")) if isinstance(treatment, Mapping) else None
        if due is not None and due < ctx.today and data.get("status") != "closed":
            yield at(K_TREATMENT_OVERDUE, risk, ("treatment", "due"),
                     f"treatment was due on {due.isoformat()} ({(ctx.today - due).days} days ago) "
                     f"and the risk is {data.get('status') or 'not closed'}",
                     "close the risk if treated, or agree a new `treatment.due`")
        # Ids that name no control are R002 findings already; judge the controls that exist.
        controls = [c for c in treating_controls(risk, ctx.graph, state_of)
                    if c.status != "missing"]
        if controls and not any(c.implemented for c in controls):
            listed = ", ".join(f"{c.id} ({c.status})" for c in controls)
            if isinstance(treatment, Mapping):
                where = ("treatment", "controls") if "controls" in treatment else ("treatment",)
            else:
                where = ("id",)
            yield at(K_TREATMENT_NOT_IMPLEMENTED, risk, where,
                     f"treated only by controls that are not implemented: {listed}",
                     "implement a treating control, or rate the residual risk as inherent")
