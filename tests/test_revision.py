"""Loading the ISMS at a git revision exactly as the working tree is loaded."""

from __future__ import annotations

import datetime as dt
import os

from gitrepo import GitRepo

from conftest import FIXTURES
from isms.config import load_config
from isms.loader import discover
from isms.revision import load_revision, load_worktree, select_files


def all_files(root):
    out = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            out.append(os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/"))
    return out


def test_select_files_agrees_with_discover(make_repo):
    for fixture in ("clean", "doc_history", "references", "text"):
        root = make_repo(fixture)
        (root / "policies" / ".hidden").mkdir()
        (root / "policies" / ".hidden" / "x.yaml").write_text("kind: policy\n")
        (root / "policies" / ".dot.yaml").write_text("kind: policy\n")
        (root / "policies" / "notes.txt").write_text("not yaml\n")
        (root / "policies" / "skip").mkdir()
        (root / "policies" / "skip" / "y.yml").write_text("kind: policy\n")
        (root / "policies" / "keep.yml").write_text("kind: policy\n")
        config = load_config(root)
        ignore = (*config.ignore, "policies/skip/")
        found, _ = discover(root, config.folders, ignore)
        assert select_files(all_files(root), config.folders, ignore) == found
        assert "policies/keep.yml" in found


def test_revision_and_working_tree_load_the_same_entities(tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    config = load_config(repo.root)
    at_head = load_revision(repo.root, "HEAD", config)
    here = load_worktree(repo.root, dt.date(2026, 11, 15))
    assert at_head.repo.files == here.repo.files
    assert [(e.kind, e.id, e.path, dict(e.data)) for e in at_head.repo.entities] == [
        (e.kind, e.id, e.path, dict(e.data)) for e in here.repo.entities]
    assert at_head.repo.by_id["POL-01"].at(("version",)) == (4, 1)
    assert (at_head.label, at_head.sha, at_head.date, at_head.config_fallback) == (
        "HEAD", repo.git("rev-parse", "HEAD"), dt.date(2026, 1, 5), False)
    assert (here.label, here.sha, here.date, here.short) == (
        "working tree", None, dt.date(2026, 11, 15), "working tree")
    assert len(here.repo.entities) == len(list((FIXTURES / "doc_history").rglob("*.yaml"))) - 1


def test_revision_uses_its_own_folders_and_falls_back_on_a_broken_config(tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    repo.edit("isms.yaml", ("folders: [policies, procedures, documents, controls, registers, "
                            "evidence]", "folders: [policies]"))
    repo.commit("Only policies", "2026-02-01T10:00:00+00:00")
    repo.write("isms.yaml", "organisation: [broken\n")
    repo.commit("Broken config", "2026-03-01T10:00:00+00:00")
    repo.git("checkout", "-q", "HEAD~2", "--", "isms.yaml")
    current = load_config(repo.root)
    only_policies = load_revision(repo.root, "HEAD~1", current)
    assert {e.kind for e in only_policies.repo.entities} == {"policy"}
    broken = load_revision(repo.root, "HEAD", current)
    assert broken.config_fallback is True
    assert len(broken.repo.entities) == 10


def test_symlinks_and_oversized_files_at_a_revision(tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    os.symlink("POL-02.yaml", repo.path("policies/POL-02-link.yaml"))
    os.symlink("../../outside.yaml", repo.path("policies/POL-out.yaml"))
    repo.write("policies/POL-big.yaml", "kind: policy\nid: POL-BIG\n# " + "x" * 2000 + "\n")
    repo.edit("isms.yaml", ("roles:", "checks: {max_file_bytes: 1000}\nroles:"))
    repo.commit("Links", "2026-02-01T10:00:00+00:00")
    snapshot = load_revision(repo.root, "HEAD", load_config(repo.root))
    paths = {e.path for e in snapshot.repo.entities}
    assert "policies/POL-02-link.yaml" in paths  # read as the file it points at
    assert "policies/POL-out.yaml" not in paths
    assert "policies/POL-big.yaml" not in paths
