"""Plain-text tables, CSV and JSON text for the report commands.

Text tables are aligned by display width (a Chinese character takes two columns), so a
staff list with Chinese names still lines up in a terminal. CSV uses the csv module with
``\\n`` line ends; JSON is indented, keeps non-ASCII text as is and ends with a newline.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Sequence
from typing import Any


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, size: int, right: bool) -> str:
    fill = " " * max(size - width(text), 0)
    return fill + text if right else text + fill


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: str = "",
               indent: str = "") -> list[str]:
    """Lines of an aligned table. ``right`` holds one character per column: 'r' aligns that
    column to the right (numbers), anything else to the left."""
    sizes = [width(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            sizes[i] = max(sizes[i], width(cell))
    flags = [i < len(right) and right[i] == "r" for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return (indent + "  ".join(_pad(c, sizes[i], flags[i]) for i, c in enumerate(cells))).rstrip()

    return [line(headers), line(["-" * s for s in sizes]), *(line(r) for r in rows)]


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def json_text(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
