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
  cursor moves over causes (up/down within a bone, left/right between bones).

User text is never parsed as markup (PITFALLS 1): every label is a plain Rich `Segment`, so a
cause typed as "[bold]x[/]" shows exactly that. Control characters are replaced, so pasted escape
codes cannot reach the terminal. Marks that matter (root cause, contributing factor, not linked,
drawn elsewhere) are characters, not colours, so the drawing reads on a monochrome terminal; a
legend under the drawing says what they mean.
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

if TYPE_CHECKING:
    from models.domain import Cause, Link

#: The name of the extra bone for causes without a (known) category.
UNCATEGORISED = "Uncategorised"
#: What the head says when the investigation has no event yet.
NO_EVENT = "(event not set)"

#: Marks put before a label's text (characters, so they survive a monochrome terminal).
ROOT_MARK = "◆"
CONTRIBUTING_MARK = "+"
REF_MARK = "↗"
#: After the text of a cause that leads nowhere (no effect at all).
UNLINKED_MARK = " ?"
#: One per level of "why" deeper than the bone has room to indent.
DEEPER_MARK = "›"

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

LEGEND = (
    ("◆", "root cause"),
    ("+", "contributing factor"),
    ("?", "not linked to anything"),
    ("↗", "drawn in full on another bone"),
)

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

_CONTROL = {i: " " for i in (*range(32), *range(0x7F, 0xA0))}


def clean_text(text: str | None) -> str:
    """One line of plain text: control characters become spaces, runs of spaces become one."""
    if not text:
        return ""
    if not text.isprintable():
        text = text.translate(_CONTROL)
    return " ".join(text.split())


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


# --- building the tree of each bone ---------------------------------------------------------


#: A cause in a bone's tree: (cause id, depth, later, is a reference), where later[j] for
#: j in 0..depth says whether the level-j ancestor (the cause itself at `depth`) has a later
#: sibling; later[0] is the bone, which always goes on.
_Item = tuple[int, int, tuple[bool, ...], bool]


def _bone_items(
    tops: list[int],
    children: Mapping[int, list[int]],
    top_set: set[int],
    drawn: set[int],
) -> list[_Item]:
    """Depth-first: each top-level cause, then its sub-causes (the causes that led to it).

    A cause already drawn, or one that is top-level somewhere (drawn in full there), becomes a
    reference. Every cause on the current path has been drawn, so a cycle (which the service
    never stores) ends in a reference too.
    """
    items: list[_Item] = []
    add = items.append
    for top in tops:
        drawn.add(top)
        add((top, 0, (True,), False))
        stack: list[tuple[int, int, tuple[bool, ...]]] = []
        kids = children.get(top, ())
        last = len(kids) - 1
        for k in range(last, -1, -1):
            stack.append((kids[k], 1, (True, k < last)))
        while stack:
            cid, depth, later = stack.pop()
            if cid in drawn or cid in top_set:
                add((cid, depth, later, True))
                continue
            drawn.add(cid)
            add((cid, depth, later, False))
            kids = children.get(cid, ())
            last = len(kids) - 1
            for k in range(last, -1, -1):
                stack.append((kids[k], depth + 1, (*later, k < last)))
    return items


# --- drawing one bone column ----------------------------------------------------------------


