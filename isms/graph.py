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
from functools import cache
from typing import TYPE_CHECKING, Any

from isms.i18n import natural_key, pick
from isms.model import (
    REFS_BY_KIND,
    REQUIREMENT_FIELDS,
    Accessor,
    Entity,
    Repo,
    compile_spec,
    iter_spec,
)
from isms.reads import Field, shared

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


@dataclass(frozen=True)
class _FieldEdges:
    """How the values of one reference field become edges, worked out once per field."""

    values: Accessor
    targets: frozenset[str]
    type: str
    reverse: bool  # the edge runs from the referenced entity to the referring one
    via: str


_FIELDS_OF_KIND: dict[str, tuple[_FieldEdges, ...]] = {
    kind: tuple(_FieldEdges(compile_spec(ref.spec), frozenset(ref.targets),
                            *EDGE_OF_FIELD.get((kind, ref.spec), (ref.edge, False)),
                            f"{kind}.{ref.spec}")
                for ref in refs)
    for kind, refs in REFS_BY_KIND.items()
}
# (values, edge type, via) of each requirement field of a kind.
_REQUIREMENTS_OF_KIND: dict[str, tuple[tuple[Accessor, str, str], ...]] = {
    kind: tuple((compile_spec(spec), "implements" if kind == "control" else "addresses",
                 f"{kind}.{spec}") for spec in specs)
    for kind, specs in REQUIREMENT_FIELDS.items()
}
# A handful of (edge type, kind, kind) combinations recur across tens of thousands of edges.
_depends = cache(depends_of)


@cache
def _with_via(vias: str, via: str) -> str:
    """``vias`` (sorted, comma-separated) with ``via`` added. Edges named from both ends
    (a control's `activities`, an activity's `controls`) repeat the same few pairs."""
    parts = vias.split(",")
    return vias if via in parts else ",".join(sorted([*parts, via]))


class _Draft:
    """Writes nodes and edges straight into a new graph's dicts (``_node``, ``_succ``,
    ``_pred``: the dict-of-dict-of-dict layout networkx documents for subclasses).

    add_edge/add_edges_from check both ends and copy every attribute dict once more, which
    took longer than everything else the build does (0.09 s of 0.23 s for 10,000 entities).
    Here each node and edge is written once, in the order networkx would have stored them, so
    node, edge and attribute order (and with them every export) are the same.
    """

    def __init__(self) -> None:
        import networkx as nx

        self.graph = nx.DiGraph()
        self.nodes: dict[str, dict[str, Any]] = self.graph._node
        self.kinds: dict[str, str] = {}  # each node's "kind" attribute, at hand for `depends`
        self._succ: dict[str, dict[str, dict[str, str]]] = self.graph._succ
        self._pred: dict[str, dict[str, dict[str, str]]] = self.graph._pred

    def add_node(self, node: str, **attrs: Any) -> None:
        existing = self.nodes.get(node)
        if existing is None:
            self.nodes[node] = existing = attrs
            self._succ[node] = {}
            self._pred[node] = {}
        else:
            existing.update(attrs)
        self.kinds[node] = existing.get("kind", "")

    def has_edge(self, u: str, v: str) -> bool:
        return v in self._succ[u]

    def add_edge(self, u: str, v: str, edge_type: str, via: str) -> dict[str, str]:
        """A new edge, or one more `via` for an existing one; its attributes."""
        out = self._succ[u]
        data = out.get(v)
        if data is None:
            kinds = self.kinds
            data = out[v] = self._pred[v][u] = {
                "type": edge_type, "depends": _depends(edge_type, kinds[u], kinds[v]), "via": via}
        elif via != data["via"]:
            data["via"] = _with_via(data["via"], via)
        return data


