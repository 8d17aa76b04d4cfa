"""The action plan screen and its dialogs, key by key, on the demo investigation.

Every binding of the plan screen, the action dialog, the reason dialog and the delete question
is pressed here, and each test checks what was stored (or that nothing was), where the cursor
went, and that the app is still running.
"""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import DataTable, Input, Select, Static, TextArea

from models.service import Service
from rca_tui.app import make_app
from screens.actions import STATUS_WIDTH, STRENGTH_WIDTH, ActionDialog, ActionsScreen
from screens.dialogs import ChoiceDialog, TextDialog
from screens.overview import OverviewScreen
from screens.widgets.root_choice import RootChoice

TODAY = dt.date(2026, 11, 30)
ST = "stronger"


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_plan(pilot) -> ActionsScreen:
    await settle(pilot)
    await pilot.press("enter")  # the demo investigation
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ActionsScreen)
    return pilot.app.screen


async def cursor_to(pilot, key: tuple) -> None:
    screen = pilot.app.screen
    screen.query_one("#plan", DataTable).move_cursor(row=screen.rows.index(key))
    await pilot.pause()


def under_cursor(screen: ActionsScreen) -> tuple:
    return screen.rows[screen.query_one("#plan", DataTable).cursor_row]


def roots(service, inv_id: int) -> dict[str, int]:
    """The demo's root causes by their first word."""
    return {c.text.split()[0]: c.id for c in service.list_causes(inv_id) if c.kind == "root"}


def actions_of(service, inv_id: int, cause_id: int):
    return [a for a in service.list_actions(inv_id) if cause_id in a.addresses]


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


def dialog_marks(dialog: ActionDialog) -> list[str]:
    """The lines of the root-cause ticks as drawn (text only: what NO_COLOR shows)."""
    choice = dialog.query_one("#addresses", RootChoice)
    return [choice.render_line(y).text.strip() for y in range(choice.option_count)]


@pytest.fixture
def app(service, demo_id):
    return make_app(service, today=TODAY)


# --- reasons (r, and e on a root cause's row) -------------------------------------------------


async def test_r_writes_why_a_root_cause_has_no_action(app, service, demo_id):
    delirium = roots(service, demo_id)["Delirium"]
    (only,) = actions_of(service, demo_id, delirium)
    service.delete_action(only.id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_plan(pilot)
        await cursor_to(pilot, ("cause", delirium, None))
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        assert app.screen.question.startswith("Why is no action planned for 'Delirium")
        await pilot.press(*"Night CAM screening starts with the new EHR in March")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen and app.is_running
        assert under_cursor(screen) == ("cause", delirium, None)
        detail = str(screen.query_one("#detail", Static).render())
        assert "Why no action: Night CAM screening starts" in detail
    cause = service.get_cause(delirium)
    assert cause.no_action_reason == "Night CAM screening starts with the new EHR in March"
    assert cause.weak_only_reason == ""
    assert "P-NO-ACTION" not in {f.code for f in service.check(demo_id, TODAY)}


async def test_e_on_a_root_cause_with_only_weaker_actions_asks_why_they_are_enough(
    app, service, demo_id
):
    handover = roots(service, demo_id)["The"]
    strong = next(a for a in actions_of(service, demo_id, handover) if a.strength != "weaker")
    service.update_action(strong.id, strong.version, strength="weaker")
    assert "P-WEAK-ONLY" in {f.code for f in service.check(demo_id, TODAY)}
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_plan(pilot)
        await cursor_to(pilot, ("cause", handover, None))
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        assert app.screen.question.startswith("Why are weaker actions (training, policy ...)")
        await pilot.press(*"A forcing function is funded for 2027")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen and app.is_running
    cause = service.get_cause(handover)
    assert (cause.weak_only_reason, cause.no_action_reason) == (
        "A forcing function is funded for 2027",
        "",
    )
    assert "P-WEAK-ONLY" not in {f.code for f in service.check(demo_id, TODAY)}


async def test_no_reason_is_asked_for_a_root_cause_with_a_stronger_action(app, service, demo_id):
    beds = roots(service, demo_id)["Beds"]
    before = service.get_cause(beds)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_plan(pilot)
        (action,) = actions_of(service, demo_id, beds)
        for key in (("cause", beds, None), ("action", beds, action.id)):
            await cursor_to(pilot, key)
            await pilot.press("r")
            await settle(pilot)
            assert app.screen is screen  # no dialog: there is nothing to explain
        assert notes(app)[-1].startswith(
            "Nothing to explain for 'Beds were bought without usability testing of the…': "
            "it has a stronger or intermediate action."
        )
    assert service.get_cause(beds) == before


async def test_a_root_cause_whose_actions_leadership_refused_is_asked_why_no_action(
    service, demo_id
):
    beds = roots(service, demo_id)["Beds"]
    inv = service.get_investigation(demo_id)
    service.submit_for_review(inv.id, inv.version)
    (action,) = actions_of(service, demo_id, beds)
    service.add_user("rita", "reviewer")
    rita = Service(service.db, "rita")  # not an author: she may decide
    rita.record_concurrence(action.id, action.version, "do_not_concur", "Costs too much")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_plan(pilot)
        await cursor_to(pilot, ("cause", beds, None))
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        assert app.screen.question.endswith("(leadership did not concur with its actions)?")
        await pilot.press("escape")  # nothing typed: closes at once
        await settle(pilot)
        assert isinstance(app.screen, ActionsScreen)
    assert service.get_cause(beds).no_action_reason == ""


async def test_escape_in_the_reason_dialog_asks_before_dropping_the_text(app, service, demo_id):
    beds = roots(service, demo_id)["Beds"]
    service.update_action(actions_of(service, demo_id, beds)[0].id, None, strength="weaker")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_plan(pilot)
        await cursor_to(pilot, ("cause", beds, None))
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*"Budget")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.click("#choice-cancel")  # keep editing
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        assert app.screen.snapshot() == "Budget"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.click("#choice-discard")
        await settle(pilot)
        assert isinstance(app.screen, ActionsScreen)
    assert service.get_cause(beds).weak_only_reason == ""


