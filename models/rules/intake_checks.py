"""Intake checks: the investigation's own times in their natural order.

The intake form refuses times out of order (`dates.order_problems`: the event, its discovery,
the RCA decision, the team's charter), but an investigation imported from a file, or entered
before a rule existed, may still hold them; the deadlines computed from such times mislead. So
`rca check` and the overview name them, as a warning: the fix is on the intake form.
"""

from __future__ import annotations

from models.domain import Finding, Investigation
from models.rules.dates import order_problems


def intake_findings(inv: Investigation) -> list[Finding]:
    problems = order_problems(inv.occurred_at, inv.discovered_at, inv.decision_at,
                              inv.chartered_at)
    if not problems:
        return []
    return [
        Finding(
            "I-DATE-ORDER",
            "warning",
            None,
            "Dates out of order (the deadlines counted from them mislead; correct them on the "
            "intake form): " + "; ".join(problems),
        )
    ]
