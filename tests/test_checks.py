"""The structural checks on their fixture repos: exact findings and exit codes."""

from __future__ import annotations

import pytest

from conftest import TODAY, findings_of


def check_json(cli, name, *extra):
    return cli("check", f"tests/fixtures/{name}", "--today", TODAY, "--format", "json", *extra)


def test_clean_fixture_passes(cli):
    run = check_json(cli, "clean")
    assert run.code == 0
    assert findings_of(run) == set()
    assert run.json()["summary"] == {"files": 10, "error": 0, "warning": 0, "info": 0}


def test_schema_fixture(cli):
    run = check_json(cli, "schema")
    assert run.code == 1
    assert findings_of(run) == {
        ("S001", "controls/CTL-A.5.1.yaml", 4),
        ("S001", "controls/CTL-A.5.1.yaml", 6),
        ("R003", "controls/CTL-A.5.1.yaml", 6),
        ("S001", "policies/POL-01.yaml", 1),
        ("S001", "policies/POL-01.yaml", 4),
        ("S001", "policies/POL-01.yaml", 5),
        ("S002", "policies/POL-01.yaml", 6),
        ("S001", "policies/POL-01.yaml", 7),
        ("S001", "registers/RSK-bad.yaml", 2),
        ("S001", "registers/RSK-bad.yaml", 4),
        ("S001", "registers/RSK-bad.yaml", 6),
        # the control and risk checks still run on malformed data, without crashing
        ("C002", "controls/CTL-A.5.1.yaml", 5),
        ("K004", "registers/RSK-bad.yaml", 5),
        ("G002", "registers/RSK-bad.yaml", 2),
    }
    by_line = {(f["path"], f["line"]): f for f in run.json()["findings"] if f["code"] == "S002"}
    assert by_line[("policies/POL-01.yaml", 6)]["hint"] == "did you mean `requirements`?"
    missing = [f for f in run.json()["findings"] if f["line"] == 1 and f["code"] == "S001"]
    assert missing[0]["message"] == "'owner' is required"
    assert missing[0]["json_path"] == "$.owner"


def test_references_fixture(cli):
    run = check_json(cli, "references")
    assert run.code == 1
    assert findings_of(run) == {
        ("R004", "documents/DOC-01.yaml", 10),
        ("R009", "evidence/EV-01.yaml", 6),
        ("R009", "evidence/EV-01.yaml", 7),
        ("R010", "evidence/EV-01.yaml", 8),
        ("R005", "policies/POL-02.yaml", 7),
        ("R006", "policies/POL-03.yaml", 6),
        ("R003", "procedures/PRC-01.yaml", 7),
        ("R002", "procedures/PRC-02.yaml", 7),
        ("R001", "procedures/PRC-03-a.yaml", 2),
        ("R001", "procedures/PRC-03-b.yaml", 2),
        ("R007", "registers/ACT-01.yaml", 5),
        ("R008", "registers/ACT-01.yaml", 7),
        ("R002", "registers/ACT-01.yaml", 7),
        ("R001", "registers/TP-A.yaml", 5),
        ("R001", "registers/TP-B.yaml", 6),
    }
    messages = {f["message"] for f in run.json()["findings"]}
    assert "parent cycle: POL-02 → POL-03 → POL-02" in messages
    assert "'nist-800-53:AC-2': unknown framework 'nist-800-53' (known: gbt22239-2019-l3, iso27001-2022)" in messages
    assert "'iso27001-2022:A.9.9': iso27001-2022 has no requirement 'A.9.9'" in messages
    assert "policy refers to 'DOC-01', a document; expected a policy" in messages


@pytest.mark.parametrize("cached", [True, False])
def test_evidence_path_with_a_nul_byte_is_missing_not_a_crash(cli, make_repo, tmp_path, cached):
    # YAML's "\0" escape puts a NUL in a string; the OS calls that test a path refuse it.
    repo = make_repo("references")
    record = repo / "evidence" / "EV-01.yaml"
    record.write_text(record.read_text().replace("  - evidence/missing.csv",
                                                 '  - "evidence/a\\0b.csv"'))
    extra = () if cached else ("--no-cache",)
    run = cli("check", str(repo), "--today", TODAY, "--format", "json", "--select", "R010", *extra)
    assert run.code == 1
    found = [f for f in run.json()["findings"] if f["path"] == "evidence/EV-01.yaml"]
    assert [(f["line"], f["message"]) for f in found] == [
        (8, "'evidence/a\\x00b.csv' does not exist")]
    out = tmp_path / "site"
    assert cli("report", str(repo), "--out", str(out), "--today", TODAY).code == 0


