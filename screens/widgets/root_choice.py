"""The root causes an action addresses, as a list of ticks that reads without colour.

Textual's `SelectionList` draws the same glyph for a ticked and an unticked line and tells them
apart by colour only, which a 16-colour terminal or NO_COLOR does not show. Here a ticked line
starts with `[x]` and an unticked one with `[ ]`, and `roots_line()` says in words which root
causes the action is for.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widgets import OptionList, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

from models.domain import Cause
from screens.formatting import one_line


class RootChoice(SelectionList[int]):
    """Root causes to tick, each line marked `[x]` when ticked and `[ ]` when not."""

    DEFAULT_CSS = """
    RootChoice > .selection-list--button,
    RootChoice > .selection-list--button-highlighted {
        color: $text-muted;
    }
    RootChoice > .selection-list--button-selected,
    RootChoice > .selection-list--button-selected-highlighted {
        color: $text-success;
        text-style: bold;
    }
    """

    def render_line(self, y: int) -> Strip:
        line = OptionList.render_line(self, y)
        index = self.scroll_offset.y + y
        try:
            choice = self.get_option_at_index(index)
        except OptionDoesNotExist:
            return line
        ticked = choice.value in self.selected
        part = "selection-list--button" + ("-selected" if ticked else "")
        under = next(iter(line)).style or self.rich_style
        mark = self.get_component_rich_style(part)  # its colour on the line's background
        style = under + Style(color=mark.color, bold=mark.bold, meta={"option": index})
        return Strip([Segment("[x]" if ticked else "[ ]", style), Segment(" ", under), *line])


def roots_line(roots: list[Cause], ticked: list[int]) -> Text:
    """Which root causes the action is for, in words (the top of the action dialog)."""
    chosen = [c for c in roots if c.id in ticked]
    if not chosen:
        return Text("For no root cause yet: tick one below (space).", style="bold")
    line = Text("For: " if len(chosen) == 1 else f"For {len(chosen)} root causes: ")
    line.append("; ".join(one_line(c.text, 60) for c in chosen), style="bold")
    return line
