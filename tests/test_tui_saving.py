"""Nothing typed or saved is lost: ordered saves, dialogs that keep their text, undo per
investigation, asking before quitting; and dialogs that fit small terminals.

Another person is a second `Service` on the same database file (user "bob").
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from textual.containers import Vertical
from textual.geometry import Region
from textual.widgets import DataTable, Input, Select, TextArea
from textual.widgets._select import SelectCurrent

from models.db import open_database
from models.errors import ConflictError
from models.service import Service, open_service
from rca_tui.app import make_app
from screens.cause_dialog import CauseDialog
from screens.dialogs import ChoiceDialog, EditDialog, ErrorDialog, TextDialog
from screens.fishbone import FishboneScreen
from screens.intake import IntakeScreen
from screens.team import MemberDialog, TeamScreen
from screens.timeline import EntryDialog, TimelineScreen

TODAY = dt.date(2026, 11, 30)
LONG = (
    "The bed exit alarm was switched off at the evening handover and nobody re-armed it "
    "before the night, because the alarm pad is not part of the handover checklist"
)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def bob(db_path, service):
    other = open_service(db_path, user="bob")
    yield other
    other.db.dispose()


async def open_step(pilot, investigation_id: int, key: str) -> None:
    pilot.app.open_investigation(investigation_id)
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)


def plain_cause(service, investigation_id: int):
    return next(
        c for c in service.list_causes(investigation_id) if c.kind == "cause" and c.category
    )


async def on_cause(pilot, cause_id: int) -> None:
    from screens.widgets.fishbone import FishboneView

    pilot.app.screen.query_one(FishboneView).select_cause(cause_id)
    await pilot.pause()


# --- item 2: saves run in order, each result handled ----------------------------------------
async def test_two_quick_kind_presses_cycle_twice(service, demo_id):
    cause = plain_cause(service, demo_id)
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, demo_id, "f")
        assert isinstance(app.screen, FishboneScreen)
        await on_cause(pilot, cause.id)
        # A slow disk: the first save is still running when the second press comes.
        gate = threading.Event()
        update = service.update_cause

        def slow_update(*args, **kwargs):
            gate.wait(10)
            return update(*args, **kwargs)

        service.update_cause = slow_update
        await pilot.press("k")
        await pilot.press("k")
        gate.set()
        await settle(pilot)
        assert isinstance(app.screen, FishboneScreen)  # no "changed by someone else"
        assert service.get_cause(cause.id).kind == "root"  # cause -> contributing -> root
        assert app.screen.current().kind == "root"
        await pilot.press("u", "u")
        await settle(pilot)
        assert service.get_cause(cause.id).kind == "cause"


# --- item 1: undo per investigation, and never over someone else's edit ----------------------
async def test_undo_belongs_to_the_investigation_and_checks_the_version(service, bob, demo_id):
    other = service.create_investigation("Wrong-patient insulin")
    service.add_cause(other.id, "Insulin given to the wrong patient", kind="event")
    cause = plain_cause(service, demo_id)
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, demo_id, "f")
        await on_cause(pilot, cause.id)
        await pilot.press("k")
        await settle(pilot)
        assert service.get_cause(cause.id).kind == "contributing"
        # In another investigation, u has nothing to undo: the fall's edit stays.
        await pilot.press("escape", "escape")
        await open_step(pilot, other.id, "f")
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert "Nothing to undo" in app.screen.message
        await pilot.press("escape")
        assert service.get_cause(cause.id).kind == "contributing"
        await pilot.press("escape", "escape")
        await settle(pilot)
        # Bob edits the cause; undoing now would throw his text away: a conflict.
        stored = bob.get_cause(cause.id)
        bob.update_cause(cause.id, stored.version, text="Bob's wording")
        await open_step(pilot, demo_id, "f")
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.title_text == "Changed by someone else"
        assert "changed by bob" in app.screen.message
        assert app.screen.can_reload
        await pilot.click("#reload")
        await settle(pilot)
    after = service.get_cause(cause.id)
    assert (after.text, after.kind) == ("Bob's wording", "contributing")
    with pytest.raises(ConflictError, match="changed by bob"):  # the step is kept
        app.history.undo(demo_id)


# --- item 4: a failed save keeps the dialog and its text -------------------------------------
async def test_a_conflict_in_the_cause_dialog_shows_yours_and_stored(service, bob, demo_id):
    cause = plain_cause(service, demo_id)
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, demo_id, "f")
        await on_cause(pilot, cause.id)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, CauseDialog)
        bob.update_cause(cause.id, cause.version, text="Bob's text", evidence="Bob's evidence")
        text = app.screen.query_one("#text", TextArea)
        text.text = "Alice's text"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        message = app.screen.message
        assert "changed by bob" in message
        assert "yours:  Alice's text" in message and "stored: Bob's text" in message
        assert "stored: Bob's evidence" in message
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CauseDialog)  # still open, with what Alice typed
        assert app.screen.query_one("#text", TextArea).text == "Alice's text"
        await pilot.press("ctrl+s")  # now over the stored version: her text, Bob's evidence
        await settle(pilot)
        assert isinstance(app.screen, FishboneScreen)
    stored = service.get_cause(cause.id)
    assert (stored.text, stored.evidence) == ("Alice's text", "Bob's evidence")


async def test_a_conflict_in_the_member_dialog_can_be_applied_again(service, bob, demo_id):
    member = service.list_team(demo_id)[0]
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, demo_id, "t")
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, MemberDialog)
        bob.update_member(member.id, member.version, name="Alexandra Morgan")
        name = app.screen.query_one("#name", Input)
        name.value = "Alex Morgan-Smith"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert "yours:  Alex Morgan-Smith" in app.screen.message
        assert "stored: Alexandra Morgan" in app.screen.message
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MemberDialog)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TeamScreen)
    assert service.list_team(demo_id)[0].name == "Alex Morgan-Smith"


@pytest.mark.parametrize(
    "step,key,dialog,field",
    [
        ("t", "a", MemberDialog, "#name"),
        ("l", "a", EntryDialog, "#happened"),
        ("f", "a", CauseDialog, "#text"),
    ],
)
async def test_a_read_only_save_keeps_the_dialog_open(
    service, db_path, demo_id, step, key, dialog, field
):
    service.db.dispose()
    ro = Service(open_database(db_path, readonly=True), "carol")
    app = make_app(ro, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, demo_id, step)
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, dialog)
        box = app.screen.query_one(field)
        box.focus()
        await pilot.press(*"Typed before the failure")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.title_text == "Read-only"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, dialog)
        box = app.screen.query_one(field)
        assert (box.value if isinstance(box, Input) else box.text) == "Typed before the failure"
    ro.db.dispose()


async def test_a_long_error_scrolls_with_its_buttons_in_view(service):
    app = make_app(service, today=TODAY)
    changed = {f"field {i}": (f"yours {i}", f"stored {i}") for i in range(8)}
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        app.show_error(ConflictError("Cause 'x' was changed by bob", changed=changed))
        await settle(pilot)
        assert "field 7\n  yours:  yours 7\n  stored: stored 7" in app.screen.message
        frame = app.screen.query_one(Vertical)
        assert frame.max_scroll_y > 0
        assert Region(0, 0, 60, 20).contains_region(app.screen.query_one("#close").region)
        await pilot.press("down", "down")
        assert frame.scroll_y == 2
        await pilot.press("up")
        assert frame.scroll_y == 1


# --- item 3: ctrl+q asks when something typed would be lost ---------------------------------
async def test_ctrl_q_asks_with_an_unsaved_form_or_dialog(service, demo_id):
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, demo_id, "e")
        assert isinstance(app.screen, IntakeScreen)
        unit = app.screen.query_one("#unit", Input)
        unit.focus()
        await pilot.press("x")
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        assert "Event intake" in app.screen.question
        await pilot.press("ctrl+q")  # asked once, not twice
        await settle(pilot)
        await pilot.click("#choice-cancel")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        app.action_go_home()  # the palette's "Go: home" asks the same way
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert app.screen.query_one("#unit", Input).value.endswith("x")
        app.screen.action_save()
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("t", "a")  # a dialog with a name typed
        await settle(pilot)
        await pilot.press(*"Pat")
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        assert "an open dialog" in app.screen.question
        assert len(app.screen_stack) == 6  # home, overview, team, dialog, question
        await pilot.click("#choice-go")
        await settle(pilot)
    assert app.return_code == 0
    assert [m.name for m in service.list_team(demo_id)].count("Pat") == 0


async def test_ctrl_q_quits_at_once_with_nothing_typed(service, demo_id):
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, demo_id, "t")
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not app.is_running


# --- item 6: a date without a time ----------------------------------------------------------
async def test_a_date_only_timeline_entry_shows_no_midnight(service):
    inv = service.create_investigation("Fall")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, inv.id, "l")
        assert isinstance(app.screen, TimelineScreen)
        for when, what in (("2026-11-03", "Admitted"), ("2026-11-03 14:20", "Fell")):
            await pilot.press("a")
            await settle(pilot)
            await pilot.press(*when)
            app.screen.query_one("#happened", TextArea).text = what
            await pilot.press("ctrl+s")
            await settle(pilot)
        table = app.screen.query_one(DataTable)
        shown = [table.get_row_at(i)[1].plain for i in range(table.row_count)]
        assert shown == ["2026-11-03", "2026-11-03 14:20"]
        table.move_cursor(row=0)
        await pilot.press("e")
        await settle(pilot)
        assert app.screen.query_one("#at", Input).value == "2026-11-03"


# --- item 5: dialogs fit, scroll, and show their fields -------------------------------------
SIZES = [(80, 24), (160, 48), (80, 20), (60, 20)]


async def open_dialog(pilot, service, demo_id: int, which: str) -> EditDialog:
    app = pilot.app
    root = next(c for c in service.list_causes(demo_id) if c.kind == "root")
    if which == "member":
        await open_step(pilot, demo_id, "t")
        await pilot.press("e")
    elif which == "entry":
        await open_step(pilot, demo_id, "l")
        await pilot.press("e")
    elif which in ("cause", "categories"):
        await open_step(pilot, demo_id, "f")
        await on_cause(pilot, root.id)
        await pilot.press("e" if which == "cause" else "c")
    elif which == "reason":
        await open_step(pilot, demo_id, "p")
        await pilot.press("r")
    elif which == "feedback":
        await open_step(pilot, demo_id, "v")
        await pilot.press("f")
    await settle(pilot)
    assert isinstance(app.screen, EditDialog)
    return app.screen


def in_view(widget, dialog) -> bool:
    """Between the dialog's title and its foot, and inside the terminal."""
    top = dialog.query_one(".dialog-title").region.bottom
    bottom = dialog.query_one(".foot").region.y
    r = widget.region
    return r.height > 0 and top <= r.y and r.bottom <= bottom


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("which", ["member", "entry", "cause", "categories", "feedback"])
async def test_every_dialog_fits_and_tab_shows_each_field(service, demo_id, size, which):
    app = make_app(service, today=TODAY)
    async with app.run_test(size=size) as pilot:
        dialog = await open_dialog(pilot, service, demo_id, which)
        terminal = Region(0, 0, *size)
        for button in ("#ok", "#cancel"):
            assert terminal.contains_region(dialog.query_one(button).region)
        foot = dialog.query_one(".foot")
        seen = set()
        for _ in range(12):
            focused = app.focused
            if foot in focused.ancestors or focused in seen:
                break
            seen.add(focused)
            assert in_view(focused, dialog), (focused, focused.region)
            await pilot.press("tab")
            await pilot.pause()
        for select in dialog.query(Select):
            assert select.query_one(SelectCurrent).content_region.height >= 1


