"""The core sections of the auditor report: dashboard, Statement of Applicability, gap
analysis, document register, risks, check findings, evidence and one page per entity.

Each section is a function of the gathered :class:`~isms.report.Report` returning pages of
blocks; nothing here writes HTML (see :mod:`isms.render`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from isms import svg
from isms.checks import add_months, as_date
from isms.gap import SOA_FRAMEWORK, STATUSES
from isms.i18n import natural_key
from isms.loader import is_language_key
from isms.model import Entity
from isms.report import (
    TOOL,
    Block,
    Cell,
    FieldRow,
    Page,
    Part,
    Report,
    Stat,
    Table,
    Value,
    cells,
    entity_blocks,
    fields_block,
    note_block,
    panel,
    relative_url,
    safe_name,
    section,
    stats_block,
    svg_block,
    table_block,
)

STATUS_COLOURS = {
    "compliant": "#3d8b37", "partial": "#e0a526", "gap": "#c0392b",
    "not-applicable": "#9e9e9e", "excluded-without-justification": "#6d2b8a",
}
ROLE_KEYS = frozenset({"owner", "by", "author", "role", "R", "A", "C", "I", "reviewer"})
EXPIRING_DAYS = 30


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{value}%"


def _date(value: Any) -> str:
    day = as_date(value)
    return day.isoformat() if day is not None else ""


def _day(value: dt.date | None) -> Part:
    return Part(value.isoformat() if value else "", cls="date")


# --- generic field rendering ------------------------------------------------------------------

def _is_text(value: Any) -> bool:
    return (isinstance(value, Mapping) and bool(value)
            and all(is_language_key(k) and isinstance(v, str) for k, v in value.items()))


def value_of(report: Report, key: str, data: Any) -> Value:
    """A field value for the page: Text in the report's language, ids as links, roles named."""
    if _is_text(data):
        text = report.text(data)
        return Value(parts=(Part(text),), multiline="\n" in text or len(text) > 160)
    if isinstance(data, bool):
        return Value(parts=(Part(report.t.yes_no(data)),))
    if isinstance(data, (int, float, Decimal)):
        return Value(parts=(Part(str(data)),))
    if isinstance(data, dt.date):
        return Value(parts=(Part(data.isoformat()),))
    if isinstance(data, str):
        if data in report.repo.by_id or data in report.repo.staff or (
                ":" in data and data in report.graph):
            return Value(parts=(report.link(data),))
        if key in ROLE_KEYS and data in report.config.roles:
            return Value(parts=(Part(report.role(data), title=data),))
        return Value(parts=(Part(data),), multiline="\n" in data or len(data) > 160)
    if isinstance(data, list):
        if all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in data) and \
                all(not isinstance(v, str) or len(v) < 80 for v in data):
            parts: list[Part] = []
            for v in data:
                parts.extend(value_of(report, key, v).parts)
            return Value(parts=tuple(parts))
        return Value(items=tuple(value_of(report, key, v) for v in data))
    if isinstance(data, Mapping):
        return Value(fields=tuple(FieldRow(str(k), value_of(report, str(k), v))
                                  for k, v in data.items()))
    if data is None:
        return Value()
    return Value(parts=(Part(str(data)),))


# Fields shown by a dedicated block on the entity's page instead of the generic listing.
SHOWN_ELSEWHERE = {"third-party": ("staff",)}


def entity_fields(report: Report, entity: Entity) -> list[FieldRow]:
    skip = ("kind", "id", *SHOWN_ELSEWHERE.get(entity.kind, ()))
    return [FieldRow(str(k), value_of(report, str(k), v)) for k, v in entity.data.items()
            if k not in skip]


# --- dashboard --------------------------------------------------------------------------------

@section("dashboard", 0)
def dashboard(report: Report) -> Iterable[Page]:
    from isms.report import PANELS

    blocks: list[Block] = []
    for _key, (_order, func) in sorted(PANELS.items(), key=lambda kv: (kv[1][0], kv[0])):
        blocks.extend(func(report))
    t = report.t
    yield Page("index.html", t("nav.dashboard"), tuple(blocks), nav=t("nav.dashboard"),
               layout="dashboard", kicker=report.text(report.config.organisation))


@panel("shape", 10)
def shape_panel(report: Report) -> Iterable[Block]:
    t = report.t
    counts = [(t(f"tier.{k}"), sum(1 for e in report.entities if e.kind == k))
              for k in ("policy", "procedure", "document")]
    desc = ", ".join(f"{n} {label}" for label, n in counts)
    yield svg_block(t("dash.shape"), svg.tiers("tiers", t("dash.shape"), desc, counts),
                    note=t("dash.shape.caption"), anchor="shape")


