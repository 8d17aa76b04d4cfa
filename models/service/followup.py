"""Follow-up after approval: implementation, measurements, the effectiveness verdict, and the
one tracker of open actions across every investigation.

An approved investigation is read-only (`UnitOfWork.writable` refuses every ordinary write);
these calls are the one narrow path around that, and they are open only while it is approved:
before approval there is nothing to follow up, and once closed follow-up is over (reopen it).
Each is one transaction with its audit entries, checks the version it was given, and never
moves the investigation's status (it is touched, so lists show it changed):

- `record_implementation`: when the action was started and done (anyone who may write);
- `add_measurement`: one result against the target (anyone; the login is stored);
- `correct_measurement`: a result entered by mistake is superseded by a correction, with a
  reason (anyone who may add one). Results are evidence: the wrong one is kept, marked
  corrected (in the screen, the report, the trail), and no rule counts it;
- `record_effectiveness`: effective, not effective or pending, by the action's owner (the
  owner's text is the login) or a reviewer/admin;
- `close_action`: a reviewer or admin closes an action that is not verified effective, with a
  reason. Closing the investigation (`signoff.close`) needs every action resolved this way.

Follow-up entries are not in the undo history (that covers cause and link edits only): a wrong
measurement is corrected by `correct_measurement`; both stay in the trail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from models import review, values
from models.domain import Action, Measurement, TrackedAction
from models.errors import ValidationError
from models.service.actions import action_from, action_of
from models.service.core import Transaction, UnitOfWork, row_id, short
from models.tables import ActionRow, InvestigationRow, MeasurementRow
from models.vocab import ActionStatus, Concurrence, Effectiveness, Status

#: A keyword not given (so the stored value is kept), told apart from None (clear it).
UNSET: Any = object()


def followable(uow: UnitOfWork, tx: Transaction, action_id: int, version: int | None) -> ActionRow:
    """The action, if its investigation is approved (follow-up is open) and `version` is
    current; otherwise a message that says why and what to do."""
    row = uow.get(tx.s, ActionRow, action_id, "action")
    inv = uow.require_investigation(tx.s, row.investigation_id)
    if inv.status == Status.CLOSED:
        raise review.FrozenError(uow.frozen_message(tx.s, inv))
    if inv.status != Status.APPROVED:
        raise review.TransitionError(
            f"Follow-up is recorded once the investigation is approved (it is "
            f"{Status(inv.status).label}); until then, edit the action itself"
        )
    if row.concurrence == Concurrence.DO_NOT_CONCUR:
        raise ValidationError(
            f"Action '{short(row.text)}': leadership did not concur with it, so it is not "
            "carried out or followed up"
        )
    uow.check_version(tx.s, row, version, f"Action '{short(row.text)}'")
    return row


def _finish(uow: UnitOfWork, tx: Transaction, row: ActionRow, changed: list[str]) -> Action:
    if changed:
        tx.s.flush()
        uow.touch(tx, row.investigation_id)
    return action_of(uow, tx.s, row)


def record_implementation(
    uow: UnitOfWork,
    action_id: int,
    version: int | None,
    *,
    started_on: Any = UNSET,
    done_on: Any = UNSET,
    today: dt.date | None = None,
) -> Action:
    """Record when the action was started and done (a date each, none in the future; None or
    "" clears one, a date not given is kept). The status follows: started is in progress, done
    is done (a verdict is not undone)."""
    given = {
        n: v for n, v in (("started_on", started_on), ("done_on", done_on)) if v is not UNSET
    }
    data = values.normalise(values.FOLLOWUP, given)
    day = today or dt.date.today()
    for name, when in data.items():
        if when is not None and when > day:
            raise ValidationError(f"{name.replace('_', ' ')}: {when.isoformat()} is in the future")
    with uow.write() as tx:
        row = followable(uow, tx, action_id, version)
        started = data.get("started_on", row.started_on)
        done = data.get("done_on", row.done_on)
        if started and done and done < started:
            raise ValidationError("done on: is before the day it was started")
        status = ActionStatus(row.status)
        if status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE):
            status = (
                ActionStatus.DONE
                if done
                else ActionStatus.IN_PROGRESS
                if started
                else ActionStatus.OPEN
            )
        changed = uow.apply(
            tx, row, {**data, "status": status.value}, row.investigation_id, "action"
        )
        return _finish(uow, tx, row, changed)


def add_measurement(
    uow: UnitOfWork,
    action_id: int,
    *,
    taken_on: Any,
    value: Any = None,
    numerator: Any = None,
    denominator: Any = None,
    note: str = "",
    today: dt.date | None = None,
) -> Measurement:
    """One result of the action's measure: a value, or numerator of denominator (47 of 50)."""
    data = values.normalise(
        values.MEASUREMENT,
        {
            "taken_on": taken_on,
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "note": note,
        },
    )
    check_result(data, today or dt.date.today())
    with uow.write() as tx:
        action = followable(uow, tx, action_id, None)
        _row, shown = _add_result(tx, action, data, "")
        uow.touch(tx, action.investigation_id)
        return shown


