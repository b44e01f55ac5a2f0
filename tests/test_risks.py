"""`isms risks`: scores from the configured scale, appetite, overdue treatments, the real status
of the controls behind each treatment, and the heat maps."""

from __future__ import annotations

import csv
import io

import pytest
import yaml

from conftest import REPO, TODAY

FIXTURE = "tests/fixtures/outsourcing"


def register(cli, path, today=TODAY):
    run = cli("risks", path, "--today", today, "--format", "json")
    assert run.code == 0, run.err
    return run.json()


def test_rows_on_the_fixture(cli):
    doc = register(cli, FIXTURE)
    assert (doc["scale"], doc["appetite"]) == (5, 8)
    rows = {r["id"]: r for r in doc["risks"]}
    summary = {rid: (r["inherent"], r["residual"]["score"], r["effective"], r["above_appetite"],
                     r["accepted"] is not None, r["treatment"]["overdue_days"],
                     r["treatment"]["state"]) for rid, r in rows.items()}
    assert summary == {
        "RSK-001": (20, 9, 9, True, False, 0, "implemented"),
        "RSK-002": (20, 9, 9, True, True, 0, "implemented"),
        "RSK-003": (9, 4, 4, False, False, 138, "implemented"),
        # mitigated only by a partial and a planned control: not mitigated, effective = inherent
        "RSK-004": (12, 4, 12, False, False, 0, "partly implemented"),
        "RSK-005": (None, 1, 1, False, False, 0, "implemented"),  # likelihood 6 is off the scale
        "RSK-006": (4, 2, 4, False, False, 0, "not implemented"),
        "RSK-007": (4, 1, 1, False, False, 0, "implemented"),
    }
    assert rows["RSK-004"]["treatment"]["controls"] == [
        {"id": "CTL-A.5.30", "status": "partial", "implemented": False},   # via the control's `risks`
        {"id": "CTL-A.8.11", "status": "planned", "implemented": False}]
    assert rows["RSK-006"]["treatment"]["controls"] == [
        {"id": "CTL-A.5.23", "status": "excluded", "implemented": False}]
    assert rows["RSK-002"]["accepted"] == {"by": "director", "on": "2026-09-01"}
    assert rows["RSK-003"]["treatment"]["overdue"] is True


def test_overdue_follows_today(cli):
    rows = {r["id"]: r for r in register(cli, FIXTURE, "2026-06-30")["risks"]}
    assert rows["RSK-003"]["treatment"]["overdue"] is False
    rows = {r["id"]: r for r in register(cli, FIXTURE, "2026-07-01")["risks"]}
    assert rows["RSK-003"]["treatment"]["overdue_days"] == 1


def test_heat_maps_are_5x5_and_place_every_risk(cli):
    doc = register(cli, FIXTURE)
    for name in ("inherent", "residual"):
        cells = doc["heatmap"][name]
        assert len(cells) == 25
        assert [(c["likelihood"], c["impact"]) for c in cells[:6]] == [
            (5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (4, 1)]
    placed = {(c["likelihood"], c["impact"]): c["risks"] for c in doc["heatmap"]["inherent"]
              if c["risks"]}
    assert placed == {(4, 5): ["RSK-001", "RSK-002"], (3, 3): ["RSK-003"], (3, 4): ["RSK-004"],
                      (2, 2): ["RSK-006", "RSK-007"]}
    residual = {(c["likelihood"], c["impact"]): c["risks"] for c in doc["heatmap"]["residual"]
                if c["risks"]}
    assert residual == {(3, 3): ["RSK-001", "RSK-002"], (2, 2): ["RSK-003", "RSK-004"],
                        (1, 2): ["RSK-006"], (1, 1): ["RSK-005", "RSK-007"]}


def test_reference_register_against_the_risk_files(cli):
    doc = register(cli, str(REPO))
    files = [yaml.safe_load(p.read_text("utf-8"))
             for p in sorted((REPO / "registers/risks").glob("*.yaml"))]
    assert len(doc["risks"]) == len(files) == 30
    rows = {r["id"]: r for r in doc["risks"]}
    for f in files:
        row = rows[f["id"]]
        residual = f["residual"]["likelihood"] * f["residual"]["impact"]
        assert row["inherent"] == f["likelihood"] * f["impact"]
        assert row["residual"]["score"] == residual
        assert row["above_appetite"] == (residual > 8)
        assert {c["id"] for c in row["treatment"]["controls"]} == set(f["treatment"]["controls"])
        # Every risk above appetite in the reference ISMS is accepted (K001 stays silent).
        if residual > 8:
            assert "accepted" in f and row["accepted"] is not None
    # RSK-026 is "mitigated" partly by a planned control (A.8.11): it is not mitigated yet.
    assert rows["RSK-026"]["treatment"]["state"] == "partly implemented"
    assert rows["RSK-026"]["effective"] == rows["RSK-026"]["inherent"] == 12
    inherent = {(c["likelihood"], c["impact"]): c["count"] for c in doc["heatmap"]["inherent"]}
    expected: dict[tuple[int, int], int] = {}
    for f in files:
        key = (f["likelihood"], f["impact"])
        expected[key] = expected.get(key, 0) + 1
    assert {k: v for k, v in inherent.items() if v} == expected
    assert sum(inherent.values()) == 30


@pytest.mark.parametrize(("fmt", "ext"), [("text", "txt"), ("json", "json"), ("csv", "csv")])
def test_risk_formats(cli, golden, fmt, ext):
    run = cli("risks", FIXTURE, "--today", TODAY, "--format", fmt)
    assert run.code == 0
    golden(f"outsourcing.risks.{ext}", run.out)
    assert run.out == cli("risks", FIXTURE, "--today", TODAY, "--format", fmt).out
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(run.out)))
        assert [r["id"] for r in rows] == [f"RSK-00{i}" for i in range(1, 8)]
        assert rows[3]["controls"] == "CTL-A.5.30 partial, CTL-A.8.11 planned"
