"""What counts as the same content, for document control and `isms diff`.

Two versions of a file hold the same content when their parsed data is equal: layout, key
order, quoting, flow or block style and comments are not content, and neither are runs of
whitespace inside text (re-wrapping a paragraph changes no word). Values keep their type, so
`true` and `1`, or `"1"` and `1`, differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def normal(value: Any) -> Any:
    """A hashable, type-tagged canonical form of parsed YAML data."""
    if isinstance(value, Mapping):
        return ("map", tuple(sorted(((str(k), normal(v)) for k, v in value.items()),
                                    key=lambda kv: kv[0])))
    if isinstance(value, list):
        return ("list", tuple(normal(v) for v in value))
    if isinstance(value, str):
        return ("str", " ".join(value.split()))
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("num", value)
    if value is None:
        return ("null",)
    return ("other", repr(value))


def same(a: Any, b: Any) -> bool:
    return bool(normal(a) == normal(b))


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any],
                   skip: Iterable[str] = ()) -> tuple[str, ...]:
    """Top-level keys whose value was added, removed or changed, sorted."""
    skipped = set(skip)
    keys = (set(old) | set(new)) - skipped
    missing = object()
    return tuple(sorted(
        str(k) for k in keys
        if (old.get(k, missing) is missing) != (new.get(k, missing) is missing)
        or (k in old and k in new and not same(old[k], new[k]))
    ))


def text_of(value: Any, languages: Iterable[str] = ("en",)) -> str:
    """A Text value on one line, in the first configured language that has it."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, Mapping):
        for lang in (*languages, *sorted(str(k) for k in value)):
            if isinstance(value.get(lang), str):
                return " ".join(value[lang].split())
    return ""
