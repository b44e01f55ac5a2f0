"""`isms export oscal`: OSCAL 1.2.1 JSON that the official schemas and compliance-trestle accept.

The schemas are the NIST v1.2.1 JSON Schemas in tests/schemas/oscal/ (see oscal_schemas.py: their
`\\p{L}` patterns need the `regex` package); trestle is a real OSCAL consumer: its pydantic models
read every file, and `trestle validate` checks them in a trestle workspace, resolving each SSP's
profile and catalog. Deliberately broken exports show that both really reject bad documents.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from oscal_schemas import schema_errors

from conftest import REPO, TODAY
from isms.catalogs import load_catalogs

FIXTURE = "tests/fixtures/oscal_export"
ISO = "iso27001-2022"
GBT = "gbt22239-2019-l3"
NS = "https://isms.dev/ns/oscal"
FIXTURE_FILES = [f"assessment-plan-{ISO}.json", f"assessment-results-{ISO}.json",
                 f"catalog-{GBT}.json", f"catalog-{ISO}.json", f"mapping-{ISO}--{GBT}.json",
                 f"profile-{ISO}.json", f"ssp-{ISO}.json"]
REFERENCE_FILES = sorted([*FIXTURE_FILES, f"assessment-plan-{GBT}.json",
                          f"assessment-results-{GBT}.json", f"profile-{GBT}.json",
                          f"ssp-{GBT}.json"])


# --- running the export --------------------------------------------------------------------------

def export(cli, out: Path, repo: str = FIXTURE, *extra: str) -> dict[str, Any]:
    run = cli("export", "oscal", repo, "--out", str(out), "--today", TODAY, *extra)
    assert run.code == 0, run.err
    assert run.out.splitlines() == [str(out / n) for n in sorted(p.name for p in out.iterdir())]
    return {p.name: json.loads(p.read_text("utf-8")) for p in sorted(out.iterdir())}


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory):
    from conftest import run_cli

    out = tmp_path_factory.mktemp("oscal")
    export(run_cli, out)
    return out


@pytest.fixture(scope="module")
def fixture_docs(fixture_dir):
    return {p.name: json.loads(p.read_text("utf-8")) for p in sorted(fixture_dir.iterdir())}


@pytest.fixture(scope="module")
def reference_dir(tmp_path_factory):
    from conftest import run_cli

    out = tmp_path_factory.mktemp("oscal-reference")
    export(run_cli, out, str(REPO))
    return out


def walk(doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Groups and controls (with enhancements) of an exported catalog, each by OSCAL id."""
    groups: dict[str, Any] = {}
    controls: dict[str, Any] = {}
    stack = [("group", g) for g in doc["catalog"].get("groups", [])]
    stack += [("control", c) for c in doc["catalog"].get("controls", [])]
    while stack:
        where, item = stack.pop()
        (groups if where == "group" else controls)[item["id"]] = item
        stack += [("group", g) for g in item.get("groups", [])]
        stack += [("control", c) for c in item.get("controls", [])]
    return groups, controls


def requirement(ssp: dict[str, Any], control_id: str) -> dict[str, Any]:
    (found,) = [r for r in ssp["system-security-plan"]["control-implementation"]
                ["implemented-requirements"] if r["control-id"] == control_id]
    return found


def props(item: dict[str, Any], ns: str | None = NS) -> dict[str, str]:
    return {p["name"]: p["value"] for p in item.get("props", []) if p.get("ns") == ns}


# --- files and schemas ---------------------------------------------------------------------------

def test_reference_export_writes_one_file_per_model_and_all_validate(reference_dir):
    names = sorted(p.name for p in reference_dir.iterdir())
    assert names == REFERENCE_FILES
    for name in names:
        document = json.loads((reference_dir / name).read_text("utf-8"))
        assert schema_errors(document) == [], name


def test_fixture_export_validates(fixture_docs):
    assert sorted(fixture_docs) == FIXTURE_FILES
    for name, document in fixture_docs.items():
        assert schema_errors(document) == [], name


