"""The review state machine: each step allowed or refused by role and status, concurrence,
approval blocked by errors, read-only after approval for every kind of write, and reopening."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from models import review
from models.demo import add_demo
from models.domain import Cause
from models.errors import ConflictError, ReadOnlyError, ValidationError
from models.review import FrozenError, RoleError, TransitionError
from models.service import Service, open_service
from models.vocab import CauseKind, Status

STATUSES = [s.value for s in Status]
USERS = ("alice", "rita", "ivan", "uma")  # admin, reviewer, investigator, not listed
#: Each test that takes `people` runs on a SQLite file and on a PostgreSQL server.
BOTH_BACKENDS = True

#: The issue's state machine, written out independently of models.review.
SPEC = {
    "submit": ({"alice", "ivan", "uma"}, {"draft", "analysis", "action_plan"}, "in_review"),
    "approve": ({"alice", "rita"}, {"in_review"}, "approved"),
    "return": ({"alice", "rita"}, {"in_review"}, "action_plan"),
    "reopen": ({"alice", "rita"}, {"approved", "closed"}, "action_plan"),
    "close": ({"alice", "rita"}, {"approved"}, "closed"),
}

CALLS = {
    "submit": lambda s, inv: s.submit_for_review(inv.id, inv.version),
    "approve": lambda s, inv: s.approve(inv.id, inv.version, "Plan is sound"),
    "return": lambda s, inv: s.return_for_changes(inv.id, inv.version, "Add an outcome measure"),
    "reopen": lambda s, inv: s.reopen(inv.id, inv.version, "A second fall on the unit"),
    "close": lambda s, inv: s.close(inv.id, inv.version),
}


def utc_today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def team(db, *names: str) -> dict[str, Service]:
    return {n: Service(db, n) for n in names}


@pytest.fixture
def people(service, person):
    """alice (admin: she created the database), rita (reviewer), ivan (investigator), uma;
    `people["person"]` makes a service for someone else, or for someone giving another name."""
    service.add_user("rita", "reviewer")
    service.add_user("ivan", "investigator")
    return {
        "alice": service,
        **{n: person(service, n) for n in USERS if n != "alice"},
        "person": person,
    }


def set_status(db_path, inv_id: int, status: str) -> None:
    """Put an investigation in any status directly (test set-up only)."""
    con = sqlite3.connect(db_path)
    con.execute("UPDATE investigation SET status = ? WHERE id = ?", (status, inv_id))
    # Concurred with, and (so that closing applies) followed up to a verdict of effective.
    con.execute(
        "UPDATE action SET concurrence = 'concur', concurrence_by = 'rita', "
        "effectiveness = 'effective' WHERE investigation_id = ?",
        (inv_id,),
    )
    con.commit()
    con.close()


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    path = tmp_path_factory.mktemp("review") / "rca.db"
    admin = open_service(path, user="alice")
    admin.add_user("rita", "reviewer")
    admin.add_user("ivan", "investigator")
    yield path, team(admin.db, *USERS)
    admin.db.dispose()


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("step", list(SPEC))
def test_each_step_by_role_and_status(shared, step, user, status):
    path, people = shared
    inv = add_demo(people["uma"])  # written by someone who takes no review step here
    set_status(path, inv.id, status)
    svc = people[user]
    inv = svc.get_investigation(inv.id)
    roles, sources, target = SPEC[step]
    before = len(svc.audit_entries(inv.id))
    if user not in roles:
        with pytest.raises(RoleError, match="Only"):
            CALLS[step](svc, inv)
    elif status not in sources:
        with pytest.raises(TransitionError, match="Cannot"):
            CALLS[step](svc, inv)
    else:
        after = CALLS[step](svc, inv)
        assert after.status == target
        assert after.version == inv.version + 1
        assert svc.get_investigation(inv.id).updated_by == user
        status_rows = [e for e in svc.audit_entries(inv.id) if e.field == "status"]
        assert (status_rows[-1].old, status_rows[-1].new, status_rows[-1].user) == (
            status,
            target,
            user,
        )
        return
    # Refused: nothing changed, nothing audited.
    assert svc.get_investigation(inv.id) == inv
    assert len(svc.audit_entries(inv.id)) == before


def test_role_messages_name_who_may(people, demo_id):
    inv = people["ivan"].get_investigation(demo_id)
    with pytest.raises(RoleError) as info:
        people["rita"].submit_for_review(inv.id, inv.version)
    assert info.value.message == (
        "Only an investigator or an admin can submit an investigation for review; "
        "rita is a reviewer"
    )
    with pytest.raises(RoleError, match="ivan is an investigator"):
        people["ivan"].reopen(inv.id, inv.version, "x")


def test_a_refusal_names_the_login_whose_role_was_judged(people, demo_id):
    """`rca --user boss` (boss a reviewer) run by the login ivan acts with ivan's role."""
    people["alice"].add_user("boss", "reviewer")
    boss_by_ivan = people["person"](people["alice"], "ivan", "boss")
    inv = in_review(people, demo_id)
    with pytest.raises(RoleError) as info:
        boss_by_ivan.approve(inv.id, inv.version)
    assert info.value.message == (
        "Only a reviewer or an admin can approve an investigation; ivan is an investigator "
        "(roles follow the login, not the name boss recorded in the audit trail)"
    )
    action = boss_by_ivan.list_actions(inv.id)[0]
    with pytest.raises(RoleError, match=r"; ivan is an investigator \(roles follow the login"):
        boss_by_ivan.record_concurrence(action.id, action.version, "concur")
    with pytest.raises(RoleError, match=r"; ivan is an investigator \(roles follow the login"):
        boss_by_ivan.update_action(action.id, action.version, concurrence="concur")
    with pytest.raises(RoleError, match="Only an admin can add users; ivan is an investigator"):
        boss_by_ivan.add_user("eve", "admin")
    # The other way round: a reviewer's login recorded under another name keeps the role.
    rita_as_dr = people["person"](people["alice"], "rita", "Dr Rita Okoye")
    concur_all(people, inv.id)
    assert rita_as_dr.approve(inv.id, inv.version).status == "approved"
    assert rita_as_dr.dossier(inv.id).signoffs[-1].name == "Dr Rita Okoye"


