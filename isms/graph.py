"""The dependency graph of an ISMS, built once per run and shared by every command and check.

Nodes are every entity (by id), every third-party staff member (by staff id), every requirement
of every loaded catalog (``FRAMEWORK:REQ``) and the catalog groups that entities reference.
Every reference is a typed edge. The edge keeps the direction in which its relation is read
(``type``): a policy *governs* a procedure, a control *implements* a requirement, a third party
*performs* an activity. Which end rests on the other is a separate attribute, ``depends``
(``target``, ``source`` or ``both``), because the verb alone does not say it: a procedure rests
on the policy that governs it, but a control rests on the activity it governs (if the vendor
running the activity leaves, the control is no longer operated). Impact ("what breaks if X
goes") follows ``depends`` forwards; ``why`` ("what does X rest on") follows it backwards.

Edges are derived from :data:`isms.model.REFERENCES` (a new reference field there appears in
the graph without code here); :data:`EDGE_OF_FIELD` only says how each field reads as a typed
edge. The graph is read-only once built: callers that need a changed graph copy it.
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from isms.i18n import natural_key, pick
from isms.model import REFERENCES, REQUIREMENT_FIELDS, Entity, Repo, iter_spec

if TYPE_CHECKING:
    import networkx as nx

    from isms.catalogs import Catalogs
    from isms.engine import Loaded

EDGE_TYPES = ("addresses", "implements", "implemented-by", "governs", "treats", "performs",
              "affects", "evidences", "parent", "maps-to", "maintains", "evaluates")

# (kind, field spec) → (edge type, reversed). ``reversed`` means the edge runs from the
# referenced entity to the referring one: `procedure.policy` reads "policy governs procedure".
EDGE_OF_FIELD: dict[tuple[str, str], tuple[str, bool]] = {
    ("policy", "parent"): ("parent", False),
    ("procedure", "policy"): ("governs", True),
    ("procedure", "parent"): ("parent", False),
    ("procedure", "records"): ("governs", False),
    ("document", "procedure"): ("governs", True),
    ("document", "parent"): ("parent", False),
    ("control", "implemented_by"): ("implemented-by", False),
    ("control", "risks"): ("treats", False),
    ("control", "activities"): ("governs", False),
    ("control", "evidence[].document"): ("evidences", True),
    ("activity", "third_party"): ("performs", True),
    ("activity", "assets"): ("affects", False),
    ("activity", "controls"): ("governs", True),
    ("activity", "risks"): ("affects", True),
    ("risk", "assets"): ("affects", False),
    ("risk", "activities"): ("affects", False),
    ("risk", "treatment.controls"): ("treats", True),
    ("asset", "maintained_by"): ("maintains", True),
    ("evaluation", "third_party"): ("evaluates", False),
    ("evaluation", "metrics[].activity"): ("evaluates", False),
    ("evidence", "document"): ("evidences", False),
    ("evidence", "controls"): ("evidences", False),
}

# Which end of an edge depends on the other, by type; exceptions in :func:`depends_of`.
_DEPENDS = {
    "addresses": "target",       # a requirement's cover rests on what addresses it
    "implements": "target",
    "implemented-by": "source",  # a control rests on its procedures and document sets
    "governs": "target",         # a procedure rests on its policy, a document set on its procedure
    "treats": "target",          # a risk's treatment rests on the controls that treat it
    "performs": "target",        # an activity rests on the third party (and staff) doing it
    "affects": "target",         # an asset rests on the activity that operates it
    "evidences": "target",       # a control rests on its evidence
    "parent": "source",          # a child rests on its parent
    "maps-to": "target",         # a mapped requirement inherits from its source
    "maintains": "target",
    "evaluates": "source",       # an evaluation rests on the party and activities it measures
}

# Entity kinds in the order reports list them.
KIND_ORDER = ("third-party", "staff", "activity", "asset", "risk", "control", "requirement",
              "group", "policy", "procedure", "document", "evidence", "evaluation")


def depends_of(edge_type: str, source_kind: str, target_kind: str) -> str:
    if edge_type == "governs" and source_kind == "control":
        return "source"  # a control rests on the activity it is operated in
    if edge_type == "affects" and source_kind == "risk":
        return "source"  # a risk rests on the assets and activities it is about
    if edge_type == "evidences" and target_kind == "document":
        return "source"  # an evidence record is a record of its document set
    if edge_type == "parent" and source_kind in ("requirement", "group"):
        return "target"  # a catalog group's cover rests on its members
    # A reference field the table does not know: the referring entity rests on what it names.
    return _DEPENDS.get(edge_type, "source")


def kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def build(repo: Repo, catalogs: Catalogs) -> nx.DiGraph:
    """Build the graph; use :func:`graph_for` or :func:`build_graph` to share one per run."""
    import networkx as nx

    g = nx.DiGraph()
    languages = repo.config.languages or ("en",)
    entities = sorted(repo.by_id.values(), key=lambda e: natural_key(e.id))
    for e in entities:
        label = pick(e.get("title"), languages) or pick(e.get("name"), languages)
        g.add_node(e.id, kind=e.kind, label=label, path=e.path)
    for staff_id in sorted(repo.staff, key=natural_key):
        party, member = repo.staff[staff_id]
        if staff_id in g:
            continue  # an entity with the same id (R001 reports it) keeps the node
        name = member.get("name")
        g.add_node(staff_id, kind="staff", label=name if isinstance(name, str) else "",
                   path=party.path)
        _add_edge(g, staff_id, party.id, "parent", "third-party.staff")
    for cid in sorted(catalogs.catalogs):
        catalog = catalogs.catalogs[cid]
        for req in sorted(catalog.requirements.values(), key=lambda r: natural_key(r.id)):
            g.add_node(req.ref, kind="requirement", label=pick(req.title, languages),
                       path="", framework=cid)
    for e in entities:
        _entity_edges(g, repo, catalogs, e, languages)
        if not g.nodes[e.id]["label"]:
            g.nodes[e.id]["label"] = _fallback_label(g, e)
    _expected_evidence(g, entities)
    for mapping in sorted(catalogs.mappings, key=lambda m: m.id):
        for link in mapping.links:
            src, dst = f"{mapping.source}:{link.source}", f"{mapping.target}:{link.target}"
            if src in g and dst in g and not g.has_edge(src, dst):
                g.add_edge(src, dst, type="maps-to", depends="target", via=mapping.id,
                           relation=link.relation)
    return g


def _expected_evidence(g: nx.DiGraph, entities: list[Entity]) -> None:
    """A control expecting evidence of document set D rests on every evidence record of D,
    though the record need not name the control: add those `evidences` edges too."""
    records: dict[str, list[str]] = {}
    for e in entities:
        document = e.get("document") if e.kind == "evidence" else None
        if isinstance(document, str):
            records.setdefault(document, []).append(e.id)
    for c in entities:
        if c.kind != "control":
            continue
        for _path, document in iter_spec(c.data, "evidence[].document"):
            for record in records.get(document, []) if isinstance(document, str) else []:
                _add_edge(g, record, c.id, "evidences", "control.evidence[].document")


def _fallback_label(g: nx.DiGraph, e: Entity) -> str:
    """Controls and evidence records have no title: name them by what they are about."""
    if e.kind == "control":
        requirement = e.get("requirement")
        if isinstance(requirement, str) and requirement in g:
            return str(g.nodes[requirement].get("label", ""))
    if e.kind == "evidence":
        document, collected = e.get("document"), e.get("collected")
        if isinstance(document, str):
            return f"record of {document}" + (f", collected {collected}" if collected else "")
    return ""


def _entity_edges(g: nx.DiGraph, repo: Repo, catalogs: Catalogs, e: Entity,
                  languages: tuple[str, ...]) -> None:
    for ref in REFERENCES:
        if ref.kind != e.kind:
            continue
        edge_type, reverse = EDGE_OF_FIELD.get((ref.kind, ref.spec), (ref.edge, False))
        for _path, value in iter_spec(e.data, ref.spec):
            target = repo.by_id.get(value) if isinstance(value, str) else None
            if target is None or target.kind not in ref.targets:
                continue  # dangling or wrong-kind references are findings (R002, R003)
            u, v = (target.id, e.id) if reverse else (e.id, target.id)
            _add_edge(g, u, v, edge_type, f"{e.kind}.{ref.spec}")
    if e.kind == "activity":
        for _path, value in iter_spec(e.data, "staff"):
            if isinstance(value, str) and g.nodes.get(value, {}).get("kind") == "staff":
                _add_edge(g, value, e.id, "performs", "activity.staff")
    edge_type = "implements" if e.kind == "control" else "addresses"
    for spec in REQUIREMENT_FIELDS.get(e.kind, ()):
        for _path, value in iter_spec(e.data, spec):
            if not isinstance(value, str) or ":" not in value:
                continue
            if value not in g:
                _add_group(g, catalogs, value, languages)
            if value in g:
                _add_edge(g, e.id, value, edge_type, f"{e.kind}.{spec}")


def _add_group(g: nx.DiGraph, catalogs: Catalogs, ref: str, languages: tuple[str, ...]) -> None:
    """Add a referenced catalog group, its sub-groups and the membership edges."""
    framework, _, gid = ref.partition(":")
    catalog = catalogs.catalogs.get(framework)
    if catalog is None or gid not in catalog.groups:
        return
    wanted = {gid}
    grew = True
    while grew:
        grew = False
        for sub in catalog.groups.values():
            if sub.parent in wanted and sub.id not in wanted:
                wanted.add(sub.id)
                grew = True
    for sid in sorted(wanted, key=natural_key):
        group = catalog.groups[sid]
        node = f"{framework}:{sid}"
        if node not in g:
            g.add_node(node, kind="group", label=pick(group.title, languages), path="",
                       framework=framework)
    for sid in sorted(wanted, key=natural_key):
        group = catalog.groups[sid]
        if group.parent in wanted:
            _add_edge(g, f"{framework}:{sid}", f"{framework}:{group.parent}", "parent", "catalog")
    for req in sorted(catalog.requirements.values(), key=lambda r: natural_key(r.id)):
        if req.group in wanted:
            _add_edge(g, req.ref, f"{framework}:{req.group}", "parent", "catalog")


def _add_edge(g: nx.DiGraph, u: str, v: str, edge_type: str, via: str) -> None:
    if g.has_edge(u, v):
        data = g.edges[u, v]
        if via not in data["via"].split(","):
            data["via"] = ",".join(sorted([*data["via"].split(","), via]))
        return
    depends = depends_of(edge_type, g.nodes[u].get("kind", ""), g.nodes[v].get("kind", ""))
    g.add_edge(u, v, type=edge_type, depends=depends, via=via)


# --- one graph per run ------------------------------------------------------------------------

_CACHE: dict[int, nx.DiGraph] = {}


def graph_for(repo: Repo, catalogs: Catalogs) -> nx.DiGraph:
    """The graph of ``repo``, built on first use and kept as long as ``repo`` lives."""
    key = id(repo)
    cached = _CACHE.get(key)
    if cached is None:
        cached = build(repo, catalogs)
        _CACHE[key] = cached
        weakref.finalize(repo, _CACHE.pop, key, None)
    return cached


def build_graph(loaded: Loaded) -> nx.DiGraph:
    return graph_for(loaded.repo, loaded.catalogs)


# --- queries ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reached:
    """One node reached from the root, with the shortest chain of ids that connects them."""

    id: str
    kind: str
    label: str
    depth: int
    path: tuple[str, ...]
    via: tuple[str, ...]  # edge type of each step of ``path``


@dataclass(frozen=True)
class Reach:
    root: str
    kind: str
    label: str
    direction: str  # "impact" (what depends on root) or "why" (what root rests on)
    depth: int | None
    reached: tuple[Reached, ...]

    def by_kind(self) -> list[tuple[str, list[Reached]]]:
        groups: dict[str, list[Reached]] = {}
        for r in self.reached:
            groups.setdefault(r.kind, []).append(r)
        return [(k, groups[k]) for k in sorted(groups, key=lambda k: (kind_rank(k), k))]


def _neighbours(g: nx.DiGraph, node: str, forward: bool) -> list[tuple[str, str]]:
    """(next node, edge type) one dependency step from ``node``.

    forward: the nodes that depend on ``node``; otherwise the nodes ``node`` depends on.
    """
    out: list[tuple[str, str]] = []
    ahead, behind = ("target", "source") if forward else ("source", "target")
    for _, v, d in g.out_edges(node, data=True):
        if d["depends"] in (ahead, "both"):
            out.append((v, d["type"]))
    for u, _, d in g.in_edges(node, data=True):
        if d["depends"] in (behind, "both"):
            out.append((u, d["type"]))
    out.sort(key=lambda x: (natural_key(x[0]), x[1]))
    return out


def _reach(g: nx.DiGraph, root: str, forward: bool, depth: int | None) -> Reach:
    # Breadth first, so each node gets its shortest chain (ties broken by id).
    data = g.nodes[root]
    found: dict[str, Reached] = {}
    queue: deque[tuple[str, tuple[str, ...], tuple[str, ...]]] = deque([(root, (root,), ())])
    if not forward and depth != 0:
        # The risks a control treats are why it exists: part of what it rests on, though not
        # something it is built from, so they are listed but not followed further.
        for _, risk, d in sorted(g.out_edges(root, data=True), key=lambda e: natural_key(e[1])):
            if d["type"] == "treats":
                nd = g.nodes[risk]
                found[risk] = Reached(risk, nd.get("kind", ""), nd.get("label", ""), 1,
                                      (root, risk), ("treats",))
    while queue:
        node, path, via = queue.popleft()
        if depth is not None and len(via) >= depth:
            continue
        for nxt, edge_type in _neighbours(g, node, forward):
            if nxt in found or nxt == root:
                continue
            npath, nvia = (*path, nxt), (*via, edge_type)
            nd = g.nodes[nxt]
            found[nxt] = Reached(nxt, nd.get("kind", ""), nd.get("label", ""), len(nvia),
                                 npath, nvia)
            queue.append((nxt, npath, nvia))
    ordered = sorted(found.values(), key=lambda r: (kind_rank(r.kind), r.kind, natural_key(r.id)))
    return Reach(root, data.get("kind", ""), data.get("label", ""),
                 "impact" if forward else "why", depth, tuple(ordered))


def impact(g: nx.DiGraph, root: str, depth: int | None = None) -> Reach:
    """Everything that depends on ``root``, each with the chain that makes it depend."""
    return _reach(g, root, True, depth)


def why(g: nx.DiGraph, root: str, depth: int | None = None) -> Reach:
    """Everything ``root`` rests on: for a control, its procedures, document sets, evidence,
    the activities (and so third parties and staff) it is operated in, and the risks it treats."""
    return _reach(g, root, False, depth)


@dataclass(frozen=True)
class Step:
    """One edge of a path, as stored: ``source`` --type--> ``target``."""

    source: str
    target: str
    type: str
    relation: str = ""


def path_between(g: nx.DiGraph, a: str, b: str) -> tuple[tuple[str, ...], tuple[Step, ...]] | None:
    """The shortest chain between two nodes over edges in either direction, or None."""
    if a == b:
        return (a,), ()
    previous: dict[str, tuple[str, Step]] = {}
    queue = deque([a])
    seen = {a}
    while queue:
        node = queue.popleft()
        steps: list[tuple[str, Step]] = []
        for _, v, d in g.out_edges(node, data=True):
            steps.append((v, Step(node, v, d["type"], d.get("relation", ""))))
        for u, _, d in g.in_edges(node, data=True):
            steps.append((u, Step(u, node, d["type"], d.get("relation", ""))))
        steps.sort(key=lambda x: (natural_key(x[0]), x[1].type))
        for nxt, step in steps:
            if nxt in seen:
                continue
            seen.add(nxt)
            previous[nxt] = (node, step)
            if nxt == b:
                nodes, edges = [b], []
                while nodes[-1] != a:
                    prev, st = previous[nodes[-1]]
                    edges.append(st)
                    nodes.append(prev)
                return tuple(reversed(nodes)), tuple(reversed(edges))
            queue.append(nxt)
    return None


# --- orphans ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Orphan:
    id: str
    kind: str
    path: str
    reason: str


def _edges(g: nx.DiGraph, node: str, edge_type: str, outgoing: bool,
           kinds: Iterable[str] | None = None) -> list[str]:
    wanted = set(kinds) if kinds is not None else None
    if outgoing:
        found = [v for _, v, d in g.out_edges(node, data=True) if d["type"] == edge_type]
    else:
        found = [u for u, _, d in g.in_edges(node, data=True) if d["type"] == edge_type]
    return [n for n in found if wanted is None or g.nodes[n].get("kind") in wanted]


def _orphan_reason(g: nx.DiGraph, e: Entity) -> str:
    node = e.id
    if e.kind in ("policy", "procedure", "document") and e.get("status") != "approved":
        return ""  # drafts, documents in review and retired ones are not expected to be wired up
    if e.kind == "policy":
        if not _edges(g, node, "governs", True, ("procedure",)):
            return "no procedure implements this policy"
    elif e.kind == "procedure":
        if (not _edges(g, node, "governs", True, ("document",))
                and not _edges(g, node, "implemented-by", False)):
            return "produces no document set and implements no control"
    elif e.kind == "document":
        if (not _edges(g, node, "implemented-by", False)
                and not _edges(g, node, "evidences", True)
                and not _edges(g, node, "evidences", False)
                and not _edges(g, node, "addresses", True)):
            return ("nothing uses this document set: no control is implemented or evidenced by it, "
                    "no evidence record is of it and it addresses no requirement")
    elif e.kind == "asset":
        if not _edges(g, node, "affects", False):
            return "no activity or risk names this asset"
    elif e.kind == "third-party":
        if not _edges(g, node, "performs", True) and not _edges(g, node, "maintains", True):
            return "performs no activity and maintains no asset"
    elif e.kind == "activity":
        if not _edges(g, node, "governs", False, ("control",)):
            return "no control governs this activity"
    elif e.kind == "risk":
        if not _edges(g, node, "affects", True):
            return "names no asset or activity it is about"
    elif e.kind == "evidence" and not _edges(g, node, "evidences", True, ("control",)):
        return ("supports no control: its `controls` list is empty and no control expects "
                "evidence of its document set")
    return ""


def orphans(g: nx.DiGraph, repo: Repo) -> tuple[Orphan, ...]:
    """Entities nothing reaches, or that reach nothing they should (see docs/checks.md, G002)."""
    out = []
    for e in sorted(repo.by_id.values(), key=lambda x: (kind_rank(x.kind), natural_key(x.id))):
        reason = _orphan_reason(g, e)
        if reason:
            out.append(Orphan(e.id, e.kind, e.path, reason))
    return tuple(out)


# --- sub-graphs for export --------------------------------------------------------------------

def select(g: nx.DiGraph, kinds: Iterable[str] = (), around: str | None = None,
           depth: int | None = None) -> nx.DiGraph:
    """A copy restricted to ``kinds`` (all when empty) and to ``depth`` steps around a node."""
    wanted = set(kinds)
    nodes: Iterable[str] = g.nodes
    if around is not None:
        undirected = g.to_undirected(as_view=True)
        import networkx as nx

        lengths: Mapping[str, Any] = nx.single_source_shortest_path_length(undirected, around,
                                                                            cutoff=depth)
        nodes = set(lengths)
    keep = [n for n in g.nodes if n in nodes
            and (not wanted or g.nodes[n].get("kind") in wanted or n == around)]
    return g.subgraph(keep).copy()


def sorted_nodes(g: nx.DiGraph) -> list[str]:
    return sorted(g.nodes, key=lambda n: (kind_rank(g.nodes[n].get("kind", "")), natural_key(n)))


def sorted_edges(g: nx.DiGraph) -> list[tuple[str, str, dict[str, Any]]]:
    return sorted(g.edges(data=True), key=lambda e: (natural_key(e[0]), natural_key(e[1])))
