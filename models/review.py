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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from models.errors import RcaError, ReadOnlyError
from models.vocab import Concurrence, Status, UserRole

if TYPE_CHECKING:
    from models.domain import Action, Finding

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


class DutiesError(RcaError):
    """Separation of duties: whoever submitted an investigation or wrote its actions may not
    concur with them or approve it. `logins` are the authors; an admin may set the rule aside
    with a written reason (`override_reason`), which is audited and printed in the report."""

    def __init__(self, message: str, *, login: str, can_override: bool) -> None:
        super().__init__(message)
        self.login = login
        self.can_override = can_override


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


def check_role(
    login: str, role: str, roles: tuple[str, ...], what: str, *, recorded: str | None = None
) -> None:
    """Raise RoleError unless `role` (the role of `login`) is one of `roles`.

    The message names the login whose role was judged. When the name recorded in the audit
    trail (`recorded`: `--user`, RCA_USER, the settings) differs, it says that this name
    lends no role, so that "boss" with a reviewer's entry does not read as "boss is an
    investigator".
    """
    if role not in roles:
        note = ""
        if recorded and recorded != login:
            note = f" (roles follow the login, not the name {recorded} recorded in the audit trail)"
        raise RoleError(
            f"Only {_roles_text(roles)} can {what}; {login} is {_roles_text((role,))}{note}"
        )


def check_step(
    key: str, status: str, login: str, role: str, *, recorded: str | None = None
) -> Step:
    """The step, if `role` may take it from `status`; otherwise a RoleError or TransitionError."""
    step = STEPS[key]
    check_role(login, role, step.roles, step.doing, recorded=recorded)
    if status not in step.sources:
        allowed = ", ".join(_status_label(s) for s in step.sources)
        raise TransitionError(
            f"Cannot {step.label}: the investigation is {_status_label(status)} "
            f"(only from {allowed})"
        )
    return step


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _named(texts: Sequence[str], shown: int = 3) -> str:
    named = "; ".join(f"'{t}'" for t in texts[:shown])
    return named + (f" (and {len(texts) - shown} more)" if len(texts) > shown else "")


def approval_refusal(actions: Sequence[Action], blocking: Sequence[Finding]) -> str | None:
    """Why an investigation in review cannot be approved yet, or None when it can.

    Three things stop approval: a check that is an error (`blocking`), an action leadership
    does not concur with (the investigator revises it, which asks leadership again, or removes
    it; approving would sign off an action nobody agreed to), and an action without a decision.
    The service refuses with this message; the review screen says it before asking for a
    comment.
    """
    lines = []
    if blocking:
        n = len(blocking)
        shown = "; ".join(f"{f.code}: {f.message}" for f in blocking[:3])
        more = f" (and {n - 3} more)" if n > 3 else ""
        lines.append(f"while {_count(n, 'check')} fail{'s' * (n == 1)}: {shown}{more}")
    refused = [_short(a.text) for a in actions if a.concurrence == Concurrence.DO_NOT_CONCUR]
    if refused:
        it = "it" if len(refused) == 1 else "them"
        lines.append(
            f"leadership does not concur with {_count(len(refused), 'action')}: "
            f"{_named(refused)}. The investigator revises {it} (a change asks leadership "
            f"again) or removes {it}"
        )
    pending = [_short(a.text) for a in actions if a.concurrence is None]
    if pending:
        lines.append(
            f"no concurrence decision yet on {_count(len(pending), 'action')}: {_named(pending)}"
        )
    if not lines:
        return None
    head = "Cannot approve " if blocking else "Cannot approve: "
    rest = [line[0].upper() + line[1:] for line in lines[1:]]
    return "\n".join([head + lines[0], *rest])


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


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
