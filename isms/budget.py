"""Next year's O&M budget by the two methods of the budget standard, every line explained.

The standard is a ``budget-standard`` file (docs/format.md) for one year and one currency.

* Asset ratio coefficient method (资产比例系数法): for every asset with a value in the
  standard's currency, in service by the end of the budget year and of a type the standard
  has a rate for: value × rate of its type × age factor × criticality factor × every other
  factor naming it. The age is in full years on 1 January of the budget year; its factor is
  that of the first age band whose ``up_to_years`` it does not exceed (a band without
  ``up_to_years`` takes every older asset). A missing age or criticality counts as factor 1.
* Workload method (运维工作量法): for every service and staff grade, quantity × person-days
  per unit × the grade's rate per person-day; plus every spare-parts line, quantity × unit
  price.

Money is :class:`decimal.Decimal` throughout. Each line is rounded to the cent with
ROUND_HALF_UP; a method's total is the sum of its rounded lines, so the lines shown add up
to the total shown. The difference is workload total − ratio total, and its percentage is
relative to the ratio total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from isms.checks import as_date
from isms.errors import UsageError
from isms.model import Entity, Repo
from isms.numbers import as_decimal, money, plain, price, rounded

ONE = Decimal(1)


@dataclass(frozen=True)
class RatioLine:
    asset: str
    type: str
    value: Decimal
    rate: Decimal
    age_years: int | None
    age_factor: Decimal
    criticality: str
    criticality_factor: Decimal
    other_factors: tuple[tuple[str, Decimal], ...]
    amount: Decimal
    explanation: str


@dataclass(frozen=True)
class LabourLine:
    service: str
    label: Any
    activity: str
    grade: str
    quantity: Decimal
    unit: Any
    person_days_per_unit: Decimal
    person_days: Decimal
    rate: Decimal
    amount: Decimal
    explanation: str


@dataclass(frozen=True)
class SpareLine:
    item: str
    label: Any
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    explanation: str


@dataclass(frozen=True)
class Budget:
    standard: str
    path: str
    year: int
    currency: str
    ratio_lines: tuple[RatioLine, ...]
    excluded: tuple[tuple[str, str], ...]  # (asset, why it is not in the ratio method)
    skipped: tuple[str, ...]  # entries of the standard that could not be used
    labour_lines: tuple[LabourLine, ...]
    spare_lines: tuple[SpareLine, ...]

    @property
    def ratio_total(self) -> Decimal:
        return sum((line.amount for line in self.ratio_lines), Decimal(0))

    @property
    def labour_total(self) -> Decimal:
        return sum((line.amount for line in self.labour_lines), Decimal(0))

    @property
    def spare_total(self) -> Decimal:
        return sum((line.amount for line in self.spare_lines), Decimal(0))

    @property
    def workload_total(self) -> Decimal:
        return self.labour_total + self.spare_total

    @property
    def difference(self) -> Decimal:
        return self.workload_total - self.ratio_total

    @property
    def difference_percent(self) -> Decimal | None:
        if not self.ratio_total:
            return None
        return rounded(self.difference / self.ratio_total * 100)


def find_standard(repo: Repo, year: int) -> Entity:
    """The one budget standard for ``year``; a usage error when there is none or several."""
    standards = [e for e in repo.of_kind("budget-standard")]
    matching = sorted((e for e in standards if e.get("year") == year), key=lambda e: e.id)
    if len(matching) == 1:
        return matching[0]
    if matching:
        raise UsageError(f"several budget standards for {year}: "
                         + ", ".join(f"{e.id} ({e.path})" for e in matching),
                         hint="keep one budget-standard file per year")
    years = sorted({y for e in standards if isinstance(y := e.get("year"), int)})
    known = f" (standards exist for {', '.join(map(str, years))})" if years else ""
    raise UsageError(f"no budget standard for {year}{known}",
                     hint="add a `kind: budget-standard` file with `year: "
                          f"{year}` under registers/ (see docs/format.md)")


def _list(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _full_years(start: dt.date, on: dt.date) -> int:
    years = on.year - start.year - ((on.month, on.day) < (start.month, start.day))
    return max(years, 0)


def _age_band(bands: list[Mapping[str, Any]], age: int) -> tuple[Decimal, str] | None:
    for band in bands:
        factor = as_decimal(band.get("factor"))
        if factor is None:
            continue
        limit = band.get("up_to_years")
        if limit is None:
            return factor, "older"
        if isinstance(limit, int) and not isinstance(limit, bool) and age <= limit:
            return factor, f"≤ {limit} years"
    return None


def _ratio(repo: Repo, standard: Entity, year: int, currency: str,
           skipped: list[str]) -> tuple[list[RatioLine], list[tuple[str, str]]]:
    ratio = standard.get("ratio")
    ratio = ratio if isinstance(ratio, Mapping) else {}
    rates: dict[str, Decimal] = {}
    for item in _list(ratio.get("rates")):
        kind, rate = item.get("type"), as_decimal(item.get("rate"))
        if isinstance(kind, str) and rate is not None:
            rates.setdefault(kind, rate)
        else:
            skipped.append(f"ratio.rates: entry {dict(item)!r} has no usable type and rate")
    ages = _list(ratio.get("age_factors"))
    crit_table = ratio.get("criticality_factors")
    crit_table = crit_table if isinstance(crit_table, Mapping) else {}
    others: dict[str, list[tuple[str, Decimal]]] = {}
    for item in _list(ratio.get("other_factors")):
        ident, factor = item.get("id"), as_decimal(item.get("factor"))
        assets = item.get("assets")
        if not isinstance(ident, str) or factor is None or not isinstance(assets, list):
            skipped.append(f"ratio.other_factors: entry {item.get('id')!r} has no usable id, "
                           "factor and assets")
            continue
        for asset_id in assets:
            if isinstance(asset_id, str):
                others.setdefault(asset_id, []).append((ident, factor))
    budget_start = dt.date(year, 1, 1)
    lines: list[RatioLine] = []
    excluded: list[tuple[str, str]] = []
    for asset in sorted(repo.of_kind("asset"), key=lambda e: e.id):
        value = asset.get("value")
        amount = as_decimal(value.get("amount")) if isinstance(value, Mapping) else None
        kind = asset.get("type")
        in_service = as_date(asset.get("in_service"))
        if amount is None:
            excluded.append((asset.id, "no value"))
            continue
        if isinstance(value, Mapping) and value.get("currency") != currency:
            excluded.append((asset.id, f"value in {value.get('currency')}, the standard is in {currency}"))
            continue
        if not isinstance(kind, str) or kind not in rates:
            excluded.append((asset.id, f"no rate for type {kind}"))
            continue
        if in_service is not None and in_service.year > year:
            excluded.append((asset.id, f"in service only from {in_service.isoformat()}"))
            continue
        rate = rates[kind]
        factors = [f"{price(amount)} × {plain(rate)} ({kind})"]
        age: int | None = None
        age_factor = ONE
        if in_service is not None:
            age = _full_years(in_service, budget_start)
            band = _age_band(ages, age)
            if band is not None:
                age_factor = band[0]
                factors.append(f"{plain(age_factor)} (age {age}: {band[1]})")
            else:
                factors.append(f"1 (age {age}: no age band)")
        else:
            factors.append("1 (age unknown)")
        criticality = asset.get("criticality")
        crit_factor = as_decimal(crit_table.get(criticality)) if isinstance(criticality, str) else None
        if crit_factor is None:
            crit_factor = ONE
            factors.append(f"1 (criticality {criticality or 'not given'})")
        else:
            factors.append(f"{plain(crit_factor)} ({criticality})")
        extra = tuple(sorted(others.get(asset.id, [])))
        product = amount * rate * age_factor * crit_factor
        for ident, factor in extra:
            product *= factor
            factors.append(f"{plain(factor)} ({ident})")
        line_amount = rounded(product)
        lines.append(RatioLine(
            asset.id, kind, amount, rate, age, age_factor,
            criticality if isinstance(criticality, str) else "", crit_factor, extra, line_amount,
            " × ".join(factors) + f" = {money(line_amount)}"))
    return lines, excluded


def _workload(standard: Entity, skipped: list[str]) -> tuple[list[LabourLine], list[SpareLine]]:
    workload = standard.get("workload")
    workload = workload if isinstance(workload, Mapping) else {}
    grades: dict[str, Decimal] = {}
    for item in _list(workload.get("labour_rates")):
        grade, rate = item.get("grade"), as_decimal(item.get("rate"))
        if isinstance(grade, str) and rate is not None:
            grades.setdefault(grade, rate)
    labour: list[LabourLine] = []
    for service in _list(workload.get("services")):
        ident = service.get("id")
        quantity = as_decimal(service.get("quantity"))
        if not isinstance(ident, str) or quantity is None:
            skipped.append(f"workload.services: entry {ident!r} has no usable id and quantity")
            continue
        activity = service.get("activity")
        for item in _list(service.get("workload")):
            grade, days = item.get("grade"), as_decimal(item.get("person_days"))
            if not isinstance(grade, str) or days is None:
                skipped.append(f"workload.services {ident}: a workload entry has no grade and person_days")
                continue
            if grade not in grades:
                skipped.append(f"workload.services {ident}: no labour rate for grade {grade!r}")
                continue
            rate = grades[grade]
            amount = rounded(quantity * days * rate)
            labour.append(LabourLine(
                ident, service.get("label"), activity if isinstance(activity, str) else "", grade,
                quantity, service.get("unit"), days, quantity * days, rate, amount,
                f"{plain(quantity)} × {plain(days)} person-days ({grade}) × "
                f"{price(rate)} a person-day = {money(amount)}"))
    spares: list[SpareLine] = []
    for item in _list(workload.get("spare_parts")):
        ident = item.get("id")
        quantity, unit_price = as_decimal(item.get("quantity")), as_decimal(item.get("unit_price"))
        if not isinstance(ident, str) or quantity is None or unit_price is None:
            skipped.append(f"workload.spare_parts: entry {ident!r} has no usable id, quantity "
                           "and unit_price")
            continue
        amount = rounded(quantity * unit_price)
        spares.append(SpareLine(ident, item.get("label"), quantity, unit_price, amount,
                                f"{plain(quantity)} × {price(unit_price)} = {money(amount)}"))
    labour.sort(key=lambda line: (line.service, line.grade))
    spares.sort(key=lambda line: line.item)
    return labour, spares


def compute_budget(repo: Repo, standard: Entity) -> Budget:
    year = standard.get("year")
    year = year if isinstance(year, int) and not isinstance(year, bool) else 0
    currency = standard.get("currency")
    currency = currency if isinstance(currency, str) else ""
    skipped: list[str] = []
    ratio_lines, excluded = _ratio(repo, standard, year, currency, skipped)
    labour, spares = _workload(standard, skipped)
    return Budget(standard.id, standard.path, year, currency, tuple(ratio_lines), tuple(excluded),
                  tuple(skipped), tuple(labour), tuple(spares))
