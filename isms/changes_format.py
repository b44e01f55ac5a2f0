"""`isms diff` output: text for the terminal, JSON for scripts, Markdown for a pull-request
comment. Each is a function of the :class:`~isms.changes.Changes` alone, so the same two
revisions always give the same bytes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from isms import __version__
from isms.changes import Changes, Side
from isms.content import text_of
from isms.tabular import json_text


def _side(s: Side) -> str:
    if s.sha is None:
        return (f"the working tree ({s.date.isoformat()}"
                + (", uncommitted changes" if s.dirty else "") + ")")
    return f"{s.label} ({s.sha[:12]}, {s.date.isoformat()})"


def _v(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _arrow(old: Any, new: Any) -> str:
    return _v(new) if old == new else f"{_v(old)} → {_v(new)}"


def _counts(c: Changes) -> dict[str, int]:
    return {
        "added": len(c.added), "removed": len(c.removed), "renamed": len(c.renamed),
        "changed": len(c.changed), "soa_rows": len(c.soa), "risks": len(c.risks),
        "evidence_added": len(c.evidence_added), "evidence_expired": len(c.evidence_expired),
        **({"gaps_opened": sum(g.change == "opened" for g in c.gaps),
            "gaps_closed": sum(g.change == "closed" for g in c.gaps)}
           if c.gaps is not None else {}),
    }


def _entity_summary(c: Changes) -> str:
    return (f"{len(c.added)} added, {len(c.removed)} removed, {len(c.renamed)} renamed, "
            f"{len(c.changed)} changed")


def _soa_state(applicable: bool | None, status: str | None) -> str:
    if applicable is None and status is None:
        return "-"
    return f"{'applicable' if applicable else 'not applicable'}, {status or '-'}"


def _soa_text(row: Any) -> str:
    if row.old_status is None and row.old_applicable is None:
        return f"added ({_soa_state(row.new_applicable, row.new_status)})"
    if row.new_status is None and row.new_applicable is None:
        return f"removed (was {_soa_state(row.old_applicable, row.old_status)})"
    parts = []
    if row.old_applicable != row.new_applicable:
        parts.append(f"applicable {_v(row.old_applicable)} → {_v(row.new_applicable)}")
    if row.old_status != row.new_status:
        parts.append(f"status {_v(row.old_status)} → {_v(row.new_status)}")
    return "; ".join(parts)


def _risk_text(r: Any) -> str:
    parts = [f"score {_arrow(r.old_score, r.new_score)}",
             f"residual {_arrow(r.old_residual, r.new_residual)}",
             f"treatment {_arrow(r.old_treatment, r.new_treatment)}"]
    if r.treatment_fields:
        parts[-1] += f" (changed: {', '.join(r.treatment_fields)})"
    return "; ".join(parts)


def _expired_text(e: Any) -> str:
    last = e.last_collected.isoformat() if e.last_collected else "none"
    due = f", due {e.due.isoformat()}" if e.due else ""
    return f"every {e.every_months} months: last collected {last}{due}"


def render_text(c: Changes) -> str:
    langs = c.languages
    out = [f"ISMS changes from {_side(c.old)} to {_side(c.new)}", ""]
    out.append(f"Entities: {_entity_summary(c)}")
    for mark, refs in (("+", c.added), ("-", c.removed)):
        for e in refs:
            title = text_of(e.title, langs)
            out.append(f"  {mark} {e.kind} {e.id}{f' {e.version}' if e.version else ''} {e.path}"
                       + (f": {title}" if title else ""))
    for rn in c.renamed:
        out.append(f"  > {rn.kind} {rn.id} {rn.old_path} → {rn.new_path}")
    for ch in c.changed:
        version = ("" if ch.old_version is None and ch.new_version is None
                   else f" {_arrow(ch.old_version, ch.new_version)}")
        out.append(f"  ~ {ch.kind} {ch.id}{version}: {', '.join(ch.fields)}")
    out += ["", f"Statement of Applicability: {len(c.soa)} row{'' if len(c.soa) == 1 else 's'} "
            "changed"]
    for row in c.soa:
        out.append(f"  {row.id} {_v(row.requirement)}: {_soa_text(row)}")
    out += ["", f"Risks: {len(c.risks)} changed"]
    for r in c.risks:
        out.append(f"  {r.id}: {_risk_text(r)}")
    out += ["", f"Evidence: {len(c.evidence_added)} added, {len(c.evidence_expired)} expired"]
    for ev in c.evidence_added:
        out.append(f"  + {ev.id} {_v(ev.document)} collected {_v(ev.collected)} ({ev.path})")
    for ex in c.evidence_expired:
        out.append(f"  ! {ex.control} {ex.document} {_expired_text(ex)}")
    if c.gaps is not None:
        opened = sum(g.change == "opened" for g in c.gaps)
        out += ["", f"Gaps: {opened} opened, {len(c.gaps) - opened} closed"]
        for g in c.gaps:
            out.append(f"  {'+' if g.change == 'opened' else '-'} {g.requirement}: "
                       f"{_arrow(g.old_status, g.new_status)} ({g.reason})")
    return "\n".join(out) + "\n"


def _cell(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(x) for x in row) + " |" for row in rows]
    return lines


def render_markdown(c: Changes) -> str:
    langs = c.languages
    out = ["<!-- isms-diff -->", f"### ISMS changes: {_side(c.old)} → {_side(c.new)}", ""]
    out += [f"**Entities:** {_entity_summary(c)}", ""]
    rows: list[list[str]] = []
    rows += [["added", e.kind, f"`{e.id}`", e.version or "", text_of(e.title, langs),
              f"`{e.path}`", ""] for e in c.added]
    rows += [["removed", e.kind, f"`{e.id}`", e.version or "", text_of(e.title, langs),
              f"`{e.path}`", ""] for e in c.removed]
    rows += [["renamed", r.kind, f"`{r.id}`", "", "", f"`{r.old_path}` → `{r.new_path}`", ""]
             for r in c.renamed]
    rows += [["changed", ch.kind, f"`{ch.id}`",
              "" if ch.old_version is None and ch.new_version is None
              else _arrow(ch.old_version, ch.new_version),
              text_of(ch.title, langs), f"`{ch.path}`", ", ".join(ch.fields)]
             for ch in c.changed]
    if rows:
        out += _table(["Change", "Kind", "Id", "Version", "Title", "File", "Changed fields"], rows)
        out.append("")
    out += [f"**Statement of Applicability:** {len(c.soa)} "
            f"row{'' if len(c.soa) == 1 else 's'} changed", ""]
    if c.soa:
        out += _table(["Control", "Requirement", "Applicable", "Status"], [
            [f"`{r.id}`", _v(r.requirement), _arrow(r.old_applicable, r.new_applicable),
             _arrow(r.old_status, r.new_status)] for r in c.soa])
        out.append("")
    out += [f"**Risks:** {len(c.risks)} changed", ""]
    if c.risks:
        out += _table(["Risk", "Title", "Score", "Residual", "Treatment", "Treatment changes"], [
            [f"`{r.id}`", text_of(r.title, langs), _arrow(r.old_score, r.new_score),
             _arrow(r.old_residual, r.new_residual), _arrow(r.old_treatment, r.new_treatment),
             ", ".join(r.treatment_fields)] for r in c.risks])
        out.append("")
    out += [f"**Evidence:** {len(c.evidence_added)} added, {len(c.evidence_expired)} expired", ""]
    if c.evidence_added:
        out += _table(["Added record", "Document", "Collected", "File"], [
            [f"`{e.id}`", _v(e.document), _v(e.collected), f"`{e.path}`"]
            for e in c.evidence_added])
        out.append("")
    if c.evidence_expired:
        out += _table(["Expired: control", "Document", "Every", "Last collected", "Due"], [
            [f"`{e.control}`", e.document, f"{e.every_months} months",
             _v(e.last_collected.isoformat() if e.last_collected else None),
             _v(e.due.isoformat() if e.due else None)] for e in c.evidence_expired])
        out.append("")
    if c.gaps is not None:
        opened = sum(g.change == "opened" for g in c.gaps)
        out += [f"**Gaps:** {opened} opened, {len(c.gaps) - opened} closed", ""]
        if c.gaps:
            out += _table(["Gap", "Requirement", "Status", "Why"],
                          [[g.change, g.requirement, _arrow(g.old_status, g.new_status), g.reason]
                           for g in c.gaps])
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def render_json(c: Changes) -> str:
    doc = {
        "tool": {"name": "isms", "version": __version__},
        "old": _plain(c.old),
        "new": _plain(c.new),
        "summary": _counts(c),
        "entities": {
            "added": _plain(c.added),
            "removed": _plain(c.removed),
            "renamed": _plain(c.renamed),
            "changed": _plain(c.changed),
        },
        "soa": _plain(c.soa),
        "risks": _plain(c.risks),
        "evidence": {"added": _plain(c.evidence_added), "expired": _plain(c.evidence_expired)},
        "gaps": _plain(c.gaps),
    }
    return json_text(doc)


FORMATS: dict[str, Callable[[Changes], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}
