"""The graph checks (G): orphans are judged only on a complete repository."""

from __future__ import annotations

from conftest import TODAY, findings_of


def test_orphans_are_not_judged_in_an_incomplete_repository(cli, make_repo):
    repo = make_repo("outsourcing")
    (repo / "registers/activities/ACT-PRIV.yaml").write_text("kind: activity\nid: [broken\n")
    run = cli("check", str(repo), "--today", TODAY, "--format", "json", "--select", "G002")
    assert findings_of(run) == set()
    assert cli("check", "tests/fixtures/outsourcing", "--today", TODAY, "--format", "json",
               "--select", "G002").json()["findings"]
