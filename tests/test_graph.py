"""`isms graph` and the dependency graph: impact, why, path, orphans and every export format.

Expected sets on the reference ISMS are derived here straight from the YAML files (not from
the graph), so the test fails if the graph drops or invents an edge.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import networkx as nx
import pytest
import yaml

from conftest import REPO

OUTSOURCING = "tests/fixtures/outsourcing"


def _yaml(folder: str) -> list[dict]:
    docs = []
    for p in sorted((REPO / folder).rglob("*.yaml")):
        data = yaml.safe_load(p.read_text("utf-8"))
        if isinstance(data, dict) and "kind" in data:
            docs.append(data)
    return docs


def _reference() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for folder in ("controls", "registers"):
        for doc in _yaml(folder):
            out.setdefault(doc["kind"], []).append(doc)
    return out


def _mapping_targets(iso_refs: set[str]) -> set[str]:
    mapping = yaml.safe_load(
        (REPO / "isms/catalogs/mappings/iso27001-2022--gbt22239-2019-l3.yaml").read_text("utf-8"))
    return {f"gbt22239-2019-l3:{link['target']}" for link in mapping["links"]
            if f"iso27001-2022:{link['source']}" in iso_refs}


def _ids(run_json, kind):
    return {x["id"] for x in run_json["by_kind"].get(kind, [])}


# --- impact: the vendor-exit question ----------------------------------------------------------

def test_vendor_exit_impact_on_the_reference_isms(cli):
    run = cli("graph", "impact", "TP-HUAWANG", "-C", str(REPO), "--format", "json")
    assert run.code == 0, run.err
    doc = run.json()
    # What the registers say, read directly.
    ref = _reference()
    party = next(t for t in ref["third-party"] if t["id"] == "TP-HUAWANG")
    assert doc["root"] == {"id": "TP-HUAWANG", "kind": "third-party", "label": party["name"]["en"]}
    acts = {a["id"] for a in ref["activity"] if a["third_party"] == "TP-HUAWANG"}
    assets = ({a["id"] for a in ref["asset"] if a.get("maintained_by") == "TP-HUAWANG"}
              | {x for a in ref["activity"] if a["id"] in acts for x in a.get("assets", [])})
    controls = ({c for a in ref["activity"] if a["id"] in acts for c in a.get("controls", [])}
                | {c["id"] for c in ref["control"] if set(c.get("activities", [])) & acts})
    risks = {r["id"] for r in ref["risk"]
             if set(r.get("activities", [])) & acts or set(r.get("assets", [])) & assets
             or set(r.get("treatment", {}).get("controls", [])) & controls}
    risks |= {x for a in ref["activity"] if a["id"] in acts for x in a.get("risks", [])}
    risks |= {x for c in ref["control"] if c["id"] in controls for x in c.get("risks", [])}
    iso = {c["requirement"] for c in ref["control"] if c["id"] in controls}

    assert acts == {"ACT-NET-OPS", "ACT-VIDEO-CONF"}
    assert _ids(doc, "activity") == acts
    assert _ids(doc, "staff") == {s["id"] for s in party["staff"]} == {
        f"S-HUAWANG-0{i}" for i in range(1, 7)}
    assert _ids(doc, "asset") == assets == {
        "AST-AGG-SW-01", "AST-CORE-SW-01", "AST-CORE-SW-02", "AST-EGOV-RTR-01", "AST-MCU-01",
        "AST-TOWN-NET-01", "AST-VC-TERM-01"}
    assert _ids(doc, "control") == controls == {
        "CTL-A.5.20", "CTL-A.5.22", "CTL-A.5.29", "CTL-A.7.13", "CTL-A.8.2", "CTL-A.8.20",
        "CTL-A.8.32"}
    assert _ids(doc, "risk") == risks
    assert {"RSK-002", "RSK-014", "RSK-017", "RSK-018", "RSK-019", "RSK-030"} <= risks
    assert _ids(doc, "requirement") == iso | _mapping_targets(iso)
    assert _ids(doc, "evaluation") == {f"EVAL-TP-HUAWANG-{p}" for p in (
        "2025-11", "2025-12", *(f"2026-{m:02d}" for m in range(1, 11)))}
    assert not {"policy", "procedure", "document", "evidence"} & set(doc["by_kind"])

    soa_row = next(x for x in doc["by_kind"]["requirement"] if x["id"] == "iso27001-2022:A.8.2")
    assert soa_row["path"] == ["TP-HUAWANG", "ACT-NET-OPS", "CTL-A.8.2", "iso27001-2022:A.8.2"]
    assert soa_row["via"] == ["performs", "governs", "implements"]

    text = cli("graph", "impact", "TP-HUAWANG", "-C", str(REPO)).out
    assert "\n    TP-HUAWANG → ACT-NET-OPS → CTL-A.8.2 → iso27001-2022:A.8.2\n" in text
    assert text.startswith(f"impact of TP-HUAWANG (third-party) {party['name']['en']}: "
                           f"{doc['count']} dependents\n")


def test_impact_text_on_a_fixture_and_depth(cli, golden):
    run = cli("graph", "impact", "TP-A", "-C", OUTSOURCING)
    assert run.code == 0
    golden("outsourcing.impact.txt", run.out)
    shallow = cli("graph", "impact", "TP-A", "-C", OUTSOURCING, "--depth", "1", "--format", "json")
    assert {k: sorted(x["id"] for x in v) for k, v in shallow.json()["by_kind"].items()} == {
        "staff": ["S-A-01", "S-A-02"],
        "activity": ["ACT-EXCL", "ACT-NOSUP", "ACT-ONSITE", "ACT-PRIV"],
        "asset": ["AST-1"],
    }
    assert shallow.json()["depth"] == 1


def test_why_a_control_rests_on_its_procedures_evidence_activities_and_risks(cli):
    run = cli("graph", "why", "CTL-A.8.2", "-C", str(REPO), "--depth", "1", "--format", "json")
    assert run.code == 0
    control = yaml.safe_load((REPO / "controls/CTL-A.8.2.yaml").read_text("utf-8"))
    ref = _reference()
    documents = {e["document"] for e in control["evidence"]}
    expected = set(control["implemented_by"]) | documents
    expected |= {e["id"] for e in _yaml("evidence")
                 if "CTL-A.8.2" in e.get("controls", []) or e["document"] in documents}
    expected |= {a["id"] for a in ref["activity"] if "CTL-A.8.2" in a.get("controls", [])}
    expected |= {r["id"] for r in ref["risk"] if "CTL-A.8.2" in r["treatment"].get("controls", [])}
    found = {x["id"] for items in run.json()["by_kind"].values() for x in items}
    assert found == expected
    assert _ids(run.json(), "risk") == {"RSK-001", "RSK-024"}
    assert _ids(run.json(), "evidence") == {"EV-2026-0046"}


def test_why_on_a_fixture_is_exact(cli):
    run = cli("graph", "why", "CTL-A.8.2", "-C", OUTSOURCING, "--format", "json")
    assert {k: sorted(x["id"] for x in v) for k, v in run.json()["by_kind"].items()} == {
        "third-party": ["TP-A"],
        "staff": ["S-A-01"],
        "activity": ["ACT-NOSUP", "ACT-PRIV"],
        "risk": ["RSK-001", "RSK-002", "RSK-005", "RSK-007"],
        "policy": ["POL-01"],
        "procedure": ["PRC-01"],
        "document": ["DOC-01"],
        "evidence": ["EV-1"],
    }


# --- path and orphans -------------------------------------------------------------------------

def test_path_between_a_vendor_and_a_requirement(cli):
    run = cli("graph", "path", "TP-HUAWANG", "iso27001-2022:A.8.2", "-C", str(REPO))
    assert run.code == 0
    assert run.out == (
        "TP-HUAWANG → ACT-NET-OPS → CTL-A.8.2 → iso27001-2022:A.8.2\n"
        "  TP-HUAWANG performs ACT-NET-OPS\n"
        "  CTL-A.8.2 governs ACT-NET-OPS\n"
        "  CTL-A.8.2 implements iso27001-2022:A.8.2\n")
    mapped = cli("graph", "path", "gbt22239-2019-l3:8.1.1.2", "iso27001-2022:A.7.2", "-C",
                 str(REPO), "--format", "json")
    assert mapped.json() == {
        "from": "gbt22239-2019-l3:8.1.1.2", "to": "iso27001-2022:A.7.2", "found": True,
        "nodes": ["gbt22239-2019-l3:8.1.1.2", "iso27001-2022:A.7.2"],
        "edges": [{"source": "iso27001-2022:A.7.2", "target": "gbt22239-2019-l3:8.1.1.2",
                   "type": "maps-to", "relation": "superset"}]}


def test_path_not_found_is_exit_1_and_unknown_id_exit_2(cli):
    run = cli("graph", "path", "TP-B", "AST-2", "-C", OUTSOURCING)
    assert (run.code, run.out) == (1, "no path between TP-B and AST-2\n")
    assert cli("graph", "path", "TP-B", "AST-2", "-C", OUTSOURCING, "--format", "json").json() == {
        "from": "TP-B", "to": "AST-2", "found": False, "nodes": [], "edges": []}
    run = cli("graph", "impact", "TP-HUAWANGG", "-C", str(REPO))
    assert run.code == 2
    assert "'TP-HUAWANGG' is not an entity" in run.err
    assert "did you mean TP-HUAWANG," in run.err


def test_orphans(cli):
    assert cli("graph", "orphans", "-C", str(REPO)).out == "no orphans\n"
    run = cli("graph", "orphans", "-C", OUTSOURCING, "--format", "json")
    assert [(o["id"], o["reason"]) for o in run.json()["orphans"]] == [
        ("TP-B", "performs no activity and maintains no asset"),
        ("ACT-ONSITE", "no control governs this activity"),
        ("AST-2", "no activity or risk names this asset"),
        ("RSK-007", "names no asset or activity it is about"),
        ("POL-02", "no procedure implements this policy"),
        ("PRC-02", "produces no document set and implements no control"),
        ("DOC-03", "nothing uses this document set: no control is implemented or evidenced by "
                   "it, no evidence record is of it and it addresses no requirement"),
        ("EV-2", "supports no control: its `controls` list is empty and no control expects "
                 "evidence of its document set"),
    ]
    text = cli("graph", "orphans", "-C", OUTSOURCING).out
    assert text.splitlines()[0] == "8 orphans"
    assert "  POL-02 (policy, policies/POL-02.yaml): no procedure implements this policy" in text


# --- export ------------------------------------------------------------------------------------

def _graph(path: str) -> nx.DiGraph:
    from isms.engine import load_repo
    from isms.graph import build

    loaded = load_repo(REPO / path)
    return build(loaded.repo, loaded.catalogs)


_DOT_NODE = re.compile(r'^\s*"((?:[^"\\]|\\.)*)" \[(.*)\];$')
_DOT_EDGE = re.compile(r'^\s*"((?:[^"\\]|\\.)*)" -> "((?:[^"\\]|\\.)*)" \[(.*)\];$')
_DOT_ATTR = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def _parse_dot(text: str) -> tuple[dict[str, dict[str, str]], dict[tuple[str, str], dict[str, str]]]:
    """A small parser for the subset of DOT that `isms graph export` writes."""
    lines = text.splitlines()
    assert lines[0] == "digraph isms {" and lines[-1] == "}"
    nodes, edges = {}, {}
    for line in lines[1:-1]:
        if m := _DOT_EDGE.match(line):
            edges[(m[1], m[2])] = dict(_DOT_ATTR.findall(m[3]))
        elif m := _DOT_NODE.match(line):
            nodes[m[1]] = dict(_DOT_ATTR.findall(m[2]))
        else:
            assert line.strip() in ("rankdir=LR;", "node [shape=box];"), line
    return nodes, edges


def test_every_export_format_parses_back_to_the_same_graph(cli):
    g = _graph(OUTSOURCING)
    node_kinds = {n: d["kind"] for n, d in g.nodes(data=True)}
    edge_types = {(u, v): d["type"] for u, v, d in g.edges(data=True)}

    dot = cli("graph", "export", "-C", OUTSOURCING, "--format", "dot").out
    nodes, edges = _parse_dot(dot)
    assert {n: a["kind"] for n, a in nodes.items()} == node_kinds
    assert {k: a["type"] for k, a in edges.items()} == edge_types

    graphml = cli("graph", "export", "-C", OUTSOURCING, "--format", "graphml").out
    read = nx.read_graphml(io.BytesIO(graphml.encode("utf-8")))
    assert dict(read.nodes(data="kind")) == node_kinds
    assert {(u, v): t for u, v, t in read.edges(data="type")} == edge_types

    data = cli("graph", "export", "-C", OUTSOURCING, "--format", "json").json()
    read = nx.node_link_graph(data, edges="links")
    assert read.is_directed()
    assert dict(read.nodes(data="kind")) == node_kinds
    assert {(u, v): t for u, v, t in read.edges(data="type")} == edge_types
    assert read.edges["iso27001-2022:A.5.20", "gbt22239-2019-l3:8.1.9.10"]["relation"] == "subset"

    mermaid = cli("graph", "export", "-C", OUTSOURCING, "--format", "mermaid").out.splitlines()
    assert mermaid[0] == "flowchart LR"
    declared = [line for line in mermaid[1:] if "[" in line]
    links = [line for line in mermaid[1:] if "-->" in line]
    assert len(declared) == g.number_of_nodes() and len(links) == g.number_of_edges()
    assert all(re.match(r'^  n\d+ -->\|[a-z-]+\| n\d+$', line) for line in links)


def test_export_is_deterministic_and_filters(cli, golden):
    args = ("graph", "export", "-C", OUTSOURCING, "--around", "ACT-PRIV", "--depth", "1")
    first = cli(*args).out
    assert first == cli(*args).out
    golden("outsourcing.around.dot", first)
    nodes, _ = _parse_dot(first)
    assert set(nodes) == {"ACT-PRIV", "TP-A", "S-A-01", "AST-1", "CTL-A.5.20", "CTL-A.8.2",
                          "RSK-001", "RSK-002", "RSK-004", "RSK-005"}
    kinds = cli("graph", "export", "-C", OUTSOURCING, "--kind", "third-party,activity",
                "--format", "mermaid")
    golden("outsourcing.kinds.mmd", kinds.out)
    run = cli("graph", "export", "-C", OUTSOURCING, "--kind", "vendor")
    assert run.code == 2 and "no node of kind 'vendor'" in run.err
    assert cli("graph", "export", "-C", OUTSOURCING, "--depth", "2").code == 2


def test_export_to_a_file(cli, tmp_path):
    target = tmp_path / "graph.graphml"
    run = cli("graph", "export", "-C", OUTSOURCING, "--format", "graphml", "-o", str(target))
    assert run.code == 0 and run.out == ""
    assert nx.read_graphml(target).number_of_nodes() == _graph(OUTSOURCING).number_of_nodes()


@pytest.mark.parametrize("command", ["impact", "why"])
def test_text_and_json_for_every_query(cli, command):
    text = cli("graph", command, "ACT-PRIV", "-C", OUTSOURCING)
    data = cli("graph", command, "ACT-PRIV", "-C", OUTSOURCING, "--format", "json").json()
    assert text.code == 0
    for items in data["by_kind"].values():
        for x in items:
            assert "    " + " → ".join(x["path"]) in text.out


def test_graph_is_built_once_per_loaded_repository():
    from isms.engine import load_repo
    from isms.graph import build_graph, graph_for

    loaded = load_repo(Path(REPO / OUTSOURCING))
    assert build_graph(loaded) is build_graph(loaded) is graph_for(loaded.repo, loaded.catalogs)
    assert build_graph(load_repo(Path(REPO / OUTSOURCING))) is not build_graph(loaded)


def test_fast_built_graph_is_a_consistent_networkx_graph():
    """graph.build writes networkx's adjacency dicts directly (for speed); the result must be
    exactly what the public API would build, with both views of every edge the same dict."""
    from isms.engine import load_repo
    from isms.graph import build_graph

    g = build_graph(load_repo(REPO))
    public = nx.DiGraph()
    public.add_nodes_from(g.nodes(data=True))
    public.add_edges_from(g.edges(data=True))
    assert nx.utils.graphs_equal(g, public)
    assert list(g.nodes) == list(public.nodes) and list(g.edges) == list(public.edges)
    for u, v in g.edges:
        assert g.pred[v][u] is g.succ[u][v]
    assert sum(len(p) for p in g.pred.values()) == g.number_of_edges()
    assert set(g.pred) == set(g.succ) == set(g.nodes)
