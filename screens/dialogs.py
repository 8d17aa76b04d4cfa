"""Modal dialogs: an error (with an optional reload), a question, and the base of edit dialogs.

`EditDialog` saves itself: the screen that opens it gives it a `Saver` (how to store the
values), the dialog runs it through the app's ordered save queue (`screens.base`) and closes
only when the save succeeded, dismissed with what the save returned. A failed save leaves the
dialog open with everything typed, and the error is shown above it. After an edit conflict the
error lists each field as yours and as stored, and the dialog takes the stored version, so a
second ctrl+s saves yours over it (or Escape leaves the stored one).

Every text shown here may contain user input (titles, causes), so it is passed as plain
`Content`, never parsed as markup, with its control characters made visible (`visible`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Static, TextArea

from models.errors import ConflictError, NotFoundError
from screens.base import SAVE_KEYS, SAVE_KEYS_SHOWN, ServiceCalls
from screens.formatting import visible
from screens.widgets.text_box import SafeTextArea


class ErrorDialog(ModalScreen[str | None]):
    """A failure, in words; dismissed with "reload" when the user asks to reload."""

    DEFAULT_CSS = """
    ErrorDialog { align: center middle; }
    ErrorDialog > Vertical {
        width: 70; max-width: 100%; height: auto; max-height: 100%; overflow-y: auto;
        border: thick $error; background: $surface; padding: 1 2;
    }
    ErrorDialog #title { dock: top; text-style: bold; color: $error; padding-bottom: 1; }
    ErrorDialog Horizontal { dock: bottom; height: auto; align-horizontal: right; }
    ErrorDialog Button { margin-left: 1; }
    """
    BINDINGS = [
        Binding("escape", "dismiss_none", "Close"),
        Binding("down", "scroll(1)", "Scroll down", show=False),
        Binding("up", "scroll(-1)", "Scroll up", show=False),
    ]

    def __init__(self, title: str, message: str, *, can_reload: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.can_reload = can_reload

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(visible(self.title_text)), id="title")
            yield Static(Content(visible(self.message)), id="message")
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

    def action_scroll(self, rows: int) -> None:
        """A long message scrolls under the title, with the buttons kept in view."""
        self.query_one(Vertical).scroll_relative(y=rows, animate=False)


class ChoiceDialog(ModalScreen[str | None]):
    """A question with a few answers (buttons); Escape answers None (cancel)."""

    DEFAULT_CSS = """
    ChoiceDialog { align: center middle; }
    ChoiceDialog > Vertical {
        width: 64; max-width: 100%; height: auto; max-height: 100%; overflow-y: auto;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    ChoiceDialog Horizontal {
        dock: bottom; height: auto; padding-top: 1; align-horizontal: right;
    }
    ChoiceDialog Button { margin-left: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(visible(self.question)))
            with Horizontal():
                for i, (label, key) in enumerate(self.choices):
                    yield Button(
                        label, id=f"choice-{key}", variant="primary" if i == 0 else "default"
                    )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("choice-"))

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class Saver:
    """How an edit dialog stores its values; both functions run in workers.

    `run(values, version)` stores them (the service call) and returns what the opener gets.
    `version` is the version of the record the dialog was opened on (None for a new one); after a
    conflict it becomes the stored one. `stored()` reads the record as it is now, to show yours
    and stored side by side after a conflict (without it, the conflict is shown as it is).
    """

    run: Callable[[dict[str, Any], int | None], Any]
    version: int | None = None
    stored: Callable[[], Any] | None = None


def stored_in(read: Callable[[], Iterable[Any]], record_id: int, what: str) -> Callable[[], Any]:
    """A `Saver.stored` for records the service lists: the one with `record_id` as stored now
    (NotFoundError if it was deleted meanwhile)."""

    def stored() -> Any:
        for record in read():
            if record.id == record_id:
                return record
        raise NotFoundError(f"The {what} was deleted meanwhile; your text is still in the dialog")

    return stored


def _shown(value: object) -> str:
    text = " ".join(str("" if value is None else value).split())
    return text if len(text) <= 200 else text[:199] + "…"


