"""The intake form driven with the keyboard at 80x24 (and 160x48): what it shows, what it stores.

NCC MERP categories, the sentinel box that follows harm and report type until set by hand, both
SAC scores, and the form's look: it opens at the top, focus shows on every picker, a close call's
picker is not an empty box, and a ticked box differs from an unticked one without colour.
"""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Checkbox, Input, Select, Static
from textual.widgets._select import SelectCurrent

from rca_tui.app import make_app
from screens.dialogs import ChoiceDialog
from screens.home import HomeScreen
from screens.intake import IntakeScreen
from screens.overview import OverviewScreen
from screens.widgets.sac_matrix import SacMatrix

TODAY = dt.date(2026, 11, 30)
SIZES = [(80, 24), (160, 48)]


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def pick(pilot, selector: str, search: str) -> None:
    """Open a picker, type to search, Enter to choose: what a keyboard user does."""
    select = pilot.app.screen.query_one(selector, Select)
    select.focus()
    await pilot.pause()
    await pilot.press("enter", *search, "enter")
    await pilot.pause()


async def new_form(pilot, title: str) -> IntakeScreen:
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, IntakeScreen)
    await pilot.press(*title)
    return pilot.app.screen


def note(screen: IntakeScreen) -> str:
    return str(screen.query_one("#sentinel-note", Static).render())


def box(screen: IntakeScreen) -> Checkbox:
    return screen.query_one("#sentinel", Checkbox)


@pytest.fixture
def app(service):
    return make_app(service, today=TODAY)


async def test_ncc_merp_category_is_saved_from_the_form(app, service):
    async with app.run_test(size=(80, 24)) as pilot:
        await new_form(pilot, "Insulin given to the wrong patient")
        await pick(pilot, "#event_type", "med")
        await pick(pilot, "#ncc_merp", "i:")
        assert app.screen.query_one("#ncc_merp", Select).value == "I"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
    (row,) = service.list_investigations()
    inv = service.get_investigation(row.id)
    assert (inv.event_type, inv.ncc_merp) == ("medication", "I")


@pytest.mark.parametrize("size", SIZES)
async def test_sentinel_follows_harm_and_report_type(app, service, size):
    async with app.run_test(size=size) as pilot:
        screen = await new_form(pilot, "Fall with head injury, died")
        assert not box(screen).value
        assert note(screen) == "Follows harm and report type"
        await pick(pilot, "#report_type", "inc")
        await pick(pilot, "#harm", "death")
        assert box(screen).value
        await pick(pilot, "#harm", "mild")
        assert not box(screen).value
        await pick(pilot, "#harm", "severe")
        assert box(screen).value
        await pick(pilot, "#report_type", "near")  # did not reach the patient
        assert not box(screen).value
        await pick(pilot, "#report_type", "inc")
        assert box(screen).value
        assert note(screen) == "Follows harm and report type"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
    (row,) = service.list_investigations()
    assert row.sentinel is True


async def test_sentinel_set_by_hand_stays_and_the_overview_warns(app, service):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await new_form(pilot, "Death after a delayed transfer")
        await pick(pilot, "#report_type", "inc")
        await pick(pilot, "#harm", "death")
        assert box(screen).value
        box(screen).focus()
        await pilot.press("space")  # the investigator decides: not sentinel
        await pilot.pause()
        assert not box(screen).value
        assert note(screen) == "Set by hand; harm and report type say: sentinel"
        await pick(pilot, "#harm", "severe")
        assert not box(screen).value  # the user's choice stays
        await pick(pilot, "#harm", "mild")
        assert note(screen) == "Set by hand"
        await pick(pilot, "#harm", "death")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        findings = app.screen.query_one("#findings").plain
        assert "I-SENTINEL: Harm that reached the patient (death)" in findings
        steps = app.screen.query_one("#steps")
        assert steps.get_row("intake")[2].plain == "1"  # counted under the intake step
    (row,) = service.list_investigations()
    assert row.sentinel is False


