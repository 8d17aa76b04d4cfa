"""Counts across investigations, for the safety team and the board: what `rca trends` prints
and the learning screen draws. Pure: the rows come from `models/service/trends.py`.

A count is exact (the safety team acts on it); the board pack shows counts below a threshold as
"<5" (`small`), so that a table that leaves the safety office cannot point at one patient.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: What `rca trends --by` accepts.
DIMENSIONS = ("event_type", "harm", "unit", "sac", "sentinel", "code", "month", "quarter", "year")
PERIODS = ("month", "quarter", "year")
#: The board pack's default small-cell threshold.
SMALL_CELL = 5


@dataclass(frozen=True, slots=True)
class TrendRow:
    """One key's count: investigations under it (for a code: with at least one cause carrying
    it) and, for codes, the causes carrying it."""

    key: str | int | bool | None
    label: str
    investigations: int
    causes: int | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "key": self.key,
            "label": self.label,
            "investigations": self.investigations,
        }
        if self.causes is not None:
            out["causes"] = self.causes
        return out


def period_key(by: str, year: int, month: int) -> str:
    if by == "month":
        return f"{year:04d}-{month:02d}"
    if by == "quarter":
        return f"{year:04d}-Q{(month - 1) // 3 + 1}"
    return f"{year:04d}"


def quarter_of(day: dt.date | dt.datetime) -> str:
    return period_key("quarter", day.year, day.month)


def small(n: int, threshold: int = SMALL_CELL) -> str:
    """A count as the board pack shows it: "<5" below the threshold (0 stays 0: no one)."""
    if 0 < n < threshold:
        return f"<{threshold}"
    return str(n)


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def percent(value: float | None) -> str:
    return "-" if value is None else f"{round(value * 100)}%"


def median(values: list[float]) -> float | None:
    if not values:
        return None
    xs = sorted(values)
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def parse_day(text: str | None, what: str) -> dt.date | None:
    from models.errors import ValidationError

    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{what}: {text!r} is not a date (YYYY-MM-DD)") from None
