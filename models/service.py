"""The one service: every read and every change of an investigation goes through here.

Each change is one transaction that validates the input, writes the changed rows, writes one audit
entry per changed field (hash-chained) and, for cause and link edits, bumps the investigation's
`graph_rev` and updates the cached `CauseGraph` after the commit. Every call returns plain objects
from `models.domain`, never live rows, so callers (screens in worker threads, the command line,
exports) never hold a session.

Optimistic locking: update calls take the `version` the caller read; if the stored row has moved
on, `ConflictError` says who changed it and when, and nothing is written.

Roles and review (`models.review`): the service acts for `user`, whose role is read from the
user table inside each transaction that needs it (an unknown name is an investigator). The
review steps (submit, concurrence, approve, return, reopen, close) check the role and the
status. An approved or closed investigation refuses every change (`FrozenError`) except
reopening and the feedback log.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from models import audit as audit_chain
from models import review, values
from models.db import Database, backup_to, translate
from models.domain import (
    Action,
    AuditEntry,
    Cause,
    Dossier,
    Feedback,
    Finding,
    Investigation,
    InvestigationSummary,
    Link,
    Measure,
    SignOff,
    TeamMember,
    TimelineEntry,
    User,
)
from models.errors import (
    ConflictError,
    CycleError,
    DatabaseError,
    LockedError,
    NotFoundError,
    ReadOnlyError,
    ValidationError,
)
from models.rules import sac
from models.rules.sentinel import suggests_sentinel
from models.vocab import (
    EIGHT_M,
    LONDON_PROTOCOL,
    CauseKind,
    Concurrence,
    SignOffDecision,
    Status,
)

if TYPE_CHECKING:  # bound at run time by load_orm()
    from sqlalchemy.orm.exc import StaleDataError
    from sqlmodel import Session

    from models.graph import CauseGraph
    from models.tables import (
        ActionCauseRow,
        ActionRow,
        AppUserRow,
        AuditRow,
        CausalLinkRow,
        CauseRow,
        FeedbackRow,
        FishboneCategoryRow,
        InvestigationRow,
        SignOffRow,
        TeamMemberRow,
        TimelineEntryRow,
        _now,
    )

#: Category sets an investigation can start from (DOMAIN: no single standard).
CATEGORY_PRESETS = {"london": LONDON_PROTOCOL, "8m": EIGHT_M}

MEASURE_FIELDS = ("kind", "what", "how", "sample", "target", "date")

#: Action fields whose change withdraws a recorded concurrence: leadership concurred with the
#: action as it was, so it is asked again.
CONCURRED_FIELDS = frozenset(
    {"text", "strength", "hierarchy_category", "owner", "due"}
    | {f"measure_{n}" for n in MEASURE_FIELDS}
)


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# The ORM (SQLModel, the mapped tables) costs about 0.15 s to import. The home screen's list
# needs none of it (a Core query), so it is loaded on the first session instead of at start-up,
# and RcaApp warms it in a thread once the home screen is ready.
_ORM_NAMES = (
    "ActionCauseRow",
    "ActionRow",
    "AppUserRow",
    "AuditRow",
    "CausalLinkRow",
    "CauseRow",
    "FeedbackRow",
    "FishboneCategoryRow",
    "InvestigationRow",
    "SignOffRow",
    "TeamMemberRow",
    "TimelineEntryRow",
    "_now",
)
_orm_lock = threading.Lock()
_orm_loaded = False


def load_orm() -> None:
    """Import the ORM pieces into this module (once; safe from any thread)."""
    global _orm_loaded
    if _orm_loaded:
        return
    with _orm_lock:
        if _orm_loaded:
            return
        import sqlalchemy.orm.exc as orm_exc
        import sqlmodel

        import models.tables as tables

        g = globals()
        g["Session"] = sqlmodel.Session
        g["StaleDataError"] = orm_exc.StaleDataError
        for name in _ORM_NAMES:
            g[name] = getattr(tables, name)
        _orm_loaded = True


class _Tx:
    """One write transaction: the session, the acting user, and the audit chain's head."""

    def __init__(self, session: Session, user: str) -> None:
        self.s = session
        self.user = user
        self.at = _now()
        self._head: tuple[int, str] | None = None
        self.after_commit: list[Any] = []

    def audit(
        self,
        investigation_id: int | None,
        entity: str,
        entity_id: int | None,
        action: str,
        field: str | None = None,
        old: Any = None,
        new: Any = None,
    ) -> None:
        if self._head is None:
            last = self.s.execute(
                select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
            ).first()
            self._head = (last[0], last[1]) if last else (0, audit_chain.GENESIS)
        seq, prev = self._head[0] + 1, self._head[1]
        entry = {
            "seq": seq,
            "at": self.at,
            "user": self.user,
            "investigation_id": investigation_id,
            "entity": entity,
            "entity_id": entity_id,
            "action": action,
            "field": field,
            "old": values.audit_text(old),
            "new": values.audit_text(new),
        }
        digest = audit_chain.entry_hash(**entry, prev_hash=prev)
        self.s.add(AuditRow(**entry, prev_hash=prev, hash=digest))
        self._head = (seq, digest)


