"""The text box that never lets the text it holds drive the terminal (`SafeTextArea`).

The counterpart of `screens.widgets.editors.SafeInput` for text of several lines, with the same
rules (see that module): control characters drawn as visible ones, keys applied in the order
typed. It is a module of its own so that the home screen, whose only field is a one-line
filter, does not import Textual's TextArea before its first frame (issue 16).
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import TextArea

from screens.visible import visible
from screens.widgets.editors import KeysInOrder


class SafeTextArea(KeysInOrder, TextArea):
    """A text box that shows control characters in its text as visible symbols."""

    def get_line(self, line_index: int) -> Text:
        """The line as drawn (TextArea's documented hook for styling a line)."""
        return Text(
            visible(self.document.get_line(line_index), keep_tabs=True), end="", no_wrap=True
        )