@panel("findings", 20)
def findings_panel(report: Report) -> Iterable[Block]:
    t = report.t
    counts = report.check.counts()
    stats = [Stat(t.status(sev), str(n), "findings.html", f"sev-{sev}") for sev, n in counts.items()]
    note = "" if report.check.findings else t("dash.findings.none")
    yield Block(t("dash.findings"), "stats", stats=tuple(stats), note=note, anchor="findings")


@panel("coverage", 30)
def coverage_panel(report: Report) -> Iterable[Block]:
    t = report.t
    soa = report.soa
    if soa is not None:
        rows = [(f"{g.group} " + _theme_title(report, g.group, g.title),
                 [(s, g.count(s)) for s in STATUSES]) for g in soa.themes]
        names = {s: t.status(s) for s in STATUSES}
        desc = "; ".join(f"{g.group}: " + ", ".join(f"{g.count(s)} {names[s]}"
                                                    for s in STATUSES if g.count(s))
                         for g in soa.themes)
        chart = svg.stacked_bars("soa-bars", t("dash.coverage"), desc, rows, STATUS_COLOURS, names)
        table = Table(
            (t("col.theme"), t.status("compliant"), t.status("partial"), t.status("gap"),
             t.status("not-applicable"), t("col.total"), t("col.coverage")),
            tuple(cells(Part(f"{g.group} " + _theme_title(report, g.group, g.title),
                              f"soa.html#theme-{g.group}"),
                         str(g.count("compliant")), str(g.count("partial")), str(g.count("gap")),
                         str(g.count("not-applicable")), str(g.total), _pct(g.coverage))
                  for g in soa.themes),
            numeric=(1, 2, 3, 4, 5, 6), filter=False)
        yield Block(t("dash.coverage"), "svg", svg=chart, table=table, wide=True,
                    anchor="coverage")
    if report.gaps:
        table = Table(
            (t("col.framework"), t.status("compliant"), t.status("partial"), t.status("gap"),
             t.status("not-applicable"), t("col.total"), t("col.coverage"), t("col.addressed")),
            tuple(cells(Part(g.framework, report.gap_page(g.framework), "id",
                              title=report.text(report.catalogs.catalogs[g.framework].title)),
                         str(g.total.count("compliant")), str(g.total.count("partial")),
                         str(g.total.count("gap")), str(g.total.count("not-applicable")),
                         str(g.total.total), _pct(g.total.coverage), _pct(g.total.addressed))
                  for g in report.gaps),
            numeric=(1, 2, 3, 4, 5, 6, 7), filter=False)
        yield table_block(t("dash.frameworks"), table, wide=True, anchor="frameworks")


def _theme_title(report: Report, group: str, fallback: str) -> str:
    catalog = report.catalogs.catalogs.get(SOA_FRAMEWORK)
    if catalog is not None and group in catalog.groups:
        return report.text(catalog.groups[group].title) or fallback
    return fallback


@panel("appetite", 40)
def appetite_panel(report: Report) -> Iterable[Block]:
    t = report.t
    reg = report.register
    rows = [r for r in reg.rows if r.above_appetite]
    if not rows:
        yield Block(t("dash.appetite"), "parts", note=t("dash.appetite.none"), anchor="appetite")
        return
    table = Table(
        (t("col.id"), t("col.title"), t("col.score"), t("col.accepted"), t("col.status")),
        tuple(cells(report.link(r.id), report.title_of(r.id),
                     str(r.residual if r.residual is not None else r.inherent),
                     report.role(r.accepted_by) if r.accepted_by else t("no"),
                     report.status(r.status))
              for r in rows),
        numeric=(2,), filter=False)
    yield table_block(t("dash.appetite"), table, note=t("dash.appetite.caption",
                                                         appetite=reg.appetite), wide=False,
                      anchor="appetite")


def expiring(report: Report) -> list[tuple[dt.date, str, str, str, dt.date]]:
    """(due, control, document, record, collected) of evidence due within 30 days."""
    out = []
    for cs in report.states.values():
        if cs.applicable is False:
            continue
        for x in cs.expectations:
            if x.state != "fresh" or not x.every_months or x.collected is None or not x.record:
                continue
            due = add_months(x.collected, x.every_months)
            if 0 <= (due - report.today).days <= EXPIRING_DAYS:
                out.append((due, cs.id, x.document, x.record, x.collected))
    return sorted(out, key=lambda r: (r[0], natural_key(r[1]), natural_key(r[2])))


