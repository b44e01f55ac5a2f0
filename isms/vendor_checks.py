"""Checks of outsourcing governance (family V): SLAs, evaluations, certified staff,
certifications, contracts and the controls each activity risk level requires.

The numbers come from the same core modules as `isms vendors` (sla, scorecard, staff,
activity_risk), so a finding and the report that explains it always agree.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from isms.checks import Context, as_date, at, check
from isms.findings import Finding, Severity, rule
from isms.i18n import pick
from isms.model import Entity, Repo
from isms.reads import Field, shared

if TYPE_CHECKING:
    from isms.outsourcing_config import VendorSettings
    from isms.periods import Period
    from isms.scorecard import MonthScore
    from isms.sla import Targets

V_SLA_BREACH = rule(
    "V001", "sla-breach", Severity.WARNING, "SLA target missed in the latest evaluated month",
    """
    In the third party's most recent monthly evaluation a measured value misses its activity's
    SLA target (below it when higher is better, above it when lower is better). The contract's
    remedies (deduction, rectification notice) should be applied and the rectification
    followed up; `isms vendors sla` shows every value and its attainment. The finding goes
    away with the next month's evaluation if the target is met again.
    """,
)
V_GRADE = rule(
    "V002", "grade-below-pass", Severity.WARNING, "Vendor graded below pass in the latest month",
    """
    The third party's score for its most recent evaluated month (SLA attainment, satisfaction
    survey and expert review, weighted as set under `vendors` in isms.yaml) is in the fair or
    fail band. The message says how many consecutive months it has been below pass; two or
    more call for a formal rectification plan. `isms vendors scorecard` explains the score.
    """,
)
V_EVALUATION_MISSING = rule(
    "V003", "evaluation-missing", Severity.WARNING, "Monthly vendor evaluation missing",
    """
    Service quality is evaluated every month of a contract. No evaluation is recorded for the
    months listed, between the first month evaluations are expected (`vendors.evaluations_from`
    in isms.yaml, else the earliest month evaluated in the repository, and not before the
    contract start) and the last month that is over (and not after the contract end). Record
    the evaluation for each month (`kind: evaluation`, `period: YYYY-MM`).
    """,
)
V_UNCERTIFIED_PRIVILEGED = rule(
    "V004", "uncertified-privileged-staff", Severity.ERROR,
    "Uncertified staff on an activity with privileged or remote access",
    """
    A vendor staff member assigned to an activity with privileged or remote access has no O&M
    qualification certificate valid today (none recorded, or expired). Only certified staff may
    work on the district's systems, and privileged or remote access is where an unqualified
    person can do the most harm unseen. Remove the person from the activity (and revoke their
    accounts) until they pass the qualification exam, then record the new certificate.
    """,
)
V_UNCERTIFIED = rule(
    "V005", "uncertified-staff", Severity.WARNING, "Uncertified staff on an activity",
    """
    A vendor staff member assigned to an activity (without privileged or remote access) has
    no O&M qualification certificate valid today. Only certified staff may work on the
    district's systems: have the person sit the qualification exam and record the
    certificate, or take them off the activity.
    """,
)
V_EXPIRING = rule(
    "V006", "certificate-expiring", Severity.WARNING,
    "Staff certificate or vendor certification expiring soon",
    """
    A staff member's qualification certificate, or a certification of a third party with
    active activities (ISO/IEC 27001, ISO/IEC 20000, ...), expires within the warning window
    (`vendors.certificate_warning_days`, 90 days by default). Plan the re-examination or the
    surveillance audit now, and record the renewed certificate when it is issued.
    """,
)
V_CERTIFICATION_EXPIRED = rule(
    "V007", "certification-expired", Severity.WARNING,
    "Vendor certification expired while it has active activities",
    """
    A certification the third party holds has passed its expiry date while the party still
    performs activities for the organisation. The contract usually requires it to be
    maintained: ask for the renewed certificate and record it, or record why it lapsed and
    what replaces the assurance it gave.
    """,
)
V_CONTRACT_EXPIRED = rule(
    "V008", "contract-expired", Severity.ERROR, "Contract ended while activities are active",
    """
    The third party's contract ended before today but activities performed by it are still in
    the register: work is being done without a contract, so SLAs, confidentiality and security
    obligations no longer bind the vendor. Record the renewed or extended contract, or end the
    activities (remove them, revoke access) and hand them over.
    """,
)
V_CONTRACT_EXPIRING = rule(
    "V009", "contract-expiring", Severity.WARNING, "Contract with active activities ends soon",
    """
    The third party's contract ends within the warning window (`vendors.contract_warning_days`,
    180 days by default) and it still performs activities. Renewal by tender takes months;
    start it now, or plan the exit and hand-over, so that service does not stop at the end date.
    """,
)
V_REQUIRED_CONTROLS = rule(
    "V010", "activity-controls-missing", Severity.WARNING,
    "Activity lacks a control its risk level requires",
    """
    The activity's risk level (computed from its access, the assets it touches, its
    outsourcing mode and its linked risks; `isms vendors risk` shows how) requires a control
    for this framework requirement (`activity_risk.required_controls` in isms.yaml), and none
    of the controls listed in the activity's `controls` covers it while in force (applicable,
    implemented or partial). Add the control to the activity, or implement it.
    """,
)


@check(V_SLA_BREACH)
def sla_breaches(ctx: Context) -> Iterator[Finding]:
    repo = ctx.repo
    from isms.numbers import fixed, plain
    from isms.periods import month_of
    from isms.sla import TargetLookup, measure, monthly_key

    targets = TargetLookup(repo)
    current = month_of(ctx.today)
    # Each evaluation is judged on its own: after an edit of an activity's SLA only the
    # evaluations that measured it are judged again, after an evaluation's only its party's.
    for evaluation in ctx.each(repo.of_kind("evaluation")):
        key = monthly_key(evaluation)
        if key is None:
            continue
        party, period = key
        months = _party_months(ctx, party)
        if period != max((p for p in months if p <= current), default=None):
            continue  # not the party's latest evaluated month
        found, _ = measure(repo, evaluation, targets)
        for m in found:
            if not m.breached:
                continue
            side = "below" if m.better == "higher" else "above"
            unit = f" {m.unit}" if m.unit else ""
            yield at(V_SLA_BREACH, evaluation, ("metrics", m.index, "actual"),
                     f"{party} {m.period}: {m.activity} {m.metric} {plain(m.actual)}{unit} is "
                     f"{side} the target {plain(m.target)}{unit} (attainment "
                     f"{fixed(m.attainment)} %)",
                     "apply the contract's SLA remedies and follow up the rectification")


@check(V_GRADE)
def grades(ctx: Context) -> Iterator[Finding]:
    from isms.numbers import fixed, plain
    from isms.outsourcing_config import vendor_settings
    from isms.sla import TargetLookup

    settings = vendor_settings(ctx.repo.config.raw)
    targets = TargetLookup(ctx.repo)
    for evaluation in ctx.each(ctx.repo.of_kind("evaluation")):
        party = evaluation.get("third_party")
        if not isinstance(party, str):
            continue
        graded = _latest_grade(ctx, party, settings, targets)
        if graded is None or graded[1] is not evaluation:
            continue  # not the evaluation the party's latest score is made from
        last, _record, run = graded
        if last.grade not in ("fair", "fail") or last.score is None:
            continue
        streak = (f"; {len(run)} consecutive months below pass ({', '.join(p.label for p in run)})"
                  if len(run) >= 2 else "")
        # (at the first entity of the id, as `isms vendors scorecard` names it; another
        # entity than this one only when the id is duplicated)
        yield at(V_GRADE, ctx.repo.by_id[last.evaluation], ("period",),
                 f"{party} {last.period.label}: score {fixed(last.score)} is {last.grade} "
                 f"(pass ≥ {plain(settings.pass_min)}){streak}",
                 "see `isms vendors scorecard`; agree a rectification plan with the vendor")


# The evaluations of each third party by month, and each party's latest grade, per repository
# (see _party_months and _latest_grade).
_PARTIES: dict[int, dict[Any, tuple[Any, frozenset[Field], frozenset[str]]]] = {}


def _memo(repo: Repo) -> dict[Any, tuple[Any, frozenset[Field], frozenset[str]]]:
    memo = _PARTIES.get(id(repo))
    if memo is None:
        memo = _PARTIES[id(repo)] = {}
        weakref.finalize(repo, _PARTIES.pop, id(repo), None)
    return memo


def _party_months(ctx: Context, party: str, named: bool = True) -> dict[Period, list[Entity]]:
    """The party's monthly evaluations by month, each month's in id order (repository order
    between equal ids), found through the reference index: a subject that asks depends on the
    party's evaluations, not on every evaluation (``named``: through one shared token)."""
    from isms.sla import monthly_key

    def compute() -> dict[Period, list[Entity]]:
        by_path = ctx.repo.by_path
        found = sorted({rel: by_path[rel] for rel, via in ctx.referrers(party, "evaluation")
                        if via == "evaluation.third_party" and rel in by_path}.values(),
                       key=lambda e: (e.id, e.path))
        out: dict[Period, list[Entity]] = {}
        for e in found:
            key = monthly_key(e)
            if key is not None and key[0] == party:
                out.setdefault(key[1], []).append(e)
        return out

    months, _made = shared(_memo(ctx.repo), ("months", party), compute,
                           "$evaluations:" + party if named else None)
    return months


