"""`isms history ID`: history entries joined with the commits that carry each version."""

from __future__ import annotations

import json

import pytest
from gitrepo import GitRepo

POL = "policies/POL-01.yaml"
MOVED = "policies/POL-01-outsourcing.yaml"


@pytest.fixture
def repo(tmp_path):
    """Six commits of POL-01: baseline 1.1.0; an unversioned text edit; 1.2.0; a rename; a
    review date; 1.2.1 without a history entry. Then 1.3.0 in the working tree only."""
    repo = GitRepo.from_fixture(tmp_path, message="Baseline")
    repo.edit(POL, ("governed by SLAs.", "governed by SLAs and OLAs."))
    repo.commit("Mention OLAs", "2026-02-05T10:00:00+00:00")
    repo.edit(POL, ("\nversion: 1.1.0\n", "\nversion: 1.2.0\n"),
              ("on: 2026-03-01}\nreview", "on: 2026-03-05}\nreview"),
              ("change: Added SLA escalation}\n", "change: Added SLA escalation}\n"
               "  - {version: 1.2.0, date: 2026-03-05, author: ciso, change: OLAs}\n"))
    repo.commit("POL-01 1.2.0", "2026-03-05T10:00:00+00:00")
    repo.mv(POL, MOVED)
    repo.commit("Rename POL-01", "2026-04-05T10:00:00+00:00")
    repo.edit(MOVED, ("last: 2026-03-01}", "last: 2026-05-05}"))
    repo.commit("Reviewed POL-01, no change", "2026-05-05T10:00:00+00:00")
    repo.edit(MOVED, ("\nversion: 1.2.0\n", "\nversion: 1.2.1\n"), ("and OLAs.", "and OLAs!"))
    repo.commit("Hotfix", "2026-06-05T10:00:00+00:00")
    repo.edit(MOVED, ("\nversion: 1.2.1\n", "\nversion: 1.3.0\n"),
              ("change: OLAs}\n", "change: OLAs}\n"
               "  - {version: 1.3.0, date: 2026-11-01, author: ciso, change: Exit rules}\n"))
    return repo


def log(repo):
    """Short shas, oldest first."""
    return repo.git("log", "--format=%h", "--abbrev=12", "--reverse").split()


def test_text(cli, repo):
    c1, c2, c3, c4, c5, c6 = log(repo)
    run = cli("history", "POL-01", "-C", str(repo.root))
    assert run.code == 0, run.err
    assert run.out == f"""\
POL-01: Outsourcing Governance Policy
file: {MOVED} (1.3.0, approved) — uncommitted changes

Versions (history, oldest first) and the commits that carry them:
  1.0.0  2025-03-01  ciso  First issue
         ! no commit carries 1.0.0
  1.1.0  2026-03-01  ciso  Added SLA escalation
         {c1}  2026-01-05  Ada Author  Baseline
  1.2.0  2026-03-05  ciso  OLAs
         {c3}  2026-03-05  Ada Author  POL-01 1.2.0
  1.3.0  2026-11-01  ciso  Exit rules
         uncommitted: only in the working tree so far

Commits that touched the file (oldest first):
  {c1}  2026-01-05  - → 1.1.0  Ada Author: Baseline
  {c2}  2026-02-05  1.1.0  Ada Author: Mention OLAs  ! changed text without a new version
  {c3}  2026-03-05  1.1.0 → 1.2.0  Ada Author: POL-01 1.2.0
  {c4}  2026-04-05  1.2.0  Ada Author: Rename POL-01
  {c5}  2026-05-05  1.2.0  Ada Author: Reviewed POL-01, no change
  {c6}  2026-06-05  1.2.0 → 1.2.1  Ada Author: Hotfix  ! version not in history

4 versions, 6 commits: 1 version with no commit, 1 commit with no version, 1 commit with a version not in history
"""


