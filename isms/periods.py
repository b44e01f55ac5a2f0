"""Evaluation periods: a month (``2026-10``), a quarter (``2026-Q3``) or a year (``2026``).

Vendor evaluations are recorded monthly; quarters and years are made of months, so every
period here can list its months and name the period before it (for trends).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

_PERIOD = re.compile(r"^(?P<year>[0-9]{4})(?:-(?:(?P<month>0[1-9]|1[0-2])|Q(?P<quarter>[1-4])))?$")


@dataclass(frozen=True, order=True)
class Period:
    """``kind`` is month, quarter or year; ``index`` is the month (1-12), quarter (1-4) or 0."""

    year: int
    kind: str
    index: int

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year:04d}-{self.index:02d}"
        if self.kind == "quarter":
            return f"{self.year:04d}-Q{self.index}"
        return f"{self.year:04d}"

    def months(self) -> tuple[Period, ...]:
        if self.kind == "month":
            return (self,)
        first, count = ((self.index - 1) * 3 + 1, 3) if self.kind == "quarter" else (1, 12)
        return tuple(month(self.year, m) for m in range(first, first + count))

    def previous(self) -> Period:
        if self.kind == "month":
            return month(self.year - 1, 12) if self.index == 1 else month(self.year, self.index - 1)
        if self.kind == "quarter":
            return (Period(self.year - 1, "quarter", 4) if self.index == 1
                    else Period(self.year, "quarter", self.index - 1))
        return Period(self.year - 1, "year", 0)

    def next(self) -> Period:
        if self.kind != "month":
            raise ValueError("next() is defined for months")
        return month(self.year + 1, 1) if self.index == 12 else month(self.year, self.index + 1)

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.months()[0].index, 1)

    def last_day(self) -> dt.date:
        last = self.months()[-1]
        following = last.next()
        return dt.date(following.year, following.index, 1) - dt.timedelta(days=1)

    def __str__(self) -> str:
        return self.label


def month(year: int, index: int) -> Period:
    return Period(year, "month", index)


def month_of(day: dt.date) -> Period:
    return month(day.year, day.month)


def parse_period(text: object) -> Period | None:
    """The period written as ``text``, or None when it is not one of the three forms."""
    if not isinstance(text, str):
        return None
    return _parse(text)


@lru_cache(maxsize=4096)
def _parse(text: str) -> Period | None:
    # Thousands of evaluations name a few dozen periods; a Period is immutable.
    m = _PERIOD.match(text.strip())
    if not m:
        return None
    year = int(m["year"])
    if m["month"]:
        return month(year, int(m["month"]))
    if m["quarter"]:
        return Period(year, "quarter", int(m["quarter"]))
    return Period(year, "year", 0)


def months_between(first: Period, last: Period) -> tuple[Period, ...]:
    """Every month from ``first`` to ``last`` inclusive (empty when ``first`` is later)."""
    out: list[Period] = []
    current = first
    while current <= last:
        out.append(current)
        current = current.next()
    return tuple(out)


def last_complete_month(today: dt.date) -> Period:
    """The month before the month of ``today``: the latest month that is over."""
    return month_of(today).previous()