def test_framework_option_limits_the_export(cli, tmp_path):
    docs = export(cli, tmp_path, str(REPO), "--framework", GBT)
    assert sorted(docs) == [f"assessment-plan-{GBT}.json", f"assessment-results-{GBT}.json",
                            f"catalog-{GBT}.json", f"catalog-{ISO}.json",
                            f"mapping-{ISO}--{GBT}.json", f"profile-{GBT}.json",
                            f"ssp-{GBT}.json"]
    run = cli("export", "oscal", str(REPO), "--out", str(tmp_path / "x"), "--framework", "nist")
    assert run.code == 2
    assert "unknown framework 'nist'" in run.err


def test_fixture_export_matches_golden(fixture_dir, golden):
    for name in (f"ssp-{ISO}.json", f"assessment-plan-{ISO}.json",
                 f"assessment-results-{ISO}.json", f"profile-{ISO}.json"):
        golden(f"oscal_export/{name}", (fixture_dir / name).read_text("utf-8"))


def test_same_repo_and_day_give_the_same_bytes(cli, tmp_path):
    first, second, later = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    export(cli, first)
    export(cli, second)
    for path in sorted(first.iterdir()):
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name
    run = cli("export", "oscal", FIXTURE, "--out", str(later), "--today", "2026-11-16")
    assert run.code == 0
    ssp, ssp_later = (json.loads((d / f"ssp-{ISO}.json").read_text("utf-8"))
                      ["system-security-plan"] for d in (first, later))
    assert ssp["metadata"]["last-modified"] == "2026-11-15T00:00:00Z"
    assert ssp_later["metadata"]["last-modified"] == "2026-11-16T00:00:00Z"
    assert ssp["uuid"] != ssp_later["uuid"]  # a document's uuid follows its content
    assert ssp["system-implementation"] == ssp_later["system-implementation"]  # components keep theirs


# --- content ---------------------------------------------------------------------------------------

def test_catalog_ids_labels_and_groups(fixture_docs):
    groups, iso = walk(fixture_docs[f"catalog-{ISO}.json"])
    assert [c["class"] for c in iso.values()].count("control") == 93
    assert [c["class"] for c in iso.values()].count("clause") == 30
    a519 = iso["A.5.19"]  # a valid token already: kept
    assert a519["title"] == "Information security in supplier relationships"
    assert a519["class"] == "control"
    assert a519["props"][0] == {"name": "label", "value": "A.5.19"}
    clause = iso["clause-6.1.3"]  # starts with a digit: prefixed by its kind, real id as label
    assert clause["class"] == "clause"
    assert clause["props"] == [{"name": "label", "value": "6.1.3"}]
    assert clause["parts"][0]["id"] == "clause-6.1.3_smt"
    # Clause 6 holds group 6.1 and clauses 6.2, 6.3, but an OSCAL group holds one or the other.
    six = groups["clause-6"]
    assert six["props"] == [{"name": "label", "value": "6"}]
    assert [g["id"] for g in six["groups"]] == ["clause-6_controls", "clause-6.1"]
    assert six["groups"][0]["props"] == [{"name": "part-of", "ns": NS, "value": "6"}]
    assert [c["id"] for c in six["groups"][0]["controls"]] == ["clause-6.2", "clause-6.3"]
    assert sorted(g for g in groups if not g.startswith("clause-")) == ["A.5", "A.6", "A.7", "A.8"]
    gbt_groups, gbt = walk(fixture_docs[f"catalog-{GBT}.json"])
    assert len(gbt) == 71
    assert gbt["control-point-8.1.10.14"]["props"][0] == {"name": "label", "value": "8.1.10.14"}
    assert gbt_groups["technical-8.1.1"]["title"] == "Physical environment security"


