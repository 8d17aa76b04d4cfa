"""The earlier action marked "recurred" in the action plan (screens/actions.py).

An action completed before an event that came back (models/recurrence.py: same root-cause code
and event type, unit where given, within the window) is what the issue asks to be seen where the
plan is read, not only among the findings (L-ACTION-RECURRED): the table tags its row and the
detail names the later investigation.
"""

from __future__ import annotations

from collections.abc import Iterable

from models.recurrence import Recurrence
from models.rules.dates import format_date

#: The tag at the end of the action's row in the plan table.
RECURRED_MARK = "↻ recurred"


def recurred_by_action(
    found: Iterable[Recurrence], investigation_id: int
) -> dict[int, list[Recurrence]]:
    """The actions of `investigation_id` followed by recurrence, each with the later ones."""
    out: dict[int, list[Recurrence]] = {}
    for r in found:
        if r.earlier_id == investigation_id:
            out.setdefault(r.action_id, []).append(r)
    return out


def recurred_line(r: Recurrence) -> str:
    """'Recurred: investigation #12 had the same root-cause code (TJC-MED.LASA) and ...'"""
    done = format_date(r.completed_on)
    return (
        f"Recurred: investigation #{r.later_id} had the same root-cause code ({r.code}) and "
        f"event type after this action was completed on {done}"
    )
