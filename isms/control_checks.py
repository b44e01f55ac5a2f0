"""Checks on controls, the rows of the Statement of Applicability (family C).

They use the same control states as `isms gap` and `isms soa` (isms/controls.py), so a check
and the report it backs never disagree about what is implemented or fresh.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from isms.checks import Context, at, check
from isms.findings import Finding, Severity, rule
from isms.i18n import natural_key

C_NO_IMPLEMENTATION = rule(
    "C001", "control-without-implementation", Severity.WARNING,
    "Applicable control with no implementing procedure or document set",
    """
    The control is applicable, but `implemented_by` is empty, or every procedure and document
    set it names is retired (names that do not exist are reported as R002 or R003). Nothing
    in the ISMS then says how the control is carried out, and an auditor cannot trace the
    Statement of Applicability row to working practice. List the procedures and document sets
    that implement it in `implemented_by` (for a planned control, the ones that will).
    """,
)
C_NO_EVIDENCE = rule(
    "C002", "implemented-without-evidence", Severity.WARNING,
    "Implemented control without evidence",
    """
    The control says `implemented`, but there is no evidence that it operates: an expected
    document set (`evidence: [{document, every_months}]`) has no evidence record at all, or the
    control expects nothing and no evidence record names it in `controls`. Add an evidence
    record (`kind: evidence`, `document: <DOC-id>`) with the file that shows the control
    working, or set the status back to `partial`.
    """,
)
C_STALE_EVIDENCE = rule(
    "C003", "stale-evidence", Severity.WARNING, "Evidence older than its expected frequency",
    """
    The newest evidence record of a document set the control expects was collected more than
    `every_months` months before today (or `--today`), so the evidence no longer shows that the
    control operates now. Collect a new record and add it under evidence/, or correct the
    expected frequency if it was wrong.
    """,
)
C_EXCLUDED_NO_REASON = rule(
    "C004", "excluded-without-reason", Severity.ERROR, "Control excluded without a reason",
    """
    ISO/IEC 27001 clause 6.1.3 d) requires the Statement of Applicability to justify every
    exclusion of an Annex A control. The control has `applicable: false` but no `reason`.
    Write why it does not apply (for example, no such service is used), or make it applicable.
    """,
)
C_EXCLUDED_RELIED_ON = rule(
    "C005", "excluded-but-relied-on", Severity.ERROR,
    "Excluded control that a risk or activity relies on",
    """
    The control is excluded (`applicable: false`), yet a risk treatment (`treatment.controls`
    or the control's `risks`) or a third-party activity (`controls`, or the control's
    `activities`) relies on it. An excluded control is not operated, so that risk is not
    treated and that activity not governed. Make the control applicable, or change the risk or
    activity to rely on a control that is.
    """,
)


@check(C_NO_IMPLEMENTATION, C_NO_EVIDENCE, C_STALE_EVIDENCE, C_EXCLUDED_NO_REASON,
       C_EXCLUDED_RELIED_ON)
def controls(ctx: Context) -> Iterator[Finding]:
    repo = ctx.repo
    from isms.controls import checked_state

    controls = [c for c in repo.of_kind("control") if repo.by_id.get(c.id) is c]
    for entity in ctx.each(controls, key=lambda c: natural_key(c.id)):
        cid = entity.id
        cs = checked_state(ctx, cid)
        assert cs is not None
        if cs.excluded:
            if not cs.reason:
                yield at(C_EXCLUDED_NO_REASON, entity, ("applicable",),
                         f"{cid} is excluded but gives no reason",
                         "add `reason:` saying why the control does not apply")
            if cs.relied_on_by:
                yield at(C_EXCLUDED_RELIED_ON, entity, ("applicable",),
                         f"{cid} is excluded, but {', '.join(cs.relied_on_by)} rel"
                         f"{'y' if len(cs.relied_on_by) > 1 else 'ies'} on it",
                         "make the control applicable or stop relying on it")
            continue
        if not cs.implemented_by and not cs.unresolved:  # unresolved ids are R002/R003
            where = ("implemented_by",) if "implemented_by" in entity.data else ("status",)
            yield at(C_NO_IMPLEMENTATION, entity, where,
                     f"{cid} is applicable ({cs.status or 'no status'}) but no procedure or "
                     "document set implements it",
                     "list them in `implemented_by`")
        if not cs.implemented:
            continue
        listed = entity.get("evidence")
        for i, x in enumerate(listed if isinstance(listed, list) else []):
            match = [e for e in cs.expectations if isinstance(x, Mapping) and e.document == x.get("document")]
            if not match:
                continue
            e = match[0]
            if e.state == "missing":
                yield at(C_NO_EVIDENCE, entity, ("evidence", i),
                         f"{cid} is implemented but has no evidence record of {e.document}",
                         f"add an evidence record with `document: {e.document}`")
            elif e.state == "stale":
                assert e.collected is not None
                yield at(C_STALE_EVIDENCE, entity, ("evidence", i),
                         f"newest evidence of {e.document} ({e.record}, collected "
                         f"{e.collected.isoformat()}) is older than {e.every_months} month"
                         f"{'s' if e.every_months != 1 else ''}",
                         f"collect a new record of {e.document}")
        if not cs.expectations and not cs.supporting:
            yield at(C_NO_EVIDENCE, entity, ("status",),
                     f"{cid} is implemented but expects no evidence and no evidence record "
                     "names it",
                     "add `evidence: [{document: <DOC-id>, every_months: N}]` and a record")
