"""The follow-up rules as pure functions: reading a target, missed twice, due and overdue."""

from __future__ import annotations

import datetime as dt

import pytest

from models.domain import Action, Measure, Measurement
from models.rules.followup_checks import (
    closure_refusal,
    is_overdue,
    missed_twice,
    next_measure_due,
    parse_target,
)

DAY = dt.date(2027, 3, 1)


@pytest.mark.parametrize(
    ("text", "result", "met"),
    [
        ("95% compliance", 94.0, False),
        ("95% compliance", 95.0, True),
        ("at least 90 %", 91.0, True),
        ("at most 2 falls a month", 3.0, False),
        ("no more than 2 falls a month", 2.0, True),
        ("0 wrong-site blocks", 1.0, False),
        ("≤ 5 minutes", 4.0, True),
    ],
)
def test_targets_are_read_with_their_direction(text, result, met):
    assert parse_target(text).met(result) is met


@pytest.mark.parametrize("text", ["", "no falls", "30% fewer than the last 12 months"])
def test_targets_people_must_judge_are_not_read(text):
    assert parse_target(text) is None


def action(**kw) -> Action:
    fields = {"id": 1, "investigation_id": 1, "text": "Re-arm alarms", "due": DAY}
    return Action(**{**fields, **kw})


def result(n: int, on: dt.date, value: float | None = None, **kw) -> Measurement:
    return Measurement(n, 1, 1, on, value, **kw)


def test_missed_twice_needs_the_last_two_both_missed():
    a = action(measure=Measure(target="95%", date=DAY))
    low, high = result(1, DAY, 80), result(2, DAY, 97)
    assert missed_twice(a, [low]) == ()
    assert missed_twice(a, [low, high]) == ()
    lower = result(3, DAY, numerator=4, denominator=5)
    assert missed_twice(a, [high, low, lower]) == (low, lower)
    assert missed_twice(action(measure=Measure(target="better")), [low, lower]) == ()


def test_due_and_overdue():
    a = action(measure=Measure(date=DAY))
    assert next_measure_due(a, []) == DAY
    assert next_measure_due(a, [result(1, DAY, 1)]) is None
    assert (
        next_measure_due(action(measure=Measure(date=DAY), effectiveness="effective"), []) is None
    )
    assert not is_overdue(a, DAY)
    assert is_overdue(a, DAY + dt.timedelta(days=1))
    assert not is_overdue(a.replace(done_on=DAY), DAY + dt.timedelta(days=1))


def test_closure_counts_only_actions_followed_up():
    done = action(effectiveness="effective")
    refused = action(id=2, concurrence="do_not_concur")
    closed = action(id=3, closed_reason="Superseded")
    assert closure_refusal([done, refused, closed]) is None
    assert "1 action not" in closure_refusal([done, action(id=4, effectiveness="pending")])
