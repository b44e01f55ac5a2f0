"""Output of `isms graph`: text and JSON for the queries, DOT, GraphML, JSON and Mermaid for
export. Every function returns a string; the same graph gives the same bytes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from isms.graph import Orphan, Reach, Step, sorted_edges, sorted_nodes
from isms.tabular import json_text

if TYPE_CHECKING:
    import networkx as nx

ARROW = " → "


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


# --- impact / why -----------------------------------------------------------------------------

def reach_text(reach: Reach) -> str:
    verb = "depend on" if reach.direction == "impact" else "rests on"
    depth = f" (depth {reach.depth})" if reach.depth is not None else ""
    title = f" {reach.label}" if reach.label else ""
    if reach.direction == "impact":
        head = f"impact of {reach.root} ({reach.kind}){title}: " \
               f"{_plural(len(reach.reached), 'dependent')}{depth}"
    else:
        head = f"{reach.root} ({reach.kind}){title} {verb} {_plural(len(reach.reached), 'item')}" \
               f"{depth}"
    lines = [head]
    for kind, items in reach.by_kind():
        lines.append("")
        lines.append(f"{kind} ({len(items)})")
        for r in items:
            lines.append(f"  {r.id}" + (f"  {r.label}" if r.label else ""))
            lines.append("    " + ARROW.join(r.path))
    return "\n".join(lines) + "\n"


def reach_json(reach: Reach) -> str:
    return json_text({
        "root": {"id": reach.root, "kind": reach.kind, "label": reach.label},
        "direction": reach.direction,
        "depth": reach.depth,
        "count": len(reach.reached),
        "by_kind": {
            kind: [{"id": r.id, "label": r.label, "depth": r.depth, "path": list(r.path),
                    "via": list(r.via)} for r in items]
            for kind, items in reach.by_kind()
        },
    })


# --- path -------------------------------------------------------------------------------------

def _step_words(step: Step) -> str:
    relation = f" ({step.relation})" if step.relation else ""
    return f"{step.source} {step.type}{relation} {step.target}"


def path_text(a: str, b: str, found: tuple[tuple[str, ...], tuple[Step, ...]] | None) -> str:
    if found is None:
        return f"no path between {a} and {b}\n"
    nodes, steps = found
    lines = [ARROW.join(nodes)]
    lines += [f"  {_step_words(s)}" for s in steps]
    return "\n".join(lines) + "\n"


def path_json(a: str, b: str, found: tuple[tuple[str, ...], tuple[Step, ...]] | None) -> str:
    if found is None:
        return json_text({"from": a, "to": b, "found": False, "nodes": [], "edges": []})
    nodes, steps = found
    return json_text({
        "from": a, "to": b, "found": True, "nodes": list(nodes),
        "edges": [{"source": s.source, "target": s.target, "type": s.type,
                   **({"relation": s.relation} if s.relation else {})} for s in steps],
    })


# --- orphans ----------------------------------------------------------------------------------

def orphans_text(found: Sequence[Orphan]) -> str:
    if not found:
        return "no orphans\n"
    lines = [f"{_plural(len(found), 'orphan')}"]
    for o in found:
        lines.append(f"  {o.id} ({o.kind}, {o.path}): {o.reason}")
    return "\n".join(lines) + "\n"


def orphans_json(found: Sequence[Orphan]) -> str:
    return json_text({"count": len(found),
                      "orphans": [{"id": o.id, "kind": o.kind, "path": o.path, "reason": o.reason}
                                  for o in found]})


# --- export -----------------------------------------------------------------------------------

_NODE_ATTRS = ("kind", "label", "path", "framework")
_EDGE_ATTRS = ("type", "depends", "via", "relation")


def _attrs(data: dict[str, Any], names: Sequence[str]) -> list[tuple[str, str]]:
    return [(k, str(data[k])) for k in names if k in data and data[k] != ""]


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def export_dot(g: nx.DiGraph) -> str:
    lines = ["digraph isms {", "  rankdir=LR;", "  node [shape=box];"]
    for n in sorted_nodes(g):
        # Graphviz shows `label` in place of the id, so the label carries both.
        pairs = [(k, f"{n}\n{v}" if k == "label" else v) for k, v in _attrs(g.nodes[n], _NODE_ATTRS)]
        if "label" not in g.nodes[n] or not g.nodes[n]["label"]:
            pairs.append(("label", n))
        attrs = ", ".join(f"{k}={_dot_quote(v)}" for k, v in pairs)
        lines.append(f"  {_dot_quote(n)} [{attrs}];")
    for u, v, d in sorted_edges(g):
        edge_attrs = [*_attrs(d, _EDGE_ATTRS), ("label", str(d.get("type", "")))]
        text = ", ".join(f"{k}={_dot_quote(val)}" for k, val in edge_attrs)
        lines.append(f"  {_dot_quote(u)} -> {_dot_quote(v)} [{text}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _ordered(g: nx.DiGraph) -> nx.DiGraph:
    """A copy with nodes, edges and attributes in a stable order, so writers emit stable bytes."""
    import networkx as nx

    out = nx.DiGraph()
    for n in sorted_nodes(g):
        out.add_node(n, **dict(_attrs(g.nodes[n], _NODE_ATTRS)))
    for u, v, d in sorted_edges(g):
        out.add_edge(u, v, **dict(_attrs(d, _EDGE_ATTRS)))
    return out


def export_graphml(g: nx.DiGraph) -> str:
    import networkx as nx

    return "\n".join(nx.generate_graphml(_ordered(g), prettyprint=True)) + "\n"


def export_json(g: nx.DiGraph) -> str:
    """networkx node-link data (`links` for the edges): read back with
    ``networkx.node_link_graph(data, edges="links")``."""
    ordered = _ordered(g)
    return json_text({
        "directed": True,
        "multigraph": False,
        "graph": {},
        "nodes": [{"id": n, **d} for n, d in ordered.nodes(data=True)],
        "links": [{"source": u, "target": v, **d} for u, v, d in ordered.edges(data=True)],
    })


def _mermaid_label(text: str) -> str:
    return text.replace('"', "#quot;")


def export_mermaid(g: nx.DiGraph) -> str:
    names = {n: f"n{i}" for i, n in enumerate(sorted_nodes(g))}
    lines = ["flowchart LR"]
    for n, name in names.items():
        kind = g.nodes[n].get("kind", "")
        lines.append(f'  {name}["{_mermaid_label(n)}<br/><i>{_mermaid_label(kind)}</i>"]')
    for u, v, d in sorted_edges(g):
        lines.append(f"  {names[u]} -->|{_mermaid_label(str(d.get('type', '')))}| {names[v]}")
    return "\n".join(lines) + "\n"


EXPORTERS = {"dot": export_dot, "graphml": export_graphml, "json": export_json,
             "mermaid": export_mermaid}
