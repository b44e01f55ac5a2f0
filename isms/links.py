"""The dependency graph read one node at a time, for the checks.

The checks ask the graph (:mod:`isms.graph`) local questions: which controls govern this
activity, what implements this control, is this entity wired to anything. Building the whole
graph answers them all at once, but needs every entity; after an edit of one file the checks
re-judge a few subjects (see :mod:`isms.reads`), and reading every entity to build the graph
would cost more than the rest of the run. :class:`LazyGraph` answers the same questions for
one node from what that node's edges come from:

* the node's own reference fields (its entity's data);
* the entities whose reference fields name it (:class:`Refs`: an index of reference values,
  built by scanning the entities, or kept in the cache beside each file and read by value);
* the third parties' staff lists (staff members are nodes too);
* the catalogs (requirements and their groups).

It answers with the edges :func:`isms.graph.build` makes, with their ``type`` and ``depends``
(``tests/test_links.py`` compares every entity's edges on every fixture repository), and notes
what it consulted as the subject's dependencies: the node's file, ``@NODE`` (who names it),
``@DOCUMENT`` for the evidence expected of a document set, ``*third-party`` for staff.
Node labels are not kept (the checks never show them); commands that show the graph build it.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from isms.graph import _FIELDS_OF_KIND, _REQUIREMENTS_OF_KIND, _depends
from isms.model import Entity, Repo, iter_spec
from isms.reads import _DEPS, _LOG, Field, depend, shared, unrecorded

if TYPE_CHECKING:
    from isms.catalogs import Catalogs

# One reference value of an entity: (the field as ``kind.spec``, the value).
Ref = tuple[str, str]

# The fields the graph's edges come from: a check that follows an edge read them (in some
# entity or other), and an edit of any of them may add or remove an edge.
def _field(via: str) -> Field:
    """(kind, top-level field) of a ``kind.spec`` such as ``control.evidence[].document``."""
    kind, spec = via.split(".", 1)
    return kind, re.split(r"[.\[]", spec, maxsplit=1)[0]


GRAPH_FIELDS: frozenset[Field] = frozenset(
    {_field(f.via) for fields in _FIELDS_OF_KIND.values() for f in fields}
    | {_field(via) for specs in _REQUIREMENTS_OF_KIND.values() for _v, _t, via in specs}
    | {("activity", "staff"), ("third-party", "staff")})  # the staff members' edges

_FIELD_BY_VIA = {f.via: f for fields in _FIELDS_OF_KIND.values() for f in fields}


def refs_of(kind: str, data: Mapping[str, Any]) -> list[Ref]:
    """Every string value of the entity's reference fields, whether or not it names anything
    (an evidence record naming a document set that does not exist still counts as its record
    in a control's evidence rule)."""
    return [(f.via, value) for f in _FIELDS_OF_KIND.get(kind, ())
            for _path, value in f.values(data) if isinstance(value, str)]


class Refs(Protocol):
    def referrers(self, value: str, kind: str | None = None) -> Sequence[tuple[str, str]]:
        """(file, ``kind.spec``) of every entity (of ``kind``, when given) whose reference
        field holds ``value``."""


def _plain(data: Mapping[str, Any]) -> Mapping[str, Any]:
    plain = getattr(data, "plain", None)
    return plain if plain is not None else data


class ScannedRefs:
    """The reference index of loaded entities, made on first use from their data (or from
    their reference values when the per-file stage gave them, by file in ``known``)."""

    def __init__(self, entities: Iterable[Entity],
                 known: Mapping[str, Sequence[Ref]] | None = None) -> None:
        self._entities = entities
        self._known = known or {}
        self._index: dict[str | None, dict[str, list[tuple[str, str]]]] = {}

    def referrers(self, value: str, kind: str | None = None) -> Sequence[tuple[str, str]]:
        index = self._index.get(kind)
        if index is None:
            # (one kind's index when a kind is asked for: the control states, the only ones
            # to ask in a full run, want evidence records alone)
            index = self._index[kind] = {}
            known = self._known
            for e in self._entities:
                if kind is not None and e.kind != kind:
                    continue
                refs = known.get(e.path)
                for via, v in refs if refs is not None else refs_of(e.kind, _plain(e.data)):
                    index.setdefault(v, []).append((e.path, via))
        return index.get(value, ())


class StoredRefs:
    """The reference index kept in the cache (:meth:`isms.cache.FileCache.referrers`), with
    the files changed in this run read from their new data instead."""

    def __init__(self, lookup: Callable[[str], list[tuple[str, str]]],
                 changed: Mapping[str, list[Ref]]) -> None:
        self._lookup = lookup
        self._changed = changed
        self._got: dict[str, list[tuple[str, str]]] = {}

    def referrers(self, value: str, kind: str | None = None) -> Sequence[tuple[str, str]]:
        got = self._got.get(value)
        if got is None:
            got = [(rel, via) for rel, via in self._lookup(value) if rel not in self._changed]
            got += [(rel, via) for rel, refs in self._changed.items()
                    for via, v in refs if v == value]
            self._got[value] = got
        if kind is None:
            return got
        return [(rel, via) for rel, via in got if via.startswith(kind + ".")]


_Edges = dict[str, dict[str, str]]


class _Nodes:
    def __init__(self, graph: LazyGraph) -> None:
        self._graph = graph

    def __getitem__(self, node: str) -> Mapping[str, str]:
        return {"kind": self._graph.kind(node), "label": ""}


class LazyGraph:
    """The part of the networkx graph's interface the checks use, node by node."""

    def __init__(self, repo: Repo, catalog_nodes: Callable[[], Mapping[str, str]],
                 refs: Refs) -> None:
        self._repo = repo
        self._catalog_nodes = catalog_nodes
        self._by_path = repo.by_path
        self._memo: dict[Any, Any] = {}
        self.refs = refs
        self.states: dict[Any, Any] = {}  # the checks' control states (isms.controls)
        self._by_party: dict[str, list[str]] | None = None
        self.nodes = _Nodes(self)

    # --- nodes -----------------------------------------------------------------------------

    def _staff_node(self, node: str) -> bool:
        """Whether a staff member has the node (an entity or a requirement of the same id
        keeps it, as in the graph)."""
        if node in self._repo.by_id:
            return False
        depend("*third-party")
        if node not in self._repo.staff:
            return False
        return not (":" in node and self._catalog_kind(node) == "requirement")

    def _catalog_kind(self, node: str) -> str:
        return self._catalog_nodes().get(node, "")

    def kind(self, node: str) -> str:
        entity = self._repo.by_id.get(node)
        if entity is not None:
            return entity.kind
        if ":" in node:
            found = self._catalog_kind(node)
            if found == "requirement":
                return found
            if self._staff_node(node):
                return "staff"
            return found
        return "staff" if self._staff_node(node) else ""

    def __contains__(self, node: object) -> bool:
        return isinstance(node, str) and bool(self.kind(node))

    # --- edges -----------------------------------------------------------------------------

    def succ(self, node: str) -> Mapping[str, Mapping[str, str]]:
        return self._adjacency(node)[0]

    def pred(self, node: str) -> Mapping[str, Mapping[str, str]]:
        return self._adjacency(node)[1]

    def out_edges(self, node: str, data: bool = True) -> list[tuple[str, str, Mapping[str, str]]]:
        succ, _pred = self._adjacency(node)
        return [(node, v, d) for v, d in succ.items()]

    def in_edges(self, node: str, data: bool = True) -> list[tuple[str, str, Mapping[str, str]]]:
        _succ, pred = self._adjacency(node)
        return [(u, node, d) for u, d in pred.items()]

    def _adjacency(self, node: str) -> tuple[_Edges, _Edges]:
        log = _LOG[0]
        if log is not None:
            log |= GRAPH_FIELDS
        made, _new = shared(self._memo, node, lambda: self._edges(node))
        return made

    def _edges(self, node: str) -> tuple[_Edges, _Edges]:
        """The edges of an entity's node (every node a check asks about is one)."""
        by_id = self._repo.by_id
        e = by_id.get(node)
        succ: _Edges = {}
        pred: _Edges = {}
        if e is None:
            return succ, pred
        depend("@" + node)
        kinds: dict[str, str] = {node: e.kind}

        def add(u: str, v: str, edge_type: str) -> None:
            for k in (u, v):
                if k not in kinds:
                    kinds[k] = self.kind(k)
            self._add(node, u, v, edge_type, kinds, succ, pred)

        def add_staff(member: str) -> None:
            # (the graph makes these edges while the member's node is a staff member's, even
            # if a requirement of the same id takes the node over later)
            self._add(node, member, node, "parent", {**kinds, member: "staff"}, succ, pred)


        # Its own reference fields.
        for f in _FIELDS_OF_KIND.get(e.kind, ()):
            for _path, value in f.values(e.data):
                target = by_id.get(value) if isinstance(value, str) else None
                if target is None or target.kind not in f.targets:
                    continue
                if f.reverse:
                    add(value, node, f.type)
                else:
                    add(node, value, f.type)
        # The fields of others that name it.
        for rel, via in self.refs.referrers(node):
            other = self._by_path.get(rel)
            named = _FIELD_BY_VIA.get(via)
            if other is None or named is None or by_id.get(other.id) is not other:
                continue
            if e.kind not in named.targets:
                continue
            if named.reverse:
                add(node, other.id, named.type)
            else:
                add(other.id, node, named.type)
        if e.kind == "activity":
            for _path, value in iter_spec(e.data, "staff"):
                if isinstance(value, str) and self._staff_node(value):
                    add(value, node, "performs")
        if e.kind == "third-party":
            for member in self._staff_of(node):
                add_staff(member)
        for values, edge_type, _via in _REQUIREMENTS_OF_KIND.get(e.kind, ()):
            for _path, value in values(e.data):
                if isinstance(value, str) and ":" in value and self.kind(value):
                    add(node, value, edge_type)
        # Evidence expected of a document set: its records evidence the controls expecting it.
        if e.kind == "evidence":
            document = e.get("document")
            if isinstance(document, str):
                depend("@" + document)
                for rel, via in self.refs.referrers(document):
                    control = self._by_path.get(rel)
                    if (via == "control.evidence[].document" and control is not None
                            and by_id.get(control.id) is control):
                        add(node, control.id, "evidences")
        if e.kind == "control":
            for _path, document in iter_spec(e.data, "evidence[].document"):
                if not isinstance(document, str):
                    continue
                depend("@" + document)
                for rel, via in self.refs.referrers(document):
                    record = self._by_path.get(rel)
                    if (via == "evidence.document" and record is not None
                            and by_id.get(record.id) is record):
                        add(record.id, node, "evidences")
        return succ, pred

    @staticmethod
    def _add(node: str, u: str, v: str, edge_type: str, kinds: Mapping[str, str],
             succ: _Edges, pred: _Edges) -> None:
        d = {"type": edge_type, "depends": _depends(edge_type, kinds[u], kinds[v])}
        if u == node:
            succ.setdefault(v, d)
        if v == node:
            pred.setdefault(u, d)

    def _staff_of(self, party: str) -> list[str]:
        depend("*third-party")
        if self._by_party is None:
            by_party: dict[str, list[str]] = {}
            for member, (owner, _data) in self._repo.staff.items():
                if member not in self._repo.by_id:
                    by_party.setdefault(owner.id, []).append(member)
            self._by_party = by_party
        return self._by_party.get(party, [])


def catalog_nodes(catalogs: Catalogs) -> dict[str, str]:
    """The graph nodes the catalogs make, by id: every requirement, and every group an entity
    may name (a requirement keeps an id that a group of its catalog shares)."""
    out: dict[str, str] = {}
    for cid, catalog in catalogs.catalogs.items():
        for gid in catalog.groups:
            out[f"{cid}:{gid}"] = "group"
    for catalog in catalogs.catalogs.values():
        for requirement in catalog.requirements.values():
            out[requirement.ref] = "requirement"
    return out


class WholeGraph:
    """The graph built whole, read as :class:`LazyGraph` is read, noting the same
    dependencies for each node asked about: for a run that judges every subject, one build
    costs less than asking about every node one by one."""

    def __init__(self, repo: Repo, catalogs: Catalogs, nodes: Mapping[str, str],
                 refs: Refs) -> None:
        from isms.graph import build

        with unrecorded():
            self._g = build(repo, catalogs)
        self._repo = repo
        self._catalog_nodes = nodes
        self.refs = refs
        self.states: dict[Any, Any] = {}
        self.nodes = self._g.nodes
        self._kinds: dict[str, str] | None = None
        self._deps: dict[str, frozenset[str]] = {}

    def __contains__(self, node: object) -> bool:
        return node in self._g

    def kind(self, node: str) -> str:
        if self._kinds is None:
            self._kinds = {n: k or "" for n, k in self._g.nodes(data="kind")}
        return self._kinds.get(node, "")

    def succ(self, node: str) -> Mapping[str, Mapping[str, str]]:
        self._depend(node)
        found: Mapping[str, Mapping[str, str]] = self._g._succ.get(node, {})
        return found

    def pred(self, node: str) -> Mapping[str, Mapping[str, str]]:
        self._depend(node)
        found: Mapping[str, Mapping[str, str]] = self._g._pred.get(node, {})
        return found

    def out_edges(self, node: str, data: bool = True) -> list[tuple[str, str, Mapping[str, str]]]:
        return [(node, v, d) for v, d in self.succ(node).items()]

    def in_edges(self, node: str, data: bool = True) -> list[tuple[str, str, Mapping[str, str]]]:
        return [(u, node, d) for u, d in self.pred(node).items()]

    def _depend(self, node: str) -> None:
        log = _LOG[0]
        if log is not None:
            log |= GRAPH_FIELDS
        deps = _DEPS[0]
        if deps is None:
            return
        found = self._deps.get(node)
        if found is None:
            found = self._deps[node] = self._node_deps(node)
        deps |= found

    def _node_deps(self, node: str) -> frozenset[str]:
        """What :meth:`LazyGraph._edges` notes for the node (the tests compare the two)."""
        by_id = self._repo.by_id
        e = by_id.get(node)
        if e is None:
            return frozenset()
        out = {e.path, "@" + node}
        data = _plain(e.data)
        if e.kind in ("activity", "third-party"):
            out.add("*third-party")
        for values, _type, _via in _REQUIREMENTS_OF_KIND.get(e.kind, ()):
            for _path, value in values(data):
                if (isinstance(value, str) and ":" in value and value not in by_id
                        and self._catalog_nodes.get(value) != "requirement"):
                    out.add("*third-party")  # a staff member's node, perhaps
        if e.kind == "evidence" and isinstance(data.get("document"), str):
            out.add("@" + data["document"])
        if e.kind == "control":
            out.update("@" + d for _path, d in iter_spec(data, "evidence[].document")
                       if isinstance(d, str))
        return frozenset(out)


_GRAPHS: dict[int, Any] = {}


def checks_graph(repo: Repo, catalogs: Callable[[], Catalogs],
                 catalog_nodes: Callable[[], Mapping[str, str]], refs: Refs,
                 node_by_node: bool) -> Any:
    """The graph the checks read, one per repository: a :class:`LazyGraph` when a few
    subjects are judged again, else a :class:`WholeGraph`."""
    key = id(repo)
    graph = _GRAPHS.get(key)
    if graph is None:
        graph = (LazyGraph(repo, catalog_nodes, refs) if node_by_node
                 else WholeGraph(repo, catalogs(), catalog_nodes(), refs))
        _GRAPHS[key] = graph
        weakref.finalize(repo, _GRAPHS.pop, key, None)
    return graph
