"""Recurrence: an event that happened again after the action meant to stop it was completed.

A later investigation recurs an earlier one when a root cause of each carries the same cause code,
both have the same event type, the same unit where both give one, and an action of the earlier
one addressing that root cause was completed within the window (default 365 days) before the
later event. The later investigation gets a finding (L-RECURRED) naming the earlier action; the
earlier action is shown as "recurred"; the learning screen counts those actions.

Pure: `models/service/recurrence.py` reads the rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from models.domain import Finding

WINDOW_DAYS = 365


@dataclass(frozen=True, slots=True)
class Completed:
    """An action completed on `on`, addressing a root cause coded `code` of `investigation_id`."""

    action_id: int
    investigation_id: int
    code: str
    on: dt.date
    text: str = ""


@dataclass(frozen=True, slots=True)
class Coded:
    """A root-cause code of an investigation, with what it is matched on."""

    investigation_id: int
    code: str
    event_type: str | None
    unit: str
    day: dt.date


@dataclass(frozen=True, slots=True)
class Recurrence:
    later_id: int
    earlier_id: int
    action_id: int
    action_text: str
    code: str
    completed_on: dt.date


def match(
    completed: Iterable[Completed],
    coded: Iterable[Coded],
    window_days: int = WINDOW_DAYS,
) -> list[Recurrence]:
    """Every (later investigation, earlier action) pair that recurs, in a stable order."""
    coded = list(coded)
    by_inv: dict[int, list[Coded]] = defaultdict(list)
    by_code: dict[str, list[Coded]] = defaultdict(list)
    for c in coded:
        by_inv[c.investigation_id].append(c)
        by_code[c.code].append(c)
    window = dt.timedelta(days=window_days)
    found: dict[tuple[int, int], Recurrence] = {}
    for done in completed:
        mine = by_inv.get(done.investigation_id)
        if not mine:
            continue
        earlier = mine[0]  # event type, unit and day are the investigation's
        for later in by_code.get(done.code, ()):
            if later.investigation_id == done.investigation_id:
                continue
            if later.event_type is None or later.event_type != earlier.event_type:
                continue
            if later.unit and earlier.unit and later.unit != earlier.unit:
                continue
            if not (done.on <= later.day <= done.on + window) or later.day <= earlier.day:
                continue
            key = (later.investigation_id, done.action_id)
            if key not in found:
                found[key] = Recurrence(
                    later.investigation_id,
                    done.investigation_id,
                    done.action_id,
                    done.text,
                    done.code,
                    done.on,
                )
    return sorted(found.values(), key=lambda r: (r.later_id, r.earlier_id, r.action_id))


def findings(
    recurrences: Iterable[Recurrence], investigation_id: int, window_days: int = WINDOW_DAYS
) -> list[Finding]:
    """The later investigation's L-RECURRED warnings, and the earlier one's L-ACTION-RECURRED
    (its action "recurred"; subject: the action)."""
    out = []
    for r in recurrences:
        if r.earlier_id == investigation_id:
            text = " ".join(r.action_text.split())
            text = text if len(text) <= 60 else text[:59] + "…"
            out.append(
                Finding(
                    "L-ACTION-RECURRED",
                    "warning",
                    r.action_id,
                    f"Recurred: action '{text}', completed on {r.completed_on:%Y-%m-%d}, was "
                    f"followed by investigation #{r.later_id} with the same root-cause code "
                    f"({r.code}) and event type within {window_days} days",
                )
            )
            continue
        if r.later_id != investigation_id:
            continue
        text = " ".join(r.action_text.split())
        text = text if len(text) <= 60 else text[:59] + "…"
        out.append(
            Finding(
                "L-RECURRED",
                "warning",
                None,
                f"Recurrence: investigation #{r.earlier_id} had the same root-cause code "
                f"({r.code}) and event type; its action '{text}' was completed on "
                f"{r.completed_on:%Y-%m-%d}, within {window_days} days before this event. "
                "Check why it did not prevent this one",
            )
        )
    return out