def test_available_steps_for_screens():
    assert review.available("action_plan", None) == ["submit"]
    assert review.available("in_review", "reviewer") == ["approve", "return"]
    assert review.available("in_review", "investigator") == []
    assert review.available("approved", "admin") == ["reopen", "close"]
    assert review.available("closed", "reviewer") == ["reopen"]
    assert review.available("draft", "reviewer") == []


# --- the whole path ----------------------------------------------------------------------------


def in_review(people, demo_id):
    inv = people["ivan"].get_investigation(demo_id)
    return people["ivan"].submit_for_review(inv.id, inv.version)


def concur_all(people, inv_id):
    rita = people["rita"]
    for a in rita.list_actions(inv_id):
        rita.record_concurrence(a.id, a.version, "concur")


def approved(people, demo_id):
    inv = in_review(people, demo_id)
    concur_all(people, inv.id)
    return people["rita"].approve(inv.id, inv.version, "Strong plan")


def test_the_review_path(people, demo_id):
    ivan, rita = people["ivan"], people["rita"]
    inv = in_review(people, demo_id)
    assert inv.status == "in_review"
    actions = rita.list_actions(inv.id)
    training = next(a for a in actions if a.strength == "weaker")
    for a in actions:
        if a is training:
            a = rita.record_concurrence(a.id, a.version, "do_not_concur", "Teach it at handover")
            assert (a.concurrence, a.concurrence_reason) == (
                "do_not_concur",
                "Teach it at handover",
            )
        else:
            a = rita.record_concurrence(a.id, a.version, "concur")
            assert a.concurrence == "concur"
        assert a.concurrence_by == "rita" and a.concurrence_at is not None
    # No check blocks (the weaker action's root cause keeps its intermediate action), but an
    # action leadership does not concur with is neither agreed nor replaced: approval waits.
    with pytest.raises(ValidationError) as info:
        rita.approve(inv.id, inv.version, "Approved for the quality committee")
    assert info.value.message == (
        "Cannot approve: leadership does not concur with 1 action: "
        "'Teach the new handover field at the uni…'. The investigator revises it (a change "
        "asks leadership again) or removes it"
    )
    training = rita.list_actions(inv.id)[actions.index(training)]
    revised = ivan.update_action(
        training.id, training.version, text="Teach the handover field in the simulation lab"
    )
    assert revised.concurrence is None  # the revision clears the refusal: leadership decides again
    rita.record_concurrence(revised.id, revised.version, "concur")
    inv = rita.approve(inv.id, inv.version, "Approved for the quality committee")
    assert inv.status == "approved"
    (so,) = rita.dossier(inv.id).signoffs
    assert (so.role, so.name, so.decision, so.comment) == (
        "reviewer",
        "rita",
        "approved",
        "Approved for the quality committee",
    )
    with pytest.raises(FrozenError, match=f"approved on {utc_today()} by rita"):
        ivan.update_investigation(inv.id, inv.version, title="Edited after approval")
    # Feedback is given after approval.
    fb = ivan.add_feedback(inv.id, audience="reporter", given_by="ivan", note="Told the RN")
    assert fb.audience == "reporter"
    inv = rita.reopen(inv.id, inv.version, "A second fall on the unit")
    assert inv.status == "action_plan"
    inv = ivan.update_investigation(inv.id, inv.version, title="Edited after reopening")
    assert inv.title == "Edited after reopening"
    steps = [
        (e.old, e.new, e.user)
        for e in ivan.audit_entries(inv.id)
        if e.entity == "investigation" and e.field == "status"
    ]
    assert steps[0] == (None, "action_plan", "alice")  # the status the demo was imported with
    assert steps[1:] == [
        ("action_plan", "in_review", "ivan"),
        ("in_review", "approved", "rita"),
        ("approved", "action_plan", "rita"),
    ]
    history = [(s.decision, s.comment) for s in ivan.dossier(inv.id).signoffs]
    assert history == [
        ("approved", "Approved for the quality committee"),
        ("reopened", "A second fall on the unit"),
    ]
    assert ivan.verify_audit() is None


