"""The service: each edit validated, written in one transaction with its audit entries."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from models.errors import ConflictError, NotFoundError, ValidationError
from models.service import Service
from models.vocab import NccMerp

#: Each test runs on a SQLite file and on a PostgreSQL server (see conftest).
BOTH_BACKENDS = True


def audit_rows(service: Service, investigation_id: int):
    return [
        (e.entity, e.action, e.field, e.old, e.new) for e in service.audit_entries(investigation_id)
    ]


def test_create_investigation_scores_and_audits(service):
    inv = service.create_investigation(
        "  Insulin 10x overdose  ",
        report_type="incident",
        harm="severe",
        severity_actual="major",
        severity_potential="catastrophic",
        probability="occasional",
        occurred_at="2026-11-03 14:20",
    )
    assert inv.title == "Insulin 10x overdose"
    # An incident counts the higher score: catastrophic potential x occasional = 3, although
    # the actual severity alone (major x occasional) gives 2.
    assert inv.sac_score == 3
    assert inv.sentinel is True  # severe harm that reached the patient
    assert inv.occurred_at == dt.datetime(2026, 11, 3, 14, 20)
    assert inv.created_by == "alice"
    rows = audit_rows(service, inv.id)
    assert rows[0] == ("investigation", "create", None, None, "Insulin 10x overdose")
    assert ("investigation", "update", "harm", None, "severe") in rows


def test_near_miss_is_scored_on_potential_severity(service):
    inv = service.create_investigation(
        "Look-alike vials caught at the bedside",
        report_type="near_miss",
        severity_actual="minor",
        severity_potential="catastrophic",
        probability="remote",
    )
    assert inv.sac_score == 3
    assert inv.sentinel is False


def test_incident_is_scored_on_the_higher_severity(service):
    inv = service.create_investigation(
        "Wrong-patient procedure stopped late",
        report_type="incident",
        severity_actual="minor",
        probability="remote",
    )
    assert inv.sac_score == 1
    inv = service.update_investigation(inv.id, inv.version, severity_potential="catastrophic")
    assert inv.sac_score == 3
    assert service.list_investigations()[0].sac_score == 3  # the home list reads it too
    inv = service.update_investigation(inv.id, inv.version, severity_potential=None)
    assert inv.sac_score == 1


@pytest.mark.parametrize("category", list("ABCDEFGHI"))
def test_every_ncc_merp_category_is_stored(service, category):
    inv = service.create_investigation("Insulin", event_type="medication", ncc_merp=category)
    assert inv.ncc_merp == category
    other = "A" if category != "A" else "I"
    inv = service.update_investigation(inv.id, inv.version, ncc_merp=other)
    assert inv.ncc_merp == other
    # in lower case, and by its label, as people may type it
    inv = service.update_investigation(inv.id, inv.version, ncc_merp=category.lower())
    assert inv.ncc_merp == category
    inv = service.update_investigation(inv.id, inv.version, ncc_merp=None)
    label = NccMerp(category).label
    assert service.update_investigation(inv.id, inv.version, ncc_merp=label).ncc_merp == category


def test_sentinel_default_reads_ncc_merp_and_report_type(service):
    death = service.create_investigation("Opioid overdose", report_type="incident", ncc_merp="I")
    assert death.sentinel is True
    caught = service.create_investigation("Caught", report_type="near_miss", harm="death")
    assert caught.sentinel is False
    asked = service.create_investigation("By hand", harm="death", sentinel=False)
    assert asked.sentinel is False  # an explicit answer wins


def test_score_follows_every_edit(service):
    inv = service.create_investigation("Fall", severity_actual="minor", probability="frequent")
    assert inv.sac_score == 1
    inv = service.update_investigation(inv.id, inv.version, severity_actual="moderate")
    assert inv.sac_score == 2
    inv = service.update_investigation(inv.id, inv.version, probability=None)
    assert inv.sac_score is None


def test_update_writes_one_audit_entry_per_changed_field(service):
    inv = service.create_investigation("Fall", unit="4W")
    before = len(service.audit_entries(inv.id))
    inv2 = service.update_investigation(inv.id, inv.version, unit="5E", title="Fall", harm="mild")
    entries = service.audit_entries(inv.id)[before:]
    assert [(e.field, e.old, e.new) for e in entries] == [
        ("unit", "4W", "5E"),
        ("harm", None, "mild"),
    ]
    assert all(e.user == "alice" for e in entries)
    assert inv2.version == inv.version + 1


def test_no_change_writes_nothing(service):
    inv = service.create_investigation("Fall", unit="4W")
    before = len(service.audit_entries())
    again = service.update_investigation(inv.id, inv.version, unit="4W")
    assert again.version == inv.version
    assert len(service.audit_entries()) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "   "}, "title: is required"),
        ({"harm": "catastrophic"}, "harm: 'catastrophic' is not one of"),
        ({"occurred_at": "31/02/2026"}, "occurred at: '31/02/2026' is not a date"),
        ({"description": "x" * 1_000_001}, "too long"),
        ({"status": None}, "status: is required"),
        ({"colour": "red"}, "colour: is not a field"),
        ({"title": "a\ud800b"}, "cannot be stored"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(service, changes, message):
    inv = service.create_investigation("Original", unit="4W")
    before = len(service.audit_entries())
    with pytest.raises(ValidationError, match=message):
        service.update_investigation(inv.id, inv.version, **changes)
    assert service.get_investigation(inv.id) == inv
    assert len(service.audit_entries()) == before


def test_labels_are_accepted_for_fixed_lists(service):
    inv = service.create_investigation("x", harm="Severe harm", event_type="FALL")
    assert (inv.harm, inv.event_type) == ("severe", "fall")


def test_markup_and_odd_text_is_stored_exactly(service):
    weird = "[bold]x[/] [/] \x1b[31mred\x1b[0m 🙂 患者 \t tab"
    inv = service.create_investigation(weird, description=weird)
    cause = service.add_cause(inv.id, weird, kind="event")
    assert service.get_investigation(inv.id).description == weird
    assert service.get_cause(cause.id).text == weird


def test_stale_write_is_a_conflict_not_an_overwrite(service, person):
    """Two sessions (two connections, as two processes would have) edit one investigation."""

    other = person(service, "bob")
    inv = service.create_investigation("Shared", unit="4W")
    seen_by_bob = other.get_investigation(inv.id)
    service.update_investigation(inv.id, inv.version, unit="5E")
    with pytest.raises(ConflictError, match="changed by alice") as info:
        other.update_investigation(seen_by_bob.id, seen_by_bob.version, unit="ICU")
    assert "reload" in info.value.message
    assert service.get_investigation(inv.id).unit == "5E"
    # After reloading, bob's edit goes through.
    fresh = other.get_investigation(inv.id)
    assert other.update_investigation(fresh.id, fresh.version, unit="ICU").unit == "ICU"
    other.db.dispose()


def test_stale_cause_edit_is_a_conflict(service):
    inv = service.create_investigation("x")
    cause = service.add_cause(inv.id, "Alarm off")
    service.update_cause(cause.id, cause.version, text="Alarm silenced")
    with pytest.raises(ConflictError):
        service.update_cause(cause.id, cause.version, text="Alarm disabled")
    assert service.get_cause(cause.id).text == "Alarm silenced"


def test_conflict_between_two_processes(url_for, service):
    """A real second process edits first; our stale edit is refused."""
    import subprocess
    import sys
    import textwrap

    inv = service.create_investigation("Shared", unit="4W")
    script = textwrap.dedent(
        f"""
        from models.service import open_service
        svc = open_service({url_for("bob")!r}, user="bob")
        inv = svc.get_investigation({inv.id})
        svc.update_investigation(inv.id, inv.version, unit="from bob")
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    with pytest.raises(ConflictError, match="bob"):
        service.update_investigation(inv.id, inv.version, unit="from alice")
    assert service.get_investigation(inv.id).unit == "from bob"


