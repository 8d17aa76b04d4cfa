"""The screen of lessons learned, strategies not taken, literature reviewed and other people
involved: reached from the overview with n (or its step row), every key pressed."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Input, TextArea

from models.demo import demo_document
from rca_tui.app import make_app
from screens.dialogs import ChoiceDialog, ErrorDialog
from screens.help import HelpScreen
from screens.overview import OverviewScreen
from screens.report_sections import NoteDialog, PersonDialog, ReportSectionsScreen

TODAY = dt.date(2026, 11, 30)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def rows(screen) -> list[tuple[str, str]]:
    table = screen.query_one(DataTable)
    return [tuple(c.plain for c in table.get_row_at(i)) for i in range(table.row_count)]


async def type_into(pilot, selector: str, text: str) -> None:
    pilot.app.screen.query_one(selector).focus()
    await pilot.press("end", *text)  # after what is there (focus selects an input's text)


async def opened(pilot, inv_id: int) -> ReportSectionsScreen:
    pilot.app.open_investigation(inv_id)
    await settle(pilot)
    assert isinstance(pilot.app.screen, OverviewScreen)
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ReportSectionsScreen)
    return pilot.app.screen


async def test_every_key_adds_edits_and_removes_entries(service):
    inv = service.import_document(demo_document(TODAY))
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await opened(pilot, inv.id)
        assert rows(screen) == []
        # l: a lesson
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, NoteDialog)
        assert not app.screen.query("#detail")  # a lesson is one text
        await type_into(pilot, "#text", "Offer the toilet at every round")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # s: a strategy needs its reason before it is saved
        await pilot.press("s")
        await settle(pilot)
        await type_into(pilot, "#text", "Bed alarms")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NoteDialog)
        assert "Why it was not taken is required." in str(app.screen.query_one("#problem").render())
        await type_into(pilot, "#detail", "Alarm fatigue")
        await pilot.press("f2")
        await settle(pilot)
        # r: literature; o: another person (Enter in the name saves)
        await pilot.press("r")
        await settle(pilot)
        await type_into(pilot, "#text", "SEA 55")
        await type_into(pilot, "#detail", "Falls with injury")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, PersonDialog)
        await type_into(pilot, "#involvement", "Room-mate")
        await type_into(pilot, "#name", "Harold Finch")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReportSectionsScreen)
        assert rows(screen) == [
            ("Person", "Harold Finch (Room-mate)"),
            ("Lesson", "Offer the toilet at every round"),
            ("Not taken", "Bed alarms: Alarm fatigue"),
            ("Literature", "SEA 55: Falls with injury"),
        ]
        # e edits the person under the cursor; enter opens the same dialog
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, PersonDialog)
        assert app.screen.query_one("#name", Input).value == "Harold Finch"
        await type_into(pilot, "#name", " Jr")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, NoteDialog)
        assert app.screen.query_one("#text", TextArea).text == "Offer the toilet at every round"
        await pilot.press("escape")  # nothing typed: closes at once
        await settle(pilot)
        # d asks first; delete too
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert len(rows(screen)) == 4
        await pilot.press("delete")
        await settle(pilot)
        assert "Remove 'Offer the toilet at every round'?" in app.screen.question
        await pilot.click("#choice-remove")
        await settle(pilot)
        assert isinstance(app.screen, ReportSectionsScreen)
        assert [r[0] for r in rows(screen)] == ["Person", "Not taken", "Literature"]
        # F1 help names the screen; escape goes back to the overview
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
    assert [p.name for p in service.list_people(inv.id)] == ["Harold Finch Jr"]
    assert [(n.kind, n.text, n.detail) for n in service.list_notes(inv.id)] == [
        ("strategy", "Bed alarms", "Alarm fatigue"),
        ("literature", "SEA 55", "Falls with injury"),
    ]


async def test_the_step_row_summarises_and_opens_the_screen(service):
    inv = service.import_document(demo_document(TODAY))
    service.add_note(inv.id, "lesson", "Round hourly")
    service.add_person(inv.id, "Harold Finch")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_investigation(inv.id)
        await settle(pilot)
        table = app.screen.query_one("#steps", DataTable)
        last = [c.plain if hasattr(c, "plain") else str(c) for c in table.get_row_at(9)]
        assert last[0] == "10. Lessons, notes, people"
        assert last[1] == "1 lesson, 0 other notes, 1 person"
        await pilot.press("n")  # ten steps: the tenth has a letter, not a digit
        await settle(pilot)
        assert isinstance(app.screen, ReportSectionsScreen)


async def test_an_approved_investigation_refuses_the_edit_and_keeps_the_text(service, person):
    service.add_user("rita", "reviewer")
    service.add_user("ivan", "investigator")
    ivan, rita = person(service, "ivan"), person(service, "rita")
    inv = ivan.import_document(demo_document(TODAY))
    inv = ivan.submit_for_review(inv.id, inv.version)
    for a in rita.list_actions(inv.id):
        rita.record_concurrence(a.id, a.version, "concur")
    rita.approve(inv.id, inv.version, "Strong plan")
    app = make_app(ivan, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await opened(pilot, inv.id)
        await pilot.press("l")
        await settle(pilot)
        await type_into(pilot, "#text", "Too late")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert "approved" in app.screen.message
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#text", TextArea).text == "Too late"
    assert ivan.list_notes(inv.id) == []


async def test_zero_opens_the_tenth_step_and_the_overview_footer_fits_80_columns(service):
    """The steps are numbered 1 to 10; 0 opens the tenth, as on a keypad. The footer at 80
    columns is not cut off: the fishbone, the plan and Export; the other letters are in F1 help."""
    from textual.widgets import Footer

    inv = service.import_document(demo_document(TODAY))
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_investigation(inv.id)
        await settle(pilot)
        footer = app.screen.query_one(Footer)
        keys = [w for w in footer.children if w.display]
        assert sum(w.outer_size.width for w in keys) <= 80
        shown = {str(getattr(w, "description", "")) for w in keys}
        assert shown >= {"Fishbone", "Action plan", "Export"}
        await pilot.press("0")
        await settle(pilot)
        assert isinstance(app.screen, ReportSectionsScreen)
