"""The control checks (C): implementation, evidence and exclusions in the SoA."""

from __future__ import annotations

from conftest import REPO, TODAY, findings_of


def check(cli, path, *args):
    return cli("check", path, "--today", TODAY, "--format", "json", "--select", "C,K,G", *args)


def test_control_checks_on_the_gap_fixture(cli):
    run = check(cli, "tests/fixtures/gap_status")
    assert run.code == 1
    assert findings_of(run) == {
        ("C003", "controls/CTL-A.5.2.yaml", 9),   # DOC-02 evidence older than 3 months
        ("C002", "controls/CTL-A.5.3.yaml", 9),   # no record of DOC-03 at all
        ("C001", "controls/CTL-A.5.4.yaml", 6),   # nothing implements it
        ("C004", "controls/CTL-A.5.9.yaml", 4),   # excluded without a reason
    }
    messages = {f["code"]: f["message"] for f in run.json()["findings"]}
    assert messages["C003"] == ("newest evidence of DOC-02 (EV-02, collected 2026-07-31) is older "
                                "than 3 months")
    assert messages["C002"] == "CTL-A.5.3 is implemented but has no evidence record of DOC-03"


def test_evidence_checks_follow_today(cli):
    # On 2026-12-15 EV-04 (collected 2026-12-01) is the newest record of DOC-02.
    later = cli("check", "tests/fixtures/gap_status", "--today", "2026-12-15", "--format", "json",
                "--select", "C")
    assert {f[0] for f in findings_of(later)} == {"C001", "C002", "C004"}


def test_the_reference_isms_has_no_control_risk_or_graph_findings(cli):
    run = check(cli, str(REPO))
    assert run.code == 0
    assert findings_of(run) == set()