@panel("expiring", 50)
def expiring_panel(report: Report) -> Iterable[Block]:
    t = report.t
    rows = expiring(report)
    if not rows:
        yield Block(t("dash.expiring"), "parts", note=t("dash.expiring.none"), anchor="expiring")
        return
    table = Table(
        (t("col.due"), t("col.control"), t("col.document"), t("col.record"), t("col.collected"),
         t("col.days_left")),
        tuple(cells(_day(due), report.link(control), report.link(doc), report.link(record),
                     _day(collected), str((due - report.today).days))
              for due, control, doc, record, collected in rows),
        numeric=(5,), filter=False)
    yield table_block(t("dash.expiring"), table, wide=False, anchor="expiring")


@panel("about", 90)
def about_panel(report: Report) -> Iterable[Block]:
    t = report.t
    state = report.state
    commit = state.commit or t("about.nogit")
    rows = [
        FieldRow(t("about.organisation"), Value(parts=(Part(report.text(report.config.organisation)),))),
        FieldRow(t("about.today"), Value(parts=(Part(report.today.isoformat()),))),
        FieldRow(t("about.tool"), Value(parts=(Part(TOOL),))),
        FieldRow(t("about.commit"), Value(parts=(Part(commit, cls="mono"),))),
        FieldRow(t("about.dirty"), Value(parts=(Part(t.yes_no(state.dirty) or t("about.nogit")),))),
        FieldRow(t("about.config"), Value(parts=(Part(report.config.digest, cls="mono"),))),
        FieldRow(t("about.frameworks"), Value(parts=tuple(
            Part(f, report.gap_page(f)) for f in report.frameworks))),
        FieldRow(t("about.language"), Value(parts=(Part(report.lang),))),
    ]
    yield fields_block(t("dash.about"), rows, anchor="about")


# --- Statement of Applicability and gap analysis ----------------------------------------------

def evidence_cell(report: Report, control: str | None) -> Cell:
    """The evidence of a control: expected document sets, their newest record with its state
    and files, or the records that name the control when it expects none."""
    if control is None or control not in report.states:
        return ()
    cs = report.states[control]
    parts: list[Part] = []
    for x in cs.expectations:
        parts.append(report.link(x.document))
        if x.record:
            parts.append(report.link(x.record))
        parts.append(report.status(x.state))
        if x.record:
            parts.extend(report.file_parts(x.record))
    if not cs.expectations:
        for record in cs.supporting:
            parts.append(report.link(record))
            parts.extend(report.file_parts(record))
    return tuple(parts)


@section("soa", 10)
def soa_page(report: Report) -> Iterable[Page]:
    soa = report.soa
    if soa is None:
        return
    t = report.t
    summary = Table(
        (t("col.theme"), *(t.status(s) for s in STATUSES), t("col.total"), t("col.coverage"),
         t("col.addressed")),
        tuple(cells(Part(f"{g.group} " + _theme_title(report, g.group, g.title)),
                     *(str(g.count(s)) for s in STATUSES), str(g.total), _pct(g.coverage),
                     _pct(g.addressed))
              for g in (*soa.themes, soa.total)),
        row_ids=tuple(f"theme-{g.group}" for g in (*soa.themes, soa.total)),
        numeric=(1, 2, 3, 4, 5, 6, 7, 8), filter=False)
    rows = []
    for row in soa.rows:
        control = report.repo.by_id.get(row.control) if row.control else None
        reason = report.text(control.get("reason")) if control is not None else ""
        rows.append(cells(
            (Part(row.requirement, report.href(row.ref), "req-id"),
             Part(report.requirement_title(row.ref))),
            report.link(row.control) if row.control else "",
            t.yes_no(row.applicable),
            reason,
            report.status(row.status),
            report.links(i.id for i in row.implemented_by),
            evidence_cell(report, row.control),
            Part(t.status(row.gap.status), cls=f"badge status-{row.gap.status}",
                 title=row.gap.reason),
        ))
    table = Table(
        (t("col.requirement"), t("col.control"), t("col.applicable"), t("col.reason"),
         t("col.status"), t("col.implemented_by"), t("col.evidence"), t("col.gap_status")),
        tuple(rows), row_ids=tuple(r.requirement for r in soa.rows), ident="soa-table")
    yield Page("soa.html", t("nav.soa"), (
        table_block(t("gap.summary"), summary),
        table_block(f"{t('soa.rows')} ({len(soa.rows)})", table),
    ), nav=t("nav.soa"), intro=t("soa.intro"))