def test_missing_records_are_named(service):
    with pytest.raises(NotFoundError, match="no investigation with id 42"):
        service.get_investigation(42)
    with pytest.raises(NotFoundError, match="no cause with id 7"):
        service.update_cause(7, 1, text="x")


def test_team_timeline_and_actions_round_out(service, person):
    inv = service.create_investigation("x")
    m = service.add_member(inv.id, "Alex Morgan", role="facilitator")
    service.add_member(inv.id, "Pat Kim", role="Patient representative")
    assert [x.name for x in service.list_team(inv.id)] == ["Alex Morgan", "Pat Kim"]
    service.update_member(m.id, m.version, involved=True)
    assert service.list_team(inv.id)[0].involved is True

    first = service.add_entry(inv.id, at="2026-11-03 14:00", happened="Dose drawn up")
    second = service.add_entry(inv.id, at="2026-11-03 14:20", happened="Dose given")
    order = service.move_entry(second.id, -1)
    assert [e.id for e in order] == [second.id, first.id]
    with pytest.raises(ValidationError, match="what happened"):
        service.add_entry(inv.id, happened="  ")

    root = service.add_cause(inv.id, "No independent double check", kind="root")
    action = service.add_action(
        inv.id,
        "Smart pumps with dose limits",
        addresses=[root.id],
        strength="stronger",
        owner="Dana Whitfield",
        due="2027-01-15",
        measure={"kind": "process", "what": "Infusions through the library", "target": "95%"},
    )
    assert action.addresses == (root.id,)
    assert action.measure.target == "95%"
    # The author may not concur with her own action; a reviewer (bob, as Dr Bob) may.
    from models.review import DutiesError

    with pytest.raises(DutiesError, match="alice wrote its actions"):
        service.update_action(action.id, action.version, concurrence="concur")
    service.add_user("bob", "reviewer")
    bob = person(service, "bob", "Dr Bob")
    action = bob.update_action(action.id, action.version, concurrence="concur")
    assert (action.concurrence_by, action.concurrence_name) == ("bob", "Dr Bob")
    with pytest.raises(ValidationError, match="no cause with id 999"):
        service.add_action(inv.id, "x", addresses=[999])


