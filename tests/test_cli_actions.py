"""`rca actions`: the open actions of every investigation as a table or JSON, the filters, and
`--fail-if-overdue` for a cron job. The command judges against the real date, so the data is
dated far from it; the follow-up fields of the JSON are checked at a fixed day through the
service (`tracker_json`)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from rca_tui.cli import cli
from rca_tui.cli_actions import tracker_json

BOTH_BACKENDS = True

KEYS = {
    "investigation_id",
    "text",
    "strength",
    "owner",
    "due",
    "status",
    "overdue",
    "effectiveness",
    "measurements",
}


@pytest.fixture
def rca(url_for):
    runner = CliRunner()
    db = url_for("alice")
    return lambda *args: runner.invoke(cli, ["--db", db, "--user", "alice", *args])


@pytest.fixture
def plan(service):
    """Two investigations: one action long overdue, one due in ten years, one [bracketed]."""
    first = service.create_investigation("Fall on 4 West")
    late = service.add_action(
        first.id, "Re-arm bed alarms", owner="Dana Whitfield", due="2020-01-15"
    )
    second = service.create_investigation("Wrong-site block")
    far = dt.date.today() + dt.timedelta(days=3650)
    later = service.add_action(
        second.id, "[red]Stop[/red] before block", owner="Tom Okafor", due=far, strength="stronger"
    )
    return first, late, second, later


def test_the_json_list_and_its_filters(rca, plan):
    first, late, _, later = plan
    result = rca("actions", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["action_id"] for r in rows] == [late.id, later.id]  # by due date
    assert all(set(r) >= KEYS for r in rows)
    overdue = rows[0]
    assert (overdue["investigation_id"], overdue["text"], overdue["owner"]) == (
        first.id,
        "Re-arm bed alarms",
        "Dana Whitfield",
    )
    assert (overdue["due"], overdue["status"], overdue["overdue"]) == ("2020-01-15", "open", True)
    assert (overdue["effectiveness"], overdue["measurements"]) == (None, [])
    assert (rows[1]["overdue"], rows[1]["strength"]) == (False, "stronger")
    ids = lambda *opts: [r["action_id"] for r in json.loads(rca("actions", "--json", *opts).output)]  # noqa: E731
    assert ids("--owner", "okafor") == [later.id]
    assert ids("--overdue") == [late.id]
    assert ids("--due-within", "30") == [late.id]
    assert ids("--due-within", "4000") == [late.id, later.id]


def test_fail_if_overdue_for_a_cron_job(rca, plan):
    assert rca("actions", "--fail-if-overdue").exit_code == 1
    assert rca("actions", "--fail-if-overdue", "--owner", "Okafor").exit_code == 0
    assert rca("actions", "--overdue").exit_code == 0


def test_the_table_shows_text_as_typed(rca, plan):
    result = rca("actions")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["INV", "ACTION", "DUE", "LATE", "OWNER", "TEXT"]
    assert "[red]Stop[/red] before block" in result.output
    assert "2020-01-15" in lines[1] and "Re-arm bed alarms" in lines[1]
    assert rca("actions", "--owner", "nobody").output.strip() == "No open actions."


def test_follow_up_in_the_json(service, person):
    """Results, done dates and the verdict as a cron job reads them (a fixed today)."""
    from models.demo import add_demo

    service.add_user("rita", "reviewer")
    ivan, rita = person(service, "ivan"), person(service, "rita")
    inv = add_demo(ivan)
    inv = ivan.submit_for_review(inv.id, inv.version)
    for a in rita.list_actions(inv.id):
        rita.record_concurrence(a.id, a.version, "concur")
    rita.approve(inv.id, inv.version)
    a = rita.list_actions(inv.id)[1]
    today = a.measure.date + dt.timedelta(days=1)
    rita.record_implementation(a.id, a.version, done_on=a.due, today=today)
    rita.add_measurement(a.id, taken_on=a.measure.date, numerator=45, denominator=50, today=today)
    a = rita.record_effectiveness(a.id, None, "pending")
    row = next(r for r in tracker_json(rita.tracker(today=today)) if r["action_id"] == a.id)
    assert (row["done_on"], row["status"], row["effectiveness"]) == (
        a.due.isoformat(),
        "done",
        "pending",
    )
    assert row["measurements"] == [
        {
            "taken_on": a.measure.date.isoformat(),
            "value": None,
            "numerator": 45,
            "denominator": 50,
            "result": 90.0,
            "note": "",
            "entered_by": "rita",
        }
    ]
    assert row["next_measure_due"] is None


def test_rca_check_names_what_a_follow_up_finding_is_about(rca, service, person):
    from models.demo import add_demo

    service.add_user("rita", "reviewer")
    ivan, rita = person(service, "ivan"), person(service, "rita")
    inv = add_demo(ivan)
    inv = ivan.submit_for_review(inv.id, inv.version)
    for a in rita.list_actions(inv.id):
        rita.record_concurrence(a.id, a.version, "concur")
    rita.approve(inv.id, inv.version)
    result = rca("check", str(inv.id))
    assert result.exit_code == 0
    assert f"F-CLOSE-BLOCKED [investigation {inv.id}]: Cannot close: 4 actions" in result.output
    assert f"F-NO-FEEDBACK [investigation {inv.id}]" in result.output
