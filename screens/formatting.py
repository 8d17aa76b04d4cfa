"""How values read on screen: labels for keys, dates, deadlines, short texts.

Every function returns `rich.text.Text` or plain `str` built without markup parsing, so user
text such as "[bold]x[/]" shows exactly as typed, and with control characters made visible
(`visible()`, re-exported from `screens.visible`): user text never drives the terminal.
Durations are said by `models.rules.deadlines.describe_duration`, the one function every screen
and report uses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text

from models import vocab
from models.review import is_frozen
from models.rules.dates import format_date, format_datetime
from models.rules.deadlines import (
    Deadlines,
    days_left,
    default_policy,
    describe_days_left,
    judge_start,
)
from screens.visible import visible

__all__ = [
    "FixedCell",
    "deadlines_for",
    "due_cell",
    "label",
    "one_line",
    "plain",
    "sac_cell",
    "start_verdict",
    "visible",
    "when",
]


def label(enum: type[vocab.Labelled], value: str | None, empty: str = "") -> str:
    if not value:
        return empty
    try:
        return enum(value).label
    except ValueError:
        return value


def one_line(text: str, width: int | None = None) -> str:
    """`text` on one line, safe to show (see `visible`), cut to `width` with an ellipsis."""
    text = " ".join(visible(text).split())
    if width is not None and len(text) > width:
        return text[: max(1, width - 1)] + "…"
    return text


def plain(text: str, style: str = "") -> Text:
    """User text (possibly several lines) as a `Text` that is never parsed and never drives
    the terminal."""
    return Text(visible(text), style=style)


def deadlines_for(settings: Any, item: Any) -> Deadlines:
    """Deadlines of an investigation (or a summary row, or the form's values) under the app's
    settings, whose deadline policy was checked when they were loaded."""
    policy = settings.deadline_policy() if settings is not None else default_policy()
    return policy.deadlines_of(item)


def start_verdict(start_by: dt.datetime | None, chartered_at: dt.datetime | None) -> str:
    """The 72-hour start judged by the team's charter: 'met (chartered 2026-11-05 10:00)',
    'not met, 5 hours late (chartered ...)', or 'start not recorded' without a charter."""
    verdict = judge_start(start_by, chartered_at)
    if verdict is None:
        return "start not recorded"
    return f"{verdict} (chartered {format_datetime(chartered_at)})"


def due_cell(
    deadlines: Deadlines, today: dt.date, status: str, *, cell: type[Text] = Text
) -> Text:
    """'12d left', 'due today', '3d OVERDUE' (bold red, and in words for mono terminals);
    'done' once the investigation is approved or closed: its deadlines no longer run."""
    if is_frozen(status):
        return cell("done", style="dim")
    n = days_left(deadlines.due, today)
    text = describe_days_left(n, short=True)
    if n is None:
        return cell(text, style="dim")
    if n < 0:
        return cell(text, style="bold red")
    if n == 0:
        return cell(text, style="bold yellow")
    return cell(text, style="yellow" if n <= 7 else "")


def when(value: dt.datetime | dt.date | None) -> str:
    return format_datetime(value) if isinstance(value, dt.datetime) else format_date(value)


class FixedCell(Text):
    """Text for a table column of a fixed width: a Text that offers no measurement.

    A DataTable measures every cell it is given, also in columns whose width is fixed and
    never reads the result: for the home list that was 6,000 measurements, each of which asks
    the console for its size, a fifth of a second of every start (issue 16). A renderable
    without `__rich_measure__` is, by the Rich protocol, measured as the default at no cost.
    It draws as the Text it is. Only for columns added with a width: in a column that fits its
    content it would count as one cell wide.
    """

    __slots__ = ()
    __rich_measure__ = None  # type: ignore[assignment]  # the protocol's "cannot measure"


def sac_cell(score: int | None, sentinel: bool = False, *, cell: type[Text] = Text) -> Text:
    if score is None:
        return cell("-", style="dim")
    text = cell(str(score), style="bold" if score == 3 else "")
    if sentinel:
        text.append("S", style="bold")
    return text
