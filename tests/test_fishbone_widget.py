"""The fishbone drawing: the pure layout (no app) and the widget driven with the keyboard."""

from __future__ import annotations

import random
import time

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult

from models.domain import Cause, Link
from models.fishbone import NO_EVENT, UNCATEGORISED, bone_trees
from models.vocab import LONDON_PROTOCOL
from screens.widgets.fishbone import (
    FishboneLayout,
    FishboneView,
    Stop,
    layout_fishbone,
    wrap_label,
)

P, S, T, TM, ENV, ORG, INST = LONDON_PROTOCOL
WIDTHS = [80, 160, 200]
EVENT = "Patient fell walking to the bathroom unassisted at 03:10 and fractured her left hip"
MARKUP = "[bold]x[/] sitter request [declined] by bed manager"
LONG = "Long " + "x" * 20 + " " + " ".join(["handover"] * 40)  # 300+ characters
assert len(LONG) >= 300

# (id, text, category, kind, effect ids): 30 causes on 6 of the 7 London Protocol bones
# (Institutional context stays empty), with chains of whys, a cause shared by two effects, a
# cause linked to nothing, causes without a known category, bracketed and very long text.
ROWS: list[tuple[int, str, str | None, str, list[int]]] = [
    (1, EVENT, None, "event", []),
    (2, "Patient newly confused overnight", P, "cause", [1]),
    (3, "Diphenhydramine 25 mg at 22:00", P, "contributing", [2]),
    (4, "Delirium screening not scheduled at night", ORG, "root", [2]),
    (5, "Hearing aids left at home", P, "cause", [2]),
    (6, "Urinary frequency from furosemide", P, "contributing", [1]),
    (7, "Bed exit alarm was off", T, "cause", [1]),
    (8, "Alarm silenced during 23:00 repositioning", S, "cause", [7]),
    (9, "Bed needs manual re-arm and shows no sign the alarm is off", T, "cause", [7, 8]),
    (10, "Beds bought without usability testing", ORG, "root", [9]),
    (11, "Night staff did not know the fall risk", TM, "cause", [1]),
    (12, "Handover template has no fall-risk field", TM, "root", [11]),
    (13, "Agency nurse without local induction", S, "contributing", [11, 8]),
    (14, "RN with another patient in a side room", S, "cause", [1]),
    (15, "One RN to eight patients after a sick call", ENV, "contributing", [14]),
    (16, "No escalation route for night sick calls", ORG, "root", [15]),
    (17, "Bathroom 12 m away, route poorly lit", ENV, "cause", [1]),
    (18, "Bay night lights switched off", ENV, "contributing", [17]),
    (19, "Non-slip socks out of stock", ENV, "cause", [1]),
    (20, "Stock ordered by a clerk who left; no cover", ORG, "cause", [19]),
    (21, "Falls policy last reviewed 2019", ORG, "contributing", [1]),
    (22, "Falls not on the board's dashboard", ORG, "cause", [21]),
    (23, "Physiotherapy assessment delayed to day 3", T, "cause", [1]),
    (24, "No weekend physiotherapy cover", ORG, "root", [23]),
    (25, "Toileting round missed at 02:00", TM, "cause", [1]),
    (26, "No buddy cover during emergencies", TM, "cause", [25]),
    (27, "Daughter's concern about confusion not recorded", TM, "cause", [2]),
    (28, "Contract has no falls indicator", ORG, "cause", []),  # linked to nothing
    (29, MARKUP, None, "cause", [1]),  # no category
    (30, LONG, "Equipment", "cause", [1]),  # a category not in the set
    (31, "Call bell out of reach", S, "cause", [1]),
]
CAUSE_IDS = [r[0] for r in ROWS if r[3] != "event"]
assert len(CAUSE_IDS) == 30


