"""The date window of the learning screen (`w`): count only events from one date to another.

The board reads trends for a period (a quarter, a year), as `rca trends --from --to` does. Dates
are read by models/rules/dates.py, as typed anywhere else in the app; a date that cannot be read,
or a start after the end, is said in words under the fields and the dialog stays open. Blank
means open-ended; "Clear" counts every event again.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from models.errors import ValidationError
from models.rules.dates import format_date, parse_date
from screens.base import SAVE_KEYS, SAVE_KEYS_SHOWN
from screens.formatting import visible
from screens.widgets.editors import SafeInput

Window = tuple[dt.date | None, dt.date | None]


def describe_window(start: dt.date | None, end: dt.date | None) -> str:
    """'2026-01-01 to 2026-06-30', 'from 2026-01-01', 'to 2026-06-30' or 'all dates'."""
    if start and end:
        return f"{format_date(start)} to {format_date(end)}"
    if start:
        return f"from {format_date(start)}"
    if end:
        return f"to {format_date(end)}"
    return "all dates"


def read_window(start: str, end: str, *, today: dt.date | None = None) -> Window:
    """The two dates as typed; a `ValidationError` names what is wrong."""
    first = parse_date(start, "From", today=today) if start.strip() else None
    last = parse_date(end, "To", today=today) if end.strip() else None
    if first and last and first > last:
        raise ValidationError(
            f"'From' ({format_date(first)}) is after 'To' ({format_date(last)}): "
            "the window would hold no event."
        )
    return first, last


class DateWindowDialog(ModalScreen[Window | None]):
    """From and to; dismissed with the window, or None when cancelled."""

    CSS_PATH = Path(__file__).with_name("dialog.tcss")
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding(SAVE_KEYS, "ok", "Apply", key_display=SAVE_KEYS_SHOWN),
    ]

    def __init__(
        self, start: dt.date | None, end: dt.date | None, *, today: dt.date | None = None
    ) -> None:
        super().__init__()
        self.start, self.end, self.today = start, end, today

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content("Count events in a date window"), classes="dialog-title")
            yield Static(Content("From (event date, blank: from the first)"), classes="field-label")
            yield SafeInput(format_date(self.start), id="from", placeholder="YYYY-MM-DD")
            yield Static(Content("To (blank: up to the last)"), classes="field-label")
            yield SafeInput(format_date(self.end), id="to", placeholder="YYYY-MM-DD")
            with Vertical(classes="foot"):
                yield Static(id="problem", classes="problem")
                with Horizontal(classes="buttons"):
                    yield Button("Apply", id="ok", variant="primary")
                    yield Button("Clear", id="clear")
                    yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#problem").display = False
        self.query_one("#from", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def action_ok(self) -> None:
        try:
            window = read_window(
                self.query_one("#from", Input).value,
                self.query_one("#to", Input).value,
                today=self.today,
            )
        except ValidationError as exc:
            box = self.query_one("#problem", Static)
            box.update(Content(visible(exc.message)))
            box.display = True
            return
        self.dismiss(window)

    @on(Button.Pressed, "#clear")
    def _clear(self) -> None:
        self.dismiss((None, None))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
