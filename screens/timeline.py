"""Timeline: the sequence of events, each with what happened and what should have happened.

Entries are listed in the investigator's order (move with shift+up/down or [ and ]); entries out
of time order, without a time, or after a long silent gap are flagged, not blocked.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, DataTable, Header, Input, Static, TextArea

from models.domain import TimelineEntry
from models.errors import ValidationError
from models.rules.dates import format_date, format_datetime, parse_datetime
from models.rules.timeline_checks import timeline_findings
from screens.base import ServiceScreen
from screens.dialogs import ChoiceDialog, EditDialog, Saver, stored_in
from screens.formatting import one_line, visible
from screens.intake import DateValidator
from screens.widgets.editors import SafeInput
from screens.widgets.footer import Footer
from screens.widgets.text_box import SafeTextArea


def when(at: dt.datetime | None) -> str:
    """An entry's time as typed: a date given without a time is stored as midnight, and shown
    as the date alone (so "00:00" is never shown for a time nobody gave)."""
    if at is not None and at.time() == dt.time():
        return format_date(at)
    return format_datetime(at)


class EntryDialog(EditDialog):
    """Add or edit one timeline entry."""

    def __init__(self, entry: TimelineEntry | None = None, *, save: Saver) -> None:
        super().__init__(save)
        self.entry = entry

    def compose(self) -> ComposeResult:
        e = self.entry
        with Vertical(classes="dialog"):
            yield Static(
                Text("Edit entry" if e else "Add a timeline entry"), classes="dialog-title"
            )
            yield Static(
                Text("When (2026-11-03 14:20, 03/11/2026 14:20, yesterday 14:00)"),
                classes="field-label",
            )
            yield SafeInput(
                value=when(e.at) if e else "",
                id="at",
                validators=[DateValidator("When", with_time=True)],
            )
            yield Static(Text("What happened *"), classes="field-label")
            yield SafeTextArea(
                e.happened if e else "", id="happened", soft_wrap=True, tab_behavior="focus"
            )
            yield Static(Text("What should have happened"), classes="field-label")
            yield SafeTextArea(
                e.should_have if e else "", id="should_have", soft_wrap=True, tab_behavior="focus"
            )
            yield Static(Text("Source (record, interview, log)"), classes="field-label")
            yield SafeInput(value=e.source if e else "", id="source")
            yield from self.foot()

    def snapshot(self) -> object:
        return (
            self.query_one("#at", Input).value,
            self.query_one("#happened", TextArea).text,
            self.query_one("#should_have", TextArea).text,
            self.query_one("#source", Input).value,
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#at", Input).focus(scroll_visible=False)

    @on(Button.Pressed, "#ok")
    def action_ok(self) -> None:
        problems = []
        try:
            at = parse_datetime(self.query_one("#at", Input).value, "When")
        except ValidationError as exc:
            problems.append(exc.message)
            at = None
        happened = self.query_one("#happened", TextArea).text
        if not happened.strip():
            problems.append("What happened is required.")
        if problems:
            self.show_problem("\n".join(problems))
            return
        self.submit(
            {
                "at": at,
                "happened": happened,
                "should_have": self.query_one("#should_have", TextArea).text,
                "source": self.query_one("#source", Input).value,
            }
        )


class TimelineScreen(ServiceScreen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    HELP_TITLE = "Timeline"
    AUTO_FOCUS = "#entries"
    PALETTE_GROUP = "Timeline"
    BINDINGS = [
        Binding("a", "add", "Add entry"),
        Binding("e", "edit", "Edit"),
        Binding("d,delete", "delete", "Delete"),
        Binding("shift+up,left_square_bracket", "move(-1)", "Move up", show=False),
        Binding("shift+down,right_square_bracket", "move(1)", "Move down", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, investigation_id: int) -> None:
        super().__init__()
        self.investigation_id = investigation_id
        self.entries: list[TimelineEntry] = []
        self._follow: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="entries", cursor_type="row", zebra_stripes=True)
        yield Static(id="detail")
        yield Static(id="warnings")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Timeline"
        table = self.query_one(DataTable)
        table.add_column("!", width=1, key="flag")
        table.add_column("When", width=16, key="when")
        table.add_column("What happened", key="happened")
        table.add_column("Should have happened", key="should")
        table.focus()

    def reload(self) -> None:
        self.call(self.service.list_timeline, self.investigation_id, then=self._show)

    def _show(self, entries: list[TimelineEntry]) -> None:
        self.entries = entries
        findings = timeline_findings(entries)
        flagged = {f.subject for f in findings}
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        width = max(12, (self.size.width - 16 - 1 - 10) // 2)
        for e in entries:
            table.add_row(
                Text("!", style="bold yellow") if e.id in flagged else Text(""),
                Text(when(e.at) or "(no time)"),
                Text(one_line(e.happened, width)),
                Text(one_line(e.should_have, width)),
                key=str(e.id),
            )
        if self._follow is not None and self._follow in [e.id for e in entries]:
            row = [e.id for e in entries].index(self._follow)
            self._follow = None
        if entries:
            table.move_cursor(row=min(row, len(entries) - 1))
        text = Text()
        if not entries:
            text.append("No entries yet. Press a to add the first step of the sequence.")
        for f in findings:
            text.append("! ", style="bold yellow")
            text.append(visible(f.message) + "\n")
        self.query_one("#warnings", Static).update(text)
        self._show_detail()

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        entry = self._selected()
        detail = self.query_one("#detail", Static)
        if entry is None:
            detail.update("")
            return
        text = Text()
        text.append("Happened: ", style="bold")
        text.append(one_line(entry.happened) + "\n")
        text.append("Should have: ", style="bold")
        text.append((one_line(entry.should_have) or "-") + "\n")
        text.append("Source: ", style="bold")
        text.append(one_line(entry.source) or "-")
        detail.update(text)

    def _selected(self) -> TimelineEntry | None:
        table = self.query_one(DataTable)
        if not self.entries or not 0 <= table.cursor_row < len(self.entries):
            return None
        return self.entries[table.cursor_row]

    def action_add(self) -> None:
        def add(values: dict, _version: int | None) -> TimelineEntry:
            return self.service.add_entry(self.investigation_id, **values)

        self.app.push_screen(EntryDialog(save=Saver(add)), self._saved)

    def _saved(self, entry: TimelineEntry | None) -> None:
        if entry is not None:
            self._follow = entry.id
            self.reload()

    def action_edit(self) -> None:
        entry = self._selected()
        if entry is None:
            return

        def update(values: dict, version: int | None) -> TimelineEntry:
            return self.service.update_entry(entry.id, version, **values)

        saver = Saver(
            update,
            entry.version,
            stored_in(
                partial(self.service.list_timeline, self.investigation_id),
                entry.id,
                "timeline entry",
            ),
        )
        self.app.push_screen(EntryDialog(entry, save=saver), self._saved)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_delete(self) -> None:
        entry = self._selected()
        if entry is None:
            return

        def done(choice: str | None) -> None:
            if choice == "delete":
                self.save(self.service.delete_entry, entry.id, then=lambda _: self.reload())

        self.app.push_screen(
            ChoiceDialog(
                f"Delete the entry '{one_line(entry.happened, 40)}'?",
                [("Delete", "delete"), ("Cancel", "cancel")],
            ),
            done,
        )

    def action_move(self, offset: int) -> None:
        entry = self._selected()
        if entry is None:
            return
        self._follow = entry.id
        self.save(self.service.move_entry, entry.id, offset, then=self._show)
