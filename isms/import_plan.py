"""What an import would do to the repository: per entity create, update or unchanged, with the
field differences, and the problems that kept rows or files out. Shared by `isms import xlsx`
and `isms import comply`.

Nothing is written while the plan is computed. :func:`apply` writes the creates and, only when
asked, the updates, each file atomically; it never replaces an existing file for a create.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from isms.catalogs import Catalogs
    from isms.model import Repo

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass(frozen=True)
class FieldDiff:
    path: str
    old: Any      # None when the field is new
    new: Any      # None when the field is removed


@dataclass(frozen=True)
class EntityChange:
    kind: str
    id: str
    action: str               # create | update | unchanged
    path: str                 # repository-relative file
    data: Mapping[str, Any]   # the whole entity as it would be written
    diffs: tuple[FieldDiff, ...]
    source: str               # where it came from: "sheet 'Risks' rows 2-4", a file, ...
    header: str = ""          # a comment line written at the top of a new file


@dataclass(frozen=True)
class Problem:
    """Something that kept a row, an entity or a file out of the import (``error``), an error
    `isms check` will report on what is written (``warning``: the entity is still written, as
    the register says, e.g. a risk above appetite not yet accepted), or something the user
    should know (``note``)."""

    where: str
    message: str
    severity: str = "error"   # error | warning | note

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"


@dataclass(frozen=True)
class ImportPlan:
    changes: tuple[EntityChange, ...]
    problems: tuple[Problem, ...]
    read: str                 # what was read, for the summary ("12 rows", "9 files")

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf values by path: ``{"a": {"b": [1, {"c": 2}]}}`` → ``{"a.b[0]": 1, "a.b[1].c": 2}``."""
    out: dict[str, Any] = {}
    if isinstance(value, Mapping) and value:
        for key, sub in value.items():
            out.update(flatten(sub, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list) and value:
        for i, sub in enumerate(value):
            out.update(flatten(sub, f"{prefix}[{i}]"))
    else:
        out[prefix] = value
    return out


def diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> tuple[FieldDiff, ...]:
    before = flatten(dict(old)) if old is not None else {}
    after = flatten(dict(new))
    out = []
    for path in list(dict.fromkeys([*before, *after])):
        if path in ("kind", "id"):
            continue
        a, b = before.get(path), after.get(path)
        if a != b or (path in before) != (path in after):
            out.append(FieldDiff(path, a if path in before else None, b if path in after else None))
    return tuple(out)


def action_of(existing: Mapping[str, Any] | None, data: Mapping[str, Any]
              ) -> tuple[str, tuple[FieldDiff, ...]]:
    """What importing ``data`` does to the entity ``existing`` (None: there is none yet), and
    the fields it changes."""
    if existing is None:
        return CREATE, diff(None, data)
    if data == dict(existing):
        return UNCHANGED, ()
    return UPDATE, diff(existing, data)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 70 else text[:67] + "..."


def render(plan: ImportPlan, write: bool, update: bool, written: Sequence[str] = ()) -> str:
    """The text report: one block per entity, then the problems and a summary line."""
    lines: list[str] = []
    for c in plan.changes:
        if c.action == UNCHANGED:
            lines.append(f"unchanged {c.id}  {c.path}  ({c.source})")
            continue
        skipped = c.action == UPDATE and not update
        tail = "  [not written: exists; use --update]" if skipped and write else \
            "  [needs --update]" if skipped else ""
        lines.append(f"{c.action} {c.id}  {c.path}  ({c.source}){tail}")
        for d in c.diffs:
            if d.old is None:
                lines.append(f"  + {d.path}: {_show(d.new)}")
            elif d.new is None:
                lines.append(f"  - {d.path}: {_show(d.old)}")
            else:
                lines.append(f"  ~ {d.path}: {_show(d.old)} → {_show(d.new)}")
    for p in plan.problems:
        lines.append(str(p))
    creates, updates = plan.count(CREATE), plan.count(UPDATE)
    warnings = sum(1 for p in plan.problems if p.severity == "warning")
    summary = (f"{plan.read}: {creates} to create, {updates} to update, "
               f"{plan.count(UNCHANGED)} unchanged, {len(plan.errors)} "
               f"error{'s' if len(plan.errors) != 1 else ''}, {warnings} "
               f"warning{'s' if warnings != 1 else ''}")
    if write:
        summary += f"; wrote {len(written)} file{'s' if len(written) != 1 else ''}"
    else:
        summary += "; dry run, nothing written (add --write)"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def preview_findings(repo: Repo, catalogs: Catalogs, today: dt.date,
                     changes: Sequence[EntityChange]) -> list[Problem]:
    """The errors `isms check` would report on the entities the plan creates or updates:
    the checks run on the repository as it would be after the import."""
    from isms.checks import Context, run_checks
    from isms.findings import Severity
    from isms.model import Entity
    from isms.model import Repo as RepoType

    written = {c.path: c for c in changes if c.action != UNCHANGED}
    if not written:
        return []
    entities = [e for e in repo.entities if e.path not in written]
    entities.extend(Entity(c.kind, c.id, c.path, dict(c.data)) for c in written.values())
    after = RepoType.build(repo.config, entities, sorted(set(repo.files) | set(written)))
    config = repo.config
    out = []
    for f in sorted(run_checks(Context(after, catalogs, today))):
        if f.path not in written or any(f.code.startswith(c) for c in config.ignore_codes):
            continue
        severity = Severity.parse(config.severity[f.code]) if f.code in config.severity \
            else f.severity
        if severity >= Severity.ERROR:
            out.append(Problem(f.path, f"isms check will report {f.code}: {f.message}",
                               "warning"))
    return out


def with_preview(plan: ImportPlan, repo: Repo, catalogs: Catalogs, today: dt.date) -> ImportPlan:
    return replace(plan, problems=(*plan.problems,
                                   *preview_findings(repo, catalogs, today, plan.changes)))


def apply(root: Path, plan: ImportPlan, update: bool) -> list[str]:
    """Write the planned creates (never over an existing file) and, with ``update``, the
    updates; each file atomically. Returns the written paths."""
    from isms.fsutil import atomic_write
    from isms.scaffold import dump_yaml

    written = []
    for c in plan.changes:
        if c.action == UNCHANGED or (c.action == UPDATE and not update):
            continue
        target = root / c.path
        if c.action == CREATE and target.exists():
            continue
        header = f"# {c.header}\n" if c.header and c.action == CREATE else ""
        atomic_write(target, header.encode("utf-8") + dump_yaml(dict(c.data)))
        written.append(c.path)
    return written
