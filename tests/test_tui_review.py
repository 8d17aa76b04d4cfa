"""The action plan and sign-off path, driven with the keyboard by an investigator and a reviewer."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Input, Select, TextArea

from models.db import open_database
from models.service import Service
from rca_tui.app import make_app
from screens.actions import ActionDialog, ActionsScreen
from screens.audit import AuditScreen
from screens.dialogs import ChoiceDialog, ErrorDialog
from screens.intake import IntakeScreen
from screens.review import ReviewScreen, TextDialog

TODAY = dt.date(2026, 11, 30)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def codes(service: Service, inv_id: int, severity: str = "error") -> set[str]:
    """The plan checks of one severity (errors block approval; warnings ask for a reason)."""
    return {
        f.code for f in service.check(inv_id) if f.code.startswith("P-") and f.severity == severity
    }


async def fill(pilot, selector: str, text: str) -> None:
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    await pilot.pause()
    if isinstance(widget, Input):
        widget.value = ""
    if isinstance(widget, TextArea):
        widget.text = ""
    await pilot.press(*text)


async def add_action(pilot, row: int, text: str, owner: str, due: str, what: str, date: str):
    table = pilot.app.screen.query_one("#plan", DataTable)
    table.move_cursor(row=row)
    await pilot.pause()
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ActionDialog)
    await pilot.press(*text)
    await pilot.press("ctrl+t")  # take the suggested strength
    await fill(pilot, "#owner", owner)
    await fill(pilot, "#due", due)
    select = pilot.app.screen.query_one("#measure_kind", Select)
    select.focus()
    await pilot.press("enter", "p", "r", "o", "enter")
    await fill(pilot, "#measure_what", what)
    await fill(pilot, "#measure_target", "95%")
    await fill(pilot, "#measure_date", date)
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ActionsScreen)


def setup_investigation(db_path):
    admin = Service(open_database(db_path), "alice")
    admin.add_user("ivan", "investigator")
    admin.add_user("rita", "reviewer")
    inv = admin.create_investigation("Insulin given to the wrong patient")
    event = admin.add_cause(inv.id, "Insulin given to the wrong patient", kind="event")
    mid = admin.add_cause(inv.id, "Two patients with the same surname", effect_id=event.id)
    a = admin.add_cause(
        inv.id, "Wristband scanners were out of order on the unit", effect_id=mid.id, kind="root"
    )
    b = admin.add_cause(
        inv.id, "The pharmacy label shows the surname only", effect_id=mid.id, kind="root"
    )
    for name, role in (
        ("Alex", "facilitator"),
        ("Sam", "subject_expert"),
        ("Jo", "unfamiliar"),
        ("Chris", "front_line"),
    ):
        admin.add_member(inv.id, name, role=role)
    admin.db.dispose()
    return inv.id, a.id, b.id


async def test_plan_submit_concur_approve_read_only_reopen(db_path):
    inv_id, _root_a, root_b = setup_investigation(db_path)

    # --- the investigator builds the plan and submits it -------------------------------------
    ivan = Service(open_database(db_path), "ivan")
    assert codes(ivan, inv_id) == {"P-NO-ACTION"}
    app = make_app(ivan, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ActionsScreen)
        assert "0 actions" in str(app.screen.query_one("#summary").render())
        await add_action(
            pilot,
            0,
            "Repair the barcode scanners and add a spare on every unit",
            "Dana Whitfield",
            "2027-01-15",
            "Doses scanned before giving",
            "2027-03-01",
        )
        rows = app.screen.rows
        row_b = next(i for i, r in enumerate(rows) if r[0] == "cause" and r[1] == root_b)
        await add_action(
            pilot,
            row_b,
            "Print two identifiers on every pharmacy label",
            "Priya Raman",
            "2027-01-31",
            "Labels with name and date of birth",
            "2027-03-15",
        )
        assert codes(ivan, inv_id) == set()  # the blocking checks clear
        strengths = {a.text[:5]: a.strength for a in ivan.list_actions(inv_id)}
        assert strengths["Repai"] in ("stronger", "intermediate", "weaker")
        assert "2 actions" in str(app.screen.query_one("#summary").render())
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        # Warnings are open (no blocking error): submitting asks first, and says how many.
        warnings = [f for f in ivan.check(inv_id, TODAY) if f.severity == "warning"]
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        assert app.screen.question == (
            f"Submit for review with 0 blocking errors and {len(warnings)} warnings?"
        )
        await pilot.press("enter")  # "Go back" is the default
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert ivan.get_investigation(inv_id).status == "draft"
        await pilot.press("s")
        await settle(pilot)
        await pilot.click("#choice-submit")
        await settle(pilot)
        assert ivan.get_investigation(inv_id).status == "in_review"
        # An investigator may not concur or approve: those keys are not offered.
        shown = {b.binding.action for b in app.screen.active_bindings.values()}
        assert "concur" not in shown and "approve" not in shown
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
    assert all(a.concurrence is None for a in ivan.list_actions(inv_id))
    ivan.db.dispose()

    # --- the reviewer concurs, approves; the investigation is then read-only ------------------
    rita = Service(open_database(db_path), "rita")
    app = make_app(rita, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("c")  # concur with the first action
        await settle(pilot)
        table = app.screen.query_one("#actions", DataTable)
        table.move_cursor(row=1)
        await pilot.press("n")  # do not concur with the second: a reason is required
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)  # still open: reason missing
        await pilot.press(*"Labels alone are weak; add scanning at dispensing")
        await pilot.press("ctrl+s")
        await settle(pilot)
        decisions = [a.concurrence for a in rita.list_actions(inv_id)]
        assert decisions == ["concur", "do_not_concur"]
        status = str(app.screen.query_one("#status").render())
        assert "Leadership concurs with 1 of 2 actions; does not concur with 1" in status
        assert "1 check blocks approval: P-NO-ACTION" in status
        # A refused action does not count: its root cause is without an action again, and the
        # refused action is neither agreed nor replaced. Approval is refused before any
        # comment is asked for, and the dialog says why.
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.title_text == "Cannot approve yet"
        assert app.screen.message.startswith("Cannot approve while 1 check fails: P-NO-ACTION")
        assert (
            "Leadership does not concur with 1 action: 'Print two identifiers on every pharmacy"
            in app.screen.message
        )
        await pilot.press("escape")
        await settle(pilot)
        # Refused before the comment dialog opened: nothing typed was lost.
        assert isinstance(app.screen, ReviewScreen)
        assert rita.get_investigation(inv_id).status == "in_review"
        # The reviewer is persuaded after all: concur, then approve.
        table.move_cursor(row=1)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("p")  # approve
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rita.get_investigation(inv_id).status == "approved"
        # Editing an approved investigation is refused, and the form says so.
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        await fill(pilot, "#unit", "6 North")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert "approved" in app.screen.message.lower()
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.click("#choice-discard")
        await settle(pilot)
        # Reopen with a reason, from the review screen.
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press(*"Scanner repair date slipped; plan needs a new due date")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rita.get_investigation(inv_id).status != "approved"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("a")  # the audit trail shows the whole path
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        audit = app.screen.query_one(DataTable)
        everything = audit.row_count
        await pilot.press("slash", *"repair date slipped")
        await settle(pilot)
        assert 1 <= audit.row_count < everything  # the filter searches the full texts
        assert "rita" in audit.get_row_at(0)[1].plain
    assert rita.verify_audit() is None
    rita.db.dispose()


# --- the review screen key by key, on the demo -------------------------------------------------


def reviewer_app(db_path, demo_status: str = "in_review", *, user="rita", login=None):
    """The demo in the wanted status, opened as rita (a reviewer) unless told otherwise."""
    from models.demo import add_demo

    # Set-up: one admin takes every step (separation of duties has its own tests).
    admin = Service(open_database(db_path), "alice", separation_of_duties=False)
    admin.add_user("rita", "reviewer")
    admin.add_user("ivan", "investigator")
    inv = add_demo(admin)
    if demo_status != "action_plan":
        inv = admin.submit_for_review(inv.id, inv.version)
    if demo_status in ("approved", "closed"):
        for a in admin.list_actions(inv.id):
            admin.record_concurrence(a.id, a.version, "concur")
        inv = admin.approve(inv.id, inv.version)
    admin.db.dispose()
    svc = Service(open_database(db_path), user, login=login)
    return svc, inv.id, make_app(svc, today=TODAY)


async def open_review(pilot) -> ReviewScreen:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("v")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ReviewScreen)
    return pilot.app.screen


def status_text(screen: ReviewScreen) -> str:
    return str(screen.query_one("#status").render())


async def test_submit_lists_the_blocking_errors_and_can_go_back(db_path):
    inv_id, _a, _b = setup_investigation(db_path)
    ivan = Service(open_database(db_path), "ivan")
    findings = ivan.check(inv_id, TODAY)
    errors = [f for f in findings if f.severity == "error"]
    assert len(errors) == 2  # both root causes without an action
    app = make_app(ivan, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        assert "2 checks block approval: P-NO-ACTION" in status_text(screen)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        lines = app.screen.question.splitlines()
        assert lines[0] == (
            f"Submit for review with 2 blocking errors and {len(findings) - 2} warnings?"
        )
        assert lines[2].startswith("! P-NO-ACTION Root cause 'Wristband scanners were out")
        assert lines[3].startswith("! P-NO-ACTION Root cause 'The pharmacy label shows")
        assert lines[-1] == "A reviewer cannot approve it until the blocking errors are fixed."
        await pilot.click("#choice-back")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("escape")  # Escape goes back too
        await settle(pilot)
        assert ivan.get_investigation(inv_id).status == "draft"
        await pilot.press("s")
        await settle(pilot)
        await pilot.click("#choice-submit")
        await settle(pilot)
        assert app.is_running
    assert ivan.get_investigation(inv_id).status == "in_review"


async def test_submit_without_open_checks_does_not_ask(db_path):
    ivan, inv_id, app = reviewer_app(db_path, "action_plan", user="ivan")
    assert ivan.check(inv_id, TODAY) == []
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert app.screen is screen
        assert "Status: In review" in status_text(screen)
    assert ivan.get_investigation(inv_id).status == "in_review"


async def test_concurrence_counts_only_concur_and_approval_names_the_refused_action(db_path):
    rita, inv_id, app = reviewer_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        assert "Leadership concurs with 0 of 4 actions; 4 without a decision" in status_text(screen)
        for _ in range(3):
            await pilot.press("c")
            await settle(pilot)
            await pilot.press("down")
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Training alone will not hold")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Leadership concurs with 3 of 4 actions; does not concur with 1" in status_text(
            screen
        )
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.message == (
            "Cannot approve: leadership does not concur with 1 action: "
            "'Teach the new handover field at the uni…'. The investigator revises it "
            "(a change asks leadership again) or removes it"
        )
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
    decisions = [a.concurrence for a in rita.list_actions(inv_id)]
    assert decisions == ["concur", "concur", "concur", "do_not_concur"]
    assert rita.get_investigation(inv_id).status == "in_review"


async def test_t_returns_for_changes_with_a_comment(db_path):
    rita, inv_id, app = reviewer_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press("ctrl+s")  # a comment is required
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"Add an outcome measure for the bed alarms")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        log = str(screen.query_one("#log").render())
        assert "Returned with comments by rita: Add an outcome measure" in log
    assert rita.get_investigation(inv_id).status == "action_plan"
    (so,) = rita.dossier(inv_id).signoffs
    assert (so.decision, so.name, so.comment) == (
        "returned",
        "rita",
        "Add an outcome measure for the bed alarms",
    )


async def test_z_closes_an_approved_investigation(db_path):
    rita, inv_id, app = reviewer_app(db_path, "approved")
    for a in rita.list_actions(inv_id):  # closing needs every action verified effective
        rita.record_effectiveness(a.id, a.version, "effective")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        assert "Approved: read-only" in status_text(screen)
        await pilot.press("z")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press(*"All four measures met")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Status: Closed" in status_text(screen)
    assert rita.get_investigation(inv_id).status == "closed"
    assert rita.dossier(inv_id).signoffs[-1].comment == "All four measures met"


async def test_f_records_feedback_and_escape_asks_before_dropping_it(db_path):
    ivan, inv_id, app = reviewer_app(db_path, "approved", user="ivan")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        await pilot.press("f")
        await settle(pilot)
        dialog = app.screen
        assert dialog.query_one("#given_by", Input).value == "ivan"
        await fill(pilot, "#note", "Told the reporting nurse")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.click("#choice-cancel")  # keep editing
        await settle(pilot)
        assert app.screen is dialog
        await fill(pilot, "#given_on", "31/02/2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog  # a bad date keeps the dialog and says why
        await fill(pilot, "#given_on", "2026-11-29")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert "Feedback to Reporter by ivan" in str(screen.query_one("#log").render())
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ReviewScreen)
    (fb,) = [f for f in ivan.dossier(inv_id).feedback if f.given_by == "ivan"]
    assert (fb.audience, fb.given_on, fb.given_by, fb.note) == (
        "reporter",
        dt.date(2026, 11, 29),
        "ivan",
        "Told the reporting nurse",
    )


async def test_the_screen_names_the_login_and_the_recorded_name(db_path):
    """`rca --user boss` run by the login ivan: roles follow the login, and the screen says so."""
    boss, inv_id, app = reviewer_app(db_path, user="boss", login="ivan")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        assert "You: ivan (investigator), recorded as boss" in status_text(screen)
        shown = {b.binding.action for b in screen.active_bindings.values()}
        assert "approve" not in shown and "concur" not in shown
    assert all(a.concurrence is None for a in boss.list_actions(inv_id))


async def test_an_author_is_stopped_and_an_admin_author_writes_why(db_path):
    """alice (admin) imported and submitted the demo: she is its author. Separation of duties:
    `c` and `p` ask her why she does it herself; the reason is stored and audited."""
    alice, inv_id, app = reviewer_app(db_path, "in_review", user="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        assert screen.state.authored == "submitted it for review"
        for _ in alice.list_actions(inv_id):
            await pilot.press("c")
            await settle(pilot)
            assert isinstance(app.screen, TextDialog)
            assert "separation of duties says someone else must concur" in app.screen.question
            await pilot.press(*"Only reviewer on leave")
            await pilot.press("ctrl+s")
            await settle(pilot)
            await pilot.press("down")
        assert {a.concurrence_override for a in alice.list_actions(inv_id)} == {
            "Only reviewer on leave"
        }
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog) and "approve it" in app.screen.question
        await pilot.press(*"CMO away")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert alice.get_investigation(inv_id).status == "approved"
    approval = [s for s in alice.dossier(inv_id).signoffs if s.decision == "approved"][-1]
    assert (approval.login, approval.override_reason) == ("alice", "CMO away")


async def test_a_reviewer_who_authored_is_told_someone_else_must(db_path):
    from models.service import Service as Svc

    rita, inv_id, _ = reviewer_app(db_path, "in_review")
    # Returned for changes, rita writes an action herself: she is an author now.
    setup = Svc(rita.db, "alice", separation_of_duties=False)
    inv = setup.return_for_changes(inv_id, None, "One stronger action")
    root = next(c for c in rita.list_causes(inv_id) if c.kind == "root")
    rita.add_action(inv_id, "Low beds on 4 West", addresses=[root.id], strength="stronger")
    Svc(rita.db, "ivan").submit_for_review(inv.id, None)
    app = make_app(rita, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.title_text == "Someone else must do this"
        assert "rita wrote its actions" in app.screen.message
    assert {a.concurrence for a in rita.list_actions(inv_id)} == {None}
