"""A fishbone too large for one printed page, split by bone so its labels stay readable.

A printed label must be at least `MIN_PRINT_PT` (7 pt). The whole fishbone is laid out first;
if the page (landscape or portrait, whichever holds it larger) would shrink its smallest label
below that, the bones are split into parts in the app's order (the outline's, the legend's),
two bones a unit: one above the part's spine, the next below it. Each part is drawn as its own
fishbone with the same event as head: as few parts as keep every label readable, down to one
unit per part, so the parts read bone after bone as the app lists them. A bone still too
large alone is packed into parts by label height (`_pack`): whole top-level causes where they
fit, and a chain of whys too tall for a page cut, with "continued in part N" under the cause
whose whys go on, and that cause repeated "(from part N)" at the top of the next part. Each
cause is drawn in full in exactly one part; the captions name each part's bone and the cause
it continues ("Staff, 3 of 4 (C12 continued)"), the index of the parts.

The parts are keyed "fishbone/NN/<bones>" in the picture map, so the PDF and DOCX writers give
each its own figure (`exports.picture_parts.picture_parts`), named by its bones. The HTML and the
SVG keep the one picture: a browser zooms.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

from exports.pictures.style import BONE_ANGLE, HUGE, LARGE, PAD, REF_PT
from models.fishbone import REF_MARK, bone_trees

#: The smallest type size a printed label may have.
MIN_PRINT_PT = 7.0
#: The picture box of a page in inches (the smaller of Letter and A4, less margins and the
#: caption): landscape first, then portrait. The smallest any writer gives a picture: the
#: HTML's print stylesheet turns a landscape part into a box 9.2 in wide (a part up to 9.5 in
#: wide printed there at 6.8 pt), the DOCX's landscape box is 5.5 in high on A4
#: (`exports.docx._Writer.landscape_picture`), the PDF's is larger.
PAGE_BOXES = ((9.2, 5.5), (6.8, 8.6))
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
    """The bones in twos, in the app's order (the order of the outline, the legend and the
    category list): a part of bones 1 and 2 draws bone 1 above its spine and bone 2 below, so
    the parts read in the order the app lists the bones, not column by column of the whole
    picture (where bone 1 sits over bone 4)."""
    return [list(range(j, min(j + 2, bones))) for j in range(0, bones, 2)]


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


def fishbone_parts(
    event_text: str | None,
    categories: Sequence[str],
    causes: Sequence[Any],
    links: Sequence[Any],
    render: Any,
    measure: Any,
) -> list[tuple[str, Any]]:
    """[(name, picture)]: one unnamed picture when the whole fishbone prints readably,
    otherwise parts named by their bones, in the app's order, and where one bone alone
    is still too large, that bone in parts packed by label height (`_pack`): whole top-level
    causes where they fit ("Staff, 2 of 3"), and a chain of whys too tall for a page continued
    in further parts ("Staff, 3 of 4 (C12 continued)"), the cause repeated at their top.

    `measure(event, categories, causes, links)` gives the laid-out size in inches and a handle
    (a figure with `rca_label_heights`, see `fishbone_figure`); `render(handle)` turns a handle
    into the picture (bytes).
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
    # The plan: pictures ready to print, and bones to be packed into parts.
    plan: list[Any] = []
    for name, part_size, handle, units in drawn:
        if readable(part_size):
            plan.append((name, handle))
            continue
        for b, items in units:
            bone = _Bone(trees, b, list(items), event_text, measure)
            if bone.readable_alone():
                plan.append((trees.names[b], bone.whole))
            else:
                plan.append(bone)
    # Pack, number, draw, bone after bone; a bone whose parts do not all read is packed
    # again, tighter. A part's numbers (its own, and those of the parts its "continued in"
    # lines point to) depend only on the parts before it, so each bone is drawn with its
    # final numbers: settled before the next, never drawn again because a bone before it
    # was cut into more parts.
    n = 0
    for entry in plan:
        if not isinstance(entry, _Bone):
            n += 1
            continue
        for attempt in range(8):
            entry.pack()
            numbers = {(entry.b, ci): n + 1 + ci for ci in range(len(entry.chunks))}
            if entry.draw_all(numbers) or attempt == 7:
                break
            entry.tighten()
        n += len(entry.chunks)
    out: list[tuple[str, Any]] = []
    for entry in plan:
        if isinstance(entry, _Bone):
            out += [(name, render(handle)) for name, handle in entry.named()]
        else:
            out.append((entry[0], render(entry[1])))
    return out


