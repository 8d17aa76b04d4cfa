"""Snapshots of each screen at 80x24 (pytest-textual-snapshot; Textual is pinned, so SVGs are
stable). Data and "today" are fixed; cursors do not blink. Update with --snapshot-update after
a deliberate change, and look at the report before committing."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input, TextArea

from models.demo import demo_document
from rca_tui.app import make_app

TODAY = dt.date(2026, 11, 30)
SIZE = (80, 24)


@pytest.fixture
def demo_app(service):
    service.import_document(demo_document(TODAY))
    return make_app(service, today=TODAY)


async def still(pilot) -> None:
    """Let workers finish and stop cursors blinking, so the picture is the same every run."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    for widget in pilot.app.screen.query(TextArea):
        widget.cursor_blink = False
    await pilot.pause()


def keys(*presses):
    async def run_before(pilot) -> None:
        await still(pilot)
        for key in presses:
            await pilot.press(key)
            await still(pilot)

    return run_before


def test_home_empty(snap_compare, service):
    assert snap_compare(make_app(service, today=TODAY), terminal_size=SIZE, run_before=keys())


def test_home_with_investigations(snap_compare, service, demo_app):
    service.create_investigation("[bold]Markup[/] stays as typed", unit="ICU")
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=keys())


def test_overview(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=keys("enter"))


def test_intake_risk_section(snap_compare, demo_app):
    async def run_before(pilot) -> None:
        await keys("enter", "e")(pilot)
        pilot.app.screen.query_one("#severity_actual").focus()
        await still(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_intake_close_call(snap_compare, demo_app):
    """A near miss: the potential severity picker marked and scored, the sentinel box unticked
    by the rule and focused, its note, and both scores in the matrix."""

    async def run_before(pilot) -> None:
        await keys("enter", "e")(pilot)
        pilot.app.screen.query_one("#report_type").focus()
        await still(pilot)
        for key in ("enter", "n", "e", "a", "r", "enter"):
            await pilot.press(key)
        pilot.app.screen.query_one("#sentinel").focus()
        await still(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_intake_with_validation_errors(snap_compare, service):
    async def run_before(pilot) -> None:
        await keys("n")(pilot)
        pilot.app.screen.query_one("#occurred_at", Input).value = "31/02/2026"
        pilot.app.screen.query_one("#decision_at", Input).value = "next week"
        await pilot.press("ctrl+s")
        await still(pilot)

    assert snap_compare(make_app(service, today=TODAY), terminal_size=SIZE, run_before=run_before)


def test_team(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=keys("enter", "t"))


def test_timeline(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=keys("enter", "l"))


def test_help(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=keys("f1"))


LONG = (
    "The infusion pump drug library on the oncology unit had not been updated since the "
    "vendor's 2024 release, so the concentration for the new insulin product was missing and "
    "nurses had to program the pump in basic mode without dose limits"
)


@pytest.fixture
def long_text_app(service):
    inv = service.create_investigation("Insulin overdose on 6 North")
    event = service.add_cause(
        inv.id, "Patient received ten times the ordered insulin dose", kind="event"
    )
    for i, bone in enumerate(
        [
            "Patient",
            "Individual staff",
            "Task and technology",
            "Team (incl. communication)",
            "Work environment",
            "Organisation and management",
            "Institutional context",
        ]
    ):
        top = service.add_cause(
            inv.id,
            f"{LONG[: 40 + i * 25]} [b]x[/b]",
            category=bone,
            effect_id=event.id,
            kind="contributing" if i % 3 else "cause",
        )
        service.add_cause(inv.id, LONG, category=bone, effect_id=top.id, kind="root")
    app = make_app(service, today=TODAY)
    app._inv_id = inv.id
    return app


def open_fishbone(app_id_attr: str | None = None):
    async def run_before(pilot) -> None:
        from screens.fishbone import FishboneScreen

        await still(pilot)
        inv_id = getattr(pilot.app, "_inv_id", 1)
        pilot.app.push_screen(FishboneScreen(inv_id))
        await still(pilot)

    return run_before


def test_fishbone_short_texts_80x24(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=open_fishbone())


def test_fishbone_short_texts_160x48(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(160, 48), run_before=open_fishbone())


def test_fishbone_long_texts_80x24(snap_compare, long_text_app):
    assert snap_compare(long_text_app, terminal_size=SIZE, run_before=open_fishbone())


def test_fishbone_long_texts_160x48(snap_compare, long_text_app):
    assert snap_compare(long_text_app, terminal_size=(160, 48), run_before=open_fishbone())


def test_five_whys(snap_compare, demo_app):
    async def run_before(pilot) -> None:
        from screens.five_whys import FiveWhysScreen

        await still(pilot)
        pilot.app.push_screen(FiveWhysScreen(1, 5))  # from "the bed model needs a manual re-arm"
        await still(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_graph(snap_compare, demo_app):
    async def run_before(pilot) -> None:
        from screens.graph import GraphScreen

        await still(pilot)
        pilot.app.push_screen(GraphScreen(1))
        await still(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_action_tracker(snap_compare, service):
    """Every open action at 80x24, on a day when all of the demo plan is overdue."""
    service.import_document(demo_document(TODAY))
    app = make_app(service, today=TODAY + dt.timedelta(days=60))
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("t"))
