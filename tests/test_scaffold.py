"""`isms init` and `isms new`: new repositories pass their check; nothing is overwritten."""

from __future__ import annotations

import hashlib

import pytest
import yaml

from conftest import REPO, TODAY, findings_of
from isms.schema import KINDS


def _digest(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("lang", "minimal"), [("both", False), ("en", False), ("zh", True)])
def test_init_then_check_passes(cli, tmp_path, lang, minimal):
    target = tmp_path / "my-isms"
    args = ["init", str(target), "--org", "Beishan District Information Office", "--lang", lang]
    run = cli(*args, *(["--minimal"] if minimal else []))
    assert run.code == 0, run.err
    check = cli("check", "--today", TODAY, "--format", "json", cwd=target)
    assert check.code == 0, check.out
    reference = cli("check", str(REPO), "--today", TODAY, "--format", "json").json()
    if minimal:
        # Documents and controls only: every control starts as planned, nothing to warn about.
        assert check.json()["summary"] == {"files": 188, "error": 0, "warning": 0, "info": 0}
        statuses = {yaml.safe_load(p.read_text("utf-8"))["status"]
                    for p in (target / "controls").glob("*.yaml")}
        assert statuses == {"planned", "not-implemented"}
    else:
        # The full reference, with exactly the deliberate warnings it demonstrates.
        assert check.json()["summary"] == reference["summary"]
        # A bilingual copy is byte-identical, so even the lines match; a single-language one
        # is re-written by the converter, so its lines move.
        key = (lambda f: (f["code"], f["path"], f["line"])) if lang == "both" else (
            lambda f: (f["code"], f["path"]))
        assert sorted(map(key, check.json()["findings"])) == sorted(map(key, reference["findings"]))
    config = yaml.safe_load((target / "isms.yaml").read_text("utf-8"))
    languages = ["en", "zh"] if lang == "both" else [lang]
    assert config["languages"] == languages
    policy = yaml.load((target / "policies").glob("POL-02*.yaml").__next__().read_text("utf-8"),
                       Loader=yaml.BaseLoader)
    if lang == "both":
        assert set(policy["title"]) == {"en", "zh"}
    else:
        assert isinstance(policy["title"], str)
        assert policy["approval"]["on"]
    if minimal:
        assert not list((target / "registers").rglob("*.yaml"))
    for name in (".gitignore", ".pre-commit-config.yaml", ".vscode/settings.json",
                 ".github/workflows/isms.yml", ".gitlab-ci.yml", ".isms/schemas/policy.schema.json"):
        assert (target / name).is_file(), name
    hooks = yaml.safe_load((target / ".pre-commit-config.yaml").read_text())
    assert hooks["repos"][0]["hooks"][0]["entry"] == "isms check"
    yaml.safe_load((target / ".github/workflows/isms.yml").read_text())
    yaml.safe_load((target / ".gitlab-ci.yml").read_text())


def test_init_refuses_to_overwrite_without_force(cli, tmp_path):
    target = tmp_path / "repo"
    assert cli("init", str(target), "--minimal").code == 0
    (target / "policies" / "POL-01-isms-and-risk.yaml").write_text("kind: policy\n")
    before = _digest(target)
    again = cli("init", str(target), "--minimal")
    assert again.code == 2
    assert "already exist" in again.err and "--force" in again.err
    assert _digest(target) == before
    assert cli("init", str(target), "--minimal", "--force").code == 0
    assert _digest(target) != before
    assert cli("check", str(target), "--today", TODAY).code == 0


def test_init_with_git_and_pre_commit_config(cli, tmp_path):
    import subprocess

    target = tmp_path / "repo"
    assert cli("init", str(target), "--lang", "en", "--minimal").code == 0
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    subprocess.run(["git", "-C", str(target), "add", "-A"], check=True)
    status = subprocess.run(["git", "-C", str(target), "status", "--porcelain"], check=True,
                            capture_output=True, text=True).stdout
    assert "isms.yaml" in status and ".pre-commit-config.yaml" in status


@pytest.mark.parametrize("kind", KINDS)
def test_new_writes_a_schema_valid_skeleton_with_todo_markers(cli, make_repo, kind):
    repo = make_repo("clean")
    ident = {"control": "CTL-A.5.1", "third-party": "TP-NEW", "evaluation": "EVAL-TP-NEW-2026-11",
             "evidence": "EV-2026-0099", "budget-standard": "BUDGET-2027"}.get(
        kind, f"NEW-{kind.upper()}-01")
    run = cli("new", kind, ident, "--path", str(repo), "--today", TODAY)
    assert run.code == 0, run.err
    (path,) = run.out.split()
    rel = path.split(str(repo) + "/")[1]
    check = cli("check", str(repo), "--today", TODAY, "--format", "json")
    found = findings_of(check)
    codes = {code for code, file, _ in found if file == rel}
    assert "T002" in codes
    assert not {c for c in codes if c.startswith(("S", "Y", "T001"))}, found
    assert cli("new", kind, ident, "--path", str(repo)).code == 2


def test_new_rejects_bad_kind_and_id(cli, make_repo):
    repo = make_repo("clean")
    assert "unknown kind" in cli("new", "widget", "W-1", "--path", str(repo)).err
    assert "not a valid id" in cli("new", "policy", "pol 1", "--path", str(repo)).err
    assert "already exists" in cli("new", "policy", "POL-01", "--path", str(repo)).err
