"""The ISMS as it was at a git revision, loaded exactly like the working tree.

A revision's files are read from git's object store (never checked out), selected with the
revision's own isms.yaml (its folders and ignore globs, the same rules as
:func:`isms.loader.discover`) and parsed by the same loader and entity builder as the files on
disk, so a file that did not change yields the same data on both sides and any difference is a
real one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from isms import gitio
from isms.config import CONFIG_NAME, Config, config_from_bytes
from isms.errors import ConfigError
from isms.loader import YAML_SUFFIXES, ignore_matcher, parse_bytes
from isms.model import Entity, Repo

WORKTREE = "working tree"


@dataclass(frozen=True)
class Snapshot:
    """One side of a comparison."""

    label: str  # what the user named: a ref, or "working tree"
    sha: str | None  # the commit, None for the working tree
    date: dt.date  # the commit date, or --today for the working tree
    repo: Repo
    config_fallback: bool = False  # isms.yaml at the revision was missing or invalid

    @property
    def short(self) -> str:
        return self.sha[:12] if self.sha else WORKTREE


def select_files(paths: Iterable[str], folders: Iterable[str], ignore: Iterable[str]) -> list[str]:
    """The paths :func:`isms.loader.discover` would pick from a listing of repository files."""
    ignored = ignore_matcher(ignore)

    bases = [posixpath.normpath(Path(f).as_posix()).strip("/") for f in folders]
    chosen: set[str] = set()
    for rel in paths:
        parts = rel.split("/")
        name = parts[-1]
        if not name.endswith(YAML_SUFFIXES) or name.startswith(".") or ignored(rel):
            continue
        for base in bases:
            if base in ("", "."):
                continue
            if not rel.startswith(base + "/"):
                continue
            inner = parts[len(base.split("/")):-1]
            ok = True
            for i, d in enumerate(inner):
                sub = "/".join([base, *inner[: i + 1]])
                if d.startswith(".") or ignored(sub + "/") or ignored(sub):
                    ok = False
                    break
            if ok:
                chosen.add(rel)
                break
    return sorted(chosen)


def load_revision(root: Path, ref: str, current: Config) -> Snapshot:
    """The ISMS at ``ref``. ``current`` (the working tree's configuration) is used to find
    the files when the revision has no usable isms.yaml of its own."""
    from isms.engine import file_result

    w = gitio.work(root)
    sha = gitio.resolve(w, ref)
    _, date = gitio.commit_info(w, sha)
    tree = {f.path: f for f in gitio.ls_tree(w, sha)}

    config, fallback = current, True
    if CONFIG_NAME in tree:
        raw = gitio.read_blobs(w, [tree[CONFIG_NAME].object])[0]
        if raw is not None:
            with contextlib.suppress(ConfigError):
                config, fallback = config_from_bytes(root, raw), False

    files = select_files(tree, config.folders, config.ignore)
    objects: list[str] = []
    kept: list[str] = []
    for rel in files:
        item = tree[rel]
        if item.mode == "120000":
            # A symlink inside the repository reads as the file it points at; anything else
            # (outside, dangling, a folder) is not read, as on disk.
            target = gitio.read_blobs(w, [item.object])[0] or b""
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(rel),
                                                         target.decode("utf-8", "replace")))
            item = tree.get(resolved, item)
            if item.mode == "120000" or resolved.startswith("../"):
                continue
        if item.size > config.limits.max_file_bytes:
            continue
        objects.append(item.object)
        kept.append(rel)
    entities: list[Entity] = []
    for rel, raw in zip(kept, gitio.read_blobs(w, objects), strict=True):
        if raw is None:
            continue
        result = file_result(parse_bytes(raw, rel, config.limits))
        if result.entity is not None:
            entities.append(result.entity)
    return Snapshot(ref, sha, date, Repo.build(config, entities, files), fallback)


def load_worktree(root: Path, today: dt.date) -> Snapshot:
    from isms.engine import load_repo

    loaded = load_repo(root)
    return Snapshot(WORKTREE, None, today, loaded.repo)
