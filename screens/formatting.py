"""How values read on screen: labels for keys, dates, deadlines, short texts.

Every function returns `rich.text.Text` or plain `str` built without markup parsing, so user
text such as "[bold]x[/]" shows exactly as typed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text

from models import vocab
from models.rules.dates import format_date, format_datetime
from models.rules.deadlines import Deadlines, compute_deadlines, days_left


def label(enum: type[vocab.Labelled], value: str | None, empty: str = "") -> str:
    if not value:
        return empty
    try:
        return enum(value).label
    except ValueError:
        return value


def one_line(text: str, width: int | None = None) -> str:
    text = " ".join(text.split())
    if width is not None and len(text) > width:
        return text[: max(1, width - 1)] + "…"
    return text


def deadlines_for(settings: Any, item: Any) -> Deadlines:
    """Deadlines of an investigation (or a summary row) under the app's settings."""
    kwargs: dict[str, Any] = {}
    if settings is not None:
        kwargs = {
            "target_days": settings.rca_target_days,
            "country": settings.holiday_country,
            "subdivision": settings.holiday_subdivision,
            "extra_holidays": tuple(settings.extra_holidays),
        }
    try:
        return compute_deadlines(
            decision_at=item.decision_at,
            occurred_at=item.occurred_at,
            discovered_at=item.discovered_at,
            sentinel=item.sentinel,
            **kwargs,
        )
    except Exception:  # a bad holiday setting must not hide the list; the overview says why
        return Deadlines()


def due_cell(deadlines: Deadlines, today: dt.date, status: str) -> Text:
    """'12d left', 'due today', '3d OVERDUE' (bold red, and in words for mono terminals)."""
    if status in (vocab.Status.APPROVED, vocab.Status.CLOSED):
        return Text("done", style="dim")
    n = days_left(deadlines.due, today)
    if n is None:
        return Text("-", style="dim")
    if n < 0:
        return Text(f"{-n}d OVERDUE", style="bold red")
    if n == 0:
        return Text("due today", style="bold yellow")
    return Text(f"{n}d left", style="yellow" if n <= 7 else "")


def when(value: dt.datetime | dt.date | None) -> str:
    return format_datetime(value) if isinstance(value, dt.datetime) else format_date(value)


def sac_cell(score: int | None, sentinel: bool = False) -> Text:
    if score is None:
        return Text("-", style="dim")
    text = Text(str(score), style="bold" if score == 3 else "")
    if sentinel:
        text.append("S", style="bold")
    return text