def build(repo: Repo, catalogs: Catalogs) -> nx.DiGraph:
    """Build the graph; use :func:`graph_for` or :func:`build_graph` to share one per run."""
    draft = _Draft()
    nodes = draft.nodes
    languages = repo.config.languages or ("en",)
    entities = sorted(repo.by_id.values(), key=lambda e: natural_key(e.id))
    for e in entities:
        label = pick(e.get("title"), languages) or pick(e.get("name"), languages)
        draft.add_node(e.id, kind=e.kind, label=label, path=e.path)
    for staff_id in sorted(repo.staff, key=natural_key):
        party, member = repo.staff[staff_id]
        if staff_id in nodes:
            continue  # an entity with the same id (R001 reports it) keeps the node
        name = member.get("name")
        draft.add_node(staff_id, kind="staff", label=name if isinstance(name, str) else "",
                       path=party.path)
        draft.add_edge(staff_id, party.id, "parent", "third-party.staff")
    for cid in sorted(catalogs.catalogs):
        catalog = catalogs.catalogs[cid]
        for req in sorted(catalog.requirements.values(), key=lambda r: natural_key(r.id)):
            draft.add_node(req.ref, kind="requirement", label=pick(req.title, languages),
                           path="", framework=cid)
    for e in entities:
        _entity_edges(draft, repo, catalogs, e, languages)
        if not nodes[e.id]["label"]:
            nodes[e.id]["label"] = _fallback_label(nodes, e)
    _expected_evidence(draft, entities)
    for mapping in sorted(catalogs.mappings, key=lambda m: m.id):
        for link in mapping.links:
            src, dst = f"{mapping.source}:{link.source}", f"{mapping.target}:{link.target}"
            if src in nodes and dst in nodes and not draft.has_edge(src, dst):
                draft.add_edge(src, dst, "maps-to", mapping.id)["relation"] = link.relation
    return draft.graph


def _expected_evidence(draft: _Draft, entities: list[Entity]) -> None:
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
                draft.add_edge(record, c.id, "evidences", "control.evidence[].document")


def _fallback_label(nodes: Mapping[str, Mapping[str, Any]], e: Entity) -> str:
    """Controls and evidence records have no title: name them by what they are about."""
    if e.kind == "control":
        requirement = e.get("requirement")
        if isinstance(requirement, str) and requirement in nodes:
            return str(nodes[requirement].get("label", ""))
    if e.kind == "evidence":
        document, collected = e.get("document"), e.get("collected")
        if isinstance(document, str):
            return f"record of {document}" + (f", collected {collected}" if collected else "")
    return ""


def _entity_edges(draft: _Draft, repo: Repo, catalogs: Catalogs, e: Entity,
                  languages: tuple[str, ...]) -> None:
    nodes, by_id, add_edge = draft.nodes, repo.by_id, draft.add_edge
    for field in _FIELDS_OF_KIND.get(e.kind, ()):
        targets, edge_type, reverse, via = field.targets, field.type, field.reverse, field.via
        for _path, value in field.values(e.data):
            target = by_id.get(value) if isinstance(value, str) else None
            if target is None or target.kind not in targets:
                continue  # dangling or wrong-kind references are findings (R002, R003)
            if reverse:
                add_edge(value, e.id, edge_type, via)
            else:
                add_edge(e.id, value, edge_type, via)
    if e.kind == "activity":
        for _path, value in iter_spec(e.data, "staff"):
            if isinstance(value, str) and draft.kinds.get(value) == "staff":
                add_edge(value, e.id, "performs", "activity.staff")
    for values, edge_type, via in _REQUIREMENTS_OF_KIND.get(e.kind, ()):
        for _path, value in values(e.data):
            if not isinstance(value, str) or ":" not in value:
                continue
            if value not in nodes:
                _add_group(draft, catalogs, value, languages)
            if value in nodes:
                add_edge(e.id, value, edge_type, via)


def _add_group(draft: _Draft, catalogs: Catalogs, ref: str, languages: tuple[str, ...]) -> None:
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
        if node not in draft.nodes:
            draft.add_node(node, kind="group", label=pick(group.title, languages), path="",
                           framework=framework)
    for sid in sorted(wanted, key=natural_key):
        group = catalog.groups[sid]
        if group.parent in wanted:
            draft.add_edge(f"{framework}:{sid}", f"{framework}:{group.parent}", "parent", "catalog")
    for req in sorted(catalog.requirements.values(), key=lambda r: natural_key(r.id)):
        if req.group in wanted:
            draft.add_edge(req.ref, f"{framework}:{req.group}", "parent", "catalog")


# --- one graph per run ------------------------------------------------------------------------

_CACHE: dict[int, tuple[nx.DiGraph, frozenset[Field], frozenset[str]]] = {}


def graph_for(repo: Repo, catalogs: Catalogs) -> nx.DiGraph:
    """The graph of ``repo``, built on first use and kept as long as ``repo`` lives (every
    check that asks for it is recorded as reading what the build read)."""
    key = id(repo)
    graph, made = shared(_CACHE, key, lambda: build(repo, catalogs))
    if made:
        weakref.finalize(repo, _CACHE.pop, key, None)
    return graph


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


