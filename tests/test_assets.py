"""Asset reliability and renewal candidates (fixture `om_budget`, period 2026-01-01..12-31:
365 days, 8,760 hours)."""

from __future__ import annotations

import pytest

from conftest import REPO, TODAY

PERIOD = ("--from", "2026-01-01", "--to", "2026-12-31")


def report(cli, *extra, repo="tests/fixtures/om_budget"):
    run = cli("assets", str(repo), "--format", "json", *extra)
    assert run.code == 0, run.err
    return run.json()


def test_per_asset_figures(cli):
    assets = {a["asset"]: a for a in report(cli, *PERIOD)["assets"]}
    srv = assets["AST-SRV"]  # 2 failures in the period (the 2025-12-31 one is outside), 4 h down
    assert (srv["hours"], srv["failures"], srv["downtime_hours"], srv["mtbf_hours"],
            srv["availability_percent"], srv["failures_per_year"]) == (
        "8760.0", 2, "4.0", "4378.0", "99.954", "2.00")  # 8756 / 2; 8756 / 8760 × 100
    new = assets["AST-NEW"]  # in service 2026-07-02: 183 days, 4,392 hours
    assert (new["hours"], new["mtbf_hours"], new["availability_percent"],
            new["failures_per_year"]) == ("4392.0", "4391.5", "99.989", "1.99")
    assert assets["AST-UPS"]["mtbf_hours"] is None
    assert assets["AST-UPS"]["availability_percent"] == "100.000"


def test_groups_and_renewal_candidates(cli):
    data = report(cli, *PERIOD)
    by_vendor = {g["vendor"]: (g["assets"], g["failures"], g["mtbf_hours"],
                               g["availability_percent"]) for g in data["by_vendor"]}
    assert by_vendor == {"-": (2, 0, None, "100.000"),
                         "TP-X": (2, 6, "2918.7", "99.954"),  # 17512 / 6
                         "TP-Y": (2, 1, "13151.5", "99.996")}  # (8760 + 4392 − 0.5) / 1
    server = next(g for g in data["by_type"] if g["type"] == "server")
    assert (server["assets"], server["mtbf_hours"], server["availability_percent"]) == (
        2, "8758.0", "99.977")
    renewal = {a["asset"]: a["renewal"] for a in data["assets"] if a["renewal"]}
    assert renewal == {
        "AST-SRV": ["service life of 6 years ended on 2026-03-15 (age 6.8 years)"],
        "AST-SW": ["4 failures in 365 days = 4.00 a year > 3"],
    }
    assert data["not_in_service"] == ["AST-FUTURE"]


def test_default_period_is_twelve_months_to_today(cli):
    data = report(cli, "--today", TODAY)
    assert (data["from"], data["to"]) == ("2025-11-16", "2026-11-15")


def test_threshold_is_configurable(cli, make_repo):
    repo = make_repo("om_budget")
    config = repo / "isms.yaml"
    config.write_text(config.read_text() + "assets: {failure_rate_threshold: 1.5}\n")
    data = report(cli, *PERIOD, repo=repo)
    assert data["renewal_candidates"] == ["AST-NEW", "AST-SRV", "AST-SW"]


def test_from_after_to_exits_2(cli):
    run = cli("assets", "tests/fixtures/om_budget", "--from", "2026-12-31", "--to", "2026-01-01")
    assert run.code == 2
    assert "--from 2026-12-31 is after --to 2026-01-01" in run.err


@pytest.mark.parametrize("fmt", ["text", "csv", "json"])
def test_assets_formats(cli, golden, fmt):
    run = cli("assets", "tests/fixtures/om_budget", *PERIOD, "--format", fmt)
    assert run.code == 0
    golden(f"outsourcing/assets.{fmt}", run.out)


def test_reference_renewal_candidates_include_the_failing_ones(cli):
    data = report(cli, "--today", TODAY, repo=REPO)
    rates = {a["asset"]: a["failures_per_year"] for a in data["assets"]
             if any("a year >" in r for r in a["renewal"])}
    assert rates == {"AST-MCU-01": "4.00", "AST-PAC-01": "6.00", "AST-SRV-LEGACY-01": "5.00",
                     "AST-TAPE-01": "4.00", "AST-TOWN-NET-01": "5.00"}
    assert len(data["assets"]) == 47
