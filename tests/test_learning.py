"""The learning screen and its numbers: counts on a generated set, the program's quality
(weak-only root causes, strength mix, approvals on time, days to approval, open and overdue
actions, recurring codes), the screen's keys, drill-down to an investigation, and charts that
read in 16 colours and under NO_COLOR."""

from __future__ import annotations

import datetime as dt

import pytest
from learning_set import create, plan
from test_terminal_colours import BACKGROUNDS, cells, unreadable

from models.learning import action_totals, approvals, weak_only
from models.rules.deadlines import default_policy
from rca_tui.app import make_app
from screens.charts import bar, sparkline

BOTH_BACKENDS = True
TODAY = dt.date(2026, 11, 30)


def test_bars_and_sparklines_carry_the_number_in_their_length():
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██"
    assert bar(1, 1000, 4) == "▏"  # a small count is never drawn as none
    assert bar(0, 10, 4) == ""
    assert sparkline([0, 0.5, 1.0, None]) == "▁▄█·"


def test_program_quality_numbers_by_hand():
    quarters, units = weak_only(
        [
            (2026, 1, "ICU", 2, 1),  # two root causes with actions, one weak only
            (2026, 2, "4 West", 1, 1),
            (2026, 4, "ICU", 1, 0),
        ]
    )
    assert [(k, s.part, s.whole) for k, s in quarters] == [("2026-Q1", 2, 3), ("2026-Q2", 0, 1)]
    assert [(k, s.part, s.whole) for k, s in units] == [("ICU", 1, 3), ("4 West", 1, 1)]
    mix, open_n, overdue = action_totals(
        [
            ("weaker", "done", 1, 1),  # done: never overdue
            ("stronger", "open", 2, 1),
            (None, "in_progress", 1, 0),
            ("intermediate", "verified_effective", 1, 0),
        ]
    )
    assert mix == {"weaker": 1, "stronger": 2, "unrated": 1, "intermediate": 1}
    assert (open_n, overdue) == (3, 1)
    at = dt.datetime(2026, 1, 5, 9)
    feb = dt.datetime(2026, 2, 2, 9)
    apr = dt.datetime(2026, 4, 1, 9)
    on_target, sentinel, days = approvals(
        [
            (1, at, at, at, False, dt.datetime(2026, 1, 25, 10)),  # 20 days: on target
            (2, feb, feb, feb, True, dt.datetime(2026, 5, 1, 10)),  # 88 days: late for both
            (3, apr, apr, apr, False, dt.datetime(2026, 4, 11, 10)),  # 10 days
        ],
        default_policy().deadlines,
    )
    assert (on_target.part, on_target.whole) == (2, 3)
    assert (sentinel.part, sentinel.whole) == (0, 1)
    assert days == pytest.approx(20 + 1 / 24)


@pytest.fixture
def generated(service):
    planned = plan(12)
    return planned, create(service, planned)


def test_service_counts_the_generated_set(service, generated):
    planned, ids = generated
    inv = ids[0]
    root = next(c for c in service.list_causes(inv) if c.kind == "root")
    service.add_action(inv, "Remove the look-alike vials", addresses=[root.id], strength="stronger",
                       due=dt.date(2026, 1, 1))  # fmt: skip
    service.add_action(inv, "Train staff", addresses=[root.id], strength="weaker")
    other = next(c for c in service.list_causes(ids[1]) if c.kind == "root")
    service.add_action(ids[1], "Memo", addresses=[other.id], strength="weaker")
    data = service.learning(today=TODAY)
    assert data.total == 12
    assert sum(r.investigations for r in data.counts["period"]) == 12
    by_type = {r.key: r.investigations for r in data.counts["event_type"]}
    assert by_type == {"fall": 4, "medication": 4, "surgery": 4}
    lasa = next(r for r in data.counts["code"] if r.key == "TJC-MED.LASA")
    lasa_ids = sorted(ids[p.index] for p in planned if p.index % 3 == 0 or p.index % 4 == 0)
    assert lasa.investigations == len(lasa_ids) == 6
    assert [i.id for i in service.trend_behind("code", "TJC-MED.LASA")] == lasa_ids
    assert {r.key for r in data.recurring_codes} == {"TJC-MED.LASA", "LP-TASK", "TJC-COMM"}
    assert data.strength_mix == {"stronger": 1, "weaker": 2}
    assert (data.open_actions, data.overdue_actions) == (3, 1)
    weak = {k: (s.part, s.whole) for k, s in data.weak_only_by_quarter}
    assert sum(p for p, _ in weak.values()) == 1 and sum(w for _, w in weak.values()) == 2


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_every_key_of_the_learning_screen(service, generated):
    from textual.widgets import DataTable

    from screens.learning import VIEWS, InvestigationsScreen, LearningScreen
    from screens.overview import OverviewScreen

    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LearningScreen)
        table = screen.query_one("#counts", DataTable)
        assert table.row_count == len(screen.data.counts["period"])
        seen = [screen.view]
        for _ in VIEWS[1:]:
            await pilot.press("d")
            await pilot.pause()
            seen.append(screen.view)
        assert seen == [v for v, _ in VIEWS]
        await pilot.press("d")  # back to the periods
        await pilot.press("p")
        await settle(pilot)
        assert screen.period == "month"
        assert table.row_count == len(screen.data.counts["period"])
        await pilot.press("r")
        await settle(pilot)
        # by event type: the first row holds 4 investigations; Enter lists them
        await pilot.press("d")
        await pilot.pause()
        assert screen.view == "event_type"
        first = screen.data.counts["event_type"][0]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InvestigationsScreen)
        assert app.screen.query_one("#behind", DataTable).row_count == first.investigations == 4
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert app.screen.investigation_id == service.trend_behind("event_type", first.key)[0].id
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "HomeScreen"


@pytest.mark.parametrize("no_color", [False, True])
async def test_the_learning_screen_reads_in_16_colours_and_no_color(
    service, generated, monkeypatch, no_color
):
    from rich.color import ColorType

    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        for _ in range(3):
            for background in BACKGROUNDS:
                assert not unreadable(app, background), background
            if no_color:
                for _text, style in cells(app):
                    colours = (style.color, style.bgcolor) if style else ()
                    assert all(c is None or c.type == ColorType.DEFAULT for c in colours)
            await pilot.press("d")
            await pilot.pause()
        text = "".join(t for t, _ in cells(app))
        assert "█" in text  # the bars are characters, not colours
