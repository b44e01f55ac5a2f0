"""Vendor scorecards: weighted scores, grades on the band edges, quarters, trends and flags.

Fixture `vendors` (weights sla 50, satisfaction 25, expert_review 25; grades pass ≥ 90, fair
≥ 80), computed by hand:

TP-A 2026-07: sla 100, survey 4/5 = 80, expert 80 → 50 + 20 + 20 = 90.00 pass
TP-A 2026-08: sla (100 + 30/40×100) / 2 = 87.5, survey 80, expert 65 → 43.75 + 20 + 16.25 = 80.00 fair
TP-A 2026-09: sla 100, survey 2.998/5 = 59.96, expert 60 → 50 + 14.99 + 15 = 79.99 fail
TP-A 2026-10: sla (98.901/99.9×100 + 100) / 2 = 99.5, survey 90, expert 91 → 49.75 + 22.5 + 22.75 = 95.00
TP-B 2026-07: 50 + 23 + 22 = 95.00; 2026-08 missing; 2026-09: 40 + 20 + 20 = 80.00;
TP-B 2026-10: 50 + 17.5 + 17.5 = 85.00
"""

from __future__ import annotations

import pytest

from conftest import REPO, TODAY


def card(cli, *extra, repo="tests/fixtures/vendors"):
    run = cli("vendors", "scorecard", str(repo), "--today", TODAY, "--format", "json", *extra)
    assert run.code == 0, run.err
    return run.json()


def rows(data):
    return {(r["third_party"], r["period"]): r for r in data["rows"]}


def test_monthly_scores_and_grades_on_the_band_edges(cli):
    got = rows(card(cli))
    assert [(got[("TP-A", m)]["score"], got[("TP-A", m)]["grade"])
            for m in ("2026-07", "2026-08", "2026-09", "2026-10")] == [
        ("90.00", "pass"), ("80.00", "fair"), ("79.99", "fail"), ("95.00", "pass")]
    assert got[("TP-A", "2026-08")]["components"] == {
        "sla": "87.50", "satisfaction": "80.00", "expert_review": "65.00"}
    assert got[("TP-B", "2026-08")]["score"] is None
    assert got[("TP-B", "2026-08")]["missing"] == ["2026-08"]


def test_trends_and_consecutive_below_pass_flags(cli):
    got = rows(card(cli))
    assert [got[("TP-A", m)]["change"] for m in ("2026-07", "2026-08", "2026-09", "2026-10")] == [
        None, "-10.00", "-0.01", "15.01"]
    assert [got[("TP-A", m)]["trend"] for m in ("2026-07", "2026-08", "2026-09", "2026-10")] == [
        None, "down", "down", "up"]
    flags = sorted((k, r["below_pass_streak"]) for k, r in got.items() if r["flagged"])
    assert flags == [(("TP-A", "2026-09"), 2), (("TP-B", "2026-10"), 2)]
    assert got[("TP-B", "2026-09")]["below_pass_streak"] == 1  # 2026-08 missing breaks the run


def test_quarter_from_three_months_and_from_two_with_the_missing_one_named(cli):
    got = rows(card(cli, "--period", "2026-Q3"))
    a, b = got[("TP-A", "2026-Q3")], got[("TP-B", "2026-Q3")]
    assert (a["score"], a["grade"], a["months"], a["missing"]) == (
        "83.33", "fair", ["2026-07", "2026-08", "2026-09"], [])  # (90 + 80 + 79.99) / 3
    assert (b["score"], b["grade"], b["months"], b["missing"]) == (
        "87.50", "fair", ["2026-07", "2026-09"], ["2026-08"])  # (95 + 80) / 2
    assert a["previous"] == "2026-Q2" and a["previous_score"] is None and a["trend"] is None


def test_quarter_not_over_yet_and_year(cli):
    q4 = rows(card(cli, "--period", "2026-Q4"))[("TP-A", "2026-Q4")]
    assert (q4["score"], q4["months"], q4["missing"], q4["pending"]) == (
        "95.00", ["2026-10"], [], ["2026-11", "2026-12"])
    year = rows(card(cli, "--period", "2026", "--third-party", "TP-A"))
    assert list(year) == [("TP-A", "2026")]
    y = year[("TP-A", "2026")]
    assert y["score"] == "86.25"  # (90 + 80 + 79.99 + 95) / 4 = 86.2475
    assert y["missing"] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]


