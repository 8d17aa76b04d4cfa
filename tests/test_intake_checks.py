"""Times out of order: refused by the intake form, named by `rca check` for what got in anyway.

An investigation imported from a file (or entered before a rule) may say it was discovered
before it happened, decided before anyone knew, or chartered before the decision; every
deadline counted from those times misleads. A day typed without its time is compared as a day.
"""

from __future__ import annotations

import datetime as dt

from models.demo import demo_document
from models.domain import Investigation
from models.rules.dates import check_order, order_problems
from models.rules.intake_checks import intake_findings

EVENT = dt.datetime(2026, 11, 21, 3, 10)


def inv(**times) -> Investigation:
    return Investigation(id=1, title="Fall", **times)


def test_times_in_order_give_no_finding():
    assert intake_findings(inv(
        occurred_at=EVENT,
        discovered_at=EVENT + dt.timedelta(minutes=20),
        decision_at=EVENT + dt.timedelta(days=1),
        chartered_at=EVENT + dt.timedelta(days=2),
    )) == []
    assert intake_findings(inv()) == []  # nothing recorded yet: nothing to judge


def test_each_time_before_the_one_it_follows_is_named():
    assert order_problems(EVENT, EVENT - dt.timedelta(hours=1), None, None) == [
        "discovered at may not be before occurred at"
    ]
    # The decision follows the discovery; without one, the event.
    assert order_problems(EVENT, EVENT + dt.timedelta(days=2), EVENT + dt.timedelta(days=1),
                          None) == ["decided at (the RCA decision) may not be before discovered at"]
    assert order_problems(EVENT, None, EVENT - dt.timedelta(days=1), None) == [
        "decided at (the RCA decision) may not be before occurred at"
    ]
    assert order_problems(None, None, EVENT, EVENT - dt.timedelta(minutes=1)) == [
        "chartered at may not be before decided at (the RCA decision)"
    ]


def test_a_day_typed_without_its_time_is_compared_as_a_day():
    day = dt.datetime(2026, 11, 21)  # "2026-11-21": midnight
    assert order_problems(EVENT, None, day, None) == []  # decided the day of a 03:10 event
    assert order_problems(None, None, EVENT, day) == []
    assert order_problems(EVENT, None, day - dt.timedelta(days=1), None)  # the day before


def test_the_finding_is_a_warning_of_the_intake_step_in_rca_check(service):
    d = inv(occurred_at=EVENT, discovered_at=EVENT - dt.timedelta(days=1))
    [finding] = intake_findings(d)
    assert finding.code == "I-DATE-ORDER" and finding.severity == "warning"
    assert "discovered at may not be before occurred at" in finding.message

    # An investigation whose times got in out of order (the service, like an import, takes
    # them; only the form refuses): `rca check` and the overview name it.
    demo = service.import_document(demo_document(dt.date(2026, 11, 30)))
    assert "I-DATE-ORDER" not in [f.code for f in service.check(demo.id)]
    row = service.get_investigation(demo.id)
    service.update_investigation(
        demo.id, row.version, discovered_at=row.occurred_at - dt.timedelta(days=1)
    )
    found = [f for f in service.check(demo.id) if f.code == "I-DATE-ORDER"]
    assert len(found) == 1 and found[0].severity == "warning"


def test_the_form_check_says_the_same_and_adds_the_future():
    later = dt.datetime(2026, 12, 1)
    said = check_order(EVENT, EVENT - dt.timedelta(hours=1), now=later)
    assert said == "discovered at may not be before occurred at"
