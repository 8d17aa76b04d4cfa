"""Ticks that read without colour: `[x]` ticked, `[ ]` not.

Textual's `Checkbox` and `SelectionList` draw the same `X` for a ticked and an unticked box and
tell them apart by colour only, which a 16-colour terminal or NO_COLOR does not show. Every
box of the screens is one of these: the intake's sentinel and blameworthy boxes, a team
member's "involved", the export's de-identified copy, the cause codes, the export formats and
the root causes an action addresses.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, OptionList, SelectionList
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import SelectionType


class TickBox(Checkbox):
    """A checkbox whose state reads without colour: `[x]` ticked, `[ ]` not (NO_COLOR, 16
    colours), instead of Textual's `X` that differs only in colour."""

    @property
    def _button(self) -> Content:
        return Content.assemble(
            "[", ("x" if self.value else " ", self.get_visual_style("toggle--button")), "]"
        )


class TickList(SelectionList[SelectionType]):
    """Lines to tick, each marked `[x]` when ticked and `[ ]` when not."""

    DEFAULT_CSS = """
    TickList > .selection-list--button,
    TickList > .selection-list--button-highlighted {
        color: $text-muted;
    }
    TickList > .selection-list--button-selected,
    TickList > .selection-list--button-selected-highlighted {
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
