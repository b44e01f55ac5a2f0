"""The vendors section of the auditor report: scorecard trend, certified staff, certifications
and contracts, asset reliability and the O&M budget, plus "vendors by grade" on the dashboard
and each third party's monthly scores on its page.

It reads the outsourcing modules (:mod:`isms.scorecard`, :mod:`isms.staff`,
:mod:`isms.assets`, :mod:`isms.budget`) and adds nothing to them: the report shows what
``isms vendors``, ``isms assets`` and ``isms budget`` compute.
"""

from __future__ import annotations

from collections.abc import Iterable

from isms import svg
from isms.assets import asset_report, default_period
from isms.budget import compute_budget, find_standard
from isms.errors import UsageError
from isms.i18n import natural_key
from isms.model import Entity
from isms.numbers import fixed, money, plain
from isms.outsourcing_config import asset_settings, vendor_settings
from isms.periods import Period
from isms.report import (
    Block,
    Page,
    Part,
    Report,
    Stat,
    Table,
    cells,
    entity_blocks,
    note_block,
    panel,
    safe_name,
    section,
    svg_block,
    table_block,
)
from isms.scorecard import MonthScore, Scorecard, latest_month, month_scores, scorecard
from isms.staff import staff_audit

GRADES = ("pass", "fair", "fail")


def _grade(report: Report, grade: str | None) -> Part:
    return report.status(grade) if grade else Part("")


def _staff_link(report: Report, staff: str) -> Part:
    return Part(staff, report.href(staff), "id mono")


def _scores(report: Report) -> Scorecard:
    return report.once("scorecard", lambda: scorecard(report.repo, vendor_settings(
        report.config.raw), report.today))


def _months(report: Report) -> dict[tuple[str, Period], MonthScore]:
    return report.once("month_scores", lambda: month_scores(report.repo, vendor_settings(
        report.config.raw)))


@panel("vendors", 60)
def vendors_panel(report: Report) -> Iterable[Block]:
    parties = sorted((e.id for e in report.entities if e.kind == "third-party"), key=natural_key)
    if not parties:
        return
    t = report.t
    months = _months(report)
    counts = dict.fromkeys((*GRADES, "none"), 0)
    for party in parties:
        latest = latest_month(months, party, report.today)
        counts[latest.grade if latest is not None and latest.grade in GRADES else "none"] += 1
    stats = [Stat(t.status(g) if g != "none" else t("none"), str(n), "vendors.html#latest",
                  f"grade-{g}") for g, n in counts.items()]
    yield Block(t("dash.vendors"), "stats", stats=tuple(stats), anchor="vendors")


@section("vendors", 70)
def vendors_page(report: Report) -> Iterable[Page]:
    parties = sorted((e for e in report.entities if e.kind == "third-party"),
                     key=lambda e: natural_key(e.id))
    if not parties:
        return
    t = report.t
    settings = vendor_settings(report.config.raw)
    card = _scores(report)
    blocks: list[Block] = []
    periods = sorted({r.period for r in card.rows})
    if periods:
        series = []
        for party in parties:
            by_period = {r.period: r.score for r in card.rows if r.third_party == party.id}
            series.append((party.id, [float(v) if (v := by_period.get(p)) is not None else None
                                      for p in periods]))
        scale = float(settings.scale)
        low = min((v for _, vs in series for v in vs if v is not None), default=0.0)
        floor = max(0.0, min(float(settings.fair_min), low) - scale * 0.05)
        floor = float(int(floor / 5) * 5)
        desc = "; ".join(f"{name}: " + ", ".join(f"{p} {v:.2f}" for p, v in zip(periods, vs, strict=True)
                                                 if v is not None) for name, vs in series)
        chart = svg.line_chart("scorecard-trend", t("vendors.trend"), desc, periods, series,
                               floor, scale, ((float(settings.pass_min), t.status("pass")),
                                              (float(settings.fair_min), t.status("fair"))))
        blocks.append(svg_block(t("vendors.trend"), chart, note=t("vendors.trend.caption"),
                                anchor="trend", wide=True))
    months = _months(report)
    latest_rows = []
    for party in parties:
        latest = latest_month(months, party.id, report.today)
        row = next((r for r in card.rows if latest is not None and r.third_party == party.id
                    and r.period == latest.period.label), None)
        latest_rows.append(cells(
            report.link(party.id), report.title_of(party.id),
            latest.period.label if latest else "",
            fixed(latest.score) if latest and latest.score is not None else "",
            _grade(report, latest.grade if latest else None),
            report.status(row.trend) if row and row.trend else "",
            str(latest.breaches) if latest else ""))
    blocks.append(table_block(t("vendors.latest"), Table(
        (t("col.third_party"), t("col.name"), t("col.period"), t("col.score"), t("col.grade"),
         t("col.trend"), t("col.breaches")), tuple(latest_rows), numeric=(3, 6), filter=False),
        anchor="latest"))

    audit = staff_audit(report.repo, settings, report.today)
    blocks.append(table_block(t("vendors.staff"), Table(
        (t("col.id"), t("col.third_party"), t("col.name"), t("col.role"), t("col.certificate"),
         t("col.expires"), t("col.status"), t("col.activities"), t("col.detail")),
        tuple(cells(_staff_link(report, s.staff), report.link(s.third_party), s.name, s.role,
                     s.certificate, Part(s.expires.isoformat() if s.expires else "", cls="date"),
                     report.status(s.status if s.status != "none" else "missing"),
                     report.links(s.activities), s.problem)
              for s in audit.staff), ident="staff-table"), anchor="staff"))
    if audit.certifications:
        blocks.append(table_block(t("vendors.certifications"), Table(
            (t("col.third_party"), t("col.name"), t("col.certificate"), t("col.expires"),
             t("col.status"), t("col.days_left")),
            tuple(cells(report.link(c.third_party), c.standard, c.certificate,
                         Part(c.expires.isoformat(), cls="date"), report.status(c.status),
                         str(c.days_left)) for c in audit.certifications),
            numeric=(5,), filter=False), wide=False))
    if audit.contracts:
        blocks.append(table_block(t("vendors.contracts"), Table(
            (t("col.third_party"), t("col.contract"), t("col.start"), t("col.expires"),
             t("col.status"), t("col.days_left")),
            tuple(cells(report.link(c.third_party), c.contract,
                         Part(c.start.isoformat() if c.start else "", cls="date"),
                         Part(c.end.isoformat(), cls="date"), report.status(c.status),
                         str(c.days_left)) for c in audit.contracts),
            numeric=(5,), filter=False), wide=False))
    blocks.extend(_asset_blocks(report))
    blocks.extend(_budget_blocks(report))
    yield Page("vendors.html", t("nav.vendors"), tuple(blocks), nav=t("nav.vendors"))


