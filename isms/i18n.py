"""Picking one language out of a bilingual Text value, and ordering ids the way people read them.

Reports and graph labels show one language (the first configured one); the data keeps all of
them. Values may be malformed (the schema reports that), so nothing here raises.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_DIGITS = re.compile(r"(\d+)")


def pick(value: Any, languages: Sequence[str] = ("en",)) -> str:
    """The text in the first of ``languages`` that has one, else any language, else ''."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for lang in languages:
            text = value.get(lang)
            if isinstance(text, str) and text:
                return text
        for key in sorted(value, key=str):
            text = value[key]
            if isinstance(text, str) and text:
                return text
    return ""


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key under which A.5.2 comes before A.5.10 and RSK-9 before RSK-10."""
    return tuple((0, int(part)) if part.isdigit() else (1, part)
                 for part in _DIGITS.split(text) if part != "")
