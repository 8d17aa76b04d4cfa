"""Keys the other screen tests left unpressed (tests/binding_coverage.py found them).

Each is pressed the way a user reaches it: Enter on home and on the overview through the command
palette (the list itself answers Enter with its own row selection), `/` to start a filter, `d`
and `delete` on the team and the timeline, `shift+down` to move an entry later, Escape out of
the timeline and out of the export dialog.
"""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Input

from rca_tui.app import make_app
from screens.audit import AuditScreen
from screens.dialogs import ChoiceDialog
from screens.export import ExportDialog
from screens.home import HomeScreen
from screens.overview import OverviewScreen
from screens.team import TeamScreen
from screens.timeline import TimelineScreen

TODAY = dt.date(2026, 11, 30)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def palette(pilot, command: str) -> None:
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*command)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def open_demo(pilot) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, OverviewScreen)


async def test_open_from_the_palette_on_home_and_on_the_overview(service, demo_id):
    service.create_investigation("Second event")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        row = next(
            i for i in range(table.row_count) if table.get_row_at(i)[0].plain == "Second event"
        )
        table.move_cursor(row=row)
        await palette(pilot, "investigations: open")
        assert isinstance(app.screen, OverviewScreen)
        assert app.screen.title == "Second event"
        steps = app.screen.query_one("#steps", DataTable)
        steps.move_cursor(row=2)  # 3. Timeline
        await palette(pilot, "investigation: open step")
        assert isinstance(app.screen, TimelineScreen)


async def test_slash_starts_the_filter_on_home_and_in_the_audit_trail(service, demo_id):
    service.create_investigation("Wrong-site surgery")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        table = home.query_one(DataTable)
        assert table.row_count == 2
        # "s" is home's sort key; after "/" it is the first letter of the filter.
        await pilot.press("slash", *"site s")
        await settle(pilot)
        assert home.query_one("#filter", Input).value == "site s"
        assert table.row_count == 1 and table.get_row_at(0)[0].plain == "Wrong-site surgery"
        await pilot.press("escape")
        await settle(pilot)
        assert table.row_count == 2
        # The audit trail of the demo: "/" then a word only some entries hold.
        row = next(i for i in range(table.row_count) if "Inpatient" in table.get_row_at(i)[0].plain)
        table.move_cursor(row=row)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        audit = app.screen
        assert isinstance(audit, AuditScreen)
        entries = audit.query_one(DataTable)
        before = entries.row_count
        await pilot.press("slash", *"timeline_entry")
        await settle(pilot)
        assert audit.query_one("#filter", Input).value == "timeline_entry"
        assert 0 < entries.row_count < before


async def test_team_member_removed_with_d_and_with_delete(service, demo_id):
    app = make_app(service, today=TODAY)
    members = [m.name for m in service.list_team(demo_id)]
    async with app.run_test(size=(80, 24)) as pilot:
        await open_demo(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TeamScreen)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.click("#choice-cancel")
        await settle(pilot)
        assert [m.name for m in service.list_team(demo_id)] == members
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.click("#choice-remove")
        await settle(pilot)
        assert isinstance(app.screen, TeamScreen)
        assert [m.name for m in service.list_team(demo_id)] == members[1:]
        assert app.screen.query_one(DataTable).row_count == len(members) - 1


async def test_timeline_entry_moved_later_deleted_and_escape_goes_back(service, demo_id):
    app = make_app(service, today=TODAY)
    before = [e.happened for e in service.list_timeline(demo_id)]
    async with app.run_test(size=(80, 24)) as pilot:
        await open_demo(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, TimelineScreen)
        await pilot.press("shift+down")  # the first entry one place later
        await settle(pilot)
        moved = [e.happened for e in service.list_timeline(demo_id)]
        assert moved == [before[1], before[0], *before[2:]]
        assert app.screen.query_one(DataTable).cursor_row == 1  # the cursor followed it
        await pilot.press("d")
        await settle(pilot)
        await pilot.click("#choice-delete")
        await settle(pilot)
        assert [e.happened for e in service.list_timeline(demo_id)] == [moved[0], *moved[2:]]
        await pilot.press("delete")
        await settle(pilot)
        await pilot.click("#choice-cancel")
        await settle(pilot)
        assert len(service.list_timeline(demo_id)) == len(before) - 1
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)


async def test_escape_leaves_the_export_dialog_without_writing(service, demo_id, tmp_path):
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_demo(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        folder = tmp_path / "out"
        app.screen.query_one("#folder", Input).value = str(folder)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
    assert not folder.exists()


async def test_tracker_and_learning_open_from_the_palette(service, demo_id):
    from screens.actions import ActionsScreen
    from screens.learning import InvestigationsScreen, LearningScreen
    from screens.tracker import TrackerScreen

    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TrackerScreen)
        await palette(pilot, "tracker: open")
        assert isinstance(app.screen, ActionsScreen)  # not approved yet: its action plan
        await pilot.press("escape")
        await settle(pilot)
        while not isinstance(app.screen, HomeScreen):
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, LearningScreen)
        await palette(pilot, "learning: investigations")
        assert isinstance(app.screen, InvestigationsScreen)
        await palette(pilot, "learning: open")
        assert isinstance(app.screen, OverviewScreen)
        assert app.screen.investigation_id == demo_id
