"""Every key of the fishbone, five whys and graph screens, pressed at 80x24 on the demo, with
what each one stored or showed; and a circle of links written into the database outside the app.

`Keys` records what was pressed on which screen (and focused widget), so each test ends by
checking that it pressed every binding of its screen: a binding added later without a test
fails here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from textual.widgets import DataTable, Input, Static, TextArea, Tree

from models.domain import Cause
from models.service import Service
from rca_tui.app import make_app
from screens.cause_dialog import CauseDialog
from screens.dialogs import ChoiceDialog
from screens.fishbone import CategoriesDialog, FishboneScreen
from screens.five_whys import CIRCLE_MARK, FiveWhysScreen
from screens.graph import CausePicker, GraphScreen
from screens.help import HelpScreen
from screens.overview import OverviewScreen
from screens.similar import SimilarScreen
from screens.widgets.fishbone import FishboneView, Stop

TODAY = dt.date(2026, 11, 30)
ENV = "Work environment"


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


class Keys:
    """Presses keys one at a time, letting workers finish, and notes where each was pressed."""

    def __init__(self, pilot) -> None:
        self.pilot = pilot
        self.pressed: dict[type, set[str]] = defaultdict(set)

    async def __call__(self, *keys: str) -> None:
        for key in keys:
            app = self.pilot.app
            self.pressed[type(app.screen)].add(key)
            if app.focused is not None:
                self.pressed[type(app.focused)].add(key)
            await self.pilot.press(key)
            await settle(self.pilot)

    async def type(self, text: str) -> None:
        await self.pilot.press(*text)
        await settle(self.pilot)

    def assert_all_pressed(self, owner: type) -> None:
        bound = {key for b in owner.BINDINGS for key in b.key.split(",")}
        assert bound - self.pressed[owner] == set(), f"{owner.__name__} keys never pressed"


def by_text(service: Service, inv_id: int, start: str) -> Cause:
    (cause,) = [c for c in service.list_causes(inv_id) if c.text.startswith(start)]
    return cause


def drawn_mark(view: FishboneView, cause_id: int) -> str:
    """The mark drawn before a cause's label: "◆" root, "+" contributing, "─" a plain cause."""
    lay = view.fishbone_layout
    y, x0, _ = lay.spans[cause_id][0]
    return lay.line_text(y)[x0 - 2]


def drawn_bone(view: FishboneView, cause_id: int) -> str:
    lay = view.fishbone_layout
    return lay.bones[lay.position[cause_id][0]].name