def test_deleting_a_cause_removes_its_links_and_is_audited(service):
    inv = service.create_investigation("x")
    event = service.add_cause(inv.id, "Fall", kind="event")
    a = service.add_cause(inv.id, "Alarm off", effect_id=event.id)
    b = service.add_cause(inv.id, "No re-arm", effect_id=a.id)
    service.delete_cause(a.id)
    assert service.list_links(inv.id) == []
    assert service.graph(inv.id).disconnected() == [b.id]
    deleted = [(e.entity, e.action) for e in service.audit_entries(inv.id) if e.action == "delete"]
    assert deleted == [("causal_link", "delete"), ("causal_link", "delete"), ("cause", "delete")]


@pytest.mark.sqlite_only
def test_audit_entries_cannot_be_changed_through_sql(service, db_path):
    service.create_investigation("x")
    con = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.DatabaseError, match="never changed"):
        con.execute("UPDATE audit_entry SET user = 'mallory'")
    with pytest.raises(sqlite3.DatabaseError, match="never changed"):
        con.execute("DELETE FROM audit_entry")
    con.close()


def _tamper(db_path, sql: str) -> None:
    """What someone with the file and the sqlite3 shell could do, triggers and all."""
    con = sqlite3.connect(db_path)
    con.execute("DROP TRIGGER audit_entry_no_update")
    con.execute("DROP TRIGGER audit_entry_no_delete")
    con.execute(sql)
    con.commit()
    con.close()


@pytest.mark.sqlite_only
def test_audit_chain_verifies_and_catches_an_edited_entry(service, db_path):
    inv = service.create_investigation("x", unit="4W")
    service.update_investigation(inv.id, inv.version, unit="5E")
    assert service.verify_audit() is None
    _tamper(db_path, "UPDATE audit_entry SET new = '6N' WHERE field = 'unit' AND new = '5E'")
    problem = service.verify_audit()
    assert problem is not None
    assert "altered" in problem.message


@pytest.mark.sqlite_only
def test_audit_chain_catches_a_removed_entry(service, db_path):
    inv = service.create_investigation("x", unit="4W")
    for unit in ("5E", "6N", "ICU"):
        inv = service.update_investigation(inv.id, inv.version, unit=unit)
    _tamper(db_path, "DELETE FROM audit_entry WHERE new = '6N'")
    problem = service.verify_audit()
    assert problem is not None
    assert "missing" in problem.message


def test_audit_survives_deleting_the_investigation(service):
    inv = service.create_investigation("Deleted later")
    service.add_cause(inv.id, "c")
    service.delete_investigation(inv.id)
    with pytest.raises(NotFoundError):
        service.get_investigation(inv.id)
    actions = [e.action for e in service.audit_entries(inv.id)]
    assert actions[0] == "create" and actions[-1] == "delete"
    assert service.verify_audit() is None


