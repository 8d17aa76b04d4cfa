"""Review and sign-off: the steps of `models.review` (submit, concurrence, approve, return,
reopen, close), the sign-off history and the feedback log.

Each step checks the role of the login (not of the recorded name) and the status, in the same
transaction that moves the status and records the sign-off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from models import review, values
from models.domain import (
    Action,
    Feedback,
    Investigation,
    SignOff,
)
from models.errors import ValidationError
from models.service import duties
from models.service.actions import action_of
from models.service.core import Transaction, UnitOfWork, row_id, short
from models.service.documents import dossier_in
from models.tables import (
    ActionRow,
    FeedbackRow,
    InvestigationRow,
    SignOffRow,
)
from models.vocab import (
    Concurrence,
    SignOffDecision,
    Status,
)

if TYPE_CHECKING:
    pass


def add_signoff(uow: UnitOfWork, investigation_id: int, **fields: Any) -> SignOff:
    """Add a row to the sign-off history by hand (reviewer or admin; status unchanged).

    The review steps (approve, return_for_changes, reopen, close) record their own rows.
    """
    data = values.normalise(values.SIGN_OFF, fields)
    with uow.write() as tx:
        uow.writable(tx.s, investigation_id)
        uow.require_role(tx.s, review.LEADERSHIP, "add a sign-off")
        row = SignOffRow(investigation_id=investigation_id, at=tx.at, login=tx.login, **data)
        tx.s.add(row)
        tx.s.flush()
        tx.created(investigation_id, "sign_off", row, summary=f"{row.name}: {row.decision}")
        uow.touch(tx, investigation_id)
        return SignOff.from_row(row)


def add_feedback(uow: UnitOfWork, investigation_id: int, **fields: Any) -> Feedback:
    """Record feedback given to the reporter, staff or patient/family (also once approved)."""
    data = values.normalise(values.FEEDBACK, fields)
    with uow.write() as tx:
        uow.require_investigation(tx.s, investigation_id)
        row = FeedbackRow(investigation_id=investigation_id, **data)
        tx.s.add(row)
        tx.s.flush()
        tx.created(investigation_id, "feedback", row)
        uow.touch(tx, investigation_id)
        return Feedback.from_row(row)


def begin_step(
    uow: UnitOfWork,
    tx: Transaction,
    key: str,
    investigation_id: int,
    version: int | None,
) -> tuple[InvestigationRow, review.Step, str]:
    """Check role, status and version for a review step; the row, the step and the role."""
    row = uow.require_investigation(tx.s, investigation_id)
    role = uow.role_in(tx.s)
    step = review.check_step(key, row.status, uow.login, role, recorded=uow.user)
    uow.check_version(tx.s, row, version, f"Investigation '{short(row.title)}'")
    return row, step, role


def move(uow: UnitOfWork, tx: Transaction, row: InvestigationRow, target: str) -> Investigation:
    uow.apply(tx, row, {"status": target}, row_id(row), "investigation")
    row.updated_at, row.updated_by = tx.at, tx.login
    tx.s.flush()
    return Investigation.from_row(row)


def record_signoff(
    uow: UnitOfWork,
    tx: Transaction,
    investigation_id: int,
    role: str,
    decision: str,
    comment: str,
    override_reason: str = "",
) -> None:
    """A sign-off row: who (login and given name), the decision, and the audit chain's head as
    it stood, so that cutting entries off the end of the trail later shows (see `verify`)."""
    chain_seq, chain_hash = tx.head()
    row = SignOffRow(
        investigation_id=investigation_id,
        role=role,
        name=tx.name,
        login=tx.login,
        decision=decision,
        comment=comment,
        at=tx.at,
        override_reason=override_reason,
        chain_seq=chain_seq,
        chain_hash=chain_hash,
    )
    tx.s.add(row)
    tx.s.flush()
    tx.created(investigation_id, "sign_off", row, summary=f"{tx.login}: {decision}")


def submit_for_review(uow: UnitOfWork, investigation_id: int, version: int | None) -> Investigation:
    """Draft, analysis or action plan -> in review (investigator or admin)."""
    with uow.write() as tx:
        row, step, _ = begin_step(uow, tx, "submit", investigation_id, version)
        return move(uow, tx, row, step.target)


def record_concurrence(
    uow: UnitOfWork,
    action_id: int,
    version: int | None,
    decision: str,
    reason: str = "",
    *,
    override_reason: str | None = None,
) -> Action:
    """Leadership concurs or does not concur with one action (reviewer or admin, while the
    investigation is in review, and not an author of it: `duties`). Not concurring needs a
    reason."""
    data = values.normalise(values.ACTION, {"concurrence": decision, "concurrence_reason": reason})
    if data["concurrence"] is None:
        raise ValidationError("concurrence: choose concur or do not concur")
    with uow.write() as tx:
        row = uow.get(tx.s, ActionRow, action_id, "action")
        inv = uow.require_investigation(tx.s, row.investigation_id)
        uow.require_role(tx.s, review.CONCUR_ROLES, "record concurrence")
        role = uow.role_in(tx.s)
        overridden = duties.check(
            uow, tx, row_id(inv), role, "concur with its actions", override_reason
        )
        if inv.status != Status.IN_REVIEW:
            raise review.TransitionError(
                "Concurrence is recorded while the investigation is in review "
                f"(it is {Status(inv.status).label})"
            )
        uow.check_version(tx.s, row, version, f"Action '{short(row.text)}'")
        if data["concurrence"] == Concurrence.DO_NOT_CONCUR and not reason.strip():
            raise ValidationError("reason: is required when you do not concur")
        data["concurrence_by"], data["concurrence_at"] = tx.login, tx.at
        data["concurrence_name"] = tx.name
        data["concurrence_override"] = overridden
        if uow.apply(tx, row, data, row.investigation_id, "action"):
            tx.s.flush()
            uow.touch(tx, row.investigation_id)
        return action_of(uow, tx.s, row)


def approve(
    uow: UnitOfWork,
    investigation_id: int,
    version: int | None,
    comment: str = "",
    *,
    override_reason: str | None = None,
) -> Investigation:
    """In review -> approved (reviewer or admin), with a sign-off row.

    Refused while any check is an error, any action is "do not concur" (revise or remove
    it) or has no decision (`review.approval_refusal` names them), and to whoever submitted
    it or wrote its actions (`duties`; an admin may set that aside with `override_reason`).
    Once approved, the investigation is read-only.
    """
    from models.rules.checks import errors, run_checks

    comment = values.text("comment", comment)
    with uow.write() as tx:
        row, step, role = begin_step(uow, tx, "approve", investigation_id, version)
        overridden = duties.check(uow, tx, investigation_id, role, "approve it", override_reason)
        dossier = dossier_in(uow, tx.s, investigation_id)
        refusal = review.approval_refusal(dossier.actions, errors(run_checks(dossier)))
        if refusal:
            raise ValidationError(refusal)
        record_signoff(
            uow, tx, investigation_id, role, SignOffDecision.APPROVED, comment, overridden
        )
        return move(uow, tx, row, step.target)


def return_for_changes(
    uow: UnitOfWork, investigation_id: int, version: int | None, comment: str
) -> Investigation:
    """In review -> action plan (reviewer or admin); the comment says what must change."""
    comment = values.text("comment", comment, required=True)
    with uow.write() as tx:
        row, step, role = begin_step(uow, tx, "return", investigation_id, version)
        record_signoff(uow, tx, investigation_id, role, SignOffDecision.RETURNED, comment)
        return move(uow, tx, row, step.target)


def reopen(
    uow: UnitOfWork, investigation_id: int, version: int | None, reason: str
) -> Investigation:
    """Approved or closed -> action plan (reviewer or admin); the reason is required."""
    reason = values.text("reason", reason, required=True)
    with uow.write() as tx:
        row, step, role = begin_step(uow, tx, "reopen", investigation_id, version)
        record_signoff(uow, tx, investigation_id, role, SignOffDecision.REOPENED, reason)
        return move(uow, tx, row, step.target)


def close(
    uow: UnitOfWork, investigation_id: int, version: int | None, comment: str = ""
) -> Investigation:
    """Approved -> closed (reviewer or admin): follow-up is over. Still read-only. Refused
    until every action is verified effective or closed by a reviewer with a reason."""
    from sqlalchemy import select
    from sqlmodel import col

    from models.rules.followup_checks import closure_refusal
    from models.service.actions import action_from

    comment = values.text("comment", comment)
    with uow.write() as tx:
        row, step, role = begin_step(uow, tx, "close", investigation_id, version)
        rows = tx.s.execute(
            select(ActionRow).where(col(ActionRow.investigation_id) == investigation_id)
        ).scalars()
        refusal = closure_refusal([action_from(r, ()) for r in rows])
        if refusal:
            raise ValidationError(refusal)
        record_signoff(uow, tx, investigation_id, role, SignOffDecision.CLOSED, comment)
        return move(uow, tx, row, step.target)
