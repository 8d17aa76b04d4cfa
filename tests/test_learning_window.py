"""The date window of the learning screen (`w`): from/to typed in a small dialog, read as dates
anywhere else in the app, a wrong date or a start after the end said in words (the dialog stays
open), the window named in the heading and passed to the service, drill-downs too; Clear and
Escape."""

from __future__ import annotations

import datetime as dt

import pytest
from learning_set import create, plan

from models.errors import ValidationError
from rca_tui.app import make_app
from screens.window_dialog import describe_window, read_window

BOTH_BACKENDS = True
TODAY = dt.date(2026, 11, 30)
START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def test_reading_and_naming_a_window():
    assert read_window("2025-01-01", "", today=TODAY) == (START, None)
    assert read_window(" ", "2025-12-31") == (None, END)
    assert describe_window(START, END) == "2025-01-01 to 2025-12-31"
    assert describe_window(START, None) == "from 2025-01-01"
    assert describe_window(None, END) == "to 2025-12-31"
    assert describe_window(None, None) == "all dates"
    after = r"'From' \(2025-12-31\) is after 'To' \(2025-01-01\)"
    with pytest.raises(ValidationError, match=after):
        read_window("2025-12-31", "2025-01-01")
    with pytest.raises(ValidationError, match="From"):
        read_window("not a date", "")


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_w_sets_the_window_of_the_learning_screen(service):
    from textual.widgets import DataTable, Input, Static

    from screens.learning import InvestigationsScreen, LearningScreen
    from screens.window_dialog import DateWindowDialog

    planned = plan(12)
    create(service, planned)
    in_2025 = [p for p in planned if START <= p.occurred_at.date() <= END]
    assert 0 < len(in_2025) < 12
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LearningScreen) and screen.data.total == 12
        heading = screen.query_one("#heading", Static)
        assert "events" not in str(heading.render())

        # a start after the end: said in words, the dialog stays open
        await pilot.press("w")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DateWindowDialog)
        await pilot.press(*"2025-12-31", "tab", *"2025-01-01", "ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        problem = dialog.query_one("#problem", Static)
        assert problem.display and "is after 'To'" in str(problem.render())
        # a date that cannot be read
        dialog.query_one("#to", Input).value = "31st of Smarch"
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is dialog and "To" in str(problem.render())
        # fixed: Enter in a field applies it
        dialog.query_one("#from", Input).value = "2025-01-01"
        dialog.query_one("#to", Input).value = "2025-12-31"
        dialog.query_one("#to", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert (screen.start, screen.end) == (START, END)
        assert screen.data.total == len(in_2025)
        assert "events 2025-01-01 to 2025-12-31" in str(heading.render())
        # Longer than 80 columns with the window: it wraps rather than losing "Enter lists them".
        shown = [strip.text for strip in heading.render_lines(heading.region.reset_offset)]
        assert heading.size.height == 2 and "Enter lists them" in " ".join(shown)
        assert screen.sub_title == "Learning · events 2025-01-01 to 2025-12-31"
        by_type = {r.key: r.investigations for r in screen.data.counts["event_type"]}
        want: dict[str, int] = {}
        for p in in_2025:
            want[p.event_type] = want.get(p.event_type, 0) + 1
        assert by_type == want

        # the drill-down counts in the same window
        await pilot.press("d")
        await pilot.pause()
        first = screen.data.counts["event_type"][0]
        await pilot.press("enter")
        await settle(pilot)
        behind = app.screen
        assert isinstance(behind, InvestigationsScreen)
        assert behind.query_one("#behind", DataTable).row_count == first.investigations
        assert "(events 2025-01-01 to 2025-12-31)" in str(behind.query_one("#heading").render())
        await pilot.press("escape")
        await settle(pilot)

        # Escape leaves the window as it was; Clear counts every event again
        await pilot.press("w")
        await settle(pilot)
        assert app.screen.query_one("#from", Input).value == "2025-01-01"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.start == START
        await pilot.press("w")
        await settle(pilot)
        await pilot.click("#clear")
        await settle(pilot)
        assert app.screen is screen and (screen.start, screen.end) == (None, None)
        assert screen.data.total == 12 and "events" not in str(heading.render())