# Per kind: the edges (type, outgoing?, kinds at the other end or None for any) of which an
# entity needs at least one, and what it means when it has none.
_WIRED: dict[str, tuple[tuple[tuple[str, bool, tuple[str, ...] | None], ...], str]] = {
    "policy": ((("governs", True, ("procedure",)),), "no procedure implements this policy"),
    "procedure": ((("governs", True, ("document",)), ("implemented-by", False, None)),
                  "produces no document set and implements no control"),
    "document": ((("implemented-by", False, None), ("evidences", True, None),
                  ("evidences", False, None), ("addresses", True, None)),
                 "nothing uses this document set: no control is implemented or evidenced by it, "
                 "no evidence record is of it and it addresses no requirement"),
    "asset": ((("affects", False, None),), "no activity or risk names this asset"),
    "third-party": ((("performs", True, None), ("maintains", True, None)),
                    "performs no activity and maintains no asset"),
    "activity": ((("governs", False, ("control",)),), "no control governs this activity"),
    "risk": ((("affects", True, None),), "names no asset or activity it is about"),
    "evidence": ((("evidences", True, ("control",)),),
                 "supports no control: its `controls` list is empty and no control expects "
                 "evidence of its document set"),
}


@dataclass(frozen=True)
class _Adjacency:
    """Every node's kind and its successors and predecessors with the edge data, as networkx
    keeps them: the orphan rule reads them for every entity, where networkx's per-node views
    would cost more than the rule."""

    kinds: Mapping[str, Any]
    succ: Mapping[str, Mapping[str, Mapping[str, Any]]]
    pred: Mapping[str, Mapping[str, Mapping[str, Any]]]

    @classmethod
    def of(cls, g: nx.DiGraph) -> _Adjacency:
        return cls(dict(g.nodes(data="kind")), dict(g.adjacency()),
                   dict(g.reverse(copy=False).adjacency()))


def orphan_reason(adjacency: _Adjacency, e: Entity) -> str:
    """Why ``e`` is an orphan (see :data:`_WIRED`), or "" when it is not."""
    wired = _WIRED.get(e.kind)
    if wired is None:
        return ""
    if e.kind in ("policy", "procedure", "document") and e.get("status") != "approved":
        return ""  # drafts, documents in review and retired ones are not expected to be wired up
    needs, reason = wired
    kinds = adjacency.kinds
    for edge_type, outgoing, ends in needs:
        for other, d in (adjacency.succ if outgoing else adjacency.pred).get(e.id, {}).items():
            if d["type"] == edge_type and (ends is None or kinds[other] in ends):
                return ""
    return reason


class _NodeEdges:
    """One direction of a graph's edges, node by node, as :class:`_Adjacency` keeps them (for
    a graph read node by node, :class:`isms.links.LazyGraph`)."""

    def __init__(self, g: Any, outgoing: bool) -> None:
        self._g = g
        self._outgoing = outgoing

    def get(self, node: str, default: Any = None) -> Mapping[str, Mapping[str, Any]]:
        found: Mapping[str, Mapping[str, Any]] = (self._g.succ(node) if self._outgoing
                                                  else self._g.pred(node))
        return found


class _NodeKinds:
    def __init__(self, g: Any) -> None:
        self._g = g

    def __getitem__(self, node: str) -> Any:
        return self._g.kind(node)


def node_adjacency(g: Any) -> _Adjacency:
    """The adjacency :func:`orphan_reason` reads, asking ``g`` (:mod:`isms.links`) about one
    node at a time."""
    return _Adjacency(_NodeKinds(g), _NodeEdges(g, True),  # type: ignore[arg-type]
                      _NodeEdges(g, False))  # type: ignore[arg-type]


def orphans(g: nx.DiGraph, repo: Repo) -> tuple[Orphan, ...]:
    """Entities nothing reaches, or that reach nothing they should (see docs/checks.md, G002)."""
    adjacency = _Adjacency.of(g)
    found = [Orphan(e.id, e.kind, e.path, reason) for e in repo.by_id.values()
             if (reason := orphan_reason(adjacency, e))]
    # Sorting only the few orphans (a stable sort of the same order) spares a key per entity.
    return tuple(sorted(found, key=lambda o: (kind_rank(o.kind), natural_key(o.id))))


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
