"""The V checks: exactly the deficient records on each fixture and on the reference ISMS."""

from __future__ import annotations

import pytest

from conftest import REPO, TODAY, findings_of


def v_findings(cli, repo):
    run = cli("check", str(repo), "--today", TODAY, "--format", "json", "--select", "V")
    return run, findings_of(run)


def test_sla_grade_and_missing_evaluation(cli):
    run, found = v_findings(cli, "tests/fixtures/vendors")
    assert run.code == 0
    assert found == {
        ("V001", "registers/EVAL-TP-A-2026-10.yaml", 6),  # availability 98.901 < 99.9
        ("V002", "registers/EVAL-TP-B-2026-10.yaml", 4),  # 85.00 fair, after 80.00 fair
        ("V003", "registers/TP-B.yaml", 4),  # 2026-08 not evaluated
    }
    messages = {f["code"]: f["message"] for f in run.json()["findings"]}
    assert messages["V002"] == ("TP-B 2026-10: score 85.00 is fair (pass ≥ 90); 2 consecutive "
                                "months below pass (2026-09, 2026-10)")
    assert messages["V003"] == "TP-B: no evaluation for 1 month of the contract: 2026-08"


def test_evaluations_from_moves_the_start(cli, make_repo):
    repo = make_repo("vendors")
    config = repo / "isms.yaml"
    config.write_text(config.read_text() + "  evaluations_from: 2026-05\n")
    run, _ = v_findings(cli, repo)
    messages = [f["message"] for f in run.json()["findings"] if f["code"] == "V003"]
    assert messages == [
        "TP-A: no evaluation for 2 months of the contract: 2026-05, 2026-06",
        "TP-B: no evaluation for 2 months of the contract: 2026-06, 2026-08",  # contract from 06
    ]


def test_staff_certifications_and_contracts(cli):
    run, found = v_findings(cli, "tests/fixtures/vendor_staff")
    assert run.code == 1  # V004 and V008 are errors
    assert found == {
        ("V009", "registers/TP-GOOD.yaml", 4),  # contract ends in 46 days (window 60)
        ("V006", "registers/TP-GOOD.yaml", 6),  # ISO/IEC 27001 expires in 16 days
        ("V007", "registers/TP-GOOD.yaml", 7),  # ISO/IEC 20000-1 expired
        ("V004", "registers/TP-GOOD.yaml", 11),  # no certificate, privileged activity
        ("V005", "registers/TP-GOOD.yaml", 12),  # expired, on-site activity
        ("V006", "registers/TP-GOOD.yaml", 13),  # expires today
        ("V006", "registers/TP-GOOD.yaml", 14),  # expires in 30 days
        ("V004", "registers/TP-GOOD.yaml", 17),  # expired, remote activity
        ("V008", "registers/TP-OLD.yaml", 4),  # contract over, activity still there
    }
    severities = {(f["code"], f["severity"]) for f in run.json()["findings"]}
    assert ("V004", "error") in severities and ("V008", "error") in severities


def test_required_controls(cli):
    run, found = v_findings(cli, "tests/fixtures/activity_risk")
    assert found == {("V010", "registers/ACT-CRIT.yaml", 9), ("V010", "registers/ACT-HIGH.yaml", 2)}
    messages = sorted(f["message"] for f in run.json()["findings"])
    assert messages[0] == ("ACT-CRIT is critical (20 points) and requires iso27001-2022:A.8.2 "
                           "(Privileged access rights): CTL-A.8.2 is planned, not in force")


@pytest.mark.parametrize("fixture", ["clean", "references", "om_budget"])
def test_nothing_where_nothing_is_deficient(cli, fixture):
    _, found = v_findings(cli, f"tests/fixtures/{fixture}")
    assert found == set()


def test_reference_fires_exactly_on_its_deliberate_deficiencies(cli):
    run, found = v_findings(cli, REPO)
    assert run.code == 0  # all warnings: the reference passes with --fail-on error
    assert found == {
        # SLA breaches in TP-LIANCHUANG's latest month: repeat incident rate and hotline
        ("V001", "registers/evaluations/EVAL-TP-LIANCHUANG-2026-10.yaml", 9),
        ("V001", "registers/evaluations/EVAL-TP-LIANCHUANG-2026-10.yaml", 16),
        # TP-LIANCHUANG fair for the third month running
        ("V002", "registers/evaluations/EVAL-TP-LIANCHUANG-2026-10.yaml", 4),
        # S-YUNQI-05's certificate expires on 2026-12-31
        ("V006", "registers/third-parties/TP-YUNQI-yunqi-data-centre.yaml", 38),
        # TP-LIANCHUANG's contract ends on 2027-03-31 (RSK-016)
        ("V009", "registers/third-parties/TP-LIANCHUANG-lianchuang-software.yaml", 13),
        # activities whose risk level requires a control they do not list
        ("V010", "registers/activities/ACT-DR-SITE-backup-site-colocation.yaml", 19),
        ("V010", "registers/activities/ACT-SEC-DEVICE-OPS-security-device-operations.yaml", 18),
        ("V010", "registers/activities/ACT-STORAGE-BACKUP-storage-backup-operations.yaml", 19),
    }


BROKEN = {
    "registers/EVAL-TP-A-2026-10.yaml": [("actual: 98.901", "actual: lots"),
                                         ("satisfaction: {score: 4.5, scale: 5}",
                                          "satisfaction: 5"),
                                         ("expert_review: {score: 91}", "expert_review: [91]")],
    "registers/EVAL-TP-A-2026-09.yaml": [('period: "2026-09"', "period: 2026.9")],
    "registers/ACT-A.yaml": [("target: 99.9", "target: high"), ("access: [onsite]", "access: all")],
    "registers/TP-A.yaml": [("contract: {id: HT-A, start: 2026-01-01, end: 2027-12-31}",
                             "contract: yes"),
                            ("certificate: {id: C-A-01, expires: 2028-03-31}", "certificate: 7")],
    "registers/TP-B.yaml": [("end: 2027-05-31", "end: [2027]")],
}


def test_wrong_types_are_schema_findings_not_crashes(cli, make_repo):
    repo = make_repo("vendors")
    for rel, edits in BROKEN.items():
        path = repo / rel
        text = path.read_text()
        for old, new in edits:
            assert old in text, (rel, old)
            text = text.replace(old, new)
        path.write_text(text)
    (repo / "isms.yaml").write_text((repo / "isms.yaml").read_text()
                                    + "activity_risk: {required_controls: {low: [iso27001-2022:A.5.20]}}\n")
    run = cli("check", str(repo), "--today", TODAY, "--format", "json")
    assert run.code == 1, run.err
    assert {f["code"] for f in run.json()["findings"]} >= {"S001", "V010"}
    for command in (("vendors", "scorecard"), ("vendors", "sla"), ("vendors", "staff"),
                    ("vendors", "risk"), ("assets",)):
        for fmt in ("text", "csv", "json"):
            result = cli(*command, str(repo), "--today", TODAY, "--format", fmt)
            assert result.code == 0, (command, fmt, result.err)