@pytest.mark.parametrize("cached", [True, False])
def test_periods_beyond_the_calendar_are_never_due_and_always_fresh(cli, make_repo, cached):
    # A review every 10**20 months, evidence expected every 10**20 months: the schema says
    # no (S001), and the checks still run on the data: dates past year 9999 are the
    # calendar's last day, not a crash.
    repo = make_repo("clean")
    for rel, old in (("policies/POL-01-outsourcing.yaml", "every_months: 12"),
                     ("controls/CTL-A.8.2.yaml", "every_months: 3")):
        path = repo / rel
        path.write_text(path.read_text().replace(old, f"every_months: {10**20}"))
    extra = () if cached else ("--no-cache",)
    run = cli("check", str(repo), "--today", "9999-12-01", "--format", "json", *extra)
    assert run.code == 1, run.out + run.err
    assert {(f["path"], f["code"]) for f in run.json()["findings"]
            if f["path"] in ("policies/POL-01-outsourcing.yaml", "controls/CTL-A.8.2.yaml")} == {
        ("policies/POL-01-outsourcing.yaml", "S001"), ("controls/CTL-A.8.2.yaml", "S001")}


def test_doc_control_fixture(cli):
    run = check_json(cli, "doc_control")
    assert run.code == 1
    assert findings_of(run) == {
        ("D001", "policies/POL-01.yaml", 5),
        ("D002", "policies/POL-02.yaml", 7),
        ("D003", "policies/POL-03.yaml", 10),
        ("D004", "policies/POL-04.yaml", 11),
        ("D004", "policies/POL-04.yaml", 12),
        ("D005", "policies/POL-05.yaml", 8),
        ("D007", "policies/POL-06.yaml", 7),
        ("D007", "policies/POL-06.yaml", 10),
        ("D008", "policies/POL-07.yaml", 5),
        ("D006", "procedures/PRC-01.yaml", 10),
    }
    assert run.json()["summary"] == {"files": 10, "error": 5, "warning": 4, "info": 1}


def test_review_overdue_depends_on_today(cli):
    early = check_json(cli, "doc_control", "--today", "2025-01-09", "--select", "D005")
    assert findings_of(early) == set()
    due = check_json(cli, "doc_control", "--today", "2025-01-11", "--select", "D005")
    assert findings_of(due) == {("D005", "policies/POL-05.yaml", 8)}


def test_text_fixture_with_markup_and_non_ascii_names(cli):
    run = check_json(cli, "text")
    assert run.code == 1
    assert findings_of(run) == {
        ("T001", "policies/策略 一 (draft).yaml", 3),
        ("T001", "policies/策略 一 (draft).yaml", 9),
        ("T002", "policies/策略 一 (draft).yaml", 10),
    }


def test_single_language_repo_accepts_plain_strings(cli, make_repo):
    repo = make_repo("text")
    config = repo / "isms.yaml"
    config.write_text(config.read_text().replace("languages: [en, zh]", "languages: [en]"))
    run = cli("check", str(repo), "--today", TODAY, "--format", "json")
    assert {f[0] for f in findings_of(run)} == {"T002"}


@pytest.mark.parametrize("written", ['"\\x54ODO: fill in"', '"TO\\\n  DO: fill in"', "'TODO: fill in'"])
def test_todo_built_by_escapes_is_still_found(cli, make_repo, written):
    # T002 is skipped for files whose text has no "TODO"; escapes can build one without it.
    repo = make_repo("text")
    policy = repo / "policies" / "POL-02-markup.yaml"
    policy.write_text(policy.read_text() + f"text: {{en: {written}, zh: 待补充}}\n")
    run = cli("check", str(repo), "--today", TODAY, "--format", "json", "--select", "T002")
    assert ("T002", "policies/POL-02-markup.yaml") in {(f[0], f[1]) for f in findings_of(run)}


def test_repo_catalog_folder_adds_a_framework(cli, make_repo):
    repo = make_repo("clean")
    (repo / "catalogs").mkdir()
    (repo / "catalogs" / "local.yaml").write_text(
        "kind: catalog\nid: local-rules\ntitle: Local rules\n"
        "requirements:\n  - {id: LR-1, title: Vendor badge}\n")
    (repo / "catalogs" / "broken.yaml").write_text(
        "kind: mapping\nid: m\nsource: local-rules\ntarget: nowhere\nlinks: []\n")
    config = repo / "isms.yaml"
    config.write_text(config.read_text() + "catalogs: catalogs\n")
    policy = repo / "policies" / "POL-01-outsourcing.yaml"
    policy.write_text(policy.read_text().replace(
        "requirements: [iso27001-2022:A.5.19,", "requirements: [local-rules:LR-1, local-rules:LR-2,"))
    run = cli("check", str(repo), "--today", TODAY, "--format", "json")
    assert findings_of(run) == {
        ("R004", "policies/POL-01-outsourcing.yaml", 9),
        ("R011", "catalogs/broken.yaml", 1),
    }
    assert "local-rules has no requirement 'LR-2'" in run.out