def test_ssp_rows_statuses_and_components(fixture_docs):
    ssp = fixture_docs[f"ssp-{ISO}.json"]
    plan = ssp["system-security-plan"]
    assert plan["import-profile"] == {"href": f"profile-{ISO}.json"}
    assert len(plan["control-implementation"]["implemented-requirements"]) == 93  # SoA rows
    components = {c["uuid"]: c for c in plan["system-implementation"]["components"]}
    by_title = {c["title"]: c for c in components.values()}
    assert {t: c["type"] for t, c in by_title.items()} == {
        "OSCAL Fixture Office ISMS": "this-system",
        "DOC-02 Vendor exit plan": "plan",
        "POL-01 Outsourcing Governance Policy": "policy",
        "DOC-01 Vendor access log": "process-procedure",
        "PRC-01 Vendor Access Management": "process-procedure",
        "NetCo Services Ltd.": "service",
    }
    assert by_title["NetCo Services Ltd."]["props"][0] == {"name": "implementation-point",
                                                            "value": "external"}

    excluded = requirement(ssp, "A.5.23")
    (this,) = excluded["by-components"]
    assert this["implementation-status"] == {"state": "not-applicable",
                                             "remarks": "No external cloud services are used."}
    assert props(excluded)["gap-status"] == "not-applicable"

    missing = requirement(ssp, "A.5.20")
    assert missing["by-components"][0]["implementation-status"] == {
        "state": "planned", "remarks": "Not implemented (isms status not-implemented); no due date set"}
    assert props(missing) == {"gap-status": "gap", "control": "CTL-A.5.20", "applicable": "true",
                              "control-status": "not-implemented", "evidence-state": "none"}

    partial = requirement(ssp, "A.5.19")
    assert [(components[b["component-uuid"]]["title"], b["implementation-status"]["state"])
            for b in partial["by-components"]] == [
        ("OSCAL Fixture Office ISMS", "partial"), ("DOC-02 Vendor exit plan", "partial"),
        ("NetCo Services Ltd.", "partial"), ("POL-01 Outsourcing Governance Policy", "partial"),
        ("PRC-01 Vendor Access Management", "partial")]
    assert partial["responsible-roles"] == [{"role-id": "vendor-manager"}]
    assert props(partial)["due"] == "2027-03-31"

    no_row = requirement(ssp, "A.5.1")
    assert "by-components" not in no_row
    assert no_row["remarks"] == "no control (Statement of Applicability row) for this requirement"


def test_assessment_results_findings_and_observations(fixture_docs):
    results = fixture_docs[f"assessment-results-{ISO}.json"]["assessment-results"]
    assert results["import-ap"] == {"href": f"assessment-plan-{ISO}.json"}
    (result,) = results["results"]
    assert props(result) == {"compliant": "1", "partial": "1", "gap": "119",
                             "not-applicable": "1", "excluded-without-justification": "1",
                             "coverage": "0.8", "addressed": "1.6"}
    assert len(result["findings"]) == 121  # gap + partial + unjustified exclusion
    observations = {o["title"]: o for o in result["observations"]}
    assert sorted(observations) == ["EV-2026-0001", "EV-2026-0002"]  # 0003 is collected later
    csv = REPO / FIXTURE / "evidence/2026/vendor-access-2026-10.csv"
    digest = hashlib.sha256(csv.read_bytes()).hexdigest()
    first = observations["EV-2026-0001"]
    assert first["collected"] == "2026-10-31T00:00:00Z"
    (evidence,) = first["relevant-evidence"]
    (resource,) = results["back-matter"]["resources"]
    assert evidence["href"] == f"#{resource['uuid']}"
    assert resource["rlinks"] == [{"href": "evidence/2026/vendor-access-2026-10.csv",
                                   "hashes": [{"algorithm": "SHA-256", "value": digest}]}]
    assert observations["EV-2026-0002"]["relevant-evidence"] == [
        {"href": "evidence/2026/exit-plan-review.md",
         "description": "evidence/2026/exit-plan-review.md (file not found in the repository)"}]
    findings = {f["title"]: f for f in result["findings"]}
    partial = findings["A.5.19 Information security in supplier relationships: partial"]
    assert partial["target"] == {"type": "objective-id", "target-id": "A.5.19",
                                 "status": {"state": "not-satisfied"},
                                 "implementation-status": {"state": "partial"}}
    assert partial["related-observations"] == [
        {"observation-uuid": observations["EV-2026-0002"]["uuid"]}]
    ssp = fixture_docs[f"ssp-{ISO}.json"]
    assert partial["implementation-statement-uuid"] == requirement(ssp, "A.5.19")["uuid"]
    clause = findings["4.1 Understanding the organization and its context: gap"]
    assert clause["target"]["target-id"] == "clause-4.1"
    assert "implementation-statement-uuid" not in clause  # clauses are not SoA rows
    assert "A.8.2 Privileged access rights: compliant" not in findings