@section("gap", 20)
def gap_pages(report: Report) -> Iterable[Page]:
    t = report.t
    for gap in report.gaps:
        catalog = report.catalogs.catalogs[gap.framework]
        summary = Table(
            (t("col.group"), *(t.status(s) for s in STATUSES), t("col.total"),
             t("col.coverage"), t("col.addressed")),
            tuple(cells(Part(f"{g.group} " + (report.text(catalog.groups[g.group].title)
                                               if g.group in catalog.groups else g.title)),
                         *(str(g.count(s)) for s in STATUSES), str(g.total), _pct(g.coverage),
                         _pct(g.addressed))
                  for g in (*gap.groups, gap.total)),
            numeric=(1, 2, 3, 4, 5, 6, 7, 8), filter=False)
        rows = []
        for row in gap.rows:
            inherited: list[Part] = []
            for s in row.inherited:
                inherited.append(Part(s.requirement, report.href(s.requirement), "req-id",
                                      report.requirement_title(s.requirement)))
                inherited.append(Part(s.relation, cls="muted"))
                inherited.extend(report.links(s.controls))
            rows.append(cells(
                (Part(row.requirement, cls="req-id"), Part(report.requirement_title(row.ref))),
                row.group,
                Part(t.status(row.status), cls=f"badge status-{row.status}"),
                (report.link(row.control),) if row.control else tuple(inherited),
                report.links(i.id for i in row.implemented_by) or report.links(row.addressed_by),
                evidence_cell(report, row.control),
                row.reason,
            ))
        table = Table(
            (t("col.requirement"), t("col.group"), t("col.gap_status"), t("col.control"),
             t("col.implemented_by"), t("col.evidence"), t("col.reason")),
            tuple(rows), row_ids=tuple(r.requirement for r in gap.rows), ident="gap-table")
        title = f"{t('nav.gap')}: {report.text(catalog.title) or gap.framework}"
        yield Page(report.gap_page(gap.framework), title, (
            table_block(t("gap.summary"), summary),
            table_block(f"{t('gap.rows')} ({len(gap.rows)})", table),
        ), nav=f"{t('nav.gap')} {gap.framework}", intro=t("gap.intro"))


# --- document register ------------------------------------------------------------------------

def _next_review(entity: Entity) -> str:
    review = entity.get("review")
    if not isinstance(review, Mapping):
        return ""
    last = as_date(review.get("last"))
    every = review.get("every_months")
    if last is None or not isinstance(every, int) or isinstance(every, bool) or every <= 0:
        return ""
    return add_months(last, every).isoformat()


def _last_review(entity: Entity) -> str:
    review = entity.get("review")
    return _date(review.get("last")) if isinstance(review, Mapping) else ""


def _doc_row(report: Report, e: Entity) -> tuple[Cell, ...]:
    version = e.get("version")
    return cells(report.link(e.id), report.title_of(e.id), report.t.kind(e.kind),
                  version if isinstance(version, str) else "",
                  report.status(e.get("status") if isinstance(e.get("status"), str) else None),
                  report.role(e.get("owner")), Part(_last_review(e), cls="date"),
                  Part(_next_review(e), cls="date"))


@section("documents", 30)
def documents_page(report: Report) -> Iterable[Page]:
    t = report.t
    by_kind: dict[str, list[Entity]] = {"policy": [], "procedure": [], "document": []}
    for e in report.entities:
        if e.kind in by_kind:
            by_kind[e.kind].append(e)
    procedures_of: dict[str, list[Entity]] = {}
    for p in by_kind["procedure"]:
        procedures_of.setdefault(str(p.get("policy")), []).append(p)
    documents_of: dict[str, list[Entity]] = {}
    for d in by_kind["document"]:
        documents_of.setdefault(str(d.get("procedure")), []).append(d)
    rows: list[tuple[Cell, ...]] = []
    levels: list[int] = []
    placed: set[str] = set()
    for pol in by_kind["policy"]:
        rows.append(_doc_row(report, pol))
        levels.append(0)
        placed.add(pol.id)
        for prc in procedures_of.get(pol.id, []):
            rows.append(_doc_row(report, prc))
            levels.append(1)
            placed.add(prc.id)
            for doc in documents_of.get(prc.id, []):
                rows.append(_doc_row(report, doc))
                levels.append(2)
                placed.add(doc.id)
    headers = (t("col.id"), t("col.title"), t("col.kind"), t("col.version"), t("col.status"),
               t("col.owner"), t("col.last_review"), t("col.next_review"))
    blocks = [table_block(t("docs.tree"), Table(headers, tuple(rows), levels=tuple(levels),
                                                ident="document-tree"))]
    rest = [e for k in ("policy", "procedure", "document") for e in by_kind[k] if e.id not in placed]
    if rest:
        blocks.append(table_block(t("docs.orphans"), Table(
            headers, tuple(_doc_row(report, e) for e in rest))))
    yield Page("documents.html", t("nav.documents"), tuple(blocks), nav=t("nav.documents"),
               intro=t("docs.intro"))


