"""A small, offline wrapper around the `git` executable.

isms reads history (document control, `isms diff`, `isms history`) straight from the
repository's object store through the `git` command line, the one git implementation every CI
image already has. Nothing here touches the network: we never fetch, and lazy fetching of
missing objects (partial clones) is switched off, so a missing revision is reported with the
command that fetches it instead of being fetched behind the user's back.

Paths given to and returned by these functions are relative to the ISMS root, which may be a
sub-directory of the git work tree.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from isms.errors import IsmsError


class GitError(IsmsError):
    """git is missing, the ISMS is not in a git work tree, or a git command failed."""


class RevisionNotFoundError(GitError):
    """A revision named on the command line is not in the local repository."""


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    email: str
    date: str  # author date, strict ISO 8601 with the author's offset
    subject: str


@dataclass(frozen=True)
class FileCommit:
    """A commit that touched a file, with the file's path in it and just before it.

    Paths here are relative to the git top level, not the ISMS root: a followed file may
    have lived outside the ISMS folders before it was moved in."""

    commit: Commit
    path: str  # path at this commit ('' when the commit deleted the file)
    previous_path: str  # path in the first parent ('' when the commit added the file)


@dataclass(frozen=True)
class TreeFile:
    path: str
    size: int
    mode: str
    object: str


# Keep git quiet, local and deterministic: no prompts, no pager, no lazy fetches of missing
# objects (partial clones), no locks taken by read-only commands, C locale messages.
_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_NO_LAZY_FETCH": "1",
    "GIT_ALLOW_PROTOCOL": "file",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_PAGER": "cat",
    "LC_ALL": "C",
    "LANGUAGE": "C",
}


def _git_exe() -> str:
    exe = shutil.which("git")
    if exe is None:
        raise GitError("git is not installed or not on PATH",
                       hint="install git; isms reads revisions with the git command line")
    return exe


def run(cwd: Path, *args: str, stdin: bytes | None = None, check: bool = True) -> bytes:
    """Run ``git args`` in ``cwd`` and return its standard output."""
    env = {**os.environ, **_ENV}
    try:
        proc = subprocess.run(
            [_git_exe(), "-c", "core.quotepath=off", *args],
            cwd=cwd, input=stdin, capture_output=True, env=env, check=False,
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    if check and proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[-1] if message else proc.returncode}")
    return proc.stdout


@dataclass(frozen=True)
class Work:
    """Where the ISMS root sits in its git work tree."""

    toplevel: Path
    prefix: str  # the ISMS root relative to the top level, '' or ending in '/'

    def full(self, rel: str) -> str:
        return self.prefix + rel

    def rel(self, full: str) -> str | None:
        return full[len(self.prefix):] if full.startswith(self.prefix) else None


def work(root: Path) -> Work:
    env = {**os.environ, **_ENV}
    proc = subprocess.run(
        [_git_exe(), "rev-parse", "--show-toplevel", "--show-prefix"],
        cwd=root, capture_output=True, env=env, check=False,
    )
    if proc.returncode != 0:
        raise GitError(f"{root} is not inside a git work tree",
                       hint="document control and diffs read the repository's git history; "
                            "run isms inside a git clone")
    lines = proc.stdout.decode("utf-8").splitlines()
    top = Path(lines[0])
    prefix = lines[1] if len(lines) > 1 else ""
    return Work(top, prefix)


def is_shallow(w: Work) -> bool:
    return run(w.toplevel, "rev-parse", "--is-shallow-repository").strip() == b"true"


def fetch_hint(ref: str) -> str:
    """The command that fetches ``ref``, to put in an error message."""
    if ref.startswith("origin/"):
        branch = ref[len("origin/"):]
        fetch = f"`git fetch --depth=1 origin {branch}:refs/remotes/origin/{branch}`"
    elif ref.startswith("refs/") or "/" in ref or "^" in ref or "~" in ref or (
            len(ref) >= 7 and all(c in "0123456789abcdef" for c in ref)):
        fetch = f"`git fetch origin` (with enough --depth to reach {ref})"
    else:
        fetch = (f"`git fetch --depth=1 origin tag {ref}` for a tag, or "
                 f"`git fetch --depth=1 origin {ref}:refs/remotes/origin/{ref}` for a branch "
                 f"(then use origin/{ref})")
    return (f"fetch it first: {fetch}; in GitHub Actions, use actions/checkout with "
            "`fetch-depth: 0`")


def resolve(w: Work, ref: str) -> str:
    """The full commit id that ``ref`` names, or a clear error saying how to get it."""
    if not ref or ref.startswith("-") or any(c in ref for c in "\0\n"):
        raise RevisionNotFoundError(f"{ref!r} is not a revision")
    out = run(w.toplevel, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}",
              check=False).decode("utf-8").strip()
    if out:
        return out
    if is_shallow(w):
        raise RevisionNotFoundError(
            f"revision {ref!r} not found: this is a shallow clone, which holds only the "
            "latest commits", hint=fetch_hint(ref))
    raise RevisionNotFoundError(f"revision {ref!r} not found in this repository",
                                hint=fetch_hint(ref))


def commit_info(w: Work, sha: str) -> tuple[Commit, dt.date]:
    """The commit and its committer date (the day the revision came to be)."""
    out = run(w.toplevel, "show", "-s", "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%cI%x1f%s",
              sha, "--").decode("utf-8", "replace").strip("\n")
    full, author, email, adate, cdate, subject = (out.split("\x1f") + [""] * 6)[:6]
    return Commit(full, author, email, adate, subject), dt.date.fromisoformat(cdate[:10])


def ls_tree(w: Work, sha: str) -> list[TreeFile]:
    """Every file of the commit under the ISMS root (blobs and symlinks), sorted by path."""
    args = ["ls-tree", "-r", "-z", "-l", "--full-tree", sha]
    if w.prefix:
        args += ["--", w.prefix]
    out = run(w.toplevel, *args)
    files = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, obj, size = meta.decode().split()
        if kind != "blob":
            continue
        rel = w.rel(name.decode("utf-8", "surrogateescape"))
        if rel is None:
            continue
        files.append(TreeFile(rel, int(size) if size.isdigit() else 0, mode, obj))
    return sorted(files, key=lambda f: f.path)


def read_blobs(w: Work, specs: Sequence[str]) -> list[bytes | None]:
    """The content of each ``REV:path`` (full path) or object id; None where there is none.

    One `git cat-file --batch` for all of them: a repository of hundreds of documents is
    read in one process, not hundreds.
    """
    if not specs:
        return []
    for s in specs:
        if "\n" in s:
            raise GitError(f"path contains a newline: {s!r}")
    out = run(w.toplevel, "cat-file", "--batch", stdin="".join(f"{s}\n" for s in specs).encode(
        "utf-8", "surrogateescape"))
    results: list[bytes | None] = []
    pos = 0
    for _ in specs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        pos = end + 1
        if len(header) == 3 and header[1] in (b"blob", b"commit", b"tree", b"tag"):
            size = int(header[2])
            body = out[pos:pos + size]
            pos += size + 1
            results.append(body if header[1] == b"blob" else None)
        else:
            results.append(None)
    return results


def show(w: Work, sha: str, rel: str) -> bytes | None:
    """The content of ``rel`` at ``sha`` (`git show REV:path`), or None when absent."""
    return read_blobs(w, [f"{sha}:{w.full(rel)}"])[0]


def log_follow(w: Work, rel: str) -> list[FileCommit]:
    """Commits that touched ``rel``, newest first, following renames (`git log --follow`)."""
    out = run(w.toplevel, "log", "--follow", "--name-status", "-z", "-M",
              "--format=%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%s", "--", w.full(rel))
    commits = []
    for record in out.decode("utf-8", "surrogateescape").split("\x1e"):
        if not record:
            continue
        header, _, rest = record.partition("\0")
        sha, author, email, date, subject = (header.split("\x1f") + [""] * 5)[:5]
        tokens = rest.lstrip("\n").split("\0")
        path = previous = w.full(rel)
        if tokens and tokens[0]:
            status = tokens[0]
            if status.startswith(("R", "C")) and len(tokens) >= 3:
                previous, path = tokens[1], tokens[2]
            elif status.startswith("A") and len(tokens) >= 2:
                previous, path = "", tokens[1]
            elif status.startswith("D") and len(tokens) >= 2:
                previous, path = tokens[1], ""
            elif len(tokens) >= 2:
                previous = path = tokens[1]
        commits.append(FileCommit(Commit(sha, author, email, date, subject), path, previous))
    return commits


def dirty(w: Work, rels: Iterable[str] = ()) -> list[str]:
    """Files under the ISMS root (or the given ones) with uncommitted changes, untracked
    files included."""
    paths = [w.full(r) for r in rels] or ([w.prefix] if w.prefix else ["."])
    out = run(w.toplevel, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--",
              *paths)
    changed: list[str] = []
    tokens = out.decode("utf-8", "surrogateescape").split("\0")
    i = 0
    while i < len(tokens):
        entry = tokens[i]
        i += 1
        if len(entry) < 4:
            continue
        status, name = entry[:2], entry[3:]
        if "R" in status or "C" in status:
            i += 1  # the next token is the original name
        rel = w.rel(name)
        if rel is not None:
            changed.append(rel)
    return sorted(set(changed))
