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
from models.rules import sac
from models.rules.sentinel import suggests_sentinel
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


def derive(data: dict[str, Any], current: InvestigationRow | None = None) -> None:
    """Fill the derived fields: the SAC score (`sac.assess`: for an incident the higher of
    the actual and potential scores) and, on creation, the sentinel default."""

    def pick(name: str) -> Any:
        if name in data:
            return data[name]
        return getattr(current, name) if current is not None else None

    data["sac_score"] = sac.sac_score(
        pick("report_type"),
        pick("severity_actual"),
        pick("severity_potential"),
        pick("probability"),
    )
    if current is None and "sentinel" not in data:
        data["sentinel"] = suggests_sentinel(pick("report_type"), pick("harm"), pick("ncc_merp"))


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