def test_return_for_changes_needs_a_comment(people, demo_id):
    rita = people["rita"]
    inv = in_review(people, demo_id)
    for blank in ("", "   "):
        with pytest.raises(ValidationError, match="comment: is required"):
            rita.return_for_changes(inv.id, inv.version, blank)
    inv = rita.return_for_changes(inv.id, inv.version, "Name one owner for the training")
    assert inv.status == "action_plan"
    (so,) = rita.dossier(inv.id).signoffs
    assert (so.decision, so.comment, so.name) == (
        "returned",
        "Name one owner for the training",
        "rita",
    )


def test_reopen_needs_a_reason(people, demo_id):
    inv = approved(people, demo_id)
    for blank in ("", "  \n"):
        with pytest.raises(ValidationError, match="reason: is required"):
            people["rita"].reopen(inv.id, inv.version, blank)
    assert people["rita"].get_investigation(inv.id).status == "approved"
    inv = people["alice"].reopen(inv.id, inv.version, "Data entry error in the timeline")
    assert inv.status == "action_plan"
    assert people["alice"].dossier(inv.id).signoffs[-1].decision == "reopened"


def test_close_keeps_it_read_only(people, demo_id):
    inv = approved(people, demo_id)
    for a in people["rita"].list_actions(inv.id):
        people["rita"].record_effectiveness(a.id, a.version, "effective", "Target met")
    inv = people["rita"].get_investigation(inv.id)
    inv = people["rita"].close(inv.id, inv.version, "All measures met")
    assert inv.status == "closed"
    with pytest.raises(FrozenError, match=f"closed on {utc_today()} by rita; reopen it"):
        people["ivan"].add_member(inv.id, "Late member")
    inv = people["rita"].reopen(inv.id, inv.version, "Falls rose again")
    assert inv.status == "action_plan"