class Service:
    """All reads and writes of the RCA database, for one user."""

    def __init__(self, db: Database, user: str, *, login: str | None = None) -> None:
        self.db = db
        #: The name written in the audit trail (the login, or the `user` setting).
        self.user = user
        #: The account roles are checked against. The command line passes the operating
        #: system's account of the session (not an environment variable or a setting, which
        #: anyone could set); programs that build a Service themselves pass it or get `user`.
        self.login = login or user
        self._graphs: dict[int, CauseGraph] = {}
        self._graph_lock = threading.RLock()
        if not db.readonly:
            self._ensure_admin()

    # --- plumbing --------------------------------------------------------------------------
    @property
    def readonly(self) -> bool:
        return self.db.readonly

    @contextmanager
    def _read(self) -> Iterator[Session]:
        load_orm()
        try:
            with Session(self.db.engine, expire_on_commit=False) as s:
                yield s
        except DBAPIError as exc:
            raise translate(exc, self.db.target.name) from None

    @contextmanager
    def _write(self) -> Iterator[_Tx]:
        if self.db.readonly:
            raise ReadOnlyError(
                f"{self.db.target.name}: the database is open read-only; changes cannot be saved"
            )
        load_orm()
        try:
            with Session(self.db.writer, expire_on_commit=False, autoflush=False) as s:
                tx = _Tx(s, self.user)
                yield tx
                s.commit()
        except StaleDataError:
            raise ConflictError(
                "Someone else saved this record at the same moment; reload and try again"
            ) from None
        except IntegrityError as exc:
            raise ValidationError(f"refused by the database: {exc.orig}") from None
        except DBAPIError as exc:
            raise translate(exc, self.db.target.name) from None
        for callback in tx.after_commit:
            callback()

    def _get(self, s: Session, table: type, entity_id: int, label: str) -> Any:
        row = s.get(table, entity_id)
        if row is None:
            raise NotFoundError(f"There is no {label} with id {entity_id}")
        return row

    def _check_version(self, s: Session, row: Any, version: int | None, label: str) -> None:
        if version is None or row.version == version:
            return
        last = s.execute(
            select(AuditRow.user, AuditRow.at)
            .where(AuditRow.entity == row.__tablename__, AuditRow.entity_id == row.id)
            .order_by(AuditRow.seq.desc())
            .limit(1)
        ).first()
        who = f" by {last[0]} at {last[1]:%Y-%m-%d %H:%M} UTC" if last else ""
        raise ConflictError(
            f"{label} was changed{who} since you opened it; reload to see the change, "
            "then make your edit again"
        )

    def _apply(
        self,
        tx: _Tx,
        row: Any,
        changes: dict[str, Any],
        investigation_id: int,
        entity: str,
    ) -> list[str]:
        """Set changed fields on a row, one audit entry each; the names of the changed fields."""
        changed = []
        for name, new in changes.items():
            old = getattr(row, name)
            if old != new:
                setattr(row, name, new)
                tx.audit(investigation_id, entity, row.id, "update", name, old, new)
                changed.append(name)
        return changed

    def _touch(self, tx: _Tx, investigation_id: int, *, graph: bool = False) -> int | None:
        """Mark the investigation as updated; bump graph_rev for cause/link edits."""
        values_: dict[str, Any] = {"updated_at": tx.at, "updated_by": tx.user}
        table = InvestigationRow.__table__
        if graph:
            values_["graph_rev"] = table.c.graph_rev + 1
            return tx.s.execute(
                update(table)
                .where(table.c.id == investigation_id)
                .values(values_)
                .returning(table.c.graph_rev)
            ).scalar_one()
        tx.s.execute(update(table).where(table.c.id == investigation_id).values(values_))
        return None

    def _require_investigation(self, s: Session, investigation_id: int) -> InvestigationRow:
        return self._get(s, InvestigationRow, investigation_id, "investigation")

    def _writable(self, s: Session, investigation_id: int) -> InvestigationRow:
        """The investigation, if it may be changed; an approved or closed one is refused."""
        row = self._require_investigation(s, investigation_id)
        if review.is_frozen(row.status):
            raise review.FrozenError(self._frozen_message(s, row))
        return row

    @staticmethod
    def _frozen_message(s: Session, row: InvestigationRow) -> str:
        """'approved on DATE by NAME': from the audit trail, else the sign-off history."""
        last = s.execute(
            select(AuditRow.at, AuditRow.user)
            .where(
                AuditRow.investigation_id == row.id,
                AuditRow.entity == "investigation",
                AuditRow.field == "status",
                AuditRow.new == row.status,
            )
            .order_by(AuditRow.seq.desc())
            .limit(1)
        ).first()
        if last is None:
            last = s.execute(
                select(SignOffRow.at, SignOffRow.name)
                .where(SignOffRow.investigation_id == row.id, SignOffRow.decision == row.status)
                .order_by(SignOffRow.at.desc(), SignOffRow.id.desc())
                .limit(1)
            ).first()
        when = f"{last[0]:%Y-%m-%d}" if last else None
        who = last[1] if last else None
        return review.frozen_message(_short(row.title, 60), row.status, when, who)

    def _role_in(self, s: Session, name: str | None = None) -> str:
        """The role `name` (default: this service's user) acts with."""
        stored = s.execute(
            select(AppUserRow.role).where(AppUserRow.name == (name or self.login))
        ).scalar_one_or_none()
        return review.effective_role(stored)

    def _require_role(self, s: Session, roles: tuple[str, ...], what: str) -> None:
        """Refuse unless the login's role is one of `roles`; the refusal names the login."""
        review.check_role(self.login, self._role_in(s), roles, what, recorded=self.user)

    # --- investigations --------------------------------------------------------------------
    def create_investigation(self, title: str, **fields: Any) -> Investigation:
        data = values.normalise(values.INVESTIGATION, {"title": title, **fields})
        if "status" in data:
            review.check_status_edit(Status.DRAFT, data["status"])
        self._derive(data)
        with self._write() as tx:
            row = InvestigationRow(
                **data, created_by=tx.user, updated_by=tx.user, created_at=tx.at, updated_at=tx.at
            )
            tx.s.add(row)
            tx.s.flush()
            tx.audit(row.id, "investigation", row.id, "create", None, None, row.title)
            for name, value in data.items():
                if name != "title" and value not in (None, "", False):
                    tx.audit(row.id, "investigation", row.id, "update", name, None, value)
            result = Investigation.from_row(row)
        return result

    @staticmethod
    def _derive(data: dict[str, Any], current: InvestigationRow | None = None) -> None:
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
            data["sentinel"] = suggests_sentinel(
                pick("report_type"), pick("harm"), pick("ncc_merp")
            )

    def get_investigation(self, investigation_id: int) -> Investigation:
        with self._read() as s:
            return Investigation.from_row(self._require_investigation(s, investigation_id))

    def list_investigations(self) -> list[InvestigationSummary]:
        """The home list: a Core query on the investigation table (no ORM needed, see
        load_orm), with typed columns so dates and flags come back as Python values."""
        from sqlalchemy import Boolean, DateTime, Integer, Text, column
        from sqlalchemy import table as core_table

        types = {"id": Integer, "sac_score": Integer, "sentinel": Boolean}
        dates = {"occurred_at", "discovered_at", "decision_at", "updated_at"}
        cols = [
            column(name, DateTime if name in dates else types.get(name, Text))
            for name in InvestigationSummary.__dataclass_fields__
        ]
        query = select(*cols).select_from(core_table("investigation")).order_by(cols[0])
        try:
            with self.db.engine.connect() as conn:
                rows = conn.execute(query).all()
        except DBAPIError as exc:
            raise translate(exc, self.db.target.name) from None
        return [InvestigationSummary(*r) for r in rows]

    def update_investigation(
        self, investigation_id: int, version: int | None, **changes: Any
    ) -> Investigation:
        data = values.normalise(values.INVESTIGATION, changes)
        with self._write() as tx:
            row = self._writable(tx.s, investigation_id)
            self._check_version(tx.s, row, version, f"Investigation '{_short(row.title)}'")
            if "status" in data:
                review.check_status_edit(row.status, data["status"])
            self._derive(data, row)
            changed = self._apply(tx, row, data, row.id, "investigation")
            if changed:
                row.updated_at, row.updated_by = tx.at, tx.user
                tx.s.flush()
            result = Investigation.from_row(row)
        return result

    def delete_investigation(self, investigation_id: int, version: int | None = None) -> None:
        with self._write() as tx:
            row = self._writable(tx.s, investigation_id)
            self._check_version(tx.s, row, version, f"Investigation '{_short(row.title)}'")
            tx.audit(row.id, "investigation", row.id, "delete", None, row.title, None)
            tx.s.delete(row)
            tx.after_commit.append(lambda: self._forget_graph(investigation_id))

    # --- team ------------------------------------------------------------------------------
    def list_team(self, investigation_id: int) -> list[TeamMember]:
        with self._read() as s:
            rows = s.execute(
                select(TeamMemberRow)
                .where(TeamMemberRow.investigation_id == investigation_id)
                .order_by(TeamMemberRow.position, TeamMemberRow.id)
            ).scalars()
            return [TeamMember.from_row(r) for r in rows]

    def add_member(
        self, investigation_id: int, name: str, role: str = "other", **fields
    ) -> TeamMember:
        data = values.normalise(values.TEAM_MEMBER, {"name": name, "role": role, **fields})
        with self._write() as tx:
            self._writable(tx.s, investigation_id)
            position = self._next_position(tx.s, TeamMemberRow, investigation_id)
            row = TeamMemberRow(investigation_id=investigation_id, position=position, **data)
            tx.s.add(row)
            tx.s.flush()
            tx.audit(investigation_id, "team_member", row.id, "create", None, None, row.name)
            self._touch(tx, investigation_id)
            return TeamMember.from_row(row)

    def update_member(self, member_id: int, version: int | None, **changes: Any) -> TeamMember:
        data = values.normalise(values.TEAM_MEMBER, changes)
        with self._write() as tx:
            row = self._get(tx.s, TeamMemberRow, member_id, "team member")
            self._writable(tx.s, row.investigation_id)
            self._check_version(tx.s, row, version, f"Team member '{_short(row.name)}'")
            if self._apply(tx, row, data, row.investigation_id, "team_member"):
                tx.s.flush()
                self._touch(tx, row.investigation_id)
            return TeamMember.from_row(row)

    def remove_member(self, member_id: int) -> None:
        self._delete_simple(TeamMemberRow, member_id, "team member", "team_member", "name")

    # --- timeline --------------------------------------------------------------------------
    def list_timeline(self, investigation_id: int) -> list[TimelineEntry]:
        with self._read() as s:
            rows = s.execute(
                select(TimelineEntryRow)
                .where(TimelineEntryRow.investigation_id == investigation_id)
                .order_by(TimelineEntryRow.position, TimelineEntryRow.id)
            ).scalars()
            return [TimelineEntry.from_row(r) for r in rows]

    def add_entry(self, investigation_id: int, **fields: Any) -> TimelineEntry:
        data = values.normalise(values.TIMELINE_ENTRY, fields)
        if not (data.get("happened") or "").strip():
            raise ValidationError("what happened: is required")
        with self._write() as tx:
            self._writable(tx.s, investigation_id)
            position = self._next_position(tx.s, TimelineEntryRow, investigation_id)
            row = TimelineEntryRow(investigation_id=investigation_id, position=position, **data)
            tx.s.add(row)
            tx.s.flush()
            tx.audit(investigation_id, "timeline_entry", row.id, "create", None, None, row.happened)
            self._touch(tx, investigation_id)
            return TimelineEntry.from_row(row)

    def update_entry(self, entry_id: int, version: int | None, **changes: Any) -> TimelineEntry:
        data = values.normalise(values.TIMELINE_ENTRY, changes)
        if "happened" in data and not data["happened"].strip():
            raise ValidationError("what happened: is required")
        with self._write() as tx:
            row = self._get(tx.s, TimelineEntryRow, entry_id, "timeline entry")
            self._writable(tx.s, row.investigation_id)
            self._check_version(tx.s, row, version, "This timeline entry")
            if self._apply(tx, row, data, row.investigation_id, "timeline_entry"):
                tx.s.flush()
                self._touch(tx, row.investigation_id)
            return TimelineEntry.from_row(row)

    def move_entry(self, entry_id: int, offset: int) -> list[TimelineEntry]:
        """Move an entry up (negative) or down the list; returns the timeline in its new order."""
        with self._write() as tx:
            row = self._get(tx.s, TimelineEntryRow, entry_id, "timeline entry")
            self._writable(tx.s, row.investigation_id)
            inv = row.investigation_id
            rows = list(
                tx.s.execute(
                    select(TimelineEntryRow)
                    .where(TimelineEntryRow.investigation_id == inv)
                    .order_by(TimelineEntryRow.position, TimelineEntryRow.id)
                ).scalars()
            )
            index = next(i for i, r in enumerate(rows) if r.id == entry_id)
            target = max(0, min(len(rows) - 1, index + offset))
            if target != index:
                rows.insert(target, rows.pop(index))
                for position, r in enumerate(rows):
                    if r.position != position:
                        if r.id == entry_id:
                            tx.audit(
                                inv, "timeline_entry", r.id, "update", "position", index, target
                            )
                        r.position = position
                tx.s.flush()
                self._touch(tx, inv)
            return [TimelineEntry.from_row(r) for r in rows]

    def delete_entry(self, entry_id: int) -> None:
        self._delete_simple(
            TimelineEntryRow, entry_id, "timeline entry", "timeline_entry", "happened"
        )

    # --- causes and links ------------------------------------------------------------------
    def list_causes(self, investigation_id: int) -> list[Cause]:
        t = CauseRow.__table__.c
        cols = [t[f] for f in Cause.__dataclass_fields__]
        with self._read() as s:
            rows = s.execute(
                select(*cols).where(t.investigation_id == investigation_id).order_by(t.id)
            )
            return [Cause(*r) for r in rows]

    def get_cause(self, cause_id: int) -> Cause:
        with self._read() as s:
            return Cause.from_row(self._get(s, CauseRow, cause_id, "cause"))

    def list_links(self, investigation_id: int) -> list[Link]:
        t = CausalLinkRow.__table__.c
        with self._read() as s:
            rows = s.execute(
                select(t.id, t.investigation_id, t.cause_id, t.effect_id)
                .where(t.investigation_id == investigation_id)
                .order_by(t.id)
            )
            return [Link(*r) for r in rows]

    def add_cause(
        self, investigation_id: int, text: str, *, effect_id: int | None = None, **fields: Any
    ) -> Cause:
        """Add a cause (optionally linked as a cause of `effect_id`, in the same transaction)."""
        data = values.normalise(
            values.CAUSE, {"text": text, "kind": fields.pop("kind", "cause"), **fields}
        )
        with self._write() as tx:
            self._writable(tx.s, investigation_id)
            graph = self._graph_in(tx.s, investigation_id)
            if effect_id is not None and effect_id not in graph:
                raise NotFoundError(f"There is no cause with id {effect_id} in this investigation")
            row = CauseRow(
                investigation_id=investigation_id, created_by=tx.user, created_at=tx.at, **data
            )
            tx.s.add(row)
            tx.s.flush()
            tx.audit(investigation_id, "cause", row.id, "create", None, None, row.text)
            for name in ("category", "kind", "evidence", "statement"):
                if data.get(name) not in (None, "", "cause"):
                    tx.audit(investigation_id, "cause", row.id, "update", name, None, data[name])
            if effect_id is not None:
                self._insert_link(tx, investigation_id, row.id, effect_id)
            rev = self._touch(tx, investigation_id, graph=True)
            cause = Cause.from_row(row)

            def sync() -> None:
                with self._graph_lock:
                    graph.add_node(cause.id, cause.kind, cause.category)
                    if effect_id is not None:
                        graph.add_edge(cause.id, effect_id)
                    graph.rev = rev

            tx.after_commit.append(sync)
        return cause

    def update_cause(self, cause_id: int, version: int | None, **changes: Any) -> Cause:
        data = values.normalise(values.CAUSE, changes)
        with self._write() as tx:
            row = self._get(tx.s, CauseRow, cause_id, "cause")
            self._writable(tx.s, row.investigation_id)
            self._check_version(tx.s, row, version, f"Cause '{_short(row.text)}'")
            changed = self._apply(tx, row, data, row.investigation_id, "cause")
            if changed:
                tx.s.flush()
            # The graph holds kind and category only: a text edit leaves other caches valid.
            if {"kind", "category"} & set(changed):
                graph = self._graph_in(tx.s, row.investigation_id)
                rev = self._touch(tx, row.investigation_id, graph=True)
                attrs = {"kind": row.kind, "category": row.category}

                def sync() -> None:
                    with self._graph_lock:
                        graph.update_node(cause_id, **attrs)
                        graph.rev = rev

                tx.after_commit.append(sync)
            elif changed:
                self._touch(tx, row.investigation_id)
            return Cause.from_row(row)

    def delete_cause(
        self, cause_id: int, version: int | None = None
    ) -> tuple[Cause, list[tuple[int, int]]]:
        """Delete a cause and its links (each link removal is audited too).

        Returns the cause and its links as they were, so that undo can put them back. With a
        `version`, a cause changed since is a conflict (undo passes the one it left).
        """
        with self._write() as tx:
            row = self._get(tx.s, CauseRow, cause_id, "cause")
            self._writable(tx.s, row.investigation_id)
            self._check_version(tx.s, row, version, f"Cause '{_short(row.text)}'")
            inv = row.investigation_id
            removed = Cause.from_row(row)
            graph = self._graph_in(tx.s, inv)
            links = (
                tx.s.execute(
                    select(CausalLinkRow).where(
                        (CausalLinkRow.cause_id == cause_id) | (CausalLinkRow.effect_id == cause_id)
                    )
                )
                .scalars()
                .all()
            )
            for link in links:
                tx.audit(
                    inv,
                    "causal_link",
                    link.id,
                    "delete",
                    None,
                    f"{link.cause_id}->{link.effect_id}",
                    None,
                )
            tx.audit(inv, "cause", cause_id, "delete", None, row.text, None)
            tx.s.delete(row)
            tx.s.flush()
            rev = self._touch(tx, inv, graph=True)

            def sync() -> None:
                with self._graph_lock:
                    graph.remove_node(cause_id)
                    graph.rev = rev

            tx.after_commit.append(sync)
        return removed, [(link.cause_id, link.effect_id) for link in links]

    def link(self, cause_id: int, effect_id: int) -> Link:
        """Record that `cause_id` led to `effect_id`; a link closing a cycle is refused."""
        with self._write() as tx:
            cause = self._get(tx.s, CauseRow, cause_id, "cause")
            effect = self._get(tx.s, CauseRow, effect_id, "cause")
            if cause.investigation_id != effect.investigation_id:
                raise ValidationError("Causes of two different investigations cannot be linked")
            inv = cause.investigation_id
            self._writable(tx.s, inv)
            graph = self._graph_in(tx.s, inv)
            link = self._insert_link(tx, inv, cause_id, effect_id)
            rev = self._touch(tx, inv, graph=True)

            def sync() -> None:
                with self._graph_lock:
                    graph.add_edge(cause_id, effect_id)
                    graph.rev = rev

            tx.after_commit.append(sync)
            return link

    def _insert_link(self, tx: _Tx, inv: int, cause_id: int, effect_id: int) -> Link:
        graph = self._graphs[inv]
        if graph.g.has_edge(cause_id, effect_id):
            raise ValidationError("These two causes are already linked")
        cycle = graph.cycle_if_linked(cause_id, effect_id)
        if cycle is not None:
            texts = dict(
                tx.s.execute(select(CauseRow.id, CauseRow.text).where(CauseRow.id.in_(cycle))).all()
            )
            named = " -> ".join(f"'{_short(texts.get(n, str(n)), 30)}'" for n in cycle)
            raise CycleError(f"That link would make a circle: {named}", cycle)
        row = CausalLinkRow(investigation_id=inv, cause_id=cause_id, effect_id=effect_id)
        tx.s.add(row)
        tx.s.flush()
        tx.audit(inv, "causal_link", row.id, "create", None, None, f"{cause_id}->{effect_id}")
        return Link(row.id, inv, cause_id, effect_id)

    def unlink(self, cause_id: int, effect_id: int) -> None:
        with self._write() as tx:
            row = tx.s.execute(
                select(CausalLinkRow).where(
                    CausalLinkRow.cause_id == cause_id, CausalLinkRow.effect_id == effect_id
                )
            ).scalar_one_or_none()
            if row is None:
                raise NotFoundError(f"Cause {cause_id} is not linked to {effect_id}")
            inv = row.investigation_id
            self._writable(tx.s, inv)
            graph = self._graph_in(tx.s, inv)
            tx.audit(inv, "causal_link", row.id, "delete", None, f"{cause_id}->{effect_id}", None)
            tx.s.delete(row)
            tx.s.flush()
            rev = self._touch(tx, inv, graph=True)

            def sync() -> None:
                with self._graph_lock:
                    graph.remove_edge(cause_id, effect_id)
                    graph.rev = rev

            tx.after_commit.append(sync)

    # --- fishbone categories ----------------------------------------------------------------
    def categories(self, investigation_id: int) -> list[str]:
        """The bones in order: the stored set (or the default), then any other category in use."""
        with self._read() as s:
            self._require_investigation(s, investigation_id)
            return self._categories_in(s, investigation_id)

    @staticmethod
    def _categories_in(s: Session, investigation_id: int) -> list[str]:
        stored = list(
            s.execute(
                select(FishboneCategoryRow.name)
                .where(FishboneCategoryRow.investigation_id == investigation_id)
                .order_by(FishboneCategoryRow.position, FishboneCategoryRow.id)
            ).scalars()
        )
        names = stored or list(LONDON_PROTOCOL)
        used = s.execute(
            select(CauseRow.category)
            .where(CauseRow.investigation_id == investigation_id, CauseRow.category.is_not(None))
            .group_by(CauseRow.category)
            .order_by(func.min(CauseRow.id))
        ).scalars()
        return names + [u for u in used if u not in names]

    def set_categories(
        self,
        investigation_id: int,
        names: Sequence[str],
        *,
        renames: dict[str, str] | None = None,
    ) -> list[str]:
        """Replace the bones (add, rename, reorder, remove) in one audited transaction.

        `renames` maps old names to new ones; causes on a renamed bone move with it. A bone that
        still has causes cannot be dropped: the error names it and how many causes it holds.
        """
        renames = dict(renames or {})
        clean = [values.title("category", n) for n in names]
        if len({n.casefold() for n in clean}) != len(clean):
            raise ValidationError("categories: each name may appear only once")
        if not clean:
            raise ValidationError("categories: keep at least one category")
        for old, new in renames.items():
            if new not in clean:
                raise ValidationError(
                    f"categories: '{new}' (renamed from '{old}') is not in the list"
                )
        with self._write() as tx:
            self._writable(tx.s, investigation_id)
            before = self._categories_in(tx.s, investigation_id)
            counts = dict(
                tx.s.execute(
                    select(CauseRow.category, func.count())
                    .where(CauseRow.investigation_id == investigation_id)
                    .group_by(CauseRow.category)
                ).all()
            )
            for name in before:
                if name not in clean and name not in renames and counts.get(name):
                    n = counts[name]
                    raise ValidationError(
                        f"Category '{name}' has {n} cause{'s' * (n != 1)}: move them to another "
                        "category, or rename the category instead of removing it"
                    )
            for old, new in renames.items():
                if old == new:
                    continue
                rows = tx.s.execute(
                    select(CauseRow).where(
                        CauseRow.investigation_id == investigation_id, CauseRow.category == old
                    )
                ).scalars()
                for row in rows:
                    self._apply(tx, row, {"category": new}, investigation_id, "cause")
            tx.s.execute(
                delete(FishboneCategoryRow).where(
                    FishboneCategoryRow.investigation_id == investigation_id
                )
            )
            tx.s.add_all(
                FishboneCategoryRow(investigation_id=investigation_id, name=n, position=i)
                for i, n in enumerate(clean)
            )
            tx.s.flush()
            if before != clean:
                tx.audit(
                    investigation_id,
                    "investigation",
                    investigation_id,
                    "update",
                    "categories",
                    " | ".join(before),
                    " | ".join(clean),
                )
            self._touch(tx, investigation_id, graph=bool(renames))
            tx.after_commit.append(lambda: self._forget_graph(investigation_id))
            return self._categories_in(tx.s, investigation_id)

    def use_category_preset(self, investigation_id: int, preset: str) -> list[str]:
        """Switch to a preset set; bones that hold causes are kept at the end."""
        if preset not in CATEGORY_PRESETS:
            raise ValidationError(
                f"preset: {preset!r} is not one of {', '.join(sorted(CATEGORY_PRESETS))}"
            )
        names = list(CATEGORY_PRESETS[preset])
        with self._read() as s:
            used = s.execute(
                select(CauseRow.category)
                .where(
                    CauseRow.investigation_id == investigation_id, CauseRow.category.is_not(None)
                )
                .distinct()
            ).scalars()
            names += [u for u in used if u not in names]
        return self.set_categories(investigation_id, names)

    def restore_cause(self, cause: Cause, links: Sequence[tuple[int, int]] = ()) -> Cause:
        """Put back a deleted cause under its old id, with its links (used by undo).

        Its version goes on from the deleted one's, so a version read before the delete is
        stale, and an undo history can follow the cause through delete and restore.
        """
        data = values.normalise(
            values.CAUSE,
            {
                k: getattr(cause, k)
                for k in (
                    "text",
                    "category",
                    "kind",
                    "evidence",
                    "statement",
                    "no_action_reason",
                    "weak_only_reason",
                )
            },
        )
        with self._write() as tx:
            inv = cause.investigation_id
            self._writable(tx.s, inv)
            if tx.s.get(CauseRow, cause.id) is not None:
                raise ConflictError("That cause exists already; nothing to restore")
            graph = self._graph_in(tx.s, inv)
            result = Cause(cause.id, inv, **data, version=cause.version + 1)
            # A Core insert: the ORM would start the version again at 1.
            tx.s.execute(
                insert(CauseRow.__table__).values(
                    id=cause.id,
                    investigation_id=inv,
                    created_by=tx.user,
                    created_at=tx.at,
                    version=result.version,
                    **data,
                )
            )
            tx.audit(inv, "cause", cause.id, "restore", None, None, result.text)
            restored: list[tuple[int, int]] = []
            for a, b in links:
                other = b if a == cause.id else a
                if other != cause.id and other not in graph:
                    continue  # the other end is gone too; undo restores it separately
                tx.s.add(CausalLinkRow(investigation_id=inv, cause_id=a, effect_id=b))
                tx.s.flush()
                tx.audit(inv, "causal_link", None, "restore", None, None, f"{a}->{b}")
                restored.append((a, b))
            rev = self._touch(tx, inv, graph=True)

            def sync() -> None:
                with self._graph_lock:
                    graph.add_node(result.id, result.kind, result.category)
                    for a, b in restored:
                        graph.add_edge(a, b)
                    graph.rev = rev

            tx.after_commit.append(sync)
        return result

    # --- the graph -------------------------------------------------------------------------
    def _graph_in(self, s: Session, investigation_id: int) -> CauseGraph:
        """The cached graph if it is current in this transaction, else one loaded afresh."""
        rev = s.execute(
            select(InvestigationRow.graph_rev).where(InvestigationRow.id == investigation_id)
        ).scalar_one_or_none()
        if rev is None:
            raise NotFoundError(f"There is no investigation with id {investigation_id}")
        with self._graph_lock:
            cached = self._graphs.get(investigation_id)
            if cached is not None and cached.rev == rev:
                return cached
        graph = self._load_graph(s, investigation_id, rev)
        with self._graph_lock:
            self._graphs[investigation_id] = graph
        return graph

    @staticmethod
    def _load_graph(s: Session, investigation_id: int, rev: int) -> CauseGraph:
        from models.graph import CauseGraph  # networkx stays out of start-up

        c = CauseRow.__table__.c
        lk = CausalLinkRow.__table__.c
        nodes = s.execute(
            select(c.id, c.kind, c.category).where(c.investigation_id == investigation_id)
        ).all()
        edges = s.execute(
            select(lk.cause_id, lk.effect_id).where(lk.investigation_id == investigation_id)
        ).all()
        return CauseGraph.build(nodes, edges, rev)

    def load_graph(self, investigation_id: int) -> CauseGraph:
        """Read the graph from the database, ignoring the cache (what a fresh start costs)."""
        with self._read() as s:
            rev = s.execute(
                select(InvestigationRow.graph_rev).where(InvestigationRow.id == investigation_id)
            ).scalar_one_or_none()
            if rev is None:
                raise NotFoundError(f"There is no investigation with id {investigation_id}")
            return self._load_graph(s, investigation_id, rev)

    def graph(self, investigation_id: int) -> CauseGraph:
        """A private copy of the current graph, safe to keep and query on any thread."""
        with self._read() as s:
            graph = self._graph_in(s, investigation_id)
            with self._graph_lock:
                return type(graph)(graph.g.copy(), graph.rev)

    def _forget_graph(self, investigation_id: int) -> None:
        with self._graph_lock:
            self._graphs.pop(investigation_id, None)

    # --- actions ---------------------------------------------------------------------------
    @staticmethod
    def _flatten_action(fields: dict[str, Any]) -> dict[str, Any]:
        measure = fields.pop("measure", None)
        if measure is not None:
            if isinstance(measure, Measure):
                measure = {n: getattr(measure, n) for n in MEASURE_FIELDS}
            if not isinstance(measure, dict):
                raise ValidationError("measure: expected the measure's fields")
            for name, value in measure.items():
                if name not in MEASURE_FIELDS:
                    raise ValidationError(f"measure {name}: is not a field of a measure")
                fields[f"measure_{name}"] = value
        return fields

    def _action(self, s: Session, row: ActionRow) -> Action:
        addresses = tuple(
            s.execute(
                select(ActionCauseRow.cause_id)
                .where(ActionCauseRow.action_id == row.id)
                .order_by(ActionCauseRow.cause_id)
            ).scalars()
        )
        return self._action_from(row, addresses)

    @staticmethod
    def _action_from(row: Any, addresses: tuple[int, ...]) -> Action:
        measure = Measure(*(getattr(row, f"measure_{n}") for n in MEASURE_FIELDS))
        return Action.from_row(row, addresses=addresses, measure=measure)

    def list_actions(self, investigation_id: int) -> list[Action]:
        with self._read() as s:
            rows = list(
                s.execute(
                    select(ActionRow)
                    .where(ActionRow.investigation_id == investigation_id)
                    .order_by(ActionRow.id)
                ).scalars()
            )
            pairs = s.execute(
                select(ActionCauseRow.action_id, ActionCauseRow.cause_id)
                .join(ActionRow, ActionRow.id == ActionCauseRow.action_id)
                .where(ActionRow.investigation_id == investigation_id)
                .order_by(ActionCauseRow.cause_id)
            ).all()
            by_action: dict[int, list[int]] = {}
            for action_id, cause_id in pairs:
                by_action.setdefault(action_id, []).append(cause_id)
            return [self._action_from(r, tuple(by_action.get(r.id, ()))) for r in rows]

    def _set_addresses(self, tx: _Tx, row: ActionRow, addresses: Iterable[int]) -> bool:
        """Make the action address exactly these causes; True if that changed anything."""
        wanted = set(addresses)
        if wanted:
            found = set(
                tx.s.execute(
                    select(CauseRow.id).where(
                        CauseRow.id.in_(wanted), CauseRow.investigation_id == row.investigation_id
                    )
                ).scalars()
            )
            missing = sorted(wanted - found)
            if missing:
                raise ValidationError(
                    f"addresses: no cause with id {', '.join(map(str, missing))} "
                    "in this investigation"
                )
        current = set(
            tx.s.execute(
                select(ActionCauseRow.cause_id).where(ActionCauseRow.action_id == row.id)
            ).scalars()
        )
        for cause_id in sorted(wanted - current):
            tx.s.add(ActionCauseRow(action_id=row.id, cause_id=cause_id))
            tx.audit(row.investigation_id, "action", row.id, "update", "addresses", None, cause_id)
        for cause_id in sorted(current - wanted):
            tx.s.execute(
                delete(ActionCauseRow).where(
                    ActionCauseRow.action_id == row.id, ActionCauseRow.cause_id == cause_id
                )
            )
            tx.audit(row.investigation_id, "action", row.id, "update", "addresses", cause_id, None)
        return wanted != current

    def _check_concurrence(self, tx: _Tx, data: dict[str, Any], row: ActionRow | None) -> None:
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
        self._require_role(tx.s, review.CONCUR_ROLES, "record concurrence with an action")
        if new == Concurrence.DO_NOT_CONCUR and not reason.strip():
            raise ValidationError("concurrence reason: is required when you do not concur")
        data["concurrence_by"] = tx.user if new else ""
        data["concurrence_at"] = tx.at if new else None

    def _withdraw_concurrence(self, tx: _Tx, row: ActionRow) -> None:
        """The action changed after leadership decided on it: ask leadership again."""
        self._apply(
            tx,
            row,
            {
                "concurrence": None,
                "concurrence_reason": "",
                "concurrence_by": "",
                "concurrence_at": None,
            },
            row.investigation_id,
            "action",
        )

    def add_action(
        self, investigation_id: int, text: str, *, addresses: Sequence[int] = (), **fields: Any
    ) -> Action:
        fields = self._flatten_action(fields)
        fields.setdefault("status", "open")
        data = values.normalise(values.ACTION, {"text": text, **fields})
        with self._write() as tx:
            self._writable(tx.s, investigation_id)
            self._check_concurrence(tx, data, None)
            row = ActionRow(investigation_id=investigation_id, **data)
            tx.s.add(row)
            tx.s.flush()
            tx.audit(investigation_id, "action", row.id, "create", None, None, row.text)
            for name, value in data.items():
                if name not in ("text", "status") and value not in (None, ""):
                    tx.audit(investigation_id, "action", row.id, "update", name, None, value)
            self._set_addresses(tx, row, addresses)
            tx.s.flush()
            self._touch(tx, investigation_id)
            return self._action(tx.s, row)

    def update_action(
        self,
        action_id: int,
        version: int | None,
        *,
        addresses: Sequence[int] | None = None,
        **changes: Any,
    ) -> Action:
        """Change an action. Leadership concurrence recorded earlier is withdrawn when what was
        concurred with changes (text, strength, owner, due date, measure, causes addressed)."""
        data = values.normalise(values.ACTION, self._flatten_action(changes))
        with self._write() as tx:
            row = self._get(tx.s, ActionRow, action_id, "action")
            self._writable(tx.s, row.investigation_id)
            self._check_version(tx.s, row, version, f"Action '{_short(row.text)}'")
            self._check_concurrence(tx, data, row)
            had = row.concurrence is not None
            changed = self._apply(tx, row, data, row.investigation_id, "action")
            moved = addresses is not None and self._set_addresses(tx, row, addresses)
            if had and "concurrence" not in changed and (moved or CONCURRED_FIELDS & set(changed)):
                self._withdraw_concurrence(tx, row)
            if changed or addresses is not None:
                tx.s.flush()
                self._touch(tx, row.investigation_id)
            return self._action(tx.s, row)

    def delete_action(self, action_id: int) -> None:
        self._delete_simple(ActionRow, action_id, "action", "action", "text")

    # --- sign-off and feedback -------------------------------------------------------------
    def add_signoff(self, investigation_id: int, **fields: Any) -> SignOff:
        """Add a row to the sign-off history by hand (reviewer or admin; status unchanged).

        The review steps (approve, return_for_changes, reopen, close) record their own rows.
        """
        data = values.normalise(values.SIGN_OFF, fields)
        with self._write() as tx:
            self._writable(tx.s, investigation_id)
            self._require_role(tx.s, review.LEADERSHIP, "add a sign-off")
            row = SignOffRow(investigation_id=investigation_id, at=tx.at, **data)
            tx.s.add(row)
            tx.s.flush()
            tx.audit(
                investigation_id,
                "sign_off",
                row.id,
                "create",
                None,
                None,
                f"{row.name}: {row.decision}",
            )
            self._touch(tx, investigation_id)
            return SignOff.from_row(row)

    def add_feedback(self, investigation_id: int, **fields: Any) -> Feedback:
        """Record feedback given to the reporter, staff or patient/family (also once approved)."""
        data = values.normalise(values.FEEDBACK, fields)
        with self._write() as tx:
            self._require_investigation(tx.s, investigation_id)
            row = FeedbackRow(investigation_id=investigation_id, **data)
            tx.s.add(row)
            tx.s.flush()
            tx.audit(investigation_id, "feedback", row.id, "create", None, None, row.audience)
            self._touch(tx, investigation_id)
            return Feedback.from_row(row)

    # --- whole investigations --------------------------------------------------------------
    def dossier(self, investigation_id: int) -> Dossier:
        """Everything about one investigation, read in one consistent snapshot."""
        with self._read() as s:
            return self._dossier_in(s, investigation_id)

    def _dossier_in(self, s: Session, investigation_id: int) -> Dossier:
        inv = Investigation.from_row(self._require_investigation(s, investigation_id))

        def rows(table: Any, *order: Any) -> list[Any]:
            return list(
                s.execute(
                    select(table).where(table.investigation_id == investigation_id).order_by(*order)
                ).scalars()
            )

        team = tuple(
            TeamMember.from_row(r)
            for r in rows(TeamMemberRow, TeamMemberRow.position, TeamMemberRow.id)
        )
        timeline = tuple(
            TimelineEntry.from_row(r)
            for r in rows(TimelineEntryRow, TimelineEntryRow.position, TimelineEntryRow.id)
        )
        causes = tuple(Cause.from_row(r) for r in rows(CauseRow, CauseRow.id))
        links = tuple(
            Link(r.id, r.investigation_id, r.cause_id, r.effect_id)
            for r in rows(CausalLinkRow, CausalLinkRow.id)
        )
        action_rows = rows(ActionRow, ActionRow.id)
        pairs = s.execute(
            select(ActionCauseRow.action_id, ActionCauseRow.cause_id)
            .join(ActionRow, ActionRow.id == ActionCauseRow.action_id)
            .where(ActionRow.investigation_id == investigation_id)
            .order_by(ActionCauseRow.cause_id)
        ).all()
        by_action: dict[int, list[int]] = {}
        for action_id, cause_id in pairs:
            by_action.setdefault(action_id, []).append(cause_id)
        actions = tuple(self._action_from(r, tuple(by_action.get(r.id, ()))) for r in action_rows)
        signoffs = tuple(SignOff.from_row(r) for r in rows(SignOffRow, SignOffRow.id))
        feedback = tuple(Feedback.from_row(r) for r in rows(FeedbackRow, FeedbackRow.id))
        categories = tuple(self._categories_in(s, investigation_id))
        return Dossier(inv, team, timeline, causes, links, actions, signoffs, feedback, categories)

    def check(self, investigation_id: int, today: dt.date | None = None) -> list[Finding]:
        """Every finding of every rule for one investigation (what `rca check` prints).

        `today` is the day dated checks (P-OVERDUE) judge against; default: the real date.
        """
        from models.rules.checks import run_checks

        return run_checks(self.dossier(investigation_id), today)

    # --- users and roles -------------------------------------------------------------------
    def _ensure_admin(self) -> None:
        """A database without users gets one: whoever opens it first (its creator) is admin."""
        from sqlalchemy import column
        from sqlalchemy import table as core_table

        try:
            # A Core query first: the usual answer ("there are users") needs no ORM at start-up.
            with self.db.engine.connect() as conn:
                found = conn.execute(
                    select(column("id")).select_from(core_table("app_user")).limit(1)
                ).first()
            if found is not None:
                return
            with self._read() as s:
                if s.execute(select(AppUserRow.id).limit(1)).first() is not None:
                    return
            with self._write() as tx:
                if tx.s.execute(select(AppUserRow.id).limit(1)).first() is not None:
                    return  # someone else got there first
                name = values.title("user name", self.login)
                row = AppUserRow(name=name, role=review.ADMIN, created_by=name, created_at=tx.at)
                tx.s.add(row)
                tx.s.flush()
                tx.audit(None, "app_user", row.id, "create", None, None, f"{name}: admin")
        except (LockedError, ReadOnlyError, ValidationError):
            pass  # busy or not writable now: the next service to open it tries again

    def list_users(self) -> list[User]:
        """The users with a stored role, by name. Anyone else is an investigator."""
        with self._read() as s:
            rows = s.execute(select(AppUserRow).order_by(AppUserRow.name)).scalars()
            return [User.from_row(r) for r in rows]

    def role_of(self, name: str) -> str | None:
        """The stored role of a user name, or None for a name not in the user table (such a
        user acts as an investigator: see `models.review`)."""
        with self._read() as s:
            return s.execute(
                select(AppUserRow.role).where(AppUserRow.name == name)
            ).scalar_one_or_none()

    def current_role(self) -> str:
        """The role this service's user acts with (investigator when not in the user table)."""
        return review.effective_role(self.role_of(self.login))

    def add_user(self, name: str, role: str) -> User:
        """Give a user name a role (admin only). A name already listed is refused."""
        data = values.normalise(values.USER, {"name": name, "role": role})
        with self._write() as tx:
            self._require_role(tx.s, review.USER_ROLES, "add users")
            existing = self._user_row(tx.s, data["name"])
            if existing is not None:
                raise ValidationError(
                    f"user {existing.name}: is already listed as {existing.role}; "
                    "change the role instead of adding the user again"
                )
            row = AppUserRow(**data, created_by=tx.user, created_at=tx.at)
            tx.s.add(row)
            tx.s.flush()
            tx.audit(None, "app_user", row.id, "create", None, None, f"{row.name}: {row.role}")
            return User.from_row(row)

    def set_role(self, name: str, role: str) -> User:
        """Change a listed user's role (admin only); the last admin keeps the role."""
        data = values.normalise(values.USER, {"name": name, "role": role})
        with self._write() as tx:
            self._require_role(tx.s, review.USER_ROLES, "change roles")
            row = self._user_row(tx.s, data["name"])
            if row is None:
                raise NotFoundError(f"There is no user {data['name']} (add the user first)")
            if row.role == review.ADMIN and data["role"] != review.ADMIN:
                self._keep_an_admin(tx.s, row.name)
            self._apply(tx, row, {"role": data["role"]}, None, "app_user")  # type: ignore[arg-type]
            tx.s.flush()
            return User.from_row(row)

    def remove_user(self, name: str) -> None:
        """Take a user name out of the table (admin only); it becomes an investigator again."""
        with self._write() as tx:
            self._require_role(tx.s, review.USER_ROLES, "remove users")
            row = self._user_row(tx.s, name.strip())
            if row is None:
                raise NotFoundError(f"There is no user {name.strip()}")
            if row.role == review.ADMIN:
                self._keep_an_admin(tx.s, row.name)
            tx.audit(None, "app_user", row.id, "delete", None, f"{row.name}: {row.role}", None)
            tx.s.delete(row)

    @staticmethod
    def _user_row(s: Session, name: str) -> AppUserRow | None:
        return s.execute(select(AppUserRow).where(AppUserRow.name == name)).scalar_one_or_none()

    @staticmethod
    def _keep_an_admin(s: Session, leaving: str) -> None:
        others = s.execute(
            select(func.count())
            .select_from(AppUserRow)
            .where(AppUserRow.role == review.ADMIN, AppUserRow.name != leaving)
        ).scalar_one()
        if not others:
            raise ValidationError(
                f"user {leaving}: is the only admin; make someone else admin first"
            )

    # --- review and sign-off ---------------------------------------------------------------
    def _step(
        self,
        tx: _Tx,
        key: str,
        investigation_id: int,
        version: int | None,
    ) -> tuple[InvestigationRow, review.Step, str]:
        """Check role, status and version for a review step; the row, the step and the role."""
        row = self._require_investigation(tx.s, investigation_id)
        role = self._role_in(tx.s)
        step = review.check_step(key, row.status, self.login, role, recorded=self.user)
        self._check_version(tx.s, row, version, f"Investigation '{_short(row.title)}'")
        return row, step, role

    def _move(self, tx: _Tx, row: InvestigationRow, target: str) -> Investigation:
        self._apply(tx, row, {"status": target}, row.id, "investigation")
        row.updated_at, row.updated_by = tx.at, tx.user
        tx.s.flush()
        return Investigation.from_row(row)

    def _record_signoff(
        self, tx: _Tx, investigation_id: int, role: str, decision: str, comment: str
    ) -> None:
        row = SignOffRow(
            investigation_id=investigation_id,
            role=role,
            name=tx.user,
            decision=decision,
            comment=comment,
            at=tx.at,
        )
        tx.s.add(row)
        tx.s.flush()
        summary = f"{tx.user}: {decision}"
        tx.audit(investigation_id, "sign_off", row.id, "create", None, None, summary)
        if comment:
            tx.audit(investigation_id, "sign_off", row.id, "update", "comment", None, comment)

    def submit_for_review(self, investigation_id: int, version: int | None) -> Investigation:
        """Draft, analysis or action plan -> in review (investigator or admin)."""
        with self._write() as tx:
            row, step, _ = self._step(tx, "submit", investigation_id, version)
            return self._move(tx, row, step.target)

    def record_concurrence(
        self, action_id: int, version: int | None, decision: str, reason: str = ""
    ) -> Action:
        """Leadership concurs or does not concur with one action (reviewer or admin, while the
        investigation is in review). Not concurring needs a reason."""
        data = values.normalise(
            values.ACTION, {"concurrence": decision, "concurrence_reason": reason}
        )
        if data["concurrence"] is None:
            raise ValidationError("concurrence: choose concur or do not concur")
        with self._write() as tx:
            row = self._get(tx.s, ActionRow, action_id, "action")
            inv = self._require_investigation(tx.s, row.investigation_id)
            self._require_role(tx.s, review.CONCUR_ROLES, "record concurrence")
            if inv.status != Status.IN_REVIEW:
                raise review.TransitionError(
                    "Concurrence is recorded while the investigation is in review "
                    f"(it is {Status(inv.status).label})"
                )
            self._check_version(tx.s, row, version, f"Action '{_short(row.text)}'")
            if data["concurrence"] == Concurrence.DO_NOT_CONCUR and not reason.strip():
                raise ValidationError("reason: is required when you do not concur")
            data["concurrence_by"], data["concurrence_at"] = tx.user, tx.at
            if self._apply(tx, row, data, row.investigation_id, "action"):
                tx.s.flush()
                self._touch(tx, row.investigation_id)
            return self._action(tx.s, row)

    def approve(
        self, investigation_id: int, version: int | None, comment: str = ""
    ) -> Investigation:
        """In review -> approved (reviewer or admin), with a sign-off row.

        Refused while any check is an error, any action is "do not concur" (revise or remove
        it) or has no decision (`review.approval_refusal` names them). Once approved, the
        investigation is read-only.
        """
        from models.rules.checks import errors, run_checks

        comment = values.text("comment", comment)
        with self._write() as tx:
            row, step, role = self._step(tx, "approve", investigation_id, version)
            dossier = self._dossier_in(tx.s, investigation_id)
            refusal = review.approval_refusal(dossier.actions, errors(run_checks(dossier)))
            if refusal:
                raise ValidationError(refusal)
            self._record_signoff(tx, investigation_id, role, SignOffDecision.APPROVED, comment)
            return self._move(tx, row, step.target)

    def return_for_changes(
        self, investigation_id: int, version: int | None, comment: str
    ) -> Investigation:
        """In review -> action plan (reviewer or admin); the comment says what must change."""
        comment = values.text("comment", comment, required=True)
        with self._write() as tx:
            row, step, role = self._step(tx, "return", investigation_id, version)
            self._record_signoff(tx, investigation_id, role, SignOffDecision.RETURNED, comment)
            return self._move(tx, row, step.target)

    def reopen(self, investigation_id: int, version: int | None, reason: str) -> Investigation:
        """Approved or closed -> action plan (reviewer or admin); the reason is required."""
        reason = values.text("reason", reason, required=True)
        with self._write() as tx:
            row, step, role = self._step(tx, "reopen", investigation_id, version)
            self._record_signoff(tx, investigation_id, role, SignOffDecision.REOPENED, reason)
            return self._move(tx, row, step.target)

    def close(self, investigation_id: int, version: int | None, comment: str = "") -> Investigation:
        """Approved -> closed (reviewer or admin): follow-up is over. Still read-only."""
        comment = values.text("comment", comment)
        with self._write() as tx:
            row, step, role = self._step(tx, "close", investigation_id, version)
            self._record_signoff(tx, investigation_id, role, SignOffDecision.CLOSED, comment)
            return self._move(tx, row, step.target)

    # --- audit -----------------------------------------------------------------------------
    def audit_entries(self, investigation_id: int | None = None) -> list[AuditEntry]:
        with self._read() as s:
            query = select(AuditRow).order_by(AuditRow.seq)
            if investigation_id is not None:
                query = query.where(AuditRow.investigation_id == investigation_id)
            return [AuditEntry.from_row(r) for r in s.execute(query).scalars()]

    def verify_audit(self) -> audit_chain.ChainProblem | None:
        with self._read() as s:
            return audit_chain.verify(s.execute(select(AuditRow).order_by(AuditRow.seq)).scalars())

    # --- interchange and backup ------------------------------------------------------------
    def export_document(self, investigation_id: int) -> dict[str, Any]:
        from models.interchange import to_document

        return to_document(self.dossier(investigation_id), exported_by=self.user)

    def import_document(self, data: Any) -> Investigation:
        """Create a new investigation from an interchange document, all or nothing."""
        from models.interchange import parse_document

        doc = parse_document(data)
        with self._write() as tx:
            inv = self._write_document(tx, doc)
        return inv

    def _write_document(self, tx: _Tx, doc: Any) -> Investigation:
        """Insert a validated document as a new investigation (inside the caller's transaction)."""
        from models.errors import ImportFormatError

        def norm(rules: dict, data: dict, path: str) -> dict:
            try:
                return values.normalise(rules, data)
            except ValidationError as exc:
                name, _, why = exc.message.partition(": ")
                raise ImportFormatError(f"{path}.{name.replace(' ', '_')}: {why}") from None

        fields = doc.investigation.model_dump()
        fields.pop("sac_score")
        if fields["sentinel"] is None:
            fields.pop("sentinel")
        data = norm(values.INVESTIGATION, fields, "investigation")
        self._derive(data)
        inv = InvestigationRow(
            **data, created_by=tx.user, updated_by=tx.user, created_at=tx.at, updated_at=tx.at
        )
        tx.s.add(inv)
        tx.s.flush()
        iid = inv.id
        tx.audit(iid, "investigation", iid, "import", None, None, inv.title)

        def add(row: Any, entity: str, summary: str) -> Any:
            tx.s.add(row)
            tx.s.flush()
            tx.audit(iid, entity, row.id, "import", None, None, summary)
            return row

        for position, m in enumerate(doc.team):
            member = norm(values.TEAM_MEMBER, m.model_dump(), f"team[{position}]")
            add(
                TeamMemberRow(investigation_id=iid, position=position, **member),
                "team_member",
                m.name,
            )
        for position, e in enumerate(doc.timeline):
            entry = norm(values.TIMELINE_ENTRY, e.model_dump(), f"timeline[{position}]")
            if not entry["happened"].strip():
                raise ImportFormatError(f"timeline[{position}].happened: is required")
            add(
                TimelineEntryRow(investigation_id=iid, position=position, **entry),
                "timeline_entry",
                e.happened,
            )
        if doc.categories:
            tx.s.add_all(
                FishboneCategoryRow(investigation_id=iid, name=name, position=i)
                for i, name in enumerate(doc.categories)
            )
        # Causes and links can be thousands: insert them in batches, then audit each.
        cause_rows = [
            CauseRow(
                investigation_id=iid,
                created_by=tx.user,
                created_at=tx.at,
                **norm(values.CAUSE, c.model_dump(exclude={"id"}), f"causes[{i}]"),
            )
            for i, c in enumerate(doc.causes)
        ]
        tx.s.add_all(cause_rows)
        tx.s.flush()
        ids: dict[str, int] = {}
        for c, row in zip(doc.causes, cause_rows, strict=True):
            ids[c.id] = row.id
            tx.audit(iid, "cause", row.id, "import", None, None, row.text)
        link_rows = [
            CausalLinkRow(investigation_id=iid, cause_id=ids[lk.cause], effect_id=ids[lk.effect])
            for lk in doc.links
        ]
        tx.s.add_all(link_rows)
        tx.s.flush()
        for row in link_rows:
            tx.audit(
                iid, "causal_link", row.id, "import", None, None, f"{row.cause_id}->{row.effect_id}"
            )
        for i, a in enumerate(doc.actions):
            fields = a.model_dump(exclude={"addresses", "measure"})
            if a.measure is not None:
                fields = self._flatten_action({**fields, "measure": a.measure.model_dump()})
            action = add(
                ActionRow(investigation_id=iid, **norm(values.ACTION, fields, f"actions[{i}]")),
                "action",
                a.text,
            )
            for ref in dict.fromkeys(a.addresses):
                tx.s.add(ActionCauseRow(action_id=action.id, cause_id=ids[ref]))
        for i, so in enumerate(doc.signoffs):
            fields = so.model_dump(exclude={"at"})
            at = values.when("at", so.at) or tx.at
            row = SignOffRow(
                investigation_id=iid, at=at, **norm(values.SIGN_OFF, fields, f"signoffs[{i}]")
            )
            add(row, "sign_off", f"{so.name}: {so.decision}")
        for i, fb in enumerate(doc.feedback):
            add(
                FeedbackRow(
                    investigation_id=iid,
                    **norm(values.FEEDBACK, fb.model_dump(), f"feedback[{i}]"),
                ),
                "feedback",
                fb.audience,
            )
        tx.s.flush()
        return Investigation.from_row(inv)

    def backup(self, dest: str, *, force: bool = False) -> str:
        return str(backup_to(self.db.target, dest, force=force))

    # --- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _next_position(s: Session, table: Any, investigation_id: int) -> int:
        top = s.execute(
            select(func.max(table.position)).where(table.investigation_id == investigation_id)
        ).scalar_one_or_none()
        return 0 if top is None else top + 1

    def _delete_simple(
        self, table: Any, entity_id: int, label: str, entity: str, name_field: str
    ) -> None:
        with self._write() as tx:
            row = self._get(tx.s, table, entity_id, label)
            inv = row.investigation_id
            self._writable(tx.s, inv)
            tx.audit(inv, entity, entity_id, "delete", None, getattr(row, name_field), None)
            tx.s.delete(row)
            tx.s.flush()
            self._touch(tx, inv)


def open_service(
    target: Any = None, user: str | None = None, *, login: str | None = None, **kwargs: Any
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
        return Service(open_database(target, **kwargs), user, login=login)
    except OSError as exc:  # pragma: no cover - last resort, named plainly
        raise DatabaseError(f"cannot open the database: {exc}") from None


__all__ = ["CauseKind", "Service", "open_service"]