def test_mapping_collection_links_exported_catalog_ids(fixture_docs):
    collection = fixture_docs[f"mapping-{ISO}--{GBT}.json"]["mapping-collection"]
    (mapping,) = collection["mappings"]
    assert mapping["source-resource"] == {"type": "catalog", "href": f"catalog-{ISO}.json"}
    assert mapping["target-resource"] == {"type": "catalog", "href": f"catalog-{GBT}.json"}
    maps = mapping["maps"]
    (shipped,) = load_catalogs().mappings
    assert len(maps) == len(shipped.links) == 180
    assert {m["relationship"] for m in maps} <= {"equivalent-to", "subset-of", "superset-of",
                                                 "intersects-with"}
    _, iso = walk(fixture_docs[f"catalog-{ISO}.json"])
    _, gbt = walk(fixture_docs[f"catalog-{GBT}.json"])
    assert all(s["id-ref"] in iso for m in maps for s in m["sources"])
    assert all(t["id-ref"] in gbt for m in maps for t in m["targets"])
    assert maps[0]["relationship"] == "superset-of"
    assert maps[0]["sources"] == [{"type": "control", "id-ref": "A.5.1"}]
    assert maps[0]["targets"] == [{"type": "control", "id-ref": "control-point-8.1.6.1"}]


# --- the validation is real: broken exports are rejected -----------------------------------------

