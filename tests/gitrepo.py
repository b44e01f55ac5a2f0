"""Real git repositories in temp dirs for the document-control, diff and history tests.

Commits are deterministic: fixed author, committer and dates, and no global or system git
configuration (a developer's commit.gpgsign or hooks must not change what the tests see).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from conftest import FIXTURES

BASE_DATE = "2026-01-05T10:00:00+00:00"


def git_env(date: str = BASE_DATE) -> dict[str, str]:
    return {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Ada Author",
        "GIT_AUTHOR_EMAIL": "ada@example.org",
        "GIT_COMMITTER_NAME": "Ada Author",
        "GIT_COMMITTER_EMAIL": "ada@example.org",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
    }


class GitRepo:
    """A git work tree at ``top`` holding an ISMS at ``root`` (``top`` or a folder of it)."""

    def __init__(self, top: Path, sub: str = "") -> None:
        self.top = top
        self.root = top / sub if sub else top

    @classmethod
    def from_fixture(cls, tmp_path: Path, fixture: str = "doc_history", sub: str = "",
                     message: str = "Baseline", date: str = BASE_DATE) -> GitRepo:
        top = tmp_path / "repo"
        target = top / sub if sub else top
        shutil.copytree(FIXTURES / fixture, target)
        repo = cls(top, sub)
        repo.git("init", "-q", "-b", "main")
        repo.commit(message, date)
        return repo

    def git(self, *args: str, date: str = BASE_DATE, cwd: Path | None = None) -> str:
        proc = subprocess.run(["git", *args], cwd=cwd or self.top, env=git_env(date),
                              capture_output=True, text=True, check=True)
        return proc.stdout.strip()

    def commit(self, message: str, date: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--no-verify", "-m", message, date=date)
        return self.git("rev-parse", "HEAD")

    def path(self, rel: str) -> Path:
        return self.root / rel

    def read(self, rel: str) -> str:
        return self.path(rel).read_text("utf-8")

    def write(self, rel: str, text: str) -> None:
        self.path(rel).parent.mkdir(parents=True, exist_ok=True)
        self.path(rel).write_text(text, "utf-8")

    def edit(self, rel: str, *pairs: tuple[str, str]) -> None:
        """Replace each ``old`` with ``new`` in the file; each ``old`` must be there once."""
        text = self.read(rel)
        for old, new in pairs:
            assert text.count(old) == 1, f"{old!r} not found once in {rel}"
            text = text.replace(old, new)
        self.write(rel, text)

    def mv(self, old: str, new: str) -> None:
        self.git("mv", str(self.path(old)), str(self.path(new)))
