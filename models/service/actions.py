"""The action plan: actions, the root causes each addresses, their measure, and concurrence.

Leadership concurrence recorded on an action is withdrawn when what was concurred with changes
(`CONCURRED_FIELDS`, or the causes it addresses), so leadership is asked again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlmodel import Session, col

from models import review, values
from models.domain import (
    Action,
    Measure,
)
from models.errors import ValidationError
from models.import_rows import MEASURE_FIELDS, flatten_action
from models.service.core import Transaction, UnitOfWork, row_id, short
from models.tables import (
    ActionCauseRow,
    ActionRow,
    CauseRow,
)
from models.vocab import Concurrence

if TYPE_CHECKING:
    pass


#: Action fields whose change withdraws a recorded concurrence: leadership concurred with the
#: action as it was, so it is asked again.
CONCURRED_FIELDS = frozenset(
    {"text", "strength", "hierarchy_category", "owner", "due"}
    | {f"measure_{n}" for n in MEASURE_FIELDS}
)


def action_of(uow: UnitOfWork, s: Session, row: ActionRow) -> Action:
    addresses = tuple(
        s.execute(
            select(col(ActionCauseRow.cause_id))
            .where(col(ActionCauseRow.action_id) == row.id)
            .order_by(col(ActionCauseRow.cause_id))
        ).scalars()
    )
    return action_from(row, addresses)


def action_from(row: Any, addresses: tuple[int, ...]) -> Action:
    measure = Measure(*(getattr(row, f"measure_{n}") for n in MEASURE_FIELDS))
    return Action.from_row(row, addresses=addresses, measure=measure)


def list_actions(uow: UnitOfWork, investigation_id: int) -> list[Action]:
    with uow.read() as s:
        rows = list(
            s.execute(
                select(ActionRow)
                .where(col(ActionRow.investigation_id) == investigation_id)
                .order_by(col(ActionRow.id))
            ).scalars()
        )
        pairs = s.execute(
            select(col(ActionCauseRow.action_id), col(ActionCauseRow.cause_id))
            .join(ActionRow, col(ActionRow.id) == col(ActionCauseRow.action_id))
            .where(col(ActionRow.investigation_id) == investigation_id)
            .order_by(col(ActionCauseRow.cause_id))
        ).all()
        by_action: dict[int, list[int]] = {}
        for action_id, cause_id in pairs:
            by_action.setdefault(action_id, []).append(cause_id)
        return [action_from(r, tuple(by_action.get(r.id, ()))) for r in rows]


def set_addresses(
    uow: UnitOfWork, tx: Transaction, row: ActionRow, addresses: Iterable[int]
) -> bool:
    """Make the action address exactly these causes; True if that changed anything."""
    wanted = set(addresses)
    if wanted:
        found = set(
            tx.s.execute(
                select(col(CauseRow.id)).where(
                    col(CauseRow.id).in_(wanted),
                    col(CauseRow.investigation_id) == row.investigation_id,
                )
            ).scalars()
        )
        missing = sorted(wanted - found)
        if missing:
            raise ValidationError(
                f"addresses: no cause with id {', '.join(map(str, missing))} in this investigation"
            )
    current = set(
        tx.s.execute(
            select(col(ActionCauseRow.cause_id)).where(col(ActionCauseRow.action_id) == row.id)
        ).scalars()
    )
    for cause_id in sorted(wanted - current):
        tx.s.add(ActionCauseRow(action_id=row_id(row), cause_id=cause_id))
        tx.audit(row.investigation_id, "action", row.id, "update", "addresses", None, cause_id)
    for cause_id in sorted(current - wanted):
        tx.s.execute(
            delete(ActionCauseRow).where(
                col(ActionCauseRow.action_id) == row.id, col(ActionCauseRow.cause_id) == cause_id
            )
        )
        tx.audit(row.investigation_id, "action", row.id, "update", "addresses", cause_id, None)
    return wanted != current


def check_concurrence(
    uow: UnitOfWork,
    tx: Transaction,
    investigation_id: int,
    data: dict[str, Any],
    row: ActionRow | None,
) -> None:
    """Concurrence set through add/update_action: leadership only, reason for a refusal."""
    new = data.get("concurrence", row.concurrence if row is not None else None)
    reason = data.get("concurrence_reason", row.concurrence_reason if row is not None else "")
    touched = [
        n
        for n in ("concurrence", "concurrence_reason")
        if n in data and (row is None or data[n] != getattr(row, n))
    ]
    if not touched or (row is None and not new and not reason.strip()):
        return
    uow.require_role(tx.s, review.CONCUR_ROLES, "record concurrence with an action")
    if new:
        from models.service import duties

        role = uow.role_in(tx.s)
        duties.check(uow, tx, investigation_id, role, "concur with its actions", None)
    if new == Concurrence.DO_NOT_CONCUR and not reason.strip():
        raise ValidationError("concurrence reason: is required when you do not concur")
    data["concurrence_by"] = tx.login if new else ""
    data["concurrence_name"] = tx.name if new else ""
    data["concurrence_at"] = tx.at if new else None


def withdraw_concurrence(uow: UnitOfWork, tx: Transaction, row: ActionRow) -> None:
    """The action changed after leadership decided on it: ask leadership again."""
    uow.apply(
        tx,
        row,
        {
            "concurrence": None,
            "concurrence_reason": "",
            "concurrence_by": "",
            "concurrence_name": "",
            "concurrence_override": "",
            "concurrence_at": None,
        },
        row.investigation_id,
        "action",
    )


def add_action(
    uow: UnitOfWork,
    investigation_id: int,
    text: str,
    *,
    addresses: Sequence[int] = (),
    **fields: Any,
) -> Action:
    fields = flatten_action(fields)
    fields.setdefault("status", "open")
    data = values.normalise(values.ACTION, {"text": text, **fields})
    with uow.write() as tx:
        uow.writable(tx.s, investigation_id)
        check_concurrence(uow, tx, investigation_id, data, None)
        row = ActionRow(investigation_id=investigation_id, **data)
        tx.s.add(row)
        tx.s.flush()
        tx.created(investigation_id, "action", row)
        set_addresses(uow, tx, row, addresses)
        tx.s.flush()
        uow.touch(tx, investigation_id)
        return action_of(uow, tx.s, row)


def update_action(
    uow: UnitOfWork,
    action_id: int,
    version: int | None,
    *,
    addresses: Sequence[int] | None = None,
    **changes: Any,
) -> Action:
    """Change an action. Leadership concurrence recorded earlier is withdrawn when what was
    concurred with changes (text, strength, owner, due date, measure, causes addressed)."""
    data = values.normalise(values.ACTION, flatten_action(changes))
    with uow.write() as tx:
        row = uow.get(tx.s, ActionRow, action_id, "action")
        uow.writable(tx.s, row.investigation_id)
        uow.check_version(tx.s, row, version, f"Action '{short(row.text)}'")
        check_concurrence(uow, tx, row.investigation_id, data, row)
        had = row.concurrence is not None
        changed = uow.apply(tx, row, data, row.investigation_id, "action")
        moved = addresses is not None and set_addresses(uow, tx, row, addresses)
        if had and "concurrence" not in changed and (moved or CONCURRED_FIELDS & set(changed)):
            withdraw_concurrence(uow, tx, row)
        if changed or addresses is not None:
            tx.s.flush()
            uow.touch(tx, row.investigation_id)
        return action_of(uow, tx.s, row)


def delete_action(uow: UnitOfWork, action_id: int) -> None:
    from models.service.followup import forget_measurements

    with uow.write() as tx:
        row = uow.get(tx.s, ActionRow, action_id, "action")
        inv = row.investigation_id
        uow.writable(tx.s, inv)
        forget_measurements(tx, row)
        tx.audit(inv, "action", action_id, "delete", None, row.text, None)
        tx.s.delete(row)
        tx.s.flush()
        uow.touch(tx, inv)
