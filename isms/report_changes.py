"""The "changes since REV" page of the report (``--since REV``), from :mod:`isms.changes`.

The old side is the ISMS at the git revision, read from git's object store; the new side is
the repository the report is made of, dated ``--today`` (exactly what ``isms diff REV``
compares).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from isms.report import (
    Block,
    Page,
    Part,
    Report,
    Stat,
    Table,
    cells,
    note_block,
    section,
    stats_block,
    table_block,
)


def _v(value: Any, report: Report) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return report.t.yes_no(value)
    return str(value)


@section("changes", 80)
def changes_page(report: Report) -> Iterable[Page]:
    rev = report.options.since
    if not rev:
        return
    from isms import changes
    from isms.revision import WORKTREE, Snapshot, load_revision

    old = load_revision(report.config.root, rev, report.config)
    new = Snapshot(WORKTREE, None, report.today, report.repo)
    gap_changes = getattr(changes, "gap_changes", None)
    gaps = gap_changes(old, new, report.catalogs) if callable(gap_changes) else None
    c = changes.diff(old, new, new_dirty=bool(report.state.dirty), gaps=gaps)
    t = report.t
    counts = (("changes.added", len(c.added)), ("changes.removed", len(c.removed)),
              ("changes.renamed", len(c.renamed)), ("changes.changed", len(c.changed)),
              ("changes.soa", len(c.soa)), ("changes.risks", len(c.risks)),
              ("changes.evidence_added", len(c.evidence_added)),
              ("changes.evidence_expired", len(c.evidence_expired)),
              *((("changes.gaps", len(c.gaps)),) if c.gaps is not None else ()))
    blocks: list[Block] = [stats_block(t("changes.entities"),
                                       [Stat(t(k), str(n)) for k, n in counts])]
    if c.empty:
        blocks.append(note_block(t("changes.entities"), t("changes.none"), wide=True))
    head = (t("col.id"), t("col.kind"), t("col.title"), t("col.path"))
    for key, refs in (("changes.added", c.added), ("changes.removed", c.removed)):
        if refs:
            blocks.append(table_block(t(key), Table(head, tuple(
                cells(report.link(r.id), t.kind(r.kind), report.text(r.title),
                       Part(r.path, cls="mono")) for r in refs))))
    if c.renamed:
        blocks.append(table_block(t("changes.renamed"), Table(
            (t("col.id"), t("col.kind"), t("col.old"), t("col.new")),
            tuple(cells(report.link(r.id), t.kind(r.kind), Part(r.old_path, cls="mono"),
                         Part(r.new_path, cls="mono")) for r in c.renamed))))
    if c.changed:
        blocks.append(table_block(t("changes.changed"), Table(
            (t("col.id"), t("col.kind"), t("col.title"), t("col.version"), t("col.field")),
            tuple(cells(report.link(r.id), t.kind(r.kind), report.text(r.title),
                         f"{_v(r.old_version, report)} → {_v(r.new_version, report)}"
                         if r.old_version != r.new_version else _v(r.new_version, report),
                         ", ".join(r.fields)) for r in c.changed))))
    if c.soa:
        blocks.append(table_block(t("changes.soa"), Table(
            (t("col.control"), t("col.requirement"), t("col.applicable"), t("col.status")),
            tuple(cells(report.link(r.id), r.requirement or "",
                         f"{_v(r.old_applicable, report)} → {_v(r.new_applicable, report)}",
                         f"{t.status(r.old_status) or '-'} → {t.status(r.new_status) or '-'}")
                  for r in c.soa))))
    if c.risks:
        blocks.append(table_block(t("changes.risks"), Table(
            (t("col.id"), t("col.title"), t("col.inherent"), t("col.residual"),
             t("col.treatment")),
            tuple(cells(report.link(r.id), report.text(r.title),
                         f"{_v(r.old_score, report)} → {_v(r.new_score, report)}",
                         f"{_v(r.old_residual, report)} → {_v(r.new_residual, report)}",
                         f"{_v(r.old_treatment, report)} → {_v(r.new_treatment, report)}"
                         + (f" ({', '.join(r.treatment_fields)})" if r.treatment_fields else ""))
                  for r in c.risks))))
    if c.evidence_added:
        blocks.append(table_block(t("changes.evidence_added"), Table(
            (t("col.record"), t("col.document"), t("col.collected"), t("col.path")),
            tuple(cells(report.link(r.id), report.link(r.document) if r.document else "",
                         r.collected or "", Part(r.path, cls="mono")) for r in c.evidence_added))))
    if c.evidence_expired:
        blocks.append(table_block(t("changes.evidence_expired"), Table(
            (t("col.control"), t("col.document"), t("col.every"), t("col.collected"), t("col.due")),
            tuple(cells(report.link(r.control), report.link(r.document), str(r.every_months),
                         r.last_collected.isoformat() if r.last_collected else "",
                         r.due.isoformat() if r.due else "") for r in c.evidence_expired))))
    if c.gaps:
        blocks.append(table_block(t("changes.gaps"), Table(
            (t("col.requirement"), t("col.change"), t("col.status"), t("col.reason")),
            tuple(cells(Part(g.requirement, report.href(g.requirement), "req-id"), g.change,
                         f"{t.status(g.old_status) or '-'} → {t.status(g.new_status)}", g.reason)
                  for g in c.gaps))))
    sha = c.old.sha[:12] if c.old.sha else rev
    yield Page("changes.html", f"{t('nav.changes')}: {rev}", tuple(blocks), nav=t("nav.changes"),
               intro=t("changes.intro", rev=rev, sha=sha, date=c.old.date.isoformat()))
