"""What the learning screen shows: counts by period and dimension, and the program's own quality
(weak-only root causes, the strength mix, approvals on time, days to approval, open and overdue
actions, codes that recur). Pure: `models/service/learning.py` reads the rows, `build` counts.

Definitions, so that a number on the screen can be checked by hand:
- a root cause has "only weaker actions" when it has at least one action and none of them is
  stronger or intermediate (an unrated action is not); the share is over root causes that have
  an action, by the quarter of the event and by unit;
- approved within target / within 45 business days: the first approval (not an imported one)
  on or before the investigation's RCA target / sentinel due date (models/rules/deadlines.py);
- days to approval: from the event (else its discovery) to the first approval;
- the strength mix counts every action ("unrated": no strength yet); open actions: open or
  in progress; overdue: open with a due date before today;
- a recurring code: carried by root or other causes of two or more investigations in the window.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from models.trends import TrendRow, median, period_key

STRONG = frozenset({"stronger", "intermediate"})
OPEN_STATUSES = frozenset({"open", "in_progress"})
#: The dimensions the screen cycles through (periods first).
SCREEN_DIMENSIONS = ("period", "event_type", "harm", "unit", "sac", "sentinel", "code")


@dataclass(frozen=True, slots=True)
class InvRow:
    """The fields of one investigation the learning data needs (no free text but the unit)."""

    id: int
    day: dt.datetime
    unit: str
    event_type: str | None
    harm: str | None
    sac_score: int | None
    sentinel: bool
    status: str
    occurred_at: dt.datetime | None
    discovered_at: dt.datetime | None
    decision_at: dt.datetime | None


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
    #: dimension -> rows (ids filled in, for the drill-down); "period" per `period`
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
    #: actions marked "recurred" (models/recurrence.py), and the investigations they belong to
    recurred_actions: int = 0
    recurred_ids: tuple[int, ...] = field(default_factory=tuple)


def _rows(groups: dict[Any, list[int]], labeller: Any, *, order: str = "count") -> list[TrendRow]:
    rows = [TrendRow(k, labeller(k), len(v), None, tuple(sorted(v))) for k, v in groups.items()]
    if order == "key":
        return sorted(rows, key=lambda r: str(r.key))
    return sorted(rows, key=lambda r: (-r.investigations, r.key in (None, ""), str(r.key)))


def build(
    invs: Sequence[InvRow],
    *,
    period: str,
    approvals: dict[int, dt.datetime],
    roots: Iterable[tuple[int, int, str | None]],
    actions: Iterable[tuple[int, str | None, str, dt.date | None]],
    code_links: Iterable[tuple[str, int, int]],
    code_labels: dict[str, str],
    deadlines: Any,
    labeller: Any,
    today: dt.date,
    recurred: Iterable[int] = (),
) -> LearningData:
    """Count everything. `roots`: (cause id, investigation id, action strength or None) for each
    root cause and action; `actions`: (investigation id, strength, status, due); `code_links`:
    (code, investigation id, cause id); `deadlines(inv)` the investigation's Deadlines;
    `recurred` the investigation ids of actions marked recurred (one per action)."""
    by_id = {i.id: i for i in invs}
    counts: dict[str, list[TrendRow]] = {}
    groups: dict[str, dict[Any, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i in invs:
        groups["period"][period_key(period, i.day.year, i.day.month)].append(i.id)
        groups["event_type"][i.event_type].append(i.id)
        groups["harm"][i.harm].append(i.id)
        groups["unit"][i.unit].append(i.id)
        groups["sac"][i.sac_score].append(i.id)
        groups["sentinel"][i.sentinel].append(i.id)
    code_invs: dict[str, set[int]] = defaultdict(set)
    code_causes: Counter = Counter()
    for code, inv_id, _cause in code_links:
        if inv_id in by_id:
            code_invs[code].add(inv_id)
            code_causes[code] += 1
    for dim in SCREEN_DIMENSIONS:
        if dim == "code":
            rows = [
                TrendRow(k, code_labels.get(k, k), len(v), code_causes[k], tuple(sorted(v)))
                for k, v in code_invs.items()
            ]
            counts[dim] = sorted(rows, key=lambda r: (-r.investigations, str(r.key)))
        else:
            counts[dim] = _rows(
                groups[dim],
                lambda k, d=dim: labeller(d, k),
                order="key" if dim == "period" else "count",
            )
    # weak-only root causes: those with an action, none of them stronger or intermediate
    strengths: dict[int, set] = defaultdict(set)
    root_inv: dict[int, int] = {}
    for cause_id, inv_id, strength in roots:
        if inv_id in by_id:
            root_inv[cause_id] = inv_id
            strengths[cause_id].add(strength)
    by_quarter: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_unit: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cause_id, found in strengths.items():
        inv = by_id[root_inv[cause_id]]
        weak = not (found & STRONG)
        quarter = period_key("quarter", inv.day.year, inv.day.month)
        for bucket, key in ((by_quarter, quarter), (by_unit, inv.unit)):
            bucket[key][1] += 1
            bucket[key][0] += weak
    # actions
    mix: Counter = Counter()
    open_n = overdue = 0
    for inv_id, strength, status, due in actions:
        if inv_id not in by_id:
            continue
        mix[strength or "unrated"] += 1
        if status in OPEN_STATUSES:
            open_n += 1
            if due is not None and due < today:
                overdue += 1
    # approvals
    on_target = [0, 0]
    sentinel = [0, 0]
    days: list[float] = []
    for inv_id, approved in approvals.items():
        inv = by_id.get(inv_id)
        if inv is None:
            continue
        d = deadlines(inv)
        if d.rca_due is not None:
            on_target[1] += 1
            on_target[0] += approved.date() <= d.rca_due
        if inv.sentinel and d.sentinel_due is not None:
            sentinel[1] += 1
            sentinel[0] += approved.date() <= d.sentinel_due
        start = inv.occurred_at or inv.discovered_at
        if start is not None:
            days.append((approved - start).total_seconds() / 86400)
    recurred_list = [r for r in recurred if r in by_id]
    return LearningData(
        total=len(invs),
        counts=counts,
        period=period,
        weak_only_by_quarter=[(k, Share(*v)) for k, v in sorted(by_quarter.items())],
        weak_only_by_unit=sorted(
            ((k, Share(*v)) for k, v in by_unit.items()), key=lambda kv: (-kv[1].whole, kv[0])
        ),
        strength_mix=dict(mix),
        approved_within_target=Share(*on_target),
        sentinel_within_45=Share(*sentinel),
        median_days_to_approval=median(days),
        open_actions=open_n,
        overdue_actions=overdue,
        recurring_codes=[r for r in counts["code"] if r.investigations >= 2],
        recurred_actions=len(recurred_list),
        recurred_ids=tuple(sorted(set(recurred_list))),
    )
