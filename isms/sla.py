"""SLA attainment: each measured value of each evaluation against its activity's SLA target.

Attainment is the share of the target achieved, as a percentage capped at 100:

* higher is better (availability, answer rate): ``min(100, actual / target × 100)``;
  a target of 0 or less is met by any actual value at or above it (100);
* lower is better (response time, repeat rate): ``min(100, target / actual × 100)``;
  an actual of 0 or less meets any target at or above it (100), and any actual above a
  target of 0 scores 0.

Capping keeps over-performance on one metric from hiding a breach on another when
attainments are averaged into a vendor's score. A metric is breached when its attainment is
below 100, i.e. exactly when the actual value misses the target in the direction that
matters. Values are exact decimals; they are rounded (half up) only when reported.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from isms.model import Entity, Repo
from isms.numbers import as_decimal
from isms.periods import Period, parse_period
from isms.reads import Field, shared

HUNDRED = Decimal(100)


def attainment(target: Decimal, actual: Decimal, better: str) -> Decimal:
    """Percentage of ``target`` achieved by ``actual``, capped at 100 (see the module doc)."""
    if better == "lower":
        if actual <= 0:
            return HUNDRED if target >= actual else Decimal(0)
        if target <= 0:
            return Decimal(0)
        return min(HUNDRED, target / actual * HUNDRED)
    if target <= 0:
        return HUNDRED if actual >= target else Decimal(0)
    if actual <= 0:
        return Decimal(0)
    return min(HUNDRED, actual / target * HUNDRED)


@dataclass(frozen=True)
class Target:
    activity: str
    metric: str
    target: Decimal
    better: str
    unit: str


@dataclass(frozen=True)
class Measurement:
    """One measured value of one evaluation, scored against its SLA target."""

    third_party: str
    period: str
    evaluation: str
    index: int  # position in the evaluation's `metrics`, for file:line
    activity: str
    metric: str
    better: str
    unit: str
    target: Decimal
    actual: Decimal
    attainment: Decimal

    @property
    def breached(self) -> bool:
        return self.attainment < HUNDRED


@dataclass(frozen=True)
class Unmatched:
    """A measured value with no SLA target to compare it with."""

    evaluation: str
    index: int
    activity: str
    metric: str
    reason: str


@dataclass(frozen=True)
class SlaResult:
    measurements: tuple[Measurement, ...]
    unmatched: tuple[Unmatched, ...]


_TARGETS: dict[int, tuple[dict[tuple[str, str], Target], frozenset[Field], frozenset[str]]] = {}


def sla_targets(repo: Repo) -> dict[tuple[str, str], Target]:
    """(activity id, metric) → the activity's SLA target; the first wins if repeated.

    Read once per repository (the SLA checks, the scorecard and the reports all ask)."""
    key = id(repo)
    targets, made = shared(_TARGETS, key, lambda: _sla_targets(repo))
    if made:
        weakref.finalize(repo, _TARGETS.pop, key, None)
    return targets


def _sla_targets(repo: Repo) -> dict[tuple[str, str], Target]:
    out: dict[tuple[str, str], Target] = {}
    for activity in repo.of_kind("activity"):
        for metric, target in _targets_of(activity).items():
            out.setdefault((activity.id, metric), target)
    return out


def _targets_of(activity: Entity) -> dict[str, Target]:
    """The activity's SLA targets by metric; the first wins if repeated."""
    out: dict[str, Target] = {}
    sla = activity.get("sla")
    if not isinstance(sla, list):
        return out
    for item in sla:
        if not isinstance(item, Mapping):
            continue
        metric = item.get("metric")
        target = as_decimal(item.get("target"))
        better = item.get("better")
        if not isinstance(metric, str) or target is None or better not in ("higher", "lower"):
            continue
        unit = item.get("unit")
        out.setdefault(metric, Target(activity.id, metric, target, better,
                                      unit if isinstance(unit, str) else ""))
    return out


class Targets(Protocol):
    """What :func:`measure` asks of SLA targets: :func:`sla_targets`'s dict, or a
    :class:`TargetLookup`."""

    def get(self, key: tuple[str, str], /) -> Target | None: ...


