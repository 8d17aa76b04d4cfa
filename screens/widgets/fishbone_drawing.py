"""The laid-out fishbone: `FishboneLayout`, its bones, hotspots and cursor stops.

`layout_fishbone()` (screens/widgets/fishbone_layout.py) builds one; the widget asks it for
the lines on screen (composed into Rich segments only when first shown), for the label under
the cursor and for the next stop of an arrow key. Nothing here knows Textual's app or screens.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from models.fishbone import UNLINKED_MARK
from screens.widgets.fishbone_text import cell_width

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
Row = tuple[str, str, "Style | None", str, str, "Style | None", str, int, int, int, bool, bool]


def plain_row(guide: str) -> Row:
    return (guide, "", None, "", "", None, "", len(guide), -1, 0, False, False)


# What each line of the drawing is made of (composed into segments only when shown).
LINE_LABEL, LINE_BAR, LINE_BODY, LINE_STEM, LINE_SPINE, LINE_BLANK, LINE_LEGEND = range(7)


def recipes(kind: int, side: int, indexes: Iterable[int]) -> array[int]:
    """The recipes of lines of one kind, each packed in one int: the kind, the side (1 above
    the spine) and the index of the row, name line or legend line it shows. A 5,000-cause
    drawing has 20,000 lines: an array of ints, not 20,000 tuples (issue 16)."""
    base = kind | side << 3
    return array("q", [base | k << 4 for k in indexes])


def unpack(recipe: int) -> tuple[int, int, int]:
    """(kind, side, index) of a packed recipe."""
    return recipe & 7, recipe >> 3 & 1, recipe >> 4


@dataclass(slots=True)
class Drawing:
    """What `FishboneLayout` needs to compose a line on demand."""

    width: int
    placement: list[tuple[bool, int, int]]
    above: list[int]
    below: list[int]
    blocks: list[list[Row]]
    cat_labels: list[list[str]]
    cat_styles: list[Style]
    recipes: array[int]  # one packed recipe per line (see `recipes`)
    head_top: int
    head_rows: list[list[Segment]]
    head_x: int
    legend: list[list[Segment]]
    bone_st: Style
    spine_st: Style
    suffix_st: Style
    #: The first line of the upper bones' rows and of the lower ones' (`relabel` redraws rows).
    body_tops: tuple[int, int] = (0, 0)


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
        drawing: Drawing,
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

    def forget(self, lines: list[int]) -> None:
        """These lines changed (one label drawn again): compose them afresh when shown."""
        for y in lines:
            self._cache.pop(y, None)

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
        kind, side, index = unpack(d.recipes[y])
        if kind == LINE_BLANK:
            return [Segment(" " * d.width)]
        if kind == LINE_LEGEND:
            return d.legend[index]
        in_head = d.head_top <= y < d.head_top + len(d.head_rows)
        if kind == LINE_SPINE:
            return [Segment("━" * (d.head_x - 1) + "▶", d.spine_st), *d.head_rows[y - d.head_top]]
        up = bool(side)
        bones = d.above if up else d.below
        bar = plain_row("│")
        row_of: list[tuple[int, Row]]
        if kind == LINE_BODY:
            r = index
            row_of = [(i, d.blocks[i][r] if r < len(d.blocks[i]) else bar) for i in bones]
        elif kind == LINE_BAR:
            row_of = [(i, bar) for i in bones]
        elif kind == LINE_LABEL:
            k = index
            row_of = []
            for i in bones:
                label = d.cat_labels[i]
                if k < len(label):
                    text = label[k]
                    row = ("", "", None, "", text, d.cat_styles[i], "", cell_width(text), -1, 0)
                    row_of.append((i, (*row, False, False)))
                elif up:  # the bone starts under a short name
                    row_of.append((i, bar))
        else:  # LINE_STEM: the slanted end of each bone, r = 0 next to the spine
            r = index
            stem = plain_row(" " * (2 - r) + ("╲" if up else "╱")) if r < 2 else bar
            row_of = [(i, stem) for i in bones]
        segs = self._row_segments(row_of, d.head_x if in_head else d.width)
        if in_head:
            segs.extend(d.head_rows[y - d.head_top])
        return segs

    def _row_segments(self, row_of: list[tuple[int, Row]], right: int) -> list[Segment]:
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
