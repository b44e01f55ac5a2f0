"""SLA attainment: the formula on its edges, and `isms vendors sla` on a fixture."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import TODAY
from isms.sla import attainment

D = Decimal


@pytest.mark.parametrize(
    ("target", "actual", "better", "expected"),
    [
        ("99.9", "99.95", "higher", "100"),  # over target: capped at 100
        ("99.9", "99.9", "higher", "100"),  # exactly on target
        ("99.9", "98.901", "higher", "99"),  # 98.901 / 99.9 × 100
        ("95", "76", "higher", "80"),
        ("30", "40", "lower", "75"),  # 30 / 40 × 100
        ("30", "30", "lower", "100"),
        ("30", "15", "lower", "100"),  # better than target: capped
        ("30", "0", "lower", "100"),  # nothing to wait for at all
        ("0", "0", "higher", "100"),  # a zero target is met by any value at or above it
        ("0", "2", "lower", "0"),  # zero tolerance, missed
        ("5", "0", "higher", "0"),
    ],
)
def test_attainment_formula(target, actual, better, expected):
    assert attainment(D(target), D(actual), better) == D(expected)


def test_attainment_is_exact_below_target():
    assert attainment(D("99.9"), D("99.8"), "higher") == D("99.8") / D("99.9") * 100


def sla(cli, *extra):
    return cli("vendors", "sla", "tests/fixtures/vendors", "--today", TODAY, *extra)


def test_sla_json_values_and_breaches(cli):
    run = sla(cli, "--format", "json")
    assert run.code == 0, run.err
    data = run.json()
    rows = {(m["evaluation"], m["metric"]): m for m in data["measurements"]}
    assert rows[("EVAL-TP-A-2026-08", "response_time")]["attainment_percent"] == "75.00"
    assert rows[("EVAL-TP-A-2026-08", "response_time")]["breached"] is True
    assert rows[("EVAL-TP-A-2026-10", "availability")]["attainment_percent"] == "99.00"
    assert rows[("EVAL-TP-A-2026-07", "availability")]["attainment_percent"] == "100.00"
    assert rows[("EVAL-TP-B-2026-09", "answer_rate")]["attainment_percent"] == "80.00"
    breached = sorted((m["evaluation"], m["metric"]) for m in data["measurements"] if m["breached"])
    assert breached == [("EVAL-TP-A-2026-08", "response_time"),
                        ("EVAL-TP-A-2026-10", "availability"),
                        ("EVAL-TP-B-2026-09", "answer_rate")]
    assert data["summary"] == {"values": 11, "breached": 3}


def test_sla_period_and_party_filters(cli):
    q3 = sla(cli, "--format", "json", "--period", "2026-Q3", "--third-party", "TP-B").json()
    assert [(m["period"], m["actual"]) for m in q3["measurements"]] == [("2026-07", "95"),
                                                                         ("2026-09", "76")]
    october = sla(cli, "--format", "json", "--period", "2026-10").json()
    assert {m["evaluation"] for m in october["measurements"]} == {"EVAL-TP-A-2026-10",
                                                                   "EVAL-TP-B-2026-10"}


@pytest.mark.parametrize("fmt", ["text", "csv", "json"])
def test_sla_formats(cli, golden, fmt):
    run = sla(cli, "--format", fmt)
    assert run.code == 0
    golden(f"outsourcing/vendors-sla.{fmt}", run.out)


def test_unmatched_metrics_are_listed_not_scored(cli, make_repo):
    repo = make_repo("vendors")
    path = repo / "registers" / "EVAL-TP-B-2026-10.yaml"
    path.write_text(path.read_text().replace("metric: answer_rate", "metric: answer_ratio"))
    data = cli("vendors", "sla", str(repo), "--format", "json").json()
    assert data["unmatched"] == [{"evaluation": "EVAL-TP-B-2026-10", "index": 0,
                                  "activity": "ACT-B", "metric": "answer_ratio",
                                  "reason": "ACT-B has no SLA target for 'answer_ratio'"}]


def test_targets_read_activity_by_activity_are_the_whole_table(tmp_path):
    """TargetLookup (what the checks use) gives every (activity, metric) what sla_targets
    gives, the first definition of a duplicated activity id included, and None elsewhere."""
    import shutil

    from conftest import FIXTURES
    from isms.engine import load_repo
    from isms.sla import TargetLookup, sla_targets

    repo_dir = tmp_path / "vendors"
    shutil.copytree(FIXTURES / "vendors", repo_dir)
    first = repo_dir / "registers" / "ACT-DUP.yaml"
    first.write_text("kind: activity\nid: ACT-DUP\ntitle: First\nthird_party: TP-A\n"
                     "sla:\n  - {metric: m, target: 1, better: higher}\n", encoding="utf-8")
    (repo_dir / "registers" / "ACT-DUP2.yaml").write_text(
        "kind: activity\nid: ACT-DUP\ntitle: Second\nthird_party: TP-A\nsla:\n"
        "  - {metric: m, target: 2, better: higher}\n  - {metric: n, target: 3, better: lower}\n",
        encoding="utf-8")
    repo = load_repo(repo_dir, use_cache=False).repo
    table = sla_targets(repo)
    lookup = TargetLookup(repo)
    assert table[("ACT-DUP", "m")].target == 1 and table[("ACT-DUP", "n")].target == 3
    assert table[("ACT-A", "availability")].target == Decimal("99.9")
    for key, target in table.items():
        assert lookup.get(key) == target
    assert lookup.get(("ACT-DUP", "nothing")) is None
    assert lookup.get(("NO-SUCH-ACTIVITY", "m")) is None


def test_targets_of_the_reference_isms_read_activity_by_activity():
    from conftest import REPO
    from isms.engine import load_repo
    from isms.sla import TargetLookup, sla_targets

    repo = load_repo(REPO, use_cache=False).repo
    table = sla_targets(repo)
    assert len(table) >= 10
    lookup = TargetLookup(repo)
    assert all(lookup.get(key) == target for key, target in table.items())
