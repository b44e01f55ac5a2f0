"""The risk checks (K), and C005 and G001 on the same outsourcing fixture."""

from __future__ import annotations

from conftest import TODAY, findings_of


def check(cli, path, *args):
    return cli("check", path, "--today", TODAY, "--format", "json", "--select", "C,K,G", *args)


def test_risk_and_graph_checks_on_the_outsourcing_fixture(cli):
    run = check(cli, "tests/fixtures/outsourcing")
    assert run.code == 1
    assert findings_of(run) == {
        ("C005", "controls/CTL-A.5.23.yaml", 4),
        ("G002", "documents/DOC-03.yaml", 2),
        ("G002", "evidence/2026/EV-2.yaml", 2),
        ("G002", "policies/POL-02.yaml", 2),
        ("G002", "procedures/PRC-02.yaml", 2),
        ("G001", "registers/activities/ACT-EXCL.yaml", 7),
        ("G001", "registers/activities/ACT-NOSUP.yaml", 7),
        ("G002", "registers/activities/ACT-ONSITE.yaml", 2),
        ("G002", "registers/assets/AST-2.yaml", 2),
        ("K001", "registers/risks/RSK-001.yaml", 9),
        ("K002", "registers/risks/RSK-003.yaml", 7),
        ("K003", "registers/risks/RSK-004.yaml", 7),
        ("K004", "registers/risks/RSK-005.yaml", 5),
        ("K003", "registers/risks/RSK-006.yaml", 7),
        ("G002", "registers/risks/RSK-007.yaml", 2),
        ("G002", "registers/third-parties/TP-B.yaml", 2),
    }
    messages = {(f["code"], f["path"]): f["message"] for f in run.json()["findings"]}
    assert messages[("C005", "controls/CTL-A.5.23.yaml")] == (
        "CTL-A.5.23 is excluded, but ACT-EXCL, RSK-006 rely on it")
    assert messages[("G001", "registers/activities/ACT-NOSUP.yaml")] == (
        "ACT-NOSUP has remote access but no applicable control from the supplier family "
        "(A.5.19-A.5.23) governs it")
    assert messages[("G001", "registers/activities/ACT-EXCL.yaml")] == (
        "ACT-EXCL has privileged access but no applicable control from the supplier family "
        "(A.5.19-A.5.23) or from the access family (A.8.2, A.5.15-A.5.18) governs it")
    assert messages[("K001", "registers/risks/RSK-001.yaml")] == (
        "residual score 9 is above the appetite of 8 and the risk has not been accepted")
    assert messages[("K002", "registers/risks/RSK-003.yaml")] == (
        "treatment was due on 2026-06-30 (138 days ago) and the risk is treating")
    assert messages[("K003", "registers/risks/RSK-004.yaml")] == (
        "treated only by controls that are not implemented: CTL-A.5.30 (partial), "
        "CTL-A.8.11 (planned)")
    assert messages[("K004", "registers/risks/RSK-005.yaml")] == (
        "likelihood is 6, above the risk scale of 5")


def test_a_smaller_risk_scale_is_honoured(cli, make_repo):
    repo = make_repo("outsourcing")
    config = repo / "isms.yaml"
    config.write_text(config.read_text().replace("risk: {scale: 5, appetite: 8}",
                                                 "risk: {scale: 4, appetite: 12}"))
    run = cli("check", str(repo), "--today", TODAY, "--format", "json", "--select", "K001,K004")
    assert findings_of(run) == {
        ("K004", "registers/risks/RSK-001.yaml", 7),   # impact 5 > 4; residual 9 <= 12
        ("K004", "registers/risks/RSK-002.yaml", 6),
        ("K004", "registers/risks/RSK-005.yaml", 5),
    }
