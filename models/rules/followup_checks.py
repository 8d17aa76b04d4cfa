"""Follow-up after approval, as findings: is each action done, measured, and did it work?

RCA2: an action is only worth its measured effect, and leadership follows it to the end. These
rules read the dossier and a fixed `today` (no clock inside), so the overview, `rca check`, the
tracker and the tests agree on what is due.

=================== ======== ===========================================================
code                severity why
=================== ======== ===========================================================
F-MEASURE-DUE       warning  the measure's date has passed and no result is recorded
F-TARGET-MISSED     warning  the last two results both missed the target: the finding
                             names both and proposes that a reviewer reopen the analysis
F-CLOSE-BLOCKED     warning  the investigation cannot be closed yet: the actions not
                             verified effective nor closed by a reviewer (subject: the
                             investigation)
F-NO-FEEDBACK       warning  no feedback to the person who reported the event is logged
=================== ======== ===========================================================

An action due and not done is P-OVERDUE (`plan_checks`), judged with `is_overdue` below, so a
done date recorded in the follow-up clears it. The F- rules apply to an approved investigation
only: before approval there is no follow-up, and a closed one has none left (closing needs
every action resolved). They are warnings: errors block approval, which is behind them.

Targets are free text ("95% compliance", "at most 2 falls a month", "0 wrong-site blocks");
`parse_target` reads the number and the direction from it. A target it cannot read, or one
relative to a baseline, is never called missed: people judge it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from models.domain import Action, Dossier, Finding, Measurement
from models.vocab import ActionStatus, Concurrence, FeedbackAudience, Status

_AT_MOST = re.compile(
    r"(<=?|≤|\bat most\b|\bno more than\b|\bnot more than\b|\bfewer than\b|\bless than\b|"
    r"\bbelow\b|\bunder\b|\bmax(imum)?\b|\bup to\b|\bor (fewer|less)\b)",
    re.IGNORECASE,
)
#: A target relative to a baseline ("30% fewer than the last 12 months") is judged by people.
_RELATIVE = re.compile(
    r"\b(reduc\w*|increas\w*|decreas\w*|drop\w*|rise|than (the|last|before|baseline)|"
    r"from baseline|relative)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(\d+(?:[.,]\d+)?)\s*(%|percent\b)?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Target:
    """A target read from its text: met when the result is at least (or at most) `number`."""

    number: float
    at_most: bool
    percent: bool

    def met(self, result: float) -> bool:
        return result <= self.number if self.at_most else result >= self.number


def parse_target(text: str) -> Target | None:
    """The number and direction of a target, or None when the text has no number."""
    match = _NUMBER.search(text or "")
    if match is None or _RELATIVE.search(text):
        return None
    number = float(match.group(1).replace(",", "."))
    at_most = bool(_AT_MOST.search(text)) or number == 0
    return Target(number, at_most, bool(match.group(2)))


def is_overdue(action: Action, today: dt.date) -> bool:
    """Due before `today` and not done (no done date, status open or in progress)."""
    return (
        action.due is not None
        and action.due < today
        and action.done_on is None
        and action.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
    )


def days_overdue(action: Action, today: dt.date) -> int | None:
    return (today - action.due).days if is_overdue(action, today) and action.due else None


def of_action(measurements: Iterable[Measurement], action_id: int) -> list[Measurement]:
    """An action's results, oldest first (by date, then as entered)."""
    mine = [m for m in measurements if m.action_id == action_id]
    return sorted(mine, key=lambda m: (m.taken_on, m.id))


def next_measure_due(action: Action, results: Sequence[Measurement]) -> dt.date | None:
    """The measure's date while no result is recorded and the action is not resolved."""
    if action.resolved or results:
        return None
    return action.measure.date


def missed_twice(action: Action, results: Sequence[Measurement]) -> tuple[Measurement, ...]:
    """The last two results, when both missed the action's target; else ()."""
    target = parse_target(action.measure.target)
    scored = [m for m in results if m.result is not None]
    if target is None or len(scored) < 2:
        return ()
    last = tuple(scored[-2:])
    if any(target.met(m.result) for m in last):  # type: ignore[arg-type]
        return ()
    return last


def followed(actions: Iterable[Action]) -> list[Action]:
    """The actions that are followed up: all but those leadership did not concur with."""
    return [a for a in actions if a.concurrence != Concurrence.DO_NOT_CONCUR]


def closure_refusal(actions: Sequence[Action]) -> str | None:
    """Why the investigation cannot be closed yet, or None when it can."""
    left = [a for a in followed(actions) if not a.resolved]
    if not left:
        return None
    named = "; ".join(f"'{_short(a.text)}'" for a in left[:3])
    more = f" (and {len(left) - 3} more)" if len(left) > 3 else ""
    n = len(left)
    return (
        f"Cannot close: {n} action{'s' * (n != 1)} not verified effective nor closed by a "
        f"reviewer with a reason: {named}{more}"
    )


def followup_findings(dossier: Dossier, today: dt.date) -> list[Finding]:
    """The F- findings of an approved investigation (none in any other status)."""
    inv = dossier.investigation
    if inv.status != Status.APPROVED:
        return []
    out: list[Finding] = []
    for action in followed(dossier.actions):
        if action.resolved:
            continue
        name = f"Action '{_short(action.text)}'"
        results = of_action(dossier.measurements, action.id)
        due = next_measure_due(action, results)
        if due is not None and due < today:
            days = (today - due).days
            out.append(
                Finding(
                    "F-MEASURE-DUE",
                    "warning",
                    action.id,
                    f"{name} was to be measured on {due.isoformat()} ({days} day"
                    f"{'s' * (days != 1)} ago) and no result is recorded",
                )
            )
        missed = missed_twice(action, results)
        if missed:
            first, second = missed
            out.append(
                Finding(
                    "F-TARGET-MISSED",
                    "warning",
                    action.id,
                    f"{name} missed its target ({action.measure.target.strip()}) twice in a "
                    f"row: {first.shown} on {first.taken_on.isoformat()} and {second.shown} on "
                    f"{second.taken_on.isoformat()}. A reviewer may reopen the investigation "
                    "to revise the action",
                )
            )
    refusal = closure_refusal(dossier.actions)
    if refusal:
        out.append(Finding("F-CLOSE-BLOCKED", "warning", inv.id, refusal))
    if not any(f.audience == FeedbackAudience.REPORTER for f in dossier.feedback):
        out.append(
            Finding(
                "F-NO-FEEDBACK",
                "warning",
                inv.id,
                "No feedback to the person who reported the event is logged: say when and "
                "how it was given",
            )
        )
    return out


def _short(text: str, width: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
