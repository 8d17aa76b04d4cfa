"""The earlier action marked "recurred" in the action plan table (and named in its detail), from
service.recurrences; an action not followed by recurrence is not marked."""

from __future__ import annotations

import datetime as dt

from test_recurrence import _event

from models.recurrence import Recurrence
from screens.recurred import RECURRED_MARK, recurred_by_action, recurred_line

BOTH_BACKENDS = True


def test_only_the_earlier_ones_actions_are_marked():
    later = Recurrence(7, 3, 11, "Separate", "TJC-MED.LASA", dt.date(2026, 3, 1))
    other = Recurrence(3, 1, 12, "Earlier still", "TJC-MED.LASA", dt.date(2025, 3, 1))
    assert recurred_by_action([later, other], 3) == {11: [later]}
    assert recurred_line(later) == (
        "Recurred: investigation #7 had the same root-cause code (TJC-MED.LASA) and event type "
        "after this action was completed on 2026-03-01"
    )


async def test_the_plan_marks_the_action_that_recurred(service):
    from textual.widgets import DataTable, Static

    from rca_tui.app import make_app
    from screens.actions import ActionsScreen

    earlier, root = _event(
        service,
        "Heparin mix-up 1",
        unit="NICU",
        event_type="medication",
        day=dt.datetime(2025, 1, 5, 9),
        codes=["TJC-MED.LASA"],
    )
    action = service.add_action(earlier.id, "Separate the two strengths", addresses=[root.id])
    action = service.update_action(action.id, action.version, status="in_progress")
    action = service.update_action(action.id, action.version, status="done")
    service.add_action(earlier.id, "Tell the pharmacy", addresses=[root.id])
    (done,) = [
        e.at.date()
        for e in service.audit_entries(earlier.id)
        if e.entity == "action" and e.field == "status" and e.new == "done"
    ]
    later, _ = _event(
        service,
        "Heparin mix-up 2",
        unit="NICU",
        event_type="medication",
        day=dt.datetime.combine(done + dt.timedelta(days=30), dt.time(8)),
        codes=["TJC-MED.LASA"],
    )
    app = make_app(service, today=done + dt.timedelta(days=40))
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_investigation(earlier.id)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("p")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ActionsScreen)
        table = screen.query_one("#plan", DataTable)
        texts = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        marked = [t for t in texts if RECURRED_MARK in t]
        assert len(marked) == 1 and "Separate the two strengths ↻ recurred" in marked[0]
        assert any("Tell the pharmacy" in t and RECURRED_MARK not in t for t in texts)
        table.move_cursor(row=texts.index(marked[0]))
        await pilot.pause()
        detail = str(screen.query_one("#detail", Static).render())
        assert f"Recurred: investigation #{later.id} had the same root-cause code" in detail
        table.move_cursor(row=next(i for i, t in enumerate(texts) if "Tell the pharmacy" in t))
        await pilot.pause()
        assert "Recurred:" not in str(screen.query_one("#detail", Static).render())