def make_data(rows=ROWS) -> tuple[list[Cause], list[Link]]:
    causes = [Cause(id=i, investigation_id=1, text=t, category=c, kind=k) for i, t, c, k, _ in rows]
    links = [
        Link(id=n, investigation_id=1, cause_id=cid, effect_id=eid)
        for n, (cid, eid) in enumerate(((i, e) for i, *_, effects in rows for e in effects), 1)
    ]
    return causes, links


def layout(width: int = 80, event_text: str = "", rows=ROWS) -> FishboneLayout:
    causes, links = make_data(rows)
    return layout_fishbone(event_text, list(LONDON_PROTOCOL), causes, links, width)


def full_spots(lay: FishboneLayout, cause_id: int):
    return [h for h in lay.hotspots if h.cause_id == cause_id and not h.ref]


def label_text(lay: FishboneLayout, cause_id: int) -> str:
    """Every line of a cause's full label, joined."""
    return " ".join(lay.line_text(y)[x0:x1] for y, x0, x1 in lay.spans[cause_id])


def big_data(n: int = 2000, seed: int = 7) -> tuple[list[Cause], list[Link]]:
    """n causes on the 7 bones: a third lead to the event, the rest to an earlier cause."""
    rnd = random.Random(seed)
    words = ["patient", "nurse", "alarm", "handover", "dose", "pump", "chart", "night", "bed"]
    causes = [Cause(id=1, investigation_id=1, text=EVENT, kind="event")]
    links: list[Link] = []
    for i in range(2, n + 2):
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(3, 25)))
        kind = rnd.choice(["cause", "cause", "contributing", "root"])
        causes.append(Cause(i, 1, text, rnd.choice(LONDON_PROTOCOL), kind))
        effect = 1 if i < 40 or rnd.random() < 0.3 else rnd.randint(2, i - 1)
        links.append(Link(len(links) + 1, 1, i, effect))
    return causes, links


# --- the pure layout ------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_every_cause_is_drawn_once_in_full(width):
    lay = layout(width)
    full = [h.cause_id for h in lay.hotspots if not h.ref]
    assert sorted(full) == sorted(CAUSE_IDS)
    assert sorted(lay.order) == sorted(CAUSE_IDS)
    assert 1 not in {h.cause_id for h in lay.hotspots}  # the event is the head, not a bone


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_is_wider_than_the_terminal(width):
    lay = layout(width)
    assert lay.width == width
    for y, text in enumerate(lay.text_lines()):
        assert cell_len(text) <= width, (y, text)
        assert lay.strip(y).cell_length <= width
    for h in lay.hotspots:
        assert 0 <= h.x_start < h.x_end <= width
    for spans in (*lay.spans.values(), *lay.ref_spans.values()):
        for y, x0, x1 in spans:
            assert 0 <= x0 < x1 <= width
            assert y < lay.height


@pytest.mark.parametrize("width", WIDTHS)
def test_hotspots_point_at_their_labels(width):
    lay = layout(width)
    causes, _ = make_data()
    text = {c.id: c.text for c in causes}
    for h in lay.hotspots:
        drawn = lay.line_text(h.y)[h.x_start : h.x_end].rstrip(" ?…-")
        # the first line of the label is the start of the cause's text (markup untouched)
        assert text[h.cause_id].startswith(drawn.split("…")[0].rstrip("-")), (h, drawn)


def test_seven_bones_four_above_three_below_in_category_order():
    lay = layout(160)
    names = [b.name for b in lay.bones]
    assert names == [*LONDON_PROTOCOL, UNCATEGORISED]
    assert [b.above for b in lay.bones] == [True] * 4 + [False] * 4
    above = [b.x for b in lay.bones if b.above]
    assert above == sorted(above)
    # every name is written, those of the upper bones above the spine
    text = lay.text_lines()
    for bone in lay.bones:
        first_word = bone.name.split()[0]
        rows = [y for y, line in enumerate(text) if first_word in line[bone.x :]]
        assert rows, bone.name
        assert (min(rows) < lay.spine_y) == bone.above