class TargetLookup:
    """:func:`sla_targets`, read one activity at a time as it is asked for: a check judging a
    few evaluations again reads only the activities they measure, and each caller's log (and
    subject) gets the reads that finding a target made (see :func:`isms.reads.shared`)."""

    def __init__(self, repo: Repo) -> None:
        self._repo = repo
        self._memo: dict[str, tuple[dict[str, Target], frozenset[Field], frozenset[str]]] = {}

    def get(self, key: tuple[str, str], /) -> Target | None:
        activity, metric = key
        found, _made = shared(self._memo, activity, lambda: self._of(activity))
        return found.get(metric)

    def _of(self, activity: str) -> dict[str, Target]:
        out: dict[str, Target] = {}
        for e in self._repo.with_id(activity):
            if e.kind == "activity":
                for metric, target in _targets_of(e).items():
                    out.setdefault(metric, target)
        return out


_MONTHLY: dict[int, tuple[dict[tuple[str, Period], list[Entity]], frozenset[Field], frozenset[str]]] = {}


def monthly_evaluations(repo: Repo) -> dict[tuple[str, Period], list[Entity]]:
    """(third party, month) → that month's evaluation records, in repository order.

    Grouped once per repository: the SLA and missing-evaluation checks both start here.
    """
    key = id(repo)
    monthly, made = shared(_MONTHLY, key, lambda: _monthly(repo))
    if made:
        weakref.finalize(repo, _MONTHLY.pop, key, None)
    return monthly


def _monthly(repo: Repo) -> dict[tuple[str, Period], list[Entity]]:
    out: dict[tuple[str, Period], list[Entity]] = {}
    for e in repo.of_kind("evaluation"):
        key = monthly_key(e)
        if key is not None:
            out.setdefault(key, []).append(e)
    return out


def monthly_key(evaluation: Entity) -> tuple[str, Period] | None:
    """The (third party, month) a monthly evaluation counts for; None for a record that is not
    one (no party, or a period that is not a month: scorecards are built from months)."""
    party, period = evaluation.get("third_party"), evaluation_period(evaluation)
    if isinstance(party, str) and period is not None and period.kind == "month":
        return party, period
    return None


def _measured(evaluation: Entity) -> list[tuple[int, Mapping[str, Any]]]:
    metrics = evaluation.get("metrics")
    if not isinstance(metrics, list):
        return []
    return [(i, m) for i, m in enumerate(metrics) if isinstance(m, Mapping)]


def evaluation_period(evaluation: Entity) -> Period | None:
    return parse_period(evaluation.get("period"))


def measure(repo: Repo, evaluation: Entity,
            targets: Targets) -> tuple[list[Measurement], list[Unmatched]]:
    party = evaluation.get("third_party")
    period = evaluation_period(evaluation)
    found: list[Measurement] = []
    unmatched: list[Unmatched] = []
    if not isinstance(party, str) or period is None:
        return found, unmatched
    label = period.label
    for index, item in _measured(evaluation):
        activity, metric = item.get("activity"), item.get("metric")
        actual = as_decimal(item.get("actual"))
        if not isinstance(activity, str) or not isinstance(metric, str) or actual is None:
            continue
        target = targets.get((activity, metric))
        if target is None:
            reason = (f"{activity} has no SLA target for {metric!r}" if activity in repo.by_id
                      else f"activity {activity} does not exist")
            unmatched.append(Unmatched(evaluation.id, index, activity, metric, reason))
            continue
        found.append(Measurement(
            party, label, evaluation.id, index, activity, metric, target.better,
            target.unit, target.target, actual, attainment(target.target, actual, target.better)))
    return found, unmatched


def sla_attainment(repo: Repo, period: Period | None = None,
                   third_party: str | None = None) -> SlaResult:
    """Every measured value of every evaluation, optionally limited to a period (a quarter or a
    year includes its months) and a third party; sorted by party, period, activity, metric."""
    targets = sla_targets(repo)
    wanted = {p.label for p in period.months()} | {period.label} if period else None
    rows: list[Measurement] = []
    unmatched: list[Unmatched] = []
    for evaluation in repo.of_kind("evaluation"):
        if third_party is not None and evaluation.get("third_party") != third_party:
            continue
        own = evaluation_period(evaluation)
        if wanted is not None and (own is None or own.label not in wanted):
            continue
        found, missing = measure(repo, evaluation, targets)
        rows.extend(found)
        unmatched.extend(missing)
    rows.sort(key=lambda m: (m.third_party, m.period, m.activity, m.metric, m.evaluation, m.index))
    unmatched.sort(key=lambda u: (u.evaluation, u.index))
    return SlaResult(tuple(rows), tuple(unmatched))
