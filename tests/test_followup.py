"""Follow-up after approval, through the service with a fixed today: implementation, results
against the target, the verdict by the owner or a reviewer, closing refused then allowed, and
every other write on an approved investigation still refused. SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

import pytest

from models.demo import add_demo
from models.errors import ValidationError
from models.review import FrozenError, RoleError, TransitionError

BOTH_BACKENDS = True


@pytest.fixture
def people(service, person):
    """alice (admin), rita (reviewer), ivan (investigator), nurse1 (owns one action)."""
    service.add_user("rita", "reviewer")
    service.add_user("ivan", "investigator")
    return {
        "alice": service,
        "rita": person(service, "rita"),
        "ivan": person(service, "ivan"),
        "nurse1": person(service, "nurse1"),
    }


@pytest.fixture
def approved(people):
    """The demo investigation, written by ivan, its first action owned by nurse1, approved by
    rita; (investigation, actions)."""
    ivan, rita = people["ivan"], people["rita"]
    inv = add_demo(ivan)
    first = ivan.list_actions(inv.id)[0]
    ivan.update_action(first.id, first.version, owner="nurse1")
    inv = ivan.submit_for_review(inv.id, ivan.get_investigation(inv.id).version)
    for a in rita.list_actions(inv.id):
        rita.record_concurrence(a.id, a.version, "concur")
    inv = rita.approve(inv.id, inv.version, "Strong plan")
    return inv, rita.list_actions(inv.id)


def codes(service, inv_id, today):
    return [(f.code, f.subject) for f in service.check(inv_id, today=today) if f.code[:2] == "F-"]


def test_follow_up_is_accepted_while_every_other_write_is_refused(people, approved):
    inv, actions = approved
    ivan = people["ivan"]
    a = actions[1]
    done = a.due - dt.timedelta(days=2)
    a = ivan.record_implementation(
        a.id, a.version, started_on=done - dt.timedelta(days=5), done_on=done, today=done
    )
    assert (a.started_on, a.done_on, a.status) == (done - dt.timedelta(days=5), done, "done")
    m = ivan.add_measurement(a.id, taken_on=done, numerator=47, denominator=50, today=done)
    assert (m.result, m.shown, m.entered_by) == (94.0, "94% (47/50)", "ivan")
    after = ivan.get_investigation(inv.id)
    assert after.status == "approved"  # nothing reopened it
    refused = {
        "edit the action": lambda: ivan.update_action(a.id, a.version, status="done"),
        "add an action": lambda: ivan.add_action(inv.id, "Another"),
        "delete the action": lambda: ivan.delete_action(a.id),
        "edit the investigation": lambda: ivan.update_investigation(inv.id, None, unit="4W"),
        "add a member": lambda: ivan.add_member(inv.id, "Late member"),
        "add a cause": lambda: ivan.add_cause(inv.id, "Another cause"),
    }
    for what, call in refused.items():
        before = len(ivan.audit_entries(inv.id))
        with pytest.raises(FrozenError, match="read-only: approved"):
            call()
        assert len(ivan.audit_entries(inv.id)) == before, what
    trail = [(e.entity, e.field, e.user) for e in ivan.audit_entries(inv.id)[-10:]]
    assert ("action", "done_on", "ivan") in trail
    assert ("measurement", None, "ivan") in trail
    # The trail still says what the rows hold.
    assert ivan.audit_check().problem is None


def test_follow_up_waits_for_approval_and_ends_with_closing(people):
    ivan = people["ivan"]
    inv = add_demo(ivan)
    a = ivan.list_actions(inv.id)[0]
    with pytest.raises(TransitionError, match="once the investigation is approved"):
        ivan.add_measurement(a.id, taken_on="2026-01-01", value=1)
    with pytest.raises(TransitionError, match="once the investigation is approved"):
        ivan.record_implementation(a.id, a.version, done_on="2026-01-01")


def test_measures_falling_due(people, approved):
    inv, actions = approved
    a = actions[1]
    on = a.measure.date
    assert ("F-MEASURE-DUE", a.id) not in codes(people["ivan"], inv.id, on)
    found = people["ivan"].check(inv.id, today=on + dt.timedelta(days=3))
    due = next(f for f in found if f.code == "F-MEASURE-DUE" and f.subject == a.id)
    assert f"to be measured on {on.isoformat()} (3 days ago)" in due.message
    people["ivan"].add_measurement(a.id, taken_on=on, value=96, today=on)
    assert ("F-MEASURE-DUE", a.id) not in codes(people["ivan"], inv.id, on + dt.timedelta(days=3))


def test_target_missed_twice_in_a_row_proposes_a_reopen(people, approved):
    inv, actions = approved
    ivan = people["ivan"]
    a = actions[1]  # target 95%
    on = a.measure.date
    later = on + dt.timedelta(days=30)
    ivan.add_measurement(a.id, taken_on=on, numerator=40, denominator=50, today=later)
    assert ("F-TARGET-MISSED", a.id) not in codes(ivan, inv.id, later)
    ivan.add_measurement(a.id, taken_on=later, value="85", today=later)
    missed = [f for f in ivan.check(inv.id, today=later) if f.code == "F-TARGET-MISSED"]
    assert [f.subject for f in missed] == [a.id]
    assert "80% (40/50) on " + on.isoformat() in missed[0].message
    assert "85 on " + later.isoformat() in missed[0].message
    assert "reviewer may reopen" in missed[0].message
    # A third result that meets the target ends it.
    ivan.add_measurement(a.id, taken_on=later, value=97, today=later)
    assert ("F-TARGET-MISSED", a.id) not in codes(ivan, inv.id, later)


def test_the_verdict_is_the_owners_or_a_reviewers(people, approved):
    _, actions = approved
    owned, other = actions[0], actions[1]
    with pytest.raises(RoleError, match="Only a reviewer or an admin can give the verdict"):
        people["ivan"].record_effectiveness(owned.id, owned.version, "effective")
    with pytest.raises(RoleError, match="do not own"):
        people["nurse1"].record_effectiveness(other.id, other.version, "effective")
    a = people["nurse1"].record_effectiveness(owned.id, owned.version, "effective", "100% re-arm")
    assert (a.effectiveness, a.effectiveness_by, a.status) == (
        "effective",
        "nurse1",
        "verified_effective",
    )
    with pytest.raises(ValidationError, match="note: is required"):
        people["rita"].record_effectiveness(other.id, other.version, "not_effective")
    b = people["rita"].record_effectiveness(other.id, other.version, "not_effective", "Missed")
    assert (b.effectiveness, b.status) == ("not_effective", "not_effective")
    b = people["rita"].record_effectiveness(b.id, b.version, "pending")
    assert (b.effectiveness, b.status) == ("pending", "open")


def test_closing_is_refused_until_every_action_is_resolved(people, approved):
    inv, actions = approved
    rita = people["rita"]
    with pytest.raises(ValidationError, match=f"Cannot close: {len(actions)} actions not"):
        rita.close(inv.id, inv.version)
    today = actions[0].due
    assert ("F-CLOSE-BLOCKED", inv.id) in codes(rita, inv.id, today)
    for a in actions[:-1]:
        rita.record_effectiveness(a.id, a.version, "effective")
    last = actions[-1]
    with pytest.raises(RoleError):
        people["ivan"].close_action(last.id, last.version, "Superseded")
    with pytest.raises(ValidationError, match="reason: is required"):
        rita.close_action(last.id, last.version, "  ")
    with pytest.raises(ValidationError, match="Cannot close: 1 action not"):
        rita.close(inv.id, inv.version)
    closed = rita.close_action(last.id, last.version, "Replaced by the new bed contract")
    assert (closed.closed_by, closed.resolved) == ("rita", True)
    assert ("F-CLOSE-BLOCKED", inv.id) not in codes(rita, inv.id, today)
    done = rita.close(inv.id, rita.get_investigation(inv.id).version, "Follow-up complete")
    assert done.status == "closed"
    with pytest.raises(FrozenError, match="read-only: closed"):
        rita.add_measurement(last.id, taken_on=today, value=1, today=today)
    assert rita.audit_check().problem is None


def test_results_are_checked(people, approved):
    inv, actions = approved
    a, ivan = actions[1], people["ivan"]
    on = a.measure.date
    bad = [
        ({"value": None}, "value: is required"),
        ({"numerator": 3}, "give both"),
        ({"numerator": 3, "denominator": 0}, "more than 0"),
        ({"numerator": 5, "denominator": 4}, "more than the denominator"),
        ({"value": "lots"}, "not a number"),
        ({"value": 1, "taken_on": on + dt.timedelta(days=1)}, "in the future"),
    ]
    for fields, message in bad:
        with pytest.raises(ValidationError, match=message):
            ivan.add_measurement(a.id, **{"taken_on": on, **fields}, today=on)
    with pytest.raises(ValidationError, match="before the day it was started"):
        ivan.record_implementation(
            a.id, a.version, started_on=on, done_on=on - dt.timedelta(1), today=on
        )
    assert ivan.list_measurements(inv.id) == []


def test_reporter_feedback_after_approval(people, approved):
    inv, _ = approved
    today = inv.updated_at.date()
    assert ("F-NO-FEEDBACK", inv.id) in codes(people["ivan"], inv.id, today)
    fb = people["ivan"].add_feedback(
        inv.id, audience="reporter", given_on=today, given_by="Ivan", method="in person"
    )
    assert fb.method == "in person"
    assert ("F-NO-FEEDBACK", inv.id) not in codes(people["ivan"], inv.id, today)


def test_the_tracker_lists_open_actions_everywhere(people, approved):
    inv, actions = approved
    rita = people["rita"]
    draft = add_demo(people["ivan"])
    rita.record_effectiveness(actions[0].id, actions[0].version, "effective")
    late = actions[1].due + dt.timedelta(days=4)
    rows = rita.tracker(today=late)
    mine = [t for t in rows if t.investigation_id == inv.id]
    assert actions[0].id not in [t.action.id for t in mine]  # verified effective: done with
    row = next(t for t in mine if t.action.id == actions[1].id)
    assert (row.overdue, row.days_overdue, row.next_measure_due) == (
        True,
        4,
        actions[1].measure.date,
    )
    assert {t.investigation_id for t in rows} == {inv.id, draft.id}
    assert [t.action.due for t in rows] == sorted(t.action.due for t in rows)
    # Done is not overdue.
    a = actions[1]
    rita.record_implementation(a.id, a.version, done_on=late, today=late)
    row = next(t for t in rita.tracker(today=late) if t.action.id == a.id)
    assert (row.overdue, row.days_overdue) == (False, None)


def test_the_interchange_file_carries_follow_up_but_no_authority(people, approved):
    """rca-tui/2: dates and results arrive as facts (marked imported); the verdict and a
    reviewer's closure arrive as history, so the copy is not resolved and cannot be closed."""
    inv, actions = approved
    rita = people["rita"]
    a, b = actions[1], actions[2]
    on = a.measure.date
    rita.record_implementation(a.id, a.version, done_on=a.due, today=on)
    rita.add_measurement(a.id, taken_on=on, numerator=48, denominator=50, note="Audit", today=on)
    rita.record_effectiveness(a.id, None, "effective", "Over target")
    rita.close_action(b.id, b.version, "Superseded")
    rita.add_feedback(inv.id, audience="reporter", given_on=on, method="by phone")
    doc = rita.export_document(inv.id)
    assert doc["format"] == "rca-tui/2"
    exported = doc["actions"][1]
    assert (exported["effectiveness"], exported["done_on"]) == ("effective", a.due.isoformat())
    assert exported["measurements"] == [
        {
            "taken_on": on.isoformat(),
            "value": None,
            "numerator": 48,
            "denominator": 50,
            "note": "Audit",
            "entered_by": "rita",
        }
    ]
    copy = people["ivan"].import_document(doc)
    assert copy.status == "action_plan"
    got = people["ivan"].list_actions(copy.id)
    assert (got[1].done_on, got[1].effectiveness, got[1].resolved) == (a.due, None, False)
    assert got[1].imported_followup == "effective (rita): Over target"
    assert (got[2].closed_reason, got[2].imported_followup) == ("", "closed by rita: Superseded")
    (m,) = people["ivan"].list_measurements(copy.id)
    assert (m.numerator, m.denominator, m.imported, m.entered_by) == (48, 50, True, "rita")
    assert [f.method for f in people["ivan"].dossier(copy.id).feedback][-1] == "by phone"
    assert people["ivan"].audit_check().problem is None
    # An rca-tui/1 file (no follow-up) is still read.
    old = {**doc, "format": "rca-tui/1", "actions": [], "feedback": []}
    assert people["ivan"].import_document(old).title == inv.title


def test_a_date_not_given_is_kept_and_none_clears_it(people, approved):
    _, actions = approved
    ivan, a = people["ivan"], actions[1]
    start = a.due - dt.timedelta(days=9)
    a = ivan.record_implementation(a.id, a.version, started_on=start, today=a.due)
    assert (a.started_on, a.done_on, a.status) == (start, None, "in_progress")
    a = ivan.record_implementation(a.id, a.version, done_on=a.due, today=a.due)
    assert (a.started_on, a.done_on, a.status) == (start, a.due, "done")
    a = ivan.record_implementation(a.id, a.version, done_on=None, today=a.due)
    assert (a.started_on, a.done_on, a.status) == (start, None, "in_progress")
    with pytest.raises(ValidationError, match="before the day it was started"):
        ivan.record_implementation(a.id, a.version, done_on=start - dt.timedelta(1), today=a.due)
