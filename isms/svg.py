"""Inline SVG charts drawn by our own code: heat maps, dependency graphs, bars and lines.

The report must work offline on a locked-down laptop, so no charting library and nothing
fetched: each function returns an ``<svg>`` element as text, ready to be inlined in HTML5
(which puts it in the SVG namespace by itself, so no namespace URL appears either). Every piece
of text that comes from the ISMS is escaped here. Coordinates are computed from the data alone
and printed with fixed decimals, so the same data always gives the same bytes.

Accessibility: each chart is ``role="img"`` with a ``<title>`` and ``<desc>`` it is labelled
by, and the pages that inline a chart also show its numbers in a table.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import escape

FONT = 12

# Fills light enough for near-black text (contrast above 7:1), strokes dark enough to be seen.
HEAT_LOW = "#d5ecd0"
HEAT_MID = "#fbe7a8"
HEAT_HIGH = "#f6c1bb"
INK = "#1b1b1b"
MUTED = "#555555"
GRID = "#8a8a8a"

KIND_COLOURS: Mapping[str, tuple[str, str]] = {
    "third-party": ("#dbe6f7", "#2f5597"),
    "activity": ("#e4f1dc", "#3b6e22"),
    "asset": ("#f3e5d0", "#8a5a12"),
    "risk": ("#f7d9d6", "#9c2a1c"),
    "control": ("#e6def3", "#5b3c8c"),
    "staff": ("#e9e9e9", "#4a4a4a"),
}
DEFAULT_COLOURS = ("#eeeeee", "#4a4a4a")

SERIES_COLOURS = ("#1f5fa8", "#b3401a", "#2d7a2d", "#7a3f9d", "#8a6d00", "#0f7c80", "#a12a63",
                  "#4d4d4d")


def _e(text: object) -> str:
    return str(escape(str(text)))


def _n(value: float) -> str:
    """A coordinate with one decimal, without a trailing '.0' (stable, compact output)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def text_width(text: str, size: int = FONT) -> float:
    """Rough rendered width: wide (CJK) characters count a full em, others about 0.6 em."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.6 for c in text)


def fit(text: str, width: float, size: int = FONT) -> str:
    """``text`` cut with an ellipsis so that it fits in ``width`` pixels."""
    if text_width(text, size) <= width:
        return text
    out = ""
    for c in text:
        if text_width(out + c + "…", size) > width:
            break
        out += c
    return out + "…"


def _open(width: float, height: float, ident: str, title: str, desc: str, cls: str) -> list[str]:
    return [
        f'<svg class="chart {cls}" viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" '
        f'height="{_n(height)}" role="img" aria-labelledby="{ident}-t {ident}-d" '
        f'font-size="{FONT}">',
        f'<title id="{ident}-t">{_e(title)}</title>',
        f'<desc id="{ident}-d">{_e(desc)}</desc>',
    ]


# --- risk heat map ----------------------------------------------------------------------------

def heat_colour(score: int, appetite: int) -> str:
    if score > appetite:
        return HEAT_HIGH
    if score * 2 > appetite:
        return HEAT_MID
    return HEAT_LOW


def heat_map(ident: str, title: str, desc: str, cells: Mapping[tuple[int, int], Sequence[str]],
             scale: int, appetite: int, likelihood_label: str, impact_label: str) -> str:
    """A scale × scale grid, likelihood rising upwards and impact to the right.

    ``cells`` maps (likelihood, impact) to the risk ids in that cell. Each cell is a group
    with ``data-likelihood``, ``data-impact`` and ``data-count`` and shows its count (blank
    when none); its ``<title>`` lists the risks, for a tooltip.
    """
    size = 56
    left, top = 52, 12
    width = left + scale * size + 12
    height = top + scale * size + 46
    out = _open(width, height, ident, title, desc, "heat-map")
    for row in range(scale):
        likelihood = scale - row
        y = top + row * size
        out.append(f'<text x="{_n(left - 10)}" y="{_n(y + size / 2 + 4)}" text-anchor="end" '
                   f'fill="{INK}">{likelihood}</text>')
        for col in range(scale):
            impact = col + 1
            x = left + col * size
            ids = list(cells.get((likelihood, impact), ()))
            score = likelihood * impact
            tip = f"{likelihood_label} {likelihood} × {impact_label} {impact} = {score}"
            if ids:
                tip += ": " + ", ".join(ids)
            out.append(f'<g class="cell" data-likelihood="{likelihood}" data-impact="{impact}" '
                       f'data-count="{len(ids)}"><title>{_e(tip)}</title>'
                       f'<rect x="{_n(x)}" y="{_n(y)}" width="{size}" height="{size}" '
                       f'fill="{heat_colour(score, appetite)}" stroke="#ffffff" stroke-width="2"/>')
            if ids:
                out.append(f'<text x="{_n(x + size / 2)}" y="{_n(y + size / 2 + 6)}" '
                           f'text-anchor="middle" font-size="18" font-weight="bold" '
                           f'fill="{INK}">{len(ids)}</text>')
            out.append("</g>")
    base = top + scale * size
    for col in range(scale):
        out.append(f'<text x="{_n(left + col * size + size / 2)}" y="{_n(base + 16)}" '
                   f'text-anchor="middle" fill="{INK}">{col + 1}</text>')
    out.append(f'<text x="{_n(left + scale * size / 2)}" y="{_n(base + 36)}" '
               f'text-anchor="middle" fill="{MUTED}">{_e(impact_label)} →</text>')
    out.append(f'<text x="14" y="{_n(top + scale * size / 2)}" text-anchor="middle" '
               f'fill="{MUTED}" transform="rotate(-90 14 {_n(top + scale * size / 2)})">'
               f'{_e(likelihood_label)} →</text>')
    out.append("</svg>")
    return "".join(out)


# --- dependency graph -------------------------------------------------------------------------

@dataclass(frozen=True)
class Node:
    id: str
    label: str
    kind: str
    layer: int
    href: str | None = None


def layered_graph(ident: str, title: str, desc: str, nodes: Sequence[Node],
                  edges: Sequence[tuple[str, str]], kind_names: Mapping[str, str]) -> str:
    """Nodes in columns by layer, in the order given; edges as curves between columns.

    The layout is deterministic: a node's place depends only on its layer and its position in
    ``nodes``. Edges within one column are left out (the columns are the story: what the
    third party does, what that touches, what guards it).
    """
    box_w, box_h, gap_x, gap_y = 196, 38, 56, 10
    pad = 10
    layers: dict[int, list[Node]] = {}
    for n in nodes:
        layers.setdefault(n.layer, []).append(n)
    columns = sorted(layers)
    tallest = max((len(layers[c]) for c in columns), default=1)
    legend_h = 28
    width = pad * 2 + len(columns) * box_w + max(len(columns) - 1, 0) * gap_x
    height = pad * 2 + tallest * (box_h + gap_y) - gap_y + legend_h
    where: dict[str, tuple[float, float]] = {}
    for ci, c in enumerate(columns):
        column = layers[c]
        offset = (tallest - len(column)) * (box_h + gap_y) / 2
        for ri, n in enumerate(column):
            where[n.id] = (pad + ci * (box_w + gap_x), pad + offset + ri * (box_h + gap_y))
    out = _open(width, height, ident, title, desc, "graph")
    layer_of = {n.id: n.layer for n in nodes}
    for a, b in sorted(set(edges)):
        if a not in where or b not in where or layer_of[a] == layer_of[b]:
            continue
        if layer_of[a] > layer_of[b]:
            a, b = b, a
        (ax, ay), (bx, by) = where[a], where[b]
        x1, y1 = ax + box_w, ay + box_h / 2
        x2, y2 = bx, by + box_h / 2
        mid = (x1 + x2) / 2
        out.append(f'<path d="M{_n(x1)} {_n(y1)} C{_n(mid)} {_n(y1)} {_n(mid)} {_n(y2)} '
                   f'{_n(x2)} {_n(y2)}" fill="none" stroke="{GRID}" stroke-width="1"/>')
    for n in nodes:
        x, y = where[n.id]
        fill, stroke = KIND_COLOURS.get(n.kind, DEFAULT_COLOURS)
        tip = f"{kind_names.get(n.kind, n.kind)} {n.id}" + (f": {n.label}" if n.label else "")
        box = (f'<g class="node" data-id="{_e(n.id)}"><title>{_e(tip)}</title>'
               f'<rect x="{_n(x)}" y="{_n(y)}" width="{box_w}" height="{box_h}" rx="4" '
               f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
               f'<text x="{_n(x + 8)}" y="{_n(y + 15)}" font-weight="bold" fill="{INK}">'
               f'{_e(fit(n.id, box_w - 16))}</text>'
               f'<text x="{_n(x + 8)}" y="{_n(y + 30)}" fill="{INK}" font-size="11">'
               f'{_e(fit(n.label, box_w - 16, 11))}</text></g>')
        out.append(f'<a href="{_e(n.href)}">{box}</a>' if n.href else box)
    lx = float(pad)
    ly = height - legend_h + 14
    for kind in sorted({n.kind for n in nodes}, key=lambda k: list(KIND_COLOURS).index(k)
                       if k in KIND_COLOURS else len(KIND_COLOURS)):
        fill, stroke = KIND_COLOURS.get(kind, DEFAULT_COLOURS)
        name = kind_names.get(kind, kind)
        out.append(f'<rect x="{_n(lx)}" y="{_n(ly - 10)}" width="14" height="12" fill="{fill}" '
                   f'stroke="{stroke}"/><text x="{_n(lx + 19)}" y="{_n(ly)}" fill="{INK}">'
                   f'{_e(name)}</text>')
        lx += 19 + text_width(name) + 18
    out.append("</svg>")
    return "".join(out)


# --- bars and lines ---------------------------------------------------------------------------

def stacked_bars(ident: str, title: str, desc: str,
                 rows: Sequence[tuple[str, Sequence[tuple[str, int]]]],
                 colours: Mapping[str, str], names: Mapping[str, str]) -> str:
    """One horizontal bar per row, split into segments (name, count) in the order given; the
    legend names only the segments that occur."""
    label_w, bar_w, bar_h, gap = 210, 300, 20, 8
    width = label_w + bar_w + 50
    keys = [k for k in dict.fromkeys(k for _, segs in rows for k, _ in segs)
            if any(v > 0 for _, segs in rows for kk, v in segs if kk == k)]
    legend: list[tuple[float, int, str]] = []  # (x, line, key)
    lx, line = 0.0, 0
    for key in keys:
        item_w = 16 + text_width(names.get(key, key)) + 14
        if lx and lx + item_w > width:
            lx, line = 0.0, line + 1
        legend.append((lx, line, key))
        lx += item_w
    bars_h = len(rows) * (bar_h + gap)
    height = bars_h + (line + 1) * 18 + 10
    out = _open(width, height, ident, title, desc, "bars")
    for i, (label, segments) in enumerate(rows):
        y = 4 + i * (bar_h + gap)
        total = sum(v for _, v in segments)
        out.append(f'<text x="{_n(label_w - 8)}" y="{_n(y + 14)}" text-anchor="end" '
                   f'fill="{INK}">{_e(fit(label, label_w - 12))}</text>')
        x = float(label_w)
        for key, value in segments:
            if value <= 0 or total <= 0:
                continue
            w = bar_w * value / total
            out.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{bar_h}" '
                       f'fill="{colours.get(key, GRID)}"><title>{_e(names.get(key, key))}: '
                       f'{value}</title></rect>')
            x += w
        out.append(f'<text x="{_n(label_w + bar_w + 6)}" y="{_n(y + 14)}" fill="{INK}">'
                   f'{total}</text>')
    for x, row, key in legend:
        y = bars_h + 14 + row * 18
        out.append(f'<rect x="{_n(x)}" y="{_n(y - 10)}" width="12" height="12" '
                   f'fill="{colours.get(key, GRID)}"/><text x="{_n(x + 16)}" y="{_n(y)}" '
                   f'fill="{INK}">{_e(names.get(key, key))}</text>')
    out.append("</svg>")
    return "".join(out)


def line_chart(ident: str, title: str, desc: str, x_labels: Sequence[str],
               series: Sequence[tuple[str, Sequence[float | None]]], y_min: float, y_max: float,
               guides: Sequence[tuple[float, str]] = ()) -> str:
    """Lines over ``x_labels``; a None value breaks the line. ``guides`` are dashed levels."""
    left, top, plot_h = 44, 10, 180
    step = 46
    plot_w = max(len(x_labels) - 1, 1) * step
    legend_rows = (len(series) + 2) // 3
    width = left + plot_w + 90
    height = top + plot_h + 34 + legend_rows * 18
    span = (y_max - y_min) or 1.0

    def y_of(v: float) -> float:
        return top + plot_h - (v - y_min) / span * plot_h

    out = _open(width, height, ident, title, desc, "lines")
    tick = next((float(s) for s in (1, 2, 5, 10, 20, 25, 50, 100, 250, 500, 1000)
                 if span / s <= 6), span / 4)
    ticks: list[float] = []
    level = -(-y_min // tick) * tick
    while level <= y_max + 1e-9:
        ticks.append(level)
        level += tick
    for level in ticks:
        y = y_of(level)
        out.append(f'<line x1="{left}" y1="{_n(y)}" x2="{_n(left + plot_w)}" y2="{_n(y)}" '
                   f'stroke="#dddddd"/><text x="{left - 6}" y="{_n(y + 4)}" text-anchor="end" '
                   f'fill="{MUTED}">{_n(level)}</text>')
    for guide, label in guides:
        if y_min <= guide <= y_max:
            y = y_of(guide)
            out.append(f'<line x1="{left}" y1="{_n(y)}" x2="{_n(left + plot_w)}" y2="{_n(y)}" '
                       f'stroke="{MUTED}" stroke-dasharray="5 4"/>'
                       f'<text x="{_n(left + plot_w + 6)}" y="{_n(y + 4)}" fill="{MUTED}">'
                       f'{_e(label)}</text>')
    for i, label in enumerate(x_labels):
        if len(x_labels) <= 12 or i % 2 == 0 or i == len(x_labels) - 1:
            out.append(f'<text x="{_n(left + i * step)}" y="{_n(top + plot_h + 16)}" '
                       f'text-anchor="middle" font-size="10" fill="{MUTED}">{_e(label)}</text>')
    for si, (name, values) in enumerate(series):
        colour = SERIES_COLOURS[si % len(SERIES_COLOURS)]
        runs: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append((left + i * step, y_of(value)))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{_n(x)},{_n(y)}" for x, y in run)
                out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                           f'stroke-width="2"/>')
        for i, value in enumerate(values):
            if value is not None:
                out.append(f'<circle cx="{_n(left + i * step)}" cy="{_n(y_of(value))}" r="3" '
                           f'fill="{colour}"><title>{_e(name)} {_e(x_labels[i])}: {_n(value)}'
                           f'</title></circle>')
        lx = left + (si % 3) * 150
        ly = top + plot_h + 34 + (si // 3) * 18
        out.append(f'<rect x="{lx}" y="{_n(ly - 9)}" width="14" height="4" fill="{colour}"/>'
                   f'<text x="{lx + 19}" y="{_n(ly)}" fill="{INK}">{_e(fit(name, 120))}</text>')
    out.append("</svg>")
    return "".join(out)


def tiers(ident: str, title: str, desc: str, levels: Sequence[tuple[str, int]]) -> str:
    """The ISMS pyramid: one band per tier, widening downwards, each with its count."""
    width, band_h = 320, 40
    height = len(levels) * (band_h + 4) + 4
    out = _open(width, height, ident, title, desc, "tiers")
    fills = ("#2f5597", "#4f7bc0", "#8fb0e0")
    inks = ("#ffffff", "#ffffff", INK)
    n = max(len(levels), 1)
    for i, (label, count) in enumerate(levels):
        top_w = width * (i + 1) / (n + 1)
        bottom_w = width * (i + 2) / (n + 1)
        y = 2 + i * (band_h + 4)
        cx = width / 2
        points = (f"{_n(cx - top_w / 2)},{_n(y)} {_n(cx + top_w / 2)},{_n(y)} "
                  f"{_n(cx + bottom_w / 2)},{_n(y + band_h)} {_n(cx - bottom_w / 2)},{_n(y + band_h)}")
        out.append(f'<polygon points="{points}" fill="{fills[i % 3]}"/>'
                   f'<text x="{_n(cx)}" y="{_n(y + band_h / 2 + 5)}" text-anchor="middle" '
                   f'fill="{inks[i % 3]}" font-weight="bold">{count} {_e(label)}</text>')
    out.append("</svg>")
    return "".join(out)
