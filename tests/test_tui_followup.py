"""The follow-up screen and the action tracker, key by key, at 80x24 with a fixed today.

The demo investigation is approved by rita (a reviewer; ivan wrote it). Every binding of the
tracker, the follow-up screen and its dialogs is pressed here, and each test checks what was
stored, what the screen shows, and that the investigation stayed approved.
"""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import DataTable, Input, Select, Static, TextArea

from models.demo import demo_document
from rca_tui.app import make_app
from screens.actions import ActionsScreen
from screens.dialogs import ChoiceDialog, TextDialog
from screens.followup import (
    CorrectionDialog,
    FollowupScreen,
    ImplementationDialog,
    MeasurementDialog,
    VerdictDialog,
)
from screens.home import HomeScreen
from screens.overview import OverviewScreen
from screens.review import FeedbackDialog
from screens.tracker import TrackerScreen

BASE = dt.date(2026, 11, 30)
#: After every due date and measure date of the demo plan.
TODAY = BASE + dt.timedelta(days=200)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def fill(pilot, selector: str, text: str) -> None:
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    await pilot.pause()
    if isinstance(widget, Input):
        widget.value = ""
    if isinstance(widget, TextArea):
        widget.text = ""
    await pilot.press(*text)


@pytest.fixture
def world(service, person):
    """(rita's service, the approved investigation's id, a draft's id)."""
    service.add_user("rita", "reviewer")
    ivan, rita = person(service, "ivan"), person(service, "rita")
    inv = ivan.import_document(demo_document(BASE))
    draft = ivan.import_document(demo_document(BASE))
    ivan.update_investigation(draft.id, None, title="Second fall, draft plan")
    inv = ivan.submit_for_review(inv.id, ivan.get_investigation(inv.id).version)
    for a in rita.list_actions(inv.id):
        rita.record_concurrence(a.id, a.version, "concur")
    rita.approve(inv.id, inv.version, "Strong plan")
    return rita, inv.id, draft.id


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_the_overview_shows_the_follow_up_step(world):
    rita, inv_id, _ = world
    app = make_app(rita, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_investigation(inv_id)
        await settle(pilot)
        steps = app.screen.query_one("#steps", DataTable)
        row = steps.get_row("followup")
        assert "9. Follow-up" in str(row[0]) and "0/4 resolved, 0 results" in str(row[1])
        assert "Reporter not told yet" in text_of(app.screen, "#summary")
        findings = app.screen.query_one("#findings").plain  # a TextView
        assert "F-MEASURE-DUE" in findings and "F-CLOSE-BLOCKED" in findings
        await pilot.press("9")
        await settle(pilot)
        assert isinstance(app.screen, FollowupScreen)


async def test_implementation_results_verdict_and_closing_an_action(world):
    rita, inv_id, _ = world
    app = make_app(rita, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_investigation(inv_id)
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FollowupScreen)
        target = screen.selected()
        # i: done on a date
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ImplementationDialog)
        await fill(pilot, "#done_on", "not a date")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ImplementationDialog)  # the problem is said inside
        await fill(pilot, "#done_on", (TODAY - dt.timedelta(days=10)).isoformat())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        # m: two results that miss the 100% target
        for num in ("40", "45"):
            await pilot.press("m")
            await settle(pilot)
            assert isinstance(app.screen, MeasurementDialog)
            await fill(pilot, "#numerator", num)
            await fill(pilot, "#denominator", "50")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is screen
        assert "90% (45/50)" in text_of(screen, "#detail")
        # v: not effective needs a note
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, VerdictDialog)
        app.screen.query_one("#effectiveness", Select).value = "not_effective"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, VerdictDialog)
        await fill(pilot, "#effectiveness_note", "Missed twice")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Verdict: Not effective by rita" in text_of(screen, "#detail")
        # c: the reviewer closes it with a reason
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"Replaced by the bed contract")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Closed by rita: Replaced by the bed contract" in text_of(screen, "#detail")
        await pilot.press("u")
        await settle(pilot)
        assert any("Follow-up is not undone" in n.message for n in app._notifications)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
    a = next(a for a in rita.list_actions(inv_id) if a.id == target.id)
    assert (a.done_on, a.effectiveness, a.closed_by) == (
        TODAY - dt.timedelta(days=10),
        "not_effective",
        "rita",
    )
    results = [m for m in rita.list_measurements(inv_id) if m.action_id == a.id]
    assert [(m.taken_on, m.numerator) for m in results] == [(TODAY, 40), (TODAY, 45)]
    assert rita.get_investigation(inv_id).status == "approved"


async def test_b_records_how_the_reporter_was_told_and_escape_asks_first(world):
    rita, inv_id, _ = world
    app = make_app(rita, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_investigation(inv_id)
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        screen = app.screen
        assert "Reporter not told yet" in text_of(screen, "#state")
        await pilot.press("m")
        await settle(pilot)
        await fill(pilot, "#value", "3")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.click("#choice-discard")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, FeedbackDialog)
        await fill(pilot, "#method", "in person")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert f"Reporter told {TODAY.isoformat()}, in person by rita" in text_of(
            screen, "#state"
        )
        await pilot.press("escape")
        await settle(pilot)
        assert f"Reporter told {TODAY.isoformat()} in person" in text_of(app.screen, "#summary")
    assert rita.list_measurements(inv_id) == []
    (fb,) = [f for f in rita.dossier(inv_id).feedback if f.method]
    assert (fb.audience, fb.method, fb.given_on) == ("reporter", "in person", TODAY)


