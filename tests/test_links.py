"""The graph read node by node (isms/links.py) has exactly the edges of the graph built whole.

Every entity's outgoing and incoming edges, with their type and which end depends on the
other, are compared on every fixture repository and on the reference ISMS, both with the
reference index scanned from the entities and with the one the cache keeps.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO
from isms.cache import FileCache, cache_key
from isms.config import load_config
from isms.engine import load_repo
from isms.graph import build_graph
from isms.links import LazyGraph, ScannedRefs, StoredRefs, catalog_nodes

FIXTURES = sorted(p.name for p in (REPO / "tests/fixtures").iterdir()
                  if (p / "isms.yaml").is_file() and p.name != "comply_target")  # (no entities)


def _edges(g, node: str) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    out = {v: (d["type"], d["depends"]) for _, v, d in g.out_edges(node, data=True)}
    into = {u: (d["type"], d["depends"]) for u, _, d in g.in_edges(node, data=True)}
    return out, into


def _compare(loaded, lazy: LazyGraph) -> int:
    whole = build_graph(loaded)
    compared = 0
    for ident, entity in loaded.repo.by_id.items():
        assert _edges(lazy, ident) == _edges(whole, ident), (entity.path, ident)
        assert lazy.nodes[ident]["kind"] == whole.nodes[ident]["kind"]
        compared += 1
    for node, kind in whole.nodes(data="kind"):
        if kind in ("staff", "requirement"):
            assert lazy.kind(node) == kind, node
    return compared


@pytest.mark.parametrize("name", ["(reference)", *FIXTURES])
def test_every_entity_has_the_edges_of_the_whole_graph(name: str) -> None:
    root = REPO if name == "(reference)" else REPO / "tests/fixtures" / name
    loaded = load_repo(root, use_cache=False)
    lazy = LazyGraph(loaded.repo, lambda: catalog_nodes(loaded.catalogs), ScannedRefs(loaded.repo.entities))
    assert _compare(loaded, lazy) == len(loaded.repo.by_id) > 0


def test_the_cached_reference_index_gives_the_same_edges(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "repo"
    shutil.copytree(REPO / "tests/fixtures/outsourcing", root)
    loaded = load_repo(root)  # fills the cache, reference index included
    config = load_config(root)
    cache = FileCache.open(root, cache_key(config))
    try:
        lazy = LazyGraph(loaded.repo, lambda: catalog_nodes(loaded.catalogs), StoredRefs(cache.referrers, {}))
        assert _compare(loaded, lazy) == len(loaded.repo.by_id)
    finally:
        cache.close()


@pytest.mark.parametrize("name", ["(reference)", "outsourcing", "references", "vendor_staff",
                                  "gap_status"])
def test_the_whole_graph_notes_what_the_node_by_node_reading_notes(name: str) -> None:
    """A run that judged every subject on the graph built whole must have noted, for each node
    asked about, every dependency that reading the node alone notes: else a later edit would
    leave a subject judged on stale edges."""
    from isms.links import WholeGraph
    from isms.model import Repo
    from isms.reads import Tracked, subject

    root = REPO if name == "(reference)" else REPO / "tests/fixtures" / name
    loaded = load_repo(root, use_cache=False)
    tracked = [type(e).made(e.kind, e.id, e.path, Tracked(e.kind, e.data, None, e.path),
                            e.marks) for e in loaded.repo.entities]
    repo = Repo.build(loaded.config, tracked, loaded.repo.files)
    nodes = catalog_nodes(loaded.catalogs)
    refs = ScannedRefs(repo.entities)
    lazy = LazyGraph(repo, lambda: nodes, refs)
    whole = WholeGraph(repo, loaded.catalogs, nodes, refs)
    parties = {e.path for e in repo.entities if e.kind == "third-party"}
    for ident in repo.by_id:
        with subject() as one:
            lazy.succ(ident)
        with subject() as other:
            whole.succ(ident)
        # (the staff list's reads are the third parties' files: "*third-party" stands for them)
        assert one.deps - parties <= other.deps, ident
        assert other.deps - one.deps <= {repo.by_id[ident].path, "*third-party"}, ident
        assert one.reads <= other.reads, ident
