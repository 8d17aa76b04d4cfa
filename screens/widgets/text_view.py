"""A long, read-only text (thousands of lines) that scrolls without re-wrapping on every frame.

A `Static` in a scroll container wraps its whole text again for each layout and each repaint:
the overview of a 5,000-cause investigation has over 3,000 findings, and showing them took
seconds. This view wraps the text once for its width (again only when the width changes) and
draws only the lines on screen, as Textual's `RichLog` does. The text is data, never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.events import Resize
from textual.widgets import RichLog


class TextView(RichLog):
    """Show one `Text`, wrapped to the width, scrolled by keys, mouse or scrollbar."""

    # As a Static in a scroll container looks: no panel of its own, a scrollbar when needed.
    DEFAULT_CSS = """
    TextView {
        background: transparent;
        overflow-y: auto;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(
            wrap=True,
            markup=False,
            highlight=False,
            min_width=1,
            auto_scroll=False,
            id=id,
            classes=classes,
        )
        self._text = Text()
        self._width = 0

    @property
    def plain(self) -> str:
        """The text shown, as one string (lines as given, before wrapping)."""
        return self._text.plain

    def show(self, text: Text) -> None:
        """Replace the text, keeping the place the reader scrolled to."""
        self._text = text
        y = self.scroll_y
        self.clear()
        self._width = self.scrollable_content_region.width
        self.write(text, width=self._width or None)
        self.scroll_to(y=y, animate=False, immediate=True)

    def on_resize(self, event: Resize) -> None:
        width = self.scrollable_content_region.width
        if self._size_known and width and width != self._width and self._text:
            self.show(self._text)
