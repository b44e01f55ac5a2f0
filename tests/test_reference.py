"""The bundled reference ISMS and the shipped catalogs: shape, coverage and a clean check."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from conftest import REPO, TODAY
from isms.catalogs import load_catalogs


def _load(folder: str) -> list[dict]:
    return [yaml.load(p.read_text("utf-8"), Loader=yaml.BaseLoader)  # strings only: no 1.1 bools
            for p in sorted((REPO / folder).rglob("*.yaml"))]


def test_three_tiers_and_93_controls():
    by_kind = Counter(d["kind"] for folder in ("policies", "procedures", "documents", "controls")
                      for d in _load(folder))
    assert by_kind == {"policy": 8, "procedure": 21, "document": 66, "control": 93}


def test_reference_passes_its_own_check(cli):
    run = cli("check", str(REPO), "--today", TODAY, "--format", "json")
    assert run.code == 0, run.out
    assert run.json()["summary"]["error"] == 0


def test_every_annex_a_control_and_gbt_point_is_addressed_by_a_procedure():
    catalogs = load_catalogs()
    procedures = _load("procedures")
    addressed = {ref for p in procedures for ref in p.get("requirements", [])}
    for control in _load("controls"):
        if any(i.startswith("PRC-") for i in control.get("implemented_by", [])):
            addressed.add(control["requirement"])
    annex_a = [r for r in catalogs.catalogs["iso27001-2022"].requirements.values()
               if r.kind == "control"]
    gbt = list(catalogs.catalogs["gbt22239-2019-l3"].requirements.values())
    assert len(annex_a) == 93 and len(gbt) == 71
    assert [r.id for r in annex_a if r.ref not in addressed] == []
    assert [r.id for r in gbt if r.ref not in addressed] == []


def test_iso_catalog_facts():
    iso = load_catalogs().catalogs["iso27001-2022"]
    controls = [r for r in iso.requirements.values() if r.kind == "control"]
    assert Counter(r.group for r in controls) == {"A.5": 37, "A.6": 8, "A.7": 14, "A.8": 34}
    assert sorted(r.id for r in controls if r.data.get("new_in_2022")) == sorted(
        ["A.5.7", "A.5.23", "A.5.30", "A.7.4", "A.8.9", "A.8.10", "A.8.11", "A.8.12", "A.8.16",
         "A.8.23", "A.8.28"])
    types = Counter(v for r in controls for v in r.attributes["control_type"])
    assert types == {"preventive": 83, "corrective": 14, "detective": 13}
    clauses = [r for r in iso.requirements.values() if r.kind == "clause"]
    assert len(clauses) == 30
    for r in controls + clauses:
        assert r.title["en"] and r.title["zh"]


def test_gbt_catalog_facts_and_mapping():
    catalogs = load_catalogs()
    gbt = catalogs.catalogs["gbt22239-2019-l3"]
    assert len(gbt.groups) == 10
    assert sum(r.data["items"] for r in gbt.requirements.values()) == 211
    per_category = Counter(r.group for r in gbt.requirements.values())
    assert per_category == {"8.1.1": 10, "8.1.2": 3, "8.1.3": 6, "8.1.4": 11, "8.1.5": 4,
                            "8.1.6": 4, "8.1.7": 5, "8.1.8": 4, "8.1.9": 10, "8.1.10": 14}
    (mapping,) = catalogs.mappings
    assert (mapping.source, mapping.target) == ("iso27001-2022", "gbt22239-2019-l3")
    assert {link.target for link in mapping.links} == set(gbt.requirements)
    iso = catalogs.catalogs["iso27001-2022"]
    assert all(link.source in iso.requirements for link in mapping.links)
    assert {link.relation for link in mapping.links} <= {"equivalent", "subset", "superset",
                                                         "intersects"}


def test_reference_soa_statuses():
    controls = {c["id"]: c for c in _load("controls")}
    excluded = sorted(i for i, c in controls.items() if c["applicable"] == "false")
    assert excluded == ["CTL-A.5.23", "CTL-A.6.7"]
    assert all(controls[i].get("reason") for i in excluded)
    status = Counter(c["status"] for c in controls.values())
    assert status == {"implemented": 85, "partial": 4, "planned": 2, "not-implemented": 2}


def test_registers_meet_the_worked_example_sizes():
    kinds = Counter(d["kind"] for d in _load("registers"))
    assert kinds["third-party"] >= 5
    assert kinds["activity"] >= 12
    assert kinds["risk"] >= 25
    assert kinds["asset"] >= 40
    evaluations = Counter(d["third_party"] for d in _load("registers") if d["kind"] == "evaluation")
    assert set(evaluations.values()) == {12}
    domains = {d["domain"] for d in _load("registers") if d["kind"] == "activity"}
    config = yaml.safe_load((REPO / "isms.yaml").read_text("utf-8"))
    assert domains == set(config["domains"]) and len(domains) == 12
    evidence_files = [f for d in _load("evidence") for f in d.get("files", [])]
    assert evidence_files and all((REPO / f).is_file() for f in evidence_files)
    assert Path(REPO / "evidence").is_dir()
