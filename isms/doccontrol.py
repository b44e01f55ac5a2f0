"""Document control against a git revision (`isms check --base REF`).

ISO/IEC 27001 clause 7.5.3 asks for changes to documented information to be controlled:
identified, versioned, approved. In isms the YAML is the document and git is the record, so
a change is judged by comparing each controlled entity with the same id (renames are
followed) at REF:

* content = the parsed data minus the control fields themselves (`version`, `history`,
  `approval`, `review`) and minus `document_control.bump.none`; layout, comments and
  whitespace inside text are not content (:mod:`isms.content`). A status moving to
  `approved` records the approval of the version as it stands, so it is no change by itself;
  any other status change is.
* changed content needs a higher version (D009); a version never goes down (D010); history
  keeps every entry it had at REF and grows by one for the new version (D011; a newest
  entry that does not match the version is D003, a missing date, author or change is S001);
  an approved document that changed needs a newer approval (D012); where isms.yaml requires
  review, a document becomes approved only from in-review (D013); and the bump must be as
  large as the rule table asks for the fields that changed (D014).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isms.checks import as_date, as_version, at
from isms.config import Config
from isms.content import changed_fields
from isms.errors import ConfigError
from isms.findings import Finding, Severity, rule
from isms.model import CONTROLLED_KINDS, Entity, Repo

NOT_CONTENT = ("version", "history", "approval", "review")
DEFAULT_MAJOR: tuple[str, ...] = ()
DEFAULT_MINOR = ("requirements", "status", "policy", "procedure", "parent")
LEVELS = ("none", "patch", "minor", "major")

D_NO_BUMP = rule(
    "D009", "changed-without-version-bump", Severity.ERROR,
    "Content changed but the version did not",
    """
    A controlled document (policy, procedure, document set, or a kind listed under
    `document_control.controlled_kinds`) differs from the base revision given with
    `isms check --base REF`, but its `version` is the same. Readers and auditors rely on the
    version to know which text was approved; an unversioned edit is an uncontrolled change
    (ISO/IEC 27001 clause 7.5.3). Raise the version (the hint says by how much) and append a
    history entry for it. Layout, comments and whitespace are not content: reformatting
    needs no bump.
    """,
)
D_VERSION_DOWN = rule(
    "D010", "version-went-down", Severity.ERROR, "Version is lower than at the base revision",
    """
    The document's `version` is lower than it was at the base revision, or repeats a version
    already issued. A version names one issued text for good; going back makes two texts
    share a number. Use a version higher than the base's.
    """,
)
D_HISTORY_REWRITTEN = rule(
    "D011", "history-not-appended", Severity.ERROR,
    "History entries were removed or changed, or none was added",
    """
    `history` is the record of issued versions and only grows: every entry present at the
    base revision must still be there with its version and date, and a new version adds a new
    entry. Editing the last entry in place (turning 1.1.0 into 1.2.0) loses the record of
    1.1.0. Restore the base's entries and append one for the new version.
    """,
)
D_APPROVAL_STALE = rule(
    "D012", "approval-not-renewed", Severity.ERROR,
    "Approved document changed without a new approval",
    """
    The document is `approved` and changed since the base revision (its content, version or
    status), but `approval.on` is not later than it was there, so the approval on record is
    the approval of an earlier text. Have the new version approved and record the new
    `approval: {by, on}`, or set the status to `in-review` until it is.
    """,
)
D_SKIPPED_REVIEW = rule(
    "D013", "status-skipped-review", Severity.ERROR, "Status became approved without review",
    """
    `document_control.require_review` is set in isms.yaml, and the document went to
    `approved` from a status other than `in-review` (e.g. draft → approved) since the base
    revision. Set it to `in-review` first and approve it after the review.
    """,
)
D_BUMP_TOO_SMALL = rule(
    "D014", "version-bump-too-small", Severity.ERROR, "Version bump too small for the change",
    """
    The version went up, but by less than the fields that changed require: by default a
    change to `requirements`, `status` or the parent link (`policy` of a procedure,
    `procedure` of a document set, `parent`) needs at least a minor bump, any other content
    change a patch. The table is set under `document_control.bump` in isms.yaml. Raise the
    version as the hint says.
    """,
)


@dataclass(frozen=True)
class Settings:
    kinds: tuple[str, ...] = CONTROLLED_KINDS
    require_review: bool = False
    major: frozenset[str] = frozenset(DEFAULT_MAJOR)
    minor: frozenset[str] = frozenset(DEFAULT_MINOR)
    none: frozenset[str] = frozenset()

    def required(self, fields: tuple[str, ...]) -> str:
        """The smallest bump the changed ``fields`` call for."""
        if not fields:
            return "none"
        if any(f in self.major for f in fields):
            return "major"
        if any(f in self.minor for f in fields):
            return "minor"
        return "patch"


def settings(config: Config) -> Settings:
    """`document_control` of isms.yaml (the config schema has checked its shape)."""
    from isms.schema import KINDS, load_schema

    section = config.raw.get("document_control")
    if not isinstance(section, Mapping):
        return Settings()
    kinds = list(CONTROLLED_KINDS)
    for kind in section.get("controlled_kinds") or ():
        if kind in kinds:
            continue
        props = load_schema(kind).get("properties", {}) if kind in KINDS else {}
        if "version" not in props or "history" not in props:
            raise ConfigError(
                f"isms.yaml document_control.controlled_kinds: {kind!r} cannot be controlled",
                hint="only kinds with `version` and `history` fields can be: "
                     + ", ".join(k for k in KINDS if "version" in load_schema(k).get("properties", {})))
        kinds.append(kind)
    raw_bump = section.get("bump")
    bump: Mapping[str, Any] = raw_bump if isinstance(raw_bump, Mapping) else {}
    return Settings(
        kinds=tuple(kinds),
        require_review=section.get("require_review") is True,
        major=frozenset(bump.get("major", DEFAULT_MAJOR)),
        minor=frozenset(bump.get("minor", DEFAULT_MINOR)),
        none=frozenset(bump.get("none", ())),
    )


def content_changes(base: Entity, head: Entity, s: Settings) -> tuple[str, ...]:
    """The fields whose change document control cares about (see the module docstring)."""
    fields = changed_fields(base.data, head.data, (*NOT_CONTENT, *s.none))
    if "status" in fields and head.get("status") == "approved":
        fields = tuple(f for f in fields if f != "status")
    return fields


def _level(old: tuple[int, int, int], new: tuple[int, int, int]) -> str:
    if new[0] > old[0]:
        return "major"
    if new[1] > old[1]:
        return "minor"
    return "patch"


def _next(old: tuple[int, int, int], level: str) -> str:
    major, minor, patch = old
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def _versions(history: Any) -> list[tuple[int, str, Any]]:
    """(index, version, date) of each history entry that names a version."""
    if not isinstance(history, list):
        return []
    return [(i, item["version"], item.get("date")) for i, item in enumerate(history)
            if isinstance(item, Mapping) and isinstance(item.get("version"), str)]


def compare_entity(base: Entity, head: Entity, s: Settings, ref: str) -> Iterator[Finding]:
    fields = content_changes(base, head, s)
    named = ", ".join(fields)
    bv, hv = as_version(base.get("version")), as_version(head.get("version"))
    base_version, head_version = base.get("version"), head.get("version")
    required = s.required(fields)

    if bv is not None and hv is not None:
        if hv < bv:
            issued = [v for _, v, _ in _versions(base.get("history"))]
            repeats = (f", and repeats {head_version} from its history"
                       if head_version in issued else "")
            yield at(D_VERSION_DOWN, head, ("version",),
                     f"version {head_version} is lower than {base_version} at {ref}{repeats}",
                     f"use {_next(bv, required if required != 'none' else 'patch')} or higher")
        elif hv == bv:
            if fields:
                yield at(D_NO_BUMP, head, ("version",),
                         f"{head.id} changed since {ref} ({named}) but its version is "
                         f"still {head_version}",
                         f"raise the version to {_next(bv, required)} ({required}) or higher "
                         "and add a history entry for it")
        else:
            level = _level(bv, hv)
            if LEVELS.index(level) < LEVELS.index(required):
                yield at(D_BUMP_TOO_SMALL, head, ("version",),
                         f"{base_version} → {head_version} is a {level} bump, but {named} "
                         f"changed, which needs a {required} bump",
                         f"use {_next(bv, required)} (document_control.bump in isms.yaml sets "
                         "which fields need which bump)")
    yield from _history(base, head, ref, bv, hv)
    yield from _approval(base, head, fields, ref)
    if s.require_review and head.get("status") == "approved":
        before = base.get("status")
        if isinstance(before, str) and before not in ("in-review", "approved"):
            yield at(D_SKIPPED_REVIEW, head, ("status",),
                     f"status went from {before} to approved since {ref} without in-review",
                     "set status to in-review until the document has been reviewed "
                     "(document_control.require_review)")


def _history(base: Entity, head: Entity, ref: str, bv: tuple[int, int, int] | None,
             hv: tuple[int, int, int] | None) -> Iterator[Finding]:
    before = _versions(base.get("history"))
    now = {v: (i, d) for i, v, d in reversed(_versions(head.get("history")))}
    history = head.get("history")
    where: tuple[Any, ...] = ("history",) if "history" in head.data else ("version",)
    missing = [v for _, v, _ in before if v not in now]
    if missing:
        yield at(D_HISTORY_REWRITTEN, head, where,
                 f"history entr{'y' if len(missing) == 1 else 'ies'} {', '.join(missing)} "
                 f"from {ref} {'is' if len(missing) == 1 else 'are'} missing",
                 "history only grows: restore the entries and append one for a new version")
    for _, version, day in before:
        if version in now:
            i, new_day = now[version]
            if day is not None and new_day != day:
                yield at(D_HISTORY_REWRITTEN, head, ("history", i, "date"),
                         f"history entry {version} was dated {day} at {ref}, now {new_day}",
                         "history records what happened: keep the original date")
    if bv is not None and hv is not None and hv > bv and not (
            isinstance(history, list) and history):
        yield at(D_HISTORY_REWRITTEN, head, where,
                 f"version went from {base.get('version')} to {head.get('version')} since {ref} "
                 "but history has no entry for it",
                 f"append {{version: {head.get('version')}, date, author, change}} to history")


def _approval(base: Entity, head: Entity, fields: tuple[str, ...], ref: str) -> Iterator[Finding]:
    if head.get("status") != "approved":
        return
    changed = bool(fields) or any(
        k in changed_fields(base.data, head.data) for k in ("version", "status"))
    if not changed:
        return
    old, new = base.get("approval"), head.get("approval")
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return  # no approval now is D001; none before means this one is new
    old_on, new_on = as_date(old.get("on")), as_date(new.get("on"))
    if old_on is None or new_on is None or new_on > old_on:
        return
    when = (f"is still {new_on.isoformat()}" if new_on == old_on
            else f"is {new_on.isoformat()}, before {old_on.isoformat()} at {ref}")
    yield at(D_APPROVAL_STALE, head, ("approval", "on"),
             f"approved {head.id} changed since {ref} but approval.on {when}",
             "record the approval of the new version (approval.by and approval.on), or set "
             "status to in-review until it is approved")


def compare(base: Repo, head: Repo, s: Settings, ref: str) -> list[Finding]:
    """Findings for every controlled entity of ``head`` that also exists in ``base``."""
    out: list[Finding] = []
    for entity in head.entities:
        if entity.kind not in s.kinds or head.by_id.get(entity.id) is not entity:
            continue
        before = base.by_id.get(entity.id)
        if before is None or before.kind not in s.kinds:
            continue
        out.extend(compare_entity(before, entity, s, ref))
    return out


def check_base(root: Path, head: Repo, ref: str) -> list[Finding]:
    """Document-control findings of the working tree against revision ``ref``."""
    from isms.revision import load_revision

    s = settings(head.config)
    snapshot = load_revision(root, ref, head.config)
    return compare(snapshot.repo, head, s, ref)
