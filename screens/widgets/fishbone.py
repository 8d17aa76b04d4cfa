"""The fishbone (Ishikawa) diagram of an investigation, drawn in the terminal.

Why a drawing and not a list: RCA teams brainstorm causes on a fishbone on paper or a whiteboard,
and the shape itself carries meaning: the event is the HEAD on the right, a SPINE leads to it, and
every contributory-factor category is a BONE, half above the spine and half below, with its causes
hanging off it and the "whys" of each cause indented under it. A clinician recognises that picture
at a glance; a flat list would hide which category is thin and which cause explains which.

Two parts:

- `layout_fishbone()` is a pure function (no app, no Textual screen): it places the head, spine,
  bones and cause labels for a given width and returns a `FishboneLayout` with the drawn lines
  (Rich segments, turned into Textual strips only when a line is shown), a hotspot for every
  drawn label and the keyboard order. It is O(number of causes + links), so a 2,000-cause
  investigation lays out in milliseconds.
- `FishboneView` is a Line API `ScrollView`: `render_line` only draws the lines on screen, and a
  cursor moves over causes and bone names the way the drawing looks (up/down along a bone and
  across the spine, left/right to the next bone on the same side), so an empty bone can be
  chosen too. `bone_trees()`, which places the causes on the bones, is shared with the fishbone
  screen's outline, so the two views never disagree.

User text is never parsed as markup (PITFALLS 1): every label is a plain Rich `Segment`, so a
cause typed as "[bold]x[/]" shows exactly that. Control characters and bidi overrides are shown
as visible symbols (`clean_text`, which is `screens.visible.visible` on one line), so pasted
escape codes cannot reach the terminal.

A cursor move repaints only the rows it changes (the label it leaves and the one it reaches),
not the whole drawing: over SSH a full repaint of the drawing is about 18 kB per key. The
drawing's characters all have an ASCII stand-in of the same width (`rca_tui.terminal`), so a
terminal without UTF-8 gets the same shape in ASCII.

Marks that matter (root cause, contributing factor, not linked, drawn elsewhere) are characters,
not colours, so the drawing reads on a monochrome terminal; a legend under the drawing says what
they mean.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len, chop_cells
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from models.fishbone import (
    CONTRIBUTING_MARK,
    DEEPER_MARK,
    LEGEND,
    REF_MARK,
    ROOT_MARK,
    UNLINKED_MARK,
    TreeItem,
    bone_trees,
)
from screens.formatting import one_line

if TYPE_CHECKING:
    from models.domain import Cause, Link

#: After the text of a top-level cause that leads nowhere.
UNLINKED_SUFFIX = " " + UNLINKED_MARK

#: Narrowest a layout gets; a narrower widget scrolls sideways.
MIN_WIDTH = 48
#: Narrowest bone column, and the least room for a label's text on it.
MIN_COLUMN = 14
MIN_TEXT = 10
#: Columns each level of "why" is indented by ("├─ ").
STEP = 3
#: Most lines of one label, of a category name, of the head.
LABEL_LINES = 3
CATEGORY_LINES = 2
HEAD_LINES = 5

#: Style roles of the drawing, and what they look like without a theme (monochrome-safe).
DEFAULT_STYLES: dict[str, Style] = {
    "bone": Style(),
    "spine": Style(bold=True),
    "category": Style(bold=True),
    "head": Style(bold=True),
    "cause": Style(),
    "root": Style(bold=True),
    "contributing": Style(),
    "mark": Style(bold=True),
    "ref": Style(dim=True),
    "unlinked": Style(bold=True),
    "empty": Style(dim=True),
    "legend": Style(dim=True),
}

def clean_text(text: str | None) -> str:
    """A label's text on one line, with control characters visible (never sent raw)."""
    return one_line(text or "")