# --- approval refused --------------------------------------------------------------------------


def test_approval_is_refused_while_a_check_is_an_error(people, demo_id):
    ivan, rita = people["ivan"], people["rita"]
    inv = in_review(people, demo_id)
    concur_all(people, inv.id)
    target = ivan.list_actions(inv.id)[0]
    ivan.update_action(target.id, target.version, due=None)  # still editable in review
    inv = rita.get_investigation(inv.id)
    before = len(rita.audit_entries(inv.id))
    with pytest.raises(ValidationError) as info:
        rita.approve(inv.id, inv.version)
    assert "P-NO-DUE" in info.value.message
    assert "Configure every bed" in info.value.message
    assert info.value.message.startswith("Cannot approve while 1 check fails")
    assert rita.get_investigation(inv.id).status == "in_review"
    assert rita.dossier(inv.id).signoffs == ()
    assert len(rita.audit_entries(inv.id)) == before


def test_approval_names_the_root_cause_leadership_left_without_action(people, demo_id):
    rita = people["rita"]
    inv = in_review(people, demo_id)
    d = rita.dossier(inv.id)
    bed = next(c for c in d.causes if c.text.startswith("Beds were bought"))
    for a in d.actions:
        if bed.id in a.addresses:
            rita.record_concurrence(a.id, a.version, "do_not_concur", "Too costly this year")
        else:
            rita.record_concurrence(a.id, a.version, "concur")
    with pytest.raises(ValidationError, match="P-NO-ACTION: Root cause 'Beds were bought"):
        rita.approve(inv.id, inv.version)


def test_approval_needs_a_decision_on_every_action(people, demo_id):
    rita = people["rita"]
    inv = in_review(people, demo_id)
    first, *rest = rita.list_actions(inv.id)
    for a in rest:
        rita.record_concurrence(a.id, a.version, "concur")
    with pytest.raises(ValidationError, match="no concurrence decision yet on 1 action"):
        rita.approve(inv.id, inv.version)
    rita.record_concurrence(first.id, first.version, "concur")
    assert rita.approve(inv.id, inv.version).status == "approved"


def test_approval_waits_until_a_refused_action_is_removed(people, demo_id):
    ivan, rita = people["ivan"], people["rita"]
    inv = in_review(people, demo_id)
    concur_all(people, inv.id)
    first, second, *_ = rita.list_actions(inv.id)
    for a in (first, second):
        now = next(x for x in rita.list_actions(inv.id) if x.id == a.id)
        rita.record_concurrence(now.id, now.version, "do_not_concur", "Weak")
    with pytest.raises(ValidationError) as info:
        rita.approve(inv.id, inv.version)
    message = info.value.message
    assert message.startswith("Cannot approve while 1 check fails: P-NO-ACTION")
    assert "\nLeadership does not concur with 2 actions: " in message
    assert f"'{first.text[:20]}" in message and f"'{second.text[:20]}" in message
    assert "revises them (a change asks leadership again) or removes them" in message
    # A status change is no revision: the refusal stands.
    current = rita.list_actions(inv.id)[1]
    moved = ivan.update_action(current.id, current.version, status="in_progress")
    assert moved.concurrence == "do_not_concur"
    ivan.delete_action(first.id)
    ivan.delete_action(second.id)
    inv = rita.get_investigation(inv.id)
    refusal = review.approval_refusal(rita.list_actions(inv.id), [])
    assert refusal is None
    with pytest.raises(ValidationError, match="P-NO-ACTION"):  # the roots they served
        rita.approve(inv.id, inv.version)