def _latest_grade(ctx: Context, party: str, settings: VendorSettings, targets: Targets
                  ) -> tuple[MonthScore, Entity, tuple[Period, ...]] | None:
    """The party's latest scored month (see :func:`isms.scorecard.latest_months`), the
    evaluation it is scored from and the run of months below pass that ends with it."""
    from isms.scorecard import MonthScores, below_pass_run, latest_months

    def compute() -> tuple[MonthScore, Entity, tuple[Period, ...]] | None:
        months = _party_months(ctx, party, named=False)
        scores = MonthScores(ctx.repo, settings,
                             [e for records in months.values() for e in records], targets)
        last = latest_months(scores, ctx.today).get(party)
        if last is None:
            return None
        return (last, scores.record((party, last.period)),
                below_pass_run(scores, party, last.period))

    graded, _made = shared(_memo(ctx.repo), ("grade", party, ctx.today), compute,
                           "$grade:" + party)
    return graded


@check(V_EVALUATION_MISSING)
def missing_evaluations(ctx: Context) -> Iterator[Finding]:
    repo = ctx.repo
    from isms.outsourcing_config import vendor_settings
    from isms.periods import last_complete_month, month_of, months_between
    from isms.sla import monthly_evaluations

    settings = vendor_settings(repo.config.raw)
    monthly = monthly_evaluations(repo)
    first = settings.evaluations_from or min((p for _, p in monthly), default=None)
    if first is None:
        return
    last_over = last_complete_month(ctx.today)
    active = {a.get("third_party") for a in repo.of_kind("activity")}
    for party in sorted(repo.of_kind("third-party"), key=lambda e: e.id):
        contract = party.get("contract")
        if party.id not in active or not isinstance(contract, Mapping):
            continue
        start, end = as_date(contract.get("start")), as_date(contract.get("end"))
        if start is None or end is None:
            continue
        months = months_between(max(first, month_of(start)), min(last_over, month_of(end)))
        missing = [m.label for m in months if (party.id, m) not in monthly]
        if missing:
            yield at(V_EVALUATION_MISSING, party, ("contract",),
                     f"{party.id}: no evaluation for {len(missing)} month"
                     f"{'s' if len(missing) > 1 else ''} of the contract: {', '.join(missing)}",
                     "record a `kind: evaluation` with `period: YYYY-MM` for each month")