@pytest.mark.parametrize("width", WIDTHS)
def test_sub_causes_hang_under_their_parent(width):
    lay = layout(width)
    for parent, child in [(2, 3), (2, 4), (2, 5), (7, 8), (8, 9), (9, 10), (14, 15), (15, 16)]:
        (p,) = full_spots(lay, parent)
        (c,) = full_spots(lay, child)
        assert lay.position[parent][0] == lay.position[child][0]  # same bone
        assert c.y > p.y and c.x_start > p.x_start
        assert lay.position[child][1] > lay.position[parent][1]  # and after it in key order
    # "Delirium screening" is an Organisation cause, drawn under the Patient cause it explains
    assert lay.bones[lay.position[4][0]].name == P


@pytest.mark.parametrize("width", WIDTHS)
def test_a_shared_cause_is_drawn_once_and_referenced_elsewhere(width):
    lay = layout(width)
    for shared in (9, 13):  # 9 led to 7 and 8; 13 led to 11 and 8
        assert len(full_spots(lay, shared)) == 1
        refs = [h for h in lay.hotspots if h.cause_id == shared and h.ref]
        assert len(refs) == 1
        ref = refs[0]
        assert "↗" in lay.line_text(ref.y)[: ref.x_start]


def test_user_text_is_never_markup():
    lay = layout(200)
    (spot,) = full_spots(lay, 29)
    assert "[bold]x[/]" in lay.line_text(spot.y)
    assert "[bold]x[/]" in lay.strip(spot.y).text
    assert MARKUP.startswith(label_text(lay, 29).rstrip("…"))
    assert not any(seg.style and seg.style.bold for seg in lay.segments(spot.y) if "x" in seg.text)


def test_control_characters_cannot_reach_the_terminal():
    rows = [*ROWS[:3], (40, "red \x1b[31mtext\x07 and\nnew \u202eline", P, "cause", [1])]
    lay = layout(80, rows=rows)
    assert not any(ch in "".join(lay.text_lines()) for ch in "\x1b\x07\n\u202e")
    assert "red ␛[31mtext␇ and new �line" in label_text(lay, 40)  # shown, not acted on


@pytest.mark.parametrize("width", WIDTHS)
def test_long_text_is_abbreviated(width):
    lay = layout(width)
    spans = lay.spans[30]
    assert 1 <= len(spans) <= 3
    drawn = label_text(lay, 30)
    assert drawn.endswith("…")
    assert len(drawn) < len(LONG)


def test_wider_terminals_show_more_of_each_label():
    lengths = [len(label_text(layout(w), 9)) for w in WIDTHS]
    assert lengths[0] < lengths[1] <= lengths[2]
    assert label_text(layout(160), 9) == ROWS[8][1]  # the whole text fits at 160


def test_empty_categories_are_still_drawn():
    lay = layout(80)
    (inst,) = [b for b in lay.bones if b.name == INST]
    assert inst.causes == ()
    text = "\n".join(lay.text_lines())
    assert "Institutional" in text
    assert "(none yet)" in text


def test_uncategorised_bone_only_when_needed():
    lay = layout(80)
    uncat = lay.bones[-1]
    assert uncat.name == UNCATEGORISED and uncat.uncategorised
    assert set(uncat.causes) == {29, 30}  # no category, and "Equipment" (not in the set)
    without = layout(80, rows=[r for r in ROWS if r[0] not in (29, 30)])
    assert UNCATEGORISED not in [b.name for b in without.bones]
    assert len(without.bones) == 7


@pytest.mark.parametrize("width", WIDTHS)
def test_the_head_shows_the_event(width):
    lay = layout(width)
    spine = lay.line_text(lay.spine_y)
    assert spine.startswith("━━━━") and "▶" in spine
    head_x = spine.index("▶") + 1
    right = [lay.line_text(y)[head_x:] for y in range(lay.height)]
    top = next(y for y, line in enumerate(right) if line.startswith("╭"))
    bottom = next(y for y, line in enumerate(right) if line.startswith("╰"))
    assert top < lay.spine_y < bottom
    box = right[top + 1 : bottom]
    assert box[lay.spine_y - top - 1].startswith("┤")  # the spine enters the head
    words = " ".join(line.strip(" │┤╭╮╰╯─") for line in box).split()
    assert " ".join(words).startswith("Patient fell walking to the bathroom")
    if width >= 160:
        assert " ".join(words) == EVENT


