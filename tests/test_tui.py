"""The terminal app driven with the keyboard, at 80x24 and at 200x50, as an investigator would."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import DataTable, Input, Select, Static

from models.db import open_database
from models.demo import demo_document
from models.service import Service, open_service
from rca_tui.app import make_app
from screens.dialogs import ChoiceDialog, ErrorDialog
from screens.help import HelpScreen
from screens.home import HomeScreen
from screens.intake import IntakeScreen
from screens.overview import OverviewScreen
from screens.team import TeamScreen
from screens.timeline import TimelineScreen
from screens.widgets.sac_matrix import SacMatrix

TODAY = dt.date(2026, 11, 30)
SIZES = [(80, 24), (200, 50)]


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def type_into(pilot, selector: str, text: str) -> None:
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    await pilot.pause()
    if isinstance(widget, Input):
        widget.value = ""
    await pilot.press(*text)


async def pick(pilot, selector: str, search: str) -> None:
    """Open a picker, type to search, Enter to choose: what a keyboard user does."""
    select = pilot.app.screen.query_one(selector, Select)
    select.focus()
    await pilot.pause()
    await pilot.press("enter", *search, "enter")
    await pilot.pause()


def table_text(table: DataTable) -> list[list[str]]:
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.fixture
def app(service):
    return make_app(service, today=TODAY)


async def test_empty_home_says_what_to_do(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        empty = app.screen.query_one("#empty", Static)
        assert empty.display
        assert "rca demo" in str(empty.render())
        assert not app.screen.query_one(DataTable).display


@pytest.mark.parametrize("size", SIZES)
async def test_create_score_and_reopen(service, db_path, size):
    app = make_app(service, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        await pilot.press(*"Wrong patient [bold]x[/] given insulin")
        await type_into(pilot, "#occurred_at", "03/11/2026 14:20")
        await type_into(pilot, "#discovered_at", "2026-11-03 15:00")
        await type_into(pilot, "#unit", "ICU")
        await pick(pilot, "#event_type", "med")
        await pick(pilot, "#report_type", "inc")
        await pick(pilot, "#harm", "sev")
        matrix = app.screen.query_one(SacMatrix)
        assert matrix.score is None
        await pick(pilot, "#severity_actual", "maj")
        await pick(pilot, "#probability", "occ")
        assert matrix.score == 2  # major x occasional
        assert "2: intermediate risk" in matrix.render().plain
        await pick(pilot, "#probability", "freq")
        assert matrix.score == 3
        await type_into(pilot, "#decision_at", "2026-11-04 09:00")
        deadlines = str(app.screen.query_one("#deadlines", Static).render())
        assert "2026-11-07 09:00" in deadlines  # 72 hours after the decision
        assert "2026-12-19" in deadlines  # 45 days after the decision
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert app.screen.title == "Wrong patient [bold]x[/] given insulin"

    # A new session on the same file sees everything that was typed.
    again = open_service(db_path, user="bob")
    (inv,) = [again.get_investigation(s.id) for s in again.list_investigations()]
    assert inv.title == "Wrong patient [bold]x[/] given insulin"
    assert inv.occurred_at == dt.datetime(2026, 11, 3, 14, 20)
    assert (inv.event_type, inv.report_type, inv.harm) == ("medication", "incident", "severe")
    assert (inv.severity_actual, inv.probability, inv.sac_score) == ("major", "frequent", 3)
    assert inv.sentinel is True  # severe harm that reached the patient: the box followed it
    again.db.dispose()


async def test_bad_dates_are_named_and_nothing_is_saved(app, service):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        errors = app.screen.query_one("#errors", Static)
        assert errors.display and "Title is required" in str(errors.render())
        await pilot.press(*"Fall")
        await type_into(pilot, "#occurred_at", "31/02/2026")
        assert app.screen.query_one("#occurred_at", Input).has_class("-invalid")
        await type_into(pilot, "#discovered_at", "yesterday 14:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = str(errors.render())
        assert "Occurred at: '31/02/2026' is not a date" in text
        assert "Title is required" not in text
        await type_into(pilot, "#occurred_at", "today 15:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "may not be before" in str(errors.render())
        assert isinstance(app.screen, IntakeScreen)
    assert service.list_investigations() == []


async def test_leaving_with_unsaved_edits_asks(app, service, demo_id):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("end", *" (edited)")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("escape")  # keep editing
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.click("#choice-save")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
    assert service.get_investigation(demo_id).title.endswith("(edited)")


async def test_team_charter_with_warnings_persists(app, service, db_path):
    inv = service.create_investigation("Fall")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TeamScreen)
        warnings = app.screen.query_one("#warnings", Static)
        assert "No members yet" in str(warnings.render())
        for name, role in (("Alex [Morgan]", "fac"), ("Sam Patel", "subj"), ("Jo Lee", "unf")):
            await pilot.press("a")
            await settle(pilot)
            await pilot.press(*name)
            await pick(pilot, "#role", role)
            await pilot.click("#ok")
            await settle(pilot)
        text = str(warnings.render())
        assert "3 members" in text  # fewer than 4
        assert "facilitator" not in text.lower()
        table = app.screen.query_one(DataTable)
        assert table_text(table)[0][:2] == ["Alex [Morgan]", "Facilitator"]
        # Mark a member as involved: warned, not blocked.
        table.move_cursor(row=1)
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#involved").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Sam Patel was involved" in str(warnings.render())
    fresh = Service(open_database(db_path), "bob")
    team = fresh.list_team(inv.id)
    assert [(m.name, m.role, m.involved) for m in team] == [
        ("Alex [Morgan]", "facilitator", False),
        ("Sam Patel", "subject_expert", True),
        ("Jo Lee", "unfamiliar", False),
    ]
    fresh.db.dispose()


async def test_timeline_add_edit_move_and_flags(app, service):
    inv = service.create_investigation("Fall")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, TimelineScreen)
        for when, what in (("2026-11-03 14:00", "Dose drawn up"), ("03/11/2026 13:00", "Order")):
            await pilot.press("a")
            await settle(pilot)
            await pilot.press(*when)
            await type_into(pilot, "#happened", what)
            await type_into(pilot, "#should_have", "Independent double check")
            await pilot.press("ctrl+s")
            await settle(pilot)
        warnings = app.screen.query_one("#warnings", Static)
        assert "later time" in str(warnings.render())  # out of order
        table = app.screen.query_one(DataTable)
        assert table_text(table)[1][0] == "!"
        # The cursor follows the new entry; move it up above the first.
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert [row[2] for row in table_text(table)] == ["Order", "Dose drawn up"]
        assert "later time" not in str(warnings.render())
        # A bad time in the dialog is named and the dialog stays open.
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"next tuesday")
        await type_into(pilot, "#happened", "Given")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "When: 'next tuesday' is not a date" in str(
            app.screen.query_one("#problem").render()
        )
        await pilot.press("escape")  # what was typed is not thrown away without asking
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.click("#choice-discard")
        await settle(pilot)
        assert isinstance(app.screen, TimelineScreen)
    assert [e.happened for e in service.list_timeline(inv.id)] == ["Order", "Dose drawn up"]


async def test_markup_in_user_text_is_shown_as_typed(service):
    service.create_investigation("[bold]x[/]", unit="[red]4W[/red]")
    service.create_investigation("[/]")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rows = table_text(app.screen.query_one(DataTable))
        assert rows[0][0] == "[bold]x[/]"
        assert rows[0][1].startswith("[red]4W")  # cut to the column, brackets kept
        assert rows[1][0] == "[/]"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.title in ("[bold]x[/]", "[/]")


async def test_filter_as_you_type_and_sort(service):
    for title, unit in (
        ("Fall on 4W", "4W"),
        ("Insulin overdose", "ICU"),
        ("Fall in radiology", "XR"),
    ):
        service.create_investigation(title, unit=unit)
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 3
        await pilot.press("f", "a", "l")  # typing starts the filter; the list keeps the focus
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).value == "fal"
        assert app.focused is table
        assert sorted(r[0] for r in table_text(table)) == ["Fall in radiology", "Fall on 4W"]
        await pilot.press("escape")
        await settle(pilot)
        assert table.row_count == 3
        await pilot.press("s", "s", "s")  # days left -> SAC -> event -> title
        await settle(pilot)
        assert [r[0] for r in table_text(table)] == [
            "Fall in radiology",
            "Fall on 4W",
            "Insulin overdose",
        ]


async def test_overdue_is_shown_plainly(service):
    service.create_investigation(
        "Old fall", occurred_at="2026-09-01 10:00", decision_at="2026-09-02 10:00"
    )
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        due = table_text(app.screen.query_one(DataTable))[0][5]
        assert due == "6w OVERDUE"  # due 2026-10-17 (45 days after the decision): 44 days
        assert "1 overdue" in str(app.screen.query_one("#status-line", Static).render())


async def test_conflict_offers_reload(app, service, db_path, demo_id):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        other = Service(open_database(db_path), "bob")
        inv = other.get_investigation(demo_id)
        other.update_investigation(inv.id, inv.version, unit="Changed by Bob")
        other.db.dispose()
        await type_into(pilot, "#reported_by", "Day nurse")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert "changed by bob" in app.screen.message
        assert "unit: 4 West, medical-surgical -> Changed by Bob" in app.screen.message
        await pilot.click("#reload")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert app.screen.query_one("#unit", Input).value == "Changed by Bob"
    assert service.get_investigation(demo_id).reported_by == "Night charge nurse"


async def test_read_only_database_keeps_running(service, db_path, demo_id):
    service.db.dispose()
    ro = Service(open_database(db_path, readonly=True), "carol")
    app = make_app(ro, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await type_into(pilot, "#unit", "x")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert "read-only" in app.screen.message
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
    ro.db.dispose()


async def test_help_palette_and_quit(app, demo_id):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        keys = table_text(app.screen.query_one(DataTable))
        described = {row[1] for row in keys}
        assert {"New", "Filter", "Sort", "Quit", "Help"} <= described
        await pilot.press("escape")
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"investigations: new")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        await pilot.press("escape")  # nothing typed: leaves without asking
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
    assert app.return_code == 0


def test_demo_fixture_data_is_fixed():
    doc = demo_document(TODAY)
    assert doc["investigation"]["occurred_at"] == "2026-11-18T03:10:00"