def test_approval_refusal_lists_every_reason():
    from models.domain import Action, Finding

    actions = [
        Action(1, 1, "Buy low beds", concurrence="do_not_concur"),
        Action(2, 1, "Hourly rounding"),
        Action(3, 1, "Bed exit alarms", concurrence="concur"),
    ]
    blocking = [Finding("P-NO-DUE", "error", 2, "Action 'Hourly rounding' has no due date")]
    assert review.approval_refusal(actions, blocking) == (
        "Cannot approve while 1 check fails: P-NO-DUE: Action 'Hourly rounding' has no due date\n"
        "Leadership does not concur with 1 action: 'Buy low beds'. The investigator revises it "
        "(a change asks leadership again) or removes it\n"
        "No concurrence decision yet on 1 action: 'Hourly rounding'"
    )
    assert review.approval_refusal(actions[2:], []) is None


def test_a_stale_version_is_a_conflict(people, demo_id):
    inv = in_review(people, demo_id)
    concur_all(people, inv.id)
    people["ivan"].update_investigation(inv.id, inv.version, unit="4 West")
    with pytest.raises(ConflictError, match="changed by ivan"):
        people["rita"].approve(inv.id, inv.version)


# --- concurrence -------------------------------------------------------------------------------


def test_concurrence_rules(people, demo_id):
    ivan, rita = people["ivan"], people["rita"]
    a = rita.list_actions(demo_id)[0]
    with pytest.raises(TransitionError, match="while the investigation is in review"):
        rita.record_concurrence(a.id, a.version, "concur")
    in_review(people, demo_id)
    with pytest.raises(RoleError, match="Only a reviewer or an admin can record concurrence"):
        ivan.record_concurrence(a.id, a.version, "concur")
    with pytest.raises(ValidationError, match="reason: is required"):
        rita.record_concurrence(a.id, a.version, "do_not_concur", "  ")
    with pytest.raises(ValidationError, match="not one of concur, do_not_concur"):
        rita.record_concurrence(a.id, a.version, "maybe")
    with pytest.raises(ValidationError, match="choose concur or do not concur"):
        rita.record_concurrence(a.id, a.version, "")
    done = rita.record_concurrence(a.id, a.version, "Do not concur", "Use a forcing function")
    assert done.concurrence == "do_not_concur"
    with pytest.raises(ConflictError):
        rita.record_concurrence(a.id, a.version, "concur")
    # An investigator cannot set concurrence through the ordinary action edit either.
    with pytest.raises(RoleError):
        ivan.update_action(done.id, done.version, concurrence="concur")
    with pytest.raises(RoleError):
        ivan.add_action(demo_id, "Buy low beds", concurrence="concur")
    fields = [(e.field, e.new) for e in rita.audit_entries(demo_id) if e.entity_id == a.id]
    assert ("concurrence", "do_not_concur") in fields
    assert ("concurrence_reason", "Use a forcing function") in fields


def test_changing_an_action_withdraws_its_concurrence(people, demo_id):
    ivan = people["ivan"]
    inv = in_review(people, demo_id)
    concur_all(people, inv.id)
    first, second, *_ = ivan.list_actions(inv.id)
    changed = ivan.update_action(first.id, first.version, owner="Sam Patel, Biomed Lead")
    assert changed.concurrence is None and changed.concurrence_by == ""
    moved = ivan.update_action(second.id, second.version, status="in_progress")
    assert moved.concurrence == "concur"  # progress is not what leadership concurred with
    moved = ivan.update_action(moved.id, moved.version, addresses=[*moved.addresses])
    assert moved.concurrence == "concur"  # the same causes
    root = next(
        c.id
        for c in ivan.list_causes(inv.id)
        if c.id not in moved.addresses and c.kind == CauseKind.ROOT
    )
    moved = ivan.update_action(moved.id, moved.version, addresses=[*moved.addresses, root])
    assert moved.concurrence is None
    withdrawn = [
        e for e in ivan.audit_entries(inv.id) if e.field == "concurrence" and e.new is None
    ]
    assert [e.entity_id for e in withdrawn] == [first.id, second.id]


