"""Edit fields that never let the text they hold drive the terminal.

`Input` and `TextArea` draw their value as it is, so a stored title holding `ESC[31m` (typed
elsewhere, pasted, or imported) would restyle the screen as soon as its edit dialog opened.
These two draw every control character as a visible one (`screens.visible.visible`, one
character for one, so the cursor stays where it is), while the value itself, and so what is
saved, stays exactly as it was typed or pasted. Every edit field of the screens is one of them.

They also apply keys in the order they were typed. Textual inserts a printable key as soon as
the field gets it, but runs the field's own bound keys (backspace, arrows, Home, End, ctrl+k)
only after the key has travelled up to the App and back, so in a burst (a slow SSH link
delivering several keys at once, a fast typist, a macro) "ab<backspace>c" became "ab" and
"<End>(edited)" was typed at the start (Textual issue 6605, open pull request 6631). Here the
field runs its own bindings at once, as the App would have; priority bindings (Tab, ctrl+q,
ctrl+s) are still the App's, handled before the key reaches the field.

F7 selects all the text of either kind of field, so that what is typed next replaces it. The
text box has that key from Textual; the one-line field's own is ctrl+shift+a, which most
terminals cannot send (they send ctrl+a), so it gets F7 as well. F1 help lists it.

The text box is `screens.widgets.text_box.SafeTextArea`, apart so that the home screen, which
has only a one-line filter, does not import Textual's TextArea at start-up (issue 16).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets import Input

from screens.visible import visible

if TYPE_CHECKING:
    from textual.widget import Widget as _FieldBase
else:  # a plain mixin: Textual gathers a widget's CSS and component classes along its bases
    _FieldBase = object


class KeysInOrder(_FieldBase):
    """A field that runs its own bound keys when it gets them, in order with what is typed."""

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable:
            for binding in self._bindings.key_to_bindings.get(event.key, ()):
                if not binding.priority and await self.app.run_action(binding.action, self):
                    event.stop()
                    event.prevent_default()
                    return
        await super()._on_key(event)  # Input's and TextArea's own


class SafeInput(KeysInOrder, Input):
    """A one-line field that shows control characters in its value as visible symbols."""

    BINDINGS = [Binding("f7", "select_all", "Select all", show=False)]

    @property
    def _value(self) -> Text:
        # Input draws this Text; built from the value itself, because Rich's Text drops some
        # controls (BEL, CR) silently, which would move the cursor off its character.
        if self.password:
            return super()._value
        return Text(visible(self.value, keep_tabs=True), no_wrap=True, overflow="ignore", end="")
