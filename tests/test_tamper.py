"""Tampering that `rca audit verify` must catch, done as someone with the file and the sqlite3
shell (or a superuser on the server) would: triggers dropped first, then entries cut from the
end, all removed, reordered, the triggers left dropped, and data changed with no audit entry.
Also separation of duties and the heads printed in reports.
"""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from models.audit import Anchor
from models.demo import add_demo
from models.errors import ValidationError
from models.review import DutiesError, RoleError
from models.service import Service, open_service
from rca_tui.cli import cli


def _sql(db_path, *statements: str) -> None:
    con = sqlite3.connect(db_path)
    con.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
    con.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
    for statement in statements:
        con.execute(statement)
    con.commit()
    con.close()


def _restore_triggers(db_path) -> None:
    """Put the triggers back, as a careful forger would, so only the cut itself can show."""
    con = sqlite3.connect(db_path)
    for verb in ("UPDATE", "DELETE"):
        con.execute(
            f"CREATE TRIGGER audit_entry_no_{verb.lower()} BEFORE {verb} ON audit_entry "
            "BEGIN SELECT RAISE(ABORT, 'audit entries are never changed or removed'); END"
        )
    con.commit()
    con.close()


@pytest.fixture
def trail(service, demo_id):
    service.add_cause(demo_id, "Night staffing below plan")
    assert service.verify_audit() is None
    return service


def _last_seq(db_path) -> int:
    con = sqlite3.connect(db_path)
    try:
        return con.execute("SELECT max(seq) FROM audit_entry").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("cut", [1, 8])
def test_cutting_the_newest_entries_is_caught(trail, db_path, cut):
    last = _last_seq(db_path)
    _sql(db_path, f"DELETE FROM audit_entry WHERE seq > {last - cut}")
    _restore_triggers(db_path)
    problem = trail.verify_audit()
    assert problem is not None
    assert "missing from the end of the trail" in problem.message
    assert f"recorded entry {last}" in problem.message and "checkpoint" in problem.message


def test_removing_every_entry_is_caught(trail, db_path):
    _sql(db_path, "DELETE FROM audit_entry")
    _restore_triggers(db_path)
    problem = trail.verify_audit()
    assert problem is not None and "every audit entry was removed" in problem.message


def test_reordering_entries_is_caught(trail, db_path):
    _sql(
        db_path,
        "UPDATE audit_entry SET seq = -1 WHERE seq = 3",
        "UPDATE audit_entry SET seq = 3 WHERE seq = 4",
        "UPDATE audit_entry SET seq = 4 WHERE seq = -1",
    )
    _restore_triggers(db_path)
    problem = trail.verify_audit()
    assert problem is not None and problem.seq == 3


def test_dropped_triggers_are_caught(trail, db_path):
    _sql(db_path)  # drops them and does nothing else
    problem = trail.verify_audit()
    assert problem is not None
    assert "append-only triggers were removed" in problem.message
    assert "audit_entry_no_delete" in problem.message


def test_a_cause_changed_without_an_audit_entry_is_caught(trail, db_path, demo_id):
    cause = trail.list_causes(demo_id)[-1]
    con = sqlite3.connect(db_path)
    con.execute("UPDATE cause SET text = 'Staffing was fine' WHERE id = ?", (cause.id,))
    con.commit()
    con.close()
    problem = trail.verify_audit()
    assert problem is not None
    assert problem.message.startswith(f"cause {cause.id}: text was changed outside the app")
    assert "'Night staffing below plan'" in problem.message


def test_a_field_never_set_through_the_app_is_caught(trail, db_path, demo_id):
    """A field at its default when the record was made has no entry: it must stay so."""
    cause = trail.list_causes(demo_id)[-1]
    con = sqlite3.connect(db_path)
    con.execute("UPDATE cause SET evidence = 'Rota shows two RNs' WHERE id = ?", (cause.id,))
    con.commit()
    con.close()
    problem = trail.verify_audit()
    assert problem is not None
    assert f"cause {cause.id}: evidence was changed outside the app" in problem.message


def test_rows_added_or_removed_without_an_audit_entry_are_caught(service, db_path, demo_id):
    con = sqlite3.connect(db_path)
    con.execute(
        "INSERT INTO team_member (investigation_id, name, role, involved, position, version)"
        f" VALUES ({demo_id}, 'Ghost', 'other', 0, 99, 1)"
    )
    con.commit()
    con.close()
    problem = service.verify_audit()
    assert problem is not None and "added outside the app" in problem.message

    other = open_service(db_path.with_name("other.db"), user="alice")
    inv = add_demo(other)
    member = other.list_team(inv.id)[0]
    other.db.dispose()
    con = sqlite3.connect(db_path.with_name("other.db"))
    con.execute("DELETE FROM team_member WHERE id = ?", (member.id,))
    con.commit()
    con.close()
    other = open_service(db_path.with_name("other.db"), user="alice")
    problem = other.verify_audit()
    assert problem is not None
    assert problem.message == f"team member {member.id} was removed outside the app"
    other.db.dispose()