# --- risks ------------------------------------------------------------------------------------

def heat_cells(cells: Iterable[Any]) -> dict[tuple[int, int], tuple[str, ...]]:
    return {(c.likelihood, c.impact): c.risks for c in cells if c.risks}


@section("risks", 40)
def risks_page(report: Report) -> Iterable[Page]:
    t = report.t
    reg = report.register
    likelihood, impact = t("col.likelihood"), t("col.impact")
    caption = t("risk.heat.caption", appetite=reg.appetite)
    blocks = []
    for ident, title, heat in (("heat-inherent", t("risk.heat.inherent"), reg.inherent_map),
                               ("heat-residual", t("risk.heat.residual"), reg.residual_map)):
        counts = heat_cells(heat)
        desc = "; ".join(f"{likelihood} {li} × {impact} {im}: {len(ids)}"
                         for (li, im), ids in sorted(counts.items(), reverse=True)) or t("none")
        blocks.append(svg_block(title, svg.heat_map(ident, title, desc, counts, reg.scale,
                                                    reg.appetite, likelihood, impact),
                                note=caption, anchor=ident))
    inherent, residual = heat_cells(reg.inherent_map), heat_cells(reg.residual_map)
    cell_rows = []
    for li in range(reg.scale, 0, -1):
        for im in range(reg.scale, 0, -1):
            a, b = inherent.get((li, im), ()), residual.get((li, im), ())
            if a or b:
                cell_rows.append(cells(f"{li} × {im}", str(li * im), report.links(a),
                                        report.links(b)))
    blocks.append(table_block(t("risk.cells"), Table(
        (f"{likelihood} × {impact}", t("col.score"), t("risk.heat.inherent"),
         t("risk.heat.residual")), tuple(cell_rows), numeric=(1,), filter=False)))
    rows = []
    for r in reg.rows:
        rows.append(cells(
            report.link(r.id), report.title_of(r.id), report.role(r.owner), report.status(r.status),
            f"{r.likelihood or '-'} × {r.impact or '-'} = {r.inherent or '-'}",
            (f"{r.residual_likelihood} × {r.residual_impact} = {r.residual}"
             if r.residual is not None else ""),
            str(r.effective or ""),
            Part(t.yes_no(r.above_appetite), cls="badge status-gap" if r.above_appetite else ""),
            report.role(r.accepted_by) if r.accepted_by else "",
            r.option, r.due.isoformat() if r.due else "", r.treatment,
            tuple(report.link(c.id, cls=f"status-{c.status}") for c in r.controls),
        ))
    blocks.append(table_block(t("risk.register"), Table(
        (t("col.id"), t("col.title"), t("col.owner"), t("col.status"), t("col.inherent"),
         t("col.residual"), t("col.effective"), t("col.above_appetite"), t("col.accepted"),
         t("col.option"), t("col.due"), t("col.treatment"), t("col.control")),
        tuple(rows), ident="risk-register")))
    yield Page("risks.html", t("nav.risks"), tuple(blocks), nav=t("nav.risks"))


# --- findings ---------------------------------------------------------------------------------

@section("findings", 50)
def findings_page(report: Report) -> Iterable[Page]:
    t = report.t
    rows = []
    for f in report.check.findings:
        entity = report.by_path.get(f.path)
        where = f"{f.path}:{f.line}:{f.col}"
        rule = f.rule
        rows.append(cells(
            Part(t.status(f.severity.label), cls=f"badge sev-{f.severity.label}"),
            Part(f.code, title=rule.title, cls="mono"),
            Part(where, report.page_of(entity.id) if entity is not None else None, "mono"),
            f.message, f.hint))
    counts = report.check.counts()
    blocks: list[Block] = [stats_block(t("dash.findings"), [
        Stat(t.status(sev), str(n), cls=f"sev-{sev}") for sev, n in counts.items()])]
    if rows:
        blocks.append(table_block(t("nav.findings"), Table(
            (t("col.severity"), t("col.code"), t("col.file"), t("col.message"), t("col.hint")),
            tuple(rows), ident="findings-table")))
    else:
        blocks.append(note_block(t("nav.findings"), t("findings.none"), wide=True))
    yield Page("findings.html", t("nav.findings"), tuple(blocks), nav=t("nav.findings"),
               intro=t("findings.intro"))