def test_head_text_sources():
    assert layout(80, event_text="Wrong-site surgery").event_text == "Wrong-site surgery"
    assert layout(80).event_text == EVENT  # from the cause of kind "event"
    no_event = layout(80, rows=[r for r in ROWS if r[3] != "event"])
    assert no_event.event_text == NO_EVENT
    assert any(NO_EVENT[:9] in line for line in no_event.text_lines())


def test_marks_read_without_colour():
    lay = layout(160)

    def before(cid: int) -> str:
        (h,) = full_spots(lay, cid)
        return lay.line_text(h.y)[: h.x_start]

    assert "◆" in before(4)  # root cause
    assert "+" in before(3)  # contributing factor
    assert "◆" not in before(2) and "+" not in before(2)
    (loose,) = full_spots(lay, 28)  # linked to nothing
    assert lay.line_text(lay.spans[28][-1][0])[: lay.spans[28][-1][2]].endswith("?")
    assert "╌" in lay.line_text(loose.y)[: loose.x_start]
    assert "root cause" in lay.text_lines()[-1] or "root cause" in lay.text_lines()[-2]


def test_navigation_order_bones_then_top_to_bottom():
    lay = layout(80)
    flat = []
    for i, bone in enumerate(lay.bones):
        ys = [lay.first_y(c) for c in bone.causes]
        assert ys == sorted(ys)
        for k, cid in enumerate(bone.causes):
            assert lay.position[cid] == (i, k)
        flat += bone.causes
    assert flat == lay.order


def test_a_cycle_does_not_hang_and_every_cause_is_drawn():
    rows = [
        (1, "Event", None, "event", []),
        (2, "A", P, "cause", [3]),
        (3, "B", P, "cause", [2]),  # A -> B -> A, never linked to the event
        (4, "C", S, "cause", [1, 4]),  # a self-link
        (5, "D", T, "cause", [1, 6]),  # D -> E -> D, and D led to the event
        (6, "E", T, "cause", [5]),
    ]
    lay = layout(80, rows=rows)
    assert sorted(h.cause_id for h in lay.hotspots if not h.ref) == [2, 3, 4, 5, 6]
    # The link that closes each circle is left out, not drawn as a cause of its own effect.
    assert lay.ref_spans == {}
    assert lay.position[3][1] == lay.position[2][1] + 1  # B under A, and nothing under B
    assert lay.position[6][1] == lay.position[5][1] + 1
    assert len(lay.bones[lay.position[2][0]].causes) == 2


def test_the_outline_and_the_drawing_share_their_trees():
    causes, links = make_data()
    trees = bone_trees(list(LONDON_PROTOCOL), causes, links)
    lay = layout(80)
    assert trees.names == [b.name for b in lay.bones]
    for items, bone in zip(trees.items, lay.bones, strict=True):
        assert [cid for cid, _, _, ref in items if not ref] == list(bone.causes)
    assert trees.unlinked == {28}


def test_deep_chains_stay_inside_their_bone():
    rows = [(1, "Event", None, "event", []), (2, "Why 1", P, "cause", [1])]
    rows += [(i, f"Why {i - 1} " + "because " * 5, P, "cause", [i - 1]) for i in range(3, 12)]
    lay = layout(80, rows=rows)
    bone = lay.bones[0]
    assert len(bone.causes) == 10
    limit = lay.bones[1].x
    for cid in bone.causes:
        for _, x0, x1 in lay.spans[cid]:
            assert x1 < limit and limit - x0 >= 8  # room for the text, marks or not
    assert any("›" in line for line in lay.text_lines())