def _width(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def _chop(text: str, width: int) -> tuple[str, str]:
    """Split `text` after at most `width` cells."""
    if text.isascii():
        return text[:width], text[width:]
    head = chop_cells(text, width)[0]
    return head, text[len(head) :]


def _ellipsis(line: str, width: int) -> str:
    line = line.rstrip()
    if _width(line) + 1 > width:
        line, _ = _chop(line, max(0, width - 1))
        line = line.rstrip()
    return line + "…"


def wrap_label(text: str, width: int, max_lines: int) -> list[str]:
    """Word-wrap into at most `max_lines` lines of `width` cells; "…" marks a cut.

    `text` must already be clean (see `clean_text`). Only the part that fits is looked at, so
    a 300-character text costs no more than a short one. A word longer than a line is broken
    with a hyphen.
    """
    width = max(1, width)
    max_lines = max(1, max_lines)
    if not text.isascii():
        return _wrap_words(text, width, max_lines)
    n = len(text)
    if n <= width:
        return [text]
    lines: list[str] = []
    start = 0
    while True:
        if n - start <= width:
            lines.append(text[start:])
            return lines
        if len(lines) == max_lines - 1:
            # The last line: as many whole words as fit before the "…".
            cut = text.rfind(" ", start, start + width)
            if cut <= start + width // 3:
                cut = start + width - 1
            lines.append(text[start:cut].rstrip() + "…")
            return lines
        cut = text.rfind(" ", start, start + width + 1)
        if cut <= start:
            cut = start + width - 1 if width >= 6 else start + width
            lines.append(text[start:cut] + ("-" if width >= 6 else ""))
            start = cut
        else:
            lines.append(text[start:cut])
            start = cut + 1


def _wrap_words(text: str, width: int, max_lines: int) -> list[str]:
    """`wrap_label` for text with wide or combining characters (measured in cells)."""
    if cell_len(text) <= width:
        return [text]
    lines: list[str] = []
    words = text.split(" ")
    cur: list[str] = []
    cur_w = 0
    i = 0
    n = len(words)
    while i < n:
        word = words[i]
        ww = cell_len(word)
        if not cur:
            if ww <= width:
                cur = [word]
                cur_w = ww
                i += 1
                continue
            head, rest = _chop(word, width - 1 if width >= 6 else width)
            lines.append(head + ("-" if width >= 6 else ""))
            words[i] = rest
            if len(lines) == max_lines:
                break
            continue
        if cur_w + 1 + ww <= width:
            cur.append(word)
            cur_w += 1 + ww
            i += 1
            continue
        lines.append(" ".join(cur))
        cur = []
        cur_w = 0
        if len(lines) == max_lines:
            break
    else:
        if cur:
            lines.append(" ".join(cur))
        return lines
    lines[-1] = _ellipsis(lines[-1], width)
    return lines


class Hotspot(NamedTuple):
    """Where a cause's label is drawn (its first line); `x_end` is exclusive."""

    cause_id: int
    y: int
    x_start: int
    x_end: int
    #: True for a short reference to a cause that is drawn in full elsewhere.
    ref: bool = False


class Stop(NamedTuple):
    """Where the cursor rests: the label of a cause drawn in full on bone `bone`, or the
    bone's name (`cause` None), so that a bone with no causes yet can be chosen too."""

    bone: int
    cause: int | None = None


@dataclass(frozen=True, slots=True)
class Bone:
    """One category bone: its name, side, and the causes drawn in full on it, top to bottom."""

    name: str
    above: bool
    x: int
    causes: tuple[int, ...]
    uncategorised: bool = False


#: (y, x_start, x_end) of one line of a label.
Span = tuple[int, int, int]

#: One row of a bone column, one flat tuple (it is made for every line of every label):
#: (guide, mark, mark style, gap, text, text style, suffix, cell width,
#:  cause id or -1, x of the text, is a reference, is the first line of its label).
_Row = tuple[str, str, "Style | None", str, str, "Style | None", str, int, int, int, bool, bool]


def _plain_row(guide: str) -> _Row:
    return (guide, "", None, "", "", None, "", len(guide), -1, 0, False, False)


# What each line of the drawing is made of (composed into segments only when shown).
_LABEL, _BAR, _BODY, _STEM, _SPINE, _BLANK, _LEGEND = range(7)


@dataclass(slots=True)
class _Drawing:
    """What `FishboneLayout` needs to compose a line on demand."""

    width: int
    placement: list[tuple[bool, int, int]]
    above: list[int]
    below: list[int]
    blocks: list[list[_Row]]
    cat_labels: list[list[str]]
    cat_styles: list[Style]
    recipes: list[tuple[int, ...]]
    head_top: int
    head_rows: list[list[Segment]]
    head_x: int
    legend: list[list[Segment]]
    bone_st: Style
    spine_st: Style
    suffix_st: Style


class FishboneLayout:
    """A laid-out fishbone: where every cause is, and its lines, composed when first asked for.

    `strip(y)` is line y as a Textual `Strip` (at most `width` cells), `line_text(y)` its plain
    text, `lines` all of them as Rich segments. `hotspots` has one entry per drawn label
    (references included, `ref=True`); `spans[cause_id]` lists every line of a cause's full
    label and `ref_spans[cause_id]` the lines of its references. `bones` gives the keyboard
    order: bones in category order (those above the spine, then those below, each row left to
    right), the causes of each top to bottom; `position[cause_id]` is (bone index, index).
    """

    __slots__ = (
        "_cache",
        "_drawing",
        "bones",
        "bottom_labels",
        "event_text",
        "height",
        "hotspots",
        "name_spans",
        "position",
        "ref_spans",
        "spans",
        "spine_y",
        "top_labels",
        "width",
    )

    def __init__(
        self,
        drawing: _Drawing,
        *,
        hotspots: list[Hotspot],
        bones: list[Bone],
        spans: dict[int, list[Span]],
        ref_spans: dict[int, list[Span]],
        spine_y: int,
        event_text: str,
        position: dict[int, tuple[int, int]],
        top_labels: int,
        bottom_labels: tuple[int, int],
        name_spans: list[list[Span]],
    ) -> None:
        self._drawing = drawing
        self._cache: dict[int, list[Segment]] = {}
        self.width = drawing.width
        self.height = len(drawing.recipes)
        self.hotspots = hotspots
        self.bones = bones
        self.spans = spans
        self.ref_spans = ref_spans
        self.spine_y = spine_y
        self.event_text = event_text
        self.position = position
        #: Lines 0..top_labels-1 hold the names of the upper bones; `bottom_labels` is the
        #: (first line, count) of the names of the lower bones. The view keeps them in sight.
        self.top_labels = top_labels
        self.bottom_labels = bottom_labels
        #: The lines of each bone's name, in `bones` order (the cursor can rest on a name).
        self.name_spans = name_spans

    @property
    def order(self) -> list[int]:
        """Every navigable cause id: bones in order, each top to bottom."""
        return [cid for bone in self.bones for cid in bone.causes]

    @property
    def lines(self) -> list[list[Segment]]:
        """Every line as Rich segments (composes them all: for tests and exports)."""
        return [self.segments(y) for y in range(self.height)]

    def segments(self, y: int) -> list[Segment]:
        line = self._cache.get(y)
        if line is None:
            line = self._cache[y] = self._compose(y)
        return line

    def strip(self, y: int) -> Strip:
        return Strip(self.segments(y))

    def line_text(self, y: int) -> str:
        return "".join(s.text for s in self.segments(y))

    def text_lines(self) -> list[str]:
        """The drawing as plain text."""
        return [self.line_text(y) for y in range(self.height)]

    def first_y(self, cause_id: int) -> int:
        return self.spans[cause_id][0][0]

    def hotspot_at(self, x: int, y: int) -> int | None:
        """The cause whose label covers (x, y), full or reference."""
        for spans in (self.spans, self.ref_spans):
            for cid, rows in spans.items():
                for sy, x0, x1 in rows:
                    if sy == y and x0 <= x < x1:
                        return cid
        return None

    # --- where the cursor can rest, and where each arrow key takes it ------------------------
    def stop_at(self, x: int, y: int) -> Stop | None:
        """The stop under (x, y): a cause's label (full or reference) or a bone's name."""
        cid = self.hotspot_at(x, y)
        if cid is not None:
            return self.stop_of(cid)
        for i, rows in enumerate(self.name_spans):
            if any(sy == y and x0 <= x < x1 for sy, x0, x1 in rows):
                return Stop(i)
        return None

    def stop_of(self, cause_id: int) -> Stop | None:
        where = self.position.get(cause_id)
        return Stop(where[0], cause_id) if where is not None else None

    def stops(self, bone: int) -> list[Stop]:
        """The stops of one bone top to bottom: an upper bone's name is above its causes, a
        lower bone's below them."""
        causes = [Stop(bone, cid) for cid in self.bones[bone].causes]
        return [Stop(bone), *causes] if self.bones[bone].above else [*causes, Stop(bone)]

    def stop_spans(self, stop: Stop) -> list[Span]:
        if stop.cause is None:
            return self.name_spans[stop.bone]
        return self.spans[stop.cause]

    def valid(self, stop: Stop) -> bool:
        if not 0 <= stop.bone < len(self.bones):
            return False
        return stop.cause is None or self.position.get(stop.cause, (-1,))[0] == stop.bone

    def step(self, stop: Stop, direction: str) -> Stop | None:
        """The stop that an arrow key moves to from `stop`, as the drawing shows it; None at
        the edge. Up and down go along the bone, and past its end across the spine to the
        nearest bone on the other side; left and right go to the next bone on the same side,
        to its stop nearest in height."""
        bones = self.bones
        here = bones[stop.bone]
        if direction in ("up", "down"):
            line = self.stops(stop.bone)
            k = line.index(stop) + (1 if direction == "down" else -1)
            if 0 <= k < len(line):
                return line[k]
            if here.above != (direction == "down"):
                return None  # past an upper bone's name, or a lower one's
            other = [i for i, b in enumerate(bones) if b.above != here.above]
            if not other:
                return None
            near = min(other, key=lambda i: (abs(bones[i].x - here.x), bones[i].x))
            line = self.stops(near)
            return line[0] if direction == "down" else line[-1]
        side = [i for i, b in enumerate(bones) if b.above == here.above]
        k = side.index(stop.bone) + (1 if direction == "right" else -1)
        if not 0 <= k < len(side):
            return None
        y = self.stop_spans(stop)[0][0]
        return min(self.stops(side[k]), key=lambda s: abs(self.stop_spans(s)[0][0] - y))

    # --- composing one line ----------------------------------------------------------------
    def _compose(self, y: int) -> list[Segment]:
        d = self._drawing
        recipe = d.recipes[y]
        kind = recipe[0]
        if kind == _BLANK:
            return [Segment(" " * d.width)]
        if kind == _LEGEND:
            return d.legend[recipe[1]]
        in_head = d.head_top <= y < d.head_top + len(d.head_rows)
        if kind == _SPINE:
            return [Segment("━" * (d.head_x - 1) + "▶", d.spine_st), *d.head_rows[y - d.head_top]]
        up = bool(recipe[1])
        bones = d.above if up else d.below
        bar = _plain_row("│")
        row_of: list[tuple[int, _Row]]
        if kind == _BODY:
            r = recipe[2]
            row_of = [(i, d.blocks[i][r] if r < len(d.blocks[i]) else bar) for i in bones]
        elif kind == _BAR:
            row_of = [(i, bar) for i in bones]
        elif kind == _LABEL:
            k = recipe[2]
            row_of = []
            for i in bones:
                label = d.cat_labels[i]
                if k < len(label):
                    text = label[k]
                    row = ("", "", None, "", text, d.cat_styles[i], "", _width(text), -1, 0)
                    row_of.append((i, (*row, False, False)))
                elif up:  # the bone starts under a short name
                    row_of.append((i, bar))
        else:  # _STEM: the slanted end of each bone, r = 0 next to the spine
            r = recipe[2]
            stem = _plain_row(" " * (2 - r) + ("╲" if up else "╱")) if r < 2 else bar
            row_of = [(i, stem) for i in bones]
        segs = self._row_segments(row_of, d.head_x if in_head else d.width)
        if in_head:
            segs.extend(d.head_rows[y - d.head_top])
        return segs

    def _row_segments(self, row_of: list[tuple[int, _Row]], right: int) -> list[Segment]:
        """One line from (bone index, row) pairs, left to right, padded to `right` cells."""
        d = self._drawing
        placement = d.placement
        bone_st = d.bone_st
        segs: list[Segment] = []
        add = segs.append
        at = 0
        for i, row in row_of:
            guide, mark, mark_st, gap, text, text_st, suffix, w = row[:8]
            x = placement[i][1]
            if x > at:
                add(Segment(" " * (x - at)))
            if guide:
                if guide[0] == " ":
                    # Spaces get their own segment: an SVG screenshot drops leading spaces.
                    body = guide.lstrip(" ")
                    add(Segment(guide[: len(guide) - len(body)]))
                    guide = body
                if guide:
                    add(Segment(guide, bone_st))
            if mark:
                add(Segment(mark, mark_st))
            if gap:
                add(Segment(" "))
                if len(gap) > 1:
                    add(Segment(gap[1:], bone_st))
            if text:
                add(Segment(text, text_st))
            if suffix:
                add(Segment(" "))
                add(Segment(suffix.lstrip(), d.suffix_st))
            at = x + w
        if right > at:
            add(Segment(" " * (right - at)))
        return segs


# --- drawing one bone column ----------------------------------------------------------------


def _bone_rows(
    items: list[TreeItem],
    col_width: int,
    causes: Mapping[int, Cause],
    texts: dict[int, str],
    unlinked: set[int],
    st: Mapping[str, Style],
) -> list[_Row]:
    bone_st = st["bone"]
    if not items:
        text = "(none yet)"
        if len(text) > col_width - 1 - STEP:
            text = "-"
        return [("│  ", "", None, "", text, st["empty"], "", STEP + len(text), -1, 0, False, False)]
    rows: list[_Row] = []
    add = rows.append
    right = col_width - 1  # one blank column before the next bone
    cap = max(0, (right - STEP - MIN_TEXT) // STEP)
    last_item = len(items) - 1
    air = _plain_row("│")
    # The connector carries the mark: "├◆ " root cause, "├+ " contributing, "├↗ " reference.
    looks = {
        "root": (ROOT_MARK, st["root"], st["root"]),
        "contributing": (CONTRIBUTING_MARK, st["contributing"], st["contributing"]),
    }
    plain = ("─", bone_st, st["cause"])
    loose = ("╌", bone_st, st["cause"])
    ref_mark, ref_st = REF_MARK, st["ref"]
    for n, (cid, depth, later, ref) in enumerate(items):
        if depth == 0:
            if n:
                add(air)  # air between top-level causes
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
        cont = guides + ("│  " if goes_on else "   ") + " " * len(deeper)
        gap = " " + deeper
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
    return rows


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


def layout_fishbone(
    event_text: str,
    categories: Sequence[str],
    causes: Iterable[Cause],
    links: Iterable[Link],
    width: int,
    *,
    styles: Mapping[str, Style] | None = None,
) -> FishboneLayout:
    """Lay out the fishbone of `causes` and `links` for a terminal `width` cells wide.

    The bones, their trees and the head text follow `models.fishbone.bone_trees()` (one bone
    per category, in order, the first half above the spine; "Uncategorised" for the rest; a
    cause reachable from two places drawn in full once and as a reference "↗ ..." elsewhere;
    "?" after a cause that leads nowhere). Lines are `max(width, MIN_WIDTH)` cells
    (wider only when there are too many bones for even `MIN_COLUMN` cells each). `styles`
    maps the roles of `DEFAULT_STYLES` to Rich styles (the view passes its theme's).
    """
    st = {**DEFAULT_STYLES, **(styles or {})}

    trees = bone_trees(categories, causes, links)
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
    head_inner = max(_width(line) for line in head_lines)
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

    texts = {cid: clean_text(c.text) for cid, c in by_id.items()}
    blocks = [
        _bone_rows(items, w, by_id, texts, unlinked, st)
        for items, (_, _, w) in zip(bone_items, placement, strict=True)
    ]
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
    recipes: list[tuple[int, ...]] = [(_LABEL, 1, k) for k in range(label_up)]
    if above:
        recipes.append((_BAR, 1))
    body_top_up = len(recipes)
    recipes += [(_BODY, 1, r) for r in range(body_up)]
    recipes += [(_STEM, 1, r) for r in range(max(2, head_up) - 1, -1, -1)]
    spine_y = len(recipes)
    recipes.append((_SPINE,))
    recipes += [(_STEM, 0, r) for r in range(max(2, head_down))]
    body_top_down = len(recipes)
    recipes += [(_BODY, 0, r) for r in range(body_down)]
    if below:
        recipes.append((_BAR, 0))
    bottom_labels = (len(recipes), label_down)
    recipes += [(_LABEL, 0, k) for k in range(label_down)]
    recipes.append((_BLANK,))
    legend = _legend_lines(W, st)
    recipes += [(_LEGEND, j) for j in range(len(legend))]

    spine_st = st["spine"]
    head_rows = [[Segment("╭" + "─" * (head_w - 2) + "╮", spine_st)]]
    for k, line in enumerate(head_lines):
        head_rows.append(
            [
                Segment("┤ " if k == head_up - 1 else "│ ", spine_st),
                Segment(line, st["head"]),
                Segment(" " * (head_inner - _width(line) + 1)),
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
                hotspots.append(Hotspot(cid, top + r, x + x0, x + row[7], ref))
        bones.append(Bone(bone_names[i], up, x, tuple(ids), uncategorised=i >= own))
        first = 0 if up else bottom_labels[0]
        name_spans.append([(first + k, x, x + _width(t)) for k, t in enumerate(cat_labels[i])])

    drawing = _Drawing(
        width=W,
        placement=placement,
        above=above,
        below=below,
        blocks=blocks,
        cat_labels=cat_labels,
        cat_styles=cat_styles,
        recipes=recipes,
        head_top=spine_y - head_up,
        head_rows=head_rows,
        head_x=W - head_w,
        legend=legend,
        bone_st=st["bone"],
        spine_st=spine_st,
        suffix_st=st["unlinked"],
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


# --- the widget -------------------------------------------------------------------------------


class FishboneView(ScrollView, can_focus=True):
    """The fishbone drawing with a cursor over causes and bone names.

    Call `set_data()` with the investigation's categories, causes and links; the view lays them
    out for its width (again when resized) and keeps the cursor on the same cause. The arrows
    move as the drawing looks (see `FishboneLayout.step`), and the cursor can rest on a bone's
    name, so a bone without causes can be chosen. It posts `CauseHighlighted` whenever the
    cursor moves or the data changes, and `CauseSelected` on Enter on a cause. The screen shows
    the full text of the highlighted cause.
    """

    BINDINGS = [
        Binding("up", "cursor_up", "Up the bone (or across the spine)", show=False),
        Binding("down", "cursor_down", "Down the bone (or across the spine)", show=False),
        Binding("left", "cursor_left", "Bone to the left", show=False),
        Binding("right", "cursor_right", "Bone to the right", show=False),
        Binding("home", "cursor_first", "First cause", show=False),
        Binding("end", "cursor_last", "Last cause", show=False),
        Binding("enter", "select", "Open cause"),
    ]

    COMPONENT_CLASSES = {
        "fishbone--bone",
        "fishbone--spine",
        "fishbone--category",
        "fishbone--head",
        "fishbone--root",
        "fishbone--contributing",
        "fishbone--ref",
        "fishbone--unlinked",
        "fishbone--legend",
        "fishbone--cursor",
        "fishbone--ref-cursor",
    }

    DEFAULT_CSS = """
    FishboneView {
        height: 1fr;
        background: $surface;
        color: $foreground;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
        & > .fishbone--bone { color: $foreground-muted; }
        & > .fishbone--spine { color: $primary; text-style: bold; }
        & > .fishbone--category { color: $text-primary; text-style: bold; }
        & > .fishbone--head { color: $text-warning; text-style: bold; }
        & > .fishbone--root { color: $text-error; text-style: bold; }
        & > .fishbone--contributing { color: $text-secondary; }
        & > .fishbone--ref { color: $text-muted; }
        & > .fishbone--unlinked { color: $text-warning; text-style: bold; }
        & > .fishbone--legend { color: $text-muted; }
        & > .fishbone--cursor {
            background: $block-cursor-blurred-background;
            text-style: underline;
        }
        & > .fishbone--ref-cursor { text-style: underline; }
        &:focus > .fishbone--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """

    #: Where the cursor is: a cause, or a bone's name (None only when there are no bones).
    cursor: reactive[Stop | None] = reactive(None, init=False, repaint=False)  # see watch_cursor

    class CauseHighlighted(Message):
        """The cursor moved, or the data changed. `cause_id` is the cause under the cursor
        (None on a bone's name or when there is nothing), `bone` the name of its bone."""

        def __init__(
            self, fishbone: FishboneView, cause_id: int | None, bone: str | None = None
        ) -> None:
            super().__init__()
            self.fishbone = fishbone
            self.cause_id = cause_id
            self.bone = bone

        @property
        def control(self) -> FishboneView:
            return self.fishbone

    class CauseSelected(Message):
        """Enter was pressed on a cause."""

        def __init__(self, fishbone: FishboneView, cause_id: int) -> None:
            super().__init__()
            self.fishbone = fishbone
            self.cause_id = cause_id

        @property
        def control(self) -> FishboneView:
            return self.fishbone

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._data: tuple[str, list[str], list[Cause], list[Link]] = ("", [], [], [])
        self._layout: FishboneLayout | None = None
        self._styles_used: dict[str, Style] | None = None
        self._laid_out_for = 0
        #: A cause asked for by `select_cause` before there was a layout to find it in.
        self._wanted: int | None = None
        #: Seconds the last layout took (for the benchmark in the tests).
        self.last_layout_seconds = 0.0

    # --- public API --------------------------------------------------------------------------
    @property
    def fishbone_layout(self) -> FishboneLayout | None:
        """The current layout (None until the view has a size)."""
        return self._layout

    @property
    def cursor_cause(self) -> int | None:
        """The cause under the cursor (None on a bone's name, or when there is nothing)."""
        return self.cursor.cause if self.cursor is not None else None

    @property
    def cursor_bone(self) -> Bone | None:
        """The bone the cursor is on: the bone a cause is drawn on, or the bone named."""
        if self._layout is None or self.cursor is None:
            return None
        return self._layout.bones[self.cursor.bone]

    def set_data(
        self,
        event_text: str,
        categories: Sequence[str],
        causes: Iterable[Cause],
        links: Iterable[Link],
    ) -> None:
        """Show these causes; the cursor stays on its cause if it still exists."""
        self._data = (event_text, list(categories), list(causes), list(links))
        self._relayout(announce=True)

    def select_cause(self, cause_id: int) -> bool:
        """Move the cursor to `cause_id` and scroll it into view; False if it is not drawn."""
        layout = self._layout
        if layout is None:
            self._wanted = cause_id
            return True
        stop = layout.stop_of(cause_id)
        if stop is None:
            return False
        if self.cursor == stop:
            self._scroll_to_cursor()
        else:
            self.cursor = stop
        return True

    # --- layout --------------------------------------------------------------------------------
    def _theme_styles(self) -> dict[str, Style]:
        def get(name: str) -> Style:
            # Full styles: a partial one would drop the blending of "muted" (translucent) colours.
            return self.get_component_rich_style(f"fishbone--{name}")

        return {
            "bone": get("bone"),
            "spine": get("spine"),
            "category": get("category"),
            "head": get("head"),
            "cause": Style(),
            "root": get("root"),
            "contributing": get("contributing"),
            "mark": Style(bold=True),
            "ref": get("ref"),
            "unlinked": get("unlinked"),
            "empty": get("ref"),
            "legend": get("legend"),
        }

    def _relayout(self, announce: bool = False) -> None:
        # Hidden (the screen shows its outline instead), the view has no width: it lays out
        # for the width it last had, so the drawing is current the moment it is shown again.
        width = self.scrollable_content_region.width or self._laid_out_for
        if not width:
            return  # laid out on the first resize
        self._laid_out_for = width
        old = self._layout
        old_cursor = self.cursor
        styles = self._theme_styles()
        self._styles_used = styles
        start = time.perf_counter()
        layout = layout_fishbone(*self._data, width, styles=styles)
        self.last_layout_seconds = time.perf_counter() - start
        self._layout = layout
        self.virtual_size = Size(layout.width, layout.height)
        cursor = self._keep_cursor(old, old_cursor, layout)
        self._wanted = None
        changed = cursor != old_cursor
        self.set_reactive(FishboneView.cursor, cursor)
        self.refresh()
        if changed or announce:
            self._announce()
        # Scrolls only if the cursor's label is out of sight (say, causes were added above it).
        self.call_after_refresh(self._scroll_to_cursor)

    def _keep_cursor(
        self, old: FishboneLayout | None, cursor: Stop | None, new: FishboneLayout
    ) -> Stop | None:
        for wanted in (self._wanted, cursor.cause if cursor is not None else None):
            if wanted is not None and (stop := new.stop_of(wanted)) is not None:
                return stop
        if old is not None and cursor is not None and cursor.bone < len(old.bones):
            # The cause went away (or the cursor was on a name): stay on the same bone.
            name = old.bones[cursor.bone].name
            for i, bone in enumerate(new.bones):
                if bone.name == name:
                    if cursor.cause is None or not bone.causes:
                        return Stop(i)
                    k = old.position[cursor.cause][1] if cursor.cause in old.position else 0
                    return Stop(i, bone.causes[min(k, len(bone.causes) - 1)])
        order = new.order
        if order:
            return new.stop_of(order[0])
        return Stop(0) if new.bones else None

    def on_resize(self, event: events.Resize) -> None:
        if self._layout is None or self._laid_out_for != self.scrollable_content_region.width:
            self._relayout(announce=self._layout is None)
        else:
            # Taller or shorter (the panel below grew): keep the cursor clear of the names.
            self.call_after_refresh(self._scroll_to_cursor)

    def on_show(self) -> None:
        width = self.scrollable_content_region.width
        if self._layout is not None and width and width != self._laid_out_for:
            self._relayout()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self._layout is not None and self._theme_styles() != self._styles_used:
            self._relayout()

    # --- cursor ----------------------------------------------------------------------------------
    def validate_cursor(self, value: Stop | None) -> Stop | None:
        layout = self._layout
        if layout is None or (value is not None and layout.valid(value)):
            return value
        return self.cursor

    def watch_cursor(self, old: Stop | None, new: Stop | None) -> None:
        self._refresh_stops(old, new)
        self._scroll_to_cursor()  # a scroll repaints what it shows anyway
        self._announce()

    def _refresh_stops(self, *stops: Stop | None) -> None:
        """Repaint only the cells of these stops (their labels, and the references to their
        causes), not the whole drawing: the highlight is all that changes."""
        layout = self._layout
        if layout is None:
            self.refresh()
            return
        spans: dict[int, list[tuple[int, int]]] = {}
        for stop in stops:
            if stop is None or not layout.valid(stop):
                continue
            refs = layout.ref_spans.get(stop.cause, ()) if stop.cause is not None else ()
            for y, x0, x1 in (*layout.stop_spans(stop), *refs):
                spans.setdefault(y, []).append((x0, x1))
        scroll_x = self.scroll_offset.x
        for row in range(self.scrollable_content_region.height):
            for x0, x1 in spans.get(self._line_at(row), ()):
                self.refresh(Region(x0 - scroll_x, row, x1 - x0, 1))

    def _announce(self) -> None:
        bone = self.cursor_bone
        self.post_message(
            self.CauseHighlighted(self, self.cursor_cause, bone.name if bone else None)
        )

    def _scroll_to_cursor(self) -> None:
        layout = self._layout
        stop = self.cursor
        if layout is None or stop is None or not layout.valid(stop):
            return
        rows = layout.stop_spans(stop)
        y0, y1 = rows[0][0], rows[-1][0]
        x0 = min(r[1] for r in rows)
        x1 = max(r[2] for r in rows)
        bone = layout.bones[stop.bone]
        if bone.above and (stop.cause is None or layout.position[stop.cause][1] == 0):
            y0 = 0  # the first cause of an upper bone: show the category name too
        region = Region(x0, y0, max(1, x1 - x0), y1 - y0 + 1)
        # Room for the sticky category names (see `_line_at`) and one line of context.
        spacing = Spacing(layout.top_labels + 1, 0, layout.bottom_labels[1] + 1, 0)
        wanted = region.grow(spacing).intersection(Region(0, 0, *self.virtual_size))
        view = Region(*self.scroll_offset, *self.scrollable_content_region.size)
        if view.contains_region(wanted):
            return  # in view already: asking to scroll would repaint the scrollbars
        self.scroll_to_region(region, animate=False, spacing=spacing, immediate=True)

    def _step(self, direction: str) -> None:
        if self._layout is None:
            return
        if self.cursor is None or not self._layout.valid(self.cursor):
            self.action_cursor_first()
            return
        target = self._layout.step(self.cursor, direction)
        if target is not None:
            self.cursor = target

    def action_cursor_up(self) -> None:
        self._step("up")

    def action_cursor_down(self) -> None:
        self._step("down")

    def action_cursor_left(self) -> None:
        self._step("left")

    def action_cursor_right(self) -> None:
        self._step("right")

    def action_cursor_first(self) -> None:
        layout = self._layout
        if layout is not None and layout.bones:
            order = layout.order
            self.cursor = layout.stop_of(order[0]) if order else Stop(0)

    def action_cursor_last(self) -> None:
        layout = self._layout
        if layout is not None and layout.bones:
            order = layout.order
            self.cursor = layout.stop_of(order[-1]) if order else Stop(len(layout.bones) - 1)

    def action_select(self) -> None:
        if self.cursor_cause is not None and self._layout is not None:
            self.post_message(self.CauseSelected(self, self.cursor_cause))

    def on_click(self, event: events.Click) -> None:
        if self._layout is None:
            return
        stop = self._layout.stop_at(event.x + self.scroll_offset.x, self._line_at(event.y))
        if stop is not None:
            self.cursor = stop
            if event.chain == 2:
                self.action_select()

    # --- drawing ---------------------------------------------------------------------------------
    def _line_at(self, y: int) -> int:
        """The layout line shown at row `y` of the view.

        While the middle of the upper bones is on screen, their category names stay in the top
        rows (and those of the lower bones in the bottom rows), so a long bone never loses its
        name: a sticky header, as in a spreadsheet.
        """
        scroll_y = self.scroll_offset.y
        layout = self._layout
        line_no = scroll_y + y
        if layout is None:
            return line_no
        height = self.scrollable_content_region.height
        top = layout.top_labels
        first, count = layout.bottom_labels
        if height < top + count + 4:
            return line_no
        if y < top and scroll_y > 0 and scroll_y + top < layout.spine_y - 2:
            return y
        rows_from_bottom = height - y
        if (
            count
            and rows_from_bottom <= count
            and scroll_y + height < first + count
            and scroll_y + height - count > layout.spine_y + 2
        ):
            return first + count - rows_from_bottom
        return line_no

    def render_line(self, y: int) -> Strip:
        scroll_x = self.scroll_offset.x
        width = self.scrollable_content_region.width
        base = self.rich_style
        layout = self._layout
        line_no = self._line_at(y)
        if layout is None or line_no >= layout.height:
            return Strip.blank(width, base)
        strip = layout.strip(line_no)
        stop = self.cursor
        if stop is not None and layout.valid(stop):
            strip = self._highlight(strip, line_no, layout.stop_spans(stop), "fishbone--cursor")
            if stop.cause is not None:
                strip = self._highlight(
                    strip, line_no, layout.ref_spans.get(stop.cause, ()), "fishbone--ref-cursor"
                )
        strip = strip.apply_style(base)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _highlight(
        self, strip: Strip, line_no: int, spans: Iterable[Span], component: str
    ) -> Strip:
        for sy, x0, x1 in spans:
            if sy != line_no:
                continue
            style = self.get_component_rich_style(
                component, partial=component != "fishbone--cursor"
            )
            before, middle, after = strip.divide([x0, x1, strip.cell_length])
            middle = Strip(Segment.apply_style(list(middle), post_style=style), middle.cell_length)
            strip = Strip.join([before, middle, after])
        return strip
