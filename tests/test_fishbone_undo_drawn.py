"""Undo and redo of one cause's edit on the fishbone are drawn from what the history wrote.

Why: with 5,000 causes, reading the graph again and laying every label out for one undone edit
took 350-440 ms; the fishbone now redraws that one cause (and only the labels that changed),
and reads everything again only for an undo it cannot draw that way (an add, a delete, a link).
These tests hold the quick path to the same drawing as a full read, and the fallback to a read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from models.domain import Cause, Link
from rca_tui.app import make_app
from screens.fishbone import FishboneScreen
from screens.widgets.fishbone import FishboneView
from screens.widgets.fishbone_layout import LayoutCache, layout_fishbone
from screens.widgets.fishbone_relabel import relabel

TODAY = dt.date(2026, 11, 30)
CATS = ["Patient", "Task and technology"]


def _causes() -> tuple[list[Cause], list[Link]]:
    causes = [Cause(1, 1, "Fall on the ward", kind="event")]
    links = []
    for i in range(2, 40):
        causes.append(Cause(i, 1, f"Cause {i} " * (i % 5 + 1), category=CATS[i % 2]))
        links.append(Link(i, 1, i, 1 if i < 10 else i - 8))
    return causes, links


def _drawn(layout) -> tuple:
    return (layout._drawing.blocks, layout.hotspots, layout.bones, layout.spans, layout.width)


def test_a_layout_reusing_the_last_one_is_the_layout_drawn_afresh():
    causes, links = _causes()
    cache = LayoutCache()
    layout_fishbone("", CATS, causes, links, 100, cache=cache)
    edits = [
        lambda cs, ls: (
            [*cs[:5], dataclasses.replace(cs[5], text="A much longer text " * 4), *cs[6:]],
            ls,
        ),
        lambda cs, ls: ([dataclasses.replace(c, kind="root") if c.id == 7 else c for c in cs], ls),
        lambda cs, ls: (
            [dataclasses.replace(c, category=CATS[0]) if c.id == 9 else c for c in cs],
            ls,
        ),
        lambda cs, ls: (cs, ls[:-1]),
        lambda cs, ls: ([*cs, Cause(99, 1, "New", category=CATS[1])], ls),
    ]
    for edit in edits:
        causes, links = edit(causes, links)
        for width in (100, 100, 61):
            reused = layout_fishbone("", CATS, causes, links, width, cache=cache)
            fresh = layout_fishbone("", CATS, causes, links, width)
            assert _drawn(reused) == _drawn(fresh)


def _everything(layout) -> tuple:
    return (
        *_drawn(layout),
        layout.text_lines(),
        layout.ref_spans,
        layout.name_spans,
        layout.position,
        layout.spine_y,
        layout.bottom_labels,
        layout.height,
    )


def test_one_label_drawn_again_is_the_layout_drawn_afresh():
    """An edit of one cause's text redraws its label alone (a 5,000-cause undo): whether it
    keeps its lines, wraps to more or fewer (what is below it moves), is referenced from a
    second bone, or lengthens the longest bone (the spine and the lower bones move)."""
    causes, links = _causes()
    links.append(Link(99, 1, 12, 3))  # cause 12 is drawn on a second bone too, as a reference
    tallest = max(causes[1:], key=lambda c: c.id).id
    texts = {
        5: ["Cause 5 edited", "A much longer text that wraps " * 3, "Short", "Cause 5 " * 5],
        12: ["Shared cause, edited", "Shared " * 12],
        tallest: ["Last " * 20, "Last"],
        2: ["Two"],
    }
    cache = LayoutCache()
    layout = layout_fishbone("", CATS, causes, links, 100, cache=cache)
    for cid, new_texts in texts.items():
        for text in new_texts:
            at = next(k for k, c in enumerate(causes) if c.id == cid)
            causes[at] = dataclasses.replace(causes[at], text=text)
            changed = relabel(layout, cache, causes[at], {})
            fresh = layout_fishbone("", CATS, causes, links, 100)
            if changed is None:  # it could not: laid out in full, as the view then does
                layout = layout_fishbone("", CATS, causes, links, 100, cache=cache)
            else:
                assert changed  # the lines the view repaints
            assert _everything(layout) == _everything(fresh), (cid, text)
    # A kind changed is not one label: refused, the layout left as it was.
    before = _everything(layout)
    assert relabel(layout, cache, dataclasses.replace(causes[3], kind="root"), {}) is None
    assert _everything(layout) == before
    # And the next full layout from the cache is still the fresh one.
    again = layout_fishbone("", CATS, causes, links, 100, cache=cache)
    assert _everything(again) == _everything(layout_fishbone("", CATS, causes, links, 100))


def _texts(view: FishboneView) -> str:
    return " ".join(
        row[4]
        for block in view._layout._drawing.blocks
        for row in block  # type: ignore[union-attr]
    )


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_undo_and_redo_of_an_edit_are_drawn_without_reading_the_graph(service):
    inv = service.create_investigation("Fall on the ward")
    event = service.add_cause(inv.id, "Fall on the ward", kind="event")
    cause = service.add_cause(inv.id, "Bed alarm off", effect_id=event.id, category="Patient")
    app = make_app(service, today=TODAY)
    reads = []
    view_of = service.cause_view

    def counted(inv_id):
        reads.append(inv_id)
        return view_of(inv_id)

    service.cause_view = counted
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(pilot)
        screen = FishboneScreen(inv.id)
        app.push_screen(screen)
        await _settle(pilot)
        app.history.update_cause(cause.id, None, text="Bed alarm switched off", kind="root")
        screen.reload()
        await _settle(pilot)
        view = screen.query_one(FishboneView)
        assert "Bed alarm switched off" in _texts(view)
        assert screen.data.graph.kind(cause.id) == "root"
        reads.clear()

        await pilot.press("u")
        await _settle(pilot)
        assert reads == []  # drawn from the cause the undo wrote
        assert "Bed alarm off" in _texts(view) and "switched" not in _texts(view)
        assert screen.data.causes[cause.id].text == "Bed alarm off"
        assert screen.data.graph.kind(cause.id) == service.get_cause(cause.id).kind

        await pilot.press("ctrl+y")
        await _settle(pilot)
        assert reads == []
        assert "Bed alarm switched off" in _texts(view)
        assert screen.data.graph.kind(cause.id) == "root"

        # An undone add cannot be drawn from one cause: the graph is read again.
        added = app.history.add_cause(inv.id, "Call bell out of reach", effect_id=event.id)
        screen.reload()
        await _settle(pilot)
        reads.clear()
        await pilot.press("u")
        await _settle(pilot)
        assert reads == [inv.id]
        assert added.id not in screen.data.causes
        assert "Call bell" not in _texts(view)
