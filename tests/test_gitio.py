"""The git wrapper on real repositories: revisions, trees, blobs, renames, dirty state."""

from __future__ import annotations

import pytest
from gitrepo import GitRepo

from isms import gitio


@pytest.fixture
def repo(tmp_path):
    return GitRepo.from_fixture(tmp_path, sub="isms")


def test_work_knows_where_the_isms_root_sits(repo, tmp_path):
    w = gitio.work(repo.root)
    assert (w.toplevel, w.prefix) == (repo.top.resolve(), "isms/")
    assert w.full("policies/POL-01.yaml") == "isms/policies/POL-01.yaml"
    assert w.rel("isms/policies/POL-01.yaml") == "policies/POL-01.yaml"
    assert w.rel("README.md") is None
    outside = tmp_path / "plain"
    outside.mkdir()
    with pytest.raises(gitio.GitError, match="is not inside a git work tree"):
        gitio.work(outside)


def test_resolve_and_commit_info(repo):
    w = gitio.work(repo.root)
    head = repo.git("rev-parse", "HEAD")
    assert gitio.resolve(w, "main") == head
    assert gitio.resolve(w, "HEAD") == head
    commit, day = gitio.commit_info(w, head)
    assert (commit.sha, commit.author, commit.email, commit.date, commit.subject) == (
        head, "Ada Author", "ada@example.org", "2026-01-05T10:00:00+00:00", "Baseline")
    assert day.isoformat() == "2026-01-05"
    for bad in ("", "-v", "--all", "a\nb", "HEAD~5"):
        with pytest.raises(gitio.RevisionNotFoundError):
            gitio.resolve(w, bad)
    assert not gitio.is_shallow(w)


@pytest.mark.parametrize(("ref", "fetch"), [
    ("origin/main", "`git fetch --depth=1 origin main:refs/remotes/origin/main`"),
    ("origin/release/2026", "`git fetch --depth=1 origin release/2026:refs/remotes/origin/release/2026`"),
    ("v2025-audit", "`git fetch --depth=1 origin tag v2025-audit` for a tag, or "
                    "`git fetch --depth=1 origin v2025-audit:refs/remotes/origin/v2025-audit` "
                    "for a branch (then use origin/v2025-audit)"),
    ("HEAD~3", "`git fetch origin` (with enough --depth to reach HEAD~3)"),
    ("4f2a9c1", "`git fetch origin` (with enough --depth to reach 4f2a9c1)"),
])
def test_fetch_hint(ref, fetch):
    assert gitio.fetch_hint(ref) == (f"fetch it first: {fetch}; in GitHub Actions, use "
                                     "actions/checkout with `fetch-depth: 0`")


def test_tree_and_blobs(repo):
    repo.write("../README.md", "outside the ISMS root\n")
    repo.commit("Readme", "2026-01-06T10:00:00+00:00")
    w = gitio.work(repo.root)
    sha = gitio.resolve(w, "HEAD")
    files = gitio.ls_tree(w, sha)
    assert [f.path for f in files][:3] == ["controls/CTL-A.5.19.yaml", "controls/CTL-A.8.2.yaml",
                                           "documents/DOC-01.yaml"]
    assert "README.md" not in {f.path for f in files}
    by_path = {f.path: f for f in files}
    assert by_path["isms.yaml"].size == len(repo.path("isms.yaml").read_bytes())
    assert by_path["isms.yaml"].mode == "100644"
    assert gitio.show(w, sha, "isms.yaml") == repo.path("isms.yaml").read_bytes()
    assert gitio.show(w, sha, "nope.yaml") is None
    assert gitio.read_blobs(w, [f"{sha}:isms/isms.yaml", "0" * 40, f"{sha}:isms"]) == [
        repo.path("isms.yaml").read_bytes(), None, None]
    assert gitio.read_blobs(w, []) == []


def test_log_follows_renames(repo):
    repo.mv("policies/POL-01.yaml", "policies/POL-01-renamed.yaml")
    repo.commit("Rename", "2026-02-01T10:00:00+00:00")
    w = gitio.work(repo.root)
    log = gitio.log_follow(w, "policies/POL-01-renamed.yaml")
    assert [(c.commit.subject, c.path, c.previous_path) for c in log] == [
        ("Rename", "isms/policies/POL-01-renamed.yaml", "isms/policies/POL-01.yaml"),
        ("Baseline", "isms/policies/POL-01.yaml", ""),
    ]


def test_dirty(repo):
    w = gitio.work(repo.root)
    assert gitio.dirty(w) == []
    repo.edit("policies/POL-01.yaml", ("governed by SLAs", "governed by OLAs"))
    repo.write("policies/new file.yaml", "kind: policy\n")
    repo.mv("documents/DOC-02.yaml", "documents/DOC-02-moved.yaml")
    repo.write("../outside.txt", "not in the ISMS\n")
    assert gitio.dirty(w) == ["documents/DOC-02-moved.yaml", "policies/POL-01.yaml",
                              "policies/new file.yaml"]
    assert gitio.dirty(w, ["policies/POL-02.yaml"]) == []
    assert gitio.dirty(w, ["documents"]) == ["documents/DOC-02-moved.yaml"]
