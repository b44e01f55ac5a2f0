"""Text, CSV and JSON renderings of the outsourcing reports (SLA, scorecards, staff, activity
risk, assets, budget). Each function takes the core result and returns the whole output.

In JSON every decimal figure is a string of its rounded value ("87.69", "9065449.50"), so no
reader turns an exact amount into a binary float; counts are numbers, dates are YYYY-MM-DD.
Text shows one language of bilingual labels (the first configured one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from isms.activity_risk import ActivityRisk
from isms.assets import AssetReport, GroupFigures, Reliability
from isms.budget import Budget
from isms.i18n import pick
from isms.numbers import fixed, money, plain
from isms.outsourcing_config import COMPONENTS, VendorSettings
from isms.scorecard import PeriodScore, Scorecard
from isms.sla import SlaResult
from isms.staff import StaffAudit
from isms.tabular import csv_text, json_text, text_table

SLA_RULE = ("attainment = actual / target × 100 when higher is better, target / actual × 100 "
            "when lower is better, capped at 100; below 100 is a breach")


def _d(value: Decimal | None, places: int = 2) -> str | None:
    """JSON form of a decimal: its rounded text, or null."""
    return None if value is None else fixed(value, places)


def _date(value: Any) -> str:
    return value.isoformat() if value is not None else ""


# --- SLA ------------------------------------------------------------------------------------

def sla_text(result: SlaResult) -> str:
    rows = [[m.third_party, m.period, m.activity, m.metric, m.better, plain(m.target),
             plain(m.actual), m.unit, fixed(m.attainment), "BREACH" if m.breached else ""]
            for m in result.measurements]
    lines = [f"SLA attainment ({SLA_RULE})", ""]
    lines += text_table(["third party", "period", "activity", "metric", "better", "target",
                         "actual", "unit", "attainment %", ""], rows, right="lllllrrlr")
    breaches = sum(1 for m in result.measurements if m.breached)
    if result.unmatched:
        lines += ["", "Values without an SLA target (not scored):"]
        lines += [f"  {u.evaluation} metrics[{u.index}]: {u.reason}" for u in result.unmatched]
    lines += ["", f"{len(result.measurements)} values, {breaches} breached"]
    return "\n".join(lines) + "\n"


SLA_COLUMNS = ["third_party", "period", "evaluation", "activity", "metric", "better", "unit",
               "target", "actual", "attainment_percent", "breached"]


def sla_csv(result: SlaResult) -> str:
    return csv_text(SLA_COLUMNS, [
        [m.third_party, m.period, m.evaluation, m.activity, m.metric, m.better, m.unit,
         plain(m.target), plain(m.actual), fixed(m.attainment), "yes" if m.breached else "no"]
        for m in result.measurements])


def sla_json(result: SlaResult) -> str:
    return json_text({
        "rule": SLA_RULE,
        "measurements": [
            {"third_party": m.third_party, "period": m.period, "evaluation": m.evaluation,
             "activity": m.activity, "metric": m.metric, "better": m.better, "unit": m.unit,
             "target": plain(m.target), "actual": plain(m.actual),
             "attainment_percent": fixed(m.attainment), "breached": m.breached}
            for m in result.measurements],
        "unmatched": [{"evaluation": u.evaluation, "index": u.index, "activity": u.activity,
                       "metric": u.metric, "reason": u.reason} for u in result.unmatched],
        "summary": {"values": len(result.measurements),
                    "breached": sum(1 for m in result.measurements if m.breached)},
    })


# --- scorecards -----------------------------------------------------------------------------

def _settings_line(s: VendorSettings) -> str:
    weights = ", ".join(f"{c} {plain(s.weights[c])}" for c in COMPONENTS)
    return (f"weights {weights}; scale {plain(s.scale)}; pass ≥ {plain(s.pass_min)}, "
            f"fair ≥ {plain(s.fair_min)}, fail below")


def _row_notes(row: PeriodScore) -> list[str]:
    notes = []
    if row.missing:
        notes.append("missing: " + ", ".join(row.missing))
    if row.pending:
        notes.append("not over yet: " + ", ".join(row.pending))
    if row.flagged:
        notes.append(f"FLAG: {row.below_pass_streak} consecutive {row.kind}s below pass")
    notes.extend(row.notes)
    return notes


def scorecard_text(card: Scorecard) -> str:
    title = f"Vendor scorecard {card.period}" if card.period else "Vendor scorecard, every month"
    lines = [f"{title} ({_settings_line(card.settings)})",
             "score = Σ weight × component / Σ weight, on the scale; a quarter or year is the "
             "mean of its monthly scores", ""]
    rows = []
    for row in card.rows:
        months = len(row.months)
        total = months + len(row.missing) + len(row.pending)
        rows.append([row.third_party, row.period, fixed(row.score), row.grade or "-",
                     fixed(row.components.get("sla")), fixed(row.components.get("satisfaction")),
                     fixed(row.components.get("expert_review")), str(row.breaches),
                     fixed(row.change) if row.change is not None else "", row.trend,
                     f"{months}/{total}", "FLAG" if row.flagged else ""])
    lines += text_table(["third party", "period", "score", "grade", "sla", "satisfaction",
                         "expert", "breaches", "change", "trend", "months", ""], rows,
                        right="llrlrrrrrlr")
    notes_lines = [f"{r.third_party} {r.period}: " + "; ".join(_row_notes(r))
                   for r in card.rows if _row_notes(r)]
    if notes_lines:
        lines += ["", "Notes:"] + [f"  {n}" for n in notes_lines]
    return "\n".join(lines) + "\n"


SCORE_COLUMNS = ["third_party", "period", "score", "grade", "sla", "satisfaction",
                 "expert_review", "breaches", "previous", "previous_score", "change", "trend",
                 "below_pass_streak", "flagged", "months", "missing", "pending", "notes"]


def scorecard_csv(card: Scorecard) -> str:
    return csv_text(SCORE_COLUMNS, [
        [r.third_party, r.period, fixed(r.score), r.grade or "", fixed(r.components.get("sla")),
         fixed(r.components.get("satisfaction")), fixed(r.components.get("expert_review")),
         str(r.breaches), r.previous, fixed(r.previous_score), fixed(r.change), r.trend,
         str(r.below_pass_streak), "yes" if r.flagged else "no", " ".join(r.months),
         " ".join(r.missing), " ".join(r.pending), "; ".join(r.notes)]
        for r in card.rows])


def scorecard_json(card: Scorecard) -> str:
    s = card.settings
    return json_text({
        "period": card.period or None,
        "today": card.today.isoformat(),
        "settings": {"weights": {c: plain(s.weights[c]) for c in COMPONENTS},
                     "scale": plain(s.scale), "pass": plain(s.pass_min), "fair": plain(s.fair_min)},
        "rows": [
            {"third_party": r.third_party, "period": r.period, "kind": r.kind,
             "score": _d(r.score), "grade": r.grade,
             "components": {c: _d(r.components.get(c)) for c in COMPONENTS},
             "breaches": r.breaches, "months": list(r.months), "missing": list(r.missing),
             "pending": list(r.pending), "evaluations": list(r.evaluations),
             "previous": r.previous, "previous_score": _d(r.previous_score),
             "change": _d(r.change), "trend": r.trend or None,
             "below_pass_streak": r.below_pass_streak, "flagged": r.flagged,
             "notes": list(r.notes)}
            for r in card.rows],
    })


# --- certified staff ------------------------------------------------------------------------

def staff_text(audit: StaffAudit) -> str:
    lines = [f"Certified staff on {audit.today.isoformat()} (expiring: within "
             f"{audit.certificate_warning_days} days)", ""]
    lines += text_table(
        ["third party", "staff", "name", "certificate", "expires", "status", "days",
         "activities", "problem"],
        [[s.third_party, s.staff, s.name, s.certificate or "-", _date(s.expires) or "-",
          s.status, "" if s.days_left is None else str(s.days_left),
          ", ".join(s.activities) or "-",
          f"{s.severity}: {s.problem}" if s.severity else ""] for s in audit.staff],
        right="llllllr")
    lines += ["", f"Third-party certifications (expiring: within {audit.certificate_warning_days} "
              "days)", ""]
    lines += text_table(
        ["third party", "standard", "certificate", "expires", "status", "days", "problem"],
        [[c.third_party, c.standard, c.certificate, _date(c.expires), c.status, str(c.days_left),
          f"{c.severity}: {c.problem}" if c.severity else ""] for c in audit.certifications],
        right="lllllr")
    lines += ["", f"Contracts (expiring: within {audit.contract_warning_days} days)", ""]
    lines += text_table(
        ["third party", "contract", "start", "end", "status", "days", "activities", "problem"],
        [[c.third_party, c.contract, _date(c.start), _date(c.end), c.status, str(c.days_left),
          str(len(c.activities)), f"{c.severity}: {c.problem}" if c.severity else ""]
         for c in audit.contracts],
        right="lllllrr")
    counts = {k: sum(1 for s in audit.staff if s.status == k)
              for k in ("valid", "expiring", "expired", "none")}
    severities = [s.severity for s in audit.staff] + [c.severity for c in audit.certifications] \
        + [c.severity for c in audit.contracts]
    lines += ["", f"{len(audit.staff)} staff: {counts['valid']} valid, {counts['expiring']} "
              f"expiring, {counts['expired']} expired, {counts['none']} without certificate; "
              f"{severities.count('error')} errors, {severities.count('warning')} warnings"]
    return "\n".join(lines) + "\n"


STAFF_COLUMNS = ["record", "third_party", "id", "name", "role", "certificate", "start",
                 "expires", "status", "days_left", "activities", "severity", "problem"]


def staff_csv(audit: StaffAudit) -> str:
    rows = [["staff", s.third_party, s.staff, s.name, s.role, s.certificate, "",
             _date(s.expires), s.status, "" if s.days_left is None else str(s.days_left),
             " ".join(s.activities), s.severity, s.problem] for s in audit.staff]
    rows += [["certification", c.third_party, "", c.standard, "", c.certificate, "",
              _date(c.expires), c.status, str(c.days_left), " ".join(c.activities), c.severity,
              c.problem] for c in audit.certifications]
    rows += [["contract", c.third_party, "", "", "", c.contract, _date(c.start), _date(c.end),
              c.status, str(c.days_left), " ".join(c.activities), c.severity, c.problem]
             for c in audit.contracts]
    return csv_text(STAFF_COLUMNS, rows)


def staff_json(audit: StaffAudit) -> str:
    return json_text({
        "today": audit.today.isoformat(),
        "certificate_warning_days": audit.certificate_warning_days,
        "contract_warning_days": audit.contract_warning_days,
        "staff": [{"third_party": s.third_party, "id": s.staff, "name": s.name, "role": s.role,
                   "certificate": s.certificate or None, "expires": _date(s.expires) or None,
                   "status": s.status, "days_left": s.days_left,
                   "activities": list(s.activities),
                   "privileged_or_remote": list(s.sensitive_activities),
                   "severity": s.severity or None, "problem": s.problem or None}
                  for s in audit.staff],
        "certifications": [{"third_party": c.third_party, "standard": c.standard,
                            "certificate": c.certificate, "expires": _date(c.expires),
                            "status": c.status, "days_left": c.days_left,
                            "activities": list(c.activities), "severity": c.severity or None,
                            "problem": c.problem or None} for c in audit.certifications],
        "contracts": [{"third_party": c.third_party, "contract": c.contract,
                       "start": _date(c.start) or None, "end": _date(c.end), "status": c.status,
                       "days_left": c.days_left, "activities": list(c.activities),
                       "severity": c.severity or None, "problem": c.problem or None}
                      for c in audit.contracts],
    })


# --- activity risk --------------------------------------------------------------------------

def risk_text(risks: Sequence[ActivityRisk]) -> str:
    lines = ["Third-party activity risk levels (points per factor, added up; see "
             "`activity_risk` in isms.yaml)", ""]
    lines += text_table(
        ["activity", "third party", "points", "level", "required", "missing"],
        [[r.activity, r.third_party, str(r.total), r.level, str(len(r.required)),
          str(len(r.missing))] for r in risks], right="llrlrr")
    for r in risks:
        lines += ["", f"{r.activity} ({r.third_party}): {r.level}, {r.total} points"]
        lines += [f"  {step}" for step in r.explanation]
        required = ", ".join(r.required) if r.required else "none"
        lines.append(f"  required controls ({r.level}): {required}")
        lines += [f"  MISSING {m.requirement}: {m.reason}" for m in r.missing]
    return "\n".join(lines) + "\n"


RISK_COLUMNS = ["activity", "third_party", "access", "classification", "criticality", "value",
                "mode", "risks", "total", "level", "required", "missing", "explanation"]


def risk_csv(risks: Sequence[ActivityRisk]) -> str:
    return csv_text(RISK_COLUMNS, [
        [r.activity, r.third_party, *(str(s.points) for s in r.steps), str(r.total), r.level,
         " ".join(r.required), " ".join(m.requirement for m in r.missing),
         "; ".join(r.explanation)] for r in risks])


def risk_json(risks: Sequence[ActivityRisk]) -> str:
    return json_text({"activities": [
        {"activity": r.activity, "third_party": r.third_party,
         "steps": [{"factor": s.factor, "detail": s.detail, "points": s.points} for s in r.steps],
         "total": r.total, "level": r.level, "level_rule": r.level_rule,
         "required": list(r.required),
         "missing": [{"requirement": m.requirement, "reason": m.reason} for m in r.missing],
         "explanation": list(r.explanation)} for r in risks]})


# --- assets ---------------------------------------------------------------------------------

def _figures_cells(f: Reliability) -> list[str]:
    return [str(f.failures), fixed(f.downtime, 1), fixed(f.mtbf, 1) if f.mtbf is not None else "-",
            fixed(f.availability, 3) if f.availability is not None else "-"]


def _groups_text(title: str, key: str, groups: Sequence[GroupFigures]) -> list[str]:
    return ["", title, ""] + text_table(
        [key, "assets", "failures", "downtime h", "MTBF h", "availability %"],
        [[g.key, str(g.assets), *_figures_cells(g.figures)] for g in groups], right="lrrrrr")


def assets_text(report: AssetReport) -> str:
    lines = [f"Asset reliability {report.start.isoformat()} to {report.end.isoformat()} "
             "(availability = (hours − downtime) / hours × 100; MTBF = (hours − downtime) / "
             "failures; hours counted from the later of the period start and in_service)", ""]
    lines += text_table(
        ["asset", "type", "vendor", "failures", "downtime h", "MTBF h", "availability %",
         "failures/year", "age", "renewal"],
        [[a.asset, a.type, a.vendor or "-", *_figures_cells(a.figures),
          fixed(a.figures.failure_rate, 2) if a.figures.failure_rate is not None else "-",
          fixed(a.age_years, 1) if a.age_years is not None else "-",
          "yes" if a.renewal else ""] for a in report.assets],
        right="lllrrrrrr")
    lines += _groups_text("By asset type", "type", report.by_type)
    lines += _groups_text("By maintaining vendor", "vendor", report.by_vendor)
    candidates = report.renewal_candidates
    lines += ["", f"Renewal candidates ({len(candidates)}; service life over, or more than "
              f"{plain(report.threshold)} failures a year):"]
    lines += [f"  {a.asset}: {'; '.join(a.renewal)}" for a in candidates] or ["  none"]
    if report.not_in_service:
        lines += ["", "Not yet in service in the period: " + ", ".join(report.not_in_service)]
    return "\n".join(lines) + "\n"


ASSET_COLUMNS = ["scope", "key", "type", "vendor", "assets", "failures", "downtime_hours",
                 "mtbf_hours", "availability_percent", "failures_per_year", "in_service",
                 "age_years", "end_of_life", "renewal"]


def assets_csv(report: AssetReport) -> str:
    rows = []
    for a in report.assets:
        f = a.figures
        rows.append(["asset", a.asset, a.type, a.vendor, "1", str(f.failures), fixed(f.downtime, 1),
                     fixed(f.mtbf, 1), fixed(f.availability, 3), fixed(f.failure_rate, 2),
                     _date(a.in_service), fixed(a.age_years, 1), _date(a.end_of_life),
                     "; ".join(a.renewal)])
    for scope, groups in (("type", report.by_type), ("vendor", report.by_vendor)):
        for g in groups:
            f = g.figures
            rows.append([scope, g.key, g.key if scope == "type" else "",
                         g.key if scope == "vendor" else "", str(g.assets), str(f.failures),
                         fixed(f.downtime, 1), fixed(f.mtbf, 1), fixed(f.availability, 3),
                         fixed(f.failure_rate, 2), "", "", "", ""])
    return csv_text(ASSET_COLUMNS, rows)


def _figures_json(f: Reliability) -> dict[str, Any]:
    return {"hours": _d(f.hours, 1), "failures": f.failures, "downtime_hours": _d(f.downtime, 1),
            "mtbf_hours": _d(f.mtbf, 1), "availability_percent": _d(f.availability, 3),
            "failures_per_year": _d(f.failure_rate, 2)}


def assets_json(report: AssetReport, languages: Sequence[str]) -> str:
    return json_text({
        "from": report.start.isoformat(), "to": report.end.isoformat(),
        "failure_rate_threshold": plain(report.threshold),
        "assets": [{"asset": a.asset, "name": pick(a.name, languages), "type": a.type,
                    "vendor": a.vendor or None, "in_service": _date(a.in_service) or None,
                    "service_life_years": a.service_life_years,
                    "end_of_life": _date(a.end_of_life) or None, "age_years": _d(a.age_years, 1),
                    **_figures_json(a.figures),
                    "failure_dates": [d.isoformat() for d in a.failure_dates],
                    "renewal": list(a.renewal)} for a in report.assets],
        "by_type": [{"type": g.key, "assets": g.assets, **_figures_json(g.figures)}
                    for g in report.by_type],
        "by_vendor": [{"vendor": g.key, "assets": g.assets, **_figures_json(g.figures)}
                      for g in report.by_vendor],
        "renewal_candidates": [a.asset for a in report.renewal_candidates],
        "not_in_service": list(report.not_in_service),
    })


# --- budget ---------------------------------------------------------------------------------

ROUNDING = ("amounts are rounded to the cent (ROUND_HALF_UP) line by line; totals are the sums "
            "of the rounded lines")


def budget_text(budget: Budget, languages: Sequence[str]) -> str:
    c = budget.currency
    lines = [f"O&M budget {budget.year} from {budget.standard} ({budget.path}), in {c}",
             f"{ROUNDING[0].upper()}{ROUNDING[1:]}.", "",
             "Asset ratio coefficient method: value × rate of the type × age factor × "
             "criticality factor × other factors", ""]
    lines += text_table(["asset", "calculation", f"amount {c}"],
                        [[r.asset, r.explanation.rsplit(" = ", 1)[0], money(r.amount)]
                         for r in budget.ratio_lines], right="llr", indent="  ")
    for asset, why in budget.excluded:
        lines.append(f"  not included: {asset}: {why}")
    lines += ["", f"  Ratio coefficient method total: {money(budget.ratio_total)} {c}", "",
              "Workload method: quantity × person-days per unit × rate per person-day, plus "
              "spare parts", ""]
    rows = []
    previous = ""
    for line in budget.labour_lines:
        first = line.service != previous
        previous = line.service
        rows.append([line.service if first else "",
                     f"{pick(line.label, languages)} (unit: {pick(line.unit, languages)})"
                     if first else "",
                     line.explanation.rsplit(" = ", 1)[0], money(line.amount)])
    lines += text_table(["service", "description", "calculation", f"amount {c}"], rows,
                        right="lllr", indent="  ")
    lines += ["", f"  Labour: {money(budget.labour_total)} {c}", ""]
    lines += text_table(
        ["spare parts", "item", "calculation", f"amount {c}"],
        [[s.item, pick(s.label, languages), s.explanation.rsplit(" = ", 1)[0], money(s.amount)]
         for s in budget.spare_lines], right="lllr", indent="  ")
    lines += ["", f"  Spare parts: {money(budget.spare_total)} {c}",
              f"  Workload method total: {money(budget.workload_total)} {c}"]
    for note in budget.skipped:
        lines.append(f"  skipped: {note}")
    percent = budget.difference_percent
    lines += ["", "Comparison", ""]
    lines += text_table(["method", f"total {c}"],
                        [["asset ratio coefficient", money(budget.ratio_total)],
                         ["workload", money(budget.workload_total)],
                         ["difference (workload − ratio)", money(budget.difference)]],
                        right="lr", indent="  ")
    if percent is not None:
        lines.append(f"  The workload method is {fixed(abs(percent))} % "
                     f"{'above' if percent >= 0 else 'below'} the ratio method "
                     "(difference / ratio total × 100).")
    return "\n".join(lines) + "\n"


BUDGET_COLUMNS = ["method", "line", "item", "label", "calculation", "amount", "currency"]


def budget_csv(budget: Budget, languages: Sequence[str]) -> str:
    c = budget.currency
    rows = [["ratio", "asset", r.asset, r.type, r.explanation, fixed(r.amount), c]
            for r in budget.ratio_lines]
    rows.append(["ratio", "total", "", "", "", fixed(budget.ratio_total), c])
    rows += [["workload", "labour", line.service, pick(line.label, languages), line.explanation,
              fixed(line.amount), c] for line in budget.labour_lines]
    rows += [["workload", "spare-parts", s.item, pick(s.label, languages), s.explanation,
              fixed(s.amount), c] for s in budget.spare_lines]
    rows.append(["workload", "total", "", "", "", fixed(budget.workload_total), c])
    rows.append(["comparison", "difference", "", "workload − ratio",
                 f"{fixed(budget.difference_percent)} % of the ratio total"
                 if budget.difference_percent is not None else "", fixed(budget.difference), c])
    return csv_text(BUDGET_COLUMNS, rows)


def _text_json(value: Any) -> Any:
    return dict(value) if isinstance(value, Mapping) else value


def budget_json(budget: Budget) -> str:
    return json_text({
        "standard": budget.standard, "path": budget.path, "year": budget.year,
        "currency": budget.currency, "rounding": ROUNDING,
        "ratio": {
            "lines": [{"asset": r.asset, "type": r.type, "value": plain(r.value),
                       "rate": plain(r.rate), "age_years": r.age_years,
                       "age_factor": plain(r.age_factor), "criticality": r.criticality or None,
                       "criticality_factor": plain(r.criticality_factor),
                       "other_factors": {i: plain(f) for i, f in r.other_factors},
                       "amount": fixed(r.amount), "explanation": r.explanation}
                      for r in budget.ratio_lines],
            "excluded": [{"asset": a, "reason": why} for a, why in budget.excluded],
            "total": fixed(budget.ratio_total)},
        "workload": {
            "labour": [{"service": line.service, "label": _text_json(line.label),
                        "activity": line.activity or None, "grade": line.grade,
                        "quantity": plain(line.quantity), "unit": _text_json(line.unit),
                        "person_days_per_unit": plain(line.person_days_per_unit),
                        "person_days": plain(line.person_days), "rate": plain(line.rate),
                        "amount": fixed(line.amount), "explanation": line.explanation}
                       for line in budget.labour_lines],
            "labour_total": fixed(budget.labour_total),
            "spare_parts": [{"item": s.item, "label": _text_json(s.label),
                             "quantity": plain(s.quantity), "unit_price": plain(s.unit_price),
                             "amount": fixed(s.amount), "explanation": s.explanation}
                            for s in budget.spare_lines],
            "spare_parts_total": fixed(budget.spare_total),
            "total": fixed(budget.workload_total)},
        "difference": fixed(budget.difference),
        "difference_percent": _d(budget.difference_percent),
        "skipped": list(budget.skipped),
    })
