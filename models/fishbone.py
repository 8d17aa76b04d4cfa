"""The fishbone as data: which cause hangs on which bone, in what order, and how it is marked.

One model, so the terminal and every file agree. The app's drawing and outline
(`screens/widgets/fishbone.py`, `screens/fishbone.py`), the report model (`exports/report.py`)
and the pictures (`exports/diagrams.py`) all read `bone_trees()`: a cause sits on the same bone,
in the same place, with the same mark, and the bones come in the same order everywhere. Pure:
no Textual, no database; causes are any objects with `id`, `kind`, `category` (and `text`).

The rules:

- One bone per category of the investigation, in its order (a name given twice is one bone). A
  cause whose category is empty, or matches no bone (case, spacing and control characters
  aside), goes on the bone named `UNCATEGORISED`: the investigation's own bone of that name if
  it has one (so the bone names of a model, given back, make the same bones), else an extra
  bone after the others, there only when it has causes.
- A top-level cause of a bone is a cause of its category that leads to the event, or that
  leads nowhere ("unlinked", marked `UNLINKED_MARK`). The causes that led to it hang under it,
  depth first, whatever their category, in the order the causes were given (the service gives
  them in id order).
- A cause reachable from two places is given in full once (bones in order, top to bottom) and
  as a reference (`REF_MARK`) everywhere else; a top-level cause is given in full on its bone.
- A link that closes a circle (the service never stores one; another program can) is left
  out, and causes that only a circle reaches become top-level on their own bone.
- Sides: the first half of the bones (the middle one too, when their number is odd) are drawn
  above the spine, left to right, the rest below, left to right (`above_count`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from models.visible import one_line

#: The name of the bone for causes without a (known) category.
UNCATEGORISED = "Uncategorised"
#: What the head says when the investigation has no event yet.
NO_EVENT = "(event not set)"

#: Marks put before a cause's text: characters, so they survive a monochrome terminal and a
#: black-and-white print.
ROOT_MARK = "◆"
CONTRIBUTING_MARK = "+"
#: Before a reference to a cause given in full elsewhere.
REF_MARK = "↗"
#: After the text of a top-level cause that leads nowhere (no effect at all).
UNLINKED_MARK = "?"
#: One per level of "why" deeper than a drawing has room to indent.
DEEPER_MARK = "›"
#: The mark of each cause kind that has one (stored keys of `models.vocab.CauseKind`).
KIND_MARKS: dict[str, str] = {"root": ROOT_MARK, "contributing": CONTRIBUTING_MARK}

#: What each mark means, in the words every legend uses (a writer may say how it is styled).
LEGEND: tuple[tuple[str, str], ...] = (
    (ROOT_MARK, "root cause"),
    (CONTRIBUTING_MARK, "contributing factor"),
    (UNLINKED_MARK, "not linked to anything"),
    (REF_MARK, "drawn in full on another bone"),
)

_CONTROL = {i: " " for i in (*range(32), *range(0x7F, 0xA0))}


def kind_mark(kind: str | None) -> str:
    """The mark of a cause kind ("◆" root cause, "+" contributing factor), else ""."""
    return KIND_MARKS.get(kind or "", "")


def clean_line(text: str | None) -> str:
    """One line of plain text: control characters shown as their pictures (as typed, never
    silently changed: `models.visible`), tabs, line breaks and runs of spaces as one space."""
    return one_line(text)


def _fold(name: str) -> str:
    """How a category is matched to a bone: case, spacing and control characters aside."""
    if not name.isprintable():
        name = name.translate(_CONTROL)
    return " ".join(name.split()).casefold()


def above_count(bones: int) -> int:
    """How many of `bones` bones are drawn above the spine (the first ones)."""
    return (bones + 1) // 2


#: A cause in a bone's tree: (cause id, depth, later, is a reference), where later[j] for
#: j in 0..depth says whether the level-j ancestor (the cause itself at `depth`) has a later
#: sibling; later[0] is the bone, which always goes on.
TreeItem = tuple[int, int, tuple[bool, ...], bool]


@dataclass(frozen=True, slots=True)
class BoneTrees:
    """Which cause hangs where.

    `names` are the bones in order (an extra `UNCATEGORISED` bone last, only when it has
    causes; the first `categories` names are the investigation's own). `items[i]` is the tree
    of bone i, depth first (see `TreeItem`). `causes` maps each id to its cause, in the order
    given; `events` are the causes of kind "event"; `unlinked` holds the top-level causes that
    lead nowhere.
    """

    names: list[str]
    items: list[list[TreeItem]]
    categories: int
    causes: dict[Any, Any]
    events: list[Any]
    unlinked: set[Any]

    @property
    def above(self) -> int:
        """How many bones are drawn above the spine (the first ones, see `above_count`)."""
        return above_count(len(self.names))

    def is_own(self, bone: int) -> bool:
        """Whether bone `bone` is one of the investigation's categories (not the extra one)."""
        return bone < self.categories

    def tops(self, bone: int) -> int:
        """How many top-level causes bone `bone` has."""
        return sum(1 for item in self.items[bone] if item[1] == 0)

    def head(self, event_text: str | None = None) -> str:
        """What the head says: `event_text`, else the text of the (first) event, else
        `NO_EVENT`; on one line."""
        text = clean_line(event_text)
        if not text and self.events:
            text = clean_line(getattr(self.causes[min(self.events)], "text", ""))
        return text or NO_EVENT


def bone_trees(categories: Sequence[str], causes: Iterable[Any], links: Iterable[Any]) -> BoneTrees:
    """Place every cause on a bone (see the module docstring), in O(causes + links).

    `links` have `cause_id` and `effect_id` ("cause led to effect"); a link to or from an
    unknown cause, a link to itself and a link from the event are ignored.
    """
    by_id: dict[Any, Any] = {}
    events: list[Any] = []
    for c in causes:
        if c.id in by_id:
            continue
        by_id[c.id] = c
        if c.kind == "event":
            events.append(c.id)
    event_set = set(events)
    children: dict[Any, list[Any]] = {}
    has_effect: set[Any] = set()
    to_event: set[Any] = set()
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

    # --- which causes are top-level on which bone ------------------------------------------
    names: list[str] = []
    index: dict[str, int] = {}
    loose: dict[str, int] = {}
    for name in categories:
        if name in index:
            continue
        index[name] = len(names)
        loose.setdefault(_fold(name), len(names))
        names.append(name)
    extra = len(names)
    other = loose.get(_fold(UNCATEGORISED), extra)
    tops: list[list[Any]] = [[] for _ in range(extra + 1)]
    top_set: set[Any] = set()
    unlinked: set[Any] = set()

    def bone_of(category: str | None) -> int:
        if not category:
            return other
        found = index.get(category)
        if found is None:
            found = loose.get(_fold(category), other)
        return found

    for cid, c in by_id.items():
        if cid in event_set:
            continue
        if cid in to_event or cid not in has_effect:
            tops[bone_of(c.category)].append(cid)
            top_set.add(cid)
            if cid not in has_effect:
                unlinked.add(cid)

    def reach(start: Iterable[Any]) -> None:
        todo = list(start)
        while todo:
            for kid in children.get(todo.pop(), ()):
                if kid not in reached:
                    reached.add(kid)
                    todo.append(kid)

    # Every cause of an acyclic graph leads to a top-level one; a circle of links can leave
    # some unreached: they become top-level too, so each is given.
    reached = set(top_set)
    reach(top_set)
    if len(reached) + len(event_set) < len(by_id):
        for cid, c in by_id.items():
            if cid not in reached and cid not in event_set:
                tops[bone_of(c.category)].append(cid)
                top_set.add(cid)
                reached.add(cid)
                reach((cid,))

    drawn: set[Any] = set()
    items = [_bone_items(t, children, top_set, drawn) for t in tops]
    if tops[extra]:
        names.append(UNCATEGORISED)
    else:
        items.pop()
    return BoneTrees(names, items, extra, by_id, events, unlinked)


def _bone_items(
    tops: list[Any],
    children: dict[Any, list[Any]],
    top_set: set[Any],
    drawn: set[Any],
) -> list[TreeItem]:
    """Depth-first: each top-level cause, then its sub-causes (the causes that led to it).

    A cause already given, or one that is top-level somewhere (given in full there), becomes a
    reference. A sub-cause that is also above itself on the current path closes a circle of
    links: that link is left out. Iterative, so a 2,000-deep chain is no problem.
    """
    items: list[TreeItem] = []
    add = items.append
    # Siblings and cousins have the same guides (`later`): one tuple of each, not one per item.
    shared: dict[tuple[bool, ...], tuple[bool, ...]] = {}
    one = shared.setdefault
    for top in tops:
        drawn.add(top)
        add((top, 0, (True,), False))
        path = [top]  # the causes above the item being placed, path[d] at depth d
        on_path = {top}
        stack: list[tuple[Any, int, tuple[bool, ...]]] = []
        kids = children.get(top, ())
        last = len(kids) - 1
        for k in range(last, -1, -1):
            stack.append((kids[k], 1, (True, k < last)))
        while stack:
            cid, depth, later = stack.pop()
            while len(path) > depth:
                on_path.discard(path.pop())
            if cid in drawn or cid in top_set:
                add((cid, depth, later, True))
                continue
            drawn.add(cid)
            add((cid, depth, later, False))
            kids = children.get(cid, ())
            if not kids:
                continue
            path.append(cid)
            on_path.add(cid)
            if not on_path.isdisjoint(kids):
                kids = [kid for kid in kids if kid not in on_path]
            last = len(kids) - 1
            for k in range(last, -1, -1):
                guides = (*later, k < last)
                stack.append((kids[k], depth + 1, one(guides, guides)))
    return items