def _add_result(
    tx: Transaction, action: ActionRow, data: dict[str, Any], also: str
) -> tuple[MeasurementRow, Measurement]:
    """A new result row of `action`, entered by whoever acts, with its audit entries."""
    row = MeasurementRow(
        investigation_id=action.investigation_id,
        action_id=row_id(action),
        entered_by=tx.login,
        entered_name=tx.name,
        entered_at=tx.at,
        **data,
    )
    tx.s.add(row)
    tx.s.flush()
    shown = Measurement.from_row(row)
    summary = f"{short(action.text)}: {shown.shown} on {row.taken_on.isoformat()}{also}"
    tx.created(action.investigation_id, "measurement", row, summary=summary)
    return row, shown


def correct_measurement(
    uow: UnitOfWork,
    measurement_id: int,
    *,
    reason: str,
    taken_on: Any,
    value: Any = None,
    numerator: Any = None,
    denominator: Any = None,
    note: str = "",
    today: dt.date | None = None,
) -> Measurement:
    """Correct a result entered by mistake: a new result of the same action, and the earlier
    one marked superseded by it with `reason`, in one transaction with their audit entries.
    A result already corrected is refused (correct its correction)."""
    reason = values.text("reason", reason, required=True)
    data = values.normalise(
        values.MEASUREMENT,
        {
            "taken_on": taken_on,
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "note": note,
        },
    )
    check_result(data, today or dt.date.today())
    with uow.write() as tx:
        wrong = uow.get(tx.s, MeasurementRow, measurement_id, "result")
        action = followable(uow, tx, wrong.action_id, None)
        earlier = Measurement.from_row(wrong)
        if earlier.superseded:
            raise ValidationError(
                f"The result {earlier.shown} of {earlier.taken_on.isoformat()} is already "
                "corrected: correct the correction instead"
            )
        row, shown = _add_result(
            tx,
            action,
            data,
            f", correcting {earlier.shown} on {earlier.taken_on.isoformat()}",
        )
        changes = {"superseded_by": row.id, "superseded_reason": reason}
        uow.apply(tx, wrong, changes, action.investigation_id, "measurement")
        tx.s.flush()
        uow.touch(tx, action.investigation_id)
        return shown


def check_result(data: dict[str, Any], today: dt.date) -> None:
    """A value, or a numerator with a denominator above 0 it does not exceed; not in the future."""
    num, den = data["numerator"], data["denominator"]
    if (num is None) != (den is None):
        raise ValidationError("numerator and denominator: give both, or a value instead")
    if num is not None:
        if den == 0:
            raise ValidationError("denominator: must be more than 0")
        if num > den:
            raise ValidationError(f"numerator: {num} is more than the denominator {den}")
        if data["value"] is not None:
            raise ValidationError("value: give a value or a numerator and denominator, not both")
    elif data["value"] is None:
        raise ValidationError("value: is required (or a numerator and denominator)")
    if data["taken_on"] > today:
        raise ValidationError(f"taken on: {data['taken_on'].isoformat()} is in the future")


def is_owner(login: str, owner: str) -> bool:
    """The action's owner is this login (the owner text names a login, in any case)."""
    return bool(owner.strip()) and owner.strip().casefold() == login.casefold()


def record_effectiveness(
    uow: UnitOfWork, action_id: int, version: int | None, verdict: str, note: str = ""
) -> Action:
    """The verdict on the action's effect, by its owner or a reviewer/admin. Not effective
    needs a note (what the results showed). Effective resolves the action."""
    data = values.normalise(values.FOLLOWUP, {"effectiveness": verdict, "effectiveness_note": note})
    if data["effectiveness"] is None:
        raise ValidationError("effectiveness: choose effective, not effective or pending")
    if (
        data["effectiveness"] == Effectiveness.NOT_EFFECTIVE
        and not data["effectiveness_note"].strip()
    ):
        raise ValidationError("note: is required when the action was not effective")
    with uow.write() as tx:
        row = followable(uow, tx, action_id, version)
        if not is_owner(tx.login, row.owner):
            owner = f" ({row.owner.strip()})" if row.owner.strip() else ""
            uow.require_role(
                tx.s, review.LEADERSHIP, f"give the verdict on an action they do not own{owner}"
            )
        status = {
            Effectiveness.EFFECTIVE: ActionStatus.VERIFIED,
            Effectiveness.NOT_EFFECTIVE: ActionStatus.NOT_EFFECTIVE,
        }.get(data["effectiveness"])
        if status is None:  # pending: back to what the implementation says
            status = ActionStatus.DONE if row.done_on else ActionStatus(row.status)
            if status in (ActionStatus.VERIFIED, ActionStatus.NOT_EFFECTIVE):
                status = ActionStatus.IN_PROGRESS if row.started_on else ActionStatus.OPEN
        data |= {
            "status": status.value,
            "effectiveness_by": tx.login,
            "effectiveness_name": tx.name,
            "effectiveness_at": tx.at,
        }
        changed = uow.apply(tx, row, data, row.investigation_id, "action")
        return _finish(uow, tx, row, changed)


