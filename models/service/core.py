"""The unit of work every aggregate module shares: transactions, versions, audit, touch.

A `UnitOfWork` holds the opened database, who acts (the name recorded and the login whose role
is judged) and the cached cause graphs. `read()` gives a session on one snapshot; `write()` one
write transaction (`Transaction`): the session, the time, the audit chain's head, and callbacks
that run after the commit (the graph cache follows the database only once it has committed).
The helpers below are the rules every change follows: look a record up or say it is missing,
refuse a stale version naming who changed it and when, set fields with one audit entry each,
mark the investigation updated, refuse changes to an approved one, and check roles.

This module imports the ORM (SQLModel and the tables); `models.service` imports it on first use,
so that start-up and `rca list`, which need none of it, stay fast.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NoReturn, Protocol, overload

from sqlalchemy import Connection, Table, bindparam, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel, col

from models import audit as audit_chain
from models import checkpoint, review, values
from models.db import Database, translate
from models.errors import ConflictError, NotFoundError, ReadOnlyError, ValidationError
from models.import_rows import TRACKED_FIELDS
from models.service.driver import Prepared
from models.tables import (
    ActionRow,
    AppUserRow,
    AuditRow,
    CausalLinkRow,
    CauseRow,
    FeedbackRow,
    InvestigationRow,
    InvolvedPersonRow,
    MeasurementRow,
    ReportNoteRow,
    SignOffRow,
    TeamMemberRow,
    TimelineEntryRow,
    _now,
)

if TYPE_CHECKING:
    from models.graph import CauseGraph


def table_of(row_class: type[SQLModel]) -> Table:
    """The Core table of a table class, for bulk inserts and column arithmetic."""
    # SQLAlchemy's declarative mapping sets `__table__`; SQLModel's class does not declare it.
    return row_class.__table__  # type: ignore[attr-defined]


class _Stored(Protocol):
    id: int | None


def row_id(row: _Stored) -> int:
    """The id of a row that is in the database (read back, or added and flushed)."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush it first")  # a bug
    return row.id


@dataclass(frozen=True)
class Tracked:
    """What the audit trail holds of one kind of record: its table, the field its create entry
    names (None: a summary), and the fields whose every value is in the trail, written when the
    record is made (unless it is the default) and at every change. `integrity` replays the
    trail against the rows with this."""

    table: type[SQLModel]
    name_field: str | None
    fields: tuple[str, ...]

    def default(self, name: str) -> Any:
        return _default(self.table, name)


@functools.cache
def _default(table: type[SQLModel], name: str) -> Any:
    """A field's default (None when it has none), looked up once: an import asks per cause."""
    from pydantic_core import PydanticUndefined

    value = table.model_fields[name].default
    return None if value is PydanticUndefined else value


#: The tables of the kinds of record the trail holds (their fields: `import_rows`).
_TRACKED_TABLES: dict[str, type[SQLModel]] = {
    "investigation": InvestigationRow,
    "team_member": TeamMemberRow,
    "timeline_entry": TimelineEntryRow,
    "cause": CauseRow,
    "action": ActionRow,
    "measurement": MeasurementRow,
    "sign_off": SignOffRow,
    "feedback": FeedbackRow,
    "app_user": AppUserRow,
    "report_note": ReportNoteRow,
    "involved_person": InvolvedPersonRow,
}
TRACKED: dict[str, Tracked] = {
    entity: Tracked(table, *TRACKED_FIELDS[entity]) for entity, table in _TRACKED_TABLES.items()
}


_audit = table_of(AuditRow).c
#: The audit chain's head: its newest entry's sequence and hash.
_HEAD = select(_audit.seq, _audit.hash).order_by(_audit.seq.desc()).limit(1)
#: An investigation's graph revision (the graph cache is current if it holds the same).
_GRAPH_REV = select(table_of(InvestigationRow).c.graph_rev).where(
    table_of(InvestigationRow).c.id == bindparam("iid")
)

_investigation = table_of(InvestigationRow)
#: `touch`: the investigation marked updated (statements made once, not per edit).
_TOUCH = (
    update(_investigation)
    .where(_investigation.c.id == bindparam("iid"))
    .values(updated_at=bindparam("at"), updated_by=bindparam("by"))
)
_TOUCH_RAW = Prepared(_TOUCH)
#: ... and its graph revision moved on, returned.
_TOUCH_GRAPH = _TOUCH.values(graph_rev=_investigation.c.graph_rev + 1).returning(
    _investigation.c.graph_rev
)


