"""Dates as people write them in spreadsheets and Markdown front matter.

Accepted, besides real date cells: ``2026-03-01``, ``2026/3/1``, ``2026.3.1``, ``2026年3月1日``
(any of them followed by a time, which is dropped), ``Mar 1 2026``, ``March 1, 2026``,
``1 Mar 2026`` (strongdm/comply writes ``Jun 1 2018``), and an Excel day number in a plain
number cell. Day-first or month-first forms with slashes (``3/1/2026``) are refused: which
one is meant cannot be told.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

EXCEL_EPOCH = dt.date(1899, 12, 30)
# Excel day numbers taken as dates: 1950-01-01 .. 2099-12-31.
SERIAL_RANGE = (18264, 73050)

DATE_FORMS = "2026-03-01, 2026/3/1, 2026年3月1日 or Mar 1 2026"

_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                  r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_MONTHS = {name: i + 1 for i, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_MDY = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_DMY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})$")


def _month(name: str) -> int | None:
    name = name.casefold()
    if name == "sept":
        name = "sep"
    month = _MONTHS.get(name[:3])
    full = ("january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december")
    if month is None or (len(name) > 3 and name not in (full[month - 1], "sept")):
        return None
    return month


def _make(year: int, month: int | None, day: int) -> dt.date | None:
    if month is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(value: Any) -> dt.date | None:
    """The date ``value`` stands for, or None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if float(value).is_integer() and SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1]:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        return None
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    m = _YMD.match(text)
    if m:
        return _make(int(m[1]), int(m[2]), int(m[3]))
    m = _MDY.match(text)
    if m:
        return _make(int(m[3]), _month(m[1]), int(m[2]))
    m = _DMY.match(text)
    if m:
        return _make(int(m[3]), _month(m[2]), int(m[1]))
    return None
