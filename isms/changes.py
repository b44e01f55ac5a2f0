"""What changed in the ISMS between two snapshots (`isms diff`), as the ISMS sees it.

Not lines but entities: added, removed, renamed (same id, other file) and changed (which
top-level fields, with the version transition); Statement of Applicability rows whose
applicability or status changed; risks whose score, residual score or treatment changed;
evidence records added, and evidence that expired between the two dates (fresh at the old
side's date, stale at the new side's). Entities are matched by id, content is compared as
parsed data (:mod:`isms.content`), and every list is sorted, so the same two revisions always
give the same result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from isms.catalogs import Catalogs
from isms.checks import add_months, as_date
from isms.content import changed_fields, same
from isms.model import Entity, Repo
from isms.revision import Snapshot


@dataclass(frozen=True)
class Side:
    label: str
    sha: str | None
    date: dt.date
    dirty: bool = False  # the working tree has uncommitted changes under the ISMS root


@dataclass(frozen=True)
class EntityRef:
    id: str
    kind: str
    path: str
    version: str | None
    title: Any


@dataclass(frozen=True)
class Renamed:
    id: str
    kind: str
    old_path: str
    new_path: str


@dataclass(frozen=True)
class Changed:
    id: str
    kind: str
    path: str
    old_version: str | None
    new_version: str | None
    fields: tuple[str, ...]
    title: Any


@dataclass(frozen=True)
class SoaChange:
    id: str
    requirement: str | None
    old_applicable: bool | None  # None: the row did not exist on that side
    new_applicable: bool | None
    old_status: str | None
    new_status: str | None


@dataclass(frozen=True)
class RiskChange:
    id: str
    old_score: int | None
    new_score: int | None
    old_residual: int | None
    new_residual: int | None
    old_treatment: str | None
    new_treatment: str | None
    treatment_fields: tuple[str, ...]  # which parts of `treatment` changed
    title: Any


@dataclass(frozen=True)
class EvidenceAdded:
    id: str
    document: str | None
    collected: str | None
    path: str


@dataclass(frozen=True)
class EvidenceExpired:
    control: str
    document: str
    every_months: int
    last_collected: dt.date | None  # newest record on the new side, None when there is none
    due: dt.date | None  # when a new record was due on the new side


@dataclass(frozen=True)
class GapChange:
    requirement: str  # FRAMEWORK:REQ
    change: str  # "opened" | "closed"
    old_status: str | None  # gap-analysis status (isms.gap), None: not analysed then
    new_status: str
    reason: str  # the new status's reason, from the gap analysis


@dataclass(frozen=True)
class Changes:
    old: Side
    new: Side
    added: tuple[EntityRef, ...] = ()
    removed: tuple[EntityRef, ...] = ()
    renamed: tuple[Renamed, ...] = ()
    changed: tuple[Changed, ...] = ()
    soa: tuple[SoaChange, ...] = ()
    risks: tuple[RiskChange, ...] = ()
    evidence_added: tuple[EvidenceAdded, ...] = ()
    evidence_expired: tuple[EvidenceExpired, ...] = ()
    gaps: tuple[GapChange, ...] | None = None  # None: gap analysis not available
    languages: tuple[str, ...] = field(default=("en",))

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.renamed or self.changed or self.soa
                    or self.risks or self.evidence_added or self.evidence_expired or self.gaps)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _primary(repo: Repo) -> dict[str, Entity]:
    """Entities by id; with duplicate ids (R001) the first file wins, as in Repo.by_id."""
    return dict(repo.by_id)


def _title(e: Entity) -> Any:
    """What to call the entity: its title, name or (a control) its requirement."""
    for key in ("title", "name", "requirement"):
        if e.get(key):
            return e.get(key)
    return None


def _ref(e: Entity) -> EntityRef:
    return EntityRef(e.id, e.kind, e.path, _str(e.get("version")), _title(e))


def _score(data: Any) -> int | None:
    if not isinstance(data, Mapping):
        return None
    lk, im = _int(data.get("likelihood")), _int(data.get("impact"))
    return lk * im if lk is not None and im is not None else None


def _treatment_option(e: Entity | None) -> str | None:
    t = e.get("treatment") if e is not None else None
    return _str(t.get("option")) if isinstance(t, Mapping) else None


def _pairs(old: dict[str, Entity], new: dict[str, Entity], kind: str) -> list[
        tuple[str, Entity | None, Entity | None]]:
    """(id, old, new) for every id that is a ``kind`` on at least one side."""
    out = []
    for ident in sorted(set(old) | set(new)):
        a, b = old.get(ident), new.get(ident)
        a = a if a is not None and a.kind == kind else None
        b = b if b is not None and b.kind == kind else None
        if a is not None or b is not None:
            out.append((ident, a, b))
    return out


def _applicable(e: Entity | None) -> bool | None:
    v = e.get("applicable") if e is not None else None
    return v if isinstance(v, bool) else None


def _soa(old: dict[str, Entity], new: dict[str, Entity]) -> list[SoaChange]:
    out = []
    for ident, a, b in _pairs(old, new, "control"):
        either = b if b is not None else a
        row = SoaChange(
            ident, _str(either.get("requirement")) if either is not None else None,
            _applicable(a), _applicable(b),
            _str(a.get("status")) if a else None, _str(b.get("status")) if b else None)
        if (a is None or b is None or row.old_applicable != row.new_applicable
                or row.old_status != row.new_status):
            out.append(row)
    return out


def _risks(old: dict[str, Entity], new: dict[str, Entity]) -> list[RiskChange]:
    out = []
    for ident, a, b in _pairs(old, new, "risk"):
        ta = a.get("treatment") if a else None
        tb = b.get("treatment") if b else None
        t_fields = changed_fields(ta if isinstance(ta, Mapping) else {},
                                  tb if isinstance(tb, Mapping) else {})
        either = b if b is not None else a
        row = RiskChange(
            ident,
            _score(a.data) if a else None, _score(b.data) if b else None,
            _score(a.get("residual")) if a else None, _score(b.get("residual")) if b else None,
            _treatment_option(a), _treatment_option(b), t_fields,
            either.get("title") if either is not None else None,
        )
        if (a is None or b is None or row.old_score != row.new_score
                or row.old_residual != row.new_residual or not same(ta, tb)):
            out.append(row)
    return out


def _newest_collected(repo: Repo) -> dict[str, dt.date]:
    newest: dict[str, dt.date] = {}
    for e in repo.of_kind("evidence"):
        doc, day = e.get("document"), as_date(e.get("collected"))
        if isinstance(doc, str) and day is not None and (doc not in newest or day > newest[doc]):
            newest[doc] = day
    return newest


def _expectations(repo: Repo) -> dict[tuple[str, str], int]:
    """(control, document) → every_months, for applicable controls."""
    out: dict[tuple[str, str], int] = {}
    for c in repo.of_kind("control"):
        if c.get("applicable") is False or repo.by_id.get(c.id) is not c:
            continue
        for item in c.get("evidence") or []:
            if not isinstance(item, Mapping):
                continue
            doc, months = item.get("document"), _int(item.get("every_months"))
            if isinstance(doc, str) and months is not None and months > 0:
                out.setdefault((c.id, doc), months)
    return out


def _expired(old: Snapshot, new: Snapshot) -> list[EvidenceExpired]:
    before, after = _expectations(old.repo), _expectations(new.repo)
    newest_before, newest_after = _newest_collected(old.repo), _newest_collected(new.repo)
    out = []
    for (control, doc), months in sorted(after.items()):
        if (control, doc) not in before or doc not in newest_before:
            continue  # not expected, or never fresh, on the old side: nothing expired
        if add_months(newest_before[doc], before[(control, doc)]) < old.date:
            continue  # already stale on the old side
        last = newest_after.get(doc)
        due = add_months(last, months) if last is not None else None
        if due is None or due < new.date:
            out.append(EvidenceExpired(control, doc, months, last, due))
    return out


OPEN = ("gap", "partial", "excluded-without-justification")


def gap_changes(old: Snapshot, new: Snapshot, catalogs: Catalogs) -> tuple[GapChange, ...] | None:
    """Requirements whose gap-analysis status became open (gap, partial, or excluded without
    justification) or stopped being open, each side judged at its own date. Both sides use
    ``catalogs`` (the working tree's), so a change of catalog is not a change of the ISMS.
    None when there is no framework to analyse."""
    from isms.errors import UsageError
    from isms.gap import gap_analysis, resolve_frameworks

    try:
        frameworks = resolve_frameworks(new.repo, catalogs, ())
        before = gap_analysis(old.repo, catalogs, old.date, frameworks)
        after = gap_analysis(new.repo, catalogs, new.date, frameworks)
    except UsageError:
        return None
    was = {row.ref: row for report in before for row in report.rows}
    out = []
    for report in after:
        for row in report.rows:
            prior = was.get(row.ref)
            old_status = prior.status if prior is not None else None
            if (old_status in OPEN) == (row.status in OPEN):
                continue
            change = "opened" if row.status in OPEN else "closed"
            out.append(GapChange(row.ref, change, old_status, row.status, row.reason))
    return tuple(sorted(out, key=lambda g: (g.change != "opened", g.requirement)))


def diff(old: Snapshot, new: Snapshot, old_dirty: bool = False, new_dirty: bool = False,
         gaps: tuple[GapChange, ...] | None = None) -> Changes:
    a, b = _primary(old.repo), _primary(new.repo)
    added = tuple(_ref(b[i]) for i in sorted(set(b) - set(a)))
    removed = tuple(_ref(a[i]) for i in sorted(set(a) - set(b)))
    renamed, changed = [], []
    for ident in sorted(set(a) & set(b)):
        x, y = a[ident], b[ident]
        if x.path != y.path:
            renamed.append(Renamed(ident, y.kind, x.path, y.path))
        fields = changed_fields(x.data, y.data)
        if fields:
            changed.append(Changed(ident, y.kind, y.path, _str(x.get("version")),
                                   _str(y.get("version")), fields, _title(y)))
    evidence = tuple(
        EvidenceAdded(e.id, _str(e.get("document")), _str(e.get("collected")), e.path)
        for e in sorted((b[i] for i in set(b) - set(a)), key=lambda e: e.id)
        if e.kind == "evidence")
    return Changes(
        Side(old.label, old.sha, old.date, old_dirty),
        Side(new.label, new.sha, new.date, new_dirty),
        added, removed, tuple(renamed), tuple(changed),
        tuple(_soa(a, b)), tuple(_risks(a, b)), evidence, tuple(_expired(old, new)), gaps,
        tuple(new.repo.config.languages) or ("en",),
    )
