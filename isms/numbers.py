"""Exact numbers for scores, reliability figures and money.

YAML numbers arrive as int or float; they are turned into :class:`decimal.Decimal` through
their shortest text form (``0.08`` stays ``0.08``, not ``0.08000000000000000166``), so every
computation is exact and the same on every machine. Rounding is always ROUND_HALF_UP (the
rule people expect from a calculator and that finance departments state), applied only when
a figure is reported.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")


def as_decimal(value: Any) -> Decimal | None:
    """A finite Decimal for an int, float or numeric string; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, str)):
        try:
            number = Decimal(str(value).strip()) if isinstance(value, str) else Decimal(str(value))
        except (InvalidOperation, ValueError):
            return None
        return number if number.is_finite() else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    return None


def rounded(value: Decimal, places: int = 2) -> Decimal:
    """``value`` rounded half up to ``places`` decimals."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fixed(value: Decimal | None, places: int = 2) -> str:
    """Text of ``value`` rounded to ``places`` decimals; '' for None."""
    if value is None:
        return ""
    return f"{rounded(value, places):.{places}f}"


def money(value: Decimal) -> str:
    """An amount to the cent with thousands separators: ``1,234,567.89``."""
    return f"{rounded(value, 2):,.2f}"


def price(value: Decimal) -> str:
    """An amount as given: to the cent with separators, or with all its decimals if it has more
    (a unit price of 19.995 stays 19.995, so the calculation shown is the one made)."""
    if value == rounded(value, 2):
        return money(value)
    return format(value, ",f")


def plain(value: Decimal) -> str:
    """A number as written, without exponent or trailing zeros: ``0.08``, ``12``, ``99.95``."""
    text = format(value.normalize(), "f")
    return text
