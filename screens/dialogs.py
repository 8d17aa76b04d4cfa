"""Small modal dialogs: an error with an optional reload, and a yes/no/cancel question.

Every text shown here may contain user input (titles, causes), so it is passed as plain
`Content`, never parsed as markup.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea


class ErrorDialog(ModalScreen[str | None]):
    """A failure, in words; dismissed with "reload" when the user asks to reload."""

    DEFAULT_CSS = """
    ErrorDialog { align: center middle; }
    ErrorDialog > Vertical {
        width: 70; max-width: 95%; height: auto; max-height: 90%;
        border: thick $error; background: $surface; padding: 1 2;
    }
    ErrorDialog #title { text-style: bold; color: $error; margin-bottom: 1; }
    ErrorDialog Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    ErrorDialog Button { margin-left: 1; }
    """
    BINDINGS = [Binding("escape", "dismiss_none", "Close")]

    def __init__(self, title: str, message: str, *, can_reload: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.can_reload = can_reload

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self.title_text), id="title")
            yield Static(Content(self.message), id="message")
            with Horizontal():
                if self.can_reload:
                    yield Button("Reload", id="reload", variant="primary")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#reload" if self.can_reload else "#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss("reload" if event.button.id == "reload" else None)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class ChoiceDialog(ModalScreen[str | None]):
    """A question with a few answers (buttons); Escape answers None (cancel)."""

    DEFAULT_CSS = """
    ChoiceDialog { align: center middle; }
    ChoiceDialog > Vertical {
        width: 64; max-width: 95%; height: auto;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    ChoiceDialog Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    ChoiceDialog Button { margin-left: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self.question))
            with Horizontal():
                for i, (label, key) in enumerate(self.choices):
                    yield Button(
                        label, id=f"choice-{key}", variant="primary" if i == 0 else "default"
                    )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("choice-"))

    def action_cancel(self) -> None:
        self.dismiss(None)


class EditDialog(ModalScreen[dict | None]):
    """Base of the small edit dialogs: Escape with changes asks before throwing them away.

    Subclasses compose their fields with "Save" (#ok) and "Cancel" (#cancel) buttons and define
    `action_ok` (ctrl+s) and `snapshot`; the look, the keys and Cancel are shared here.
    """

    CSS_PATH = Path(__file__).with_name("dialog.tcss")
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "ok", "Save")]

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def snapshot(self) -> object:  # pragma: no cover - each dialog says what it holds
        return None

    def on_mount(self) -> None:
        self._initial = self.snapshot()

    def action_cancel(self) -> None:
        if self.snapshot() == getattr(self, "_initial", None):
            self.dismiss(None)
            return

        def answered(choice: str | None) -> None:
            if choice == "discard":
                self.dismiss(None)

        self.app.push_screen(
            ChoiceDialog(
                "Discard what you typed in this dialog?",
                [("Keep editing", "cancel"), ("Discard", "discard")],
            ),
            answered,
        )


class TextDialog(EditDialog):
    """A required (or optional) piece of text: a reason, a comment."""

    def __init__(self, question: str, *, required: bool = True, value: str = "") -> None:
        super().__init__()
        self.question = question
        self.required = required
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.question), classes="dialog-title")
            yield TextArea(self.value, id="text", soft_wrap=True, tab_behavior="focus")
            yield Static(id="problem", classes="problem")
            with Horizontal(classes="buttons"):
                yield Button("Save", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#problem").display = False
        self.query_one("#text", TextArea).focus()

    def snapshot(self) -> object:
        return self.query_one("#text", TextArea).text

    @on(Button.Pressed, "#ok")
    def action_ok(self) -> None:
        text = self.query_one("#text", TextArea).text
        if self.required and not text.strip():
            box = self.query_one("#problem", Static)
            box.update(Content("A reason is required."))
            box.display = True
            return
        self.dismiss({"text": text})