def _bone_rows(
    items: list[_Item],
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
        suffix = UNLINKED_MARK if is_unlinked else ""
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

    The head shows `event_text`, else the text of the cause of kind "event", else
    "(event not set)". One bone per category, in order, the first half above the spine; causes
    whose category is empty or not in `categories` go on an extra "Uncategorised" bone (drawn
    only when it has causes). A top-level cause of a bone is one of its category that leads to
    the event, or leads nowhere (marked "?"); the causes that led to it are drawn under it,
    depth first, whatever their category. A cause reachable from two places is drawn in full
    once and as a reference ("↗ ...") elsewhere. Lines are `max(width, MIN_WIDTH)` cells
    (wider only when there are too many bones for even `MIN_COLUMN` cells each). `styles`
    maps the roles of `DEFAULT_STYLES` to Rich styles (the view passes its theme's).
    """
    st = {**DEFAULT_STYLES, **(styles or {})}

    # --- the graph -------------------------------------------------------------------------
    by_id: dict[int, Cause] = {}
    events_ids: list[int] = []
    for c in causes:
        if c.id in by_id:
            continue
        by_id[c.id] = c
        if c.kind == "event":
            events_ids.append(c.id)
    event_set = set(events_ids)
    children: dict[int, list[int]] = {}
    has_effect: set[int] = set()
    to_event: set[int] = set()
    for link in links:
        a, b = link.cause_id, link.effect_id
        if a == b or a not in by_id or b not in by_id or a in event_set:
            continue
        has_effect.add(a)
        if b in event_set:
            to_event.add(a)
        else:
            children.setdefault(b, []).append(a)
    if children:
        pos = {cid: i for i, cid in enumerate(by_id)}
        for b, kids in children.items():
            if len(kids) > 1:
                children[b] = sorted(set(kids), key=pos.__getitem__)

    head_text = clean_text(event_text)
    if not head_text and events_ids:
        head_text = clean_text(by_id[min(events_ids)].text)
    head_text = head_text or NO_EVENT

    # --- which causes are top-level on which bone -------------------------------------------
    names: list[str] = []
    index: dict[str, int] = {}
    loose: dict[str, int] = {}
    for name in categories:
        if name in index:
            continue
        index[name] = len(names)
        loose.setdefault(clean_text(name).casefold(), len(names))
        names.append(name)
    uncat = len(names)
    tops: list[list[int]] = [[] for _ in range(uncat + 1)]
    top_set: set[int] = set()
    unlinked: set[int] = set()

    def bone_of(category: str | None) -> int:
        if not category:
            return uncat
        found = index.get(category)
        if found is None:
            found = loose.get(clean_text(category).casefold(), uncat)
        return found

    for cid, c in by_id.items():
        if cid in event_set:
            continue
        if cid in to_event or cid not in has_effect:
            tops[bone_of(c.category)].append(cid)
            top_set.add(cid)
            if cid not in has_effect:
                unlinked.add(cid)

    def reach(start: Iterable[int]) -> None:
        todo = list(start)
        while todo:
            for kid in children.get(todo.pop(), ()):
                if kid not in reached:
                    reached.add(kid)
                    todo.append(kid)

    # Every cause of an acyclic graph leads to a top-level one; a cycle (never from the service)
    # could leave some unreached: they become top-level too, so each cause is drawn in full.
    reached = set(top_set)
    reach(top_set)
    if len(reached) + len(event_set) < len(by_id):
        for cid, c in by_id.items():
            if cid not in reached and cid not in event_set:
                tops[bone_of(c.category)].append(cid)
                top_set.add(cid)
                reached.add(cid)
                reach((cid,))

    drawn: set[int] = set()
    bone_items = [_bone_items(t, children, top_set, drawn) for t in tops]
    bone_names = [*names]
    if tops[uncat]:
        bone_names.append(UNCATEGORISED)
    else:
        bone_items.pop()
    n_bones = len(bone_names)
    n_above = (n_bones + 1) // 2

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
    cat_styles = [st["category"]] * len(names) + [st["unlinked"]] * (n_bones - len(names))

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
        bones.append(Bone(bone_names[i], up, x, tuple(ids), uncategorised=i >= len(names)))

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
    )


# --- the widget -------------------------------------------------------------------------------


class FishboneView(ScrollView, can_focus=True):
    """The fishbone drawing with a cursor over causes.

    Call `set_data()` with the investigation's categories, causes and links; the view lays them
    out for its width (again when resized) and keeps the cursor on the same cause. It posts
    `CauseHighlighted` whenever the cursor moves or the data changes, and `CauseSelected` on
    Enter. The screen shows the full text of the highlighted cause.
    """

    BINDINGS = [
        Binding("up", "cursor_up", "Previous cause on the bone", show=False),
        Binding("down", "cursor_down", "Next cause on the bone", show=False),
        Binding("left", "cursor_left", "Previous bone", show=False),
        Binding("right", "cursor_right", "Next bone", show=False),
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

    #: The cause under the cursor (None when there are no causes).
    cursor_cause: reactive[int | None] = reactive(None, init=False)

    class CauseHighlighted(Message):
        """The cursor moved to another cause, or the data changed (`cause_id` may be None)."""

        def __init__(self, fishbone: FishboneView, cause_id: int | None) -> None:
            super().__init__()
            self.fishbone = fishbone
            self.cause_id = cause_id

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
        #: Seconds the last layout took (for the benchmark in the tests).
        self.last_layout_seconds = 0.0

    # --- public API --------------------------------------------------------------------------
    @property
    def fishbone_layout(self) -> FishboneLayout | None:
        """The current layout (None until the view has a size)."""
        return self._layout

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
            self.set_reactive(FishboneView.cursor_cause, cause_id)
            return True
        if cause_id not in layout.position:
            return False
        if self.cursor_cause == cause_id:
            self._scroll_to_cursor()
        else:
            self.cursor_cause = cause_id
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
        width = self.scrollable_content_region.width
        if not width:
            return  # laid out on the first resize
        self._laid_out_for = width
        old = self._layout
        old_cursor = self.cursor_cause
        styles = self._theme_styles()
        self._styles_used = styles
        start = time.perf_counter()
        layout = layout_fishbone(*self._data, width, styles=styles)
        self.last_layout_seconds = time.perf_counter() - start
        self._layout = layout
        self.virtual_size = Size(layout.width, layout.height)
        cursor = self._keep_cursor(old, old_cursor, layout)
        changed = cursor != old_cursor
        self.set_reactive(FishboneView.cursor_cause, cursor)
        self.refresh()
        if changed or announce:
            self.post_message(self.CauseHighlighted(self, cursor))
        # Scrolls only if the cursor's label is out of sight (say, causes were added above it).
        self.call_after_refresh(self._scroll_to_cursor)

    @staticmethod
    def _keep_cursor(
        old: FishboneLayout | None, cursor: int | None, new: FishboneLayout
    ) -> int | None:
        if cursor is not None and cursor in new.position:
            return cursor
        if old is not None and cursor is not None and cursor in old.position:
            # The cause went away: take its neighbour on the same bone, if that bone is still there.
            bone_i, k = old.position[cursor]
            name = old.bones[bone_i].name
            for bone in new.bones:
                if bone.name == name and bone.causes:
                    return bone.causes[min(k, len(bone.causes) - 1)]
        order = new.order
        return order[0] if order else None

    def on_resize(self, event: events.Resize) -> None:
        if self._layout is None or self._laid_out_for != self.scrollable_content_region.width:
            self._relayout(announce=self._layout is None)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self._layout is not None and self._theme_styles() != self._styles_used:
            self._relayout()

    # --- cursor ----------------------------------------------------------------------------------
    def validate_cursor_cause(self, value: int | None) -> int | None:
        layout = self._layout
        if layout is None or value in layout.position:
            return value
        if value is None and not layout.position:
            return None
        return self.cursor_cause

    def watch_cursor_cause(self, old: int | None, new: int | None) -> None:
        self.refresh()
        self._scroll_to_cursor()
        self.post_message(self.CauseHighlighted(self, new))

    def _scroll_to_cursor(self) -> None:
        layout = self._layout
        cid = self.cursor_cause
        if layout is None or cid is None or cid not in layout.spans:
            return
        rows = layout.spans[cid]
        y0, y1 = rows[0][0], rows[-1][0]
        x0 = min(r[1] for r in rows)
        x1 = max(r[2] for r in rows)
        bone_i, k = layout.position[cid]
        if k == 0 and layout.bones[bone_i].above:
            y0 = 0  # the first cause of an upper bone: show the category name too
        region = Region(x0, y0, max(1, x1 - x0), y1 - y0 + 1)
        # Room for the sticky category names (see `_line_at`) and one line of context.
        spacing = Spacing(layout.top_labels + 1, 0, layout.bottom_labels[1] + 1, 0)
        self.scroll_to_region(region, animate=False, spacing=spacing, immediate=True)

    def _move_to(self, cause_id: int | None) -> None:
        if cause_id is not None:
            self.cursor_cause = cause_id

    def _where(self) -> tuple[FishboneLayout, int, int] | None:
        layout = self._layout
        cid = self.cursor_cause
        if layout is None or cid is None or cid not in layout.position:
            return None
        bone_i, k = layout.position[cid]
        return layout, bone_i, k

    def action_cursor_up(self) -> None:
        if (where := self._where()) is not None:
            layout, bone_i, k = where
            if k > 0:
                self._move_to(layout.bones[bone_i].causes[k - 1])

    def action_cursor_down(self) -> None:
        if (where := self._where()) is not None:
            layout, bone_i, k = where
            causes = layout.bones[bone_i].causes
            if k + 1 < len(causes):
                self._move_to(causes[k + 1])

    def _to_bone(self, step: int) -> None:
        where = self._where()
        if where is None:
            self.action_cursor_first()
            return
        layout, bone_i, k = where
        y = layout.first_y(layout.bones[bone_i].causes[k])
        i = bone_i + step
        while 0 <= i < len(layout.bones):
            causes = layout.bones[i].causes
            if causes:
                self._move_to(min(causes, key=lambda c: abs(layout.first_y(c) - y)))
                return
            i += step

    def action_cursor_left(self) -> None:
        self._to_bone(-1)

    def action_cursor_right(self) -> None:
        self._to_bone(1)

    def action_cursor_first(self) -> None:
        if self._layout is not None and (order := self._layout.order):
            self._move_to(order[0])

    def action_cursor_last(self) -> None:
        if self._layout is not None and (order := self._layout.order):
            self._move_to(order[-1])

    def action_select(self) -> None:
        if self.cursor_cause is not None and self._layout is not None:
            self.post_message(self.CauseSelected(self, self.cursor_cause))

    def on_click(self, event: events.Click) -> None:
        if self._layout is None:
            return
        cid = self._layout.hotspot_at(event.x + self.scroll_offset.x, self._line_at(event.y))
        if cid is not None:
            self.cursor_cause = cid
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
        cid = self.cursor_cause
        if cid is not None:
            strip = self._highlight(strip, line_no, layout.spans.get(cid, ()), "fishbone--cursor")
            strip = self._highlight(
                strip, line_no, layout.ref_spans.get(cid, ()), "fishbone--ref-cursor"
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