async def test_the_tracker_filters_sorts_and_opens_an_action(world):
    rita, inv_id, draft_id = world
    app = make_app(rita, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TrackerScreen)
        assert len(screen.shown) == 8  # four actions in each investigation
        assert "8 open actions · 8 overdue · sorted by due" in text_of(screen, "#status-line")
        assert all(t.days_overdue for t in screen.shown)
        await pilot.press(*"draft")
        await settle(pilot)
        assert {t.investigation_id for t in screen.shown} == {draft_id}
        await pilot.press("escape")  # clears the filter
        await settle(pilot)
        assert len(screen.shown) == 8
        await pilot.press("/", *"bed")
        await settle(pilot)
        assert {t.action.text[:9] for t in screen.shown} == {"Configure"}
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("s")  # late
        await settle(pilot)
        assert screen.sort == "late"
        lates = [t.days_overdue for t in screen.shown]
        assert lates == sorted(lates, reverse=True)
        await pilot.click("#tracker", offset=(20, 0))  # the Action header
        await settle(pilot)
        assert screen.sort == "action"
        texts = [t.action.text.casefold() for t in screen.shown]
        assert texts == sorted(texts)
        await pilot.press("r")
        await settle(pilot)
        table = screen.query_one("#tracker", DataTable)
        row = next(i for i, t in enumerate(screen.shown) if t.investigation_id == inv_id)
        table.move_cursor(row=row)
        wanted = screen.shown[row].action.id
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FollowupScreen)
        assert app.screen.selected().id == wanted
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        # not approved: the action plan, the cursor on that action (not the first row)
        wanted = max(t.action.id for t in screen.shown if t.investigation_id == draft_id)
        row = next(i for i, t in enumerate(screen.shown) if t.action.id == wanted)
        table.move_cursor(row=row)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ActionsScreen)
        plan = app.screen
        first = next(r for r in plan.rows if r[0] == "action")
        assert first[2] != wanted  # the last action of the plan, so the cursor moved to it
        chosen = plan._selected_action()
        assert chosen is not None and chosen.id == wanted
        assert chosen.text[:20] in text_of(plan, "#detail")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_x_corrects_a_result_entered_by_mistake(world):
    rita, inv_id, _ = world
    a = rita.list_actions(inv_id)[1]  # target 95%
    on = a.measure.date
    old = rita.add_measurement(a.id, taken_on=on, numerator=40, denominator=50, today=TODAY)
    typo = rita.add_measurement(a.id, taken_on=TODAY, value=85, note="Ward audit", today=TODAY)
    app = make_app(rita, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(FollowupScreen(inv_id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FollowupScreen)
        assert screen.selected().id != a.id
        await pilot.press("x")  # the first action has no result: nothing to correct
        await settle(pilot)
        assert app.screen is screen
        said = [n.message for n in app._notifications]
        assert "No result to correct: m records one." in said
        screen.query_one("#followup", DataTable).move_cursor(row=1)
        await settle(pilot)
        assert screen.selected().id == a.id
        assert "x corrects a result entered by mistake" in text_of(screen, "#detail")
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CorrectionDialog)
        # It starts from the latest result; choosing the older one fills its values in.
        assert dialog.query_one("#value", Input).value == "85"
        assert dialog.query_one("#note", TextArea).text == "Ward audit"
        dialog.query_one("#wrong", Select).value = old.id
        await settle(pilot)
        assert dialog.query_one("#numerator", Input).value == "40"
        dialog.query_one("#wrong", Select).value = typo.id
        await settle(pilot)
        assert dialog.query_one("#value", Input).value == "85"
        await fill(pilot, "#value", "98")
        await pilot.press("ctrl+s")  # a reason is required
        await settle(pilot)
        assert app.screen is dialog
        assert "Why it is corrected: is required" in text_of(dialog, "#problem")
        await fill(pilot, "#reason", "Typed 85 for 98")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        detail = screen.query_one("#detail", Static).render()
        assert "corrected: Typed 85 for 98" in str(detail)
        assert any("strike" in str(span.style) for span in detail.spans)
        row = screen.query_one("#followup", DataTable).get_row_at(1)
        assert str(row[4]).startswith("98 ")  # the last result is the correction
    got = {m.id: m for m in rita.list_measurements(inv_id)}
    assert got[typo.id].superseded_reason == "Typed 85 for 98"
    (fixed,) = [m for m in got.values() if m.id not in (old.id, typo.id)]
    assert (fixed.value, fixed.note, got[typo.id].superseded_by) == (98, "Ward audit", fixed.id)
    assert rita.get_investigation(inv_id).status == "approved"
