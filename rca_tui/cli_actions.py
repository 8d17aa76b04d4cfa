"""`rca actions`: every open action of every investigation, for a hospital's own mail or cron job.

There is no mail server inside the app: a cron job runs `rca actions --overdue --json` (or
`--fail-if-overdue`, which exits 1 when any listed action is overdue) and mails what it prints.
The rows are `Service.tracker()`: actions not verified effective, not closed by a reviewer, and
not refused by leadership, of investigations not closed. `tracker_json` is the JSON shape, kept
apart so tests can build it for any day through the service.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Sequence
from typing import Any

import click


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def tracker_json(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """The tracker's rows as JSON objects (the shape `rca actions --json` prints)."""
    out = []
    for t in rows:
        a = t.action
        out.append(
            {
                "investigation_id": t.investigation_id,
                "investigation_title": t.investigation_title,
                "investigation_status": t.investigation_status,
                "action_id": a.id,
                "text": a.text,
                "strength": a.strength,
                "owner": a.owner,
                "due": _day(a.due),
                "status": a.status,
                "overdue": t.overdue,
                "days_overdue": t.days_overdue,
                "started_on": _day(a.started_on),
                "done_on": _day(a.done_on),
                "measure_target": a.measure.target,
                "measure_date": _day(a.measure.date),
                "next_measure_due": _day(t.next_measure_due),
                "effectiveness": a.effectiveness,
                "measurements": [
                    {
                        "taken_on": m.taken_on.isoformat(),
                        "value": m.value,
                        "numerator": m.numerator,
                        "denominator": m.denominator,
                        "result": m.result,
                        "note": m.note,
                        "entered_by": m.entered_by,
                    }
                    for m in t.measurements
                ],
            }
        )
    return out


def select_rows(
    rows: Sequence[Any],
    today: dt.date,
    *,
    owner: str | None = None,
    overdue: bool = False,
    due_within: int | None = None,
) -> list[Any]:
    """The rows the options ask for: owner text containing NAME (any case), overdue only, or
    due on or before today + DAYS (overdue ones included)."""
    picked = list(rows)
    if owner:
        wanted = owner.casefold()
        picked = [t for t in picked if wanted in t.action.owner.casefold()]
    if overdue:
        picked = [t for t in picked if t.overdue]
    if due_within is not None:
        limit = today + dt.timedelta(days=due_within)
        picked = [t for t in picked if t.overdue or (t.action.due and t.action.due <= limit)]
    return picked


@click.command(name="actions")
@click.option("--owner", metavar="NAME", help="Only actions whose owner contains NAME.")
@click.option("--overdue", is_flag=True, help="Only actions past their due date and not done.")
@click.option(
    "--due-within",
    type=click.IntRange(min=0),
    metavar="DAYS",
    help="Only actions due within DAYS days (overdue ones included).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option(
    "--fail-if-overdue", is_flag=True, help="Exit with status 1 when a listed action is overdue."
)
@click.pass_obj
def actions(
    obj: Any,
    owner: str | None,
    overdue: bool,
    due_within: int | None,
    as_json: bool,
    fail_if_overdue: bool,
) -> None:
    """List every open action of every investigation (the action tracker)."""
    from screens.visible import visible

    today = dt.date.today()
    rows = select_rows(
        obj.service().tracker(today=today),
        today,
        owner=owner,
        overdue=overdue,
        due_within=due_within,
    )
    if as_json:
        click.echo(json.dumps(tracker_json(rows), ensure_ascii=False, indent=2))
    elif not rows:
        click.echo("No open actions.")
    else:
        click.echo(f"{'INV':>4}  {'ACTION':>6}  {'DUE':10}  {'LATE':>4}  {'OWNER':20}  TEXT")
        for t in rows:
            a = t.action
            late = "" if t.days_overdue is None else str(t.days_overdue)
            owner_text = " ".join(visible(a.owner).split())[:20]
            text = " ".join(visible(a.text).split())
            due = _day(a.due) or "-"
            click.echo(
                f"{t.investigation_id:>4}  {a.id:>6}  {due:10}  {late:>4}  {owner_text:20}  {text}"
            )
    if fail_if_overdue and any(t.overdue for t in rows):
        sys.exit(1)
