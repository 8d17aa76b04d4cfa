"""F1 / ?: every key binding of the screen you were on, with what it does."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static


def describe_bindings(screen: Screen) -> list[tuple[str, str]]:
    """(keys, description) for the screen's and the app's active bindings, in a stable order."""
    rows: dict[str, list[str]] = {}

    def rank(active) -> int:  # the screen's own keys first, then the app's, then the widget's
        return 0 if active.node is screen else 1 if active.node is screen.app else 2

    for active in sorted(screen.active_bindings.values(), key=rank):
        binding = active.binding
        if not binding.description:
            continue
        display = screen.app.get_key_display(binding)
        rows.setdefault(binding.description, [])
        if display not in rows[binding.description]:
            rows[binding.description].append(display)
    return [(" / ".join(keys), description) for description, keys in rows.items()]


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 72; max-width: 98%; height: auto; max-height: 95%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    HelpScreen #help-title { text-style: bold; padding: 0 1; }
    HelpScreen #help-tip { color: $text-muted; padding: 0 1; }
    HelpScreen #help-note { padding: 0 1 1 1; }
    HelpScreen DataTable { height: auto; max-height: 18; }
    """
    BINDINGS = [Binding("escape,f1,question_mark,q", "close", "Close help")]

    def __init__(self, for_screen: Screen) -> None:
        super().__init__()
        self.for_screen = for_screen

    def compose(self) -> ComposeResult:
        name = getattr(self.for_screen, "HELP_TITLE", None) or type(self.for_screen).__name__
        with Vertical():
            yield Static(Text(f"Keys: {name}"), id="help-title")
            note = getattr(self.for_screen, "HELP_NOTE", "")
            if note:  # how the screen's keys work together (the filter of a list)
                yield Static(Text(note), id="help-note")
            table: DataTable[Text] = DataTable(
                cursor_type="row", show_header=True, zebra_stripes=True
            )
            table.add_columns("Key", "Does")
            for keys, description in describe_bindings(self.for_screen):
                table.add_row(Text(keys), Text(description))
            yield table
            yield Static(
                Text("ctrl+p: command palette, type what you want to do. Esc closes."),
                id="help-tip",
            )

    def action_close(self) -> None:
        self.dismiss(None)
