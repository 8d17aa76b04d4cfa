"""Cause codes: the catalogue (seed codes, a hospital's own, retirements) and the codes each
cause carries, every change one audited transaction.

The catalogue is `models.codes.merge` of the data file and the `cause_code` rows. A code in use
is never deleted, only retired; a retired code stays on the causes that carry it and can no
longer be given to another. A cause's codes are audited on the cause (field "codes"), so the
investigation's trail shows them beside its other edits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from models import codes as catalogue_mod
from models import review
from models.codes import Code
from models.errors import NotFoundError, ValidationError
from models.service.core import Transaction, UnitOfWork, row_id
from models.tables import CauseCodeLinkRow, CauseCodeRow, CauseRow


def catalogue_in(s: Session) -> list[Code]:
    rows = s.execute(select(CauseCodeRow)).scalars().all()
    added = [
        Code(r.key, r.label, r.definition, r.parent, "hospital", r.retired)
        for r in rows
        if r.origin == "hospital"
    ]
    return catalogue_mod.merge(added, [r.key for r in rows if r.retired])


def list_codes(uow: UnitOfWork) -> list[Code]:
    """Every code, retired ones included (marked)."""
    with uow.read() as s:
        return catalogue_in(s)


def add_code(
    uow: UnitOfWork, key: str, label: str, definition: str = "", parent: str | None = None
) -> Code:
    """A hospital's own code (a reviewer or an admin adds it)."""
    with uow.write() as tx:
        uow.require_role(tx.s, review.LEADERSHIP, "add a cause code")
        key = catalogue_mod.check_new(key, label, parent, catalogue_in(tx.s))
        parent = key.partition(".")[0] if "." in key else None
        row = CauseCodeRow(
            key=key,
            label=label.strip(),
            definition=definition.strip(),
            parent=parent,
            created_by=tx.login,
            created_at=tx.at,
        )
        tx.s.add(row)
        tx.s.flush()
        tx.audit(None, "cause_code", row.id, "create", None, None, f"{key}: {row.label}")
        return Code(key, row.label, row.definition, parent, "hospital")


def retire_code(uow: UnitOfWork, key: str, retired: bool = True) -> Code:
    """Retire a code (or bring it back): kept on the causes that have it, offered to no other."""
    with uow.write() as tx:
        uow.require_role(tx.s, review.LEADERSHIP, "retire a cause code")
        code = _find(catalogue_in(tx.s), key)
        row = tx.s.execute(select(CauseCodeRow).where(col(CauseCodeRow.key) == code.key)).scalar()
        if row is None:
            row = CauseCodeRow(
                key=code.key, label=code.label, origin="seed", created_by=tx.login, created_at=tx.at
            )
            tx.s.add(row)
            tx.s.flush()
        if row.retired != retired:
            tx.audit(None, "cause_code", row.id, "update", "retired", row.retired, retired)
            row.retired = retired
            tx.s.flush()
        return _with(code, retired)


def _with(code: Code, retired: bool) -> Code:
    return Code(code.key, code.label, code.definition, code.parent, code.origin, retired)


def delete_code(uow: UnitOfWork, key: str) -> None:
    """Delete a hospital code nobody uses; one in use (or from the seed) can only be retired."""
    with uow.write() as tx:
        uow.require_role(tx.s, review.LEADERSHIP, "delete a cause code")
        code = _find(catalogue_in(tx.s), key)
        if code.origin == "seed":
            raise ValidationError(f"code: {code.key} is a seed code; retire it instead")
        used = tx.s.execute(
            select(func.count())
            .select_from(CauseCodeLinkRow)
            .where(col(CauseCodeLinkRow.code) == key)
        ).scalar_one()
        if used:
            raise ValidationError(
                f"code: {code.key} is on {used} cause{'s' * (used != 1)}; retire it instead "
                "(a code in use is never deleted)"
            )
        row = tx.s.execute(
            select(CauseCodeRow).where(col(CauseCodeRow.key) == code.key)
        ).scalar_one()
        tx.audit(None, "cause_code", row.id, "delete", None, f"{code.key}: {code.label}", None)
        tx.s.delete(row)


def _find(catalogue: Sequence[Code], key: str) -> Code:
    key = key.strip().upper()
    for code in catalogue:
        if code.key == key:
            return code
    raise NotFoundError(f"There is no cause code {key!r}")


def codes_in(s: Session, investigation_id: int) -> dict[int, tuple[str, ...]]:
    """cause id -> its codes (sorted), for the causes of one investigation that have any."""
    rows = s.execute(
        select(col(CauseCodeLinkRow.cause_id), col(CauseCodeLinkRow.code))
        .where(col(CauseCodeLinkRow.investigation_id) == investigation_id)
        .order_by(col(CauseCodeLinkRow.cause_id), col(CauseCodeLinkRow.code))
    ).all()
    out: dict[int, list[str]] = {}
    for cause_id, code in rows:
        out.setdefault(cause_id, []).append(code)
    return {k: tuple(v) for k, v in out.items()}


def cause_codes(uow: UnitOfWork, investigation_id: int) -> dict[int, tuple[str, ...]]:
    with uow.read() as s:
        uow.require_investigation(s, investigation_id)
        return codes_in(s, investigation_id)


def codes_of(uow: UnitOfWork, cause_id: int) -> tuple[str, ...]:
    with uow.read() as s:
        row = uow.get(s, CauseRow, cause_id, "cause")
        return codes_in(s, row.investigation_id).get(cause_id, ())


def set_cause_codes(uow: UnitOfWork, cause_id: int, codes: Iterable[str]) -> tuple[str, ...]:
    """Give a cause exactly these codes (one audited transaction)."""
    with uow.write() as tx:
        row = uow.get(tx.s, CauseRow, cause_id, "cause")
        uow.writable(tx.s, row.investigation_id)
        result = set_in(uow, tx, row, codes)
        uow.touch(tx, row.investigation_id)
        return result


def set_in(
    uow: UnitOfWork, tx: Transaction, row: CauseRow, codes: Iterable[str]
) -> tuple[str, ...]:
    """Set a cause's codes inside the caller's transaction: known codes only; a retired one only
    if the cause already had it."""
    wanted = tuple(sorted({c.strip().upper() for c in codes if c and c.strip()}))
    before = codes_in(tx.s, row.investigation_id).get(row_id(row), ())
    if wanted == before:
        return before
    known = {c.key: c for c in catalogue_in(tx.s)}
    for key in wanted:
        code = known.get(key)
        if code is None:
            raise ValidationError(f"codes: there is no cause code {key!r}")
        if code.retired and key not in before:
            raise ValidationError(f"codes: {key} is retired and can no longer be given")
    tx.s.execute(delete(CauseCodeLinkRow).where(col(CauseCodeLinkRow.cause_id) == row.id))
    tx.s.add_all(
        CauseCodeLinkRow(cause_id=row_id(row), code=k, investigation_id=row.investigation_id)
        for k in wanted
    )
    tx.s.flush()
    tx.audit(
        row.investigation_id,
        "cause",
        row.id,
        "update",
        "codes",
        catalogue_mod.join(before) or None,
        catalogue_mod.join(wanted) or None,
    )
    return wanted