def _asset_blocks(report: Report) -> Iterable[Block]:
    t = report.t
    settings = asset_settings(report.config.raw)
    start, end = default_period(report.today, settings)
    assets = asset_report(report.repo, settings, start, end)
    if not assets.assets:
        return
    rows = []
    for a in assets.assets:
        f = a.figures
        rows.append(cells(report.link(a.asset), report.text(a.name), a.type,
                           report.link(a.vendor) if a.vendor else "",
                           Part(a.in_service.isoformat() if a.in_service else "", cls="date"),
                           str(f.failures), fixed(f.availability, 3), fixed(f.failure_rate, 2),
                           "; ".join(a.renewal)))
    yield table_block(t("vendors.assets", months=settings.period_months), Table(
        (t("col.id"), t("col.name"), t("col.type"), t("col.vendor"), t("col.in_service"),
         t("col.failures"), t("col.availability"), t("col.failure_rate"), t("col.renewal")),
        tuple(rows), numeric=(5, 6, 7), ident="asset-table"),
        note=f"{start.isoformat()} – {end.isoformat()}; {t('vendors.renewal')}: "
             f"{len(assets.renewal_candidates)}", anchor="assets")


def _budget_blocks(report: Report) -> Iterable[Block]:
    t = report.t
    standard: Entity | None = None
    for year in (report.today.year + 1, report.today.year):
        try:
            standard = find_standard(report.repo, year)
            break
        except UsageError:
            continue
    if standard is None:
        yield note_block(t("vendors.budget", year=report.today.year + 1, currency=""),
                         t("vendors.budget.none", year=report.today.year + 1), wide=True)
        return
    budget = compute_budget(report.repo, standard)
    title = t("vendors.budget", year=budget.year, currency=budget.currency)
    diff = budget.difference_percent
    yield table_block(title, Table(
        (t("vendors.budget.totals"), t("col.amount")),
        (cells(t("vendors.budget.ratio"), money(budget.ratio_total)),
         cells(t("vendors.budget.workload"), money(budget.workload_total)),
         cells("Δ", money(budget.difference) + (f" ({plain(diff)}%)" if diff is not None else ""))),
        numeric=(1,), filter=False), note=f"{report.link(budget.standard).text} · {budget.path}",
        anchor="budget", wide=False)
    yield table_block(t("vendors.budget.ratio"), Table(
        (t("col.id"), t("col.type"), t("col.value_currency"), t("col.amount"),
         t("col.explanation")),
        tuple(cells(report.link(line.asset), line.type, money(line.value), money(line.amount),
                     line.explanation) for line in budget.ratio_lines),
        numeric=(2, 3), ident="budget-ratio"))
    labour = [(line.service, line.grade, line.amount, line.explanation)
              for line in budget.labour_lines]
    spares = [(line.item, "", line.amount, line.explanation) for line in budget.spare_lines]
    yield table_block(t("vendors.budget.workload"), Table(
        (t("col.id"), t("col.role"), t("col.amount"), t("col.explanation")),
        tuple(cells(ident, grade, money(amount), text) for ident, grade, amount, text
              in (*labour, *spares)), numeric=(2,), ident="budget-workload"))


@entity_blocks("vendor-scores", 20, "third-party")
def party_scores(report: Report, e: Entity) -> Iterable[Block]:
    t = report.t
    rows = [r for r in _scores(report).rows if r.third_party == e.id and r.score is not None]
    if not rows:
        return
    yield table_block(t("ent.scores"), Table(
        (t("col.period"), t("col.score"), t("col.grade"), t("col.trend"), t("col.record")),
        tuple(cells(r.period, fixed(r.score), _grade(report, r.grade),
                     report.status(r.trend) if r.trend else "", report.links(r.evaluations))
              for r in reversed(rows)), numeric=(1,), filter=False),
        anchor=f"scores-{safe_name(e.id)}", wide=False)

