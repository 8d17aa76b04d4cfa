"""A fishbone too large for one printed page, split by bone so its labels stay readable.

A printed label must be at least `MIN_PRINT_PT` (7 pt). The whole fishbone is laid out first;
if the page (landscape or portrait, whichever holds it larger) would shrink its smallest label
below that, the bones are split into parts of adjacent columns (a column is a bone above the
spine and the one below it), each part drawn as its own fishbone with the same event as head:
as few parts as keep every label readable, down to one column per part. A single column that
still does not fit is drawn as large as the page allows (the outline beside it has every text
in full).

The parts are keyed "fishbone/NN/<bones>" in the picture map, so the PDF and DOCX writers give
each its own figure (`exports.document.picture_parts`), named by its bones. The HTML and the
SVG keep the one picture: a browser zooms.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

from exports.pictures.style import REF_PT
from models.fishbone import bone_trees

#: The smallest type size a printed label may have.
MIN_PRINT_PT = 7.0
#: The picture box of a page in inches (the smaller of Letter and A4, less margins and the
#: caption): landscape first, then portrait.
PAGE_BOXES = ((9.5, 5.9), (6.8, 8.6))
#: The smallest type the fishbone uses at full size.
SMALLEST_PT = REF_PT


def print_scale(size_in: tuple[float, float]) -> float:
    """How much a picture of `size_in` inches is scaled to fit the page box (at most 1)."""
    w, h = size_in
    if w <= 0 or h <= 0:
        return 1.0
    return min(1.0, max(min(bw / w, bh / h) for bw, bh in PAGE_BOXES))


def readable(size_in: tuple[float, float]) -> bool:
    return SMALLEST_PT * print_scale(size_in) >= MIN_PRINT_PT - 1e-9


def _columns(bones: int) -> list[list[int]]:
    """The bones of each column, left to right: bone j above the spine, bone above+j below."""
    above = (bones + 1) // 2
    return [[j, *([above + j] if above + j < bones else [])] for j in range(above)]


def _subset(trees: Any, units: Sequence[tuple[int, Sequence[Any]]], causes: Sequence[Any],
            links: Sequence[Any]):
    """The categories, causes and links that draw just `units` (bone, its tree items) of the
    whole fishbone."""
    keep: dict[Any, Any] = {}
    events = set(trees.events)
    for b, items in units:
        for cid, depth, _later, _ref in items:
            cause = trees.causes[cid]
            name = trees.names[b]
            if depth == 0 and trees.is_own(b) and getattr(cause, "category", None) != name:
                cause = dataclasses.replace(cause, category=name)
            keep.setdefault(cid, cause)
    chosen = [keep.get(c.id, c) for c in causes if c.id in keep or c.id in events]
    ids = {c.id for c in chosen}
    kept_links = [lk for lk in links if lk.cause_id in ids and lk.effect_id in ids]
    categories = [trees.names[b] for b, _ in units if trees.is_own(b)]
    return categories, chosen, kept_links


def _subtrees(items: Sequence[Any]) -> list[list[Any]]:
    """A bone's tree items cut into its top-level causes, each with what hangs under it."""
    out: list[list[Any]] = []
    for item in items:
        if item[1] == 0 or not out:
            out.append([])
        out[-1].append(item)
    return out


