"""Edit fields that never let the text they hold drive the terminal.

`Input` and `TextArea` draw their value as it is, so a stored title holding `ESC[31m` (typed
elsewhere, pasted, or imported) would restyle the screen as soon as its edit dialog opened.
These two draw every control character as a visible one (`screens.visible.visible`, one
character for one, so the cursor stays where it is), while the value itself, and so what is
saved, stays exactly as it was typed or pasted. Every edit field of the screens is one of them.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Input, TextArea

from screens.visible import visible


class SafeInput(Input):
    """A one-line field that shows control characters in its value as visible symbols."""

    @property
    def _value(self) -> Text:
        # Input draws this Text; built from the value itself, because Rich's Text drops some
        # controls (BEL, CR) silently, which would move the cursor off its character.
        if self.password:
            return super()._value
        return Text(visible(self.value, keep_tabs=True), no_wrap=True, overflow="ignore", end="")


class SafeTextArea(TextArea):
    """A text box that shows control characters in its text as visible symbols."""

    def get_line(self, line_index: int) -> Text:
        """The line as drawn (TextArea's documented hook for styling a line)."""
        return Text(
            visible(self.document.get_line(line_index), keep_tabs=True), end="", no_wrap=True
        )
