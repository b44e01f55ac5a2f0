"""Settings of the outsourcing features, read from isms.yaml with defaults when absent.

Three optional sections: ``vendors`` (scorecard weights, scale, grade bands and the warning
windows for certificates and contracts), ``activity_risk`` (points per factor, level
thresholds and the controls each level requires) and ``assets`` (renewal thresholds). The
config schema already rejects wrong types; the readers below still fall back to the default
for any value they cannot use, so a bad isms.yaml never crashes a report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from isms.numbers import as_decimal
from isms.periods import Period, parse_period

COMPONENTS = ("sla", "satisfaction", "expert_review")
DEFAULT_WEIGHTS = {"sla": Decimal(40), "satisfaction": Decimal(30), "expert_review": Decimal(30)}


@dataclass(frozen=True)
class VendorSettings:
    weights: Mapping[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    scale: Decimal = Decimal(100)
    pass_min: Decimal = Decimal(90)
    fair_min: Decimal = Decimal(80)
    certificate_warning_days: int = 90
    contract_warning_days: int = 180
    evaluations_from: Period | None = None

    def grade(self, score: Decimal) -> str:
        if score >= self.pass_min:
            return "pass"
        if score >= self.fair_min:
            return "fair"
        return "fail"


@dataclass(frozen=True)
class Band:
    """``points`` when the measured value is at least ``min``."""

    min: Decimal
    points: int


DEFAULT_POINTS: dict[str, dict[str, int]] = {
    "access": {"privileged": 3, "remote": 2, "data": 2, "onsite": 1},
    "classification": {"public": 0, "internal": 1, "sensitive": 2, "confidential": 3},
    "criticality": {"low": 0, "medium": 1, "high": 2, "critical": 3},
    "mode": {"self": 0, "mixed": 1, "full": 2},
}
DEFAULT_VALUE_BANDS = (Band(Decimal(1000000), 2), Band(Decimal(200000), 1))
DEFAULT_RISK_BANDS = (Band(Decimal(15), 3), Band(Decimal(9), 2), Band(Decimal(1), 1))
LEVELS = ("low", "medium", "high", "critical")
DEFAULT_LEVEL_MIN = {"medium": 9, "high": 14, "critical": 18}


@dataclass(frozen=True)
class ActivityRiskSettings:
    points: Mapping[str, Mapping[str, int]] = field(default_factory=lambda: dict(DEFAULT_POINTS))
    value_bands: tuple[Band, ...] = DEFAULT_VALUE_BANDS
    value_currency: str = "CNY"
    risk_bands: tuple[Band, ...] = DEFAULT_RISK_BANDS
    level_min: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_LEVEL_MIN))
    required_controls: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def level(self, total: int) -> tuple[str, str]:
        """The level of ``total`` points and the rule that placed it there."""
        for name in reversed(LEVELS[1:]):
            threshold = self.level_min[name]
            if total >= threshold:
                return name, f"{total} ≥ {threshold}"
        return "low", f"{total} < {self.level_min['medium']}"


@dataclass(frozen=True)
class AssetSettings:
    failure_rate_threshold: Decimal = Decimal(3)
    period_months: int = 12


def _section(raw: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = raw.get(name)
    return value if isinstance(value, Mapping) else {}


def _int(value: Any, default: int, minimum: int = 0) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value
    return default


def _decimal(value: Any, default: Decimal) -> Decimal:
    number = as_decimal(value)
    return number if number is not None and number >= 0 else default


def vendor_settings(raw: Mapping[str, Any]) -> VendorSettings:
    section = _section(raw, "vendors")
    defaults = VendorSettings()
    weights = dict(DEFAULT_WEIGHTS)
    given = section.get("weights")
    if isinstance(given, Mapping):
        for key in COMPONENTS:
            if key in given:
                weights[key] = _decimal(given[key], weights[key])
    if sum(weights.values()) <= 0:
        weights = dict(DEFAULT_WEIGHTS)
    grades = section.get("grades")
    grades = grades if isinstance(grades, Mapping) else {}
    scale = _decimal(section.get("scale"), defaults.scale)
    if scale <= 0:
        scale = defaults.scale
    return VendorSettings(
        weights=weights,
        scale=scale,
        pass_min=_decimal(grades.get("pass"), defaults.pass_min * scale / 100),
        fair_min=_decimal(grades.get("fair"), defaults.fair_min * scale / 100),
        certificate_warning_days=_int(section.get("certificate_warning_days"),
                                      defaults.certificate_warning_days),
        contract_warning_days=_int(section.get("contract_warning_days"),
                                   defaults.contract_warning_days),
        evaluations_from=_month(section.get("evaluations_from")),
    )


def _month(value: Any) -> Period | None:
    period = parse_period(value)
    return period if period is not None and period.kind == "month" else None


def _bands(value: Any, default: tuple[Band, ...]) -> tuple[Band, ...]:
    if not isinstance(value, list):
        return default
    bands = []
    for item in value:
        if not isinstance(item, Mapping):
            continue
        low = as_decimal(item.get("min"))
        points = item.get("points")
        if low is not None and isinstance(points, int) and not isinstance(points, bool):
            bands.append(Band(low, points))
    return tuple(sorted(bands, key=lambda b: b.min, reverse=True)) if bands else default


def activity_risk_settings(raw: Mapping[str, Any]) -> ActivityRiskSettings:
    section = _section(raw, "activity_risk")
    defaults = ActivityRiskSettings()
    points: dict[str, dict[str, int]] = {k: dict(v) for k, v in DEFAULT_POINTS.items()}
    given = _section(section, "points")
    for factor, table in points.items():
        override = given.get(factor)
        if isinstance(override, Mapping):
            for key, value in override.items():
                if isinstance(key, str):
                    table[key] = _int(value, table.get(key, 0))
    level_min = dict(DEFAULT_LEVEL_MIN)
    levels = _section(section, "levels")
    for name in level_min:
        level_min[name] = _int(levels.get(name), level_min[name])
    required: dict[str, tuple[str, ...]] = {}
    required_table = _section(section, "required_controls")
    for name in LEVELS:
        refs = required_table.get(name)
        if isinstance(refs, list):
            required[name] = tuple(sorted({r for r in refs if isinstance(r, str)}))
    currency = section.get("value_currency")
    return ActivityRiskSettings(
        points=points,
        value_bands=_bands(given.get("value"), defaults.value_bands),
        value_currency=currency if isinstance(currency, str) else defaults.value_currency,
        risk_bands=_bands(given.get("risk"), defaults.risk_bands),
        level_min=level_min,
        required_controls=required,
    )


def asset_settings(raw: Mapping[str, Any]) -> AssetSettings:
    section = _section(raw, "assets")
    defaults = AssetSettings()
    return AssetSettings(
        failure_rate_threshold=_decimal(section.get("failure_rate_threshold"),
                                        defaults.failure_rate_threshold),
        period_months=_int(section.get("period_months"), defaults.period_months, 1),
    )