@dataclasses.dataclass(frozen=True, slots=True)
class _Stub:
    """A line drawn as a cause that is not one: "continued in part N" under a cause whose
    further whys are in another part, or a reference to a cause drawn in full elsewhere."""

    id: str
    text: str
    ref: str
    kind: str = "cause"
    category: str | None = None


class _Link(NamedTuple):
    cause_id: Any
    effect_id: Any


#: The label of a continuation, under the cause whose whys go on (NN: the part).
CONTINUED_IN = "continued in part {n}"
#: Before the text of a cause repeated at the top of the part its whys continue in.
CONTINUED_FROM = "(from part {n}) "


@dataclasses.dataclass(slots=True)
class _Chunk:
    """One part of a bone: `header` (an item index, the cause whose whys continue here, drawn
    in full in part `origin`) or None, the items drawn in full, and the items whose further
    whys continue in another chunk (item -> chunk index)."""

    header: int | None
    used: float
    members: list[int] = dataclasses.field(default_factory=list)
    stubs: dict[int, int] = dataclasses.field(default_factory=dict)
    origin: int = -1


class _Bone:
    """One bone too large for a page alone, packed into parts by label height."""

    def __init__(self, trees: Any, b: int, items: list[Any], event: str | None,
                 measure: Any) -> None:
        self.trees, self.b, self.items, self.event, self.measure = trees, b, items, event, measure
        self.tops, self.kids = _tree(items)
        self.chunks: list[_Chunk] = []
        self.drawn: dict[Any, tuple[tuple[float, float], Any]] = {}
        self.handles: list[Any] = []
        self.size, self.whole = self._draw(_Chunk(None, 0.0, list(range(len(items)))), {})
        heights = list(getattr(self.whole, "rca_label_heights", ()))
        if len(heights) != len(items):  # a measure without heights: one line each
            heights = [0.2] * len(items)
        self.hh = [h + PAD for h in heights]
        self.stub_h = min(self.hh, default=0.2)
        self.budget = self._budget()

    def readable_alone(self) -> bool:
        return readable(self.size)

    def _budget(self) -> float:
        """The most label height one part may stack and still print readably, from the whole
        bone's size: its height grows with the labels, its width with the bone's slant."""
        stacked = sum(self.hh)
        w, h = self.size
        w0, h0 = w - stacked * _COT, h - stacked
        s = MIN_PRINT_PT / SMALLEST_PT
        best = 0.0
        for bw, bh in PAGE_BOXES:
            room = min((bw / s - w0) / _COT, bh / s - h0)
            best = max(best, room)
        return max(best * 0.95, 3 * self.stub_h)

    def tighten(self) -> None:
        self.budget *= 0.85
        self.chunks = []

    def pack(self) -> None:
        if not self.chunks:
            self.chunks = _pack(self.tops, self.kids, self.hh, self.budget, self.stub_h)

    def draw_all(self, numbers: dict[tuple[int, int], int]) -> bool:
        """Draw every part with its part numbers; whether all read."""
        self.pack()
        nums = {ci: numbers.get((self.b, ci), 0) for ci in range(len(self.chunks))}
        self.handles = []
        ok = True
        for ch in self.chunks:
            size, handle = self._draw(ch, nums)
            self.handles.append(handle)
            ok = ok and readable(size)
        return ok

    def named(self) -> list[tuple[str, Any]]:
        name = self.trees.names[self.b]
        n = len(self.chunks)
        out = []
        for i, (ch, handle) in enumerate(zip(self.chunks, self.handles, strict=True), 1):
            label = f"{name}, {i} of {n}" if n > 1 else name
            if ch.header is not None:
                label += f" ({_ref(self.trees.causes[self.items[ch.header][0]])} continued)"
            out.append((label, handle))
        return out

    def _draw(self, ch: _Chunk, nums: dict[int, int]) -> tuple[tuple[float, float], Any]:
        key = (ch.header, tuple(ch.members), tuple((i, nums.get(c, 0)) for i, c in
               ch.stubs.items()), nums.get(ch.origin, 0))
        got = self.drawn.get(key)
        if got is None:
            got = self.drawn[key] = self.measure(self.event, *self._subset(ch, nums))
        return got

    def _subset(self, ch: _Chunk, nums: dict[int, int]) -> tuple[list[str], list[Any], list[Any]]:
        """The categories, causes and links that draw chunk `ch` as its own fishbone: the
        tree as it is (each link one edge of it), references and continuations as stubs."""
        trees, items, b = self.trees, self.items, self.b
        name = trees.names[b]
        own = trees.is_own(b)
        event = trees.events[0] if trees.events else None
        chosen: list[Any] = [trees.causes[e] for e in trees.events]
        kept: list[Any] = []
        parent_id: dict[int, Any] = {}
        if ch.header is not None:
            cid = items[ch.header][0]
            cause = trees.causes[cid]
            text = CONTINUED_FROM.format(n=nums.get(ch.origin, 0)) + str(cause.text)
            cause = dataclasses.replace(cause, text=text, **({"category": name} if own else {}))
            chosen.append(cause)
            if event is not None:
                kept.append(_Link(cid, event))
        ids_of: dict[int, Any] = {}
        stack: list[int] = []
        members = set(ch.members)
        for i in ch.members:
            cid, depth, _later, ref = items[i]
            while stack and items[stack[-1]][1] >= depth:
                stack.pop()
            up = stack[-1] if stack else ch.header
            parent_id[i] = ids_of[up] if up is not None and up in ids_of else (
                items[up][0] if up is not None else None)
            cause = trees.causes[cid]
            if ref:
                stub = _Stub(f"ref-{i}", str(cause.text), f"{REF_MARK} {_ref(cause)}")
                chosen.append(stub)
                ids_of[i] = stub.id
            else:
                if depth == 0 and own and getattr(cause, "category", None) != name:
                    cause = dataclasses.replace(cause, category=name)
                chosen.append(cause)
                ids_of[i] = cid
            if parent_id[i] is not None:
                kept.append(_Link(ids_of[i], parent_id[i]))
            elif event is not None and cid not in trees.unlinked:
                kept.append(_Link(ids_of[i], event))
            stack.append(i)
        for i, target in ch.stubs.items():
            stub = _Stub(f"more-{i}", CONTINUED_IN.format(n=nums.get(target, 0)), "↪")
            chosen.append(stub)
            up = ids_of.get(i) if i in members else items[i][0]
            kept.append(_Link(stub.id, up))
        categories = [name] if own else []
        return categories, chosen, kept


