"""An entity's versions (`history`) joined with the git commits that touched its file.

The join: a commit *carries* a version when the file's `version` at that commit differs from
its `version` in the commit's first parent (renames followed, so a move is not a new
version). Each history entry is then matched with the commits that carry its version. Two
things are flagged, because each is a gap in the record of ISO/IEC 27001 clause 7.5.3: a
version the history names that no commit ever carried (written into history but never
committed as such, or committed under another number), and a commit that changed the
document's content without carrying a version (an unversioned edit). "Content" is what
`isms check --base` compares (:func:`isms.doccontrol.content_changes`), so commits that only
move the file, reformat it, or record an approval or review are listed but not flagged. A
commit carrying a version the history does not name is flagged too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isms import gitio
from isms.content import text_of
from isms.doccontrol import Settings, content_changes
from isms.loader import Limits, parse_bytes
from isms.model import Entity
from isms.tabular import json_text


@dataclass(frozen=True)
class CommitVersion:
    commit: gitio.Commit
    path: str  # the file's path at the commit (relative to the ISMS root when inside it)
    version: str | None  # the file's version at the commit (None: deleted or unreadable)
    previous: str | None  # the version in the first parent
    changed: tuple[str, ...] = ()  # content fields changed from the first parent

    @property
    def carries(self) -> bool:
        return self.version is not None and self.version != self.previous

    @property
    def unversioned(self) -> bool:
        """Changed the content (or deleted the file) without carrying a version."""
        return not self.carries and (bool(self.changed) or self.version is None)


@dataclass(frozen=True)
class VersionRow:
    version: str
    date: str | None
    author: str | None
    change: Any
    commits: tuple[gitio.Commit, ...]  # the commits that carry this version, oldest first
    uncommitted: bool = False  # the current version, present only in the working tree


@dataclass(frozen=True)
class History:
    id: str
    kind: str
    path: str
    version: str | None
    status: str | None
    title: Any
    versions: tuple[VersionRow, ...]  # history entries, oldest first
    commits: tuple[CommitVersion, ...]  # commits that touched the file, oldest first
    dirty: bool  # the file has uncommitted changes
    shallow: bool = False  # a shallow clone: commits before its boundary are not available

    @property
    def versions_without_commit(self) -> tuple[VersionRow, ...]:
        return tuple(v for v in self.versions if not v.commits and not v.uncommitted)

    @property
    def commits_without_version(self) -> tuple[CommitVersion, ...]:
        return tuple(c for c in self.commits if c.unversioned)

    @property
    def commits_with_unknown_version(self) -> tuple[CommitVersion, ...]:
        named = {v.version for v in self.versions}
        return tuple(c for c in self.commits if c.carries and c.version not in named)


def _data(raw: bytes | None, path: str, limits: Limits) -> Mapping[str, Any] | None:
    if raw is None:
        return None
    data = parse_bytes(raw, path, limits).data
    return data if isinstance(data, Mapping) else None


def _version(data: Mapping[str, Any] | None) -> str | None:
    if data is not None and isinstance(data.get("version"), str):
        return str(data["version"])
    return None


def entity_history(root: Path, entity: Entity, settings: Settings | None = None,
                   limits: Limits | None = None) -> History:
    limits = limits or Limits()
    settings = settings or Settings()
    w = gitio.work(root)
    followed = list(reversed(gitio.log_follow(w, entity.path)))
    specs: list[str] = []
    for fc in followed:
        specs.append(f"{fc.commit.sha}:{fc.path}" if fc.path else "")
        specs.append(f"{fc.commit.sha}^:{fc.previous_path}" if fc.previous_path else "")
    wanted = [s for s in specs if s]
    blobs = dict(zip(wanted, gitio.read_blobs(w, wanted), strict=True))
    commits = []
    for fc in followed:
        now = f"{fc.commit.sha}:{fc.path}" if fc.path else ""
        before = f"{fc.commit.sha}^:{fc.previous_path}" if fc.previous_path else ""
        after_data = _data(blobs.get(now), fc.path, limits) if now else None
        before_data = _data(blobs.get(before), fc.previous_path, limits) if before else None
        changed: tuple[str, ...] = ()
        if after_data is not None:
            changed = content_changes(
                Entity(entity.kind, entity.id, fc.previous_path, before_data or {}),
                Entity(entity.kind, entity.id, fc.path, after_data), settings)
        commits.append(CommitVersion(fc.commit, w.rel(fc.path) or fc.path,
                                     _version(after_data), _version(before_data), changed))
    dirty = bool(gitio.dirty(w, [entity.path]))
    current = entity.get("version") if isinstance(entity.get("version"), str) else None
    committed_version = commits[-1].version if commits else None

    rows = []
    history = entity.get("history")
    for item in history if isinstance(history, list) else []:
        if not isinstance(item, Mapping) or not isinstance(item.get("version"), str):
            continue
        version = item["version"]
        carried = tuple(c.commit for c in commits if c.carries and c.version == version)
        uncommitted = (not carried and dirty and version == current
                       and committed_version != current)
        rows.append(VersionRow(
            version,
            item.get("date") if isinstance(item.get("date"), str) else None,
            item.get("author") if isinstance(item.get("author"), str) else None,
            item.get("change"), carried, uncommitted))
    status = entity.get("status")
    return History(entity.id, entity.kind, entity.path, current,
                   status if isinstance(status, str) else None,
                   entity.get("title"), tuple(rows), tuple(commits), dirty,
                   gitio.is_shallow(w))


# --- output -------------------------------------------------------------------------------

def _day(iso: str) -> str:
    return iso[:10]


def render_text(h: History, languages: tuple[str, ...] = ("en",)) -> str:
    title = text_of(h.title, languages)
    state = ", ".join(x for x in (h.version, h.status) if x)
    lines = [f"{h.id}: {title}" if title else h.id,
             f"file: {h.path}" + (f" ({state})" if state else "")
             + (" — uncommitted changes" if h.dirty else ""), ""]
    lines.append("Versions (history, oldest first) and the commits that carry them:")
    if not h.versions:
        lines.append("  (no history entries)")
    width = max((len(v.version) for v in h.versions), default=5)
    for v in h.versions:
        lines.append(f"  {v.version:<{width}}  {v.date or '-'}  {v.author or '-'}  "
                     f"{text_of(v.change, languages)}".rstrip())
        pad = " " * (width + 4)
        for c in v.commits:
            lines.append(f"{pad}{c.sha[:12]}  {_day(c.date)}  {c.author}  {c.subject}".rstrip())
        if v.uncommitted:
            lines.append(f"{pad}uncommitted: only in the working tree so far")
        elif not v.commits:
            lines.append(f"{pad}! no commit carries {v.version}")
    lines += ["", "Commits that touched the file (oldest first):"]
    if not h.commits:
        lines.append("  (none: the file is not committed)")
    named = {v.version for v in h.versions}
    for cv in h.commits:
        transition = (f"{cv.previous or '-'} → {cv.version or '-'}" if cv.carries
                      else f"{cv.version or '-'}")
        flag = ""
        if cv.version is None:
            flag = "  ! file deleted"
        elif cv.unversioned:
            flag = f"  ! changed {', '.join(cv.changed)} without a new version"
        elif cv.carries and cv.version not in named:
            flag = "  ! version not in history"
        lines.append(f"  {cv.commit.sha[:12]}  {_day(cv.commit.date)}  {transition}  "
                     f"{cv.commit.author}: {cv.commit.subject}{flag}")
    if h.shallow:
        lines.append("  (a shallow clone: older commits are not available; "
                     "`git fetch --unshallow` fetches them)")
    lines += ["", _summary(h)]
    return "\n".join(lines) + "\n"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _summary(h: History) -> str:
    problems = [
        f"{_plural(len(h.versions_without_commit), 'version')} with no commit",
        f"{_plural(len(h.commits_without_version), 'commit')} with no version",
        f"{_plural(len(h.commits_with_unknown_version), 'commit')} with a version not in history",
    ]
    return (f"{_plural(len(h.versions), 'version')}, {_plural(len(h.commits), 'commit')}: "
            + ", ".join(problems))


def _commit(c: gitio.Commit) -> dict[str, str]:
    return {"sha": c.sha, "author": c.author, "email": c.email, "date": c.date,
            "subject": c.subject}


def render_json(h: History) -> str:
    named = {v.version for v in h.versions}
    doc = {
        "id": h.id,
        "kind": h.kind,
        "path": h.path,
        "version": h.version,
        "status": h.status,
        "title": h.title,
        "dirty": h.dirty,
        "shallow": h.shallow,
        "versions": [
            {"version": v.version, "date": v.date, "author": v.author, "change": v.change,
             "commits": [_commit(c) for c in v.commits],
             "flag": ("uncommitted" if v.uncommitted else "" if v.commits else "no-commit")}
            for v in h.versions
        ],
        "commits": [
            {**_commit(c.commit), "path": c.path, "version": c.version,
             "previous_version": c.previous, "carries_version": c.carries,
             "changed": list(c.changed),
             "flag": ("no-version" if c.unversioned
                      else "version-not-in-history" if c.carries and c.version not in named
                      else "")}
            for c in h.commits
        ],
        "summary": {
            "versions": len(h.versions),
            "commits": len(h.commits),
            "versions_without_commit": len(h.versions_without_commit),
            "commits_without_version": len(h.commits_without_version),
            "commits_with_unknown_version": len(h.commits_with_unknown_version),
        },
    }
    return json_text(doc)
