"""`relabel()`: one cause's label drawn again in a laid-out fishbone, the rest left as it is.

Why: undo (or an edit) of one cause's text on a 5,000-cause fishbone laid the whole drawing
out again, about 40 ms of Python for one label, and the undo took over 100 ms to show (issue
16). Here the cause's rows are drawn again and put in place: when every label keeps its number
of lines nothing else moves (time of the label, not of the bone); when it wraps differently
the rows below it on its bone move, and when that bone is the longest of its side, the spine
and the other side move too. Anything more (a kind, category or link changed, the event's
text) is refused, and the caller lays everything out with `layout_fishbone`. The tests hold
the result equal to a layout drawn afresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.style import Style

from screens.widgets.fishbone_drawing import (
    DEFAULT_STYLES,
    LINE_BODY,
    FishboneLayout,
    Hotspot,
    Row,
    Span,
)
from screens.widgets.fishbone_drawing import recipes as packed
from screens.widgets.fishbone_layout import LayoutCache, _bone_rows
from screens.widgets.fishbone_text import clean_text

if TYPE_CHECKING:
    from models.domain import Cause


def relabel(
    layout: FishboneLayout, cache: LayoutCache, cause: Cause, styles: Mapping[str, Style]
) -> list[int] | None:
    """Draw again only the label of `cause` (and its references) in `layout`, which `cache`
    made with these `styles`: after an edit or undo of its text, evidence or statement, a
    5,000-cause drawing is not laid out again (about 40 ms) for one label (issue 16). The rows
    below it on its bone move up or down if it wraps to another number of lines.

    Returns the lines that changed, or None when the edit moves more than its bones and the
    whole drawing must be laid out (`layout_fishbone`): its kind or category changed, it is
    the event (the head), or its bone is the longest on its side and gets longer or shorter.
    `layout` is then unchanged."""
    trees = cache.trees
    d = layout._drawing  # the layout module made it, and mends it here
    cid = cause.id
    if trees is None or cid not in trees.causes or cid in trees.events:
        return None
    old = trees.causes[cid]
    if (old.kind, old.category) != (cause.kind, cause.category):
        return None
    st = {**DEFAULT_STYLES, **styles}
    if cache.for_ != (tuple(w for _, _, w in d.placement), tuple(st.items())):
        return None
    raw = cause.text
    clean = cache.texts.get(raw)
    if clean is None:
        clean = clean_text(raw)
    texts = {**cache.clean, cid: clean}
    by_id = {**trees.causes, cid: cause}
    spliced = _same_height(layout, cache, cid, by_id, texts, st)
    if spliced is not None:
        trees.causes[cid] = cause
        cache.clean[cid] = clean
        cache.texts[raw] = clean
        layout.forget(spliced)
        return spliced
    height = {
        up: max((len(d.blocks[i]) for i in (d.above if up else d.below)), default=0)
        for up in (True, False)
    }
    redrawn = []
    for i, items in enumerate(trees.items):
        if not any(item[0] == cid for item in items):
            continue
        used: dict[tuple, list[Row]] = {}
        w = d.placement[i][2]
        rows = _bone_rows(items, w, by_id, texts, trees.unlinked, st, cache.rows.get(i, {}), used)
        redrawn.append((i, rows, used))
    if not redrawn:
        return None
    # Everything checked: mend the layout and the cache.
    lengths = [len(b) for b in d.blocks]
    for i, rows, _ in redrawn:
        lengths[i] = len(rows)
    grown = {
        up: max((lengths[i] for i in (d.above if up else d.below)), default=0) - height[up]
        for up in (True, False)
    }
    changed: list[int] = []
    if grown[True] or grown[False]:
        # The longest bone of a side got longer or shorter: what is below it moves.
        changed = _shift(layout, height, grown)
    for i, rows, used in redrawn:
        up, x, w = d.placement[i]
        top = d.body_tops[0 if up else 1]
        was = d.blocks[i]
        moved = len(rows) != len(was)
        for r in range(max(len(rows), len(was))):
            if r >= len(rows) or r >= len(was) or rows[r] != was[r]:
                changed.append(top + r)
        d.blocks[i] = rows
        cache.rows[i] = used
        _respan(layout, i, top, x, x + w, rows, was if moved else None, cid)
    trees.causes[cid] = cause
    cache.clean[cid] = clean
    cache.texts[raw] = clean
    layout.forget(changed)
    return sorted(set(changed))


def _same_height(
    layout: FishboneLayout,
    cache: LayoutCache,
    cid: int,
    by_id: Mapping[int, Cause],
    texts: dict[int, str],
    st: Mapping[str, Style],
) -> list[int] | None:
    """`relabel` when each of the cause's labels keeps its number of lines: its rows are put
    in place of the old ones and nothing else moves, in time of its labels, not of the bone
    (a bone can hold 10,000 rows). None (nothing changed) when a label wraps differently."""
    trees = cache.trees
    assert trees is not None
    d = layout._drawing
    spans = layout.spans.get(cid)
    if not spans:
        return None
    splices: list[tuple[int, int, list[Row], tuple]] = []  # bone, first row, rows, memo key
    for i, items in enumerate(trees.items):
        up, x, w = d.placement[i]
        top = d.body_tops[0 if up else 1]
        block = d.blocks[i]
        found = [n for n, item in enumerate(items) if item[0] == cid]
        if not found:
            continue
        # Where the labels are now: the full label's lines, and each one-line reference.
        starts = [
            y - top
            for y, x0, _ in (*spans, *layout.ref_spans.get(cid, ()))
            if top <= y < top + len(block) and x <= x0 < x + w
        ]
        starts = [r for r in starts if block[r][11]]  # first lines only
        if len(starts) != len(found):
            return None
        for n, r in zip(found, sorted(starts), strict=True):
            # The item with the one after it: its last line's guide depends on what follows.
            rows = _bone_rows(items[n : n + 2], w, by_id, texts, trees.unlinked, st)
            own = [rows[0]]
            for row in rows[1:]:
                if row[8] != cid or row[11]:
                    break
                own.append(row)
            old = 1
            while r + old < len(block) and block[r + old][8] == cid and not block[r + old][11]:
                old += 1
            if len(own) != old:
                return None
            nxt = items[n + 1][1] if n + 1 < len(items) else -1
            splices.append((i, r, own, (items[n], nxt, cid in trees.unlinked, by_id[cid].kind)))
    if not splices:
        return None
    changed: list[int] = []
    full: list[Span] = []
    refs: list[Span] = []
    marks: dict[tuple[int, int], Hotspot] = {}
    for i, r, own, key in splices:
        up, x, _ = d.placement[i]
        top = d.body_tops[0 if up else 1]
        d.blocks[i][r : r + len(own)] = own
        for k, row in enumerate(own):
            y = top + r + k
            changed.append(y)
            span = (y, x + row[9], x + row[7])
            (refs if row[10] else full).append(span)
            if row[11]:
                marks[(y, span[1])] = Hotspot(cid, y, span[1], span[2], row[10])
        memo = cache.rows.get(i)
        if memo is not None:  # the next layout finds the new rows, not the old ones
            memo.pop((*key, cache.clean.get(cid)), None)
            memo[(*key, texts[cid])] = own
    layout.spans[cid] = full
    if refs:
        layout.ref_spans[cid] = sorted(refs, key=lambda sp: (_bone_at(layout, sp), sp[0]))
    hotspots = layout.hotspots
    for k, spot in enumerate(hotspots):
        if spot.cause_id == cid:
            hotspots[k] = marks.get((spot.y, spot.x_start), spot)
    return changed


def _respan(
    layout: FishboneLayout,
    bone: int,
    top: int,
    x: int,
    x_end: int,
    rows: list[Row],
    moved_from: list[Row] | None,
    cid: int,
) -> None:
    """The spans and hotspots of bone `bone` after its rows were drawn again: of `cid` alone
    when no row moved, else of every label on the bone."""
    bottom = top + max(len(rows), len(moved_from or ()))

    def on_bone(y: int, x0: int) -> bool:
        return top <= y < bottom and x <= x0 < x_end

    ids = {row[8] for row in (*rows, *(moved_from or ())) if row[8] >= 0}
    if moved_from is None:
        ids = {cid}
    full: dict[int, list[Span]] = {}
    refs: dict[int, list[Span]] = {}
    spots: list[Hotspot] = []
    for r, row in enumerate(rows):
        c = row[8]
        if c not in ids:
            continue
        x0, ref, first = row[9:]
        span = (top + r, x + x0, x + row[7])
        (refs if ref else full).setdefault(c, []).append(span)
        if first:
            spots.append(Hotspot(c, top + r, x + x0, x + row[7], ref))
    for c in ids:
        if c in full:
            layout.spans[c] = full[c]
        kept = [s for s in layout.ref_spans.get(c, ()) if not on_bone(s[0], s[1])]
        kept += refs.get(c, [])
        if kept:  # in drawing order, as `layout_fishbone` lists them: bone by bone
            layout.ref_spans[c] = sorted(kept, key=lambda sp: (_bone_at(layout, sp), sp[0]))
        else:
            layout.ref_spans.pop(c, None)
    hotspots = layout.hotspots
    at = [k for k, h in enumerate(hotspots) if h.cause_id in ids and on_bone(h.y, h.x_start)]
    if at:  # the bone's hotspots of these causes, in drawing order, replaced in place
        if moved_from is None:
            for k, spot in zip(at, spots, strict=True):
                hotspots[k] = spot
        else:
            hotspots[at[0] : at[-1] + 1] = spots


def _bone_at(layout: FishboneLayout, span: Span) -> int:
    """The index of the bone a span of a label is drawn on."""
    d = layout._drawing
    up = span[0] < layout.spine_y
    for i in d.above if up else d.below:
        _, x, w = d.placement[i]
        if x <= span[1] < x + w:
            return i
    return len(d.placement)


def _shift(layout: FishboneLayout, height: dict[bool, int], grown: dict[bool, int]) -> list[int]:
    """Make room for bones `grown` longer (or shorter) on each side (True: above): the lines
    below each side's bones move down by as much; returns the lines from the first that moved
    to the end (all to be drawn again)."""
    d = layout._drawing
    up_at = d.body_tops[0] + height[True]  # the first line below the upper bones
    down_at = d.body_tops[1] + height[False]  # ... below the lower bones
    dy_up, dy_down = grown[True], grown[False]

    def moved(y: int) -> int:
        return y + (dy_up if y >= up_at else 0) + (dy_down if y >= down_at else 0)

    def spans(rows: list[Span]) -> list[Span]:
        return [(moved(y), x0, x1) for y, x0, x1 in rows]

    recipes = d.recipes
    first = min(up_at if dy_up else down_at, down_at if dy_down else up_at)
    if dy_down:
        top = d.body_tops[1]
        new = height[False] + dy_down
        recipes[top : top + height[False]] = packed(LINE_BODY, 0, range(new))
    if dy_up:
        top = d.body_tops[0]
        new = height[True] + dy_up
        recipes[top : top + height[True]] = packed(LINE_BODY, 1, range(new))
    for table in (layout.spans, layout.ref_spans):
        for cid, rows in table.items():
            if rows[-1][0] >= first:
                table[cid] = spans(rows)
    layout.hotspots[:] = [h if h.y < first else h._replace(y=moved(h.y)) for h in layout.hotspots]
    layout.name_spans[:] = [spans(rows) for rows in layout.name_spans]
    start, count = layout.bottom_labels
    layout.bottom_labels = (moved(start), count)
    layout.spine_y = moved(layout.spine_y)
    d.head_top = moved(d.head_top)
    d.body_tops = (
        d.body_tops[0],
        moved(d.body_tops[1]) if d.body_tops[1] >= up_at else d.body_tops[1],
    )
    old_height = layout.height
    layout.height = len(recipes)
    layout.forget(list(range(first, max(old_height, layout.height))))
    return list(range(first, layout.height))
