"""A long, read-only text (thousands of lines) that scrolls without re-wrapping on every frame.

A `Static` in a scroll container wraps its whole text again for each layout and each repaint:
the overview of a 5,000-cause investigation has over 3,000 findings, and showing them took
seconds. This view wraps the text once for its width (again only when the width changes) and
draws only the lines on screen, as Textual's `RichLog` does. Even wrapping once is most of a
second for 3,000 long lines, so the first screenfuls are wrapped at once and the rest in
chunks between frames: the screen is ready, and keys work, while the tail is still arriving.
The lines can be given as items and a function that makes each one's `Text`: then a line is
made only when its chunk is written (the overview's first screenful of 3,000 findings is ready
without making the other lines first, issue 16). The text is data, never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual.events import Resize
from textual.widgets import RichLog

#: Lines wrapped before the view is drawn, and then in each later chunk.
FIRST_LINES = 60  # a tall terminal shows ~50: `show` wraps on down to the screen's foot
CHUNK_LINES = 400


class TextView(RichLog):
    """Show lines of `Text`, wrapped to the width, scrolled by keys, mouse or scrollbar."""

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
        self._lines: Sequence[Any] = []
        self._make_line: Callable[[Any], Text] = _as_text
        self._width = 0
        self._pending: Sequence[Any] = []
        #: Counts calls of `show`: a chunk of an older text is dropped.
        self._generation = 0

    @property
    def plain(self) -> str:
        """The text shown, as one string (lines as given, before wrapping)."""
        return "\n".join(self._make_line(line).plain for line in self._lines)

    @property
    def complete(self) -> bool:
        """True once every line of the text is wrapped and scrollable."""
        return not self._pending

    def show(self, lines: Sequence[Any], render: Callable[[Any], Text] | None = None) -> None:
        """Replace the text with these lines, keeping the place the reader scrolled to; with
        `render`, `lines` are items and `render(item)` makes each line when it is written."""
        self._lines = lines
        self._make_line = render or _as_text
        self._generation += 1
        y = self.scroll_y
        self.clear()
        self._width = self.scrollable_content_region.width
        self._pending = lines[FIRST_LINES:]
        self._write(lines[:FIRST_LINES])
        # A reader further down (a reload) finds the same place: wrap at once down to it.
        while self._pending and len(self.lines) < y + self.size.height:
            self._write(self._pending[:CHUNK_LINES])
            self._pending = self._pending[CHUNK_LINES:]
        self.scroll_to(y=y, animate=False, immediate=True)
        if self._pending:
            self._next_chunk(self._generation)

    def _write(self, lines: Sequence[Any]) -> None:
        if lines:
            made = [self._make_line(line) for line in lines]
            self.write(Text("\n").join(made), width=self._width or None)

    def _next_chunk(self, generation: int) -> None:
        def chunk() -> None:
            if generation != self._generation or not self._pending:
                return
            lines, self._pending = self._pending[:CHUNK_LINES], self._pending[CHUNK_LINES:]
            self._write(lines)
            if self._pending:
                self._next_chunk(generation)

        self.set_timer(0.01, chunk)

    def on_resize(self, event: Resize) -> None:
        width = self.scrollable_content_region.width
        if self._size_known and width and width != self._width and self._lines:
            self.show(self._lines, self._make_line)


def _as_text(line: Any) -> Text:
    return line if isinstance(line, Text) else Text(str(line))