# --- status through an ordinary edit -----------------------------------------------------------


def test_status_edits_stay_before_review(people):
    ivan = people["ivan"]
    inv = ivan.create_investigation("Wrong-site block", status="analysis")
    inv = ivan.update_investigation(inv.id, inv.version, status="action_plan")
    inv = ivan.update_investigation(inv.id, inv.version, status="draft")
    for target in ("in_review", "approved", "closed"):
        with pytest.raises(TransitionError, match="cannot be changed from Draft"):
            ivan.update_investigation(inv.id, inv.version, status=target)
        with pytest.raises(TransitionError):
            ivan.create_investigation("x", status=target)
    inv = ivan.submit_for_review(inv.id, inv.version)
    with pytest.raises(TransitionError, match="a reviewer approves it or returns it"):
        people["alice"].update_investigation(inv.id, inv.version, status="action_plan")
    # Other fields can still be edited while in review, with the status given unchanged.
    inv = ivan.update_investigation(inv.id, inv.version, status="in_review", unit="OR 3")
    assert (inv.status, inv.unit) == ("in_review", "OR 3")


# --- read-only after approval ------------------------------------------------------------------


def _root(d):
    return next(c for c in d.causes if c.kind == CauseKind.ROOT)


def _event(d):
    return next(c for c in d.causes if c.kind == CauseKind.EVENT)


WRITES = {
    "update_investigation": lambda s, d: s.update_investigation(d.investigation.id, None, unit="x"),
    "status": lambda s, d: s.update_investigation(d.investigation.id, None, status="draft"),
    "delete_investigation": lambda s, d: s.delete_investigation(d.investigation.id),
    "add_member": lambda s, d: s.add_member(d.investigation.id, "New Member"),
    "update_member": lambda s, d: s.update_member(d.team[0].id, None, name="Renamed"),
    "remove_member": lambda s, d: s.remove_member(d.team[0].id),
    "add_entry": lambda s, d: s.add_entry(d.investigation.id, happened="Later entry"),
    "update_entry": lambda s, d: s.update_entry(d.timeline[0].id, None, happened="Changed"),
    "move_entry": lambda s, d: s.move_entry(d.timeline[1].id, -1),
    "delete_entry": lambda s, d: s.delete_entry(d.timeline[0].id),
    "add_cause": lambda s, d: s.add_cause(d.investigation.id, "Another cause"),
    "update_cause": lambda s, d: s.update_cause(_root(d).id, None, text="Changed"),
    "cause_reason": lambda s, d: s.update_cause(_root(d).id, None, no_action_reason="x"),
    "delete_cause": lambda s, d: s.delete_cause(_root(d).id),
    "link": lambda s, d: s.link(_root(d).id, _event(d).id),
    "unlink": lambda s, d: s.unlink(d.links[0].cause_id, d.links[0].effect_id),
    "set_categories": lambda s, d: s.set_categories(d.investigation.id, [*d.categories, "New"]),
    "category_preset": lambda s, d: s.use_category_preset(d.investigation.id, "8m"),
    "restore_cause": lambda s, d: s.restore_cause(Cause(9999, d.investigation.id, "Back")),
    "add_action": lambda s, d: s.add_action(d.investigation.id, "Buy low beds"),
    "update_action": lambda s, d: s.update_action(d.actions[0].id, None, status="done"),
    "delete_action": lambda s, d: s.delete_action(d.actions[0].id),
    "add_signoff": lambda s, d: s.add_signoff(d.investigation.id, name="x", decision="approved"),
}


