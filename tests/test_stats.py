"""`isms stats` on the reference ISMS: the 8/21/66 shape, themes, statuses, coverage."""

from __future__ import annotations

from conftest import REPO


def test_stats_text(cli):
    run = cli("stats", str(REPO))
    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[0] == "Tiers: 8 policies / 21 procedures / 66 document sets"
    assert "  iso27001-2022:A.5        37  (34 implemented, 1 not-implemented, 2 partial)" in lines
    assert "  iso27001-2022          93/93 (100.0%)" in lines
    assert "  gbt22239-2019-l3       71/71 (100.0%)" in lines


def test_stats_json(cli):
    data = cli("stats", str(REPO), "--format", "json").json()
    assert data["tiers"] == {"policies": 8, "procedures": 21, "document sets": 66}
    assert data["control_status"] == {"implemented": 85, "not-implemented": 2, "partial": 4,
                                      "planned": 2}
    assert data["applicability"] == {"applicable": 91, "excluded": 2}
    assert sum(data["themes"]["iso27001-2022:A.8"].values()) == 34
    assert [c["addressed"] for c in data["coverage"]] == [93, 71]


def test_stats_counts_fixture(cli):
    data = cli("stats", "tests/fixtures/clean", "--format", "json").json()
    assert data["kinds"]["control"] == 1
    assert data["coverage"][0] == {"framework": "iso27001-2022", "total": 93, "addressed": 1,
                                   "missing": data["coverage"][0]["missing"]}
    assert len(data["coverage"][0]["missing"]) == 92
