"""Output of `isms risks`: text (with the two heat maps), CSV and JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from isms.risks import HeatCell, Register, RiskRow
from isms.tabular import csv_text, json_text


def _n(value: int | None) -> str:
    return "-" if value is None else str(value)


def _date(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _controls_words(row: RiskRow) -> str:
    return ", ".join(f"{c.id} {c.status}" for c in row.controls)


def _appetite_words(row: RiskRow) -> str:
    if not row.above_appetite:
        return "within"
    return "accepted" if row.accepted else "ABOVE"


def _heat_lines(cells: Sequence[HeatCell], scale: int) -> list[str]:
    width = max(3, *(len(str(len(c.risks))) + 1 for c in cells)) if cells else 3
    lines = ["  L\\I " + "".join(str(i).rjust(width) for i in range(1, scale + 1))]
    for likelihood in range(scale, 0, -1):
        row = [c for c in cells if c.likelihood == likelihood]
        counts = "".join((str(len(c.risks)) if c.risks else ".").rjust(width) for c in row)
        lines.append(f"  {str(likelihood).rjust(3)} {counts}")
    return lines


def risks_text(reg: Register) -> str:
    lines = [f"Risk register as of {reg.today.isoformat()}: {len(reg.rows)} risks, scale "
             f"1..{reg.scale}, appetite {reg.appetite} (a residual score above it needs "
             "acceptance)",
             "score = likelihood x impact; effective = residual when every treating control is "
             "implemented, else inherent", ""]
    headers = ["id", "L", "I", "inh", "res", "eff", "appetite", "option", "due", "status",
               "treatment"]
    rows = []
    for r in reg.rows:
        due = _date(r.due) + (f" (overdue {r.overdue_days}d)" if r.overdue else "")
        rows.append([r.id, _n(r.likelihood), _n(r.impact), _n(r.inherent), _n(r.residual),
                     _n(r.effective), _appetite_words(r), r.option or "-", due or "-",
                     r.status or "-", r.treatment])
    widths = [max(len(h), *(len(x[i]) for x in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    numeric = {1, 2, 3, 4, 5}

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(widths[i]) if i in numeric else c.ljust(widths[i])
                         for i, c in enumerate(cells)).rstrip()

    lines.append(line(headers))
    for r, cells in zip(reg.rows, rows, strict=True):
        lines.append(line(cells))
        lines.append(f"    {r.title}")
        if r.controls:
            lines.append(f"    controls: {_controls_words(r)}")
        if r.accepted:
            lines.append(f"    accepted by {r.accepted_by} on {_date(r.accepted_on)}")
    lines += ["", "Heat map, inherent (count of risks; likelihood down, impact across)"]
    lines += _heat_lines(reg.inherent_map, reg.scale)
    lines += ["", "Heat map, residual"]
    lines += _heat_lines(reg.residual_map, reg.scale)
    return "\n".join(lines) + "\n"


RISK_CSV_HEADERS = ("id", "title", "owner", "status", "likelihood", "impact", "inherent",
                    "residual_likelihood", "residual_impact", "residual", "effective",
                    "above_appetite", "accepted_by", "accepted_on", "option", "due",
                    "overdue_days", "treatment", "controls")


def risks_csv(reg: Register) -> str:
    return csv_text(RISK_CSV_HEADERS, [
        [r.id, r.title, r.owner, r.status, _n(r.likelihood), _n(r.impact), _n(r.inherent),
         _n(r.residual_likelihood), _n(r.residual_impact), _n(r.residual), _n(r.effective),
         "yes" if r.above_appetite else "no", r.accepted_by, _date(r.accepted_on), r.option,
         _date(r.due), r.overdue_days, r.treatment, _controls_words(r)] for r in reg.rows])


def _heat_json(cells: Sequence[HeatCell]) -> list[dict[str, Any]]:
    return [{"likelihood": c.likelihood, "impact": c.impact, "score": c.likelihood * c.impact,
             "count": len(c.risks), "risks": list(c.risks)} for c in cells]


def risks_json(reg: Register) -> str:
    doc = {
        "today": reg.today.isoformat(),
        "scale": reg.scale,
        "appetite": reg.appetite,
        "risks": [
            {"id": r.id, "title": r.title, "owner": r.owner, "status": r.status,
             "likelihood": r.likelihood, "impact": r.impact, "inherent": r.inherent,
             "residual": {"likelihood": r.residual_likelihood, "impact": r.residual_impact,
                          "score": r.residual},
             "effective": r.effective, "above_appetite": r.above_appetite,
             "accepted": ({"by": r.accepted_by, "on": _date(r.accepted_on)}
                          if r.accepted else None),
             "treatment": {"option": r.option, "due": _date(r.due) or None,
                           "overdue": r.overdue, "overdue_days": r.overdue_days,
                           "state": r.treatment,
                           "controls": [{"id": c.id, "status": c.status,
                                         "implemented": c.implemented} for c in r.controls]}}
            for r in reg.rows
        ],
        "heatmap": {"inherent": _heat_json(reg.inherent_map),
                    "residual": _heat_json(reg.residual_map)},
    }
    return json_text(doc)


RISK_FORMATS = {"text": risks_text, "csv": risks_csv, "json": risks_json}