@pytest.mark.parametrize("user", ["alice", "ivan"])
@pytest.mark.parametrize("write", list(WRITES))
def test_an_approved_investigation_is_read_only(people, demo_id, write, user):
    inv = approved(people, demo_id)
    svc = people[user]
    before = svc.dossier(inv.id)
    audit = len(svc.audit_entries())
    with pytest.raises(FrozenError) as info:
        WRITES[write](svc, before)
    assert isinstance(info.value, ReadOnlyError)  # the app titles it "Read-only"
    assert info.value.message == (
        "Investigation 'Inpatient fall with hip fracture, 4 West (demo)' is read-only: "
        f"approved on {utc_today()} by rita; reopen it with a reason to change it"
    )
    assert svc.dossier(inv.id) == before
    assert len(svc.audit_entries()) == audit
    # After reopening, the same write goes through (a sign-off only for leadership).
    inv = people["rita"].reopen(inv.id, inv.version, "Correction")
    if (write, user) == ("add_signoff", "ivan"):
        with pytest.raises(RoleError):
            WRITES[write](svc, svc.dossier(inv.id))
    else:
        WRITES[write](svc, svc.dossier(inv.id))


def test_concurrence_after_approval_is_refused(people, demo_id):
    inv = approved(people, demo_id)
    a = people["rita"].list_actions(inv.id)[0]
    with pytest.raises(TransitionError, match="it is Approved"):
        people["rita"].record_concurrence(a.id, a.version, "do_not_concur", "Changed my mind")


def test_an_imported_file_cannot_bring_approval_with_it(people):
    """An investigator imports a file that says "approved" with a CMO's sign-off and every
    action concurred: it arrives before review, the sign-off and the concurrence are history
    marked as imported, and approving it takes a real reviewer's concurrence and sign-off."""
    from models.demo import demo_document

    doc = demo_document(dt.date(2026, 11, 30))
    doc["investigation"]["status"] = "approved"
    for action in doc["actions"]:
        action["concurrence"] = "concur"
    doc["signoffs"] = [
        {
            "role": "Chief Medical Officer",
            "name": "Dr Real Boss",
            "decision": "approved",
            "at": "2026-11-28T14:05:00",
        }
    ]
    ivan, rita = people["ivan"], people["rita"]
    inv = ivan.import_document(doc)
    assert inv.status == "action_plan"
    dossier = ivan.dossier(inv.id)
    (signoff,) = dossier.signoffs
    assert signoff.imported and signoff.login is None
    assert signoff.signed_by == "Dr Real Boss (imported, not signed here)"
    assert all(a.concurrence is None for a in dossier.actions)
    assert {a.imported_concurrence for a in dossier.actions} == {"concur"}
    # Still editable: nothing was approved here.
    inv = ivan.update_investigation(inv.id, inv.version, unit="OR 2")
    assert inv.unit == "OR 2"
    # The live path: submit, a reviewer concurs and approves.
    inv = ivan.submit_for_review(inv.id, inv.version)
    with pytest.raises(ValidationError, match="no concurrence decision yet"):
        rita.approve(inv.id, inv.version)
    for action in rita.list_actions(inv.id):
        rita.record_concurrence(action.id, action.version, "concur")
    inv = rita.approve(inv.id, inv.version)
    live = [s for s in rita.dossier(inv.id).signoffs if not s.imported]
    assert [(s.decision, s.login) for s in live] == [("approved", "rita")]


def test_add_signoff_is_for_leadership(people):
    inv = people["ivan"].create_investigation("x")
    with pytest.raises(RoleError):
        people["ivan"].add_signoff(inv.id, name="ivan", decision="approved")
    so = people["rita"].add_signoff(inv.id, name="Dr Okoye", decision="returned")
    assert so.decision == "returned"
    assert people["rita"].get_investigation(inv.id).status == "draft"
