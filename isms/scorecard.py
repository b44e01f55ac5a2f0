"""Vendor scorecards: a weighted score per third party and period, its grade and its trend.

A month's score combines three components, each a percentage:

* ``sla``: the mean attainment of the SLA values measured that month (see :mod:`isms.sla`);
* ``satisfaction``: the survey's mean score / its scale × 100;
* ``expert_review``: the expert review score (already out of 100).

score = Σ weightᵢ × componentᵢ / Σ weightᵢ × scale / 100, over the components the evaluation
has (a missing component is named and the weights of the others are used; values measured
without an SLA target to score them are left out, and a month whose values all lack one gets
no score rather than a grade from the other components alone), rounded half up
to 2 decimals; the grade is read from the rounded score (pass ≥ pass threshold, fair ≥ fair
threshold, else fail), so what is shown is what is graded.

A quarter's or a year's score is the mean of the rounded monthly scores present in it,
rounded the same way; the months without an evaluation are named (months not yet over on
``today`` are "pending", not missing). Evaluation records whose period is itself a quarter or
a year are not used: scorecards are built from the monthly records. Trends compare a period
with the one before it of the same length; a run of two or more consecutive fair or failing
periods is flagged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from isms.model import Entity, Repo
from isms.numbers import as_decimal, rounded
from isms.outsourcing_config import COMPONENTS, VendorSettings
from isms.periods import Period, last_complete_month, months_between
from isms.sla import HUNDRED, Targets, measure, monthly_key, sla_targets


@dataclass(frozen=True)
class MonthScore:
    third_party: str
    period: Period
    evaluation: str
    components: Mapping[str, Decimal]  # the components present, unrounded
    score: Decimal | None  # on the configured scale, rounded to 2 decimals
    grade: str | None
    breaches: int
    notes: tuple[str, ...]


@dataclass(frozen=True)
class PeriodScore:
    third_party: str
    period: str
    kind: str
    score: Decimal | None
    grade: str | None
    components: Mapping[str, Decimal]  # means of the monthly components present, unrounded
    months: tuple[str, ...]  # months that have a score
    missing: tuple[str, ...]  # months over on `today` without an evaluation
    pending: tuple[str, ...]  # months not over yet, without an evaluation
    evaluations: tuple[str, ...]
    breaches: int
    previous: str
    previous_score: Decimal | None
    change: Decimal | None
    trend: str  # up, down, flat, or '' when there is nothing to compare
    below_pass_streak: int  # consecutive fair/fail periods ending with this one
    notes: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return self.below_pass_streak >= 2


@dataclass(frozen=True)
class Scorecard:
    settings: VendorSettings
    period: str  # the period asked for, '' for every month
    today: dt.date
    rows: tuple[PeriodScore, ...]


def score_month(evaluation: Entity, repo: Repo, settings: VendorSettings,
                targets: Targets | None = None) -> MonthScore | None:
    """The score of one monthly evaluation; None when it is not a usable monthly record."""
    key = monthly_key(evaluation)
    if key is None:
        return None
    party, period = key
    measured, unmatched = measure(repo, evaluation, targets if targets is not None
                                  else sla_targets(repo))
    components: dict[str, Decimal] = {}
    if measured:
        components["sla"] = sum((m.attainment for m in measured), Decimal(0)) / len(measured)
    survey = evaluation.get("satisfaction")
    if isinstance(survey, Mapping):
        mean, scale = as_decimal(survey.get("score")), as_decimal(survey.get("scale"))
        if mean is not None and scale is not None and scale > 0:
            components["satisfaction"] = mean / scale * HUNDRED
    review = evaluation.get("expert_review")
    if isinstance(review, Mapping):
        expert = as_decimal(review.get("score"))
        if expert is not None:
            components["expert_review"] = expert
    notes: list[str] = []
    missing = [c for c in COMPONENTS if c not in components]
    present = [c for c in COMPONENTS if c in components and settings.weights[c] > 0]
    score: Decimal | None = None
    grade: str | None = None
    if unmatched and not measured:
        # SLA values were measured but none can be scored: grading on the other components
        # alone would pass off a partial picture as the vendor's score.
        notes.append(f"{_values(len(unmatched))} without a target: no score")
    elif present:
        weight = sum((settings.weights[c] for c in present), Decimal(0))
        percent = sum((settings.weights[c] * components[c] for c in present), Decimal(0)) / weight
        score = rounded(percent * settings.scale / HUNDRED)
        grade = settings.grade(score)
        if missing:
            notes.append(f"no {', '.join(missing)}: weighted over {', '.join(present)}")
    else:
        notes.append("no SLA values, survey or expert review: no score")
    if unmatched and measured:
        notes.append(f"{_values(len(unmatched))} without a target left out")
    breaches = sum(1 for m in measured if m.breached)
    return MonthScore(party, period, evaluation.id, components, score, grade, breaches,
                      tuple(notes))


def _values(count: int) -> str:
    return f"{count} SLA value{'' if count == 1 else 's'}"


class MonthScores(Mapping[tuple[str, Period], MonthScore]):
    """(third party, month) → its score, each scored when first looked up.

    Two records for the same month: the first id counts. The checks look at the latest months
    of each party only, and scoring every record (each measured SLA value against its target)
    would be most of their time.
    """

    def __init__(self, repo: Repo, settings: VendorSettings,
                 evaluations: Iterable[Entity] | None = None, targets: Targets | None = None
                 ) -> None:
        """Scores of ``evaluations`` (every evaluation of the repository when None), each
        SLA value scored against ``targets`` (:func:`isms.sla.sla_targets` when None)."""
        self._repo = repo
        self._settings = settings
        self._targets = targets
        self._records: dict[tuple[str, Period], Entity] = {}
        self._scores: dict[tuple[str, Period], MonthScore] = {}
        # The first id of each month, in id order (repository order between equal ids).
        given = repo.of_kind("evaluation") if evaluations is None else evaluations
        for evaluation in sorted(given, key=lambda e: e.id):
            key = monthly_key(evaluation)
            if key is not None:
                self._records.setdefault(key, evaluation)

    def __getitem__(self, key: tuple[str, Period]) -> MonthScore:
        scored = self._scores.get(key)
        if scored is None:
            if self._targets is None:
                self._targets = sla_targets(self._repo)
            found = score_month(self._records[key], self._repo, self._settings, self._targets)
            assert found is not None  # every record kept is a monthly one
            self._scores[key] = scored = found
        return scored

    def record(self, key: tuple[str, Period]) -> Entity:
        """The evaluation that month's score is made from."""
        return self._records[key]

    def __iter__(self) -> Iterator[tuple[str, Period]]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)


