"""The one service: every read and every change of an investigation goes through here.

`Service` is the public face: one method per thing a screen, the command line or an export asks
for, each handing over to the function of the same name in the module of its aggregate:

- `investigations`: one investigation's own fields (and the derived SAC score and sentinel flag);
- `team`: the team charter and the timeline;
- `report_sections`: lessons learned, strategies not taken, literature reviewed, and other
  people involved;
- `causes` and `categories`: the causal graph (causes, links, restore for undo) and the bones;
- `actions`: the action plan, measures and concurrence on an action;
- `signoff`: the review steps, the sign-off history and the feedback log;
- `followup`: after approval, implementation, measurements and the effectiveness verdict of
  each action (the one path around read-only), and the tracker of open actions everywhere;
- `users`: roles;
- `codes`: the cause codes (the shared classification) and the codes each cause carries;
- `trends`: counts across investigations and the investigations behind each count;
- `learning` and `recurrence`: the learning screen's numbers, and events that recurred after
  the action meant to stop them was completed; `similar`: similar past investigations;
- `documents`: the dossier and snapshots, checks, the audit trail, import, export and backup.

All of them run on `core.UnitOfWork`: each change is one transaction that validates the input,
writes the changed rows and one audit entry per changed field (hash-chained), and, for cause and
link edits, moves the investigation's `graph_rev` and updates the cached `CauseGraph` after the
commit. Every call returns plain objects from `models.domain`, never live rows, so callers
(screens in worker threads, the command line, exports) never hold a session.

Optimistic locking: update calls take the `version` the caller read; if the stored row has moved
on, `ConflictError` says who changed it and when, and nothing is written.

Roles and review (`models.review`): the service records `user` in the audit trail and judges the
role of `login`. An approved or closed investigation refuses every change (`FrozenError`) except
reopening, the feedback log, and (approved only) the follow-up of its actions (`followup`).

Start-up stays light: the aggregate modules (and with them the ORM) are imported on first use;
the home list and the "is there an admin yet" check are Core queries (`startup`). `warm()`
imports the rest ahead of time, from a thread, once the home screen is drawn.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from models.db import Database
from models.errors import DatabaseError, LockedError
from models.service import startup
from models.service.learning_calls import LearningCalls

if TYPE_CHECKING:
    from models import audit as audit_chain
    from models.domain import (
        Action,
        AuditEntry,
        Cause,
        CauseView,
        Dossier,
        Feedback,
        Finding,
        Investigation,
        InvestigationSummary,
        InvolvedPerson,
        Link,
        Measurement,
        ReportNote,
        SignOff,
        TeamMember,
        TimelineEntry,
        TrackedAction,
        User,
    )
    from models.graph import CauseGraph
    from models.service.core import UnitOfWork
    from models.service.documents import Verification

_AGGREGATES = (
    "investigations",
    "team",
    "report_sections",
    "causes",
    "categories",
    "actions",
    "signoff",
    "followup",
    "users",
    "documents",
    "codes",
    "trends",
    "learning",
    "recurrence",
    "similar",
)


def warm() -> None:
    """Import every aggregate module (and the ORM) now, so the first screen that needs one does
    not wait for it. Safe from any thread."""
    import importlib

    for name in _AGGREGATES:
        importlib.import_module(f"models.service.{name}")


class Service(LearningCalls):
    """All reads and writes of the RCA database, for one user (see the module docstring)."""

    def __init__(
        self,
        db: Database,
        user: str,
        *,
        login: str | None = None,
        separation_of_duties: bool = True,
    ) -> None:
        self.db = db
        #: The name given (--user, RCA_USER or the settings): shown beside the login.
        self.user = user
        #: Who it is: the author of every change, and whose role is judged. On PostgreSQL the
        #: database session's role (peer authentication ties it to the operating-system login);
        #: on SQLite the account the command line passes (the operating system's account of
        #: the process, never a setting); programs that build a Service themselves pass it.
        self.login = db.session_role() or login or user
        #: Whoever submitted an investigation or wrote its actions may not concur or approve.
        self.separation_of_duties = separation_of_duties
        self._core: UnitOfWork | None = None
        self._core_lock = threading.Lock()
        if not db.readonly and not self._has_users():
            from models.service import users

            users.ensure_admin(self._uow)

    @property
    def _uow(self) -> UnitOfWork:
        """The unit of work (and the ORM), made on first use; one per service, so the graph
        cache is shared by every thread of this service."""
        if self._core is None:
            with self._core_lock:
                if self._core is None:
                    from models.service.core import UnitOfWork

                    self._core = UnitOfWork(
                        self.db,
                        self.user,
                        self.login,
                        separation_of_duties=self.separation_of_duties,
                    )
        return self._core

    def _has_users(self) -> bool:
        try:
            return startup.has_users(self.db)
        except LockedError:
            return True  # busy now: the next service to open it makes its first admin

    @property
    def readonly(self) -> bool:
        return self.db.readonly

    def list_investigations(self) -> list[InvestigationSummary]:
        return startup.list_investigations(self.db)

    def create_investigation(self, title: str, **fields: Any) -> Investigation:
        from models.service import investigations

        return investigations.create_investigation(self._uow, title, **fields)

    def get_investigation(self, investigation_id: int) -> Investigation:
        from models.service import investigations

        return investigations.get_investigation(self._uow, investigation_id)

    def update_investigation(
        self, investigation_id: int, version: int | None, **changes: Any
    ) -> Investigation:
        from models.service import investigations

        return investigations.update_investigation(self._uow, investigation_id, version, **changes)

    def delete_investigation(self, investigation_id: int, version: int | None = None) -> None:
        from models.service import investigations

        return investigations.delete_investigation(self._uow, investigation_id, version)

    def list_team(self, investigation_id: int) -> list[TeamMember]:
        from models.service import team

        return team.list_team(self._uow, investigation_id)

    def add_member(
        self, investigation_id: int, name: str, role: str = "other", **fields
    ) -> TeamMember:
        from models.service import team

        return team.add_member(self._uow, investigation_id, name, role, **fields)

    def update_member(self, member_id: int, version: int | None, **changes: Any) -> TeamMember:
        from models.service import team

        return team.update_member(self._uow, member_id, version, **changes)

    def remove_member(self, member_id: int) -> None:
        from models.service import team

        return team.remove_member(self._uow, member_id)

    def list_timeline(self, investigation_id: int) -> list[TimelineEntry]:
        from models.service import team

        return team.list_timeline(self._uow, investigation_id)

    def add_entry(self, investigation_id: int, **fields: Any) -> TimelineEntry:
        from models.service import team

        return team.add_entry(self._uow, investigation_id, **fields)

    def update_entry(self, entry_id: int, version: int | None, **changes: Any) -> TimelineEntry:
        from models.service import team

        return team.update_entry(self._uow, entry_id, version, **changes)

    def move_entry(self, entry_id: int, offset: int) -> list[TimelineEntry]:
        from models.service import team

        return team.move_entry(self._uow, entry_id, offset)

    def delete_entry(self, entry_id: int) -> None:
        from models.service import team

        return team.delete_entry(self._uow, entry_id)

    def list_notes(self, investigation_id: int) -> list[ReportNote]:
        from models.service import report_sections

        return report_sections.list_notes(self._uow, investigation_id)

    def add_note(self, investigation_id: int, kind: str, text: str, detail: str = "") -> ReportNote:
        from models.service import report_sections

        return report_sections.add_note(self._uow, investigation_id, kind, text, detail)

    def update_note(self, note_id: int, version: int | None, **changes: Any) -> ReportNote:
        from models.service import report_sections

        return report_sections.update_note(self._uow, note_id, version, **changes)

    def delete_note(self, note_id: int) -> None:
        from models.service import report_sections

        return report_sections.delete_note(self._uow, note_id)

    def list_people(self, investigation_id: int) -> list[InvolvedPerson]:
        from models.service import report_sections

        return report_sections.list_people(self._uow, investigation_id)

    def add_person(self, investigation_id: int, name: str, involvement: str = "") -> InvolvedPerson:
        from models.service import report_sections

        return report_sections.add_person(self._uow, investigation_id, name, involvement)

    def update_person(self, person_id: int, version: int | None, **changes: Any) -> InvolvedPerson:
        from models.service import report_sections

        return report_sections.update_person(self._uow, person_id, version, **changes)

    def delete_person(self, person_id: int) -> None:
        from models.service import report_sections

        return report_sections.delete_person(self._uow, person_id)

    def list_causes(self, investigation_id: int) -> list[Cause]:
        from models.service import causes

        return causes.list_causes(self._uow, investigation_id)

    def get_cause(self, cause_id: int) -> Cause:
        from models.service import causes

        return causes.get_cause(self._uow, cause_id)

    def list_links(self, investigation_id: int) -> list[Link]:
        from models.service import causes

        return causes.list_links(self._uow, investigation_id)

    def add_cause(
        self, investigation_id: int, text: str, *, effect_id: int | None = None, **fields: Any
    ) -> Cause:
        from models.service import causes

        return causes.add_cause(self._uow, investigation_id, text, effect_id=effect_id, **fields)

    def update_cause(self, cause_id: int, version: int | None, **changes: Any) -> Cause:
        from models.service import causes

        return causes.update_cause(self._uow, cause_id, version, **changes)

    def delete_cause(
        self, cause_id: int, version: int | None = None
    ) -> tuple[Cause, list[tuple[int, int]]]:
        from models.service import causes

        return causes.delete_cause(self._uow, cause_id, version)

    def link(self, cause_id: int, effect_id: int) -> Link:
        from models.service import causes

        return causes.link(self._uow, cause_id, effect_id)

    def unlink(self, cause_id: int, effect_id: int) -> None:
        from models.service import causes

        return causes.unlink(self._uow, cause_id, effect_id)

    def categories(self, investigation_id: int) -> list[str]:
        from models.service import categories

        return categories.categories(self._uow, investigation_id)

    def set_categories(
        self,
        investigation_id: int,
        names: Sequence[str],
        *,
        renames: dict[str, str] | None = None,
    ) -> list[str]:
        from models.service import categories

        return categories.set_categories(self._uow, investigation_id, names, renames=renames)

    def use_category_preset(self, investigation_id: int, preset: str) -> list[str]:
        from models.service import categories

        return categories.use_category_preset(self._uow, investigation_id, preset)

    def restore_cause(self, cause: Cause, links: Sequence[tuple[int, int]] = ()) -> Cause:
        from models.service import causes

        return causes.restore_cause(self._uow, cause, links)

    def load_graph(self, investigation_id: int) -> CauseGraph:
        from models.service import causes

        return causes.load_graph(self._uow, investigation_id)

    def cause_view(self, investigation_id: int) -> CauseView:
        from models.service import causes

        return causes.cause_view(self._uow, investigation_id)

    def held_graph(self, investigation_id: int) -> CauseGraph | None:
        """The graph as this service's own edits left it, without a read, to read only (it is
        not copied: a 5,000-cause graph is 3.5 MB); None when none is held."""
        return self._uow.held_graph(investigation_id)

    def graph(self, investigation_id: int) -> CauseGraph:
        from models.service import causes

        return causes.graph(self._uow, investigation_id)

    def list_actions(self, investigation_id: int) -> list[Action]:
        from models.service import actions

        return actions.list_actions(self._uow, investigation_id)

    def add_action(
        self, investigation_id: int, text: str, *, addresses: Sequence[int] = (), **fields: Any
    ) -> Action:
        from models.service import actions

        return actions.add_action(self._uow, investigation_id, text, addresses=addresses, **fields)

    def update_action(
        self,
        action_id: int,
        version: int | None,
        *,
        addresses: Sequence[int] | None = None,
        **changes: Any,
    ) -> Action:
        from models.service import actions

        return actions.update_action(self._uow, action_id, version, addresses=addresses, **changes)

    def delete_action(self, action_id: int) -> None:
        from models.service import actions

        return actions.delete_action(self._uow, action_id)

    def record_implementation(
        self,
        action_id: int,
        version: int | None,
        *,
        today: dt.date | None = None,
        **dates: Any,
    ) -> Action:
        """`started_on=` and/or `done_on=` (a date, or None to clear it); others are kept."""
        from models.service import followup

        return followup.record_implementation(self._uow, action_id, version, today=today, **dates)

    def add_measurement(
        self, action_id: int, *, today: dt.date | None = None, **fields: Any
    ) -> Measurement:
        from models.service import followup

        return followup.add_measurement(self._uow, action_id, today=today, **fields)

    def correct_measurement(
        self, measurement_id: int, *, reason: str, today: dt.date | None = None, **fields: Any
    ) -> Measurement:
        """A correction of a result entered by mistake (the earlier one is kept, superseded)."""
        from models.service import followup

        return followup.correct_measurement(
            self._uow, measurement_id, reason=reason, today=today, **fields
        )

    def list_measurements(self, investigation_id: int) -> list[Measurement]:
        from models.service import followup

        return followup.list_measurements(self._uow, investigation_id)

    def record_effectiveness(
        self, action_id: int, version: int | None, verdict: str, note: str = ""
    ) -> Action:
        from models.service import followup

        return followup.record_effectiveness(self._uow, action_id, version, verdict, note)

    def close_action(self, action_id: int, version: int | None, reason: str) -> Action:
        from models.service import followup

        return followup.close_action(self._uow, action_id, version, reason)

    def tracker(self, today: dt.date | None = None) -> list[TrackedAction]:
        from models.service import followup

        return followup.tracker(self._uow, today)

    def add_signoff(self, investigation_id: int, **fields: Any) -> SignOff:
        from models.service import signoff

        return signoff.add_signoff(self._uow, investigation_id, **fields)

    def add_feedback(self, investigation_id: int, **fields: Any) -> Feedback:
        from models.service import signoff

        return signoff.add_feedback(self._uow, investigation_id, **fields)

    def dossier(self, investigation_id: int) -> Dossier:
        from models.service import documents

        return documents.dossier(self._uow, investigation_id)

    def check(self, investigation_id: int, today: dt.date | None = None) -> list[Finding]:
        from models.service import documents

        return documents.check(self._uow, investigation_id, today)

    def list_users(self) -> list[User]:
        from models.service import users

        return users.list_users(self._uow)

    def role_of(self, name: str) -> str | None:
        from models.service import users

        return users.role_of(self._uow, name)

    def current_role(self) -> str:
        from models.service import users

        return users.current_role(self._uow)

    def add_user(self, name: str, role: str) -> User:
        from models.service import users

        return users.add_user(self._uow, name, role)

    def set_role(self, name: str, role: str) -> User:
        from models.service import users

        return users.set_role(self._uow, name, role)

    def remove_user(self, name: str) -> None:
        from models.service import users

        return users.remove_user(self._uow, name)

    def submit_for_review(self, investigation_id: int, version: int | None) -> Investigation:
        from models.service import signoff

        return signoff.submit_for_review(self._uow, investigation_id, version)

    def record_concurrence(
        self,
        action_id: int,
        version: int | None,
        decision: str,
        reason: str = "",
        *,
        override_reason: str | None = None,
    ) -> Action:
        from models.service import signoff

        return signoff.record_concurrence(
            self._uow, action_id, version, decision, reason, override_reason=override_reason
        )

    def approve(
        self,
        investigation_id: int,
        version: int | None,
        comment: str = "",
        *,
        override_reason: str | None = None,
    ) -> Investigation:
        from models.service import signoff

        return signoff.approve(
            self._uow, investigation_id, version, comment, override_reason=override_reason
        )

    def return_for_changes(
        self, investigation_id: int, version: int | None, comment: str
    ) -> Investigation:
        from models.service import signoff

        return signoff.return_for_changes(self._uow, investigation_id, version, comment)

    def reopen(self, investigation_id: int, version: int | None, reason: str) -> Investigation:
        from models.service import signoff

        return signoff.reopen(self._uow, investigation_id, version, reason)

    def close(self, investigation_id: int, version: int | None, comment: str = "") -> Investigation:
        from models.service import signoff

        return signoff.close(self._uow, investigation_id, version, comment)

    def audit_entries(self, investigation_id: int | None = None) -> list[AuditEntry]:
        from models.service import documents

        return documents.audit_entries(self._uow, investigation_id)

    def duty_conflict(self, investigation_id: int) -> str | None:
        from models.service import duties

        return duties.conflict(self._uow, investigation_id)

    def audit_check(self, expect: Sequence[audit_chain.Anchor] = ()) -> Verification:
        from models.service import documents

        return documents.audit_check(self._uow, expect)

    def verify_audit(self) -> audit_chain.ChainProblem | None:
        from models.service import documents

        return documents.verify_audit(self._uow)

    def export_document(self, investigation_id: int) -> dict[str, Any]:
        from models.service import documents

        return documents.export_document(self._uow, investigation_id)

    def import_document(self, data: Any) -> Investigation:
        """A new investigation from an interchange document, all or nothing. On a SQLite file
        (opened, so current) it is written with sqlite3 alone (`models.sqlite_import`: the same
        rows and audit entries, without importing the ORM, most of a cold `rca import`)."""
        if self.db.sqlite_path is not None:
            from models import sqlite_import

            return sqlite_import.import_document(self.db, self.login, self.user, data)
        from models.service import documents

        return documents.import_document(self._uow, data)

    def backup(self, dest: str, *, force: bool = False) -> str:
        from models.service import documents

        return documents.backup(self._uow, dest, force=force)


def open_service(
    target: Any = None,
    user: str | None = None,
    *,
    login: str | None = None,
    separation_of_duties: bool = True,
    **kwargs: Any,
) -> Service:
    """Open the database and a service for `user` (the OS login name when not given)."""
    from models.db import open_database

    if user is None:
        import getpass

        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no login name (some containers)
            user = "unknown"
    try:
        return Service(
            open_database(target, **kwargs),
            user,
            login=login,
            separation_of_duties=separation_of_duties,
        )
    except OSError as exc:  # pragma: no cover - last resort, named plainly
        raise DatabaseError(f"cannot open the database: {exc}") from None


__all__ = ["Service", "open_service", "warm"]
