"""What the learning screen shows: counts by period and dimension, and the program's own quality
(weak-only root causes, the strength mix, approvals on time, days to approval, open and overdue
actions, codes that recur). Pure: `models/service/learning.py` reads aggregate rows (GROUP BYs),
the functions here fold them into what the screen draws.

Definitions, so that a number on the screen can be checked by hand:
- a root cause has "only weaker actions" when it has at least one action and none of them is
  stronger or intermediate (an unrated action is not); the share is over root causes that have
  an action, by the quarter of the event and by unit;
- approved within target / within 45 business days: the first approval (not an imported one)
  on or before the investigation's RCA target / sentinel due date (models/rules/deadlines.py);
- days to approval: from the event (else its discovery) to the first approval;
- the strength mix counts every action ("unrated": no strength yet); open actions: open or
  in progress; overdue: open with a due date before today;
- a recurring code: carried by causes of two or more investigations in the window.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from models.trends import TrendRow, median, period_key

STRONG = ("stronger", "intermediate")
OPEN_STATUSES = ("open", "in_progress")
#: The dimensions the screen counts by (periods first).
SCREEN_DIMENSIONS = ("period", "event_type", "harm", "unit", "sac", "sentinel", "code")


@dataclass(frozen=True, slots=True)
class Share:
    """`part` of `whole` (a share, with its numbers, so that the screen can say both)."""

    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return None if self.whole == 0 else self.part / self.whole


@dataclass(frozen=True)
class LearningData:
    total: int
    #: dimension -> rows; "period" by `period`
    counts: dict[str, list[TrendRow]]
    period: str
    weak_only_by_quarter: list[tuple[str, Share]]
    weak_only_by_unit: list[tuple[str, Share]]
    strength_mix: dict[str, int]
    approved_within_target: Share
    sentinel_within_45: Share
    median_days_to_approval: float | None
    open_actions: int
    overdue_actions: int
    recurring_codes: list[TrendRow]
    #: actions followed by recurrence (models/recurrence.py) and their investigations
    recurred_actions: int = 0
    recurred_ids: tuple[int, ...] = field(default_factory=tuple)


def weak_only(
    rows: Iterable[tuple[int, int, str, int, int]],
) -> tuple[list[tuple[str, Share]], list[tuple[str, Share]]]:
    """From (year, month, unit, root causes with an action, of them weak only): the shares by
    quarter (in order) and by unit (most root causes first)."""
    by_quarter: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_unit: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for year, month, unit, roots, weak in rows:
        for bucket, key in (
            (by_quarter, period_key("quarter", int(year), int(month))),
            (by_unit, unit or ""),
        ):
            bucket[key][0] += int(weak or 0)
            bucket[key][1] += int(roots)
    quarters = [(k, Share(*v)) for k, v in sorted(by_quarter.items())]
    units = sorted(
        ((k, Share(*v)) for k, v in by_unit.items()), key=lambda kv: (-kv[1].whole, kv[0])
    )
    return quarters, units


def action_totals(
    rows: Iterable[tuple[str | None, str, int, int]],
) -> tuple[dict[str, int], int, int]:
    """From (strength, status, actions, of them due before today): the strength mix, the open
    actions and the overdue ones."""
    mix: dict[str, int] = {}
    open_n = overdue = 0
    for strength, status, n, late in rows:
        key = strength or "unrated"
        mix[key] = mix.get(key, 0) + int(n)
        if status in OPEN_STATUSES:
            open_n += int(n)
            overdue += int(late or 0)
    return mix, open_n, overdue


def approvals(
    rows: Iterable[tuple[int, Any, Any, Any, bool, dt.datetime]],
    deadlines: Callable[..., Any],
) -> tuple[Share, Share, float | None]:
    """From (id, occurred_at, discovered_at, decision_at, sentinel, first approval): approved
    within the RCA target, sentinel events within 45 business days, median days to approval.
    `deadlines(decision_at=, occurred_at=, discovered_at=, sentinel=)` is the policy's; it is
    asked once per distinct set of dates."""
    cache: dict[tuple, Any] = {}
    on_target = [0, 0]
    sentinel = [0, 0]
    days: list[float] = []
    for _id, occurred, discovered, decision, is_sentinel, approved in rows:
        key = (_day(decision), _day(occurred), _day(discovered), bool(is_sentinel))
        d = cache.get(key)
        if d is None:
            d = cache[key] = deadlines(
                decision_at=key[0], occurred_at=key[1], discovered_at=key[2], sentinel=key[3]
            )
        if d.rca_due is not None:
            on_target[1] += 1
            on_target[0] += approved.date() <= d.rca_due
        if is_sentinel and d.sentinel_due is not None:
            sentinel[1] += 1
            sentinel[0] += approved.date() <= d.sentinel_due
        start = occurred or discovered
        if start is not None:
            days.append((approved - start).total_seconds() / 86400)
    return Share(*on_target), Share(*sentinel), median(days)


def _day(value: Any) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value