_COT = 1.0 / math.tan(math.radians(BONE_ANGLE))


def _ref(cause: Any) -> str:
    ref = getattr(cause, "ref", None)
    cid = getattr(cause, "id", None)
    return str(ref) if ref else (f"C{cid}" if isinstance(cid, int) else str(cid))


def _tree(items: Sequence[Any]) -> tuple[list[int], dict[int, list[int]]]:
    """The top-level items of a bone's tree and each item's children (item indices)."""
    tops: list[int] = []
    kids: dict[int, list[int]] = {i: [] for i in range(len(items))}
    stack: list[int] = []
    for i, item in enumerate(items):
        depth = item[1]
        while stack and items[stack[-1]][1] >= depth:
            stack.pop()
        (kids[stack[-1]] if stack else tops).append(i)
        stack.append(i)
    return tops, kids


def _pack(tops: list[int], kids: dict[int, list[int]], hh: list[float], budget: float,
          stub_h: float) -> list[_Chunk]:
    """A bone's tree in chunks of at most `budget` inches of labels (`hh`: each item's label
    with its gap), in reading order. A subtree goes whole into the current chunk if it fits,
    else into a fresh chunk continuing its parent (a "continued in" stub under the parent)
    if it fits one and this chunk holds more than its ancestors; otherwise it is cut: its cause
    here, its whys after it, continuing in further chunks headed by it."""
    sub = [0.0] * len(hh)
    span = [1] * len(hh)
    for i in range(len(hh) - 1, -1, -1):
        sub[i] = hh[i] + sum(sub[k] for k in kids[i])
        span[i] = 1 + sum(span[k] for k in kids[i])
    chunks = [_Chunk(None, 0.0)]
    home: dict[int, int] = {}

    def continue_(ci: int, parent: int | None) -> int:
        fresh = hh[parent] + stub_h if parent is not None else 0.0
        chunks.append(_Chunk(parent, fresh, origin=home.get(parent, -1) if parent is not None
                             else -1))
        if parent is not None:
            chunks[ci].stubs[parent] = len(chunks) - 1
            chunks[ci].used += stub_h
        return len(chunks) - 1

    def place_whole(ci: int, r: int) -> bool:
        """Put cause `r` with all its whys into part `ci` if they fit there."""
        ch = chunks[ci]
        if ch.used + sub[r] > budget:
            return False
        ch.members.extend(range(r, r + span[r]))
        ch.used += sub[r]
        for i in range(r, r + span[r]):
            home[i] = ci
        return True

    stack: list[tuple[int, int | None, Any]] = [(0, None, iter(tops))]
    while stack:
        ci, parent, todo = stack[-1]
        r = next(todo, None)
        if r is None:
            stack.pop()
            continue
        ch = chunks[ci]
        if place_whole(ci, r):
            continue
        fresh = hh[parent] + stub_h if parent is not None else 0.0
        # A subtree that fits a fresh part goes there whole, unless this part holds nothing
        # but the causes it hangs from (a chain of whys: cut here, not leave this part empty).
        above = sum(1 for _, p, _ in stack if p is not None and home.get(p) == ci)
        whole = sub[r] <= budget - fresh and len(ch.members) > above
        if ch.members and (whole or ch.used + hh[r] + stub_h > budget):
            ci = continue_(ci, parent)
            stack[-1] = (ci, parent, todo)
            ch = chunks[ci]
            if place_whole(ci, r):
                continue
        ch.members.append(r)
        ch.used += hh[r]
        home[r] = ci
        stack.append((ci, r, iter(kids[r])))
    return [c for c in chunks if c.members]