def test_rounding_half_up_decides_the_grade(cli, make_repo):
    repo = make_repo("vendors")
    path = repo / "registers" / "EVAL-TP-A-2026-09.yaml"
    path.write_text(path.read_text().replace("score: 2.998", "score: 2.999"))
    got = rows(card(cli, "--period", "2026-09", repo=repo))[("TP-A", "2026-09")]
    assert (got["score"], got["grade"]) == ("80.00", "fair")  # 79.995 rounds half up


def test_scale_grades_and_missing_components_are_configurable(cli, make_repo):
    repo = make_repo("vendors")
    config = repo / "isms.yaml"
    config.write_text(config.read_text() + "  scale: 10\n  grades: {pass: 9.5, fair: 8}\n")
    path = repo / "registers" / "EVAL-TP-B-2026-07.yaml"
    path.write_text(path.read_text().replace("satisfaction: {score: 4.6, scale: 5}\n", ""))
    got = rows(card(cli, repo=repo))
    assert (got[("TP-A", "2026-07")]["score"], got[("TP-A", "2026-07")]["grade"]) == ("9.00", "fair")
    assert (got[("TP-A", "2026-10")]["score"], got[("TP-A", "2026-10")]["grade"]) == ("9.50", "pass")
    b = got[("TP-B", "2026-07")]
    # (50 × 100 + 25 × 88) / 75 = 96 → 9.60 on a scale of 10
    assert b["score"] == "9.60"
    assert b["notes"] == ["no satisfaction: weighted over sla, expert_review"]


@pytest.mark.parametrize("fmt", ["text", "csv", "json"])
@pytest.mark.parametrize("period", ["", "2026-Q3"])
def test_scorecard_formats(cli, golden, fmt, period):
    extra = ("--period", period) if period else ()
    run = cli("vendors", "scorecard", "tests/fixtures/vendors", "--today", TODAY,
              "--format", fmt, *extra)
    assert run.code == 0
    golden(f"outsourcing/vendors-scorecard{'-' + period if period else ''}.{fmt}", run.out)


def test_reference_lianchuang_slips_for_three_months(cli):
    got = rows(card(cli, "--period", "2026-10", repo=REPO))
    lc = got[("TP-LIANCHUANG", "2026-10")]
    assert (lc["score"], lc["grade"], lc["below_pass_streak"], lc["flagged"]) == (
        "85.03", "fair", 3, True)
    assert [r["grade"] for (_, p), r in got.items()] == ["pass", "pass", "fair", "pass", "pass"]


@pytest.mark.parametrize(("args", "message"), [
    (("--period", "2026-13"), "is not a month, quarter or year"),
    (("--third-party", "TP-NOPE"), "'TP-NOPE' is not a third party"),
])
def test_bad_options_exit_2(cli, args, message):
    run = cli("vendors", "scorecard", "tests/fixtures/vendors", *args)
    assert run.code == 2
    assert message in run.err


def test_values_without_a_target_are_not_graded_on_the_rest(cli, make_repo):
    repo = make_repo("vendors")
    path = repo / "registers" / "EVAL-TP-B-2026-10.yaml"
    path.write_text(path.read_text().replace("metric: answer_rate", "metric: answer_ratio"))
    path = repo / "registers" / "EVAL-TP-A-2026-10.yaml"
    path.write_text(path.read_text().replace("metric: response_time", "metric: response"))
    got = rows(card(cli, "--period", "2026-10", repo=repo))
    b = got[("TP-B", "2026-10")]
    assert (b["score"], b["grade"], b["notes"]) == (
        None, None, ["1 SLA value without a target: no score"])
    a = got[("TP-A", "2026-10")]  # sla 99 from availability alone: 49.5 + 22.5 + 22.75
    assert (a["score"], a["notes"]) == ("94.75", ["1 SLA value without a target left out"])
