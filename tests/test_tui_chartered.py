"""The RCA team's charter typed in the intake form: read like every other date, refused before
the decision with the other date errors, saved with ctrl+s, and the 72-hour start judged by it
on the form and on the overview (and 'not recorded' until it is typed)."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input, Static

from rca_tui.app import make_app
from screens.home import HomeScreen
from screens.intake import IntakeScreen
from screens.overview import OverviewScreen

TODAY = dt.date(2026, 11, 30)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def type_into(pilot, selector: str, text: str) -> None:
    widget = pilot.app.screen.query_one(selector, Input)
    widget.focus()
    await pilot.pause()
    widget.value = ""
    await pilot.press(*text)
    await pilot.pause()


def shown(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


@pytest.fixture
def app(service):
    return make_app(service, today=TODAY)


async def test_the_charter_is_typed_checked_saved_and_judged(app, service):
    inv = service.create_investigation(
        "Fall with hip fracture", decision_at=dt.datetime(2026, 11, 4, 9, 0)
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the one investigation: its overview
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        summary = shown(app.screen, "#summary")
        assert "Start by 2026-11-07 09:00 (72 h): start not recorded" in summary
        await pilot.press("e")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        assert "(72 h): start not recorded" in shown(screen, "#deadlines")

        # Not a date: the same message as every date field, naming this one.
        await type_into(pilot, "#chartered_at", "next week")
        await pilot.press("ctrl+s")
        await settle(pilot)
        errors = shown(screen, "#errors")
        assert "RCA team chartered at (the RCA started): " in errors
        assert "'next week' is not a date (try 2026-11-03 14:20" in errors
        assert app.focused is screen.query_one("#chartered_at", Input)
        # Before the decision: a data error, reported with the others, and nothing is saved.
        await type_into(pilot, "#chartered_at", "2026-11-04 08:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "chartered at may not be before decided at" in shown(screen, "#errors")
        assert service.get_investigation(inv.id).chartered_at is None

        # Day first, as the other dates are read; the form judges it as it is typed.
        await type_into(pilot, "#chartered_at", "7/11/2026 14:00")
        assert (
            "(72 h): not met, 5 hours late (chartered 2026-11-07 14:00)"
            in shown(screen, "#deadlines")
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not screen.query_one("#errors").display
        stored = service.get_investigation(inv.id)
        assert stored.chartered_at == dt.datetime(2026, 11, 7, 14, 0)
        assert service.audit_entries(inv.id)[-1].field == "chartered_at"
        assert screen.query_one("#chartered_at", Input).value == "2026-11-07 14:00"

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert (
            "(72 h): not met, 5 hours late (chartered 2026-11-07 14:00)"
            in shown(app.screen, "#summary")
        )
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_an_approved_investigation_still_says_whether_it_started_in_time(service, person):
    """Its deadlines no longer run, but the start was met or missed by the charter."""
    from models.demo import demo_document

    service.add_user("rita", "reviewer")
    rita = person(service, "rita")
    inv = service.import_document(demo_document(TODAY))
    assert inv.decision_at is not None
    inv = service.update_investigation(
        inv.id, inv.version, chartered_at=inv.decision_at + dt.timedelta(hours=80)
    )
    inv = service.submit_for_review(inv.id, inv.version)
    for a in rita.list_actions(inv.id):
        rita.record_concurrence(a.id, a.version, "concur")
    rita.approve(inv.id, inv.version)
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        summary = shown(app.screen, "#summary")
        assert "Approved " in summary
        start_by = (inv.decision_at + dt.timedelta(hours=72)).strftime("%Y-%m-%d %H:%M")
        assert f"Start by {start_by}: not met, 8 hours late (chartered " in summary
