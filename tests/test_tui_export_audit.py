"""The export dialog and the audit trail screen, driven with the keyboard."""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat

from textual.widgets import DataTable, Input, SelectionList

from models.demo import demo_document
from rca_tui.app import make_app
from screens.audit import AuditScreen
from screens.dialogs import ChoiceDialog, ErrorDialog
from screens.export import ExportDialog
from screens.overview import OverviewScreen

TODAY = dt.date(2026, 11, 30)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_export_dialog_writes_and_asks_before_replacing(service, tmp_path):
    inv = service.import_document(demo_document(TODAY))
    out = tmp_path / "reports"
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        formats = app.screen.query_one(SelectionList)
        formats.deselect_all()
        for value in ("md", "csv", "json"):
            formats.select(value)
        app.screen.query_one("#folder", Input).value = str(out)
        # ticked or not reads without colour (16 colours, NO_COLOR): [x] and [ ], not an X
        lines = [formats.render_line(y).text[:3] for y in range(4)]
        assert lines == ["[ ]", "[ ]", "[ ]", "[x]"]  # docx, pdf, html; md
        box = app.screen.query_one("#deidentify")
        assert str(box.render()).startswith("[ ] De-identified")
        box.focus()
        await pilot.press("space")
        assert str(box.render()).startswith("[x] De-identified") and box.value
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        files = sorted(p.name for p in out.iterdir())
        assert len(files) == 3 and all("deidentified" in f for f in files)
        for path in out.iterdir():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            text = path.read_text(encoding="utf-8-sig")
            assert "Eleanor Rigby" not in text and "MRN-0048213" not in text
        before = {p: p.read_bytes() for p in out.iterdir()}
        # Again: the files exist, so the dialog asks; "Cancel" keeps them as they were.
        await pilot.press("x")
        await settle(pilot)
        formats = app.screen.query_one(SelectionList)
        formats.deselect_all()
        formats.select("md")
        app.screen.query_one("#folder", Input).value = str(out)
        app.screen.query_one("#deidentify").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        md = next(p for p in out.iterdir() if p.suffix == ".md")
        assert str(md) in app.screen.question  # says which file it would replace
        await pilot.click("#choice-cancel")
        await settle(pilot)
        assert {p: p.read_bytes() for p in out.iterdir()} == before
        # And once more, answering "Replace": the file is written anew (a new inode: atomic).
        inode = md.stat().st_ino
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.click("#choice-replace")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert md.stat().st_ino != inode and stat.S_IMODE(md.stat().st_mode) == 0o600
    assert inv.id == 1


async def test_audit_screen_filters_and_verifies(service, db_path):
    inv = service.import_document(demo_document(TODAY))
    service.update_investigation(inv.id, None, unit="[bold]5 East[/]")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        table = app.screen.query_one(DataTable)
        everything = table.row_count
        await pilot.press("slash", *"5 East")
        await settle(pilot)
        assert table.row_count == 1
        assert "→ [bold]5" in table.get_row_at(0)[3].plain  # brackets shown as typed
        detail = str(app.screen.query_one("#detail").render())
        assert "from: 4 West, medical-surgical" in detail and "to:   [bold]5 East[/]" in detail
        await pilot.press("escape")  # clears the filter, stays on the screen
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        assert table.row_count == everything
        await pilot.press("v")
        await settle(pilot)
        assert not isinstance(app.screen, ErrorDialog)  # intact: a notification only
        # Someone edits the file behind the app's back; verification names the entry.
        con = sqlite3.connect(db_path)
        con.execute("DROP TRIGGER audit_entry_no_update")
        con.execute("UPDATE audit_entry SET new = 'ICU' WHERE new = '[bold]5 East[/]'")
        con.commit()
        con.close()
        app.screen.query_one(DataTable).focus()
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert "altered" in app.screen.message


async def test_at_80x24_every_format_and_the_whole_de_identification_note_are_in_view(
    service, tmp_path
):
    """A checkbox's label does not wrap: the note under the tick says in full what goes, and
    the list shows every format without scrolling; a failure keeps the buttons in view."""
    from exports.formats import FORMATS
    from screens.export import DEIDENTIFY_NOTE

    service.import_document(demo_document(TODAY))
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        formats = dialog.query_one(SelectionList)
        assert formats.option_count == len(FORMATS)
        assert formats.max_scroll_y == 0  # nothing hidden below
        note = dialog.query_one("#deidentify-note")
        shown = " ".join(note.render_line(y).text.strip() for y in range(note.size.height))
        assert shown == DEIDENTIFY_NOTE
        assert note.region.bottom <= 24
        blocker = tmp_path / "a-file"
        blocker.write_text("not a folder")
        dialog.query_one("#folder", Input).value = str(blocker / "reports")
        await pilot.press("ctrl+s")
        await settle(pilot)
        problem = dialog.query_one("#problem")
        assert str(problem.render()).strip()
        screen = dialog.screen.region
        for widget in (problem, dialog.query_one("#go")):
            assert screen.contains_region(widget.region)
