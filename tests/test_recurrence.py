"""Recurrence: a later investigation sharing a root-cause code and event type (and unit, where
both give one) with an earlier one whose action was completed within the window gets an
L-RECURRED finding naming that action; the earlier action counts as followed by recurrence.

The completion date is the day of the audit entry that set the action to done (the real clock),
so the later events are dated from it; the pure matching is tested on fixed dates."""

from __future__ import annotations

import datetime as dt

from models.recurrence import Coded, Completed, findings, match

BOTH_BACKENDS = True
DAY = dt.date(2026, 3, 1)


def test_matching_on_fixed_dates():
    done = [Completed(7, 1, "TJC-MED.LASA", DAY, "Separate the vials")]
    coded = [
        Coded(1, "TJC-MED.LASA", "medication", "NICU", dt.date(2026, 1, 10)),
        Coded(2, "TJC-MED.LASA", "medication", "NICU", DAY + dt.timedelta(days=200)),  # yes
        Coded(3, "TJC-MED.LASA", "medication", "NICU", DAY + dt.timedelta(days=366)),  # too late
        Coded(4, "TJC-MED.LASA", "fall", "NICU", DAY + dt.timedelta(days=10)),  # other type
        Coded(5, "TJC-MED.LASA", "medication", "ICU", DAY + dt.timedelta(days=10)),  # other unit
        Coded(6, "TJC-MED.LASA", "medication", "", DAY + dt.timedelta(days=10)),  # no unit: yes
        Coded(8, "LP-TASK", "medication", "NICU", DAY + dt.timedelta(days=10)),  # other code
        Coded(9, "TJC-MED.LASA", "medication", "NICU", DAY - dt.timedelta(days=1)),  # before
    ]
    found = match(done, coded)
    assert [(r.later_id, r.earlier_id, r.action_id) for r in found] == [(2, 1, 7), (6, 1, 7)]
    assert [(r.later_id,) for r in match(done, coded, window_days=400)] == [(2,), (3,), (6,)]
    (finding,) = findings(found[:1], 2)
    (earlier,) = findings(found[:1], 1)
    assert (earlier.code, earlier.subject) == ("L-ACTION-RECURRED", 7)
    assert "followed by investigation #2" in earlier.message
    assert findings(found[:1], 99) == []
    assert finding.code == "L-RECURRED" and finding.severity == "warning"
    assert "investigation #1" in finding.message and "'Separate the vials'" in finding.message
    assert "completed on 2026-03-01" in finding.message


def _event(service, title, *, unit, event_type, day, codes):
    inv = service.create_investigation(title, unit=unit, event_type=event_type, occurred_at=day)
    ev = service.add_cause(inv.id, title, kind="event")
    root = service.add_cause(inv.id, "Vials look alike", kind="root", effect_id=ev.id, codes=codes)
    return inv, root


def test_a_recurrence_is_found_from_the_audit_trail(service):
    earlier, root = _event(
        service,
        "Heparin mix-up 1",
        unit="NICU",
        event_type="medication",
        day=dt.datetime(2025, 1, 5, 9),
        codes=["TJC-MED.LASA"],
    )
    action = service.add_action(earlier.id, "Separate the two strengths", addresses=[root.id])
    assert service.recurrences() == []
    action = service.update_action(action.id, action.version, status="in_progress")
    action = service.update_action(action.id, action.version, status="done")
    done_entry = next(
        e
        for e in service.audit_entries(earlier.id)
        if e.entity == "action" and e.field == "status" and e.new == "done"
    )
    completed = done_entry.at.date()
    later, _ = _event(
        service,
        "Heparin mix-up 2",
        unit="NICU",
        event_type="medication",
        day=dt.datetime.combine(completed + dt.timedelta(days=30), dt.time(8)),
        codes=["TJC-MED.LASA", "TJC-ENV"],
    )
    _event(
        service,
        "A year and more later",
        unit="NICU",
        event_type="medication",
        day=dt.datetime.combine(completed + dt.timedelta(days=400), dt.time(8)),
        codes=["TJC-MED.LASA"],
    )
    _event(
        service,
        "Another unit",
        unit="ICU",
        event_type="medication",
        day=dt.datetime.combine(completed + dt.timedelta(days=30), dt.time(8)),
        codes=["TJC-MED.LASA"],
    )
    (r,) = service.recurrences(later.id, later_only=True)
    assert (r.earlier_id, r.action_id, r.code, r.completed_on) == (
        earlier.id,
        action.id,
        "TJC-MED.LASA",
        completed,
    )
    assert service.recurrences(earlier.id) == [r]  # the earlier action "recurred"
    assert len(service.recurrences()) == 1
    found = [f for f in service.check(later.id) if f.code == "L-RECURRED"]
    assert len(found) == 1 and "Separate the two strengths" in found[0].message
    assert not [f for f in service.check(earlier.id) if f.code == "L-RECURRED"]
    (marked,) = [f for f in service.check(earlier.id) if f.code == "L-ACTION-RECURRED"]
    assert marked.subject == action.id and f"investigation #{later.id}" in marked.message
    data = service.learning(today=completed)
    assert (data.recurred_actions, data.recurred_ids) == (1, (earlier.id,))
