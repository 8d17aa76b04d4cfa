"""The overview's findings view: thousands of lines all arrive (in chunks), wrapped to the width,
again when the width changes, and a new text keeps the place the reader scrolled to."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from screens.widgets.text_view import CHUNK_LINES, FIRST_LINES, TextView

LINES = [Text(f"finding {i}: " + "word " * 30) for i in range(FIRST_LINES + 2 * CHUNK_LINES + 7)]


class Viewer(App):
    def compose(self) -> ComposeResult:
        yield TextView(id="view")


async def _complete(pilot, view: TextView) -> None:
    while not view.complete:
        await pilot.pause(0.02)
    await pilot.pause()


def _drawn(view: TextView) -> list[str]:
    return [line.text.rstrip() for line in view.lines]


async def test_every_line_arrives_wrapped_and_rewrapped_on_resize():
    app = Viewer()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(TextView)
        view.show(LINES)
        assert not view.complete  # the first screenfuls only, the rest in chunks
        await pilot.pause()
        assert _drawn(view)[0].startswith("finding 0: word")
        await _complete(pilot, view)
        drawn = _drawn(view)
        assert max(len(line) for line in drawn) <= 80
        assert sum(line.startswith("finding ") for line in drawn) == len(LINES)
        assert view.plain.splitlines() == [line.plain for line in LINES]
        narrow = len(drawn)

        await pilot.resize_terminal(120, 24)
        await pilot.pause()
        await _complete(pilot, view)
        wide = _drawn(view)
        assert len(wide) < narrow  # fewer, longer lines
        assert sum(line.startswith("finding ") for line in wide) == len(LINES)


async def test_a_new_text_keeps_the_place_and_drops_the_old_tail():
    app = Viewer()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(TextView)
        view.show(LINES)
        await _complete(pilot, view)
        view.focus()
        await pilot.press("end")  # far past the lines wrapped at first
        await pilot.press("pageup")
        place = view.scroll_y
        assert place > FIRST_LINES * 3
        view.show(LINES)  # a reload: the same findings, the same place
        assert view.scroll_y == place
        await _complete(pilot, view)
        assert view.scroll_y == place
        view.show(LINES)
        view.show(LINES[:3])  # at once a shorter list: the first one's chunks are dropped
        await _complete(pilot, view)
        assert sum(line.startswith("finding ") for line in _drawn(view)) == 3


async def test_lines_given_as_items_are_made_only_when_written():
    """The overview passes its findings and a function: the first screenful is made at once,
    every other line only when its chunk is written, and each exactly once."""
    made: list[int] = []

    def line(i: int) -> Text:
        made.append(i)
        return Text(f"finding {i}: " + "word " * 30)

    app = Viewer()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(TextView)
        items = list(range(len(LINES)))
        view.show(items, line)
        assert made == list(range(FIRST_LINES))
        await _complete(pilot, view)
        assert made == items
        drawn = _drawn(view)
        assert sum(text.startswith("finding ") for text in drawn) == len(LINES)
        assert view.plain.splitlines() == [ln.plain for ln in LINES]