# --- evidence ---------------------------------------------------------------------------------

def _file_headers(report: Report) -> tuple[str, ...]:
    t = report.t
    return (t("col.file"), t("col.record"), t("col.status"), t("col.size"), t("col.sha256"))


def _file_rows(report: Report, files: Sequence[Any]) -> tuple[tuple[Cell, ...], ...]:
    t = report.t
    return tuple(cells(
        Part(f.path, f.dest, "mono") if f.dest else Part(f.path, cls="mono"),
        report.link(f.record),
        Part(t.status(f.state), cls=f"badge status-{'fresh' if f.state == 'copied' else 'missing'}"),
        str(f.size) if f.size is not None else "",
        Part(f.sha256 or "", cls="mono hash"))
        for f in files)


@section("evidence", 60)
def evidence_page(report: Report) -> Iterable[Page]:
    t = report.t
    records = [e for e in report.entities if e.kind == "evidence"]
    missing = [f for r in records for f in report.files_of(r.id) if f.state in ("missing", "outside")]
    headers = _file_headers(report)
    blocks: list[Block] = []
    if missing:
        blocks.append(table_block(t("evidence.missing"), Table(headers, _file_rows(report, missing),
                                                               filter=False), anchor="missing"))
    else:
        blocks.append(Block(t("evidence.missing"), "parts", note=t("evidence.missing.none"),
                            wide=True, anchor="missing"))
    rows = []
    for r in records:
        controls = r.get("controls")
        rows.append(cells(report.link(r.id), report.link(str(r.get("document")))
                           if isinstance(r.get("document"), str) else "",
                           report.links(c for c in controls if isinstance(c, str))
                           if isinstance(controls, list) else (),
                           _date(r.get("collected")), report.text(r.get("description")),
                           report.file_parts(r.id)))
    blocks.append(table_block(t("evidence.records"), Table(
        (t("col.record"), t("col.document"), t("col.control"), t("col.collected"),
         t("col.detail"), t("col.files")), tuple(rows), ident="evidence-records")))
    every = [f for r in records for f in report.files_of(r.id)]
    blocks.append(table_block(t("ent.files"), Table(headers, _file_rows(report, every),
                                                    numeric=(3,), ident="evidence-files")))
    yield Page("evidence.html", t("nav.evidence"), tuple(blocks), nav=t("nav.evidence"),
               intro=t("evidence.intro"))


# --- entities ---------------------------------------------------------------------------------

KIND_PAGE_ORDER = ("policy", "procedure", "document", "control", "third-party", "activity",
                   "risk", "asset", "evidence", "evaluation")


def _kind_rank(kind: str) -> tuple[int, str]:
    return (KIND_PAGE_ORDER.index(kind) if kind in KIND_PAGE_ORDER else len(KIND_PAGE_ORDER), kind)


@section("entities", 90)
def entities_pages(report: Report) -> Iterable[Page]:
    from isms.report import ENTITY_BLOCKS

    t = report.t
    kinds = sorted({e.kind for e in report.entities}, key=_kind_rank)
    blocks = []
    for kind in kinds:
        members = [e for e in report.entities if e.kind == kind]
        blocks.append(table_block(f"{t.kind(kind)} ({len(members)})", Table(
            (t("col.id"), t("col.title"), t("col.status"), t("col.file")),
            tuple(cells(report.link(e.id), report.title_of(e.id),
                         report.status(e.get("status") if isinstance(e.get("status"), str) else None),
                         Part(e.path, cls="mono")) for e in members)),
            anchor=f"kind-{kind}"))
    yield Page("entities.html", t("nav.entities"), tuple(blocks), nav=t("nav.entities"),
               intro=t("entities.intro"))

    extras = sorted(ENTITY_BLOCKS.items(), key=lambda kv: (kv[1][0], kv[0]))
    for e in report.entities:
        page = report.page_of(e.id)
        assert page is not None
        blocks = [fields_block(t("ent.fields"), entity_fields(report, e), anchor="content")]
        for _key, (_order, kind, func) in extras:
            if not kind or kind == e.kind:
                blocks.extend(func(report, e))
        blocks.extend(relation_blocks(report, e.id))
        findings = [f for f in report.check.findings if f.path == e.path]
        if findings:
            blocks.append(table_block(t("ent.findings"), Table(
                (t("col.severity"), t("col.code"), t("col.line"), t("col.message"), t("col.hint")),
                tuple(cells(Part(t.status(f.severity.label), cls=f"badge sev-{f.severity.label}"),
                             Part(f.code, cls="mono", title=f.rule.title), f"{f.line}:{f.col}",
                             f.message, f.hint) for f in findings), filter=False)))
        title = report.title_of(e.id)
        yield Page(page, f"{e.id} {title}".strip(), tuple(blocks),
                   kicker=f"{t.kind(e.kind)} · {e.path}")


