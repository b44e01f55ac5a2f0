"""Inline SVG drawn by isms.svg: counts in the right cells, text escaped, stable layout."""

from __future__ import annotations

from htmltree import parse

from isms import svg


def test_heat_map_cells_and_counts() -> None:
    cells = {(5, 5): ("RSK-1", "RSK-2"), (1, 3): ("RSK-3",)}
    out = svg.heat_map("h", "Inherent", "two risks at 5×5, one at 1×3", cells, 5, 8,
                       "Likelihood", "Impact")
    root = parse(out)
    groups = list(root.find_all("g", class_="cell"))
    assert len(groups) == 25
    counts = {(g.attrs["data-likelihood"], g.attrs["data-impact"]): g.attrs["data-count"]
              for g in groups}
    assert counts[("5", "5")] == "2" and counts[("1", "3")] == "1"
    assert sum(int(v) for v in counts.values()) == 3
    top_left = groups[0]
    assert (top_left.attrs["data-likelihood"], top_left.attrs["data-impact"]) == ("5", "1")
    high = root.find("g", data_likelihood="5", data_impact="5")
    assert high is not None
    rect = high.find("rect")
    assert rect is not None and rect.attrs["fill"] == svg.HEAT_HIGH
    assert high.find("title").text == "Likelihood 5 × Impact 5 = 25: RSK-1, RSK-2"  # type: ignore[union-attr]
    low = root.find("g", data_likelihood="1", data_impact="3")
    assert low is not None and low.find("rect").attrs["fill"] == svg.HEAT_LOW  # type: ignore[union-attr]
    svg_el = root.find("svg")
    assert svg_el is not None and svg_el.attrs["role"] == "img"
    assert svg_el.attrs["aria-labelledby"] == "h-t h-d"


def test_graph_escapes_text_and_is_stable() -> None:
    nodes = [svg.Node("TP-1", "<script>x</script>", "third-party", 0, "TP-1.html"),
             svg.Node("ACT-1", 'say "hi" & bye', "activity", 1, None),
             svg.Node("AST-1", "switch", "asset", 2, "AST-1.html?a=<b>")]
    edges = [("TP-1", "ACT-1"), ("ACT-1", "AST-1")]
    out = svg.layered_graph("g", "Graph <t>", "desc & more", nodes, edges, {"asset": "Asset"})
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "&amp; bye" in out and 'href="AST-1.html?a=&lt;b&gt;"' in out
    assert "<title id=\"g-t\">Graph &lt;t&gt;</title>" in out
    assert out.count("<path ") == 2
    assert out == svg.layered_graph("g", "Graph <t>", "desc & more", nodes, edges,
                                    {"asset": "Asset"})


def test_fit_counts_wide_characters() -> None:
    assert svg.fit("short", 100) == "short"
    assert svg.fit("供应商管理员滥用特权访问", 60) == "供应商管…"
    assert svg.text_width("ab") == 2 * 12 * 0.6