def month_scores(repo: Repo, settings: VendorSettings) -> dict[tuple[str, Period], MonthScore]:
    """(third party, month) → its score. Two records for the same month: the first id counts."""
    return dict(MonthScores(repo, settings))


class _Scorer:
    """Scores any period of any party from the monthly scores, with memoised look-backs."""

    def __init__(self, months: Mapping[tuple[str, Period], MonthScore], settings: VendorSettings,
                 today: dt.date) -> None:
        self.months = months
        self.settings = settings
        self.last_over = last_complete_month(today)
        self.first = min((p for _, p in months), default=None)
        self.cache: dict[tuple[str, Period], tuple[Decimal | None, str | None]] = {}

    def score(self, party: str, period: Period) -> tuple[Decimal | None, str | None]:
        key = (party, period)
        if key not in self.cache:
            scores = [s.score for m in period.months()
                      if (s := self.months.get((party, m))) is not None and s.score is not None]
            if not scores:
                self.cache[key] = (None, None)
            else:
                mean = rounded(sum(scores, Decimal(0)) / len(scores))
                self.cache[key] = (mean, self.settings.grade(mean))
        return self.cache[key]

    def streak(self, party: str, period: Period) -> int:
        count = 0
        current = period
        while self.first is not None and current.last_day() >= self.first.first_day():
            _, grade = self.score(party, current)
            if grade not in ("fair", "fail"):
                break
            count += 1
            current = current.previous()
        return count

    def row(self, party: str, period: Period) -> PeriodScore:
        present = [s for m in period.months() if (s := self.months.get((party, m))) is not None]
        scored = [s for s in present if s.score is not None]
        have = {s.period for s in scored}
        missing = tuple(m.label for m in period.months() if m not in have and m <= self.last_over)
        pending = tuple(m.label for m in period.months() if m not in have and m > self.last_over)
        score, grade = self.score(party, period)
        components: dict[str, Decimal] = {}
        for name in COMPONENTS:
            values = [s.components[name] for s in scored if name in s.components]
            if values:
                components[name] = sum(values, Decimal(0)) / len(values)
        previous = period.previous()
        previous_score, _ = self.score(party, previous)
        change = score - previous_score if score is not None and previous_score is not None else None
        trend = "" if change is None else "up" if change > 0 else "down" if change < 0 else "flat"
        notes = tuple(f"{s.period.label}: {note}" if period.kind != "month" else note
                      for s in present for note in s.notes)
        return PeriodScore(
            third_party=party, period=period.label, kind=period.kind, score=score, grade=grade,
            components=components, months=tuple(s.period.label for s in scored),
            missing=missing, pending=pending, evaluations=tuple(s.evaluation for s in present),
            breaches=sum(s.breaches for s in present), previous=previous.label,
            previous_score=previous_score, change=change, trend=trend,
            below_pass_streak=self.streak(party, period), notes=notes,
        )