def relation_blocks(report: Report, ident: str) -> Iterable[Block]:
    from isms.graph import impact, why

    t = report.t
    if ident not in report.graph:
        return
    for anchor, title, empty, reach in (
            ("rests-on", t("ent.rests_on"), t("ent.rests_on.none"), why(report.graph, ident, 1)),
            ("depended-by", t("ent.depended_by"), t("ent.depended_by.none"),
             impact(report.graph, ident, 1))):
        if not reach.reached:
            yield Block(title, "parts", note=empty, anchor=anchor)
            continue
        rows = tuple(cells(t.kind(r.kind), report.link(r.id), report.title_of(r.id),
                            t(f"edge.{r.via[0]}") if r.via else "")
                     for r in reach.reached)
        yield table_block(title, Table((t("col.kind"), t("col.id"), t("col.title"),
                                        t("col.relation")), rows, filter=len(rows) > 10),
                          wide=False, anchor=anchor)


@entity_blocks("control", 10, "control")
def control_blocks(report: Report, e: Entity) -> Iterable[Block]:
    t = report.t
    cs = report.states.get(e.id)
    if cs is None:
        return
    rows = []
    ref = cs.requirement
    if ref:
        rows.append(FieldRow(t("col.requirement"), Value(parts=(
            Part(ref, report.href(ref), "req-id"), Part(report.requirement_title(ref))))))
    for gap in report.gaps:
        for row in gap.rows:
            if row.control == e.id:
                rows.append(FieldRow(f"{t('col.gap_status')} ({gap.framework})", Value(parts=(
                    Part(t.status(row.status), cls=f"badge status-{row.status}"),
                    Part(row.reason)))))
    rows.append(FieldRow(t("col.implemented_by"),
                         Value(parts=report.links(i.id for i in cs.implemented_by))))
    yield fields_block(t("ent.soa"), rows, anchor="soa")
    if cs.expectations:
        exp_rows = []
        for x in cs.expectations:
            due = add_months(x.collected, x.every_months).isoformat() \
                if x.collected and x.every_months else ""
            exp_rows.append(cells(report.link(x.document), str(x.every_months or ""),
                                   report.link(x.record) if x.record else "",
                                   x.collected.isoformat() if x.collected else "",
                                   report.status(x.state), due,
                                   report.file_parts(x.record) if x.record else ()))
        yield table_block(t("ent.expectations"), Table(
            (t("col.document"), t("col.every"), t("col.record"), t("col.collected"),
             t("col.evidence_state"), t("col.due"), t("col.files")), tuple(exp_rows),
            filter=False), anchor="expected")
    records = sorted({x.record for x in cs.expectations if x.record} | set(cs.supporting),
                     key=natural_key)
    files = [f for r in records for f in report.files_of(r)]
    if files:
        yield table_block(t("ent.files"), Table(
            _file_headers(report), _file_rows(report, files), filter=False), anchor="files")


@entity_blocks("evidence", 10, "evidence")
def evidence_blocks(report: Report, e: Entity) -> Iterable[Block]:
    t = report.t
    files = report.files_of(e.id)
    if files:
        yield table_block(t("ent.files"), Table(
            _file_headers(report), _file_rows(report, files), filter=False))


@entity_blocks("document", 10, "document")
def document_blocks(report: Report, e: Entity) -> Iterable[Block]:
    t = report.t
    records = report.records_of_document(e.id)
    if records:
        yield table_block(t("ent.records"), Table(
            (t("col.record"), t("col.collected"), t("col.detail"), t("col.files")),
            tuple(cells(report.link(r.id), _date(r.get("collected")),
                         report.text(r.get("description")), report.file_parts(r.id))
                  for r in records), filter=False))


