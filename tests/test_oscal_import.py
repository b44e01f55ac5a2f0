"""`isms import oscal-catalog`: an OSCAL catalog becomes a catalog `isms gap` and `isms soa` use."""

from __future__ import annotations

import importlib.util
import json
import shutil

from oscal_schemas import schema_errors

from conftest import REPO, TESTS, TODAY

DEMO = TESTS / "fixtures" / "oscal" / "demo-catalog.json"
SUMMARY = "4 groups, 6 controls, 3 enhancements, 2 withdrawn, 1 ids adjusted"


def _synthetic():
    spec = importlib.util.spec_from_file_location("oscal_bench", REPO / "benchmarks" /
                                                  "oscal_catalog.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_import_prints_the_catalog(cli, golden):
    run = cli("import", "oscal-catalog", str(DEMO), "--id", "demo-2026")
    assert run.code == 0, run.err
    golden("oscal_import/demo-2026.yaml", run.out)
    assert run.out.startswith("# Framework catalog imported from OSCAL by `isms import "
                              f"oscal-catalog` ({SUMMARY}).\nkind: catalog\nid: demo-2026\n")


def test_import_keeps_groups_enhancements_withdrawn_and_titles(cli, tmp_path):
    import yaml

    run = cli("import", "oscal-catalog", str(DEMO), "--id", "demo-2026", "--out", str(tmp_path))
    assert run.code == 0, run.err
    target = tmp_path / "demo-2026.yaml"
    assert run.err == f"{target}: {SUMMARY}\n"
    data = yaml.safe_load(target.read_text("utf-8"))
    assert data["title"] == "Demo Security Controls"
    assert data["version"] == "1.0"
    assert data["groups"] == [
        {"id": "ac", "title": "Access Control", "type": "family"},
        {"id": "ir", "title": "Incident Response", "type": "family"},
        {"id": "ir-ops", "parent": "ir", "title": "Incident Operations"},
        {"id": "ir-plan", "parent": "ir", "title": "Incident Planning"},
    ]
    reqs = {r["id"]: r for r in data["requirements"]}
    assert list(reqs) == ["ac-1", "ac-2", "ac-2.1", "ac-2.1.1", "ac-2.2", "ac-3", "ir-4", "ir-8",
                          "ir-legacy"]
    assert reqs["ac-1"] == {"id": "ac-1", "group": "ac", "kind": "SP800-53",
                            "title": "Policy and Procedures",
                            "description": "a. Develop and document an access control policy.\n"
                                           "b. Review the policy yearly."}
    assert reqs["ac-2.1.1"] == {"id": "ac-2.1.1", "group": "ac", "parent": "ac-2.1",
                                "kind": "enhancement", "title": "Automated Alerts"}
    assert {r for r, v in reqs.items() if v.get("withdrawn")} == {"ac-2.2", "ac-3"}
    assert reqs["ir-legacy"]["title"] == "Legacy Incident Reporting"  # from `_ir-legacy`


def test_imported_catalog_works_with_check_and_gap(cli, make_repo):
    repo = make_repo("oscal_import")
    before = cli("check", str(repo), "--today", TODAY, "--format", "json")
    assert before.code == 1
    assert {f["code"] for f in before.json()["findings"]} == {"R004"}  # unknown framework

    run = cli("import", "oscal-catalog", str(DEMO), "--id", "demo-2026", "--out",
              str(repo / "catalogs"))
    assert run.code == 0, run.err
    after = cli("check", str(repo), "--today", TODAY, "--format", "json")
    assert after.code == 0
    assert after.json()["findings"] == []

    gap = cli("gap", str(repo), "--framework", "demo-2026", "--today", TODAY, "--format", "json")
    assert gap.code == 0, gap.err
    (framework,) = gap.json()["frameworks"]
    assert {r["requirement"]: r["status"] for r in framework["rows"]} == {
        "demo-2026:ac-1": "compliant", "demo-2026:ac-2": "gap", "demo-2026:ac-2.1": "partial",
        "demo-2026:ac-2.1.1": "gap", "demo-2026:ir-4": "not-applicable", "demo-2026:ir-8": "gap",
        "demo-2026:ir-legacy": "gap",
    }  # the withdrawn ac-2.2 and ac-3 are no longer requirements
    assert {r["requirement"]: r["group"] for r in framework["rows"]}["demo-2026:ir-8"] == "ir"

    soa = cli("soa", str(repo), "--framework", "demo-2026", "--today", TODAY, "--format", "json")
    assert soa.code == 0, soa.err
    assert soa.json()["framework"] == "demo-2026"
    # Every control and enhancement except the two withdrawn ones is a row.
    assert {r["requirement"]: r["status"] for r in soa.json()["rows"]} == {
        "demo-2026:ac-1": "implemented", "demo-2026:ac-2": None, "demo-2026:ac-2.1": "partial",
        "demo-2026:ac-2.1.1": None, "demo-2026:ir-4": "not-implemented", "demo-2026:ir-8": None,
        "demo-2026:ir-legacy": None,
    }
    text = cli("soa", str(repo), "--framework", "demo-2026", "--today", TODAY).out
    assert text.startswith("Statement of Applicability: Demo Security Controls, as of 2026-11-15\n")
    assert cli("soa", str(repo), "--framework", "nope").code == 2


def test_export_then_import_keeps_the_structure(cli, make_repo, tmp_path):
    import yaml

    repo = make_repo("oscal_import")
    cli("import", "oscal-catalog", str(DEMO), "--id", "demo-2026", "--out", str(repo / "catalogs"))
    out = tmp_path / "oscal"
    run = cli("export", "oscal", str(repo), "--out", str(out), "--today", TODAY)
    assert run.code == 0, run.err
    assert sorted(p.name for p in out.iterdir()) == [
        "assessment-plan-demo-2026.json", "assessment-results-demo-2026.json",
        "catalog-demo-2026.json", "profile-demo-2026.json", "ssp-demo-2026.json"]
    for path in out.iterdir():
        assert schema_errors(json.loads(path.read_text("utf-8"))) == [], path.name
    ssp = json.loads((out / "ssp-demo-2026.json").read_text("utf-8"))
    rows = ssp["system-security-plan"]["control-implementation"]["implemented-requirements"]
    assert len(rows) == 7  # every requirement that is not a clause and not withdrawn

    again = cli("import", "oscal-catalog", str(out / "catalog-demo-2026.json"), "--id", "demo-2026")
    assert again.code == 0, again.err
    original = yaml.safe_load((repo / "catalogs" / "demo-2026.yaml").read_text("utf-8"))
    copy = yaml.safe_load(again.out)
    keys = ("id", "group", "parent", "kind", "title", "description", "withdrawn")
    assert [{k: r.get(k) for k in keys} for r in copy["requirements"]] == \
        [{k: r.get(k) for k in keys} for r in original["requirements"]]
    assert copy["groups"] == original["groups"]


def test_bad_input_is_a_usage_error_not_a_crash(cli, tmp_path):
    text = tmp_path / "notes.json"
    text.write_text("not json", encoding="utf-8")
    run = cli("import", "oscal-catalog", str(text), "--id", "x")
    assert run.code == 2
    assert run.err.startswith(f"isms: error: {text} is not valid JSON or YAML")

    profile = tmp_path / "profile.json"
    profile.write_text('{"profile": {}}', encoding="utf-8")
    run = cli("import", "oscal-catalog", str(profile), "--id", "x")
    assert run.code == 2
    assert run.err == (f"isms: error: {profile} is not an OSCAL catalog (no top-level `catalog` "
                       "object)\n  hint: profiles must be resolved into a catalog first\n")

    run = cli("import", "oscal-catalog", str(DEMO), "--id", "Demo 2026")
    assert run.code == 2
    assert run.err.startswith("isms: error: catalog id 'Demo 2026' is not valid")

    messy = tmp_path / "messy.json"
    messy.write_text(json.dumps({"catalog": {
        "metadata": "no",
        "groups": [{"title": 5, "controls": "x", "props": {"a": 1}}, "junk",
                   {"id": "g", "controls": [{"id": 7, "title": ["x"], "parts": "no",
                                             "controls": [None, {"id": "7"}]}]}],
    }}), encoding="utf-8")
    run = cli("import", "oscal-catalog", str(messy), "--id", "messy")
    assert run.code == 0, run.err
    assert run.out.splitlines()[1:] == [
        "kind: catalog", "id: messy", "title: messy",
        "description: Imported from the OSCAL catalog \"messy\" by isms import oscal-catalog.",
        "groups:", "- id: group-1", "  title: group-1", "- id: g", "  title: g",
        "requirements:",
        "- id: control-1", "  group: g", "  kind: control", "  title: control-1",
        "- id: '7'", "  group: g", "  parent: control-1", "  kind: enhancement", "  title: '7'",
    ]


def test_large_synthetic_catalog(cli, tmp_path):
    """1,304 controls and enhancements in 14.7 MB of JSON (the time is measured by
    benchmarks/oscal_catalog.py, not here)."""
    bench = _synthetic()
    document = bench.synthetic_catalog()
    source = tmp_path / "catalog.json"
    source.write_text(json.dumps(document, indent=2), encoding="utf-8")
    assert source.stat().st_size > 10_000_000
    assert bench.count_controls(document) == 1304

    repo = tmp_path / "repo"
    shutil.copytree(TESTS / "fixtures" / "oscal_import", repo)
    (repo / "isms.yaml").write_text(
        "organisation: Big\nframeworks: [synthetic]\ncatalogs: catalogs\nfolders: []\n",
        encoding="utf-8")
    run = cli("import", "oscal-catalog", str(source), "--id", "synthetic", "--out",
              str(repo / "catalogs"))
    assert run.code == 0, run.err
    assert run.err.endswith(": 20 groups, 480 controls, 824 enhancements, 142 withdrawn\n")
    gap = cli("gap", str(repo), "--framework", "synthetic", "--today", TODAY, "--format", "json")
    assert gap.code == 0, gap.err
    (framework,) = gap.json()["frameworks"]
    assert len(framework["rows"]) == 1304 - 142  # withdrawn controls are not requirements
    assert framework["rows"][0]["requirement"] == "synthetic:ab00-1"