def close_action(uow: UnitOfWork, action_id: int, version: int | None, reason: str) -> Action:
    """A reviewer or admin closes an action that is not verified effective, with a reason."""
    reason = values.text("reason", reason, required=True)
    with uow.write() as tx:
        row = followable(uow, tx, action_id, version)
        uow.require_role(tx.s, review.LEADERSHIP, "close an action without it being effective")
        changes = {"closed_reason": reason, "closed_by": tx.login, "closed_at": tx.at}
        changed = uow.apply(tx, row, changes, row.investigation_id, "action")
        return _finish(uow, tx, row, changed)


def measurements_in(s: Session, investigation_id: int) -> tuple[Measurement, ...]:
    rows = s.execute(
        select(MeasurementRow)
        .where(col(MeasurementRow.investigation_id) == investigation_id)
        .order_by(col(MeasurementRow.taken_on), col(MeasurementRow.id))
    ).scalars()
    return tuple(Measurement.from_row(r) for r in rows)


def list_measurements(uow: UnitOfWork, investigation_id: int) -> list[Measurement]:
    with uow.read() as s:
        uow.require_investigation(s, investigation_id)
        return list(measurements_in(s, investigation_id))


def forget_measurements(tx: Transaction, action: ActionRow) -> None:
    """An action is deleted (before approval): its results go with it, each in the trail."""
    rows = tx.s.execute(
        select(MeasurementRow).where(col(MeasurementRow.action_id) == action.id)
    ).scalars()
    for m in rows:
        tx.audit(action.investigation_id, "measurement", m.id, "delete", None, m.taken_on, None)
        tx.s.delete(m)


def tracker(uow: UnitOfWork, today: dt.date | None = None) -> list[TrackedAction]:
    """Every open action of every investigation not closed: not verified effective, not closed
    by a reviewer, and not an action leadership did not concur with. Ordered by due date. Three
    queries, whatever the number of investigations (the actions carry no `addresses`)."""
    from models.rules.followup_checks import days_overdue, next_measure_due, of_action

    day = today or dt.date.today()
    with uow.read() as s:
        invs = {
            r.id: r
            for r in s.execute(
                select(
                    col(InvestigationRow.id),
                    col(InvestigationRow.title),
                    col(InvestigationRow.status),
                ).where(col(InvestigationRow.status) != Status.CLOSED)
            )
        }
        rows = s.execute(
            select(ActionRow)
            .where(col(ActionRow.investigation_id).in_(invs))
            .order_by(col(ActionRow.investigation_id), col(ActionRow.id))
        ).scalars()
        actions = [action_from(r, ()) for r in rows]
        results = [
            Measurement.from_row(r)
            for r in s.execute(
                select(MeasurementRow).where(col(MeasurementRow.investigation_id).in_(invs))
            ).scalars()
        ]
    by_action: dict[int, list[Measurement]] = {}
    for m in results:
        by_action.setdefault(m.action_id, []).append(m)
    found: list[TrackedAction] = []
    for action in actions:
        if action.resolved or action.concurrence == Concurrence.DO_NOT_CONCUR:
            continue
        inv = invs[action.investigation_id]
        mine = tuple(of_action(by_action.get(action.id, ()), action.id))
        late = days_overdue(action, day)
        found.append(
            TrackedAction(
                investigation_id=inv.id,
                investigation_title=inv.title,
                investigation_status=inv.status,
                action=action,
                measurements=mine,
                overdue=late is not None,
                days_overdue=late,
                next_measure_due=next_measure_due(action, mine),
            )
        )
    far = dt.date.max
    return sorted(found, key=lambda t: (t.action.due or far, t.investigation_id, t.action.id))


__all__ = [
    "add_measurement",
    "close_action",
    "correct_measurement",
    "list_measurements",
    "record_effectiveness",
    "record_implementation",
    "tracker",
]
