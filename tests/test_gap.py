"""`isms gap` and `isms soa`: every status on a hand-made fixture (including statuses inherited
through a mapping), and the reference ISMS's numbers recomputed here from its YAML files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import pytest
import yaml

from conftest import REPO, TODAY, findings_of

GAP = "tests/fixtures/gap_status"
STATUSES = ("compliant", "partial", "gap", "not-applicable", "excluded-without-justification")


def gap_json(cli, path, *args):
    run = cli("gap", path, "--today", TODAY, "--format", "json", *args)
    assert run.code == 0, run.err
    return {f["framework"]: f for f in run.json()["frameworks"]}


def statuses(framework):
    return {r["requirement"]: r["status"] for r in framework["rows"]}


# --- every status, on the fixture -------------------------------------------------------------

def test_each_gap_status_with_its_reason(cli):
    iso = gap_json(cli, GAP)["iso27001-2022"]
    got = statuses(iso)
    assert {k: got[f"iso27001-2022:{k}"] for k in (
        "4.1", "4.2", "5.1", "9.2.1", "9.2.2", "A.5.1", "A.5.2", "A.5.3", "A.5.4", "A.5.5",
        "A.5.6", "A.5.7", "A.5.8", "A.5.9", "A.5.10")} == {
        "4.1": "compliant",       # clause addressed by an approved policy
        "4.2": "gap",             # clause nobody addresses
        "5.1": "partial",         # clause addressed only by a draft
        "9.2.1": "compliant",     # the policy addresses clause 9.2 as a whole
        "9.2.2": "compliant",
        "A.5.1": "compliant",
        "A.5.2": "partial",       # stale evidence
        "A.5.3": "partial",       # missing evidence
        "A.5.4": "partial",       # nothing implements it
        "A.5.5": "partial",       # status partial
        "A.5.6": "gap",           # planned
        "A.5.7": "gap",           # not implemented
        "A.5.8": "not-applicable",
        "A.5.9": "excluded-without-justification",
        "A.5.10": "gap",          # no control row
    }
    reasons = {r["requirement"]: r["reason"] for r in iso["rows"]}
    assert reasons["iso27001-2022:A.5.1"] == (
        "CTL-A.5.1 implemented; implemented by DOC-01, PRC-01; evidence of DOC-01 fresh (EV-03, "
        "collected 2026-10-01; expected every 12 months)")
    assert reasons["iso27001-2022:A.5.2"] == (
        "CTL-A.5.2 implemented; implemented by PRC-01; evidence of DOC-02 stale (EV-02, collected "
        "2026-07-31; expected every 3 months); missing: fresh evidence of DOC-02")
    assert reasons["iso27001-2022:A.5.3"] == (
        "CTL-A.5.3 implemented; implemented by PRC-01; evidence of DOC-03 missing (none recorded; "
        "expected every 6 months); missing: fresh evidence of DOC-03")
    assert reasons["iso27001-2022:A.5.4"] == (
        "CTL-A.5.4 implemented; no procedure or document set implements it; evidence EV-03 (no "
        "frequency expected); missing: an implementing procedure or document set")
    assert reasons["iso27001-2022:A.5.6"] == (
        "CTL-A.5.6 planned, due 2027-06-30; implemented by PRC-01; no evidence expected or "
        "recorded; missing: implementation, evidence")
    assert reasons["iso27001-2022:A.5.8"] == "CTL-A.5.8 excluded: No projects are run by the office."
    assert reasons["iso27001-2022:A.5.9"] == (
        "CTL-A.5.9 is excluded (applicable: false) but gives no reason")
    assert reasons["iso27001-2022:A.5.10"] == (
        "no control (Statement of Applicability row) for this requirement")
    assert reasons["iso27001-2022:5.1"] == (
        "addressed only by documents not yet approved: POL-02; missing: an approved document")
    assert reasons["iso27001-2022:9.2.1"] == (
        "met by documented information: addressed by approved POL-01")


def test_statuses_inherited_through_a_mapping(cli):
    local = gap_json(cli, GAP)["local-l3"]
    assert statuses(local) == {
        "local-l3:L-1": "compliant",  # equivalent link from a compliant control
        "local-l3:L-2": "partial",    # subset link: never full cover on its own
        "local-l3:L-3": "partial",    # superset link from a partial control, plus intersects
        "local-l3:L-4": "gap",        # superset link from a planned control
        "local-l3:L-5": "gap",        # no link, no control
        "local-l3:L-6": "partial",    # its own control row decides, not the subset link
        "local-l3:L-7": "gap",        # an excluded ISO control covers nothing
    }
    rows = {r["requirement"]: r for r in local["rows"]}
    assert rows["local-l3:L-3"]["inherited"] == [
        {"requirement": "iso27001-2022:A.5.1", "relation": "intersects", "status": "compliant",
         "controls": ["CTL-A.5.1"], "mapping": "iso27001-2022--local-l3"},
        {"requirement": "iso27001-2022:A.5.2", "relation": "superset", "status": "partial",
         "controls": ["CTL-A.5.2"], "mapping": "iso27001-2022--local-l3"},
    ]
    assert rows["local-l3:L-3"]["reason"] == (
        "inherited through iso27001-2022--local-l3: iso27001-2022:A.5.1 intersects (compliant, "
        "CTL-A.5.1); iso27001-2022:A.5.2 superset (partial, CTL-A.5.2); iso27001-2022:A.5.2 would "
        "cover it fully but is only partial; subset and intersects links never give full cover "
        "on their own")
    assert rows["local-l3:L-1"]["reason"] == (
        "inherited through iso27001-2022--local-l3: iso27001-2022:A.5.1 equivalent (compliant, "
        "CTL-A.5.1); fully covered by iso27001-2022:A.5.1")
    assert rows["local-l3:L-6"]["control"] == "CTL-L-6" and rows["local-l3:L-6"]["inherited"] == []
    assert local["summary"]["total"] == {
        "group": "total", "title": "All requirements", "total": 7,
        "counts": {"compliant": 1, "partial": 3, "gap": 3, "not-applicable": 0,
                   "excluded-without-justification": 0},
        "coverage": 14.3, "addressed": 57.1}


def test_a5_theme_summary_and_formula(cli):
    iso = gap_json(cli, GAP, "--framework", "iso27001-2022")["iso27001-2022"]
    a5 = next(s for s in iso["summary"]["groups"] if s["group"] == "A.5")
    # 37 controls: 1 compliant, 4 partial, 30 gap (2 + 28 without a row), 1 n/a, 1 unjustified;
    # coverage = 1 / (37 - 1) = 2.8 %, addressed = 5 / 36 = 13.9 %
    assert a5 == {"group": "A.5", "title": "Organizational controls", "total": 37,
                  "counts": {"compliant": 1, "partial": 4, "gap": 30, "not-applicable": 1,
                             "excluded-without-justification": 1},
                  "coverage": 2.8, "addressed": 13.9}


def test_evidence_freshness_follows_today(cli):
    later = cli("gap", GAP, "--today", "2026-12-15", "--format", "json").json()
    row = next(r for r in later["frameworks"][0]["rows"]
               if r["requirement"] == "iso27001-2022:A.5.2")
    # EV-04 (collected 2026-12-01) exists by then and is the newest record of DOC-02.
    assert row["status"] == "compliant"
    assert row["evidence"] == [{"document": "DOC-02", "every_months": 3, "record": "EV-04",
                                "collected": "2026-12-01", "state": "fresh"}]


@pytest.mark.parametrize(("fmt", "ext"), [("text", "txt"), ("json", "json"), ("csv", "csv"),
                                          ("html", "html")])
def test_gap_formats(cli, golden, fmt, ext):
    run = cli("gap", GAP, "--today", TODAY, "--format", fmt)
    assert run.code == 0
    golden(f"gap_status.gap.{ext}", run.out)
    assert run.out == cli("gap", GAP, "--today", TODAY, "--format", fmt).out
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(run.out)))
        assert rows[0][:5] == ["framework", "requirement", "title", "group", "status"]
        assert len(rows) == 1 + 123 + 7
    if fmt == "html":
        _well_formed(run.out)
        assert "No link &amp; no control &lt;yet&gt;" in run.out


def test_gap_options(cli, tmp_path):
    target = tmp_path / "gap.csv"
    assert cli("gap", GAP, "--today", TODAY, "--format", "csv", "-o", str(target)).out == ""
    assert target.read_text("utf-8").startswith("framework,requirement,")
    run = cli("gap", GAP, "--framework", "nist-csf")
    assert run.code == 2 and "unknown framework 'nist-csf'" in run.err
    only = gap_json(cli, GAP, "--framework", "local-l3")
    assert list(only) == ["local-l3"]


# --- SoA --------------------------------------------------------------------------------------

def test_soa_of_the_reference_has_93_rows_matching_the_control_files(cli):
    run = cli("soa", str(REPO), "--today", TODAY, "--format", "json")
    assert run.code == 0
    doc = run.json()
    assert len(doc["rows"]) == 93
    controls = {}
    for p in sorted((REPO / "controls").glob("*.yaml")):
        c = yaml.safe_load(p.read_text("utf-8"))
        controls[c["requirement"]] = c
    for row in doc["rows"]:
        c = controls[row["requirement"]]
        assert (row["control"], row["applicable"], row["status"], row["reason"]) == (
            c["id"], c["applicable"], c["status"], c["reason"]["en"])
        assert {i["id"] for i in row["implemented_by"]} == set(c["implemented_by"])
        assert [e["document"] for e in row["evidence"]] == [e["document"] for e in c.get("evidence", [])]
    assert doc["counts"] == {"controls": 93, "applicable": 91, "excluded": 2, "without a row": 0,
                             "implemented": 85, "partial": 4, "planned": 2}
    text = cli("soa", str(REPO), "--today", TODAY).out
    assert text.count("\n    control CTL-") == 93


@pytest.mark.parametrize(("fmt", "ext"), [("text", "txt"), ("json", "json"), ("csv", "csv"),
                                          ("html", "html")])
def test_soa_formats(cli, golden, fmt, ext):
    run = cli("soa", GAP, "--today", TODAY, "--format", fmt)
    assert run.code == 0
    golden(f"gap_status.soa.{ext}", run.out)
    if fmt == "csv":
        assert len(list(csv.reader(io.StringIO(run.out)))) == 94
    if fmt == "json":
        rows = {r["requirement"]: r for r in json.loads(run.out)["rows"]}
        assert rows["iso27001-2022:A.5.2"]["evidence_state"] == "stale"
        assert rows["iso27001-2022:A.5.3"]["evidence_state"] == "missing"
        assert rows["iso27001-2022:A.5.8"]["evidence_state"] == "n/a"
        assert rows["iso27001-2022:A.5.10"]["control"] is None
    if fmt == "html":
        _well_formed(run.out)


class _Tags(HTMLParser):
    VOID = {"meta", "br"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()


def _well_formed(html: str) -> None:
    parser = _Tags()
    parser.feed(html)
    assert parser.stack == []
    assert html.startswith("<!DOCTYPE html>")


# --- the reference ISMS, recomputed from its YAML ----------------------------------------------

def _docs(*folders):
    out = []
    for folder in folders:
        for p in sorted((REPO / folder).rglob("*.yaml")):
            data = yaml.safe_load(p.read_text("utf-8"))
            if isinstance(data, dict) and "kind" in data:
                out.append(data)
    return out


def _months_before(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = [31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31, 30, 31, 30, 31, 31,
            30, 31, 30, 31][m]
    return dt.date(y, m + 1, min(day.day, last))


def _independent_statuses(today: dt.date) -> dict[str, dict[str, str]]:
    catalog = yaml.safe_load((REPO / "isms/catalogs/iso27001-2022.yaml").read_text("utf-8"))
    mapping = yaml.safe_load(
        (REPO / "isms/catalogs/mappings/iso27001-2022--gbt22239-2019-l3.yaml").read_text("utf-8"))
    controls = {c["requirement"]: c for c in _docs("controls")}
    documents = {d["id"]: d for d in _docs("policies", "procedures", "documents")}
    evidence = _docs("evidence")
    parents = {g["id"]: g.get("parent") for g in catalog["groups"]}

    def control_status(c):
        if not c["applicable"]:
            return "not-applicable" if c.get("reason") else "excluded-without-justification"
        if c["status"] in ("planned", "not-implemented"):
            return "gap"
        if c["status"] == "partial":
            return "partial"
        ok = any(documents.get(i, {}).get("status") not in (None, "retired")
                 for i in c.get("implemented_by", []))
        for x in c.get("evidence", []):
            dates = [dt.date.fromisoformat(str(e["collected"])) for e in evidence
                     if e["document"] == x["document"]
                     and dt.date.fromisoformat(str(e["collected"])) <= today]
            if not dates or max(dates) < _months_before(today, x["every_months"]):
                ok = False
        if not c.get("evidence") and not any(c["id"] in e.get("controls", []) for e in evidence):
            ok = False
        return "compliant" if ok else "partial"

    iso = {}
    for r in catalog["requirements"]:
        ref = f"iso27001-2022:{r['id']}"
        if ref in controls:
            iso[ref] = control_status(controls[ref])
            continue
        if r.get("kind") != "clause":
            iso[ref] = "gap"
            continue
        refs, g = {ref}, r.get("group")
        while g:
            refs.add(f"iso27001-2022:{g}")
            g = parents.get(g)
        by = [d for d in documents.values() if refs & set(d.get("requirements", []))]
        iso[ref] = ("compliant" if any(d["status"] == "approved" for d in by)
                    else "partial" if by else "gap")
    gbt = {}
    for target in {link["target"] for link in mapping["links"]}:
        links = [(f"iso27001-2022:{x['source']}", x["relation"]) for x in mapping["links"]
                 if x["target"] == target]
        if any(iso[s] == "compliant" and rel in ("equivalent", "superset") for s, rel in links):
            gbt[f"gbt22239-2019-l3:{target}"] = "compliant"
        elif any(iso[s] in ("compliant", "partial") for s, _ in links):
            gbt[f"gbt22239-2019-l3:{target}"] = "partial"
        else:
            gbt[f"gbt22239-2019-l3:{target}"] = "gap"
    return {"iso27001-2022": iso, "gbt22239-2019-l3": gbt}


def _group_of(framework: str, requirement: str) -> str:
    rid = requirement.split(":", 1)[1]
    if framework == "gbt22239-2019-l3":
        return ".".join(rid.split(".")[:3])
    return rid.rsplit(".", 1)[0] if rid.startswith("A.") else rid.split(".")[0]


def _pct(part: int, whole: int) -> float:
    return float((Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def test_reference_gap_summary_matches_an_independent_count(cli):
    frameworks = gap_json(cli, str(REPO))
    expected = _independent_statuses(dt.date.fromisoformat(TODAY))
    assert set(frameworks) == set(expected)
    for name, framework in frameworks.items():
        assert statuses(framework) == expected[name]
        groups: dict[str, dict[str, int]] = {}
        for req, status in expected[name].items():
            counts = groups.setdefault(_group_of(name, req), dict.fromkeys(STATUSES, 0))
            counts[status] += 1
        summary = {s["group"]: s for s in framework["summary"]["groups"]}
        assert set(summary) == set(groups)
        for gid, counts in groups.items():
            total = sum(counts.values())
            assessable = total - counts["not-applicable"]
            assert summary[gid]["counts"] == counts
            assert summary[gid]["total"] == total
            assert summary[gid]["coverage"] == _pct(counts["compliant"], assessable)
            assert summary[gid]["addressed"] == _pct(counts["compliant"] + counts["partial"],
                                                     assessable)
    # The headline numbers, as the README quotes them.
    iso_total = frameworks["iso27001-2022"]["summary"]["total"]
    assert iso_total["counts"] == {"compliant": 115, "partial": 4, "gap": 2, "not-applicable": 2,
                                   "excluded-without-justification": 0}
    assert (iso_total["coverage"], iso_total["addressed"]) == (95.0, 98.3)
    gbt_total = frameworks["gbt22239-2019-l3"]["summary"]["total"]
    assert gbt_total["counts"]["compliant"] == 10 and gbt_total["counts"]["partial"] == 61
    row = next(r for r in frameworks["gbt22239-2019-l3"]["rows"]
               if r["requirement"] == "gbt22239-2019-l3:8.1.1.2")
    assert row["status"] == "compliant"
    assert [(s["requirement"], s["relation"]) for s in row["inherited"]] == [
        ("iso27001-2022:A.7.1", "intersects"), ("iso27001-2022:A.7.2", "superset")]


# --- malformed input -------------------------------------------------------------------------

WRONG_TYPES = [
    ("controls/CTL-A.8.2.yaml", "evidence:\n  - {document: DOC-01, every_months: 12}", "evidence: 5"),
    ("controls/CTL-A.5.20.yaml", "implemented_by: [PRC-01]", "implemented_by: PRC-01"),
    ("controls/CTL-A.5.20.yaml", "applicable: true", 'applicable: "yes"'),
    ("controls/CTL-A.8.11.yaml", "status: planned", "status: 3"),
    ("controls/CTL-A.5.30.yaml", "risks: [RSK-004]", "risks: {a: 1}"),
    ("registers/risks/RSK-001.yaml", "likelihood: 4", "likelihood: high"),
    ("registers/risks/RSK-002.yaml", "treatment: {option: mitigate, controls: [CTL-A.8.2], "
     "due: 2027-06-30}", "treatment: [1, 2]"),
    ("registers/risks/RSK-002.yaml", "accepted: {by: director, on: 2026-09-01}", 'accepted: "yes"'),
    ("registers/risks/RSK-003.yaml", "residual: {likelihood: 2, impact: 2}", "residual: 7"),
    ("registers/risks/RSK-004.yaml", "treatment: {option: mitigate, controls: [CTL-A.8.11], "
     "due: 2027-06-30}", "treatment: {option: 5, controls: CTL-A.8.11, due: tomorrow}"),
    ("registers/activities/ACT-PRIV.yaml", "access: [privileged, remote]", "access: privileged"),
    ("registers/activities/ACT-NOSUP.yaml", "controls: [CTL-A.8.2]", "controls: 5"),
    ("evidence/2026/EV-1.yaml", "collected: 2026-10-31", "collected: soon"),
    ("registers/third-parties/TP-A.yaml", "  - {id: S-A-02, name: Li Na, role: field engineer}",
     "  - 7"),
    ("policies/POL-01.yaml", "requirements: [iso27001-2022:A.5.19]",
     "requirements: [iso27001-2022:A.5, 12, iso27001-2022:ZZZ]"),
]


def test_wrong_types_are_findings_never_crashes(cli, make_repo):
    repo = make_repo("outsourcing")
    for rel, old, new in WRONG_TYPES:
        path = repo / rel
        text = path.read_text("utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new), "utf-8")
    dated = [("check",), ("gap",), ("gap", "--format", "html"), ("soa", "--format", "csv"),
             ("soa", "--format", "html"), ("risks",), ("risks", "--format", "json")]
    for args in dated:
        run = cli(args[0], str(repo), *args[1:], "--today", TODAY)
        assert run.code in (0, 1) and "internal error" not in run.err, (args, run.err)
    checked = cli("check", str(repo), "--today", TODAY, "--format", "json")
    assert checked.code == 1
    # Each wrong type is a schema finding in the file that has it.
    assert {path for code, path, _ in findings_of(checked) if code == "S001"} >= \
        {rel for rel, _, _ in WRONG_TYPES}
    for args in [("impact", "TP-A"), ("why", "CTL-A.8.2"), ("orphans",),
                 ("path", "TP-A", "iso27001-2022:A.5"), ("export", "--format", "graphml"),
                 ("export", "--format", "mermaid")]:
        run = cli("graph", *args, "-C", str(repo))
        assert run.code in (0, 1) and "internal error" not in run.err, (args, run.err)
    for command in ("gap", "soa", "risks"):
        run = cli(command, "tests/fixtures/schema", "--today", TODAY)
        assert run.code == 0, run.err