def test_every_arrow_moves_that_way_in_the_drawing():
    """Up/down go up/down the screen; left/right go to the next bone on the same side."""
    for width in WIDTHS:
        lay = layout(width)
        for bone in range(len(lay.bones)):
            for stop in lay.stops(bone):
                y = lay.stop_spans(stop)[0][0]
                here = lay.bones[stop.bone]
                for direction in ("up", "down", "left", "right"):
                    to = lay.step(stop, direction)
                    if to is None:
                        continue
                    ty = lay.stop_spans(to)[0][0]
                    there = lay.bones[to.bone]
                    if direction == "up":
                        assert ty < y, (stop, to)
                    elif direction == "down":
                        assert ty > y, (stop, to)
                    else:
                        assert there.above == here.above, (stop, to)
                        assert (there.x < here.x) == (direction == "left"), (stop, to)


def test_arrow_edges_and_bone_names():
    lay = layout(80)
    bone = {b.name: i for i, b in enumerate(lay.bones)}

    def first(name: str) -> Stop:
        return lay.stop_of(lay.bones[bone[name]].causes[0])

    def last(name: str) -> Stop:
        return lay.stop_of(lay.bones[bone[name]].causes[-1])

    # Left from the bottom-left bone: nothing further left (it used to jump to the top right).
    assert lay.step(first(ENV), "left") is None
    assert lay.step(Stop(bone[ENV]), "left") is None
    assert lay.step(first(TM), "right") is None  # the head is right of the top-right bone
    # An empty bone is a stop: its name.
    assert lay.step(first(ORG), "right") == Stop(bone[INST])
    assert lay.step(Stop(bone[INST]), "right").bone == bone[UNCATEGORISED]
    # An upper bone's name is above its causes, a lower one's below.
    assert lay.step(first(P), "up") == Stop(bone[P])
    assert lay.step(Stop(bone[P]), "up") is None
    assert lay.step(last(ENV), "down") == Stop(bone[ENV])
    assert lay.step(Stop(bone[ENV]), "down") is None
    # Past the end of a bone, across the spine to the nearest bone on the other side.
    assert lay.bones[bone[P]].x == lay.bones[bone[ENV]].x == 0
    assert lay.step(last(P), "down") == first(ENV)
    assert lay.step(first(ENV), "up") == last(P)


def test_every_cause_and_bone_can_be_reached_with_the_arrows():
    for width in WIDTHS:
        lay = layout(width)
        seen = {lay.stop_of(lay.order[0])}
        todo = list(seen)
        while todo:
            stop = todo.pop()
            for direction in ("up", "down", "left", "right"):
                to = lay.step(stop, direction)
                if to is not None and to not in seen:
                    seen.add(to)
                    todo.append(to)
        every = {s for i in range(len(lay.bones)) for s in lay.stops(i)}
        assert seen == every
        assert Stop(next(i for i, b in enumerate(lay.bones) if b.name == INST)) in seen


def test_wrap_label():
    assert wrap_label("short", 10, 3) == ["short"]
    lines = wrap_label("the quick brown fox jumps over the lazy dog", 10, 3)
    assert lines == ["the quick", "brown fox", "jumps…"]
    assert all(cell_len(line) <= 10 for line in lines)
    assert wrap_label("Diphenhydramine", 8, 3) == ["Diphenh-", "ydramine"]
    assert all(cell_len(x) <= 6 for x in wrap_label("病院の患者安全 チーム 根本原因分析", 6, 2))
    assert wrap_label("病院の患者安全 チーム 根本原因分析", 6, 2)[-1].endswith("…")