def fishbone_parts(
    event_text: str | None,
    categories: Sequence[str],
    causes: Sequence[Any],
    links: Sequence[Any],
    render: Any,
    measure: Any,
) -> list[tuple[str, Any]]:
    """[(name, picture)]: one unnamed picture when the whole fishbone prints readably,
    otherwise parts named by their bones: groups of adjacent columns, and where one bone alone
    is still too large, that bone in pieces of whole top-level causes ("Staff, 2 of 3").

    `measure(event, categories, causes, links)` gives the laid-out size in inches and a handle;
    `render(handle)` turns a handle into the picture (bytes).
    """
    size, whole = measure(event_text, categories, causes, links)
    if readable(size):
        return [("", render(whole))]
    trees = bone_trees(categories, causes, links)
    columns = _columns(len(trees.names))

    def draw(units: Sequence[tuple[int, Sequence[Any]]]) -> tuple[tuple[float, float], Any]:
        return measure(event_text, *_subset(trees, units, causes, links))

    def shortfall(size_in: tuple[float, float]) -> float:
        return SMALLEST_PT * print_scale(size_in) / MIN_PRINT_PT

    # Columns in groups: as few parts as read, from a first guess by the shortfall.
    parts = max(1, min(len(columns), math.ceil(1 / shortfall(size))))
    while True:
        drawn = []
        for group in _groups(columns, parts):
            units = [(b, trees.items[b]) for col in group for b in col]
            part_size, handle = draw(units)
            drawn.append((", ".join(trees.names[b] for b, _ in units), part_size, handle, units))
        if parts >= len(columns) or all(readable(s) for _, s, _, _ in drawn):
            break
        parts += 1
    out: list[tuple[str, Any]] = []
    for name, part_size, handle, units in drawn:
        if readable(part_size):
            out.append((name, render(handle)))
            continue
        # One column still too large: each of its bones alone, in pieces if need be.
        for b, items in units:
            alone = draw([(b, items)]) if len(units) > 1 else (part_size, handle)
            drawn_pieces = _pieces(b, _subtrees(items), alone, draw, shortfall)
            if len(drawn_pieces) == 1:
                out.append((trees.names[b], render(drawn_pieces[0])))
                continue
            for i, piece in enumerate(drawn_pieces, 1):
                out.append((f"{trees.names[b]}, {i} of {len(drawn_pieces)}", render(piece)))
    return out


def _pieces(b: int, pieces: list[list[Any]], drawn: tuple[tuple[float, float], Any], draw: Any,
            shortfall: Any) -> list[Any]:
    """Bone `b`'s top-level causes (`pieces`, drawn together as `drawn`) in as many pictures
    as keep each readable: cut by the number of causes, then each cut again while it is still
    too large and holds more than one top-level cause."""
    size, handle = drawn
    if readable(size) or len(pieces) < 2:
        return [handle]
    k = min(len(pieces), max(2, math.ceil(1 / shortfall(size))))
    out: list[Any] = []
    for chunk in _by_weight(pieces, k):
        flat = [item for piece in chunk for item in piece]
        out += _pieces(b, chunk, draw([(b, flat)]), draw, shortfall)
    return out


def _by_weight(pieces: list[list[Any]], k: int) -> list[list[list[Any]]]:
    """`pieces` cut into at most `k` runs of about the same number of items."""
    total = sum(len(p) for p in pieces)
    out: list[list[list[Any]]] = [[]]
    done = 0
    for piece in pieces:
        if out[-1] and done + len(piece) / 2 > total * len(out) / k and len(out) < k:
            out.append([])
        out[-1].append(piece)
        done += len(piece)
    return out


def _groups(columns: list[Any], parts: int) -> list[list[Any]]:
    """`columns` (or a bone's top-level causes) cut into `parts` runs of adjacent ones, as
    even as they go."""
    size, extra = divmod(len(columns), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(columns[start:end])
        start = end
    return [g for g in out if g]


def fishbone_png_parts(
    event_text: str | None,
    categories: Sequence[str],
    causes: Sequence[Any],
    links: Sequence[Any],
    *,
    grayscale: bool = True,
) -> list[tuple[str, bytes]]:
    """The fishbone as PNG for print: [("", png)], or one PNG per part named by its bones."""
    from exports.pictures.canvas import to_png
    from exports.pictures.fishbone import fishbone_figure

    def measure(event: Any, cats: Any, cs: Any, ls: Any) -> tuple[tuple[float, float], Any]:
        fig = fishbone_figure(event, cats, cs, ls)
        w, h = fig.get_size_inches()
        return (float(w), float(h)), fig

    return fishbone_parts(
        event_text,
        categories,
        list(causes),
        list(links),
        render=lambda fig: to_png(fig, grayscale=grayscale),
        measure=measure,
    )