def test_a_link_added_outside_the_app_is_caught(trail, db_path, demo_id):
    a, b = trail.list_causes(demo_id)[-2:]
    con = sqlite3.connect(db_path)
    con.execute(
        "INSERT INTO causal_link (investigation_id, cause_id, effect_id) VALUES (?, ?, ?)",
        (demo_id, b.id, a.id),
    )
    con.commit()
    con.close()
    problem = trail.verify_audit()
    assert problem is not None
    assert problem.message.startswith(f"link {b.id}->{a.id} is in the database with no audit")


def test_a_sign_off_holds_the_head_when_the_checkpoint_is_gone(db_path, tmp_path, monkeypatch):
    """Cut entries from the end of a trail whose checkpoint file was also deleted: the head the
    approval recorded still shows the cut."""
    admin = open_service(db_path, user="alice")
    admin.add_user("rita", "reviewer")
    inv = add_demo(admin)
    inv = admin.submit_for_review(inv.id, inv.version)
    rita = Service(admin.db, "rita")
    for a in rita.list_actions(inv.id):
        rita.record_concurrence(a.id, a.version, "concur")
    approved = rita.approve(inv.id, inv.version, "Plan is sound")
    (signoff,) = [s for s in rita.dossier(approved.id).signoffs if s.decision == "approved"]
    assert signoff.chain_seq is not None and signoff.login == "rita"
    admin.db.dispose()
    monkeypatch.setenv("RCA_STATE", str(tmp_path / "no-checkpoint-here"))
    _sql(db_path, f"DELETE FROM audit_entry WHERE seq > {signoff.chain_seq - 2}")
    _restore_triggers(db_path)
    fresh = open_service(db_path, user="alice")
    problem = fresh.verify_audit()
    assert problem is not None and "the sign-off of" in problem.message
    fresh.db.dispose()


def test_the_head_printed_in_a_report_is_checked_with_expect(db_path, tmp_path, monkeypatch):
    runner = CliRunner()
    base = ["--db", str(db_path), "--user", "alice"]
    assert runner.invoke(cli, [*base, "demo"]).exit_code == 0
    md = runner.invoke(cli, [*base, "export", "1", "--format", "md"]).output
    head = md.split("audit trail at entry ", 1)[1].split()[0:3]
    seq, digest = head[0].rstrip(","), head[2]
    ok = runner.invoke(cli, [*base, "audit", "verify", "--expect", f"{seq}:{digest}"])
    assert ok.exit_code == 0, ok.output
    assert "Audit trail intact" in ok.output
    monkeypatch.setenv("RCA_STATE", str(tmp_path / "no-checkpoint-here"))
    _sql(db_path, f"DELETE FROM audit_entry WHERE seq > {int(seq) - 3}")
    _restore_triggers(db_path)
    # Without the report's head, the cut shows only as data the trail no longer accounts for.
    plain = runner.invoke(cli, [*base, "audit", "verify"])
    assert plain.exit_code == 1 and "outside the app" in plain.output
    cut = runner.invoke(cli, [*base, "audit", "verify", "--expect", f"{seq}:{digest}"])
    assert cut.exit_code == 1
    assert f"--expect {seq} recorded entry {seq}" in cut.output
    bad = runner.invoke(cli, [*base, "audit", "verify", "--expect", "12:xyz"])
    assert bad.exit_code == 1 and "give ENTRY:HASH" in bad.output


def test_anchors_are_checked_by_the_chain_walk_alone():
    import dataclasses
    import datetime as dt

    from models import audit

    @dataclasses.dataclass
    class Row:
        id: int
        seq: int
        hash: str = ""
        prev_hash: str = ""
        at: dt.datetime = dt.datetime(2026, 12, 1, 9, 0)
        user: str = "alice"
        investigation_id: int | None = 1
        entity: str = "cause"
        entity_id: int | None = 1
        action: str = "update"
        field: str | None = "text"
        old: str | None = None
        new: str | None = "x"
        display_name: str | None = "alice"

    rows, prev = [], audit.GENESIS
    for i in (1, 2, 3):
        row = Row(i, i, prev_hash=prev, new=f"v{i}")
        fields = {k: v for k, v in dataclasses.asdict(row).items() if k not in ("id", "hash")}
        row.hash = prev = audit.entry_hash(**fields)
        rows.append(row)
    assert audit.verify(rows, [Anchor(3, rows[2].hash[:12], "a report")]) is None
    short = audit.verify(rows[:2], [Anchor(3, rows[2].hash, "a report")])
    assert short is not None and short.seq == 3 and "missing from the end" in short.message
    other = audit.verify(rows, [Anchor(2, "0" * 16, "a report")])
    assert other is not None and "not the one a report recorded" in other.message


# --- separation of duties ----------------------------------------------------------------------
@pytest.fixture
def submitted(service):
    """alice (admin) wrote and submitted the demo; rita reviews; ivan investigates."""
    service.add_user("rita", "reviewer")
    service.add_user("ivan", "investigator")
    inv = add_demo(service)
    inv = service.submit_for_review(inv.id, inv.version)
    return service, inv


