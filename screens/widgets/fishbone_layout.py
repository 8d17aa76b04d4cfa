"""`layout_fishbone()`: where the head, spine, bones and cause labels go for a given width.

A pure function (no app, no screen), O(causes + links): a 2,000-cause investigation lays out
in milliseconds. Which cause hangs on which bone, and in what order, comes from the one model
in `models.fishbone` (`bone_trees`), shared with the reports' picture.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style

from models.fishbone import (
    CONTRIBUTING_MARK,
    DEEPER_MARK,
    LEGEND,
    REF_MARK,
    ROOT_MARK,
    BoneTrees,
    TreeItem,
    bone_trees,
)
from screens.widgets.fishbone_drawing import (
    CATEGORY_LINES,
    DEFAULT_STYLES,
    HEAD_LINES,
    LABEL_LINES,
    LINE_BAR,
    LINE_BLANK,
    LINE_BODY,
    LINE_LABEL,
    LINE_LEGEND,
    LINE_SPINE,
    LINE_STEM,
    MIN_COLUMN,
    MIN_TEXT,
    MIN_WIDTH,
    STEP,
    UNLINKED_SUFFIX,
    Bone,
    Drawing,
    FishboneLayout,
    Hotspot,
    Row,
    Span,
    plain_row,
    recipes,
)
from screens.widgets.fishbone_text import cell_width, clean_text, wrap_label

if TYPE_CHECKING:
    from models.domain import Cause, Link


# --- drawing one bone column ----------------------------------------------------------------


def _bone_rows(
    items: list[TreeItem],
    col_width: int,
    causes: Mapping[int, Cause],
    texts: dict[int, str],
    unlinked: set[int],
    st: Mapping[str, Style],
    memo: dict[tuple, list[Row]] | None = None,
    used: dict[tuple, list[Row]] | None = None,
) -> list[Row]:
    """The rows of one bone column. With `memo` (rows drawn at this width and these styles,
    keyed by everything an item's rows are drawn from), an item drawn before is not wrapped
    again; `used` collects this drawing's items for the next."""
    bone_st = st["bone"]
    if not items:
        text = "(none yet)"
        if len(text) > col_width - 1 - STEP:
            text = "-"
        return [("│  ", "", None, "", text, st["empty"], "", STEP + len(text), -1, 0, False, False)]
    rows: list[Row] = []
    add = rows.append
    right = col_width - 1  # one blank column before the next bone
    cap = max(0, (right - STEP - MIN_TEXT) // STEP)
    last_item = len(items) - 1
    air = plain_row("│")
    # The connector carries the mark: "├◆ " root cause, "├+ " contributing, "├↗ " reference.
    looks = {
        "root": (ROOT_MARK, st["root"], st["root"]),
        "contributing": (CONTRIBUTING_MARK, st["contributing"], st["contributing"]),
    }
    plain = ("─", bone_st, st["cause"])
    loose = ("╌", bone_st, st["cause"])
    ref_mark, ref_st = REF_MARK, st["ref"]
    # The guides of a level repeat down the whole bone: one string of each, not one per row.
    shared: dict[str, str] = {}
    one = shared.setdefault
    for n, item in enumerate(items):
        cid, depth, later, ref = item
        if depth == 0 and n:
            add(air)  # air between top-level causes
        key: tuple = ()
        if memo is not None and used is not None:
            nxt = items[n + 1][1] if n < last_item else -1
            key = (item, nxt, cid in unlinked, causes[cid].kind, texts[cid])
            done = memo.get(key)
            if done is not None:
                rows += done
                used[key] = done
                continue
        start = len(rows)
        if depth == 0:
            guides = ""
            goes_on = True
            deeper = ""
            is_unlinked = cid in unlinked
        else:
            vd = depth if depth < cap else cap
            guides = "".join(["│  " if later[j] else "   " for j in range(vd)])
            # Levels deeper than `cap` share its column: the line there goes on while the next
            # item is at least that deep (a sibling, a sub-cause, an ancestor's sibling).
            goes_on = later[depth] if depth < cap else n < last_item and items[n + 1][1] >= cap
            deeper = DEEPER_MARK * min(depth - vd, 3)  # at most 3: the text needs room
            is_unlinked = False
        if ref:
            mark, mark_st, text_st = ref_mark, ref_st, ref_st
            max_lines = 1
        else:
            mark, mark_st, text_st = looks.get(causes[cid].kind, loose if is_unlinked else plain)
            max_lines = LABEL_LINES
        x_text = len(guides) + STEP
        suffix = UNLINKED_SUFFIX if is_unlinked else ""
        lines = wrap_label(texts[cid], right - x_text - len(deeper) - len(suffix), max_lines)
        last = len(lines) - 1
        lead = guides + ("├" if goes_on else "└")
        lead = one(lead, lead)
        cont = guides + ("│  " if goes_on else "   ") + " " * len(deeper)
        cont = one(cont, cont)
        gap = one(" " + deeper, " " + deeper)
        x_line = x_text + len(deeper)
        for k, line in enumerate(lines):
            w = x_line + (len(line) if line.isascii() else cell_len(line))
            end = ""
            if suffix and k == last:
                end = suffix
                w += len(suffix)
            if k == 0:
                add((lead, mark, mark_st, gap, line, text_st, end, w, cid, x_line, ref, True))
            else:
                add((cont, "", None, "", line, text_st, end, w, cid, x_line, ref, False))
        if used is not None:
            used[key] = rows[start:]
    return rows


def _cached_blocks(
    cache: LayoutCache,
    bone_items: list[list[TreeItem]],
    placement: list[tuple[bool, int, int]],
    by_id: Mapping[int, Cause],
    unlinked: set[int],
    st: Mapping[str, Style],
) -> tuple[list[list[Row]], dict[int, str]]:
    """Each bone's rows as `_bone_rows` draws them, taken from `cache` when every input of
    that bone (its tree, width, styles, and each cause's text, kind and unlinked mark) is the
    same as last time; the cache is left holding this layout's."""
    old_texts, new_texts = cache.texts, {}
    texts: dict[int, str] = {}
    for cid, c in by_id.items():
        raw = c.text
        clean = old_texts.get(raw)
        if clean is None:
            clean = clean_text(raw)
        new_texts[raw] = texts[cid] = clean
    drawn_for = (tuple(w for _, _, w in placement), tuple(st.items()))
    if drawn_for != cache.for_:
        cache.for_, cache.rows = drawn_for, {}
    blocks = []
    memos = []  # one per bone: an item's rows depend on its column's width
    for i, (items, (_, _, w)) in enumerate(zip(bone_items, placement, strict=True)):
        memo = cache.rows.get(i, {})
        used: dict[tuple, list[Row]] = {}
        blocks.append(_bone_rows(items, w, by_id, texts, unlinked, st, memo, used))
        memos.append(used)
    cache.rows = dict(enumerate(memos))
    cache.texts = new_texts
    cache.clean = texts
    return blocks, texts


def _columns(count: int, width: int, last_min: int) -> list[tuple[int, int]]:
    """(x, width) of `count` bone columns across `width`; the last one at least `last_min`."""
    if count == 0:
        return []
    if count == 1:
        return [(0, width)]
    col = width // count
    if width - (count - 1) * col < last_min:
        col = max(MIN_COLUMN, (width - last_min) // (count - 1))
    cols = [(i * col, col) for i in range(count - 1)]
    cols.append(((count - 1) * col, width - (count - 1) * col))
    return cols


def _legend_lines(width: int, st: Mapping[str, Style]) -> list[list[Segment]]:
    lines: list[list[Segment]] = []
    cur: list[Segment] = []
    cur_w = 0
    for mark, meaning in LEGEND:
        w = len(mark) + 1 + len(meaning) + (3 if cur else 0)
        if cur and cur_w + w > width:
            cur.append(Segment(" " * (width - cur_w)))
            lines.append(cur)
            cur, cur_w, w = [], 0, w - 3
        if cur:
            cur.append(Segment("   "))
        cur += [Segment(mark, st["mark"]), Segment(" "), Segment(meaning, st["legend"])]
        cur_w += w
    cur.append(Segment(" " * max(0, width - cur_w)))
    lines.append(cur)
    return lines


class LayoutCache:
    """What one layout of a view computed that the next can reuse: each item's rows (keyed by
    everything they are drawn from, for one width and set of styles) and each cause text
    cleaned. After an edit of one cause only its label is wrapped again; a 5,000-cause undo is
    not a 5,000-cause relayout. Holds what the latest layout used, nothing older."""

    __slots__ = ("clean", "for_", "rows", "texts", "trees", "trees_for")

    def __init__(self) -> None:
        self.for_: tuple = ()  # (column widths, styles) the rows were drawn for
        self.rows: dict[int, dict[tuple, list[Row]]] = {}  # bone -> item key -> rows
        self.texts: dict[str, str] = {}
        self.clean: dict[int, str] = {}  # each cause's text as drawn, by id
        self.trees_for: tuple = ()  # the categories, causes' places and links of `trees`
        self.trees: BoneTrees | None = None

    def bone_trees(
        self, categories: Sequence[str], causes: list[Cause], links: list[Link]
    ) -> BoneTrees:
        """`bone_trees()`, placed again only when a category, a cause's kind or category, or
        a link differs from last time (the causes themselves are always the ones given)."""
        # The causes and links themselves are kept (they are frozen), not a tuple of their
        # fields each: 5,000 tuples were 0.7 MB held for the comparison alone.
        key = (tuple(categories), tuple(causes), tuple(links))
        if self.trees is None or not _same_places(self.trees_for, key):
            self.trees_for, self.trees = key, bone_trees(categories, causes, links)
            return self.trees
        by_id: dict[int, Cause] = {}
        for c in causes:
            by_id.setdefault(c.id, c)  # the first of an id, as bone_trees() keeps
        return replace(self.trees, causes=by_id)


def _same_places(old: tuple, new: tuple) -> bool:
    """Whether the categories, each cause's id, kind and category, and each link are the same
    in two `LayoutCache.trees_for` keys (what `bone_trees()` places causes by)."""
    if len(old) != 3 or old[0] != new[0]:
        return False
    (_, old_causes, old_links), (_, causes, links) = old, new
    if len(old_causes) != len(causes) or len(old_links) != len(links):
        return False
    for a, b in zip(old_causes, causes, strict=True):
        if a is not b and (a.id != b.id or a.kind != b.kind or a.category != b.category):
            return False
    for la, lb in zip(old_links, links, strict=True):
        if la is not lb and (la.cause_id != lb.cause_id or la.effect_id != lb.effect_id):
            return False
    return True


def layout_fishbone(
    event_text: str,
    categories: Sequence[str],
    causes: Iterable[Cause],
    links: Iterable[Link],
    width: int,
    *,
    styles: Mapping[str, Style] | None = None,
    cache: LayoutCache | None = None,
) -> FishboneLayout:
    """Lay out the fishbone of `causes` and `links` for a terminal `width` cells wide.

    The bones, their trees and the head text follow `models.fishbone.bone_trees()` (one bone
    per category, in order, the first half above the spine; "Uncategorised" for the rest; a
    cause reachable from two places drawn in full once and as a reference "↗ ..." elsewhere;
    "?" after a cause that leads nowhere). Lines are `max(width, MIN_WIDTH)` cells
    (wider only when there are too many bones for even `MIN_COLUMN` cells each). `styles`
    maps the roles of `DEFAULT_STYLES` to Rich styles (the view passes its theme's). `cache`
    (one per view) lets the next layout reuse the bones that did not change.
    """
    st = {**DEFAULT_STYLES, **(styles or {})}

    if cache is None:
        trees = bone_trees(categories, causes, links)
    else:
        trees = cache.bone_trees(categories, list(causes), list(links))
    by_id, unlinked = trees.causes, trees.unlinked
    bone_names, bone_items = trees.names, trees.items
    n_bones = len(bone_names)
    n_above = trees.above
    # The head as the model words it (event text, the event cause's, or NO_EVENT), with its
    # control characters shown rather than blanked.
    event = by_id.get(min(trees.events)) if trees.events else None
    head_text = clean_text(event_text or getattr(event, "text", "")) or trees.head(event_text)

    # --- geometry ----------------------------------------------------------------------------
    W = max(width, MIN_WIDTH)
    # The head takes a fifth of the width (12 to 40 cells), less when many bones need the room:
    # the last bone's stem, a piece of spine and the head box (4 cells of frame) share its column.
    head_room = W - 9 - (max(n_above, 1) - 1) * MIN_COLUMN
    head_lines = wrap_label(head_text, max(8, min(40, max(12, W // 5), head_room)), HEAD_LINES)
    head_inner = max(cell_width(line) for line in head_lines)
    head_w = head_inner + 4
    last_min = head_w + 5  # the last bone's stem and a piece of spine fit left of the head
    for count in (n_above, n_bones - n_above):
        if count > 1:
            W = max(W, (count - 1) * MIN_COLUMN + last_min)
    W = max(W, last_min + 1)
    placement = [(True, x, w) for x, w in _columns(n_above, W, last_min)]
    placement += [(False, x, w) for x, w in _columns(n_bones - n_above, W, last_min)]
    above = list(range(n_above))
    below = list(range(n_above, n_bones))

    if cache is None:
        texts = {cid: clean_text(c.text) for cid, c in by_id.items()}
        blocks = [
            _bone_rows(items, w, by_id, texts, unlinked, st)
            for items, (_, _, w) in zip(bone_items, placement, strict=True)
        ]
    else:
        blocks, texts = _cached_blocks(cache, bone_items, placement, by_id, unlinked, st)
    cat_labels = [
        wrap_label(clean_text(name) or "-", max(1, w - 1), CATEGORY_LINES)
        for name, (_, _, w) in zip(bone_names, placement, strict=True)
    ]
    own = trees.categories
    cat_styles = [st["category"]] * own + [st["unlinked"]] * (n_bones - own)

    t = len(head_lines)
    head_up = 1 + (t - 1) // 2  # box rows above the spine (top border included)
    head_down = t + 1 - head_up  # box rows below the spine (bottom border included)
    label_up = max((len(cat_labels[i]) for i in above), default=0)
    label_down = max((len(cat_labels[i]) for i in below), default=0)
    body_up = max((len(blocks[i]) for i in above), default=0)
    body_down = max((len(blocks[i]) for i in below), default=0)

    # Top to bottom: upper names, the upper bones hanging down to the spine, the spine and
    # head, the lower bones, their names at the far end, the legend.
    lines = recipes(LINE_LABEL, 1, range(label_up))
    if above:
        lines += recipes(LINE_BAR, 1, [0])
    body_top_up = len(lines)
    lines += recipes(LINE_BODY, 1, range(body_up))
    lines += recipes(LINE_STEM, 1, range(max(2, head_up) - 1, -1, -1))
    spine_y = len(lines)
    lines += recipes(LINE_SPINE, 0, [0])
    lines += recipes(LINE_STEM, 0, range(max(2, head_down)))
    body_top_down = len(lines)
    lines += recipes(LINE_BODY, 0, range(body_down))
    if below:
        lines += recipes(LINE_BAR, 0, [0])
    bottom_labels = (len(lines), label_down)
    lines += recipes(LINE_LABEL, 0, range(label_down))
    lines += recipes(LINE_BLANK, 0, [0])
    legend = _legend_lines(W, st)
    lines += recipes(LINE_LEGEND, 0, range(len(legend)))

    spine_st = st["spine"]
    head_rows = [[Segment("╭" + "─" * (head_w - 2) + "╮", spine_st)]]
    for k, line in enumerate(head_lines):
        head_rows.append(
            [
                Segment("┤ " if k == head_up - 1 else "│ ", spine_st),
                Segment(line, st["head"]),
                Segment(" " * (head_inner - cell_width(line) + 1)),
                Segment("│", spine_st),
            ]
        )
    head_rows.append([Segment("╰" + "─" * (head_w - 2) + "╯", spine_st)])

    # --- where each cause is ------------------------------------------------------------------
    hotspots: list[Hotspot] = []
    spans: dict[int, list[Span]] = {}
    ref_spans: dict[int, list[Span]] = {}
    bones: list[Bone] = []
    position: dict[int, tuple[int, int]] = {}
    name_spans: list[list[Span]] = []
    for i, (up, x, _) in enumerate(placement):
        top = body_top_up if up else body_top_down
        ids: list[int] = []
        for r, row in enumerate(blocks[i]):
            cid = row[8]
            if cid < 0:
                continue
            x0, ref, first = row[9:]
            span = (top + r, x + x0, x + row[7])
            if ref:
                ref_spans.setdefault(cid, []).append(span)
            elif first:
                spans[cid] = [span]
                position[cid] = (i, len(ids))
                ids.append(cid)
            else:
                spans[cid].append(span)
            if first:
                hotspots.append(Hotspot(cid, *span, ref))  # the span's ints, not new ones
        bones.append(Bone(bone_names[i], up, x, tuple(ids), uncategorised=i >= own))
        name_row = 0 if up else bottom_labels[0]
        name_spans.append(
            [(name_row + k, x, x + cell_width(t)) for k, t in enumerate(cat_labels[i])]
        )

    drawing = Drawing(
        width=W,
        placement=placement,
        above=above,
        below=below,
        blocks=blocks,
        cat_labels=cat_labels,
        cat_styles=cat_styles,
        recipes=lines,
        head_top=spine_y - head_up,
        head_rows=head_rows,
        head_x=W - head_w,
        legend=legend,
        bone_st=st["bone"],
        spine_st=spine_st,
        suffix_st=st["unlinked"],
        body_tops=(body_top_up, body_top_down),
    )
    return FishboneLayout(
        drawing,
        hotspots=hotspots,
        bones=bones,
        spans=spans,
        ref_spans=ref_spans,
        spine_y=spine_y,
        event_text=head_text,
        position=position,
        top_labels=label_up,
        bottom_labels=bottom_labels,
        name_spans=name_spans,
    )