def _groups(columns: list[Any], parts: int) -> list[list[Any]]:
    """`columns` cut into `parts` runs of adjacent ones, as even as they go."""
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

    return fishbone_figure_parts(
        event_text, categories, causes, links, render=lambda fig: to_png(fig, grayscale=grayscale)
    )


def fishbone_figure_parts(
    event_text: str | None,
    categories: Sequence[str],
    causes: Sequence[Any],
    links: Sequence[Any],
    *,
    render: Any = None,
) -> list[tuple[str, Any]]:
    """The parts as matplotlib figures (or what `render` makes of each)."""
    from exports.pictures.fishbone import fishbone_figure

    causes = list(causes)
    # The whole in its own style; its parts all alike, with C-numbers (the captions and the
    # "continued" lines name causes by them) and at most two lines a label.
    crowd: list[int | None] = [None]
    # The same bones are laid out more than once (a group of bones, then a bone of it alone
    # when it is one of a group): each drawing once.
    drawn: dict[Any, tuple[tuple[float, float], Any]] = {}

    def measure(event: Any, cats: Any, cs: Any, ls: Any) -> tuple[tuple[float, float], Any]:
        key = (event, tuple(cats), tuple(map(_drawn_as, cs)),
               tuple((lk.cause_id, lk.effect_id) for lk in ls), _style(crowd[0]))
        got = drawn.get(key)
        if got is None:
            fig = fishbone_figure(event, cats, cs, ls, crowd=crowd[0])
            w, h = fig.get_size_inches()
            got = drawn[key] = ((float(w), float(h)), fig)
        crowd[0] = min(max(len(cs), LARGE + 1), HUGE)
        return got

    return fishbone_parts(
        event_text,
        categories,
        causes,
        list(links),
        render=render or (lambda fig: fig),
        measure=measure,
    )


def _drawn_as(cause: Any) -> tuple[Any, ...]:
    """What a fishbone draws of a cause (see `exports.pictures.canvas.read_graph`)."""
    return tuple(getattr(cause, k, None) for k in ("id", "text", "kind", "category", "ref"))


def _style(crowd: int | None) -> tuple[bool, bool] | None:
    """What `crowd` changes in a drawing (see `fishbone_figure`): C-numbers and two lines a
    label past LARGE causes, one line past HUGE; None: the causes drawn decide."""
    return None if crowd is None else (crowd > LARGE, crowd > HUGE)
