"""The fishbone (Ishikawa) picture of the reports, from the one model in `models.fishbone`
(the same bones, in the same order, as the app's drawing).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from exports.pictures.canvas import Canvas, draw_legend, node_texts, read_graph, to_png, to_svg
from exports.pictures.style import (
    BONE_ANGLE,
    CATEGORY_LINES,
    CATEGORY_PT,
    CATEGORY_WRAP,
    CAUSE_LINES,
    CAUSE_PT,
    CAUSE_WRAP,
    DEFAULT_DPI,
    GAP,
    HEAD_LINES,
    HEAD_PT,
    HEAD_WRAP,
    HUGE,
    INDENT,
    LARGE,
    LARGE_CAUSE_LINES,
    LEGEND,
    MAX_INDENT_LEVELS,
    MAX_SPREAD,
    MIN_COLUMN,
    MIN_ROW,
    PAD,
    REF_LINES,
    REF_PT,
    REF_WRAP,
    SPINE_GAP,
    SUB_PT,
    SUB_WRAP,
    SVG_DPI,
)
from exports.pictures.text import GlyphsQuiet, clean_label, fallback_font, wrap
from models.fishbone import (
    DEEPER_MARK,
    REF_MARK,
    UNLINKED_MARK,
    bone_trees,
    kind_mark,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure


# --- the fishbone ------------------------------------------------------------------------------
@dataclass(slots=True)
class _Label:
    artist: Any
    depth: int
    w: float = 0.0
    h: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    parent: int = -1


def fishbone_figure(
    event_text: str | None,
    categories: Sequence[str],
    causes: Iterable[Any],
    links: Iterable[Any],
    *,
    dpi: float = DEFAULT_DPI,
    crowd: int | None = None,
) -> Figure:
    """The laid-out fishbone as a matplotlib Figure (no Axes; placed in inches), its texts
    measured for drawing at `dpi`.

    `crowd` is the number of causes the label style is chosen for (C-numbers, lines per
    label; default: those drawn): the parts of a split fishbone are drawn in the style of the
    whole. The figure's `rca_label_heights` are the cause labels' heights in inches, bone by
    bone in tree order (`exports.pictures.fishbone_parts` packs parts by them)."""
    with GlyphsQuiet():
        return _fishbone(event_text, categories, causes, links, Canvas(dpi), crowd)


def _fishbone(
    event_text: str | None,
    categories: Sequence[str],
    causes: Iterable[Any],
    links: Iterable[Any],
    cv: Canvas,
    crowd: int | None = None,
) -> Figure:
    nodes, edges = read_graph(causes, links)
    cv.fallback = fallback_font([str(event_text or ""), *map(str, categories), *node_texts(nodes)])
    trees = bone_trees(categories, nodes.values(), edges)
    head = clean_label(trees.head(event_text))
    bone_names, bones, unlinked = trees.names, trees.items, trees.unlinked
    n_above = trees.above
    crowd = len(nodes) if crowd is None else crowd
    large = crowd > LARGE
    max_lines = 1 if crowd > HUGE else LARGE_CAUSE_LINES if large else CAUSE_LINES
    cot = 1.0 / math.tan(math.radians(BONE_ANGLE))
    marks: set[str] = set()

    # Head: the event in a box on the right of the spine's end.
    head_t = cv.text(
        "\n".join(wrap(head, HEAD_WRAP, HEAD_LINES)),
        ("bold", HEAD_PT),
        gid="fishbone-head",
        ha="center",
        va="center",
        multialignment="center",
    )
    head_w, head_h = cv.size(head_t)

    # Labels of every bone, measured.
    labels: list[list[_Label]] = []
    cat_texts: list[tuple[Any, float, float]] = []
    for b, items in enumerate(bones):
        row: list[_Label] = []
        parents: list[int] = []
        for cid, depth, _later, ref in items:
            node = nodes[cid]
            shown = min(depth, MAX_INDENT_LEVELS)
            deeper = DEEPER_MARK * (depth - shown)
            if ref:
                marks.add(REF_MARK)
                lines = wrap(f"{REF_MARK} {deeper}{node.ref} {node.text}", REF_WRAP, REF_LINES)
                font, color = ("regular", REF_PT), "#444444"
            else:
                mark = kind_mark(node.kind)
                if mark:
                    marks.add(mark)
                prefix = f"{mark} " if mark else ""
                width = CAUSE_WRAP if depth == 0 else SUB_WRAP
                text = f"{node.ref} {node.text}" if large else node.text
                lines = wrap(f"{deeper}{prefix}{text}", width, max_lines)
                if cid in unlinked:
                    marks.add(UNLINKED_MARK)
                    lines[-1] += f" {UNLINKED_MARK}"
                size = CAUSE_PT if depth == 0 else SUB_PT
                style = {"root": "bold", "contributing": "italic"}.get(node.kind, "regular")
                font, color = (style, size), "black"
            # A reference gets an id of its own: ids are unique in an HTML page.
            gid = f"fishbone-ref-{b}-{len(row)}" if ref else f"fishbone-cause-{cid}"
            t = cv.text("\n".join(lines), font, gid=gid, color=color, direction_of=node.text)
            lab = _Label(t, shown)
            lab.w, lab.h = cv.size(t)
            del parents[depth:]
            lab.parent = parents[-1] if parents else -1
            parents.append(len(row))
            row.append(lab)
        labels.append(row)
        cat_t = cv.text(
            "\n".join(wrap(clean_label(bone_names[b]) or "-", CATEGORY_WRAP, CATEGORY_LINES)),
            ("bold", CATEGORY_PT),
            gid=f"fishbone-category-{b}",
            ha="center",
            multialignment="center",
            # facecolor/edgecolor by their names, not "fc"/"ec": matplotlib would first set
            # its default colour from the colour cycle, a tenth of a layout's time.
            bbox={
                "boxstyle": "round,pad=0.3",
                "facecolor": "#eeeeee",
                "edgecolor": "black",
                "lw": 0.8,
            },
        )
        cw, ch = cv.size(cat_t)
        cat_texts.append((cat_t, cw, ch))

    # As in the app: the first half of the bones above the spine, the rest below, each row in
    # category order from left to right.
    rows = {True: list(range(n_above)), False: list(range(n_above, len(bones)))}
    box_pad = 2 * 0.3 * CATEGORY_PT / 72  # the category box around its text
    spine_end = 0.0
    attach: dict[int, float] = {}
    length: dict[bool, float] = {}
    for above, members in rows.items():
        need = [sum(lab.h for lab in labels[b]) + PAD * max(0, len(labels[b]) - 1) for b in members]
        height = max([MIN_ROW, head_h / 2 + 0.1, *need])
        length[above] = SPINE_GAP + height + 0.08
        for b in members:
            row = labels[b]
            used = sum(lab.h for lab in row) + PAD * max(0, len(row) - 1)
            spread = min(MAX_SPREAD, (height - used) / (len(row) + 1)) if row else 0.0
            # Upper bones list from the category (top) down; lower ones from the spine down.
            y = (SPINE_GAP + height if above else -SPINE_GAP) - spread
            for lab in row:
                lab.top, lab.bottom = y, y - lab.h
                y = lab.bottom - PAD - spread
        # Column widths: a bone's labels sit between it and the bone on its left, which is
        # parallel, so the room is the same at every height.
        widths = []
        for i, b in enumerate(members):
            col = MIN_COLUMN
            for lab in labels[b]:
                col = max(col, lab.w + lab.depth * INDENT + 2 * GAP + lab.h * cot)
            if i > 0:
                col = max(col, (cat_texts[b][1] + cat_texts[members[i - 1]][1]) / 2 + box_pad + GAP)
            widths.append(col)
        x = spine_end - 0.3
        for i in range(len(members) - 1, -1, -1):
            attach[members[i]] = x
            x -= widths[i]

    def bone_x(b: int, y: float) -> float:
        return attach[b] - abs(y) * cot

    # Draw the bones, their labels, ribs and connectors.
    for b in range(len(bones)):
        above = b < n_above
        sign = 1.0 if above else -1.0
        end_y = sign * length[above]
        cv.line([attach[b], bone_x(b, end_y)], [0, end_y], lw=1.6)
        cat_t, cw, ch = cat_texts[b]
        cx = bone_x(b, end_y)
        cy = end_y + sign * (0.05 + box_pad / 2)
        cat_t.set_position((cx, cy))
        cat_t.set_verticalalignment("bottom" if above else "top")
        cv.include(cx - cw / 2 - box_pad, cy, cx + cw / 2 + box_pad, cy + sign * (ch + box_pad))
        row = labels[b]
        for lab in row:
            far = lab.top if above else lab.bottom
            right = bone_x(b, far) - GAP - lab.depth * INDENT
            cv.place(lab.artist, right - lab.w, lab.top, lab.w, lab.h)
            y_rib = lab.bottom - 0.012
            if lab.depth == 0:
                end = bone_x(b, y_rib)
                lw = 0.9
            else:
                off = GAP + (lab.depth - 1) * INDENT + INDENT / 2
                end = bone_x(b, y_rib) - off
                lw = 0.6
                if lab.parent >= 0:
                    p_rib = row[lab.parent].bottom - 0.012
                    cv.line([bone_x(b, p_rib) - off, end], [p_rib, y_rib], lw=0.6)
            cv.line([right - lab.w, end], [y_rib, y_rib], lw=lw)

    # Spine and head.
    left = min((attach[b] - (MIN_COLUMN if not labels[b] else 0.5) for b in attach), default=-3)
    head_x0 = spine_end + 0.05
    cv.line([left, head_x0], [0, 0], lw=3.0)
    from matplotlib.patches import FancyBboxPatch

    box_w, box_h = head_w + 0.3, head_h + 0.24
    cv.patch(
        FancyBboxPatch(
            (head_x0, -box_h / 2),
            box_w,
            box_h,
            boxstyle="round,pad=0,rounding_size=0.08",
            facecolor="white",
            edgecolor="black",
            lw=2.0,
        )
    )
    head_t.set_position((head_x0 + box_w / 2, 0))
    cv.include(head_x0, -box_h / 2, head_x0 + box_w, box_h / 2)

    draw_legend(cv, cv.x0, cv.y0 - 0.15, [m for m, _ in LEGEND if m in marks])
    fig = cv.finish()
    fig.rca_label_heights = [lab.h for row in labels for lab in row]  # type: ignore[attr-defined]
    return fig


def fishbone_png(
    event_text: str | None,
    categories: Sequence[str],
    causes: Iterable[Any],
    links: Iterable[Any],
    *,
    dpi: float = DEFAULT_DPI,
    grayscale: bool = True,
) -> bytes:
    """The fishbone as PNG bytes (see the module docstring for what it shows); 8-bit grey
    unless `grayscale=False`."""
    fig = fishbone_figure(event_text, categories, causes, links, dpi=dpi)
    return to_png(fig, grayscale=grayscale)


def fishbone_svg(
    event_text: str | None,
    categories: Sequence[str],
    causes: Iterable[Any],
    links: Iterable[Any],
) -> str:
    """The fishbone as an SVG document (texts kept as `<text>`, escaped)."""
    return to_svg(fishbone_figure(event_text, categories, causes, links, dpi=SVG_DPI))
