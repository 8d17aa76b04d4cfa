"""Filter as you type, one behaviour for every list screen (home, audit trail).

The rule, also in the README and on each screen's help (F1):

- While the filter is empty, the screen's letter keys are its shortcuts (home `n` `s` `r`,
  audit `v`), and any other character starts the filter.
- `/` starts the filter too, so that it can begin with one of those letters.
- Once the filter is started, every character types into it (except `?`, help), Backspace
  deletes the last one, and Esc clears it; the letter shortcuts leave the footer meanwhile.
  Esc with no filter does what Esc does on the screen (the audit trail goes back).
- Up, down and Enter work on the list all the while: Enter opens the row under the cursor.

The list keeps the keyboard focus while you type, and the keys of the filter (characters, `/`,
Backspace, Esc) are handled by the screen as they come, not by bindings. So every key takes the
same road, in the order typed, however fast it comes. (Moving the focus to the box at the
first letter let the next keys overtake it: "insulin" became "iuli", and "/sep" sorted the
list.) A click in the box gives it the focus, to edit the text in the middle; Enter, up or
down there go back to the list.
"""

from __future__ import annotations

from textual import on
from textual.binding import ActiveBinding, Binding
from textual.events import Key
from textual.widget import Widget
from textual.widgets import Input

from screens.base import ServiceScreen
from screens.widgets.editors import SafeInput

#: The filter's keys, for the BINDINGS of a screen (Esc clears a filter, else goes back).
#: The screen handles these keys itself (`on_key`); the bindings name them in the footer, the
#: help and the command palette.
FILTER_BINDINGS = [
    Binding("slash", "filter", "Filter"),
    Binding("escape", "clear_filter", "Clear filter"),
]


class FilterBox(SafeInput):
    """The filter line above a list. It is outlined while a filter is started, although the
    list keeps the focus, so a filter in effect is never missed. Nothing is selected when it
    gets the focus (a click), so a click never makes the next letter replace the text."""

    DEFAULT_CSS = """
    FilterBox { height: 3; margin: 0; border: tall $surface-lighten-1; }
    FilterBox:focus, FilterBox.-started { border: tall $accent; }
    """

    def __init__(self, placeholder: str) -> None:
        super().__init__(placeholder=placeholder, id="filter", select_on_focus=False)


class FilteredListScreen(ServiceScreen):
    """A screen with a `FilterBox` over one list (`LIST`, a selector) that the filter narrows.

    A subclass composes both, puts `FILTER_BINDINGS` and its own `escape` -> `back` binding in
    its BINDINGS, and draws the list from `self.filter_text` in `filter_changed()`. It has at
    least one letter key (`HELP_NOTE` names them).
    """

    #: The widget the filter narrows; it keeps the focus while you type.
    LIST = "DataTable"

    #: The filter's text without surrounding spaces ("" when there is none).
    filter_text = ""
    #: `/` was pressed: characters type into the filter even before it holds any.
    _started = False

    def filter_changed(self) -> None:
        """Draw the list again for `self.filter_text`."""

    @property
    def HELP_NOTE(self) -> str:
        """The filter's rule in words, for the help screen (F1)."""
        letters = sorted(self._letter_keys(super().active_bindings))
        said = ", ".join(letters[:-1]) + f" and {letters[-1]}" if len(letters) > 1 else letters[0]
        verb = "are keys" if len(letters) > 1 else "is a key"
        return (
            f"Typing filters the list. While the filter is empty, {said} {verb} of this screen "
            "and any other letter starts the filter; / starts it too, to begin with one of "
            "those letters. Then every letter types into it, Backspace deletes one, Esc "
            "clears it; up, down and Enter still work on the list."
        )

    # --- state -----------------------------------------------------------------------------
    def _box(self) -> FilterBox:
        return self.query_one(FilterBox)

    def _list(self) -> Widget:
        return self.query_one(self.LIST)

    def _filtering(self) -> bool:
        """Characters type into the filter: it holds text, `/` started it, or it has focus."""
        boxes = self.query(FilterBox)
        if not boxes:
            return False
        box = boxes.first()
        return self._started or bool(box.value) or self.focused is box

    def _letter_keys(self, bindings: dict[str, ActiveBinding]) -> set[str]:
        return {key for key, active in bindings.items() if active.node is self and len(key) == 1}

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The keys the footer and help show: while the filter is started, this screen's
        one-character keys type into it, so they are not offered."""
        bindings = super().active_bindings
        if not self._filtering():
            return bindings
        letters = self._letter_keys(bindings)
        return {key: active for key, active in bindings.items() if key not in letters}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return self._filtering()
        if action == "back":
            return not self._filtering()
        return True

    # --- keys ------------------------------------------------------------------------------
    async def on_key(self, event: Key) -> None:
        box = self._box()
        if self.focused is box:  # the box types for itself (after a click)
            if event.key in ("up", "down", "escape"):
                event.stop()
                if event.key == "escape":
                    self.action_clear_filter()
                else:
                    self._to_list(event.key)
            return
        if event.key == "slash":  # before the list sees it; through the binding's action
            event.stop()
            await self.run_action("filter")
        elif event.key == "escape" and self._filtering():
            event.stop()
            self.action_clear_filter()
        elif event.key == "backspace" and box.value:
            event.stop()
            box.value = box.value[:-1]
        elif self._types(event):
            event.stop()
            box.insert(event.character or "", len(box.value))
            if not self._started:
                self._start(True)

    def _types(self, event: Key) -> bool:
        """Whether a key types into the filter rather than doing what it does on the screen."""
        if not event.is_printable or not event.character or event.key == "question_mark":
            return False
        if self._filtering():
            return True
        # Not started: the screen's keys keep their meaning; a space would filter nothing.
        return event.key not in self.active_bindings and not event.character.isspace()

    def _start(self, started: bool) -> None:
        self._started = started
        self._box().set_class(started, "-started")
        self.refresh_bindings()

    def _to_list(self, key: str | None = None) -> None:
        widget = self._list()
        widget.focus()
        if key is not None:
            getattr(widget, f"action_cursor_{key}")()

    def action_filter(self) -> None:
        self._start(True)

    def action_clear_filter(self) -> None:
        self._box().value = ""
        self._start(False)
        self._to_list()

    @on(Input.Changed, "#filter")
    def _filter_typed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter_text = event.value.strip()
        if event.value and not self._started:  # typed in the box after a click
            self._start(True)
        self.filter_changed()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._to_list()
