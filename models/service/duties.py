"""Separation of duties: who wrote an analysis does not concur with it or approve it.

The authors of an investigation are read from its audit trail, which records the login of every
change: whoever moved it to "in review" (submitted it) and whoever created, imported or changed
what an action says. Such a login may not record concurrence with any of its actions, nor
approve it, while the setting is on (the default). An admin may set the rule aside for one step
with a written reason: the step goes through, the reason is audited, and the report prints it.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlmodel import Session

from models import review
from models.service.actions import CONCURRED_FIELDS
from models.service.core import Transaction, UnitOfWork, table_of
from models.tables import AuditRow

#: What an action says: writing any of these makes its author.
_ACTION_CONTENT = sorted(CONCURRED_FIELDS | {"addresses"})


def authorship(s: Session, investigation_id: int, login: str) -> str | None:
    """What `login` did that makes it an author of the investigation, in words, or None."""
    a = table_of(AuditRow).c
    submitted = s.execute(
        select(a.seq).where(
            a.investigation_id == investigation_id,
            a.entity == "investigation",
            a.field == "status",
            a.new == "in_review",
            a.user == login,
        )
    ).first()
    if submitted is not None:
        return "submitted it for review"
    wrote = s.execute(
        select(a.seq).where(
            a.investigation_id == investigation_id,
            a.entity == "action",
            a.user == login,
            or_(a.action.in_(("create", "import")), a.field.in_(_ACTION_CONTENT)),
        )
    ).first()
    return "wrote its actions" if wrote is not None else None


def check(
    uow: UnitOfWork,
    tx: Transaction,
    investigation_id: int,
    role: str,
    step: str,
    override_reason: str | None,
) -> str:
    """Refuse `step` ("approve it", "concur with its actions") to an author; the reason of an
    admin's override, audited here, or "" when the rule did not apply."""
    if not uow.separation_of_duties:
        return ""
    did = authorship(tx.s, investigation_id, tx.login)
    if did is None:
        return ""
    reason = (override_reason or "").strip()
    if not reason:
        admin = role == review.ADMIN
        raise review.DutiesError(
            f"{tx.login} {did}, so someone else must {step} (separation of duties)"
            + ("; as admin you may set this aside with a written reason" if admin else ""),
            login=tx.login,
            can_override=admin,
        )
    if role != review.ADMIN:
        raise review.RoleError(
            f"{tx.login} is {role}: only an admin may set separation of duties aside"
        )
    tx.audit(
        investigation_id,
        "investigation",
        investigation_id,
        "update",
        "separation_of_duties",
        None,
        f"set aside by {tx.login} to {step}: {reason}",
    )
    return reason


def conflict(uow: UnitOfWork, investigation_id: int) -> str | None:
    """What makes this service's login an author of the investigation ("submitted it for
    review", "wrote its actions"), when separation of duties is on; None otherwise. The review
    screen asks an admin for the reason before the step, instead of after a refusal."""
    if not uow.separation_of_duties:
        return None
    with uow.read() as s:
        return authorship(s, investigation_id, uow.login)