def test_layout_of_2000_causes_is_fast():
    causes, links = big_data()
    for width in WIDTHS:
        start = time.perf_counter()
        lay = layout_fishbone("", list(LONDON_PROTOCOL), causes, links, width)
        took = time.perf_counter() - start
        print(f"\nlayout of 2,000 causes on 7 bones at {width} columns: {took * 1000:.1f} ms")
        assert len(lay.order) == 2000
        assert cell_len(lay.line_text(lay.height // 2)) <= width


# --- the widget ---------------------------------------------------------------------------------


class Host(App):
    def __init__(self, data=None) -> None:
        super().__init__()
        self.data = data
        self.highlighted: list[int | None] = []
        self.bones: list[str | None] = []
        self.selected: list[int] = []

    def compose(self) -> ComposeResult:
        yield FishboneView()

    def on_mount(self) -> None:
        view = self.query_one(FishboneView)
        if self.data is not None:
            view.set_data(*self.data)
        view.focus()

    def on_fishbone_view_cause_highlighted(self, message: FishboneView.CauseHighlighted) -> None:
        self.highlighted.append(message.cause_id)
        self.bones.append(message.bone)

    def on_fishbone_view_cause_selected(self, message: FishboneView.CauseSelected) -> None:
        self.selected.append(message.cause_id)


def sample() -> tuple[str, list[str], list[Cause], list[Link]]:
    causes, links = make_data()
    return "", list(LONDON_PROTOCOL), causes, links


async def until(pilot, condition, timeout: float = 5.0) -> None:
    """Pause until `condition()` holds (poll the real condition, never sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause()


def visible_text(view: FishboneView) -> list[str]:
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


async def test_arrow_keys_move_over_the_causes_in_order():
    app = Host(sample())
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(FishboneView)
        await until(pilot, lambda: view.fishbone_layout is not None and app.highlighted)
        lay = view.fishbone_layout
        patient, staff = lay.bones[0].causes, lay.bones[1].causes
        assert view.cursor_cause == patient[0] == 2
        assert app.highlighted[-1] == 2

        await pilot.press("down")
        assert view.cursor_cause == patient[1]
        await pilot.press("down", "down")
        assert view.cursor_cause == patient[3]
        await pilot.press("up")
        assert view.cursor_cause == patient[2]
        await pilot.press("right")  # the cause of the next bone nearest on screen
        assert view.cursor_cause in staff
        y = lay.first_y(patient[2])
        assert view.cursor_cause == min(staff, key=lambda c: abs(lay.first_y(c) - y))
        await pilot.press("left")
        assert lay.position[view.cursor_cause][0] == 0
        await pilot.press("home")
        assert view.cursor_cause == lay.order[0]
        await pilot.press("left")  # nothing left of the first bone: stays
        assert view.cursor_cause == lay.order[0]
        await pilot.press("up")  # the bone's name, above its first cause
        assert view.cursor == Stop(0) and view.cursor_cause is None
        assert view.cursor_bone.name == P
        await until(pilot, lambda: app.highlighted[-1] is None)
        assert app.bones[-1] == P
        await pilot.press("up", "left")  # nothing above or left of it
        assert view.cursor == Stop(0)
        await pilot.press("end")
        assert view.cursor_cause == lay.order[-1]
        await pilot.press("right")  # the last bone: nothing right of it
        assert view.cursor_cause == lay.order[-1]
        await until(pilot, lambda: app.highlighted[-1] == lay.order[-1])
        # the cursor's label is on screen, drawn in the cursor style
        scroll_y = view.scroll_offset.y
        rows = lay.spans[view.cursor_cause]
        assert all(
            scroll_y <= y < scroll_y + view.scrollable_content_region.height for y, *_ in rows
        )


async def test_enter_posts_cause_selected():
    app = Host(sample())
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(FishboneView)
        await until(pilot, lambda: view.fishbone_layout is not None)
        await pilot.press("right", "down")
        chosen = view.cursor_cause
        await pilot.press("enter")
        await until(pilot, lambda: app.selected)
        assert app.selected == [chosen]
        assert chosen == view.fishbone_layout.bones[1].causes[1]


async def test_select_cause_scrolls_far_down():
    causes, links = big_data(400)
    app = Host(("", list(LONDON_PROTOCOL), causes, links))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(FishboneView)
        await until(pilot, lambda: view.fishbone_layout is not None)
        lay = view.fishbone_layout
        target = max(lay.order, key=lay.first_y)  # the lowest cause in the drawing
        assert lay.first_y(target) > 100
        assert view.select_cause(target)
        await until(pilot, lambda: app.highlighted and app.highlighted[-1] == target)
        height = view.scrollable_content_region.height
        await until(pilot, lambda: view.scroll_offset.y > 0)
        for y, _, _ in lay.spans[target]:
            assert view.scroll_offset.y <= y < view.scroll_offset.y + height
        # the drawn text of the cause is on screen
        first = lay.line_text(lay.first_y(target))[lay.spans[target][0][1] :].split()[0]
        assert any(first in line for line in visible_text(view))
        assert not view.select_cause(99999)


async def test_cursor_stays_on_its_cause_when_data_changes():
    app = Host(sample())
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(FishboneView)
        await until(pilot, lambda: view.fishbone_layout is not None)
        view.select_cause(17)
        await pilot.pause()
        causes, links = make_data()
        causes.append(Cause(50, 1, "New cause", ENV, "cause"))
        app.highlighted.clear()
        view.set_data("", list(LONDON_PROTOCOL), causes, links)
        await until(pilot, lambda: app.highlighted)
        assert view.cursor_cause == 17 and app.highlighted == [17]
        assert 50 in view.fishbone_layout.order
        # the cause under the cursor is removed: the cursor takes its neighbour on the bone
        bone = view.fishbone_layout.bones[view.fishbone_layout.position[17][0]].causes
        after = bone[bone.index(17) + 1]
        view.set_data("", list(LONDON_PROTOCOL), [c for c in causes if c.id != 17], links)
        await until(pilot, lambda: view.cursor_cause != 17)
        assert view.cursor_cause == after


async def test_markup_is_shown_as_typed_on_screen():
    app = Host(sample())
    async with app.run_test(size=(200, 50)) as pilot:
        view = app.query_one(FishboneView)
        await until(pilot, lambda: view.fishbone_layout is not None)
        view.select_cause(29)
        await pilot.pause()
        assert any("[bold]x[/]" in line for line in visible_text(view))


async def test_no_data_no_cursor():
    app = Host(("", list(LONDON_PROTOCOL), [], []))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(FishboneView)
        await until(pilot, lambda: view.fishbone_layout is not None and app.highlighted)
        assert view.cursor_cause is None and app.highlighted == [None]
        await pilot.press("down", "right", "end", "enter")
        assert app.selected == []
        assert any(NO_EVENT[:9] in line for line in view.fishbone_layout.text_lines())


async def test_set_data_with_2000_causes_timing():
    causes, links = big_data()
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(FishboneView)
        await pilot.pause()
        took = []
        for _ in range(3):
            start = time.perf_counter()
            view.set_data("", list(LONDON_PROTOCOL), causes, links)
            took.append((time.perf_counter() - start, view.last_layout_seconds))
        await until(pilot, lambda: app.highlighted)
        print("\nset_data with 2,000 causes at 80x24 (total / layout):")
        for total, lay in took:
            print(f"  {total * 1000:.1f} ms / {lay * 1000:.1f} ms")
        height = view.scrollable_content_region.height
        start = time.perf_counter()
        view.action_cursor_last()
        lines = [view.render_line(y) for y in range(height)]
        took_ms = (time.perf_counter() - start) * 1000
        print(f"cursor to the last cause and redraw the screen: {took_ms:.1f} ms")
        assert view.cursor_cause == view.fishbone_layout.order[-1]
        assert len(lines) == height


async def test_category_names_stay_in_sight_while_scrolling():
    causes, links = big_data(400)
    app = Host(("", list(LONDON_PROTOCOL), causes, links))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(FishboneView)
        await until(pilot, lambda: view.fishbone_layout is not None)
        lay = view.fishbone_layout
        upper = lay.bones[0].causes
        view.select_cause(upper[len(upper) // 2])  # the middle of a long upper bone
        await until(pilot, lambda: view.scroll_offset.y > lay.top_labels)
        assert visible_text(view)[0].startswith("Patient")
        lower = lay.bones[4].causes
        view.select_cause(lower[len(lower) // 2])
        first, count = lay.bottom_labels
        height = view.scrollable_content_region.height
        await until(pilot, lambda: view.scroll_offset.y > lay.spine_y)
        assert view.scroll_offset.y + height < first  # the real names are further down
        assert "Work environment" in "".join(visible_text(view)[-count:])


async def test_a_resize_lays_out_again_and_keeps_the_cursor():
    app = Host(sample())
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(FishboneView)
        await until(pilot, lambda: view.fishbone_layout is not None)
        view.select_cause(9)
        await pilot.pause()
        assert view.fishbone_layout.width == 79  # one column for the scroll bar
        await pilot.resize_terminal(160, 48)
        await until(pilot, lambda: view.fishbone_layout.width == 159)
        assert view.cursor_cause == 9
        assert label_text(view.fishbone_layout, 9) == ROWS[8][1]


def in_sight(view: FishboneView, spans) -> bool:
    """Every line of `spans` is on screen, in its own place (not under a pinned bone name)."""
    height = view.scrollable_content_region.height
    scroll_y = view.scroll_offset.y
    return all(0 <= y - scroll_y < height and view._line_at(y - scroll_y) == y for y, _, _ in spans)


async def test_end_shows_the_whole_cause_when_the_view_gets_shorter():
    """The screen's panel under the drawing grows with the cause's text, after the scroll."""
    app = Host(sample())
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(FishboneView)
        await until(pilot, lambda: view.fishbone_layout is not None)
        lay = view.fishbone_layout
        await pilot.press("end")
        await pilot.pause()
        assert in_sight(view, lay.spans[lay.order[-1]])
        await pilot.resize_terminal(80, 17)
        await until(pilot, lambda: view.scrollable_content_region.height == 17)
        await until(pilot, lambda: in_sight(view, lay.spans[lay.order[-1]]))
        # far from the real names, the pinned ones stay in the top and bottom rows
        assert visible_text(view)[-2].startswith("Work environment")


async def test_the_cursor_rests_on_a_bone_name():
    app = Host(sample())
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(FishboneView)
        await until(pilot, lambda: view.fishbone_layout is not None)
        lay = view.fishbone_layout
        inst = next(i for i, b in enumerate(lay.bones) if b.name == INST)
        await pilot.press("end", "down")  # the last bone's name, below its causes
        assert view.cursor == Stop(len(lay.bones) - 1)
        await pilot.press("left")  # the empty bone next to it: its name
        assert view.cursor == Stop(inst) and view.cursor_bone.name == INST
        await until(pilot, lambda: app.bones[-1] == INST and app.highlighted[-1] is None)
        await pilot.press("enter")  # a name is not a cause to open
        await pilot.pause()
        assert app.selected == []
        # a click on a name puts the cursor there
        y, x0, _ = lay.name_spans[0][0]
        view.scroll_to(0, 0, animate=False, immediate=True)
        await pilot.pause()
        await pilot.click(FishboneView, offset=(x0 + 1, y))
        assert view.cursor == Stop(0)


async def test_data_set_while_hidden_is_drawn_when_shown():
    """The screen hides the drawing behind its outline; edits made there must show."""
    app = Host(sample())
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(FishboneView)
        await until(pilot, lambda: view.fishbone_layout is not None)
        view.display = False
        await pilot.pause()
        causes, links = make_data()
        causes = [
            c if c.id != 2 else Cause(2, 1, "Renamed while hidden", P, "root") for c in causes
        ]
        view.set_data("", list(LONDON_PROTOCOL), causes, links)
        view.display = True
        await pilot.pause()
        assert label_text(view.fishbone_layout, 2) == "Renamed while hidden"
        assert any("◆ Renamed" in line for line in visible_text(view))
