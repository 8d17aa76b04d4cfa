"""The review of an investigation: who may do what, and how its status moves.

Pure rules, no database: the service enforces them inside its write transactions, and screens
use them to offer only the steps the user may take (`available`).

Roles (stored per user name in the database; see `Service.add_user`):

* investigator: edits investigations, submits them for review. A user name not in the user
  table is an investigator, so a database keeps working for everyone before roles are set up.
* reviewer (leadership): records concurrence per action, approves or returns an investigation,
  reopens or closes an approved one.
* admin: everything above, and manages users. Whoever creates a database is its first admin.

Statuses (`vocab.Status`) and the steps between them::

    draft <-> analysis <-> action_plan        (any editor, through update_investigation)
    draft | analysis | action_plan --submit--> in_review          (investigator, admin)
    in_review --approve--> approved                                 (reviewer, admin)
    in_review --return--> action_plan                               (reviewer, admin)
    approved | closed --reopen--> action_plan  (a reason required)  (reviewer, admin)
    approved --close--> closed                                      (reviewer, admin)

An approved or closed investigation is read-only: every change to it is refused, except
reopening it and adding feedback-log entries (feedback is given after approval).
"""

from __future__ import annotations

from dataclasses import dataclass

from models.errors import RcaError, ReadOnlyError
from models.vocab import Status, UserRole

#: Statuses an editor moves between freely (the work before review).
EDITABLE = (Status.DRAFT, Status.ANALYSIS, Status.ACTION_PLAN)
#: Statuses in which the investigation is read-only.
FROZEN = (Status.APPROVED, Status.CLOSED)

INVESTIGATOR = UserRole.INVESTIGATOR.value
REVIEWER = UserRole.REVIEWER.value
ADMIN = UserRole.ADMIN.value
LEADERSHIP = (REVIEWER, ADMIN)


class RoleError(RcaError):
    """The user's role does not allow this step (the message names the roles that do)."""


class TransitionError(RcaError):
    """The step does not apply to the investigation's current status."""


class FrozenError(ReadOnlyError):
    """The investigation is approved or closed: read-only until it is reopened."""


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    #: The step in a sentence: "Only a reviewer or an admin can <doing>".
    doing: str


STEPS: dict[str, Step] = {
    s.key: s
    for s in (
        Step(
            "submit",
            "submit for review",
            EDITABLE,
            Status.IN_REVIEW,
            (INVESTIGATOR, ADMIN),
            "submit an investigation for review",
        ),
        Step(
            "approve",
            "approve",
            (Status.IN_REVIEW,),
            Status.APPROVED,
            LEADERSHIP,
            "approve an investigation",
        ),
        Step(
            "return",
            "return for changes",
            (Status.IN_REVIEW,),
            Status.ACTION_PLAN,
            LEADERSHIP,
            "return an investigation for changes",
        ),
        Step(
            "reopen",
            "reopen",
            FROZEN,
            Status.ACTION_PLAN,
            LEADERSHIP,
            "reopen an investigation",
        ),
        Step(
            "close",
            "close",
            (Status.APPROVED,),
            Status.CLOSED,
            LEADERSHIP,
            "close an investigation",
        ),
    )
}

#: Who may record concurrence with an action (only while the investigation is in review).
CONCUR_ROLES = LEADERSHIP
#: Who may add users and change roles.
USER_ROLES = (ADMIN,)


def effective_role(stored: str | None) -> str:
    """The role a user acts with: the stored one, or investigator for an unknown name."""
    return stored or INVESTIGATOR


def _status_label(status: str) -> str:
    try:
        return Status(status).label
    except ValueError:
        return status


def _roles_text(roles: tuple[str, ...]) -> str:
    names = [f"an {r}" if r[0] in "aeiou" else f"a {r}" for r in roles]
    return " or ".join(names)


def check_role(user: str, role: str, roles: tuple[str, ...], what: str) -> None:
    """Raise RoleError unless `role` is one of `roles`."""
    if role not in roles:
        raise RoleError(f"Only {_roles_text(roles)} can {what}; {user} is {_roles_text((role,))}")


def check_step(key: str, status: str, user: str, role: str) -> Step:
    """The step, if `role` may take it from `status`; otherwise a RoleError or TransitionError."""
    step = STEPS[key]
    check_role(user, role, step.roles, step.doing)
    if status not in step.sources:
        allowed = ", ".join(_status_label(s) for s in step.sources)
        raise TransitionError(
            f"Cannot {step.label}: the investigation is {_status_label(status)} "
            f"(only from {allowed})"
        )
    return step


def available(status: str, role: str | None) -> list[str]:
    """The steps (keys of STEPS) a user with `role` may take from `status`, in order."""
    role = effective_role(role)
    return [k for k, s in STEPS.items() if status in s.sources and role in s.roles]


def is_frozen(status: str) -> bool:
    return status in FROZEN


def check_status_edit(old: str, new: str) -> None:
    """A status set through an ordinary edit may only move between the editable ones."""
    if old == new:
        return
    if old in EDITABLE and new in EDITABLE:
        return
    if new == Status.IN_REVIEW and old in EDITABLE:
        hint = "submit it for review instead"
    elif old == Status.IN_REVIEW:
        hint = "a reviewer approves it or returns it for changes"
    else:
        hint = "use the review steps (submit, approve, return, reopen, close)"
    raise TransitionError(
        f"The status cannot be changed from {_status_label(old)} to {_status_label(new)} "
        f"by editing: {hint}"
    )


def frozen_message(title: str, status: str, when: str | None, who: str | None) -> str:
    """Why an approved or closed investigation refuses a change, and what to do about it."""
    verb = _status_label(status).lower()
    said = f"{verb} on {when} by {who}" if when and who else verb
    return f"Investigation '{title}' is read-only: {said}; reopen it with a reason to change it"
