"""Every output format compared with its exact expected text, and validated as its format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from jsonschema import Draft4Validator

from conftest import TESTS, TODAY

FORMATS = {"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "github": "github.txt"}


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("fixture", ["doc_control", "clean"])
def test_golden_output(cli, golden, fmt, fixture):
    run = cli("check", f"tests/fixtures/{fixture}", "--today", TODAY, "--format", fmt)
    assert run.code == (1 if fixture == "doc_control" else 0)
    golden(f"{fixture}.{FORMATS[fmt]}", run.out)


def test_sarif_validates_against_the_official_schema(cli):
    schema = json.loads((TESTS / "schemas" / "sarif-schema-2.1.0.json").read_text())
    for fixture in ("doc_control", "references", "loader", "text", "clean"):
        run = cli("check", f"tests/fixtures/{fixture}", "--today", TODAY, "--format", "sarif")
        doc = json.loads(run.out)
        errors = list(Draft4Validator(schema).iter_errors(doc))
        assert errors == [], errors[0].message
        driver = doc["runs"][0]["tool"]["driver"]
        rule_ids = [r["id"] for r in driver["rules"]]
        for result in doc["runs"][0]["results"]:
            assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert all(r["help"]["text"] and r["shortDescription"]["text"] for r in driver["rules"])


def test_sarif_uri_is_percent_encoded(cli):
    run = cli("check", "tests/fixtures/text", "--today", TODAY, "--format", "sarif")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(run.out)["runs"][0]["results"]}
    assert uris == {"policies/%E7%AD%96%E7%95%A5%20%E4%B8%80%20%28draft%29.yaml"}


def test_junit_parses_and_counts(cli):
    run = cli("check", "tests/fixtures/doc_control", "--today", TODAY, "--format", "junit")
    root = ET.fromstring(run.out)
    assert root.tag == "testsuites"
    assert root.get("tests") == "10" and root.get("failures") == "5"
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 10
    assert len(root.findall("./testsuite/testcase/failure")) == 5
    assert len(root.findall("./testsuite/testcase/skipped")) == 5
    suite = root.find("./testsuite[@name='policies/POL-02.yaml']")
    assert suite is not None
    failure = suite.find("./testcase/failure")
    assert failure is not None and failure.get("type") == "D002 error"


def test_github_annotations_escape_properties(cli):
    run = cli("check", "tests/fixtures/text", "--today", TODAY, "--format", "github")
    first = run.out.splitlines()[0]
    assert first.startswith("::warning file=policies/策略 一 (draft).yaml,line=3,col=1,"
                            "title=T001 missing-translation::")
    assert "%0Ahint: " in first
