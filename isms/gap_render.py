"""Output of `isms gap` and `isms soa`: text, JSON, CSV and a self-contained HTML page.

Every function takes the plain data of isms/gap.py and returns a string; the same repository
and `--today` give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from isms.controls import EvidenceCheck, ImplementedBy
from isms.gap import COVERAGE_FORMULA, SOA_FRAMEWORK, STATUSES, GapReport, GapRow, Soa, SoaRow, Summary
from isms.tabular import csv_text, json_text

STATUS_LABEL = {"compliant": "compliant", "partial": "partial", "gap": "gap",
                "not-applicable": "n/a", "excluded-without-justification": "unjustified"}


def _pct(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value}%"


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: str) -> list[str]:
    """Aligned columns; the last column is free text and is not padded."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            if i == len(cells) - 1:
                out.append(cell)
            elif right[i] == "r":
                out.append(cell.rjust(widths[i]))
            else:
                out.append(cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    return [line(headers), *(line(r) for r in rows)]


def _evidence_words(items: Sequence[EvidenceCheck]) -> str:
    return "; ".join(x.describe() for x in items)


def _impl_words(items: Sequence[ImplementedBy]) -> str:
    return ", ".join(i.id for i in items)


def _yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no", None: ""}[value]


# --- gap --------------------------------------------------------------------------------------

def _summary_rows(report: GapReport) -> list[list[str]]:
    out = []
    for s in (*report.groups, report.total):
        title = "" if s is report.total else s.title
        out.append([s.group, *(str(s.count(st)) for st in STATUSES), str(s.total),
                    _pct(s.coverage), _pct(s.addressed), title])
    return out


def gap_text(reports: Sequence[GapReport]) -> str:
    lines = [f"Gap analysis as of {reports[0].today.isoformat()}" if reports else "Gap analysis",
             COVERAGE_FORMULA]
    headers = ["group", *(STATUS_LABEL[s] for s in STATUSES), "total", "coverage", "addressed",
               "title"]
    for report in reports:
        lines += ["", f"{report.title} ({report.framework}): {len(report.rows)} requirements", ""]
        lines += _table(headers, _summary_rows(report), "lrrrrrrrrl")
        lines.append("")
        for row in report.rows:
            lines.append(f"{row.ref}  {row.status}  {row.title}")
            lines.append(f"    {row.reason}")
    return "\n".join(lines) + "\n"


def _summary_json(s: Summary) -> dict[str, Any]:
    return {"group": s.group, "title": s.title, "total": s.total, "counts": dict(s.counts),
            "coverage": _num(s.coverage), "addressed": _num(s.addressed)}


def _evidence_json(x: EvidenceCheck) -> dict[str, Any]:
    return {"document": x.document, "every_months": x.every_months, "record": x.record,
            "collected": x.collected.isoformat() if x.collected else None, "state": x.state}


def _impl_json(i: ImplementedBy) -> dict[str, Any]:
    return {"id": i.id, "kind": i.kind, "title": i.label, "status": i.status}


def _row_json(row: GapRow) -> dict[str, Any]:
    return {
        "requirement": row.ref, "title": row.title, "group": row.group, "status": row.status,
        "reason": row.reason, "control": row.control, "control_status": row.control_status,
        "applicable": row.applicable,
        "implemented_by": [_impl_json(i) for i in row.implemented_by],
        "evidence": [_evidence_json(x) for x in row.evidence],
        "addressed_by": list(row.addressed_by),
        "inherited": [{"requirement": s.requirement, "relation": s.relation, "status": s.status,
                       "controls": list(s.controls), "mapping": s.mapping}
                      for s in row.inherited],
    }


def gap_json(reports: Sequence[GapReport]) -> str:
    return json_text({
        "today": reports[0].today.isoformat() if reports else None,
        "formula": COVERAGE_FORMULA,
        "frameworks": [
            {"framework": r.framework, "title": r.title,
             "summary": {"groups": [_summary_json(s) for s in r.groups],
                         "total": _summary_json(r.total)},
             "rows": [_row_json(row) for row in r.rows]}
            for r in reports
        ],
    })


GAP_CSV_HEADERS = ("framework", "requirement", "title", "group", "status", "control",
                   "control_status", "applicable", "implemented_by", "evidence", "inherited_via",
                   "reason")


def gap_csv(reports: Sequence[GapReport]) -> str:
    rows = []
    for r in reports:
        for row in r.rows:
            inherited = "; ".join(
                f"{s.requirement} {s.relation} {s.status}"
                + (f" {' '.join(s.controls)}" if s.controls else "") for s in row.inherited)
            rows.append([r.framework, row.requirement, row.title, row.group, row.status,
                         row.control or "", row.control_status or "", _yes_no(row.applicable),
                         _impl_words(row.implemented_by), _evidence_words(row.evidence),
                         inherited, row.reason])
    return csv_text(GAP_CSV_HEADERS, rows)


# --- SoA --------------------------------------------------------------------------------------

def _soa_counts(soa: Soa) -> list[tuple[str, int]]:
    rows = soa.rows
    statuses: dict[str, int] = {}
    for r in rows:
        if r.applicable is not False and r.status:
            statuses[r.status] = statuses.get(r.status, 0) + 1
    return [("controls", len(rows)),
            ("applicable", sum(1 for r in rows if r.applicable is True)),
            ("excluded", sum(1 for r in rows if r.applicable is False)),
            ("without a row", sum(1 for r in rows if r.control is None)),
            *sorted(statuses.items())]


def soa_text(soa: Soa) -> str:
    counts = ", ".join(f"{k} {v}" for k, v in _soa_counts(soa))
    scope = ", Annex A" if soa.framework == SOA_FRAMEWORK else ""
    lines = [f"Statement of Applicability: {soa.title}{scope}, as of {soa.today.isoformat()}",
             counts]
    for r in soa.rows:
        lines.append("")
        lines.append(f"{r.requirement}  {r.title}")
        if r.control is None:
            lines.append(f"    no control row; gap: {r.gap.reason}")
            continue
        lines.append(f"    control {r.control}  applicable: {_yes_no(r.applicable)}  "
                     f"status: {r.status or '-'}  evidence: {r.evidence_state}  "
                     f"gap: {r.gap.status}")
        if r.reason:
            lines.append(f"    reason: {r.reason}")
        if r.implemented_by:
            lines.append("    implemented by: " + ", ".join(
                f"{i.id} {i.label}" if i.label else i.id for i in r.implemented_by))
        for x in r.evidence:
            lines.append(f"    {x.describe()}")
    return "\n".join(lines) + "\n"


SOA_CSV_HEADERS = ("requirement", "title", "theme", "control", "applicable", "reason", "status",
                   "implemented_by", "evidence", "evidence_state", "gap_status", "gap_reason")


def soa_csv(soa: Soa) -> str:
    rows = [[r.requirement, r.title, r.theme, r.control or "", _yes_no(r.applicable), r.reason,
             r.status or "", _impl_words(r.implemented_by), _evidence_words(r.evidence),
             r.evidence_state, r.gap.status, r.gap.reason] for r in soa.rows]
    return csv_text(SOA_CSV_HEADERS, rows)


def _soa_row_json(r: SoaRow) -> dict[str, Any]:
    return {
        "requirement": r.ref, "title": r.title, "theme": r.theme, "control": r.control,
        "applicable": r.applicable, "reason": r.reason, "status": r.status,
        "implementation": r.implementation,
        "implemented_by": [_impl_json(i) for i in r.implemented_by],
        "evidence": [_evidence_json(x) for x in r.evidence],
        "evidence_state": r.evidence_state,
        "gap": {"status": r.gap.status, "reason": r.gap.reason},
    }


def soa_json(soa: Soa) -> str:
    return json_text({
        "framework": soa.framework, "title": soa.title, "today": soa.today.isoformat(),
        "counts": dict(_soa_counts(soa)),
        "summary": {"themes": [_summary_json(s) for s in soa.themes],
                    "total": _summary_json(soa.total)},
        "rows": [_soa_row_json(r) for r in soa.rows],
    })


# --- HTML -------------------------------------------------------------------------------------

def _render(template: str, **context: Any) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("isms", "templates"), autoescape=True,
                      undefined=StrictUndefined, keep_trailing_newline=True)
    return env.get_template(template).render(**context)


def gap_html(reports: Sequence[GapReport]) -> str:
    return _render("gap.html.j2", reports=reports, statuses=STATUSES, labels=STATUS_LABEL,
                   formula=COVERAGE_FORMULA, pct=_pct,
                   today=reports[0].today.isoformat() if reports else "")


def soa_html(soa: Soa) -> str:
    return _render("soa.html.j2", soa=soa, counts=_soa_counts(soa), yes_no=_yes_no,
                   impl=_impl_words)


GAP_FORMATS = {"text": gap_text, "json": gap_json, "csv": gap_csv, "html": gap_html}
SOA_FORMATS = {"text": soa_text, "json": soa_json, "csv": soa_csv, "html": soa_html}
