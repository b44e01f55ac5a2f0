"""`isms import comply` on a small hand-made strongdm/comply repository (tests/fixtures/comply)
into an empty ISMS (tests/fixtures/comply_target)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, TODAY
from isms.comply import parse_framework_options, resolve_framework, split_front_matter
from isms.errors import UsageError

COMPLY = FIXTURES / "comply"


def test_front_matter_is_split_at_the_first_dash_line() -> None:
    assert split_front_matter("name: A\n---\nbody\n---\nmore\n") == ("name: A\n", "\nbody\n---\nmore\n")
    # a leading --- line is tolerated: the front matter is then between the first two
    assert split_front_matter("---\nname: A\n---\nbody\n") == ("\nname: A\n", "\nbody\n")
    assert split_front_matter("---\nbody only\n") == ("", "\nbody only\n")
    assert split_front_matter("name: A\nno delimiter\n") is None
    # a `---` inside a line is not a delimiter
    assert split_front_matter("name: a---b\n---\nx") == ("name: a---b\n", "\nx")


def test_framework_keys() -> None:
    from isms.catalogs import load_catalogs

    catalogs = load_catalogs()
    assert resolve_framework("ISO 27001", catalogs, {}).id == "iso27001-2022"  # type: ignore[union-attr]
    assert resolve_framework("GB/T 22239", catalogs, {}).id == "gbt22239-2019-l3"  # type: ignore[union-attr]
    assert resolve_framework("TSC", catalogs, {}) is None
    assert resolve_framework("TSC", catalogs, {"TSC": "iso27001-2022"}).id == "iso27001-2022"  # type: ignore[union-attr]
    assert parse_framework_options(["ISO 27001=iso27001-2022"]) == {"ISO 27001": "iso27001-2022"}
    with pytest.raises(UsageError):
        parse_framework_options(["TSC"])


@pytest.fixture
def target(tmp_path: Path) -> Path:
    repo = tmp_path / "isms"
    shutil.copytree(FIXTURES / "comply_target", repo)
    return repo


def test_import_comply_dry_run_write_check_and_again(cli, target: Path, golden) -> None:
    run = cli("import", "comply", str(COMPLY), "--repo", str(target), "--today", TODAY)
    assert run.code == 1        # broken.md and the duplicate acronym could not be imported
    golden("comply_import.txt", run.out)
    assert not (target / "policies").exists()

    run = cli("import", "comply", str(COMPLY), "--repo", str(target), "--today", TODAY, "--write")
    assert run.out.splitlines()[-1] == (
        "comply: 7 Markdown files: 5 to create, 0 to update, 0 unchanged, 2 errors, 0 warnings; "
        "wrote 5 files")
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*.yaml")) == [
        "isms.yaml", "policies/POL-AOTP.yaml", "policies/POL-EP.yaml", "policies/POL-SN.yaml",
        "procedures/PRC-OFFBOARD.yaml", "procedures/PRC-WORKSTATION.yaml"]
    assert (target / "policies" / "POL-AOTP.yaml").read_text(encoding="utf-8") == """\
# Imported by `isms import comply` from policies/access.md.
kind: policy
id: POL-AOTP
title:
  en: Access Onboarding and Termination Policy
version: 0.2.0
status: draft
owner: security-officer
requirements:
- iso27001-2022:A.5.15
- iso27001-2022:A.5.18
text:
  en: |-
    # Purpose and Scope

    a. This policy governs how Acme Anvils grants and removes access to its systems.

    # Policy

    a. Access is granted on a need-to-know basis and reviewed every quarter.
history:
- version: 0.1.0
  date: 2018-06-01
  author: security-officer
  change:
    en: Initial document
- version: 0.2.0
  date: 2019-02-10
  author: security-officer
  change:
    en: Added offboarding checklist
x-comply:
  source: policies/access.md
  type: policy
  acronym: AOTP
  unmapped:
    ISO 27001:
    - A.9.2.1
    TSC:
    - CC6.1
    - CC6.2
"""
    check = cli("check", str(target), "--today", TODAY, "--format", "json")
    assert check.code == 0, check.out
    assert check.json()["findings"] == []

    # importing again, even on another day, changes nothing
    run = cli("import", "comply", str(COMPLY), "--repo", str(target), "--today", "2026-12-01")
    assert [line for line in run.out.splitlines() if not line.startswith(("note", "error"))] == [
        "unchanged POL-AOTP  policies/POL-AOTP.yaml  (policies/access.md)",
        "unchanged POL-EP  policies/POL-EP.yaml  (policies/encryption.md)",
        "unchanged POL-SN  policies/POL-SN.yaml  (narratives/system.md)",
        "unchanged PRC-OFFBOARD  procedures/PRC-OFFBOARD.yaml  (procedures/offboard.md)",
        "unchanged PRC-WORKSTATION  procedures/PRC-WORKSTATION.yaml  (procedures/workstation.md)",
        "comply: 7 Markdown files: 0 to create, 0 to update, 5 unchanged, 2 errors, 0 warnings; "
        "dry run, nothing written (add --write)"]


def test_collision_with_an_entity_not_from_comply(cli, target: Path) -> None:
    (target / "policies").mkdir()
    (target / "policies" / "POL-EP.yaml").write_text(
        "kind: policy\nid: POL-EP\ntitle: Existing\nversion: 1.0.0\nstatus: draft\n"
        "owner: ceo\n", encoding="utf-8")
    run = cli("import", "comply", str(COMPLY), "--repo", str(target), "--today", TODAY,
              "--policy", "POL-EP", "--owner", "ceo")
    lines = run.out.splitlines()
    assert "error: policies/encryption.md: POL-EP already exists in policies/POL-EP.yaml; " \
           "not imported" in lines
    assert '  + policy: "POL-EP"' in lines          # procedures attached to --policy
    assert '  + owner: "ceo"' in lines


def test_bad_options(cli, target: Path) -> None:
    run = cli("import", "comply", str(COMPLY), "--repo", str(target), "--owner", "nobody")
    assert run.code == 2
    assert run.err.startswith("isms: error: --owner 'nobody' is not a role in isms.yaml")
    run = cli("import", "comply", str(target), "--repo", str(target))
    assert run.code == 2
    assert "has none of narratives/, policies/, procedures/" in run.err
