"""The root causes an action addresses, as a list of ticks that reads without colour
(`screens.widgets.ticks`), and `roots_line()`, which says in words which root causes the action
is for.
"""

from __future__ import annotations

from rich.text import Text

from models.domain import Cause
from screens.formatting import one_line
from screens.widgets.ticks import TickList


class RootChoice(TickList[int]):
    """Root causes to tick (the action dialog's "addresses")."""


def roots_line(roots: list[Cause], ticked: list[int]) -> Text:
    """Which root causes the action is for, in words (the top of the action dialog)."""
    chosen = [c for c in roots if c.id in ticked]
    if not chosen:
        return Text("For no root cause yet: tick one below (space).", style="bold")
    line = Text("For: " if len(chosen) == 1 else f"For {len(chosen)} root causes: ")
    line.append("; ".join(one_line(c.text, 60) for c in chosen), style="bold")
    return line