def _break(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy with the value at a /-separated path replaced (or deleted, for ...)."""
    broken = copy.deepcopy(document)
    *parents, last = path.split("/")
    node: Any = broken
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return broken


BROKEN = [
    ("missing oscal-version", f"ssp-{ISO}.json", "system-security-plan/metadata/oscal-version", ...),
    ("group id starting with a digit", f"catalog-{ISO}.json", "catalog/groups/0/id", "4"),
    ("token starting with a digit", f"assessment-results-{ISO}.json",
     "assessment-results/results/0/findings/0/target/target-id", "4.1"),
    ("timestamp without offset", f"profile-{ISO}.json", "profile/metadata/last-modified",
     "2026-11-15T00:00:00"),
    ("empty array", f"ssp-{ISO}.json",
     "system-security-plan/control-implementation/implemented-requirements/0/props", []),
    ("field outside the schema", f"assessment-plan-{ISO}.json", "assessment-plan/isms", "x"),
    ("version-1 uuid", f"assessment-results-{ISO}.json", "assessment-results/uuid",
     "c232ab00-9414-11ec-b3c8-9f6bdeced846"),
    ("value outside an enumeration", f"mapping-{ISO}--{GBT}.json",
     "mapping-collection/provenance/status", "finished"),
    ("prop value with surrounding blanks", f"ssp-{ISO}.json",
     "system-security-plan/control-implementation/implemented-requirements/0/props/0/value",
     " gap"),
]


@pytest.mark.parametrize(("name", "file", "path", "value"), BROKEN, ids=[b[0] for b in BROKEN])
def test_schema_rejects_broken_export(fixture_docs, name, file, path, value):
    assert schema_errors(fixture_docs[file]) == []
    assert schema_errors(_break(fixture_docs[file], path, value)) != []


def test_unicode_token_pattern_needs_and_uses_regex(fixture_docs):
    # `\p{L}`: a Chinese letter is a valid start of an OSCAL token, a digit is not.
    results = fixture_docs[f"assessment-results-{ISO}.json"]
    target = "assessment-results/results/0/findings/0/target/target-id"
    assert schema_errors(_break(results, target, "条款-4.1")) == []
    (error,) = schema_errors(_break(results, target, "4.1-条款"))
    assert error.startswith(f"{target}: '4.1-条款' does not match")


# --- compliance-trestle, a real OSCAL consumer ---------------------------------------------------

def _trestle_models() -> dict[str, Any]:
    from trestle.oscal.assessment_plan import AssessmentPlan
    from trestle.oscal.assessment_results import AssessmentResults
    from trestle.oscal.catalog import Catalog
    from trestle.oscal.mapping import MappingCollection
    from trestle.oscal.profile import Profile
    from trestle.oscal.ssp import SystemSecurityPlan

    return {"catalog": (Catalog, "catalogs"), "profile": (Profile, "profiles"),
            "system-security-plan": (SystemSecurityPlan, "system-security-plans"),
            "assessment-plan": (AssessmentPlan, "assessment-plans"),
            "assessment-results": (AssessmentResults, "assessment-results"),
            "mapping-collection": (MappingCollection, "mapping-collections")}


def test_trestle_reads_oscal_1_2_1():
    import trestle.oscal

    assert trestle.oscal.OSCAL_VERSION == "1.2.1"


def test_trestle_reads_every_model(reference_dir):
    models = _trestle_models()
    for path in sorted(reference_dir.iterdir()):
        (root,) = json.loads(path.read_text("utf-8"))
        model = models[root][0].oscal_read(path)
        assert model is not None and type(model) is models[root][0], path.name
    ssp = models["system-security-plan"][0].oscal_read(reference_dir / f"ssp-{ISO}.json")
    assert len(ssp.control_implementation.implemented_requirements) == 93


def _trestle(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("trestle", path=str(Path(sys.executable).parent)) or "trestle"
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, check=False)


def _workspace(tmp_path: Path, export_dir: Path) -> Path:
    """A trestle workspace holding every exported file in its model folder. The SSPs import
    their profile by relative href, which trestle resolves from the workspace root, so the
    profiles and catalogs are also copied there."""
    root = tmp_path / "trestle"
    root.mkdir()
    assert _trestle("init", cwd=root).returncode == 0
    models = _trestle_models()
    for path in sorted(export_dir.iterdir()):
        (kind,) = json.loads(path.read_text("utf-8"))
        target = root / models[kind][1] / path.stem / f"{kind}.json"
        target.parent.mkdir(parents=True)
        shutil.copyfile(path, target)
        if kind in ("catalog", "profile"):
            shutil.copyfile(path, root / path.name)
    return root


def test_trestle_validate_accepts_the_export_and_rejects_a_broken_one(tmp_path, reference_dir):
    root = _workspace(tmp_path, reference_dir)
    run = _trestle("validate", "-a", cwd=root)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("VALID: Model") == len(REFERENCE_FILES)
    assert "INVALID" not in run.stdout

    # Trestle checks what the schema cannot: uuids must be unique in a document.
    ssp_path = root / "system-security-plans" / f"ssp-{ISO}" / "system-security-plan.json"
    ssp = json.loads(ssp_path.read_text("utf-8"))
    rows = ssp["system-security-plan"]["control-implementation"]["implemented-requirements"]
    rows[1]["uuid"] = rows[0]["uuid"]
    assert schema_errors(ssp) == []
    ssp_path.write_text(json.dumps(ssp), encoding="utf-8")
    run = _trestle("validate", "-f", str(ssp_path), cwd=root)
    assert run.returncode != 0
    assert "INVALID" in run.stdout + run.stderr


def test_trestle_resolves_profiles_to_the_exported_controls(tmp_path, reference_dir, monkeypatch):
    from trestle.core.catalog.catalog_interface import CatalogInterface
    from trestle.core.profile_resolver import ProfileResolver

    root = _workspace(tmp_path, reference_dir)
    monkeypatch.chdir(root)  # trestle resolves relative hrefs from the working directory
    for framework in (ISO, GBT):
        resolved = ProfileResolver().get_resolved_profile_catalog(root, f"profile-{framework}.json")
        ids = set(CatalogInterface(resolved).get_control_ids())
        ssp = json.loads((reference_dir / f"ssp-{framework}.json").read_text("utf-8"))
        rows = ssp["system-security-plan"]["control-implementation"]["implemented-requirements"]
        assert {r["control-id"] for r in rows} <= ids
        results = json.loads((reference_dir / f"assessment-results-{framework}.json")
                             .read_text("utf-8"))
        findings = results["assessment-results"]["results"][0]["findings"]
        assert {f["target"]["target-id"] for f in findings} <= ids
    assert len(ids) == 71


def test_trestle_model_rejects_a_broken_document(tmp_path, fixture_docs):
    from trestle.oscal.ssp import SystemSecurityPlan

    broken = _break(fixture_docs[f"ssp-{ISO}.json"], "system-security-plan/import-profile", ...)
    path = tmp_path / "ssp.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(Exception, match="import-profile|import_profile"):
        SystemSecurityPlan.oscal_read(path)
