"""The home list, the audit trail and the overview, driven with the keyboard at 80x24 and 160x48.

Every key of these three screens is pressed here (or in test_tui.py / test_tui_export_audit.py)
and what it did is checked: the filter that types as fast as a person can, its shortcuts, the
columns that leave the title room, finished investigations that are never overdue, and the
findings that say their code once.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from textual import events
from textual.widgets import DataTable, Input, Static

from models.demo import demo_document
from rca_tui.app import make_app
from screens.actions import ActionsScreen
from screens.audit import AuditScreen
from screens.export import ExportDialog
from screens.fishbone import FishboneScreen
from screens.five_whys import FiveWhysScreen
from screens.graph import GraphScreen
from screens.help import HelpScreen
from screens.home import HomeScreen, column_widths
from screens.intake import IntakeScreen
from screens.overview import OverviewScreen
from screens.review import ReviewScreen
from screens.team import TeamScreen
from screens.timeline import TimelineScreen

TODAY = dt.date(2026, 11, 30)
TITLES = (
    ("Fall on 4W", "4W"),
    ("Insulin overdose on ICU after a verbal order was misheard", "ICU"),
    ("Fall in radiology", "XR"),
    ("Sepsis missed in the emergency department", "ED"),
)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def burst(pilot, text: str) -> None:
    """Keys as a terminal delivers fast typing over SSH: all at once, nothing waited for in
    between (pilot.press lets the app settle after each key)."""
    names = {"/": "slash", " ": "space"}
    for character in text:
        key = events.Key(names.get(character, character), character)
        key.set_sender(pilot.app)
        pilot.app._driver.send_message(key)
    await settle(pilot)


def titles(table: DataTable) -> list[str]:
    return [table.get_row_at(i)[0].plain for i in range(table.row_count)]


def footer_keys(screen) -> set[str]:
    return {key for key, active in screen.active_bindings.items() if active.binding.show}


@pytest.fixture
def listed(service):
    for title, unit in TITLES:
        service.create_investigation(title, unit=unit)
    return service


# --- the filter ----------------------------------------------------------------------------------
async def test_typing_fast_keeps_every_letter_and_filters(listed):
    app = make_app(listed, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        table = home.query_one(DataTable)
        box = home.query_one("#filter", Input)
        # One burst, no pause between the keys; n and s are shortcuts of this screen.
        await pilot.press(*"insulin")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)  # n did not open a new investigation
        assert box.value == "insulin"
        assert [t[:16] for t in titles(table)] == ["Insulin overdose"]
        assert "filter: insulin" in str(home.query_one("#status-line", Static).render())
        # While it holds text the letter keys are not offered; Esc clears it instead of Back.
        assert "n" not in footer_keys(home) and "s" not in footer_keys(home)
        assert home.active_bindings["escape"].binding.action == "clear_filter"
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        await settle(pilot)
        assert box.value == "ins"
        await pilot.press("space", *"over")  # a space in the filter: two words, both must match
        await settle(pilot)
        assert box.value == "ins over" and table.row_count == 1
        await pilot.press("enter")  # the list kept the focus: Enter opens the row
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert app.screen.title.startswith("Insulin overdose")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")  # clears the filter
        await settle(pilot)
        assert box.value == "" and table.row_count == len(TITLES)
        assert {"n", "s"} <= footer_keys(home)
        await pilot.press("escape")  # nothing to clear: Esc does what it did (home stays)
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and table.row_count == len(TITLES)


async def test_shortcuts_work_on_an_empty_filter_and_slash_types_them(listed):
    app = make_app(listed, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        table = home.query_one(DataTable)
        box = home.query_one("#filter", Input)
        await pilot.press("s", "s", "s")  # days left -> SAC -> event -> title
        await settle(pilot)
        assert [t[:10] for t in titles(table)] == [t[:10] for t in sorted(t for t, _ in TITLES)]
        assert box.value == ""
        # / first: a filter that starts with a shortcut letter, typed at once.
        await pilot.press("slash", *"sepsis")
        await settle(pilot)
        assert box.value == "sepsis"
        assert [t[:13] for t in titles(table)] == ["Sepsis missed"]
        assert "sorted by title" in str(home.query_one("#status-line", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        # The same as a burst, the way a fast typist's keys arrive: / must win over s.
        await burst(pilot, "/sepsis")
        assert box.value == "sepsis"
        assert "sorted by title" in str(home.query_one("#status-line", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        await burst(pilot, "insulin")
        assert box.value == "insulin"
        await pilot.press("escape", "n")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)


async def test_reload_shows_what_another_program_added(listed):
    app = make_app(listed, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        listed.create_investigation("Added by rca import")
        assert table.row_count == len(TITLES)
        await pilot.press("r")
        await settle(pilot)
        assert "Added by rca import" in titles(table)


async def test_help_says_how_filter_and_shortcuts_share_the_letters(listed):
    app = make_app(listed, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        note = str(app.screen.query_one("#help-note", Static).render())
        assert "g, n, r, s and t are keys of this screen" in note and "/ starts it" in note


async def test_audit_trail_filters_as_you_type_like_home(service):
    inv = service.import_document(demo_document(TODAY))
    service.update_investigation(inv.id, None, unit="Ventilated unit")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "a")
        await settle(pilot)
        audit = app.screen
        assert isinstance(audit, AuditScreen)
        table = audit.query_one(DataTable)
        everything = table.row_count
        box = audit.query_one("#filter", Input)
        await pilot.press("v")  # v is this screen's key while the filter is empty
        await settle(pilot)
        assert box.value == "" and isinstance(app.screen, AuditScreen)
        assert [n.message for n in app._notifications] == [
            "Audit trail intact: every entry matches its hash."
        ]
        await pilot.press("escape")  # no filter: Esc goes back, as it always did
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        await pilot.press("a")
        await settle(pilot)
        audit = app.screen
        table = audit.query_one(DataTable)
        box = audit.query_one("#filter", Input)
        await pilot.press(*"unit ventilated")  # typing starts the filter; v then types
        await settle(pilot)
        assert box.value == "unit ventilated"
        assert table.row_count == 1
        assert "to:   Ventilated unit" in str(audit.query_one("#detail", Static).render())
        assert "v" not in footer_keys(audit)
        await pilot.press("backspace")
        await settle(pilot)
        assert box.value == "unit ventilate" and table.row_count == 1
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        assert box.value == "" and table.row_count == everything
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)


# --- the columns ---------------------------------------------------------------------------------
def test_the_title_gets_the_room():
    at80, at160 = column_widths(80), column_widths(160)
    assert at80["title"] - 1 >= 30  # was 21
    assert at160["title"] - 1 >= 85
    for width, widths in ((80, at80), (160, at160)):
        assert 1 + sum(widths.values()) + 2 <= width  # margin, columns, scroll bar


@pytest.mark.parametrize(("size", "shown"), [((80, 24), 30), ((160, 48), 85)])
async def test_home_titles_fit_the_terminal(service, size, shown):
    long = "Wrong-site surgery: left knee arthroscopy on a patient booked for the right knee"
    service.create_investigation(long[:shown], unit="Day surgery unit, theatre 3")
    service.create_investigation(long + " and a second patient the same week, same list")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        cells = titles(table)
        assert long[:shown].rstrip() in cells  # in full
        assert any(c.endswith("…") and len(c) >= shown for c in cells)
        assert table.virtual_size.width <= table.size.width  # no sideways scrolling
        status = [table.get_row_at(i)[4].plain for i in range(table.row_count)]
        assert status == ["Draft", "Draft"]


# --- deadlines -----------------------------------------------------------------------------------
def finished_document(status: str) -> dict:
    doc = copy.deepcopy(demo_document(TODAY))
    inv = doc["investigation"]
    inv.update(
        title=f"Old {status} fall",
        status=status,
        occurred_at="2006-01-10T10:00:00",
        discovered_at="2006-01-10T10:05:00",
        decision_at="2006-01-11T09:00:00",
    )
    doc["signoffs"] = [
        {"role": "reviewer", "name": "cmo", "decision": "approved", "at": "2006-03-01T10:00:00"}
    ]
    if status == "closed":
        doc["signoffs"].append(
            {"role": "reviewer", "name": "cmo", "decision": "closed", "at": "2006-09-01T10:00:00"}
        )
    return doc


@pytest.mark.parametrize(
    ("status", "said"), [("approved", "Approved 2006-03-01"), ("closed", "Closed 2006-09-01")]
)
async def test_a_finished_investigation_is_never_overdue(service, db_path, status, said):
    import sqlite3

    inv = service.import_document(finished_document(status))  # arrives in the action plan
    # Set-up: finished long ago, as its sign-offs say (the app would need 2006's clock).
    con = sqlite3.connect(db_path)
    con.execute("UPDATE investigation SET status = ? WHERE id = ?", (status, inv.id))
    con.commit()
    con.close()
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        row = app.screen.query_one(DataTable).get_row_at(0)
        assert row[5].plain == "done"
        assert "overdue" not in str(app.screen.query_one("#status-line", Static).render())
        await pilot.press("enter")
        await settle(pilot)
        summary = app.screen.query_one("#summary", Static).render()
        assert f"{said} (it was due 2006-02-25)" in str(summary)
        assert "overdue" not in str(summary).lower()
        assert not any("red" in str(span.style) for span in summary.spans)


async def test_deadlines_read_as_people_say_them(service):
    service.create_investigation(
        "Old fall", occurred_at="2026-09-01 10:00", decision_at="2026-09-02 10:00"
    )
    service.create_investigation("Recent fall", decision_at="2026-11-27 10:00")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert [table.get_row_at(i)[5].plain for i in range(2)] == ["6w OVERDUE", "6w left"]
        await pilot.press("enter")
        await settle(pilot)
        summary = str(app.screen.query_one("#summary", Static).render())
        assert "Due 2026-10-17 (6 weeks overdue)" in summary  # 44 days


# --- the overview --------------------------------------------------------------------------------
async def test_findings_say_their_code_once(service):
    inv = service.create_investigation("Missed insulin dose")
    event = service.add_cause(inv.id, "Missed insulin dose", kind="event")
    service.add_cause(inv.id, "Inadequate staffing at night", effect_id=event.id, kind="root")
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        findings = app.screen.query_one("#findings")
        text = findings.plain
        drawn = " ".join(" ".join(line.text.split()) for line in findings.lines)
        assert "R1: root cause 'Inadequate staffing at night' has no causal" in drawn  # on screen
        assert "R1: root cause 'Inadequate staffing at night' has no causal statement" in text
        assert "R2: 'Inadequate staffing at night' uses a negative descriptor" in text
        for code in ("R1", "R2"):
            assert f"{code}: {code}" not in text


OVERVIEW_KEYS = [
    ("e", IntakeScreen),
    ("t", TeamScreen),
    ("l", TimelineScreen),
    ("f", FishboneScreen),
    ("w", FiveWhysScreen),
    ("g", GraphScreen),
    ("p", ActionsScreen),
    ("v", ReviewScreen),
    ("a", AuditScreen),
    ("x", ExportDialog),
    ("3", TimelineScreen),
    ("enter", IntakeScreen),  # the step under the cursor: the first
]


async def test_every_overview_key_opens_its_screen(service):
    inv = service.import_document(demo_document(TODAY))
    app = make_app(service, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        overview = app.screen
        assert isinstance(overview, OverviewScreen)
        for key, expected in OVERVIEW_KEYS:
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, expected), key
            app.pop_screen()
            await settle(pilot)
            assert app.screen is overview, key
        service.update_investigation(inv.id, None, title="Renamed by a colleague")
        await pilot.press("r")
        await settle(pilot)
        assert overview.title == "Renamed by a colleague"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert titles(app.screen.query_one(DataTable)) == ["Renamed by a colleague"]
