"""The audit workbook: the ISMS as spreadsheet sheets, for auditors and for round trips.

One sheet each for the Statement of Applicability, the coverage per framework group, the gap
analysis per framework, the registers (risks, third parties, their staff and certificates,
activities, assets, evaluations), the vendor scorecards and the document register.

The register sheets use the columns of :mod:`isms.register_columns`, so `isms import xlsx`
reads them back unchanged; a list field (SLA targets, certifications, staff, failures,
measured values) takes one row per item, with the entity's own columns repeated on each row
so the sheet can be sorted and filtered. Computed columns (scores, statuses) follow the
register columns and are ignored by the import. Everything is sorted by id, so the same
repository and day give the same workbook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from isms.checks import add_months, as_date
from isms.errors import UsageError
from isms.i18n import natural_key, pick
from isms.numbers import rounded
from isms.register_columns import LAYOUTS, SheetColumn, columns
from isms.xlsx import CellValue, Sheet, sheet_name

if TYPE_CHECKING:
    from isms.catalogs import Catalogs
    from isms.model import Entity, Repo

Derived = Callable[["Entity", int | None], Sequence[CellValue]]


@dataclass(frozen=True)
class Workbook:
    title: str
    sheets: tuple[Sheet, ...]
    left_out: tuple[tuple[str, str], ...]   # (sheet, why) for sheets that could not be made


def _get(data: Any, path: str) -> Any:
    node = data
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


def _dec(value: Decimal | None, places: int = 2) -> Decimal | None:
    return None if value is None else rounded(value, places)


def cell_value(col: SheetColumn, data: Any, languages: Sequence[str]) -> CellValue:
    """The cell for one register column of an entity (or one list item of it)."""
    kind = col.type.name
    if kind == "language":
        base, _, lang = col.path.rpartition(".")
        value = _get(data, base)
        if isinstance(value, str):
            return value if lang == languages[0] else None
        text = value.get(lang) if isinstance(value, Mapping) else None
        return text if isinstance(text, str) else None
    value = _get(data, col.path)
    if value is None:
        return None
    if kind == "text":
        return pick(value, languages) or None
    if kind == "date":
        return as_date(value) or str(value)
    if kind == "list":
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if kind == "map":
        if isinstance(value, Mapping):
            return "\n".join(f"{k}: {v}" for k, v in value.items())
        return str(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (Mapping, list)):
        return str(value)
    return str(value)


def register_sheet(repo: Repo, kind: str, name: str, paths: Sequence[str],
                   derived: Sequence[str] = (), values: Derived | None = None,
                   skip_empty: bool = False, id_header: str = "") -> Sheet:
    """The register of ``kind`` with the columns at ``paths`` (the id first), then the
    ``derived`` columns whose cells ``values(entity, item index)`` gives."""
    languages = repo.config.languages or ("en",)
    wanted = set(paths)
    cols = [c for c in columns(kind, languages)
            if c.path in wanted or c.path.rpartition(".")[0] in wanted]
    groups = {c.path.partition("[]")[0] for c in cols if "[]" in c.path}
    if len(groups) > 1:  # pragma: no cover - the sheet definitions below have at most one
        raise ValueError(f"{name}: one list per sheet, not {sorted(groups)}")
    group = next(iter(groups), None)
    headers = [id_header if c.path == "id" and id_header else c.header for c in cols]
    rows: list[tuple[CellValue, ...]] = []
    entities = sorted((e for e in repo.of_kind(kind) if repo.by_id.get(e.id) is e),
                      key=lambda e: natural_key(e.id))
    for entity in entities:
        items: list[Any] = []
        if group is not None:
            raw = entity.get(group)
            items = [i for i in raw if isinstance(i, Mapping)] if isinstance(raw, list) else []
        if skip_empty and not items:
            continue
        for index in range(max(1, len(items))):
            item = items[index] if index < len(items) else None
            cells: list[CellValue] = []
            for c in cols:
                if "[]" in c.path:
                    rest = c.path.partition("[].")[2]
                    cells.append(cell_value(SheetColumn(c.header, rest, c.type, c.names), item,
                                            languages) if item is not None else None)
                else:
                    cells.append(cell_value(c, entity.data, languages))
            if values is not None:
                cells.extend(values(entity, index if item is not None else None))
            rows.append(tuple(cells))
    return Sheet(name, (*headers, *derived), tuple(rows))


def _derived_headers(kind: str, names: Sequence[str]) -> list[str]:
    known = dict(LAYOUTS[kind].derived)
    for n in names:
        assert n in known, n
    return list(names)


def _paths(kind: str, skip: str = "", only: str = "") -> list[str]:
    out = []
    for c in LAYOUTS[kind].columns:
        if skip and c.path.startswith(skip):
            continue
        if only and c.path != "id" and not c.path.startswith(only):
            continue
        out.append(c.path)
    return out


# --- the sheets -------------------------------------------------------------------------------

def soa_sheet(repo: Repo, catalogs: Catalogs, today: dt.date) -> Sheet:
    from isms.gap import statement_of_applicability

    soa = statement_of_applicability(repo, catalogs, today)
    rows = []
    for r in soa.rows:
        rows.append((r.requirement, r.title, r.theme, r.control or "", _yes_no(r.applicable),
                     r.reason, r.status or "", r.implementation,
                     ", ".join(i.id for i in r.implemented_by),
                     "; ".join(x.describe() for x in r.evidence), r.evidence_state,
                     r.gap.status, r.gap.reason))
    return Sheet("SoA", ("Requirement", "Title", "Theme", "Control", "Applicable",
                         "Justification", "Status", "Implementation", "Implemented by",
                         "Evidence", "Evidence state", "Gap status", "Gap reason"), tuple(rows))


def gap_sheets(repo: Repo, catalogs: Catalogs, today: dt.date) -> list[Sheet]:
    from isms.gap import STATUSES, gap_analysis

    reports = gap_analysis(repo, catalogs, today)
    coverage: list[tuple[CellValue, ...]] = []
    sheets = []
    taken = ["SoA", "Coverage"]
    for report in reports:
        for s in (*report.groups, report.total):
            coverage.append((report.framework, s.group, s.title,
                             *(s.count(status) for status in STATUSES), s.total,
                             s.coverage, s.addressed))
        rows = []
        for g in report.rows:
            inherited = "; ".join(f"{s.requirement} {s.relation} ({s.status})"
                                  for s in g.inherited)
            rows.append((g.requirement, g.title, g.group, g.status, g.reason, g.control or "",
                         g.control_status or "", ", ".join(g.addressed_by), inherited))
        name = sheet_name(f"Gap {report.framework}", taken)
        taken.append(name)
        sheets.append(Sheet(name, ("Requirement", "Title", "Group", "Status", "Reason", "Control",
                                   "Control status", "Addressed by", "Inherited from"),
                            tuple(rows)))
    summary = Sheet("Coverage", ("Framework", "Group", "Title", "Compliant", "Partial", "Gap",
                                 "Not applicable", "Excluded without justification", "Total",
                                 "Coverage %", "Addressed %"), tuple(coverage))
    return [summary, *sheets]


def risk_sheet(repo: Repo, catalogs: Catalogs, today: dt.date) -> Sheet:
    from isms.risks import risk_register

    by_id = {r.id: r for r in risk_register(repo, catalogs, today).rows}

    def values(entity: Entity, _: int | None) -> Sequence[CellValue]:
        r = by_id.get(entity.id)
        if r is None:
            return (None,) * 6
        return (r.inherent, r.residual, r.effective, _yes_no(r.above_appetite), r.treatment,
                r.overdue_days)

    return register_sheet(repo, "risk", "Risks", _paths("risk"), _derived_headers(
        "risk", ["Inherent score", "Residual score", "Effective score", "Above appetite",
                 "Treatment state", "Overdue days"]), values)


def third_party_sheets(repo: Repo, today: dt.date) -> list[Sheet]:
    from isms.outsourcing_config import vendor_settings
    from isms.staff import staff_audit

    audit = staff_audit(repo, vendor_settings(repo.config.raw), today)
    certs = {(c.third_party, c.index): c for c in audit.certifications}
    contracts = {c.third_party: c for c in audit.contracts}
    staff = {(s.third_party, s.index): s for s in audit.staff}
    active: dict[str, list[str]] = {}
    for a in repo.of_kind("activity"):
        party = a.get("third_party")
        if isinstance(party, str):
            active.setdefault(party, []).append(a.id)

    def party_values(entity: Entity, index: int | None) -> Sequence[CellValue]:
        cert = certs.get((entity.id, index)) if index is not None else None
        contract = contracts.get(entity.id)
        return (cert.status if cert else None, contract.status if contract else None,
                ", ".join(sorted(active.get(entity.id, []), key=natural_key)) or None)

    def staff_values(entity: Entity, index: int | None) -> Sequence[CellValue]:
        s = staff.get((entity.id, index)) if index is not None else None
        if s is None:
            return (None,) * 5
        return (s.status, s.days_left, ", ".join(s.activities) or None,
                ", ".join(s.sensitive_activities) or None, s.problem or None)

    parties = register_sheet(
        repo, "third-party", "Third parties", _paths("third-party", skip="staff[]"),
        _derived_headers("third-party", ["Certification status", "Contract status",
                                         "Active activities"]), party_values)
    people = register_sheet(
        repo, "third-party", "Staff and certificates", _paths("third-party", only="staff[]"),
        _derived_headers("third-party", ["Certificate status", "Days left", "Works on",
                                         "Privileged or remote", "Problem"]), staff_values,
        skip_empty=True, id_header="Third party")
    return [parties, people]


def activity_sheet(repo: Repo) -> Sheet:
    from isms.activity_risk import assess_activities
    from isms.outsourcing_config import activity_risk_settings

    assessed = {r.activity: r for r in assess_activities(
        repo, activity_risk_settings(repo.config.raw))}

    def values(entity: Entity, _: int | None) -> Sequence[CellValue]:
        r = assessed.get(entity.id)
        if r is None:
            return (None,) * 3
        return (r.total, r.level, ", ".join(m.requirement for m in r.missing) or None)

    return register_sheet(repo, "activity", "Activities", _paths("activity"), _derived_headers(
        "activity", ["Risk points", "Risk level", "Missing controls"]), values)


def asset_sheet(repo: Repo, today: dt.date) -> Sheet:
    from isms.assets import asset_report, default_period
    from isms.outsourcing_config import asset_settings

    settings = asset_settings(repo.config.raw)
    start, end = default_period(today, settings)
    figures = {a.asset: a for a in asset_report(repo, settings, start, end).assets}

    def values(entity: Entity, _: int | None) -> Sequence[CellValue]:
        a = figures.get(entity.id)
        if a is None:
            return (None,) * 5
        f = a.figures
        return (_dec(f.availability, 3), f.failures, _dec(f.failure_rate, 2), a.end_of_life,
                "; ".join(a.renewal) or None)

    return register_sheet(repo, "asset", "Assets", _paths("asset"), _derived_headers(
        "asset", ["Availability %", "Failures in period", "Failure rate (a year)", "End of life",
                  "Renewal"]), values)


def evaluation_sheet(repo: Repo) -> Sheet:
    from isms.outsourcing_config import vendor_settings
    from isms.scorecard import month_scores

    scores = {s.evaluation: s for s in month_scores(repo, vendor_settings(repo.config.raw)).values()}

    def values(entity: Entity, _: int | None) -> Sequence[CellValue]:
        s = scores.get(entity.id)
        return (s.score, s.grade) if s is not None else (None, None)

    return register_sheet(repo, "evaluation", "Evaluations", _paths("evaluation"),
                          _derived_headers("evaluation", ["Score", "Grade"]), values)


def scorecard_sheet(repo: Repo, today: dt.date) -> Sheet:
    from isms.outsourcing_config import vendor_settings
    from isms.scorecard import scorecard

    card = scorecard(repo, vendor_settings(repo.config.raw), today)
    rows = []
    for r in card.rows:
        rows.append((r.third_party, r.period, r.score, r.grade or "",
                     _dec(r.components.get("sla")), _dec(r.components.get("satisfaction")),
                     _dec(r.components.get("expert_review")), r.breaches,
                     ", ".join(r.evaluations), ", ".join(r.missing), ", ".join(r.pending),
                     r.previous, r.previous_score, r.change, r.trend, r.below_pass_streak,
                     "; ".join(r.notes)))
    return Sheet("Scorecards", ("Third party", "Period", "Score", "Grade", "SLA %",
                                "Satisfaction %", "Expert review %", "SLA breaches",
                                "Evaluations", "Missing months", "Pending months", "Previous",
                                "Previous score", "Change", "Trend", "Below-pass streak",
                                "Notes"), tuple(rows))


def document_sheet(repo: Repo) -> Sheet:
    from isms.model import CONTROLLED_KINDS, TIER_OF

    languages = repo.config.languages or ("en",)
    rows = []
    entities = [e for e in repo.entities if e.kind in CONTROLLED_KINDS and repo.by_id.get(e.id) is e]
    for e in sorted(entities, key=lambda e: (TIER_OF[e.kind], natural_key(e.id))):
        approval = e.get("approval") if isinstance(e.get("approval"), Mapping) else {}
        review = e.get("review") if isinstance(e.get("review"), Mapping) else {}
        every = review.get("every_months")
        every = every if isinstance(every, int) and not isinstance(every, bool) else None
        last = as_date(review.get("last"))
        governed = e.get("policy") if e.kind == "procedure" else e.get("procedure") \
            if e.kind == "document" else e.get("parent")
        requirements = e.get("requirements")
        rows.append((
            e.id, e.kind, TIER_OF[e.kind], pick(e.get("title"), languages),
            _str(e.get("version")), _str(e.get("status")), _str(e.get("owner")),
            _str(approval.get("by")), as_date(approval.get("on")), every, last,
            add_months(last, every) if last is not None and every else None, _str(governed),
            _str(e.get("type")), _str(e.get("frequency")),
            ", ".join(r for r in requirements if isinstance(r, str))
            if isinstance(requirements, list) else "", e.path))
    return Sheet("Documents", ("ID", "Kind", "Tier", "Title", "Version", "Status", "Owner",
                               "Approved by", "Approved on", "Review every (months)",
                               "Last review", "Next review", "Governed by", "Type", "Frequency",
                               "Requirements", "File"), tuple(rows))


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def build_workbook(repo: Repo, catalogs: Catalogs, today: dt.date) -> Workbook:
    """Every sheet, in reading order: SoA and gap first, then registers, scorecards and
    documents."""
    makers: list[tuple[str, Callable[[], list[Sheet]]]] = [
        ("SoA", lambda: [soa_sheet(repo, catalogs, today)]),
        ("Gap", lambda: gap_sheets(repo, catalogs, today)),
        ("Risks", lambda: [risk_sheet(repo, catalogs, today)]),
        ("Third parties", lambda: third_party_sheets(repo, today)),
        ("Activities", lambda: [activity_sheet(repo)]),
        ("Assets", lambda: [asset_sheet(repo, today)]),
        ("Evaluations", lambda: [evaluation_sheet(repo)]),
        ("Scorecards", lambda: [scorecard_sheet(repo, today)]),
        ("Documents", lambda: [document_sheet(repo)]),
    ]
    sheets: list[Sheet] = []
    left_out: list[tuple[str, str]] = []
    for name, make in makers:
        try:
            sheets.extend(make())
        except UsageError as exc:  # e.g. no ISO/IEC 27001 catalog for the SoA
            left_out.append((name, exc.message))
    title = pick(repo.config.organisation, repo.config.languages or ("en",))
    return Workbook(f"{title} ISMS workbook".strip(), tuple(sheets), tuple(left_out))