def shown(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_every_fishbone_key_stores_and_draws(service, demo_id):
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        keys = Keys(pilot)
        await settle(pilot)
        await keys("enter", "f")
        screen = app.screen
        assert isinstance(screen, FishboneScreen)
        view = screen.query_one(FishboneView)
        confused = by_text(service, demo_id, "Patient was newly confused")
        assert view.cursor_cause == confused.id

        # k cycles the kind; the drawing shows each mark at once
        for kind, mark in (("contributing", "+"), ("root", "◆"), ("cause", "─")):
            await keys("k")
            assert service.get_cause(confused.id).kind == kind
            assert drawn_mark(view, confused.id) == mark

        # e and Enter open the cause; a saved edit is drawn
        await keys("e")
        assert isinstance(app.screen, CauseDialog)
        app.screen.query_one("#text", TextArea).text = "Patient newly confused at night"
        await keys("ctrl+s")
        assert service.get_cause(confused.id).text == "Patient newly confused at night"
        assert "Patient newly confused at night" in shown(screen, "#detail")
        await keys("enter")
        assert isinstance(app.screen, CauseDialog) and app.screen.cause.id == confused.id
        await keys("escape")
        assert app.screen is screen

        # s adds a why under the cause; the cursor follows the new cause
        await keys("s")
        assert isinstance(app.screen, CauseDialog)
        await keys.type("No sitter available")
        await keys("ctrl+s")
        sitter = by_text(service, demo_id, "No sitter available")
        assert service.graph(demo_id).effects_of(sitter.id) == [confused.id]
        assert view.cursor_cause == sitter.id and drawn_bone(view, sitter.id) == "Patient"

        # m moves a cause to another bone
        await keys("home")
        assert view.cursor_cause == confused.id
        await keys("m")
        assert isinstance(app.screen, CausePicker)
        await keys.type("work")
        await keys("enter")
        assert service.get_cause(confused.id).category == ENV
        assert drawn_bone(view, confused.id) == ENV and drawn_bone(view, sitter.id) == ENV

        # The Patient bone is empty now: the cursor lands on its name, and a adds there
        await keys("home", "left")
        assert view.cursor == Stop(0) and view.cursor_bone.name == "Patient"
        assert "add a cause on 'Patient'" in shown(screen, "#detail")
        await keys("a")
        assert isinstance(app.screen, CauseDialog)
        assert app.screen.query_one("#category").value == "Patient"
        await keys.type("Hearing aids left at home")
        await keys("ctrl+s")
        aids = by_text(service, demo_id, "Hearing aids")
        assert aids.category == "Patient"
        assert service.graph(demo_id).effects_of(aids.id) == [service.graph(demo_id).event()]
        assert view.cursor_cause == aids.id and drawn_bone(view, aids.id) == "Patient"

        # d and Delete ask first; u and ctrl+z undo, ctrl+y redoes
        await keys("d")
        assert isinstance(app.screen, ChoiceDialog)
        await keys("enter")  # Delete
        assert aids.id not in {c.id for c in service.list_causes(demo_id)}
        assert aids.id not in view.fishbone_layout.position
        await keys("u")
        assert service.get_cause(aids.id).text == aids.text
        assert aids.id in view.fishbone_layout.position
        await keys("ctrl+y")
        assert aids.id not in {c.id for c in service.list_causes(demo_id)}
        await keys("ctrl+z")
        assert aids.id in view.fishbone_layout.position
        view.select_cause(aids.id)
        await keys("delete")
        assert isinstance(app.screen, ChoiceDialog)
        await keys("escape")  # Cancel: nothing is deleted
        assert service.get_cause(aids.id).text == aids.text

        # h writes the event (the head)
        await keys("h")
        assert isinstance(app.screen, CauseDialog)
        app.screen.query_one("#text", TextArea).text = "Fall with hip fracture at 03:10"
        await keys("ctrl+s")
        event = service.get_cause(service.graph(demo_id).event())
        assert event.text == "Fall with hip fracture at 03:10"
        assert view.fishbone_layout.event_text == event.text

        # c, o, w and g open what they say; Escape goes back
        await keys("c")
        assert isinstance(app.screen, CategoriesDialog)
        await keys("escape")
        await keys("o")
        assert screen.query_one("#outline", Tree).display and not view.display
        await keys("o")
        assert view.display
        await keys("w")
        assert isinstance(app.screen, FiveWhysScreen) and app.screen.current == aids.id
        await keys("escape")
        await keys("g")
        assert isinstance(app.screen, GraphScreen)
        await keys("escape")
        assert app.screen is screen
        # p and ctrl+o: the similar past investigations (tests/test_similar_aside.py has more)
        for key in ("p", "ctrl+o"):
            await keys(key)
            if screen._similar_found:
                assert isinstance(app.screen, SimilarScreen)
                await keys("escape")
            assert app.screen is screen
        await keys("escape")
        assert isinstance(app.screen, OverviewScreen)
        keys.assert_all_pressed(FishboneScreen)


async def test_edits_in_the_outline_and_the_five_whys_show_in_the_drawing(service, demo_id):
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        keys = Keys(pilot)
        await settle(pilot)
        await keys("enter", "f", "o")
        screen = app.screen
        view = screen.query_one(FishboneView)
        tree = screen.query_one("#outline", Tree)
        staff = by_text(service, demo_id, "Night staff did not know")
        line = next(
            n for n in range(tree.last_line + 1) if tree.get_node_at_line(n).data == staff.id
        )
        for _ in range(line - tree.cursor_line):
            await keys("down")
        assert screen.current().id == staff.id

        await keys("k", "k")  # the cursor stays on its cause while the outline is refilled
        assert service.get_cause(staff.id).kind == "root"
        await keys("m")
        await keys.type("work")
        await keys("enter")
        assert service.get_cause(staff.id).category == ENV
        assert tree.cursor_node.data == staff.id
        await keys("o")  # the drawing shows what was done in the outline
        assert drawn_mark(view, staff.id) == "◆" and drawn_bone(view, staff.id) == ENV
        assert view.cursor_cause == staff.id

        await keys("o", "w")  # five whys from the outline, then back
        assert isinstance(app.screen, FiveWhysScreen) and app.screen.current == staff.id
        await keys.type("Agency nurse without local induction")
        await keys("enter", "escape")
        agency = by_text(service, demo_id, "Agency nurse")
        assert any(n.data == agency.id for n in map(tree.get_node_at_line, range(tree.last_line)))
        await keys("o")
        assert agency.id in view.fishbone_layout.position
        assert drawn_bone(view, agency.id) == ENV


async def test_every_five_whys_key(service, demo_id):
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        keys = Keys(pilot)
        await settle(pilot)
        await keys("enter", "w")
        screen = app.screen
        assert isinstance(screen, FiveWhysScreen)
        event = service.graph(demo_id).event()
        assert screen.current == event

        # ctrl+n: another answer to the same "why?", without going into it
        before = len(service.list_causes(demo_id))
        for answer in ("Call bell out of reach", "Sitter request declined"):
            await keys.type(answer)
            await keys("ctrl+n")
            assert screen.current == event
            assert screen.query_one("#answer", Input).value == ""
        g = service.graph(demo_id)
        bell = by_text(service, demo_id, "Call bell")
        sitter = by_text(service, demo_id, "Sitter request")
        assert g.effects_of(bell.id) == g.effects_of(sitter.id) == [event]
        rows = screen.query_one("#answers", DataTable)
        keys_shown = {
            rows.coordinate_to_cell_key((r, 0)).row_key.value for r in range(rows.row_count)
        }
        assert {str(bell.id), str(sitter.id)} <= keys_shown
        await keys("ctrl+n")  # nothing typed: nothing added
        assert len(service.list_causes(demo_id)) == before + 2
        # ... and the key says what it does, in the footer and in the help
        footer = {k.key: k for k in screen.query("FooterKey")}  # Textual does not export it
        assert footer["ctrl+n"].description == "Add, same why"
        assert footer["ctrl+n"].region.right <= 80
        await keys("f1")
        assert isinstance(app.screen, HelpScreen)
        help_rows = app.screen.query_one(DataTable)
        assert any(
            str(help_rows.get_row_at(r)[1]) == "Add, same why" for r in range(help_rows.row_count)
        )
        await keys("escape")

        # Enter answers and asks why about the answer
        await keys.type("Bell cord tied up out of reach")
        await keys("enter")
        cord = by_text(service, demo_id, "Bell cord")
        assert screen.current == cord.id
        await keys.type("No clip to hold the cord")
        await keys("enter")
        clip = by_text(service, demo_id, "No clip")
        assert service.graph(demo_id).effects_of(clip.id) == [cord.id]
        assert screen.current == clip.id

        # up the chain and down again, by both keys and by Enter on an answer
        await keys("ctrl+up")
        assert screen.current == cord.id
        await keys("alt+up")
        assert screen.current == event
        rows.focus()
        rows.move_cursor(row=rows.get_row_index(str(cord.id)))
        await keys("ctrl+down")
        assert screen.current == cord.id
        await keys("alt+up")
        rows.move_cursor(row=rows.get_row_index(str(cord.id)))
        await keys("enter")
        assert screen.current == cord.id
        rows.move_cursor(row=rows.get_row_index(str(clip.id)))
        await keys("alt+down")
        assert screen.current == clip.id

        # ctrl+r marks a root cause (and warns: two whys are too few); undo and redo
        await keys("ctrl+r")
        assert service.get_cause(clip.id).kind == "root"
        assert "stops after 2 whys" in shown(screen, "#warnings")
        await keys("ctrl+z")
        assert service.get_cause(clip.id).kind == "cause"
        await keys("ctrl+y")
        assert service.get_cause(clip.id).kind == "root"
        await keys("ctrl+o")  # the similar past investigations
        if screen._similar_found:
            assert isinstance(app.screen, SimilarScreen)
            await keys("escape")
        assert app.screen is screen
        await keys("escape")
        assert isinstance(app.screen, OverviewScreen)
        keys.assert_all_pressed(FiveWhysScreen)


async def test_every_graph_key(service, demo_id):
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        keys = Keys(pilot)
        await settle(pilot)
        await keys("enter", "g")
        screen = app.screen
        assert isinstance(screen, GraphScreen)
        tree = screen.query_one("#tree", Tree)
        g = service.graph(demo_id)
        event = g.event()
        # The cursor starts on the event, which the panel shows; its causes in id order (as
        # the fishbone and the five whys list them).
        assert tree.cursor_node.data == event
        assert shown(screen, "#detail").startswith("Patient fell walking")
        assert [n.data for n in tree.root.children[0].children] == g.causes_of(event)

        rn = by_text(service, demo_id, "One RN to eight")
        staff = by_text(service, demo_id, "Night staff did not know")
        screen._move_to(rn.id)
        await keys("l")
        assert isinstance(app.screen, CausePicker)
        await keys("escape")  # nothing chosen, nothing linked
        assert service.graph(demo_id).effects_of(rn.id) == g.effects_of(rn.id)
        await keys("l")
        await keys.type("night staff")
        await keys("enter")
        assert staff.id in service.graph(demo_id).effects_of(rn.id)
        assert tree.cursor_node.data == rn.id
        labels = [str(n.label) for n in map(tree.get_node_at_line, range(tree.last_line + 1))]
        assert any(label.startswith("↺ + One RN to eight") for label in labels)

        # x unlinks the cause from the effect it hangs under
        effect = tree.cursor_node.parent.data
        await keys("x")
        assert effect not in service.graph(demo_id).effects_of(rn.id)
        await keys("u")  # undoes the unlink
        assert effect in service.graph(demo_id).effects_of(rn.id)
        await keys("ctrl+z")  # undoes the link
        assert staff.id not in service.graph(demo_id).effects_of(rn.id)
        await keys("ctrl+y")
        assert staff.id in service.graph(demo_id).effects_of(rn.id)

        screen._move_to(staff.id)
        await keys("w")
        assert isinstance(app.screen, FiveWhysScreen) and app.screen.current == staff.id
        await keys("escape", "escape")
        assert isinstance(app.screen, OverviewScreen)
        keys.assert_all_pressed(GraphScreen)
        keys.assert_all_pressed(CausePicker)


def write_link_outside(db_path, cause_id: int, effect_id: int, investigation_id: int) -> None:
    import sqlite3

    con = sqlite3.connect(db_path)
    with con:
        con.execute(
            "INSERT INTO causal_link (investigation_id, cause_id, effect_id) VALUES (?, ?, ?)",
            (investigation_id, cause_id, effect_id),
        )
    con.close()


async def test_a_circle_written_outside_the_app_is_named_and_can_be_broken(db_path):
    """sqlite3 closes alarm -> re-arm -> silenced -> alarm; the app opens it, names it, and
    unlinking on the graph screen breaks it."""
    from models.demo import add_demo
    from models.service import open_service

    setup = open_service(db_path, user="alice")
    inv = add_demo(setup).id
    alarm = by_text(setup, inv, "Bed exit alarm was off")
    rearm = by_text(setup, inv, "The bed model needs a manual re-arm")
    setup.db.dispose()
    write_link_outside(db_path, alarm.id, rearm.id, inv)

    service = open_service(db_path, user="alice")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        keys = Keys(pilot)
        await settle(pilot)
        await keys("enter")
        assert isinstance(app.screen, OverviewScreen)  # it used to crash here
        assert "G-CYCLE" in app.screen.query_one("#findings").plain

        await keys("f")
        fishbone = app.screen
        circles = shown(fishbone, "#circles")
        assert fishbone.query_one("#circles").display
        for start in ("Bed exit alarm", "The bed model needs", "Alarm was silenced"):
            assert start in circles
        view = fishbone.query_one(FishboneView)
        lay = view.fishbone_layout
        assert lay.ref_spans.get(alarm.id) is None  # the closing link is not drawn
        await keys("o")
        assert fishbone.query_one("#outline", Tree).display
        await keys("o")

        view.select_cause(rearm.id)
        await keys("w")
        whys = app.screen
        assert "In a circle" in shown(whys, "#warnings")
        rows = whys.query_one("#answers", DataTable)
        assert str(rows.get_row(str(alarm.id))[1]) == CIRCLE_MARK
        await keys("escape", "g")
        graph = app.screen
        assert isinstance(graph, GraphScreen)
        assert "Circle, not drawn" in shown(graph, "#counts")
        tree = graph.query_one("#tree", Tree)
        (ring,) = [
            n
            for n in map(tree.get_node_at_line, range(tree.last_line + 1))
            if str(n.label).startswith("⟳")
        ]
        assert ring.data == alarm.id and ring.parent.data == rearm.id
        tree.move_cursor(ring)
        await keys("x")
        assert service.graph(inv).cycles() == []
        assert "Circle" not in shown(graph, "#counts")
        await keys("escape")
        assert app.screen is fishbone
        assert not fishbone.query_one("#circles").display
    assert [f for f in service.check(inv) if f.code == "G-CYCLE"] == []
    service.db.dispose()


async def test_the_detail_panel_names_each_rule_once(service, demo_id):
    inv = service.get_investigation(demo_id)
    vague = service.add_cause(inv.id, "Inadequate staffing at night", category="Patient")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "f")
        await settle(pilot)
        screen = app.screen
        view = screen.query_one(FishboneView)
        assert view.select_cause(vague.id)
        await settle(pilot)
        detail = shown(screen, "#detail")
        assert "! R2: " in detail and "R2: R2" not in detail
