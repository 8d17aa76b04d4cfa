"""The fishbone's categories dialog (`c`): the bones as lines of text, renamed in place.

Apart from screens/fishbone.py so that screen stays one purpose: drawing and editing causes.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Static, TextArea

from models.vocab import EIGHT_M, LONDON_PROTOCOL
from screens.dialogs import EditDialog, Saver
from screens.widgets.text_box import SafeTextArea


class CategoriesDialog(EditDialog):
    """Edit the bones as lines of text: add, rename in place, reorder, remove."""

    def __init__(self, categories: list[str], *, save: Saver) -> None:
        super().__init__(save)
        self.categories = categories

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Fishbone categories (the bones)"), classes="dialog-title")
            yield Static(
                Text(
                    "One per line, in order. Change a line to rename a bone (its causes move "
                    "with it). A bone that still has causes cannot be removed."
                ),
                classes="field-label",
            )
            yield SafeTextArea("\n".join(self.categories), id="lines", tab_behavior="focus")
            yield from self.foot(Button("London Protocol", id="london"), Button("8M", id="eightm"))

    def snapshot(self) -> object:
        return self.query_one("#lines", TextArea).text

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#lines", TextArea).focus(scroll_visible=False)

    @on(Button.Pressed, "#london")
    def _london(self) -> None:
        self.query_one("#lines", TextArea).text = "\n".join(LONDON_PROTOCOL)

    @on(Button.Pressed, "#eightm")
    def _eight(self) -> None:
        self.query_one("#lines", TextArea).text = "\n".join(EIGHT_M)

    @on(Button.Pressed, "#ok")
    def action_ok(self) -> None:
        new = [line.strip() for line in self.query_one("#lines", TextArea).text.splitlines()]
        new = [n for n in new if n]
        self.submit({"names": new, "renames": detect_renames(self.categories, new)})


def detect_renames(old: list[str], new: list[str]) -> dict[str, str]:
    """A line changed in place, whose old name is gone and new name is new, is a rename."""
    renames = {}
    for before, after in zip(old, new, strict=False):
        if before != after and before not in new and after not in old:
            renames[before] = after
    return renames