def scorecard(repo: Repo, settings: VendorSettings, today: dt.date, period: Period | None = None,
              third_parties: Iterable[str] | None = None) -> Scorecard:
    """Scores of ``period`` per third party; without a period, every month from the first to the
    last month evaluated (any party), so gaps and trends show month by month."""
    months = month_scores(repo, settings)
    parties = sorted(third_parties if third_parties is not None
                     else {e.id for e in repo.of_kind("third-party")})
    scorer = _Scorer(months, settings, today)
    if period is not None:
        periods: tuple[Period, ...] = (period,)
    elif months:
        evaluated = sorted({p for _, p in months})
        periods = months_between(evaluated[0], evaluated[-1])
    else:
        periods = ()
    rows = [scorer.row(party, p) for party in parties for p in periods]
    return Scorecard(settings, period.label if period else "", today, tuple(rows))


def latest_months(months: Mapping[tuple[str, Period], MonthScore],
                  today: dt.date) -> dict[str, MonthScore]:
    """Each party's most recent scored month that has started on ``today``.

    Months are looked up newest first and only until one has a score, so a
    :class:`MonthScores` scores few of them."""
    current = dt.date(today.year, today.month, 1)
    started: dict[str, list[Period]] = {}
    for party, month in months:
        if month.first_day() <= current:
            started.setdefault(party, []).append(month)
    out: dict[str, MonthScore] = {}
    for party, periods in started.items():
        for month in sorted(periods, reverse=True):
            scored = months[(party, month)]
            if scored.score is not None:
                out[party] = scored
                break
    return out


def latest_month(months: Mapping[tuple[str, Period], MonthScore], party: str,
                 today: dt.date) -> MonthScore | None:
    """The party's most recent scored month that has started on ``today``."""
    own = {key: months[key] for key in months if key[0] == party}
    return latest_months(own, today).get(party)


def below_pass_run(months: Mapping[tuple[str, Period], MonthScore], party: str,
                   last: Period) -> tuple[Period, ...]:
    """The consecutive months ending at ``last`` graded fair or fail, oldest first."""
    run: list[Period] = []
    current = last
    while True:
        scored = months.get((party, current))
        if scored is None or scored.grade not in ("fair", "fail"):
            break
        run.append(current)
        current = current.previous()
    return tuple(reversed(run))
