"""Dates as written in spreadsheets and comply front matter."""

from __future__ import annotations

import datetime as dt

import pytest

from isms.datetext import parse_date

D = dt.date(2026, 3, 1)


@pytest.mark.parametrize("value", [
    "2026-03-01", "2026-3-1", "2026/3/1", "2026.03.01", "2026年3月1日", "2026年3月1",
    "２０２６年３月１日", " 2026-03-01 00:00:00 ", "2026/3/1 9:30", "Mar 1 2026", "March 1, 2026",
    "Mar. 1st 2026", "1 Mar 2026", "1 March, 2026", dt.date(2026, 3, 1),
    dt.datetime(2026, 3, 1, 12, 0), 46082, 46082.0,
])
def test_accepted(value: object) -> None:
    assert parse_date(value) == D


def test_comply_forms() -> None:
    assert parse_date("Jun 1 2018") == dt.date(2018, 6, 1)
    assert parse_date("Sept. 23 2020") == dt.date(2020, 9, 23)
    assert parse_date("Sep 23 2020") == dt.date(2020, 9, 23)


@pytest.mark.parametrize("value", [
    "3/1/2026", "1.3.2026", "2026-02-30", "2026年13月1日", "Marc 1 2026", "Foo 1 2026", "today",
    "", None, True, 2026, 46082.5, 1.0e12, [], {"date": "2026-03-01"},
])
def test_refused(value: object) -> None:
    assert parse_date(value) is None