def test_returned_objects_are_plain_and_frozen(service):
    import dataclasses

    inv = service.create_investigation("x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        inv.title = "y"  # type: ignore[misc]
    service.db.dispose()
    assert inv.title == "x"  # usable after the database is closed


def test_a_fresh_service_in_a_fresh_process_reads_causes_first(db_url, service):
    """The ORM is loaded on first use, whatever the first call is (it once raised NameError)."""
    import subprocess
    import sys

    inv = service.create_investigation("Fall")
    service.add_cause(inv.id, "Bed alarm off")
    code = (
        "import sys; from models.db import open_database; from models.service import Service;"
        f"s = Service(open_database({db_url!r}), 'bob');"
        f"print([c.text for c in s.list_causes({inv.id})])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['Bed alarm off']"


def test_the_cause_view_is_one_read_and_agrees_with_itself(service):
    from sqlalchemy import event

    inv = service.create_investigation("Fall")
    event_ = service.add_cause(inv.id, "Patient fell", kind="event")
    alarm = service.add_cause(inv.id, "Bed alarm off", effect_id=event_.id, category="Equipment")
    service.cause_view(inv.id)  # warm the graph cache
    begun = []
    listener = lambda conn: begun.append(conn)  # noqa: E731
    event.listen(service.db.engine, "begin", listener)
    try:
        view = service.cause_view(inv.id)
    finally:
        event.remove(service.db.engine, "begin", listener)
    assert len(begun) == 1  # one transaction, one snapshot
    assert view.investigation.title == "Fall"
    assert [c.id for c in view.causes] == [event_.id, alarm.id]
    assert [(lk.cause_id, lk.effect_id) for lk in view.links] == [(alarm.id, event_.id)]
    assert set(view.graph.g.nodes) == {c.id for c in view.causes}
    assert "Equipment" in view.categories


def test_a_cause_edit_of_several_fields_is_audited_field_by_field(service, person):
    inv = service.create_investigation("Fall")
    cause = service.add_cause(inv.id, "Alarm off")
    before = len(service.audit_entries(inv.id))
    saved = service.update_cause(cause.id, cause.version, text="Alarm muted", kind="root")
    assert (saved.text, saved.kind, saved.version) == ("Alarm muted", "root", cause.version + 1)
    assert service.get_cause(cause.id) == saved
    new = service.audit_entries(inv.id)[before:]
    updates = [(e.entity, e.entity_id, e.action, e.field, e.old, e.new) for e in new]
    assert updates == [
        ("cause", cause.id, "update", "text", "Alarm off", "Alarm muted"),
        ("cause", cause.id, "update", "kind", "cause", "root"),
    ]
    assert service.verify_audit() is None
    # Nothing changed: no entry, no new version.
    assert service.update_cause(cause.id, saved.version, text="Alarm muted") == saved
    assert len(service.audit_entries(inv.id)) == before + 2
    # The graph the next edits check links against has the new kind.
    assert service.graph(inv.id).g.nodes[cause.id]["kind"] == "root"
    # Someone else's later edit is never overwritten from the old version; it names them.
    service.add_user("bob", "investigator")
    bob = person(service, "bob")
    bobs = bob.update_cause(cause.id, saved.version, text="Alarm muted at night")
    with pytest.raises(ConflictError, match="bob"):
        service.update_cause(cause.id, saved.version, text="Mine")
    assert service.get_cause(cause.id) == bobs


def test_a_cause_of_an_approved_investigation_cannot_be_edited(service, person):
    from models.demo import add_demo
    from models.review import FrozenError

    service.add_user("rita", "reviewer")
    service.add_user("ivan", "investigator")
    ivan, rita = person(service, "ivan"), person(service, "rita")
    inv = ivan.get_investigation(add_demo(ivan).id)
    cause = ivan.list_causes(inv.id)[-1]
    inv = ivan.submit_for_review(inv.id, inv.version)
    for a in rita.list_actions(inv.id):
        rita.record_concurrence(a.id, a.version, "concur")
    rita.approve(inv.id, inv.version, "Strong plan")
    with pytest.raises(FrozenError, match="approved"):
        ivan.update_cause(cause.id, cause.version, text="Too late")
    assert ivan.get_cause(cause.id) == cause