def test_the_author_cannot_concur_or_approve(submitted):
    alice, inv = submitted
    action = alice.list_actions(inv.id)[0]
    with pytest.raises(DutiesError, match="alice submitted it for review") as info:
        alice.record_concurrence(action.id, action.version, "concur")
    assert info.value.can_override  # she is an admin: she may, with a reason
    with pytest.raises(DutiesError, match="someone else must approve it"):
        alice.approve(inv.id, inv.version)
    assert alice.get_investigation(inv.id).status == "in_review"


def test_a_reviewer_who_wrote_an_action_cannot_concur(submitted):
    alice, inv = submitted
    rita = Service(alice.db, "rita")
    # returned for changes, rita writes an action herself
    inv = alice.return_for_changes(inv.id, inv.version, "Add a stronger action")
    root = next(c for c in rita.list_causes(inv.id) if c.kind == "root")
    mine = rita.add_action(inv.id, "Low beds on 4 West", addresses=[root.id], strength="stronger")
    inv = Service(alice.db, "ivan").submit_for_review(inv.id, inv.version)
    with pytest.raises(DutiesError, match="rita wrote its actions") as info:
        rita.record_concurrence(mine.id, mine.version, "concur")
    assert not info.value.can_override  # a reviewer, not an admin
    with pytest.raises(RoleError, match="only an admin may set separation of duties aside"):
        rita.record_concurrence(mine.id, mine.version, "concur", override_reason="I am sure")


def test_an_admin_override_needs_a_reason_is_audited_and_reported(submitted):
    alice, inv = submitted
    for action in alice.list_actions(inv.id):
        alice.record_concurrence(
            action.id, action.version, "concur", override_reason="Only reviewer on leave"
        )
    ivan = Service(alice.db, "ivan")
    with pytest.raises(RoleError, match="ivan is an investigator"):  # roles come first
        ivan.approve(inv.id, inv.version, override_reason="x")
    inv = alice.approve(inv.id, inv.version, "Signed", override_reason="CMO away, urgent")
    assert inv.status == "approved"
    entries = [e for e in alice.audit_entries(inv.id) if e.field == "separation_of_duties"]
    assert entries[-1].new == "set aside by alice to approve it: CMO away, urgent"
    approval = [s for s in alice.dossier(inv.id).signoffs if s.decision == "approved"][-1]
    assert approval.override_reason == "CMO away, urgent"
    from exports.report import build_report

    report = build_report(alice.dossier(inv.id))
    (row,) = [r for r in report.signoffs if r.decision == "Approved"]
    assert "Separation of duties set aside by an admin: CMO away, urgent" in row.comment
    assert all("Only reviewer on leave" in a.concurrence_reason for a in report.actions)


def test_an_admin_author_may_not_concur_too_with_a_reason_audited_and_reported(submitted):
    """"Do not concur" is leadership's decision like "concur": refused to an author, and an
    admin may set the rule aside for it with a written reason, audited and printed."""
    alice, inv = submitted
    action = alice.list_actions(inv.id)[1]
    with pytest.raises(DutiesError, match="someone else must decide not to concur") as info:
        alice.record_concurrence(action.id, action.version, "do_not_concur", "Too weak")
    assert info.value.can_override
    before = len(alice.audit_entries(inv.id))
    with pytest.raises(ValidationError, match="reason: is required"):
        alice.record_concurrence(
            action.id, action.version, "do_not_concur", " ", override_reason="On call alone"
        )
    assert len(alice.audit_entries(inv.id)) == before  # refused: the override not audited
    got = alice.record_concurrence(
        action.id, action.version, "do_not_concur", "Too weak", override_reason="On call alone"
    )
    assert (got.concurrence, got.concurrence_reason, got.concurrence_override) == (
        "do_not_concur",
        "Too weak",
        "On call alone",
    )
    entries = [e for e in alice.audit_entries(inv.id) if e.field == "separation_of_duties"]
    assert entries[-1].new == (
        "set aside by alice to decide not to concur with its actions: On call alone"
    )
    assert alice.audit_check().problem is None
    from exports.report import build_report

    report = build_report(alice.dossier(inv.id))
    row = report.actions[1]
    assert row.concurrence == "Do not concur"
    assert row.concurrence_reason == (
        "Too weak (Separation of duties set aside by an admin: On call alone)"
    )


def test_separation_can_be_switched_off_in_the_settings(submitted):
    alice, inv = submitted
    relaxed = Service(alice.db, "alice", separation_of_duties=False)
    action = relaxed.list_actions(inv.id)[0]
    assert relaxed.record_concurrence(action.id, action.version, "concur").concurrence == "concur"


def test_the_given_name_is_shown_beside_the_login_never_instead(service, demo_id):
    """`rca --user nurse1` run by the login nurse2: every entry says nurse2, with nurse1 beside."""
    forged = Service(service.db, "nurse1", login="nurse2")
    cause = forged.add_cause(demo_id, "Bed alarm silenced")
    (entry,) = [e for e in forged.audit_entries(demo_id) if e.entity_id == cause.id]
    assert (entry.user, entry.display_name, entry.who) == ("nurse2", "nurse1", "nurse2 (as nurse1)")