class EditDialog(ServiceCalls, ModalScreen[Any]):
    """Base of the edit dialogs: saving through the queue, the shared frame and keys.

    Subclasses compose their fields between a `.dialog-title` and `yield from self.foot()`
    inside `Vertical(classes="dialog")`, define `snapshot()` (what is typed) and `action_ok`
    (ctrl+s or F2), which checks the fields (`show_problem()`) and calls `submit(values)`. The
    dialog scrolls; its title and the foot (problem line and buttons) stay in view.
    """

    CSS_PATH = Path(__file__).with_name("dialog.tcss")
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding(SAVE_KEYS, "ok", "Save", key_display=SAVE_KEYS_SHOWN),
    ]
    #: Textual's auto focus would scroll the first field to the middle; on_mount focuses it
    #: without scrolling, unless the subclass focused another field.
    AUTO_FOCUS = ""

    def __init__(self, save: Saver) -> None:
        super().__init__()
        self.saver = save
        #: The version the next save passes (the stored one after a conflict).
        self.version = save.version
        self._saving = False
        self._values: dict[str, Any] = {}

    def foot(self, *extra: Button) -> ComposeResult:
        """The problem line and the buttons (any `extra` ones first, then Save and Cancel)."""
        with Vertical(classes="foot"):
            yield Static(id="problem", classes="problem")
            with Horizontal(classes="buttons"):
                yield from extra
                # The keys on the button: a dialog has no footer of its own, and the screen's
                # below shows that screen's keys (F2 where the terminal swallows ctrl+s).
                yield Button(f"Save {SAVE_KEYS_SHOWN}", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def snapshot(self) -> object:  # pragma: no cover - each dialog says what it holds
        return None

    def on_mount(self) -> None:
        self._initial = self.snapshot()
        for box in self.query("#problem"):
            box.display = False
        self.call_after_refresh(self._focus_first)

    def _focus_first(self) -> None:
        if self.focused is None:  # the subclass did not choose a field
            first = next((w for w in self.query("*") if w.focusable), None)
            if first is not None:
                first.focus(scroll_visible=False)

    @property
    def dirty(self) -> bool:
        return self.snapshot() != getattr(self, "_initial", None)

    def can_view_entire(self, widget: Widget) -> bool:
        """Textual scrolls a focused widget into view unless this says it is in view; its own
        check counts the rows behind the docked title and foot as in view."""
        if not super().can_view_entire(widget):
            return False
        docked = [*self.query(".dialog > .dialog-title"), *self.query(".foot")]
        if any(d is widget or d in widget.ancestors for d in docked):
            return True
        return not any(d.region.overlaps(widget.region) for d in docked)

    def show_problem(self, text: str) -> None:
        """Say inside the dialog what stops the save (nothing is sent to the service)."""
        box = self.query_one("#problem", Static)
        box.update(Content(visible(text)))
        box.display = bool(text)

    # --- saving ----------------------------------------------------------------------------
    def submit(self, values: dict[str, Any]) -> None:
        """Store `values` through the save queue; the dialog closes when that succeeded."""
        if self._saving:
            return
        self._saving = True
        self._values = values
        self.show_problem("")
        self.save(self.saver.run, values, self.version, then=self._saved)

    def _saved(self, result: Any) -> None:
        self._saving = False
        self._initial = self.snapshot()
        self.dismiss(result)

    def on_failure(self, error: BaseException) -> None:
        """Keep the dialog and its text; show the error above it (for a conflict, with the
        stored values beside yours, and take the stored version for the next save)."""
        self._saving = False
        if isinstance(error, ConflictError) and self.saver.stored is not None:
            self.call(
                self.saver.stored, then=lambda stored: self._conflict(error, stored), group="stored"
            )
            return
        self.host.show_error(error)

    def _conflict(self, error: ConflictError, stored: Any) -> None:
        changed = {
            name.replace("_", " "): (_shown(yours), _shown(getattr(stored, name)))
            for name, yours in self._values.items()
            if hasattr(stored, name) and getattr(stored, name) != yours
        }
        self.version = getattr(stored, "version", self.version)
        self.host.show_error(
            ConflictError(
                f"{error.message}.\n\nWhat you typed is still in the dialog: ctrl+s (or F2) "
                "saves it over the stored version; Escape leaves the stored one.",
                changed=changed,
            )
        )

    def action_cancel(self) -> None:
        if self._saving:
            self.notify("Still saving; wait a moment.", markup=False)
            return
        if not self.dirty:
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
    """A required (or optional) piece of text: a reason, a comment.

    It saves `{field: text}`; name the field as the record names it (`weak_only_reason`), so
    that a conflict shows the stored text beside yours.
    """

    def __init__(
        self,
        question: str,
        *,
        save: Saver,
        field: str = "text",
        required: bool = True,
        value: str = "",
    ) -> None:
        super().__init__(save)
        self.question = question
        self.field = field
        self.required = required
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(visible(self.question)), classes="dialog-title")
            yield SafeTextArea(self.value, id="text", soft_wrap=True, tab_behavior="focus")
            yield from self.foot()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#text", TextArea).focus(scroll_visible=False)

    def snapshot(self) -> object:
        return self.query_one("#text", TextArea).text

    @on(Button.Pressed, "#ok")
    def action_ok(self) -> None:
        text = self.query_one("#text", TextArea).text
        if self.required and not text.strip():
            self.show_problem("A reason is required.")
            return
        self.submit({self.field: text})
