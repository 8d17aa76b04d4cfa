"""The report's deadlines, as facts: with days left (event summary) and met or not (executive
summary).

Apart from `exports.report` (already long). A finished investigation is never overdue: its
deadlines are met or missed by the day it was approved or closed. The 72-hour start is judged
by when the RCA team was chartered (`chartered_at`), open or finished; until that is recorded
the report says it is not recorded rather than guess.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from models import vocab
from models.domain import Dossier
from models.review import is_frozen
from models.rules.dates import format_date, format_datetime
from models.rules.deadlines import days_left, describe_days_left, describe_duration, judge_start

#: What each deadline was counted from, as the labels say it.
_FROM = {"decision": "decision", "discovered": "discovery", "occurred": "event"}
START_LABEL = "Start by (72 h after decision)"

Pairs = tuple[tuple[str, str], ...]


def _when(value: dt.datetime | dt.date | None) -> str:
    return format_datetime(value) if isinstance(value, dt.datetime) else format_date(value)


def finished_at(dossier: Dossier) -> dt.datetime | None:
    """When an approved or closed investigation got that status (from its sign-off)."""
    inv = dossier.investigation
    if not is_frozen(inv.status):
        return None
    done = [s.at for s in dossier.signoffs if s.decision == inv.status and s.at is not None]
    return max(done) if done else None


def deadline_facts(dossier: Dossier, deadlines: Any, today: dt.date) -> tuple[Pairs, Pairs]:
    """(label, value) pairs: (the deadlines with days left; the same deadlines met or not)."""
    if deadlines is None:
        return (), ()
    inv = dossier.investigation
    closed = is_frozen(inv.status)
    finished = finished_at(dossier)
    status_name = vocab.Status(inv.status).label.lower() if closed else ""
    facts: list[tuple[str, str]] = []
    status: list[tuple[str, str]] = []

    if deadlines.start_by is not None:
        when = _when(deadlines.start_by)
        verdict = judge_start(deadlines.start_by, inv.chartered_at)
        if verdict is not None:
            chartered = _when(inv.chartered_at)
            facts.append((START_LABEL, f"{when} ({verdict}: chartered {chartered})"))
            status.append((START_LABEL, f"{when}: {verdict} (chartered {chartered})"))
        else:
            facts.append((START_LABEL, f"{when} (start not recorded)"))
            note = f"{status_name}, start not recorded" if closed else "start not recorded"
            status.append((START_LABEL, f"{when}: {note}"))

    def add(label: str, due: dt.date) -> None:
        when = _when(due)
        left = days_left(due, today)
        facts.append((label, when if closed else f"{when} ({describe_days_left(left)})"))
        if not closed:
            status.append((label, f"{when}: {describe_days_left(left)}"))
        elif finished is None:
            status.append((label, f"{when}: {status_name}, date not recorded"))
        else:
            late = (finished.date() - due).days
            verdict = "met" if late <= 0 else f"not met, {describe_duration(late)} late"
            status.append((label, f"{when}: {verdict} ({status_name} {format_date(finished)})"))

    if deadlines.rca_due is not None:
        add(f"RCA target (from {_FROM.get(deadlines.rca_from or '', 'event')})", deadlines.rca_due)
    if deadlines.sentinel_due is not None:
        since = _FROM.get(deadlines.sentinel_from or "", "event")
        add(f"Sentinel: 45 business days (from {since})", deadlines.sentinel_due)
    return tuple(facts), tuple(status)