@entity_blocks("risk", 10, "risk")
def risk_blocks(report: Report, e: Entity) -> Iterable[Block]:
    t = report.t
    row = next((r for r in report.register.rows if r.id == e.id), None)
    if row is None:
        return
    yield fields_block(t("ent.scores"), [
        FieldRow(t("col.inherent"), Value(parts=(Part(
            f"{row.likelihood or '-'} × {row.impact or '-'} = {row.inherent or '-'}"),))),
        FieldRow(t("col.residual"), Value(parts=(Part(
            f"{row.residual_likelihood} × {row.residual_impact} = {row.residual}"
            if row.residual is not None else "-"),))),
        FieldRow(t("col.effective"), Value(parts=(Part(str(row.effective or "-")),))),
        FieldRow(t("col.above_appetite"), Value(parts=(Part(
            t.yes_no(row.above_appetite), "risks.html#heat-inherent",
            "badge status-gap" if row.above_appetite else ""),))),
        FieldRow(t("col.treatment"), Value(parts=(
            Part(row.treatment), *(report.link(c.id, cls=f"status-{c.status}")
                                   for c in row.controls)))),
    ])


THIRD_PARTY_KINDS = ("third-party", "activity", "asset", "risk", "control")


def neighbourhood(report: Report, party: str, depth: int = 2) -> tuple[list[svg.Node],
                                                                       list[tuple[str, str]]]:
    """The third party, what it performs or maintains, and what those rest on or affect:
    breadth first over the graph (either direction), other third parties left out."""
    g = report.graph
    layer = {party: 0}
    frontier = [party]
    for d in range(1, depth + 1):
        nxt: list[str] = []
        for node in frontier:
            around = sorted({*g.successors(node), *g.predecessors(node)}, key=natural_key)
            for other in around:
                kind = g.nodes[other].get("kind")
                if other in layer or kind not in THIRD_PARTY_KINDS or kind == "third-party":
                    continue
                layer[other] = d
                nxt.append(other)
        frontier = nxt
    order = {k: i for i, k in enumerate(THIRD_PARTY_KINDS)}

    def column(n: str) -> tuple[int, int]:
        # Past the first step, one column per kind keeps the drawing short: activities and
        # assets, then risks, then controls.
        if layer[n] < 2:
            return layer[n], 0
        kind = g.nodes[n].get("kind")
        return layer[n], {"risk": 1, "control": 2}.get(str(kind), 0)

    ids = sorted(layer, key=lambda n: (column(n), order.get(g.nodes[n].get("kind"), 9),
                                       natural_key(n)))
    columns = {c: i for i, c in enumerate(sorted({column(n) for n in ids}))}
    page = report.page_of(party) or ""
    nodes = [svg.Node(n, report.title_of(n), g.nodes[n].get("kind", ""), columns[column(n)],
                      relative_url(page, href) if (href := report.href(n)) else None)
             for n in ids]
    edges = sorted((u, v) for u, v in g.subgraph(ids).edges())
    return nodes, edges


@entity_blocks("third-party", 10, "third-party")
def third_party_blocks(report: Report, e: Entity) -> Iterable[Block]:
    t = report.t
    nodes, edges = neighbourhood(report, e.id)
    if len(nodes) > 1:
        counts: dict[str, int] = {}
        for n in nodes[1:]:
            counts[n.kind] = counts.get(n.kind, 0) + 1
        desc = f"{e.id}: " + ", ".join(f"{n} {t.kind(k)}" for k, n in counts.items())
        names = {k: t.kind(k) for k in THIRD_PARTY_KINDS}
        chart = svg.layered_graph(f"graph-{safe_name(e.id)}", t("ent.graph"), desc, nodes,
                                  edges, names)
        yield svg_block(t("ent.graph"), chart, note=t("ent.graph.caption"), wide=True,
                        anchor="graph")
    staff = e.get("staff")
    rows, ids = [], []
    for member in staff if isinstance(staff, list) else []:
        if not isinstance(member, Mapping) or not isinstance(member.get("id"), str):
            continue
        cert = member.get("certificate")
        cert = cert if isinstance(cert, Mapping) else {}
        expires = as_date(cert.get("expires"))
        state = "" if expires is None else ("expired" if expires < report.today else "valid")
        sid = member["id"]
        works = sorted((a.id for a in report.entities if a.kind == "activity"
                        and isinstance(a.get("staff"), list) and sid in a.get("staff")),
                       key=natural_key)
        rows.append(cells(Part(sid, cls="mono"), str(member.get("name") or ""),
                           str(member.get("role") or ""), str(cert.get("id") or ""),
                           expires.isoformat() if expires else "", report.status(state or None),
                           report.links(works)))
        ids.append(f"staff-{safe_name(sid)}")
    if rows:
        yield table_block(t("ent.staff"), Table(
            (t("col.id"), t("col.name"), t("col.role"), t("col.certificate"), t("col.expires"),
             t("col.status"), t("col.activities")), tuple(rows), row_ids=tuple(ids)),
            anchor="staff")
