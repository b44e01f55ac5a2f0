"""Asset reliability over a period, and the assets due for renewal.

For each asset, over the days of the period it was in service (from the later of the period
start and `in_service`, to the period end, both inclusive; 24 hours a day):

* failures: failure records dated within the period; downtime: the sum of their hours_down;
* availability = (hours − downtime) / hours × 100;
* MTBF (mean time between failures) = (hours − downtime) / failures, none without failures;
* failure rate = failures × 365 / days in service in the period (failures a year).

Per asset type and per maintaining vendor the same figures are computed from the summed
hours, downtime and failures of their assets. An asset is a renewal candidate when its service
life is over (`in_service` + `service_life_years` on or before the period end) or when its
failure rate is above ``assets.failure_rate_threshold`` in isms.yaml. Figures are exact
decimals, rounded half up only when reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from isms.checks import add_months, as_date
from isms.model import Entity, Repo
from isms.numbers import as_decimal, fixed, plain
from isms.outsourcing_config import AssetSettings

HOURS_A_DAY = Decimal(24)
DAYS_A_YEAR = Decimal(365)


@dataclass(frozen=True)
class Reliability:
    """Figures of one asset or one group of assets over the period."""

    hours: Decimal
    failures: int
    downtime: Decimal

    @property
    def availability(self) -> Decimal | None:
        if self.hours <= 0:
            return None
        return max(self.hours - self.downtime, Decimal(0)) / self.hours * 100

    @property
    def mtbf(self) -> Decimal | None:
        if not self.failures:
            return None
        return max(self.hours - self.downtime, Decimal(0)) / self.failures

    @property
    def failure_rate(self) -> Decimal | None:
        if self.hours <= 0:
            return None
        return Decimal(self.failures) * DAYS_A_YEAR * HOURS_A_DAY / self.hours


@dataclass(frozen=True)
class AssetFigures:
    asset: str
    name: Any  # the Text as written
    type: str
    vendor: str  # maintaining third party, '' when none
    in_service: dt.date | None
    service_life_years: int | None
    end_of_life: dt.date | None
    age_years: Decimal | None  # at the period end
    figures: Reliability
    failure_dates: tuple[dt.date, ...]
    renewal: tuple[str, ...]  # reasons, empty when not a candidate


@dataclass(frozen=True)
class GroupFigures:
    key: str
    assets: int
    figures: Reliability


@dataclass(frozen=True)
class AssetReport:
    start: dt.date
    end: dt.date
    threshold: Decimal
    assets: tuple[AssetFigures, ...]
    by_type: tuple[GroupFigures, ...]
    by_vendor: tuple[GroupFigures, ...]
    not_in_service: tuple[str, ...]  # assets put in service after the period

    @property
    def renewal_candidates(self) -> tuple[AssetFigures, ...]:
        return tuple(a for a in self.assets if a.renewal)


def default_period(today: dt.date, settings: AssetSettings) -> tuple[dt.date, dt.date]:
    """The ``period_months`` months ending on ``today`` (both ends inclusive)."""
    return add_months(today, -settings.period_months) + dt.timedelta(days=1), today


def _failures(asset: Entity, start: dt.date, end: dt.date) -> list[tuple[dt.date, Decimal]]:
    records = asset.get("failures")
    out = []
    for record in records if isinstance(records, list) else []:
        if not isinstance(record, Mapping):
            continue
        day = as_date(record.get("date"))
        hours = as_decimal(record.get("hours_down"))
        if day is not None and start <= day <= end:
            out.append((day, hours if hours is not None and hours >= 0 else Decimal(0)))
    return sorted(out)


def asset_figures(asset: Entity, start: dt.date, end: dt.date,
                  settings: AssetSettings) -> AssetFigures | None:
    in_service = as_date(asset.get("in_service"))
    if in_service is not None and in_service > end:
        return None
    begins = max(start, in_service) if in_service is not None else start
    days = (end - begins).days + 1
    failures = _failures(asset, begins, end)
    figures = Reliability(Decimal(days) * HOURS_A_DAY, len(failures),
                          sum((h for _, h in failures), Decimal(0)))
    life = asset.get("service_life_years")
    life = life if isinstance(life, int) and not isinstance(life, bool) and life > 0 else None
    end_of_life = add_months(in_service, 12 * life) if in_service and life else None
    age = (Decimal((end - in_service).days) / Decimal("365.25")) if in_service else None
    reasons = []
    if end_of_life is not None and end_of_life <= end:
        reasons.append(f"service life of {life} years ended on {end_of_life.isoformat()} "
                       f"(age {fixed(age, 1)} years)")
    rate = figures.failure_rate
    if rate is not None and rate > settings.failure_rate_threshold:
        reasons.append(f"{figures.failures} failures in {days} days = {fixed(rate, 2)} a year "
                       f"> {plain(settings.failure_rate_threshold)}")
    kind, vendor = asset.get("type"), asset.get("maintained_by")
    return AssetFigures(asset.id, asset.get("name"), kind if isinstance(kind, str) else "",
                        vendor if isinstance(vendor, str) else "", in_service, life, end_of_life,
                        age, figures, tuple(d for d, _ in failures), tuple(reasons))


def _group(assets: list[AssetFigures], key: Callable[[AssetFigures], str]) -> tuple[GroupFigures, ...]:
    groups: dict[str, list[AssetFigures]] = {}
    for a in assets:
        groups.setdefault(key(a), []).append(a)
    out = []
    for name in sorted(groups):
        members = groups[name]
        out.append(GroupFigures(name, len(members), Reliability(
            sum((a.figures.hours for a in members), Decimal(0)),
            sum(a.figures.failures for a in members),
            sum((a.figures.downtime for a in members), Decimal(0)))))
    return tuple(out)


def asset_report(repo: Repo, settings: AssetSettings, start: dt.date, end: dt.date) -> AssetReport:
    figures: list[AssetFigures] = []
    later: list[str] = []
    for asset in sorted(repo.of_kind("asset"), key=lambda e: e.id):
        result = asset_figures(asset, start, end, settings)
        if result is None:
            later.append(asset.id)
        else:
            figures.append(result)
    return AssetReport(start, end, settings.failure_rate_threshold, tuple(figures),
                       _group(figures, lambda a: a.type or "-"),
                       _group(figures, lambda a: a.vendor or "-"), tuple(later))