async def test_reason_dialog_fits_at_60x20(service, demo_id):
    # A reason is asked for a root cause without an action: take the first one's away.
    actions = service.list_actions(demo_id)
    first = min(a.addresses[0] for a in actions if a.addresses)
    for action in actions:
        if first in action.addresses:
            service.delete_action(action.id)
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(60, 20)) as pilot:
        dialog = await open_dialog(pilot, service, demo_id, "reason")
        assert isinstance(dialog, TextDialog)
        assert Region(0, 0, 60, 20).contains_region(dialog.query_one("#ok").region)


@pytest.mark.parametrize("size", [(80, 24), (80, 40)])
async def test_cause_texts_are_several_lines_and_grow(service, demo_id, size):
    root = next(c for c in service.list_causes(demo_id) if c.kind == "root")
    service.update_cause(root.id, root.version, evidence=LONG)
    app = make_app(service, today=TODAY)
    async with app.run_test(size=size) as pilot:
        dialog = await open_dialog(pilot, service, demo_id, "cause")
        evidence = dialog.query_one("#evidence", TextArea)
        statement = dialog.query_one("#statement", TextArea)
        assert evidence.region.height >= 4  # two wrapped lines and the border
        assert 3 <= statement.region.height <= 8
        dialog.query_one("#suggest").press()
        await settle(pilot)
        assert statement.text
        assert statement.region.height >= 4  # the suggested statement can be read whole


async def test_team_table_shows_involved_at_80_columns(service, demo_id):
    member = service.list_team(demo_id)[0]
    service.update_member(member.id, member.version, name=LONG[:70], involved=True)
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, demo_id, "t")
        table = app.screen.query_one(DataTable)
        widths = sum(col.get_render_width(table) for col in table.columns.values())
        assert widths <= table.size.width
        assert table.get_row_at(0)[2].plain == "yes"