# --- add and edit (a, e, Enter, ctrl+t, ctrl+s, Escape) ---------------------------------------


async def test_a_shows_which_root_the_action_is_for_and_the_cursor_lands_on_it(
    app, service, demo_id
):
    ids = roots(service, demo_id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_plan(pilot)
        await cursor_to(pilot, ("cause", ids["Delirium"], None))
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        # The root under the cursor is ticked, and the tick reads without colour.
        assert [m[:4] for m in dialog_marks(dialog)] == ["[ ] ", "[ ] ", "[x] "]
        assert str(dialog.query_one("#for", Static).render()) == (
            "For: Delirium screening (CAM) is not scheduled on night shift"
        )
        await pilot.press(*"Install a forcing function so bed alarms re-arm by themselves")
        await pilot.press("ctrl+t")  # take the suggested strength
        assert dialog.query_one("#strength", Select).value == "stronger"
        choice = dialog.query_one("#addresses", RootChoice)
        choice.focus()
        await pilot.press("home", "space")  # tick the first root too
        await pilot.pause()
        assert [m[:3] for m in dialog_marks(dialog)] == ["[x]", "[ ]", "[x]"]
        assert str(dialog.query_one("#for", Static).render()).startswith(
            "For 2 root causes: Beds were bought"
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen and app.is_running
        new = max(service.list_actions(demo_id), key=lambda a: a.id)
        assert new.text == "Install a forcing function so bed alarms re-arm by themselves"
        assert new.strength == ST
        assert set(new.addresses) == {ids["Beds"], ids["Delirium"]}
        # The cursor sits on the saved action (its first row), not on the row it was on.
        assert under_cursor(screen) == ("action", ids["Beds"], new.id)
        # So the next `a` is for the root the user now sees under the cursor.
        await pilot.press("a")
        await settle(pilot)
        assert str(app.screen.query_one("#for", Static).render()).startswith(
            "For: Beds were bought"
        )


async def test_an_edit_that_moves_the_action_takes_the_cursor_with_it(app, service, demo_id):
    ids = roots(service, demo_id)
    (bed_action,) = actions_of(service, demo_id, ids["Beds"])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_plan(pilot)
        await cursor_to(pilot, ("action", ids["Beds"], bed_action.id))
        row_before = screen.query_one("#plan", DataTable).cursor_row
        stale = screen.state
        await pilot.press("enter")  # Enter edits, like e
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        dialog.query_one("#addresses", RootChoice).focus()
        await pilot.press("home", "space", "end", "space")  # untick Beds, tick Delirium
        await pilot.pause()
        assert str(dialog.query_one("#for", Static).render()).startswith("For: Delirium")
        owner = dialog.query_one("#owner", Input)
        owner.value = "Sam Patel, Biomed Lead"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert under_cursor(screen) == ("action", ids["Delirium"], bed_action.id)
        assert screen.query_one("#plan", DataTable).cursor_row != row_before
        # The reload on closing the dialog may start before the save and finish first: the
        # cursor still ends on the action's new row.
        fresh = screen.state
        screen.follow = next(a for a in fresh.dossier.actions if a.id == bed_action.id)
        screen._show(stale)
        assert under_cursor(screen) == ("action", ids["Beds"], bed_action.id)
        screen._show(fresh)
        assert under_cursor(screen) == ("action", ids["Delirium"], bed_action.id)
    moved = next(a for a in service.list_actions(demo_id) if a.id == bed_action.id)
    assert (moved.addresses, moved.owner) == ((ids["Delirium"],), "Sam Patel, Biomed Lead")


async def test_e_edits_and_escape_asks_before_dropping_changes(app, service, demo_id):
    before = service.list_actions(demo_id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_plan(pilot)
        first = before[0]
        await cursor_to(pilot, ("action", first.addresses[0], first.id))
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ActionDialog)
        await pilot.press("escape")  # nothing changed: closes at once
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*" and test them")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.click("#choice-discard")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("e")
        await settle(pilot)
        text = app.screen.query_one("#text", TextArea)
        text.move_cursor(text.document.end)
        await pilot.press(*" on every unit")
        await pilot.press("ctrl+s")
        await settle(pilot)
    after = {a.id: a for a in service.list_actions(demo_id)}
    assert after[first.id].text == first.text + " on every unit"
    assert [a for a in after.values() if a.id != first.id] == before[1:]


# --- delete (d, Delete) ------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["d", "delete"])
async def test_d_and_delete_remove_the_action_after_asking(app, service, demo_id, key):
    first, *rest = service.list_actions(demo_id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_plan(pilot)
        await cursor_to(pilot, ("action", first.addresses[0], first.id))
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("escape")  # cancel: nothing deleted
        await settle(pilot)
        assert app.screen is screen and len(service.list_actions(demo_id)) == 4
        await pilot.press(key)
        await settle(pilot)
        await pilot.click("#choice-delete")
        await settle(pilot)
        assert app.screen is screen
        assert under_cursor(screen) == ("cause", first.addresses[0], None)
    assert service.list_actions(demo_id) == rest


async def test_escape_goes_back_to_the_overview(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_plan(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)


# --- layout ------------------------------------------------------------------------------------


def cells(table: DataTable) -> list[list[str]]:
    return [[c.plain for c in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.mark.parametrize("size", [(80, 24), (110, 30), (160, 48), (200, 50)])
async def test_every_value_fits_its_column_at_every_width(service, demo_id, size):
    first = service.list_actions(demo_id)[0]
    service.update_action(first.id, first.version, status="verified_effective")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=size) as pilot:
        screen = await open_plan(pilot)
        table = screen.query_one("#plan", DataTable)
        widths = [c.width for c in table.columns.values()]
        assert sum(w + 2 * table.cell_padding for w in widths) <= size[0] - 2
        for row in cells(table):
            for value, width in zip(row, widths, strict=True):
                assert len(value) <= width, (value, width)
        assert widths[1] == STRENGTH_WIDTH
        labels = [c.label.plain for c in table.columns.values()]
        if size[0] >= 110:
            assert labels[-1] == "Status" and widths[-1] == STATUS_WIDTH
            assert "Verified effective" in [r[-1] for r in cells(table)]
        else:
            assert labels == ["Root cause / action", "Strength", "Due"]


async def test_the_columns_follow_a_resize(app):
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_plan(pilot)
        table = screen.query_one("#plan", DataTable)
        assert len(table.columns) == 5
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert len(table.columns) == 3
        total = sum(c.width + 2 * table.cell_padding for c in table.columns.values())
        assert total <= 78
