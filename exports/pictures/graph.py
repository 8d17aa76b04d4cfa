"""The cause graph picture: a left-to-right layered drawing, each cause in the column of its
longest path to the event, links that skip columns routed through reserved gaps.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from exports.pictures.canvas import (
    Canvas,
    Node,
    draw_legend,
    node_texts,
    read_graph,
    to_png,
    to_svg,
)
from exports.pictures.style import (
    ARROW_LEN,
    ARROW_WIDTH,
    COLUMN_GAP,
    DEFAULT_DPI,
    DUMMY_H,
    HEAD_LINES,
    HUGE,
    LARGE,
    LARGE_NODE_LINES,
    NODE_GAP,
    NODE_LINES,
    NODE_PAD_X,
    NODE_PAD_Y,
    NODE_PT,
    NODE_WRAP,
    SVG_DPI,
)
from exports.pictures.text import GlyphsQuiet, fallback_font, wrap
from models.fishbone import (
    CONTRIBUTING_MARK,
    ROOT_MARK,
    kind_mark,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure


# --- the cause graph -----------------------------------------------------------------------------
def _layers(nodes: dict[Any, Node], edges: Sequence[tuple[Any, Any]]) -> dict[Any, int]:
    """Column of each node, counted from the right: events 0, then the longest path to an
    event (a cause that leads to no event counts its path to where its chain stops, plus 1)."""
    succ: dict[Any, list[Any]] = {n: [] for n in nodes}
    for a, b in edges:
        succ[a].append(b)
    layer: dict[Any, int] = {}
    on_path: set[Any] = set()
    for start in nodes:
        if start in layer:
            continue
        stack: list[tuple[Any, int]] = [(start, 0)]
        while stack:
            n, i = stack.pop()
            if i == 0:
                on_path.add(n)
            kids = succ[n]
            if i < len(kids):
                stack.append((n, i + 1))
                k = kids[i]
                if k not in layer and k not in on_path:  # a cycle edge is ignored
                    stack.append((k, 0))
                continue
            on_path.discard(n)
            done = [layer[k] for k in kids if k in layer]
            if nodes[n].kind == "event":
                layer[n] = 0
            else:
                layer[n] = 1 + max(done) if done else 1
    return layer


def graph_figure(
    causes: Iterable[Any], links: Iterable[Any], *, dpi: float = DEFAULT_DPI
) -> Figure:
    """The laid-out cause graph as a matplotlib Figure (no Axes; placed in inches), its
    texts measured for drawing at `dpi`."""
    with GlyphsQuiet():
        return _graph(causes, links, Canvas(dpi))


def _graph(causes: Iterable[Any], links: Iterable[Any], cv: Canvas) -> Figure:
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.patches import FancyBboxPatch

    nodes, edges = read_graph(causes, links)
    cv.fallback = fallback_font(node_texts(nodes))
    large = len(nodes) > LARGE
    max_lines = 1 if len(nodes) > HUGE else LARGE_NODE_LINES if large else NODE_LINES
    layer = _layers(nodes, edges)
    # Drop links that go backwards (only a cycle, never stored, can make one).
    edges = [e for e in edges if layer[e.cause_id] > layer[e.effect_id]]
    marks: set[str] = set()

    sizes: dict[Any, tuple[float, float]] = {}
    artists: dict[Any, Any] = {}
    for cid, n in nodes.items():
        mark = kind_mark(n.kind)
        if mark:
            marks.add(mark)
        text = f"{n.ref} {n.text}" if large and n.kind != "event" else n.text
        text = f"{mark} {text}" if mark else text
        style = {"root": "bold", "contributing": "italic", "event": "bold"}.get(n.kind, "regular")
        size = NODE_PT + (1.5 if n.kind == "event" else 0)
        event = n.kind == "event"
        t = cv.text(
            "\n".join(wrap(text or "-", NODE_WRAP, HEAD_LINES if event else max_lines)),
            (style, size),
            gid=f"graph-cause-{cid}",
            direction_of=n.text,
            ha="center",
            va="center",
            multialignment="center" if event else "left",
        )
        w, h = cv.size(t)
        pad = 2.0 if event else 1.0  # room for the event's double border
        sizes[cid] = (w + 2 * pad * NODE_PAD_X, h + 2 * pad * NODE_PAD_Y)
        artists[cid] = t

    # Columns, with a dummy slot wherever a link passes through one.
    n_layers = max(layer.values(), default=0) + 1
    columns: list[list[Any]] = [[] for _ in range(n_layers)]
    for cid in nodes:
        columns[layer[cid]].append(cid)
    chains: list[list[Any]] = []
    succ_of: dict[Any, list[Any]] = {}
    pred_of: dict[Any, list[Any]] = {}
    for a, b in edges:
        chain = [a]
        for k in range(layer[a] - 1, layer[b], -1):
            d = ("dummy", a, b, k)
            columns[k].append(d)
            sizes[d] = (0.0, DUMMY_H)
            chain.append(d)
        chain.append(b)
        chains.append(chain)
        for u, v in itertools.pairwise(chain):
            succ_of.setdefault(u, []).append(v)
            pred_of.setdefault(v, []).append(u)

    # Order within columns: a few barycentre sweeps to reduce crossings.
    pos = {v: i for col in columns for i, v in enumerate(col)}
    for sweep in range(4):
        order = range(n_layers - 2, -1, -1) if sweep % 2 == 0 else range(1, n_layers)
        for k in order:
            neigh = pred_of if sweep % 2 == 0 else succ_of

            def key(v: Any, neigh: dict = neigh) -> float:
                ns = neigh.get(v)
                return sum(pos[u] for u in ns) / len(ns) if ns else pos[v]

            columns[k].sort(key=key)
            for i, v in enumerate(columns[k]):
                pos[v] = i

    # Geometry: columns from the left (highest layer) to the right (the event).
    col_w = [max((sizes[v][0] for v in col), default=0.0) for col in columns]
    x_left: dict[int, float] = {}
    x = 0.0
    for k in range(n_layers - 1, -1, -1):
        x_left[k] = x
        x += max(col_w[k], 0.3) + COLUMN_GAP
    centre: dict[Any, tuple[float, float]] = {}
    for k, col in enumerate(columns):
        total = sum(sizes[v][1] for v in col) + NODE_GAP * max(0, len(col) - 1)
        y = total / 2
        for v in col:
            h = sizes[v][1]
            centre[v] = (x_left[k] + max(col_w[k], 0.3) / 2, y - h / 2)
            y -= h + NODE_GAP

    for cid, n in nodes.items():
        cx, cy = centre[cid]
        w, h = sizes[cid]
        k = layer[cid]
        # Boxes of one column share their width, so arrows start and end in a straight line.
        w = max(col_w[k], 0.3)
        sizes[cid] = (w, h)
        line_style: dict[str, Any] = {
            "event": {"lw": 2.2, "ls": "-"},
            "root": {"lw": 1.8, "ls": "-"},
            "contributing": {"lw": 1.0, "ls": (0, (4, 2))},
            "cause": {"lw": 0.8, "ls": "-"},
        }[n.kind]
        cv.patch(
            FancyBboxPatch(
                (cx - w / 2, cy - h / 2),
                w,
                h,
                boxstyle="round,pad=0,rounding_size=0.05",
                facecolor="#fff6d5" if n.kind == "root" else "white",
                edgecolor="black",
                **line_style,
            )
        )
        if n.kind == "event":
            inset = 0.035
            cv.patch(
                FancyBboxPatch(
                    (cx - w / 2 + inset, cy - h / 2 + inset),
                    w - 2 * inset,
                    h - 2 * inset,
                    boxstyle="round,pad=0,rounding_size=0.04",
                    facecolor="none",
                    edgecolor="black",
                    lw=0.8,
                )
            )
        artists[cid].set_position((cx, cy))
        cv.include(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)

    # Where each link leaves its cause and enters its effect: spread over the box's side,
    # in the order of the other ends, so a cause with many effects (or the event with many
    # causes) does not gather every arrow into one point.
    out_port: dict[int, float] = {}
    in_port: dict[int, float] = {}
    outs: dict[Any, list[tuple[float, int]]] = {}
    ins: dict[Any, list[tuple[float, int]]] = {}
    for i, chain in enumerate(chains):
        outs.setdefault(chain[0], []).append((-centre[chain[1]][1], i))
        ins.setdefault(chain[-1], []).append((-centre[chain[-2]][1], i))
    for ports, where in ((outs, out_port), (ins, in_port)):
        for v, ends in ports.items():
            ends.sort()
            cy, h = centre[v][1], sizes[v][1]
            span = max(0.0, h - 2 * NODE_PAD_Y) * (0.8 if len(ends) > 1 else 0.0)
            for j, (_, i) in enumerate(ends):
                frac = 0.5 if len(ends) == 1 else j / (len(ends) - 1)
                where[i] = cy + span / 2 - frac * span

    # Links: one collection of polylines and one of arrowheads (hundreds of separate arrow
    # patches would cost more than all the rest of the picture).
    lines: list[list[tuple[float, float]]] = []
    heads: list[list[tuple[float, float]]] = []
    for i, chain in enumerate(chains):
        pts: list[tuple[float, float]] = []
        a, b = chain[0], chain[-1]
        pts.append((centre[a][0] + sizes[a][0] / 2, out_port[i]))
        for d in chain[1:-1]:
            dx, dy = centre[d]
            half = max(col_w[d[3]], 0.3) / 2
            pts.extend([(dx - half, dy), (dx + half, dy)])
        tip = (centre[b][0] - sizes[b][0] / 2, in_port[i])
        (px, py), (tx, ty) = pts[-1], tip
        length = math.hypot(tx - px, ty - py) or 1.0
        ux, uy = (tx - px) / length, (ty - py) / length
        back = min(ARROW_LEN, length * 0.5)
        base = (tx - ux * back, ty - uy * back)
        pts.append(base)
        lines.append(pts)
        half_w = ARROW_WIDTH / 2
        heads.append(
            [
                tip,
                (base[0] - uy * half_w, base[1] + ux * half_w),
                (base[0] + uy * half_w, base[1] - ux * half_w),
            ]
        )
    if lines:
        cv.patch(LineCollection(lines, linewidths=0.8, edgecolors="#222222", zorder=1))
        cv.patch(
            PolyCollection(heads, facecolors="#222222", edgecolors="#222222", linewidths=0.3)
        )

    draw_legend(cv, cv.x0, cv.y0 - 0.15, [m for m in (ROOT_MARK, CONTRIBUTING_MARK) if m in marks])
    return cv.finish()


def graph_png(
    causes: Iterable[Any],
    links: Iterable[Any],
    *,
    dpi: float = DEFAULT_DPI,
    grayscale: bool = True,
) -> bytes:
    """The cause graph as PNG bytes; 8-bit grey unless `grayscale=False`."""
    return to_png(graph_figure(causes, links, dpi=dpi), grayscale=grayscale)


def graph_svg(causes: Iterable[Any], links: Iterable[Any]) -> str:
    """The cause graph as an SVG document (texts kept as `<text>`, escaped)."""
    return to_svg(graph_figure(causes, links, dpi=SVG_DPI))