@check(V_UNCERTIFIED_PRIVILEGED, V_UNCERTIFIED, V_EXPIRING, V_CERTIFICATION_EXPIRED,
       V_CONTRACT_EXPIRED, V_CONTRACT_EXPIRING)
def certified_staff(ctx: Context) -> Iterator[Finding]:
    repo = ctx.repo
    from isms.outsourcing_config import vendor_settings
    from isms.staff import staff_audit

    audit = staff_audit(repo, vendor_settings(repo.config.raw), ctx.today)
    for s in audit.staff:
        if not s.severity:
            continue
        party = repo.by_id[s.third_party]
        path: tuple[str | int, ...] = (("staff", s.index) if s.expires is None
                                       else ("staff", s.index, "certificate", "expires"))
        who = f"{s.staff} ({s.name})" if s.name else s.staff
        if s.status == "expiring":
            yield at(V_EXPIRING, party, path, f"{who}: {s.problem}",
                     "plan the re-examination and record the renewed certificate")
        elif s.severity == "error":
            yield at(V_UNCERTIFIED_PRIVILEGED, party, path, f"{who} {s.problem}",
                     "take the person off the activity until certified")
        else:
            yield at(V_UNCERTIFIED, party, path, f"{who} {s.problem}",
                     "have the person certified, or take them off the activity")
    for c in audit.certifications:
        if not c.severity:
            continue
        party = repo.by_id[c.third_party]
        code = V_EXPIRING if c.status == "expiring" else V_CERTIFICATION_EXPIRED
        yield at(code, party, ("certifications", c.index, "expires"),
                 f"{c.third_party}: {c.problem}", "record the renewed certification")
    for k in audit.contracts:
        if not k.severity:
            continue
        party = repo.by_id[k.third_party]
        code = V_CONTRACT_EXPIRED if k.status == "expired" else V_CONTRACT_EXPIRING
        hint = ("record the renewed contract, or end the activities" if k.status == "expired"
                else "start the renewal tender or plan the exit and hand-over")
        yield at(code, party, ("contract", "end"), f"{k.third_party}: {k.problem}", hint)


@check(V_REQUIRED_CONTROLS)
def required_controls(ctx: Context) -> Iterator[Finding]:
    repo = ctx.repo
    from isms.activity_risk import assess_activities
    from isms.outsourcing_config import activity_risk_settings

    settings = activity_risk_settings(repo.config.raw)
    if not settings.required_controls:
        return
    for risk in assess_activities(repo, settings):
        activity = repo.by_id[risk.activity]
        where: tuple[str, ...] = ("controls",) if "controls" in activity.data else ("id",)
        for missing in risk.missing:
            title = _title(ctx, missing.requirement)
            yield at(V_REQUIRED_CONTROLS, activity, where,
                     f"{risk.activity} is {risk.level} ({risk.total} points) and requires "
                     f"{missing.requirement}{title}: {missing.reason}",
                     "add a control for it to `controls`, or implement the one listed; "
                     "`isms vendors risk` shows how the level was reached")


def _title(ctx: Context, ref: str) -> str:
    framework, _, ident = ref.partition(":")
    catalog = ctx.catalogs.catalogs.get(framework)
    requirement = catalog.requirements.get(ident) if catalog is not None else None
    if requirement is None:
        return ""
    text = pick(requirement.title, ctx.repo.config.languages)
    return f" ({text})" if text else ""
