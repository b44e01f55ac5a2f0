"""Third-party activity risk levels: the points, the explanation and the required controls."""

from __future__ import annotations

import pytest

from conftest import REPO, TODAY


def risks(cli, repo="tests/fixtures/activity_risk"):
    run = cli("vendors", "risk", str(repo), "--format", "json")
    assert run.code == 0, run.err
    return {a["activity"]: a for a in run.json()["activities"]}


def test_level_explained_step_by_step(cli):
    crit = risks(cli)["ACT-CRIT"]
    assert crit["explanation"] == [
        "access: privileged + remote + data = 3 + 2 + 2 → 7",
        "classification: highest confidential (AST-1) → 3",
        "criticality: highest critical (AST-1) → 3",
        "value: highest 1,500,000.00 CNY (AST-1) ≥ 1,000,000.00 → 2",
        "mode: full → 2",
        "risks: highest inherent RSK-1 4 × 4 = 16 ≥ 15 → 3",
        "total 7 + 3 + 3 + 2 + 2 + 3 = 20 → critical (20 ≥ 18)",
    ]
    assert crit["required"] == ["iso27001-2022:A.5.20", "iso27001-2022:A.8.2"]
    assert crit["missing"] == [{"requirement": "iso27001-2022:A.8.2",
                                "reason": "CTL-A.8.2 is planned, not in force"}]


def test_levels_on_their_thresholds_and_foreign_currency(cli):
    got = risks(cli)
    assert {k: (a["total"], a["level"]) for k, a in got.items()} == {
        "ACT-CRIT": (20, "critical"), "ACT-HIGH": (14, "high"), "ACT-LOW": (2, "low")}
    # RSK-2 names ACT-HIGH in its `activities`: linked from the risk side
    assert got["ACT-HIGH"]["steps"][5]["detail"] == "highest inherent RSK-2 2 × 3 = 6 ≥ 1"
    assert got["ACT-HIGH"]["missing"] == [{"requirement": "iso27001-2022:A.5.20",
                                           "reason": "none of the activity's controls is for it"}]
    assert got["ACT-LOW"]["steps"][3] == {
        "factor": "value", "points": 0,
        "detail": "no asset touched has a value in CNY; not in CNY, left out: AST-2"}


def test_points_and_levels_are_configurable(cli, make_repo):
    repo = make_repo("activity_risk")
    config = repo / "isms.yaml"
    config.write_text(config.read_text() + "  points: {mode: {full: 0}}\n  levels: {critical: 21}\n")
    crit = risks(cli, repo)["ACT-CRIT"]
    assert (crit["total"], crit["level"], crit["level_rule"]) == (18, "high", "18 ≥ 14")


@pytest.mark.parametrize("fmt", ["text", "csv", "json"])
def test_risk_formats(cli, golden, fmt):
    run = cli("vendors", "risk", "tests/fixtures/activity_risk", "--format", fmt)
    assert run.code == 0
    golden(f"outsourcing/vendors-risk.{fmt}", run.out)


def test_reference_levels(cli):
    got = risks(cli, REPO)
    levels = {}
    for name, a in got.items():
        levels.setdefault(a["level"], []).append(name)
    assert levels == {
        "critical": ["ACT-APP-MAINT", "ACT-COMPUTE-OPS", "ACT-DATA-EXCHANGE", "ACT-PLATFORM-DBA",
                     "ACT-STORAGE-BACKUP"],
        "medium": ["ACT-DR-SITE", "ACT-FACILITY-OPS", "ACT-PORTAL-OPS", "ACT-SERVICE-DESK",
                   "ACT-VIDEO-CONF"],
        "low": ["ACT-END-USER"],
        "high": ["ACT-NET-OPS", "ACT-SEC-DEVICE-OPS", "ACT-SEC-MONITOR", "ACT-VULN-MGMT"],
    }
    run = cli("vendors", "risk", str(REPO), "--today", TODAY)
    assert "  MISSING iso27001-2022:A.5.20: none of the activity's controls is for it" in run.out