def test_json(cli, repo):
    full = repo.git("log", "--format=%H", "--reverse").split()
    run = cli("history", "POL-01", "-C", str(repo.root), "--format", "json")
    assert run.code == 0, run.err
    doc = run.json()
    assert run.out == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    def commit(i, date, subject):
        return {"sha": full[i], "author": "Ada Author", "email": "ada@example.org",
                "date": f"{date}T10:00:00+00:00", "subject": subject}

    assert doc["versions"] == [
        {"version": "1.0.0", "date": "2025-03-01", "author": "ciso", "change": "First issue",
         "commits": [], "flag": "no-commit"},
        {"version": "1.1.0", "date": "2026-03-01", "author": "ciso",
         "change": "Added SLA escalation", "commits": [commit(0, "2026-01-05", "Baseline")],
         "flag": ""},
        {"version": "1.2.0", "date": "2026-03-05", "author": "ciso", "change": "OLAs",
         "commits": [commit(2, "2026-03-05", "POL-01 1.2.0")], "flag": ""},
        {"version": "1.3.0", "date": "2026-11-01", "author": "ciso", "change": "Exit rules",
         "commits": [], "flag": "uncommitted"},
    ]
    rows = [(c["path"], c["previous_version"], c["version"], c["carries_version"], c["changed"],
             c["flag"]) for c in doc["commits"]]
    assert rows == [
        (POL, None, "1.1.0", True,
         ["id", "kind", "owner", "requirements", "statements", "text", "title"], ""),
        (POL, "1.1.0", "1.1.0", False, ["text"], "no-version"),
        (POL, "1.1.0", "1.2.0", True, [], ""),
        (MOVED, "1.2.0", "1.2.0", False, [], ""),
        (MOVED, "1.2.0", "1.2.0", False, [], ""),
        (MOVED, "1.2.0", "1.2.1", True, ["text"], "version-not-in-history"),
    ]
    assert [c["sha"] for c in doc["commits"]] == full
    assert {k: doc[k] for k in ("id", "kind", "path", "version", "status", "dirty", "shallow")} == {
        "id": "POL-01", "kind": "policy", "path": MOVED, "version": "1.3.0",
        "status": "approved", "dirty": True, "shallow": False}
    assert doc["summary"] == {"versions": 4, "commits": 6, "versions_without_commit": 1,
                              "commits_without_version": 1, "commits_with_unknown_version": 1}


def test_committed_version_is_no_longer_uncommitted(cli, repo):
    repo.commit("POL-01 1.3.0", "2026-11-02T10:00:00+00:00")
    doc = cli("history", "POL-01", "-C", str(repo.root), "--format", "json").json()
    assert doc["dirty"] is False
    assert doc["versions"][-1]["flag"] == ""
    assert doc["commits"][-1]["previous_version"] == "1.2.1"


def test_never_committed_entity(cli, repo):
    repo.write("policies/POL-09.yaml", repo.read("policies/POL-02.yaml").replace("POL-02", "POL-09"))
    run = cli("history", "POL-09", "-C", str(repo.root))
    assert run.out == """\
POL-09: Acceptable Use Policy
file: policies/POL-09.yaml (0.1.0, draft) — uncommitted changes

Versions (history, oldest first) and the commits that carry them:
  0.1.0  2026-05-01  ciso  First draft
         uncommitted: only in the working tree so far

Commits that touched the file (oldest first):
  (none: the file is not committed)

1 version, 0 commits: 0 versions with no commit, 0 commits with no version, 0 commits with a version not in history
"""


def test_unknown_id_exits_2(cli, repo):
    run = cli("history", "POL-1", "-C", str(repo.root))
    assert run.code == 2
    assert run.err == "isms: error: no entity with id 'POL-1'\n  hint: did you mean POL-01?\n"


def test_shallow_clone_says_older_commits_are_missing(cli, repo, tmp_path):
    import subprocess

    from gitrepo import git_env

    repo.commit("POL-01 1.3.0", "2026-11-02T10:00:00+00:00")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth=1", f"file://{repo.top}", str(clone)],
                   check=True, env=git_env(), capture_output=True)
    run = cli("history", "POL-01", "-C", str(clone))
    assert run.code == 0
    assert ("(a shallow clone: older commits are not available; `git fetch --unshallow` "
            "fetches them)") in run.out
    assert run.out.endswith("4 versions, 1 commit: 3 versions with no commit, 0 commits with no "
                            "version, 0 commits with a version not in history\n")
