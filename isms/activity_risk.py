"""The risk level of each third-party activity, with the steps that led to it.

The level is a sum of points (tables in ``activity_risk.points`` of isms.yaml, defaults in
:mod:`isms.outsourcing_config`), one step per factor:

1. access: the points of every kind of access the vendor has, added up;
2. classification: the highest classification among the assets the activity touches;
3. criticality: the highest criticality among those assets;
4. value: the band of the most valuable of those assets (amounts in ``value_currency`` only);
5. mode: the outsourcing mode (self-operated, mixed, fully outsourced);
6. risks: the band of the highest inherent score (likelihood × impact) among the linked risks
   (listed in the activity's `risks`, or naming the activity in their `activities`).
   Inherent, not residual: the level decides which controls are required, and those controls
   are what bring the residual score down, so using the residual score would be circular.

The total is placed in a level by ``activity_risk.levels`` (the lowest total of medium, high
and critical; anything below medium is low). ``activity_risk.required_controls`` lists, per
level, the framework requirements (``iso27001-2022:A.5.20``) that must be covered by a control
in the activity's `controls` that is in force (applicable, and implemented or partial). Each
level lists all it requires; without that table nothing is required.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from isms.model import Entity, Repo
from isms.numbers import as_decimal, money, plain
from isms.outsourcing_config import ActivityRiskSettings, Band

IN_FORCE = ("implemented", "partial")


@dataclass(frozen=True)
class Step:
    factor: str
    detail: str
    points: int


@dataclass(frozen=True)
class MissingControl:
    requirement: str
    reason: str


@dataclass(frozen=True)
class ActivityRisk:
    activity: str
    third_party: str
    steps: tuple[Step, ...]
    total: int
    level: str
    level_rule: str
    required: tuple[str, ...]
    missing: tuple[MissingControl, ...]

    @property
    def explanation(self) -> tuple[str, ...]:
        lines = [f"{s.factor}: {s.detail} → {s.points}" for s in self.steps]
        lines.append(f"total {' + '.join(str(s.points) for s in self.steps)} = {self.total} "
                     f"→ {self.level} ({self.level_rule})")
        return tuple(lines)


def _ids(entity: Entity, key: str) -> list[str]:
    value = entity.get(key)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _band(value: Decimal, bands: tuple[Band, ...]) -> Band | None:
    for band in bands:
        if value >= band.min:
            return band
    return None


def _highest(assets: list[Entity], key: str, table: Mapping[str, int], factor: str) -> Step:
    best: tuple[int, str, list[str]] | None = None
    for asset in assets:
        value = asset.get(key)
        if not isinstance(value, str) or value not in table:
            continue
        points = table[value]
        if best is None or points > best[0]:
            best = (points, value, [asset.id])
        elif points == best[0] and value == best[1]:
            best[2].append(asset.id)
    if best is None:
        return Step(factor, f"no asset touched has a {key}", 0)
    points, value, holders = best
    return Step(factor, f"highest {value} ({', '.join(sorted(holders))})", points)


def _value_step(assets: list[Entity], settings: ActivityRiskSettings) -> Step:
    best: tuple[Decimal, str] | None = None
    other: list[str] = []
    for asset in assets:
        value = asset.get("value")
        if not isinstance(value, Mapping):
            continue
        amount = as_decimal(value.get("amount"))
        if amount is None:
            continue
        if value.get("currency") != settings.value_currency:
            other.append(asset.id)
            continue
        if best is None or amount > best[0]:
            best = (amount, asset.id)
    note = f"; not in {settings.value_currency}, left out: {', '.join(sorted(other))}" if other else ""
    if best is None:
        return Step("value", f"no asset touched has a value in {settings.value_currency}{note}", 0)
    amount, holder = best
    band = _band(amount, settings.value_bands)
    rule = (f" ≥ {money(band.min)}" if band is not None
            else f" < {money(min(b.min for b in settings.value_bands))}" if settings.value_bands else "")
    return Step("value", f"highest {money(amount)} {settings.value_currency} ({holder}){rule}{note}",
                band.points if band else 0)


def linked_risks(repo: Repo, activity: Entity) -> list[Entity]:
    ids = set(_ids(activity, "risks"))
    for risk in repo.of_kind("risk"):
        if activity.id in _ids(risk, "activities"):
            ids.add(risk.id)
    return [r for i in sorted(ids) if (r := repo.by_id.get(i)) is not None and r.kind == "risk"]


def _risk_step(risks: list[Entity], settings: ActivityRiskSettings) -> Step:
    best: tuple[int, Entity, int, int] | None = None
    for risk in risks:
        likelihood, impact = risk.get("likelihood"), risk.get("impact")
        if not (isinstance(likelihood, int) and isinstance(impact, int)) or isinstance(
                likelihood, bool) or isinstance(impact, bool):
            continue
        score = likelihood * impact
        if best is None or score > best[0]:
            best = (score, risk, likelihood, impact)
    if best is None:
        return Step("risks", "no linked risk with a score", 0)
    score, risk, likelihood, impact = best
    band = _band(Decimal(score), settings.risk_bands)
    rule = f" ≥ {plain(band.min)}" if band is not None else ""
    return Step("risks", f"highest inherent {risk.id} {likelihood} × {impact} = {score}{rule}",
                band.points if band else 0)


def _required(repo: Repo, activity: Entity, refs: tuple[str, ...]) -> tuple[MissingControl, ...]:
    controls = [c for i in _ids(activity, "controls")
                if (c := repo.by_id.get(i)) is not None and c.kind == "control"]
    missing: list[MissingControl] = []
    for ref in refs:
        matching = [c for c in controls if c.get("requirement") == ref]
        if not matching:
            missing.append(MissingControl(ref, "none of the activity's controls is for it"))
            continue
        if any(c.get("applicable") is not False and c.get("status") in IN_FORCE for c in matching):
            continue
        states = ", ".join(
            f"{c.id} is {'not applicable' if c.get('applicable') is False else c.get('status')}"
            for c in matching)
        missing.append(MissingControl(ref, f"{states}, not in force"))
    return tuple(missing)


def assess(repo: Repo, activity: Entity, settings: ActivityRiskSettings) -> ActivityRisk:
    points = settings.points
    access = [a for a in _ids(activity, "access") if a in points["access"]]
    if access:
        detail = (" + ".join(access) + " = "
                  + " + ".join(str(points["access"][a]) for a in access))
        access_step = Step("access", detail, sum(points["access"][a] for a in access))
    else:
        access_step = Step("access", "none listed", 0)
    assets = [a for i in _ids(activity, "assets")
              if (a := repo.by_id.get(i)) is not None and a.kind == "asset"]
    mode: Any = activity.get("mode")
    if isinstance(mode, str) and mode in points["mode"]:
        mode_step = Step("mode", mode, points["mode"][mode])
    else:
        mode_step = Step("mode", "not given", 0)
    steps = (
        access_step,
        _highest(assets, "classification", points["classification"], "classification"),
        _highest(assets, "criticality", points["criticality"], "criticality"),
        _value_step(assets, settings),
        mode_step,
        _risk_step(linked_risks(repo, activity), settings),
    )
    total = sum(s.points for s in steps)
    level, rule = settings.level(total)
    required = settings.required_controls.get(level, ())
    party = activity.get("third_party")
    return ActivityRisk(activity.id, party if isinstance(party, str) else "", steps, total, level,
                        rule, required, _required(repo, activity, required))


def assess_activities(repo: Repo, settings: ActivityRiskSettings,
                      third_party: str | None = None) -> tuple[ActivityRisk, ...]:
    out = [assess(repo, a, settings) for a in repo.of_kind("activity")
           if third_party is None or a.get("third_party") == third_party]
    return tuple(sorted(out, key=lambda r: r.activity))
