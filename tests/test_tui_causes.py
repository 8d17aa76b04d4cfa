"""The causes workflow driven with the keyboard: fishbone, five whys and graph on one graph."""

from __future__ import annotations

import datetime as dt

import networkx as nx
from textual.widgets import Input, Select, Tree

from models.db import open_database
from models.service import Service
from rca_tui.app import make_app
from screens.cause_dialog import CauseDialog
from screens.fishbone import FishboneScreen, detect_renames
from screens.five_whys import FiveWhysScreen
from screens.graph import CausePicker, GraphScreen
from screens.widgets.fishbone import FishboneView

TODAY = dt.date(2026, 11, 30)
BONES = [
    "Patient",
    "Individual staff",
    "Task and technology",
    "Team (incl. communication)",
    "Work environment",
    "Organisation and management",
    "Institutional context",
]


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def add_cause_on_bone(pilot, text: str, bone: str) -> None:
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CauseDialog)
    await pilot.press(*text)
    select = pilot.app.screen.query_one("#category", Select)
    select.focus()
    await pilot.pause()
    await pilot.press("enter", *bone[:12], "enter")
    await pilot.pause()
    assert select.value == bone
    await pilot.press("ctrl+s")
    await settle(pilot)


def tree_labels(tree: Tree) -> list[str]:
    out = []

    def walk(node) -> None:
        for child in node.children:
            out.append(str(child.label))
            walk(child)

    walk(tree.root)
    return out


async def test_fishbone_five_whys_graph_undo_and_reload(service, db_path):
    inv = service.create_investigation("Wrong-patient insulin")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FishboneScreen)
        # The head first: the event every cause leads to.
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, FishboneScreen)  # refused: no event yet
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, CauseDialog)
        await pilot.press("ctrl+s")  # the title is offered as the event text
        await settle(pilot)
        event = service.graph(inv.id).event()
        assert event is not None

        # 30 causes on 7 bones, typed.
        for i in range(30):
            await add_cause_on_bone(pilot, f"Cause {i} [b]x[/b]", BONES[i % 7])
        causes = [c for c in service.list_causes(inv.id) if c.kind != "event"]
        assert len(causes) == 30
        assert {c.category for c in causes} == set(BONES)
        view = app.screen.query_one(FishboneView)
        drawn = view.fishbone_layout
        assert drawn is not None
        assert set(drawn.position) >= {c.id for c in causes}
        assert any("Cause 7 [b]x[/b]"[:8] in line for line in drawn.text_lines())

        # A branching five-whys chain from the cause under the cursor.
        start = view.cursor_cause
        assert start is not None
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, FiveWhysScreen)
        for answer in ("Two patients with the same surname", "No second identifier checked"):
            await pilot.press(*answer, "enter")
            await settle(pilot)
        await pilot.press("ctrl+up")  # back up one level and branch
        await settle(pilot)
        await pilot.press(*"Wristband scanner out of order", "enter")
        await settle(pilot)
        g = service.graph(inv.id)
        first = next(c for c in service.list_causes(inv.id) if c.text.startswith("Two patients"))
        assert sorted(service.get_cause(c).text for c in g.causes_of(first.id)) == [
            "No second identifier checked",
            "Wristband scanner out of order",
        ]
        assert g.paths_to_event(first.id)[0][-2:] == [start, event]
        await pilot.press("ctrl+r")  # stop here, three whys down: a root cause
        await settle(pilot)
        wristband = next(c for c in service.list_causes(inv.id) if c.text.startswith("Wrist"))
        assert wristband.kind == "root"
        assert str(app.screen.query_one("#warnings").render()) == ""
        await pilot.press("ctrl+up", "ctrl+up")  # up to the fishbone cause: one why deep
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "stops after 1 why" in str(app.screen.query_one("#warnings").render())
        await pilot.press("escape")
        await settle(pilot)

        # The graph screen shows the new chain under the event.
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, GraphScreen)
        labels = tree_labels(app.screen.query_one(Tree))
        assert any("Wristband scanner out of order" in label for label in labels)
        assert "33 causes" in str(app.screen.query_one("#counts").render())

        # Link two causes from the graph screen; a circle is refused and named.
        tree = app.screen.query_one(Tree)
        tree.focus()
        await pilot.pause()
        app.screen._move_to(start)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, CausePicker)
        await pilot.press(*"Wristband", "enter")
        await settle(pilot)
        assert "circle" in app.screen.message  # ErrorDialog
        await pilot.press("escape")
        await settle(pilot)

        # Undo the two root marks, then the last answer.
        for _ in range(3):
            await pilot.press("u")
            await settle(pilot)
        assert service.get_cause(start).kind == "cause"
        texts = [c.text for c in service.list_causes(inv.id)]
        assert "Wristband scanner out of order" not in texts
        assert len(texts) == 33  # event + 30 + 2 answers
        await pilot.press("escape")
        await settle(pilot)
        kept = service.graph(inv.id)

    fresh = Service(open_database(db_path), "bob")
    assert nx.utils.graphs_equal(fresh.graph(inv.id).g, kept.g)
    assert fresh.verify_audit() is None
    fresh.db.dispose()


async def test_outline_toggle_and_categories(service, demo_id):
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        outline = app.screen.query_one("#outline", Tree)
        assert outline.display
        labels = tree_labels(outline)
        assert labels[0].startswith("Patient (")
        assert any("Beds were bought without usability testing" in x for x in labels)
        await pilot.press("c")
        await settle(pilot)
        area = app.screen.query_one("#lines")
        area.text = area.text.replace("Work environment", "Environment of care")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Environment of care" in service.categories(demo_id)
        moved = [c for c in service.list_causes(demo_id) if c.category == "Environment of care"]
        assert len(moved) == 2


def test_rename_detection():
    assert detect_renames(["A", "B", "C"], ["A", "Bee", "C"]) == {"B": "Bee"}
    assert detect_renames(["A", "B"], ["B", "A"]) == {}  # a reorder is not a rename
    assert detect_renames(["A", "B"], ["A"]) == {}  # a removal is not a rename


async def test_five_whys_on_an_empty_investigation_says_what_to_do(service):
    inv = service.create_investigation("x")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(FiveWhysScreen(inv.id))
        await settle(pilot)
        assert "no event yet" in str(app.screen.query_one("#question").render())
        await pilot.press(*"anything", "enter")
        await settle(pilot)
        assert service.list_causes(inv.id) == []
        assert isinstance(app.screen.query_one("#answer"), Input)
