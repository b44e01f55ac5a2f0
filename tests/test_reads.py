"""What the whole-repository checks read, as recorded, and the guarantee that rests on it: a
check whose recorded fields did not change finds what it found before."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

import isms.checks
from conftest import FIXTURES, TODAY
from isms.engine import CheckOptions, run_check
from isms.reads import ALL, Tracked, note, recording, shared
from isms.schema import KINDS


def test_a_tracked_mapping_records_each_field_read_in_the_running_check():
    data = Tracked("risk", {"id": "R-1", "score": 12, "treatment": {"controls": ["C-1"]}})
    assert data["id"] == "R-1"  # outside a recording: nothing to record into
    with recording() as outer:
        assert data.get("score") == 12
        with recording() as inner:
            assert "treatment" in data
            assert data.get("missing", "x") == "x"
        assert sorted(data) == ["id", "score", "treatment"]
    assert inner.reads == {("risk", "treatment"), ("risk", "missing")}
    assert outer.reads == {("risk", "score"), ("risk", "treatment"), ("risk", "missing"),
                           ("risk", ALL)}


def test_a_lazy_tracked_mapping_loads_once_on_first_read():
    loads = []
    data = Tracked("asset", None, lambda key: loads.append(key) or {"id": "A-1"}, "a.yaml")
    assert not loads
    with recording() as r:
        assert data["id"] == "A-1" and data.get("id") == "A-1" and len(data) == 1
    assert loads == ["a.yaml"]
    assert r.reads == {("asset", "id"), ("asset", ALL)}


def test_a_shared_value_gives_every_caller_the_reads_that_made_it():
    memo: dict = {}
    data = Tracked("control", {"status": "implemented"})

    def compute() -> str:
        note("third-party", "staff")
        return str(data["status"])

    with recording() as first:
        assert shared(memo, "k", compute) == ("implemented", True)
    with recording() as second:
        assert shared(memo, "k", compute) == ("implemented", False)
    assert first.reads == second.reads == {("control", "status"), ("third-party", "staff")}


# --- the guarantee ------------------------------------------------------------------------------

def _entity_files(repo: Path) -> list[tuple[Path, dict]]:
    out = []
    for path in sorted(repo.rglob("*.yaml")):
        if path.name == "isms.yaml" or ".isms_cache" in path.parts:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("kind") in KINDS:
            out.append((path, data))
    return out


def _floats(value):
    """``value`` with every whole number in it written as a float (4 → 4.0): equal in Python,
    but not to a check that asks for an int."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats(v) for v in value]
    return value


def _beyond_64_bits(value):
    """``value`` with 2**64 added to every whole number: an int still, however it is stored."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value + 2**64
    if isinstance(value, dict):
        return {k: _beyond_64_bits(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_beyond_64_bits(v) for v in value]
    return value


def _edits(repo: Path) -> list[tuple[Path, dict]]:
    """For the first entity of each kind: every field but kind and id removed in turn, set to
    the value another entity of that kind gives it, with its whole numbers as floats, and with
    them beyond 64 bits."""
    files = _entity_files(repo)
    out = []
    seen: set[str] = set()
    for path, data in files:
        if data["kind"] in seen:
            continue
        seen.add(data["kind"])
        peers = [d for p, d in files if d["kind"] == data["kind"] and p != path]
        for key in data:
            if key in ("kind", "id"):
                continue
            out.append((path, {k: v for k, v in data.items() if k != key}))
            other = next((d[key] for d in peers if key in d and d[key] != data[key]), None)
            if other is not None:
                out.append((path, {**data, key: other}))
            if repr(_floats(data[key])) != repr(data[key]):
                out.append((path, {**data, key: _floats(data[key])}))
                out.append((path, {**data, key: _beyond_64_bits(data[key])}))
    return out


@pytest.mark.parametrize("name", ["outsourcing", "gap_status", "references", "vendor_staff", "vendors"])
def test_every_field_edit_gives_what_a_run_without_the_cache_gives(tmp_path, monkeypatch, name):
    """Edit each field of an entity of each kind, one at a time (and put the file back after):
    the cached run, which re-runs only the checks that read a changed field, must report
    exactly what a run without the cache reports."""
    repo = tmp_path / name
    shutil.copytree(FIXTURES / name, repo)
    shutil.rmtree(repo / ".isms_cache", ignore_errors=True)
    reran: list[str] = []
    recorded = isms.checks.run_recorded

    def counting(ctx, checks, only=None, subjects=None, record=True):
        checks = list(checks)
        if any(isinstance(e.data, Tracked) for e in ctx.repo.entities):  # a cached run
            reran.extend(c.key for c in checks)
        return recorded(ctx, checks, only, subjects, record)

    monkeypatch.setattr(isms.checks, "run_recorded", counting)
    today = dt.date.fromisoformat(TODAY)
    cached, fresh = CheckOptions(today=today), CheckOptions(today=today, use_cache=False)
    baseline = run_check(repo, cached).findings
    assert baseline == run_check(repo, fresh).findings
    edits = _edits(repo)
    assert len(edits) >= 15
    for path, data in edits:
        original = path.read_bytes()
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        assert run_check(repo, cached).findings == run_check(repo, fresh).findings, (
            f"{path.name} edited to {data}")
        path.write_bytes(original)
        # Back to the original, so that each edit is judged against it.
        assert run_check(repo, cached).findings == baseline, f"{path.name} put back"
    # The edits were judged check by check, not by running every check again each time.
    assert len(reran) < len(isms.checks.stage_checks()) * 2 * len(edits) / 2


def test_random_edits_of_slas_and_evaluations_give_what_a_run_without_the_cache_gives(tmp_path):
    """Thirty edits in a row (seeded) to what the SLA and grade checks read, each kept: SLA
    targets, measured values, review scores, months and parties of evaluations. The cached
    run judges a few evaluations again each time and must report what a fresh run reports."""
    import random

    repo = tmp_path / "vendors"
    shutil.copytree(FIXTURES / "vendors", repo)
    shutil.rmtree(repo / ".isms_cache", ignore_errors=True)
    today = dt.date.fromisoformat(TODAY)
    cached, fresh = CheckOptions(today=today), CheckOptions(today=today, use_cache=False)
    run_check(repo, cached)
    rng = random.Random(8)
    activities = sorted((repo / "registers").glob("ACT-*.yaml"))
    evaluations = sorted((repo / "registers").glob("EVAL-*.yaml"))
    codes: set[str] = set()
    for step in range(30):
        if rng.random() < 0.3:
            path = rng.choice(activities)
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            item = rng.choice(data["sla"])
            item["target"] = rng.choice([10, 30, 90, 95, 99.9])
        else:
            path = rng.choice(evaluations)
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            what = rng.choice(["actual", "review", "period", "party"])
            if what == "actual":
                rng.choice(data["metrics"])["actual"] = rng.choice([5, 15, 60, 76, 95, 99.95])
            elif what == "review":
                data["expert_review"] = {"score": rng.choice([40, 70, 85, 100])}
            elif what == "period":
                data["period"] = f"2026-{rng.randint(6, 12):02d}"
            else:
                data["third_party"] = rng.choice(["TP-A", "TP-B"])
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        found = run_check(repo, cached).findings
        assert found == run_check(repo, fresh).findings, f"step {step}: {path.name} {data}"
        codes |= {f.code for f in found}
    assert {"V001", "V002"} <= codes  # the edits made both kinds of finding at some point
