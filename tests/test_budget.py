"""O&M budget by both methods, to the cent (fixture `om_budget`, year 2027).

Ratio coefficient method, by hand:
  AST-SRV 123,456.78 × 0.085 × 1 (age 6) × 1.1 (high)              = 11,543.20893   → 11,543.21
  AST-SW  10,000.10 × 0.07 × 1.3 (age 10) × 1.2 (critical) × 1.05 = 1,146.611466   → 1,146.61
  AST-UPS 100.10 × 0.05 × 1 (age 6) × 1 (no criticality)          = 5.005          → 5.01 (half up)
  total 12,694.83
Workload method:
  SVC-1 250 × 0.5 × 1,234.56 = 154,320.00; 250 × 1 × 650 = 162,500.00
  SVC-2 3 × 0.333 × 1,234.56 = 1,233.32544 → 1,233.33
  SVC-3 1 × 0.0077 × 650     = 5.005       → 5.01 (half up)
  labour 318,058.34; spare parts 3 × 19.995 = 59.985 → 59.99, 2 × 1,000 = 2,000.00 → 2,059.99
  total 320,118.33; difference 307,423.50 (2,421.64 % of the ratio total)
"""

from __future__ import annotations

import pytest

from conftest import REPO


def budget(cli, *extra, repo="tests/fixtures/om_budget"):
    run = cli("budget", str(repo), "--year", "2027", "--format", "json", *extra)
    assert run.code == 0, run.err
    return run.json()


def test_ratio_method_to_the_cent(cli):
    data = budget(cli)["ratio"]
    assert [(line["asset"], line["amount"]) for line in data["lines"]] == [
        ("AST-SRV", "11543.21"), ("AST-SW", "1146.61"), ("AST-UPS", "5.01")]
    assert data["total"] == "12694.83"
    assert data["lines"][1]["explanation"] == (
        "10,000.10 × 0.07 (network-device) × 1.3 (age 10: older) × 1.2 (critical) × "
        "1.05 (F-REMOTE) = 1,146.61")
    assert data["excluded"] == [
        {"asset": "AST-FUTURE", "reason": "in service only from 2028-01-10"},
        {"asset": "AST-NEW", "reason": "no rate for type data"},
        {"asset": "AST-NOVAL", "reason": "no value"},
        {"asset": "AST-USD", "reason": "value in USD, the standard is in CNY"},
    ]


def test_workload_method_to_the_cent(cli):
    data = budget(cli)
    work = data["workload"]
    assert [(line["service"], line["grade"], line["amount"]) for line in work["labour"]] == [
        ("SVC-1", "engineer", "154320.00"), ("SVC-1", "technician", "162500.00"),
        ("SVC-2", "engineer", "1233.33"), ("SVC-3", "technician", "5.01")]
    assert (work["labour_total"], work["spare_parts_total"], work["total"]) == (
        "318058.34", "2059.99", "320118.33")
    assert work["spare_parts"][0]["explanation"] == "3 × 19.995 = 59.99"
    assert (data["difference"], data["difference_percent"], data["currency"]) == (
        "307423.50", "2421.64", "CNY")


@pytest.mark.parametrize("fmt", ["text", "csv", "json"])
def test_budget_formats(cli, golden, fmt):
    run = cli("budget", "tests/fixtures/om_budget", "--year", "2027", "--format", fmt)
    assert run.code == 0
    golden(f"outsourcing/budget.{fmt}", run.out)


def test_reference_budget_2027(cli):
    data = budget(cli, repo=REPO)
    assert (data["ratio"]["total"], data["workload"]["labour_total"],
            data["workload"]["spare_parts_total"], data["workload"]["total"]) == (
        "9065449.50", "8994025.00", "625000.00", "9619025.00")
    assert (data["difference"], data["difference_percent"]) == ("553575.50", "6.11")
    assert len(data["ratio"]["lines"]) == 47 and data["ratio"]["excluded"] == []


def test_no_standard_for_the_year_exits_2(cli):
    run = cli("budget", "tests/fixtures/om_budget", "--year", "2030")
    assert run.code == 2
    assert "no budget standard for 2030 (standards exist for 2027)" in run.err


def test_broken_standard_entries_are_skipped_not_fatal(cli, make_repo):
    repo = make_repo("om_budget")
    path = repo / "registers" / "BUDGET-2027.yaml"
    text = path.read_text().replace("{grade: technician, person_days: 0.0077}",
                                    "{grade: intern, person_days: 0.0077}")
    path.write_text(text.replace("rate: 0.085", "rate: lots"))
    data = budget(cli, repo=repo)
    assert "workload.services SVC-3: no labour rate for grade 'intern'" in data["skipped"]
    assert {"asset": "AST-SRV", "reason": "no rate for type server"} in data["ratio"]["excluded"]


def test_output_file_holds_what_stdout_shows(cli, tmp_path):
    target = tmp_path / "out" / "budget-2027.csv"
    run = cli("budget", "tests/fixtures/om_budget", "--year", "2027", "--format", "csv",
              "--output", str(target))
    assert (run.code, run.out) == (0, "")
    shown = cli("budget", "tests/fixtures/om_budget", "--year", "2027", "--format", "csv").out
    assert target.read_text("utf-8") == shown
