"""The RCA team charter and the timeline of the event: members and entries, in their order.

Both are lists the investigator orders by hand (`position`); a move rewrites the positions and
audits the one entry that moved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlmodel import col

from models import values
from models.domain import (
    TeamMember,
    TimelineEntry,
)
from models.errors import ValidationError
from models.service.core import UnitOfWork, short
from models.tables import (
    TeamMemberRow,
    TimelineEntryRow,
)

if TYPE_CHECKING:
    pass


def list_team(uow: UnitOfWork, investigation_id: int) -> list[TeamMember]:
    with uow.read() as s:
        rows = s.execute(
            select(TeamMemberRow)
            .where(col(TeamMemberRow.investigation_id) == investigation_id)
            .order_by(col(TeamMemberRow.position), col(TeamMemberRow.id))
        ).scalars()
        return [TeamMember.from_row(r) for r in rows]


def add_member(
    uow: UnitOfWork, investigation_id: int, name: str, role: str = "other", **fields
) -> TeamMember:
    data = values.normalise(values.TEAM_MEMBER, {"name": name, "role": role, **fields})
    with uow.write() as tx:
        uow.writable(tx.s, investigation_id)
        position = uow.next_position(tx.s, TeamMemberRow, investigation_id)
        row = TeamMemberRow(investigation_id=investigation_id, position=position, **data)
        tx.s.add(row)
        tx.s.flush()
        tx.created(investigation_id, "team_member", row)
        uow.touch(tx, investigation_id)
        return TeamMember.from_row(row)


def update_member(
    uow: UnitOfWork, member_id: int, version: int | None, **changes: Any
) -> TeamMember:
    data = values.normalise(values.TEAM_MEMBER, changes)
    with uow.write() as tx:
        row = uow.get(tx.s, TeamMemberRow, member_id, "team member")
        uow.writable(tx.s, row.investigation_id)
        uow.check_version(tx.s, row, version, f"Team member '{short(row.name)}'")
        if uow.apply(tx, row, data, row.investigation_id, "team_member"):
            tx.s.flush()
            uow.touch(tx, row.investigation_id)
        return TeamMember.from_row(row)


def remove_member(uow: UnitOfWork, member_id: int) -> None:
    uow.delete_simple(TeamMemberRow, member_id, "team member", "team_member", "name")


def list_timeline(uow: UnitOfWork, investigation_id: int) -> list[TimelineEntry]:
    with uow.read() as s:
        rows = s.execute(
            select(TimelineEntryRow)
            .where(col(TimelineEntryRow.investigation_id) == investigation_id)
            .order_by(col(TimelineEntryRow.position), col(TimelineEntryRow.id))
        ).scalars()
        return [TimelineEntry.from_row(r) for r in rows]


def add_entry(uow: UnitOfWork, investigation_id: int, **fields: Any) -> TimelineEntry:
    data = values.normalise(values.TIMELINE_ENTRY, fields)
    if not (data.get("happened") or "").strip():
        raise ValidationError("what happened: is required")
    with uow.write() as tx:
        uow.writable(tx.s, investigation_id)
        position = uow.next_position(tx.s, TimelineEntryRow, investigation_id)
        row = TimelineEntryRow(investigation_id=investigation_id, position=position, **data)
        tx.s.add(row)
        tx.s.flush()
        tx.created(investigation_id, "timeline_entry", row)
        uow.touch(tx, investigation_id)
        return TimelineEntry.from_row(row)


def update_entry(
    uow: UnitOfWork, entry_id: int, version: int | None, **changes: Any
) -> TimelineEntry:
    data = values.normalise(values.TIMELINE_ENTRY, changes)
    if "happened" in data and not data["happened"].strip():
        raise ValidationError("what happened: is required")
    with uow.write() as tx:
        row = uow.get(tx.s, TimelineEntryRow, entry_id, "timeline entry")
        uow.writable(tx.s, row.investigation_id)
        uow.check_version(tx.s, row, version, "This timeline entry")
        if uow.apply(tx, row, data, row.investigation_id, "timeline_entry"):
            tx.s.flush()
            uow.touch(tx, row.investigation_id)
        return TimelineEntry.from_row(row)


def move_entry(uow: UnitOfWork, entry_id: int, offset: int) -> list[TimelineEntry]:
    """Move an entry up (negative) or down the list; returns the timeline in its new order."""
    with uow.write() as tx:
        row = uow.get(tx.s, TimelineEntryRow, entry_id, "timeline entry")
        uow.writable(tx.s, row.investigation_id)
        inv = row.investigation_id
        rows = list(
            tx.s.execute(
                select(TimelineEntryRow)
                .where(col(TimelineEntryRow.investigation_id) == inv)
                .order_by(col(TimelineEntryRow.position), col(TimelineEntryRow.id))
            ).scalars()
        )
        index = next(i for i, r in enumerate(rows) if r.id == entry_id)
        target = max(0, min(len(rows) - 1, index + offset))
        if target != index:
            rows.insert(target, rows.pop(index))
            for position, r in enumerate(rows):
                if r.position != position:
                    if r.id == entry_id:
                        tx.audit(inv, "timeline_entry", r.id, "update", "position", index, target)
                    r.position = position
            tx.s.flush()
            uow.touch(tx, inv)
        return [TimelineEntry.from_row(r) for r in rows]


def delete_entry(uow: UnitOfWork, entry_id: int) -> None:
    uow.delete_simple(TimelineEntryRow, entry_id, "timeline entry", "timeline_entry", "happened")