async def test_a_stored_answer_that_differs_from_the_rule_counts_as_set_by_hand(app, service):
    inv = service.create_investigation(
        "Severe harm, judged not sentinel", report_type="incident", harm="severe", sentinel=False
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(IntakeScreen(inv.id))
        await settle(pilot)
        screen = app.screen
        assert not box(screen).value
        assert note(screen) == "Set by hand; harm and report type say: sentinel"
        await pick(pilot, "#harm", "death")
        assert not box(screen).value
        await pilot.press("ctrl+s")
        await settle(pilot)
    stored = service.get_investigation(inv.id)
    assert (stored.harm, stored.sentinel) == ("death", False)


async def test_both_scores_show_and_the_higher_is_stored(app, service):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await new_form(pilot, "Wrong-patient procedure stopped late")
        await pick(pilot, "#report_type", "inc")
        await pick(pilot, "#severity_actual", "min")
        await pick(pilot, "#probability", "rem")
        matrix = screen.query_one(SacMatrix)
        assert matrix.score == 1
        await pick(pilot, "#severity_potential", "cat")
        assert matrix.score == 3
        shown = matrix.render().plain
        assert "Actual (A)    1  Minor\n" in shown
        assert "Potential (P) 3  Catastrophic  decides" in shown
        assert "Score 3: highest risk: full RCA required" in shown
        assert "The higher score counts" in shown
        assert "[  3P ]" in shown and "1A" in shown  # both marked on the remote row
        await pick(pilot, "#report_type", "near")
        assert "Close call: scored on the potential" in matrix.render().plain
        await pick(pilot, "#report_type", "inc")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        summary = str(app.screen.query_one("#summary", Static).render())
        assert "SAC 3: highest risk: full RCA required" in summary
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    (row,) = service.list_investigations()
    assert row.sac_score == 3


@pytest.mark.parametrize("size", SIZES)
async def test_form_opens_at_the_top_with_the_title_focused(app, demo_id, size):
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen.query_one("#form")
        assert form.scroll_y == 0
        assert app.focused is app.screen.query_one("#title", Input)
        first = app.screen.query(".section").first()
        assert form.region.contains_region(first.region)  # "Event" is on screen
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")  # the demo investigation
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        form = app.screen.query_one("#form")
        assert form.scroll_y == 0
        assert app.focused is app.screen.query_one("#title", Input)


async def test_close_call_potential_severity_picker_shows_its_value(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await new_form(pilot, "Look-alike vials caught at the bedside")
        await pick(pilot, "#report_type", "near")
        await pick(pilot, "#severity_potential", "cat")
        picker = screen.query_one("#severity_potential", Select)
        assert picker.has_class("emphasis")
        assert picker.size.height == 1  # room for its value, not a border around nothing
        label = picker.query_one(SelectCurrent).query_one("#label", Static)
        assert "Catastrophic" in str(label.render())
        region = label.region
        assert screen.get_widget_at(region.x, region.y)[0] is label  # drawn, not covered


@pytest.mark.parametrize("theme", ["rca-16", "textual-dark"])
async def test_a_focused_picker_looks_different(app, theme):
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = theme
        screen = await new_form(pilot, "x")
        harm = screen.query_one("#harm", Select)
        other = screen.query_one("#event_type", Select)
        harm.focus()
        await settle(pilot)
        focused_bg = harm.query_one(SelectCurrent).styles.background
        assert focused_bg != other.query_one(SelectCurrent).styles.background


async def test_ticked_and_unticked_boxes_differ_without_colour(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await new_form(pilot, "x")
        blame = screen.query_one("#blameworthy", Checkbox)
        assert str(blame.render()).startswith("[ ] Blameworthy act suspected")
        blame.focus()
        await pilot.press("space")
        await pilot.pause()
        assert str(blame.render()).startswith("[x] Blameworthy act suspected")
        assert screen.query_one("#blameworthy_note").display
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert app.service.get_investigation(app.service.list_investigations()[0].id).blameworthy


async def test_escape_on_a_new_form_asks_then_saves_or_discards(app, service):
    async with app.run_test(size=(80, 24)) as pilot:
        await new_form(pilot, "Pressure injury, heel")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.click("#choice-discard")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert service.list_investigations() == []
        await new_form(pilot, "Pressure injury, sacrum")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.click("#choice-save")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
    assert [r.title for r in service.list_investigations()] == ["Pressure injury, sacrum"]


async def test_keys_typed_ahead_across_tab_land_in_the_field_they_were_typed_for(app):
    """A burst ("title<Tab>what happened<Tab>...", a paste over a slow link, a fast typist) is
    delivered in order: Tab moves on before the next key, shift+Tab moves back."""
    from textual import events

    def burst(*keys: str) -> None:
        for key in keys:
            character = key if len(key) == 1 else None
            app.post_message(events.Key(key, character))

    async with app.run_test(size=(80, 24)) as pilot:
        screen = await new_form(pilot, "")
        burst(*"Fall", "tab", *"Slipped", "tab", "shift+tab", *" again")
        await settle(pilot)
        assert screen.query_one("#title", Input).value == "Fall"
        assert screen.query_one("#description").text == "Slipped again"


async def test_editing_keys_in_a_burst_apply_in_the_order_typed(app):
    """Backspace, arrows and Home typed ahead with letters (a slow link delivers them together)
    edit where they were typed, in a one-line field and in a text box alike."""
    from textual import events

    def burst(*keys: str) -> None:
        for key in keys:
            app.post_message(events.Key(key, key if len(key) == 1 else None))

    async with app.run_test(size=(80, 24)) as pilot:
        screen = await new_form(pilot, "")
        burst(*"Fak", "backspace", *"ll", "home", *"A ", "end", *"!")
        await settle(pilot)
        assert screen.query_one("#title", Input).value == "A Fall!"
        burst("tab", *"xy", "left", "z", "end", *" ok")
        await settle(pilot)
        assert screen.query_one("#description").text == "xzy ok"


async def test_f7_selects_all_the_text_so_typing_replaces_it(app):
    """Replacing a whole title or description is one key a terminal can send (F7), in the
    one-line field as in the text box, and F1 help names it while a field has the focus."""
    from screens.help import HelpScreen

    async with app.run_test(size=(80, 24)) as pilot:
        screen = await new_form(pilot, "Fall on 4 West")
        await pilot.press("f7", *"Slip")
        assert screen.query_one("#title", Input).value == "Slip"
        await pilot.press("tab", *"old text", "f7", *"new")
        await settle(pilot)
        assert screen.query_one("#description").text == "new"
        await pilot.press("shift+tab", "f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("DataTable")
        rows = [tuple(map(str, table.get_row_at(i))) for i in range(table.row_count)]
        assert any("f7" in keys and description == "Select all" for keys, description in rows)