#: The columns of an audit entry as `Transaction.entry` makes them, inserted as they are.
_ENTRY_COLUMNS = (
    "seq", "at", "user", "investigation_id", "entity", "entity_id", "action", "field", "old",
    "new", "display_name", "prev_hash", "hash",
)  # fmt: skip
_AUDIT_INSERT = Prepared(
    insert(table_of(AuditRow)).values({name: bindparam(name) for name in _ENTRY_COLUMNS})
)
#: Up to this many entries are inserted one prepared statement each, more in one insert.
_FEW_ENTRIES = 8


def short(text: str, width: int = 40) -> str:
    """A text on one line, cut to `width` characters, for messages that name a record."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class Transaction:
    """One write transaction: the session, who acts, and the audit chain's head.

    `login` is who it is (what every record of who did what stores); `name` the name given
    with --user or RCA_USER, kept beside it in the audit trail and on sign-offs.
    """

    def __init__(
        self, session: Session | None, login: str, name: str, conn: Connection | None = None
    ) -> None:
        #: None in a Core write (`UnitOfWork.write(core=True)`) until something asks for it.
        self._session = session
        self.login = login
        self.name = name
        self.at = _now()
        self._head: tuple[int, str] | None = None
        self._wrote = False
        self._conn: Connection | None = conn
        self.after_commit: list[Any] = []

    @property
    def s(self) -> Session:
        """The ORM session of this transaction (in a Core write, made on first use, on the
        transaction's connection: what it flushes is committed with the rest)."""
        if self._session is None:
            assert self._conn is not None  # one of the two is given
            self._session = Session(
                bind=self._conn,
                expire_on_commit=False,
                autoflush=False,
                join_transaction_mode="rollback_only",
            )
        return self._session

    @property
    def conn(self) -> Connection:
        """The session's connection, for Core statements: they skip the ORM's layer of each
        execute (no autoflush in a write: flush first what must be written before)."""
        if self._conn is None:
            self._conn = self.s.connection()
        return self._conn

    def head(self) -> tuple[int, str]:
        """The audit chain's newest entry (sequence, hash), this transaction's own included."""
        if self._head is None:
            last = self.conn.execute(_HEAD).first()
            self._head = (last[0], last[1]) if last else (0, audit_chain.GENESIS)
        return self._head

    def known_head(self, seq: int | None, digest: str | None) -> None:
        """The head as read with other columns (one statement instead of two); None: the
        trail is empty."""
        if self._head is None:
            self._head = (
                (seq, digest)
                if seq is not None and digest is not None
                else (0, audit_chain.GENESIS)
            )

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
        """One audit entry, the next link of the hash chain, in this transaction."""
        entry = self.entry(investigation_id, entity, entity_id, action, field, old, new)
        self.s.add(AuditRow(**entry))

    def entry(
        self,
        investigation_id: int | None,
        entity: str,
        entity_id: int | None,
        action: str,
        field: str | None = None,
        old: Any = None,
        new: Any = None,
    ) -> dict[str, Any]:
        """The next link of the hash chain as the columns of its row, the head moved past it;
        the caller writes it (`audit` one at a time, `audit_all` many in one statement)."""
        seq, prev = self.head()
        seq += 1
        entry: dict[str, Any] = {
            "seq": seq,
            "at": self.at,
            "user": self.login,
            "investigation_id": investigation_id,
            "entity": entity,
            "entity_id": entity_id,
            "action": action,
            "field": field,
            "old": values.audit_text(old),
            "new": values.audit_text(new),
            "display_name": self.name,
        }
        digest = audit_chain.entry_hash(**entry, prev_hash=prev)
        entry["prev_hash"] = prev
        entry["hash"] = digest
        self._head = (seq, digest)
        self._wrote = True
        return entry

    def audit_all(self, entries: list[dict[str, Any]]) -> None:
        """Write entries made by `entry`, in one multi-row insert (an import's thousands: one
        ORM object each took seconds; an edit's few: one prepared insert each). What is
        pending in the session goes first, so the rows' ids keep the chain's order."""
        if entries:
            s = self._session
            if s is not None and (s.new or s.dirty or s.deleted):
                s.flush()
            if len(entries) > _FEW_ENTRIES:
                self.conn.execute(insert(table_of(AuditRow)), entries)
            else:
                for entry in entries:
                    _AUDIT_INSERT.execute(self.conn, entry)

    def created(
        self,
        investigation_id: int | None,
        entity: str,
        row: Any,
        *,
        summary: str | None = None,
        action: str = "create",
    ) -> None:
        """The entries of a new record: its create (or import) entry naming it, then one entry
        for each tracked field that is not at its default, so the trail holds every value."""
        spec = TRACKED[entity]
        names = (*spec.fields, spec.name_field) if spec.name_field else spec.fields
        fields = {name: getattr(row, name) for name in names}
        for entry in self.created_entries(
            investigation_id, entity, row_id(row), fields, summary=summary, action=action
        ):
            self.s.add(AuditRow(**entry))

    def created_entries(
        self,
        investigation_id: int | None,
        entity: str,
        entity_id: int,
        fields: dict[str, Any],
        *,
        summary: str | None = None,
        action: str = "create",
    ) -> list[dict[str, Any]]:
        """`created`'s entries for a record given as its column values, for `audit_all`."""
        spec = TRACKED[entity]
        if summary is None:
            summary = fields[spec.name_field] if spec.name_field else ""
        out = [self.entry(investigation_id, entity, entity_id, action, None, None, summary)]
        for name in spec.fields:
            value = fields[name]
            if name != spec.name_field and value != spec.default(name):
                out.append(
                    self.entry(investigation_id, entity, entity_id, "update", name, None, value)
                )
        return out

    def written_head(self) -> tuple[int, str] | None:
        """The head this transaction leaves, if it wrote any audit entry."""
        return self._head if self._wrote else None


class UnitOfWork:
    """The database, who acts, and the graph cache; the plumbing of every service call."""

    def __init__(
        self, db: Database, user: str, login: str, *, separation_of_duties: bool = True
    ) -> None:
        self.db = db
        #: The name given (--user), shown beside the login.
        self.user = user
        #: Who it is: recorded as the author of every change, and whose role is judged.
        self.login = login
        #: Whoever submitted an investigation or wrote its actions may not concur or approve.
        self.separation_of_duties = separation_of_duties
        self.graphs: dict[int, CauseGraph] = {}
        #: Cached graphs handed to a screen as they are (`lend_graph`): never changed again.
        self.lent: weakref.WeakSet[CauseGraph] = weakref.WeakSet()
        self._copies: weakref.WeakKeyDictionary[CauseGraph, CauseGraph] = (
            weakref.WeakKeyDictionary()
        )
        self.graph_lock = threading.RLock()
        #: The hash of the trail's first entry: which chain the checkpoint file speaks of.
        self._first_hash: str | None = None

    @contextmanager
    def read(self) -> Iterator[Session]:
        try:
            with Session(self.db.engine, expire_on_commit=False) as s:
                yield s
        except DBAPIError as exc:
            raise translate(exc, self.db.target.name) from None

    @contextmanager
    def write(self, *, core: bool = False) -> Iterator[Transaction]:
        """One write transaction. `core`: its statements are Core ones on `tx.conn`, and no
        ORM session is made unless `tx.s` is asked for (a cause edit: the session's own
        begin and commit were a twentieth of it)."""
        if self.db.readonly:
            raise ReadOnlyError(
                f"{self.db.target.name}: the database is open read-only; changes cannot be saved"
            )
        tx: Transaction | None = None
        try:
            if core:
                with self.db.writer.connect() as conn, conn.begin():
                    tx = Transaction(None, self.login, self.user, conn)
                    yield tx
                    if tx._session is not None:
                        tx._session.flush()
                    head = self._written(tx)
            else:
                with Session(self.db.writer, expire_on_commit=False, autoflush=False) as s:
                    tx = Transaction(s, self.login, self.user)
                    yield tx
                    s.flush()
                    head = self._written(tx)
                    s.commit()
        except StaleDataError:
            raise ConflictError(
                "Someone else saved this record at the same moment; reload and try again"
            ) from None
        except IntegrityError as exc:
            raise ValidationError(f"refused by the database: {exc.orig}") from None
        except DBAPIError as exc:
            raise translate(exc, self.db.target.name) from None
        finally:
            if core and tx is not None and tx._session is not None:
                tx._session.close()
        if head is not None and self._first_hash is not None:
            checkpoint.record(self.db.target.name, self._first_hash, *head)
        for callback in tx.after_commit:
            callback()

    def _written(self, tx: Transaction) -> tuple[int, str] | None:
        """The head `tx` leaves (None: it wrote no audit entry); the trail's first hash is
        read once, for the checkpoint (flush first what the session holds)."""
        head = tx.written_head()
        if head is not None and self._first_hash is None:
            self._first_hash = tx.conn.execute(
                select(_audit.hash).where(_audit.seq == 1)
            ).scalar_one_or_none()
        return head

    def get(self, s: Session, table: type, entity_id: int, label: str) -> Any:
        row = s.get(table, entity_id)
        if row is None:
            raise NotFoundError(f"There is no {label} with id {entity_id}")
        return row

    def check_version(self, s: Session, row: Any, version: int | None, label: str) -> None:
        if version is None or row.version == version:
            return
        self.stale(s, row.__tablename__, row.id, label)

    @staticmethod
    def stale(s: Session, entity: str, entity_id: int, label: str) -> NoReturn:
        """Refuse an edit made from a stale version, naming who changed the record and when."""
        last = s.execute(
            select(col(AuditRow.user), col(AuditRow.at))
            .where(col(AuditRow.entity) == entity, col(AuditRow.entity_id) == entity_id)
            .order_by(col(AuditRow.seq).desc())
            .limit(1)
        ).first()
        who = f" by {last[0]} at {last[1]:%Y-%m-%d %H:%M} UTC" if last else ""
        raise ConflictError(
            f"{label} was changed{who} since you opened it; reload to see the change, "
            "then make your edit again"
        )

    def apply(
        self,
        tx: Transaction,
        row: Any,
        changes: dict[str, Any],
        investigation_id: int | None,
        entity: str,
    ) -> list[str]:
        """Set changed fields on a row, one audit entry each; the names of the changed fields.
        `investigation_id` is None for a record of no investigation (a user's role)."""
        changed = []
        for name, new in changes.items():
            old = getattr(row, name)
            if old != new:
                setattr(row, name, new)
                tx.audit(investigation_id, entity, row.id, "update", name, old, new)
                changed.append(name)
        return changed

    @overload
    def touch(self, tx: Transaction, investigation_id: int, *, graph: Literal[True]) -> int: ...

    @overload
    def touch(
        self, tx: Transaction, investigation_id: int, *, graph: Literal[False] = False
    ) -> None: ...

    @overload
    def touch(self, tx: Transaction, investigation_id: int, *, graph: bool) -> int | None: ...

    def touch(self, tx: Transaction, investigation_id: int, *, graph: bool = False) -> int | None:
        """Mark the investigation as updated; bump graph_rev for cause/link edits (and return
        the new one)."""
        params = {"iid": investigation_id, "at": tx.at, "by": tx.login}
        if graph:
            return tx.conn.execute(_TOUCH_GRAPH, params).scalar_one()
        _TOUCH_RAW.execute(tx.conn, params)
        return None

    def require_investigation(self, s: Session, investigation_id: int) -> InvestigationRow:
        return self.get(s, InvestigationRow, investigation_id, "investigation")

    def writable(self, s: Session, investigation_id: int) -> InvestigationRow:
        """The investigation, if it may be changed; an approved or closed one is refused."""
        row = self.require_investigation(s, investigation_id)
        if review.is_frozen(row.status):
            raise review.FrozenError(self.frozen_message(s, row))
        return row

    @staticmethod
    def frozen_message(s: Session, row: InvestigationRow) -> str:
        """'approved on DATE by NAME': from the audit trail, else the sign-off history."""
        last = s.execute(
            select(col(AuditRow.at), col(AuditRow.user))
            .where(
                col(AuditRow.investigation_id) == row.id,
                col(AuditRow.entity) == "investigation",
                col(AuditRow.field) == "status",
                col(AuditRow.new) == row.status,
            )
            .order_by(col(AuditRow.seq).desc())
            .limit(1)
        ).first()
        if last is None:
            last = s.execute(
                select(col(SignOffRow.at), col(SignOffRow.name))
                .where(
                    col(SignOffRow.investigation_id) == row.id,
                    col(SignOffRow.decision) == row.status,
                )
                .order_by(col(SignOffRow.at).desc(), col(SignOffRow.id).desc())
                .limit(1)
            ).first()
        when = f"{last[0]:%Y-%m-%d}" if last else None
        who = last[1] if last else None
        return review.frozen_message(short(row.title, 60), row.status, when, who)

    def role_in(self, s: Session, name: str | None = None) -> str:
        """The role `name` (default: this service's user) acts with."""
        stored = s.execute(
            select(col(AppUserRow.role)).where(col(AppUserRow.name) == (name or self.login))
        ).scalar_one_or_none()
        return review.effective_role(stored)

    def require_role(self, s: Session, roles: tuple[str, ...], what: str) -> None:
        """Refuse unless the login's role is one of `roles`; the refusal names the login."""
        review.check_role(self.login, self.role_in(s), roles, what, recorded=self.user)

    def graph_in(self, s: Session, investigation_id: int) -> CauseGraph:
        """The cached graph if it is current in this transaction, else one loaded afresh."""
        rev = s.connection().execute(_GRAPH_REV, {"iid": investigation_id}).scalar_one_or_none()
        if rev is None:
            raise NotFoundError(f"There is no investigation with id {investigation_id}")
        with self.graph_lock:
            cached = self.graphs.get(investigation_id)
            if cached is not None and cached.rev == rev:
                return cached
        graph = load_graph_in(s, investigation_id, rev)
        with self.graph_lock:
            self.graphs[investigation_id] = graph
        return graph

    def lend_graph(self, graph: CauseGraph) -> CauseGraph:
        """`graph` itself for a screen to read, not a copy: a 5,000-cause graph is 3.5 MB, and
        the fishbone held its own copy beside the cache (issue 16). From now on the service
        does not change it: the next edit is mirrored into a copy (`own_graph`)."""
        with self.graph_lock:
            self.lent.add(graph)
        return graph

    def own_graph(self, investigation_id: int, graph: CauseGraph) -> CauseGraph:
        """The graph to mirror a committed edit into, in place of `graph`: `graph` itself, or
        when it was lent to a screen, a copy that takes its place in the cache. Call it holding
        `graph_lock`."""
        while graph in self.lent:  # (a lent copy's own copy may be lent too)
            own = self._copies.get(graph)
            if own is None:  # the first edit since it was lent; the next of a tx finds it
                own = self._copies[graph] = graph.copy()
                if self.graphs.get(investigation_id) is graph:
                    self.graphs[investigation_id] = own
            graph = own
        return graph

    def held_graph(self, investigation_id: int) -> CauseGraph | None:
        """The cached graph as the service's own edits left it, lent (no read); None if none."""
        with self.graph_lock:
            graph = self.graphs.get(investigation_id)
            if graph is not None:
                self.lent.add(graph)
            return graph

    def forget_graph(self, investigation_id: int) -> None:
        with self.graph_lock:
            self.graphs.pop(investigation_id, None)

    @staticmethod
    def next_position(s: Session, table: Any, investigation_id: int) -> int:
        top = s.execute(
            select(func.max(table.position)).where(table.investigation_id == investigation_id)
        ).scalar_one_or_none()
        return 0 if top is None else top + 1

    def delete_simple(
        self, table: Any, entity_id: int, label: str, entity: str, name_field: str
    ) -> None:
        with self.write() as tx:
            row = self.get(tx.s, table, entity_id, label)
            inv = row.investigation_id
            self.writable(tx.s, inv)
            tx.audit(inv, entity, entity_id, "delete", None, getattr(row, name_field), None)
            tx.s.delete(row)
            tx.s.flush()
            self.touch(tx, inv)


def load_graph_in(s: Session, investigation_id: int, rev: int) -> CauseGraph:
    from models.graph import CauseGraph  # networkx stays out of start-up

    c = table_of(CauseRow).c
    lk = table_of(CausalLinkRow).c
    nodes = s.execute(
        select(c.id, c.kind, c.category).where(c.investigation_id == investigation_id)
    ).all()
    edges = s.execute(
        select(lk.cause_id, lk.effect_id).where(lk.investigation_id == investigation_id)
    ).all()
    return CauseGraph.build(nodes, edges, rev)
