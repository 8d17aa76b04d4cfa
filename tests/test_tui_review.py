"""The action plan and sign-off path, driven with the keyboard by an investigator and a reviewer."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Input, Select, TextArea

from models.db import open_database
from models.service import Service
from rca_tui.app import make_app
from screens.actions import ActionDialog, ActionsScreen
from screens.audit import AuditScreen
from screens.dialogs import ErrorDialog
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
        await pilot.press("s")
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
        # A refused action does not count: its root cause is without an action again, so
        # approval is refused and the dialog says why.
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert "P-NO-ACTION" in app.screen.message
        await pilot.press("escape")
        await settle(pilot)
        # The refused approval keeps its dialog (a comment typed there is not lost).
        assert isinstance(app.screen, TextDialog)
        await pilot.press("escape")
        await settle(pilot)
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
