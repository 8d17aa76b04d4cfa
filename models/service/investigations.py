"""Investigations: create, read, change and delete one investigation's own fields.

The SAC score and (on creation) the sentinel flag are derived here from the fields the user
gives (`derive`), with the rules of `models.rules.sac` and `models.rules.sentinel`. An approved
or closed investigation refuses every change (`UnitOfWork.writable`). The home list is a Core
query in `models.service` itself, so start-up needs no ORM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from models import review, values
from models.domain import Investigation
from models.import_rows import derive
from models.service.core import UnitOfWork, row_id, short
from models.tables import InvestigationRow
from models.vocab import Status

if TYPE_CHECKING:
    pass


def create_investigation(uow: UnitOfWork, title: str, **fields: Any) -> Investigation:
    data = values.normalise(values.INVESTIGATION, {"title": title, **fields})
    if "status" in data:
        review.check_status_edit(Status.DRAFT, data["status"])
    derive(data)
    with uow.write() as tx:
        row = InvestigationRow(
            **data, created_by=tx.login, updated_by=tx.login, created_at=tx.at, updated_at=tx.at
        )
        tx.s.add(row)
        tx.s.flush()
        tx.created(row.id, "investigation", row)
        result = Investigation.from_row(row)
    return result


def get_investigation(uow: UnitOfWork, investigation_id: int) -> Investigation:
    with uow.read() as s:
        return Investigation.from_row(uow.require_investigation(s, investigation_id))


def update_investigation(
    uow: UnitOfWork, investigation_id: int, version: int | None, **changes: Any
) -> Investigation:
    data = values.normalise(values.INVESTIGATION, changes)
    with uow.write() as tx:
        row = uow.writable(tx.s, investigation_id)
        uow.check_version(tx.s, row, version, f"Investigation '{short(row.title)}'")
        if "status" in data:
            review.check_status_edit(row.status, data["status"])
        derive(data, row)
        changed = uow.apply(tx, row, data, row_id(row), "investigation")
        if changed:
            row.updated_at, row.updated_by = tx.at, tx.login
            tx.s.flush()
        result = Investigation.from_row(row)
    return result


def delete_investigation(
    uow: UnitOfWork, investigation_id: int, version: int | None = None
) -> None:
    with uow.write() as tx:
        row = uow.writable(tx.s, investigation_id)
        uow.check_version(tx.s, row, version, f"Investigation '{short(row.title)}'")
        tx.audit(row.id, "investigation", row.id, "delete", None, row.title, None)
        tx.s.delete(row)
        tx.after_commit.append(lambda: uow.forget_graph(investigation_id))
