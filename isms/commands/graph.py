"""`isms graph`: what depends on an entity, what it rests on, how two connect, orphans, export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from isms.commands._common import emit
from isms.errors import UsageError

if TYPE_CHECKING:
    import networkx as nx


def _common(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
                        help="Write to FILE (atomically) instead of standard output.")(func)
    func = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                        show_default=True, help="Output format.")(func)
    return click.option("-C", "--path", "path", default=".", show_default=True,
                        type=click.Path(path_type=Path),
                        help="The ISMS repository (or a folder inside it).")(func)


def _graph(path: Path) -> tuple[Any, nx.DiGraph]:
    from isms.engine import load_repo
    from isms.graph import build_graph

    loaded = load_repo(path)
    return loaded, build_graph(loaded)


def _known(g: nx.DiGraph, ident: str, what: str = "ID") -> str:
    if ident in g:
        return ident
    import difflib

    close = difflib.get_close_matches(ident, [str(n) for n in g.nodes], n=3)
    raise UsageError(f"{what}: {ident!r} is not an entity, staff member or requirement",
                     hint=f"did you mean {', '.join(close)}?" if close
                     else "requirements are written FRAMEWORK:REQ, e.g. iso27001-2022:A.5.19")


@click.group()
def graph() -> None:
    """The dependency graph: impact, why, paths between entities, orphans and export.

    Every entity, staff member and framework requirement is a node; every reference is a
    typed edge (addresses, implements, implemented-by, governs, treats, performs, affects,
    evidences, parent, maps-to, maintains, evaluates).
    """


@graph.command()
@click.argument("entity_id", metavar="ID")
@click.option("--depth", type=click.IntRange(min=1), help="Follow at most N steps.")
@_common
def impact(entity_id: str, depth: int | None, path: Path, fmt: str, output: Path | None) -> int:
    """Everything that depends on ID, grouped by kind, each with the chain that makes it
    depend: e.g. what a vendor's exit touches (activities, assets, risks, controls, SoA rows)."""
    from isms.graph import impact as compute
    from isms.graph_render import reach_json, reach_text

    _, g = _graph(path)
    reach = compute(g, _known(g, entity_id), depth)
    emit(reach_json(reach) if fmt == "json" else reach_text(reach), output)
    return 0


@graph.command()
@click.argument("entity_id", metavar="ID")
@click.option("--depth", type=click.IntRange(min=1), help="Follow at most N steps.")
@_common
def why(entity_id: str, depth: int | None, path: Path, fmt: str, output: Path | None) -> int:
    """What ID rests on: for a control, its procedures, document sets, evidence, the
    activities it is operated in (and their vendors and staff) and the risks it treats."""
    from isms.graph import why as compute
    from isms.graph_render import reach_json, reach_text

    _, g = _graph(path)
    reach = compute(g, _known(g, entity_id), depth)
    emit(reach_json(reach) if fmt == "json" else reach_text(reach), output)
    return 0


@graph.command("path")
@click.argument("source", metavar="A")
@click.argument("target", metavar="B")
@_common
def path_cmd(source: str, target: str, path: Path, fmt: str, output: Path | None) -> int:
    """The shortest chain of references between A and B (edges in either direction).

    Exit code 1 when A and B are not connected.
    """
    from isms.graph import path_between
    from isms.graph_render import path_json, path_text

    _, g = _graph(path)
    found = path_between(g, _known(g, source, "A"), _known(g, target, "B"))
    emit(path_json(source, target, found) if fmt == "json" else path_text(source, target, found),
          output)
    return 0 if found is not None else 1


@graph.command()
@_common
def orphans(path: Path, fmt: str, output: Path | None) -> int:
    """Entities nothing reaches or that reach nothing they should (see `isms explain G002`)."""
    from isms.graph import orphans as compute
    from isms.graph_render import orphans_json, orphans_text

    loaded, g = _graph(path)
    found = compute(g, loaded.repo)
    emit(orphans_json(found) if fmt == "json" else orphans_text(found), output)
    return 0


@graph.command()
@click.option("-C", "--path", "path", default=".", show_default=True,
              type=click.Path(path_type=Path), help="The ISMS repository (or a folder inside it).")
@click.option("--format", "fmt", type=click.Choice(["dot", "graphml", "json", "mermaid"]),
              default="dot", show_default=True,
              help="dot (Graphviz), graphml, json (networkx node-link) or mermaid.")
@click.option("--kind", "kinds", multiple=True, metavar="KINDS",
              help="Only nodes of these kinds (comma-separated, repeatable), e.g. "
                   "third-party,activity,control.")
@click.option("--around", metavar="ID", help="Only nodes within --depth steps of ID.")
@click.option("--depth", type=click.IntRange(min=0), help="Steps around --around (default 2).")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to FILE (atomically) instead of standard output.")
def export(path: Path, fmt: str, kinds: tuple[str, ...], around: str | None, depth: int | None,
           output: Path | None) -> int:
    """Write the graph, or a part of it, as DOT, GraphML, JSON or Mermaid."""
    from isms.graph import select
    from isms.graph_render import EXPORTERS

    if depth is not None and around is None:
        raise UsageError("--depth needs --around ID")
    _, g = _graph(path)
    wanted = [k.strip() for value in kinds for k in value.split(",") if k.strip()]
    present = {d.get("kind") for _, d in g.nodes(data=True)}
    for k in wanted:
        if k not in present:
            raise UsageError(f"--kind: no node of kind {k!r}",
                             hint="kinds present: " + ", ".join(sorted(str(p) for p in present)))
    centre = _known(g, around, "--around") if around is not None else None
    sub = select(g, wanted, centre, 2 if depth is None and centre is not None else depth)
    emit(EXPORTERS[fmt](sub), output)
    return 0
