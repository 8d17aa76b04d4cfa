"""`rca import` into a current SQLite file with the standard library's sqlite3 alone.

Why: a cold `rca import` of a small investigation spent most of its half second importing
SQLAlchemy and SQLModel and setting up the ORM (issue 16), to write a few dozen rows. On a
SQLite file that the service has opened (so it is ours, not corrupt, current: `models.db`
refused or migrated it, with its one-line messages, before this runs), `Service.import_document`
writes here: the same rows, column for column, and the same audit entries (the hash chain's
next links, by the real login, at one time) as `models.service.documents.write_document`, in one
`BEGIN IMMEDIATE` transaction, then the same checkpoint of the chain's head. The document is
validated by the same `models.interchange.parse_document`, and each part is stored as
`models.import_rows` says, for both writers. PostgreSQL keeps the ORM path.

Values are stored as SQLAlchemy's SQLite types store them (DATETIME as
"YYYY-MM-DD HH:MM:SS.ffffff", DATE as "YYYY-MM-DD", booleans as 0/1), every column given
(`COLUMNS`: each table's defaults, held equal to `models.tables` by the tests), so
`tests/test_sqlite_import.py` can hold the two writers' files equal table by table.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from models import audit as audit_chain
from models import values
from models.errors import ReadOnlyError, ValidationError
from models.import_rows import (
    TRACKED_FIELDS,
    action_fields,
    code_keys,
    investigation_fields,
    norm,
    note_fields,
    timeline_fields,
)
from models.sqlite_file import BUSY_TIMEOUT_MS

if TYPE_CHECKING:
    from models.db import Database
    from models.domain import Investigation

#: A column whose default is the time of the transaction (`values.now`, the ORM's factory).
NOW = object()

#: Every column but `id` of each table an import writes, with the default the ORM stores.
COLUMNS: dict[str, dict[str, Any]] = {
    "investigation": {
        "title": None,
        "description": "",
        "occurred_at": None,
        "discovered_at": None,
        "decision_at": None,
        "chartered_at": None,
        "unit": "",
        "reported_by": "",
        "event_type": None,
        "report_type": None,
        "harm": None,
        "ncc_merp": None,
        "severity_actual": None,
        "severity_potential": None,
        "probability": None,
        "sac_score": None,
        "sentinel": False,
        "blameworthy": False,
        "blameworthy_note": "",
        "status": "draft",
        "patient_name": "",
        "patient_mrn": "",
        "patient_dob": None,
        "created_by": "",
        "created_at": NOW,
        "updated_by": "",
        "updated_at": NOW,
        "version": 1,
        "graph_rev": 0,
    },
    "team_member": {
        "investigation_id": None,
        "name": None,
        "role": "other",
        "involved": False,
        "position": 0,
        "version": 1,
    },
    "timeline_entry": {
        "investigation_id": None,
        "at": None,
        "happened": "",
        "should_have": "",
        "source": "",
        "position": 0,
        "version": 1,
    },
    "report_note": {
        "investigation_id": None,
        "kind": None,
        "text": "",
        "detail": "",
        "position": 0,
        "version": 1,
    },
    "involved_person": {
        "investigation_id": None,
        "name": "",
        "involvement": "",
        "position": 0,
        "version": 1,
    },
    "cause": {
        "investigation_id": None,
        "text": None,
        "category": None,
        "kind": "cause",
        "evidence": "",
        "statement": "",
        "no_action_reason": "",
        "weak_only_reason": "",
        "created_by": "",
        "created_at": NOW,
        "version": 1,
    },
    "fishbone_category": {"investigation_id": None, "name": None, "position": 0},
    "causal_link": {"investigation_id": None, "cause_id": None, "effect_id": None},
    "action": {
        "investigation_id": None,
        "text": None,
        "strength": None,
        "hierarchy_category": "",
        "owner": "",
        "due": None,
        "status": "open",
        "measure_kind": None,
        "measure_what": "",
        "measure_how": "",
        "measure_sample": "",
        "measure_target": "",
        "measure_date": None,
        "concurrence": None,
        "concurrence_reason": "",
        "concurrence_by": "",
        "concurrence_name": "",
        "concurrence_override": "",
        "concurrence_at": None,
        "imported_concurrence": "",
        "started_on": None,
        "done_on": None,
        "effectiveness": None,
        "effectiveness_by": "",
        "effectiveness_name": "",
        "effectiveness_at": None,
        "effectiveness_note": "",
        "closed_reason": "",
        "closed_by": "",
        "closed_at": None,
        "imported_followup": "",
        "version": 1,
    },
    "action_cause": {"action_id": None, "cause_id": None},
    "cause_code_link": {"cause_id": None, "code": None, "investigation_id": None},
    "sign_off": {
        "investigation_id": None,
        "role": "",
        "name": "",
        "login": None,
        "decision": None,
        "comment": "",
        "at": NOW,
        "imported": False,
        "override_reason": "",
        "chain_seq": None,
        "chain_hash": None,
    },
    "feedback": {
        "investigation_id": None,
        "audience": None,
        "given_on": None,
        "given_by": "",
        "note": "",
        "method": "",
    },
    "measurement": {
        "investigation_id": None,
        "action_id": None,
        "taken_on": None,
        "value": None,
        "numerator": None,
        "denominator": None,
        "note": "",
        "entered_by": "",
        "entered_name": "",
        "entered_at": NOW,
        "imported": False,
        "superseded_by": None,
        "superseded_reason": "",
    },
    "audit_entry": {
        "seq": None,
        "at": None,
        "user": None,
        "display_name": None,
        "investigation_id": None,
        "entity": None,
        "entity_id": None,
        "action": None,
        "field": None,
        "old": None,
        "new": None,
        "prev_hash": None,
        "hash": None,
    },
}


def import_document(db: Database, login: str, name: str, data: Any) -> Investigation:
    """`documents.import_document` on a SQLite file: validate, then write everything and its
    audit entries in one transaction; the new investigation. `login` is who acts (stored as
    the author and in the trail), `name` the name given beside it."""
    from models.db import translate
    from models.interchange import parse_document

    doc = parse_document(data)
    target = db.target.name
    if db.readonly:
        raise ReadOnlyError(f"{target}: the database is open read-only; changes cannot be saved")
    path = db.sqlite_path
    assert path is not None  # the service calls this for a SQLite file only
    try:
        con = _connect(path)
        try:
            inv, head, first = _Writer(con, login, name).write(doc)
        finally:
            con.close()
    except sqlite3.IntegrityError as exc:
        raise ValidationError(f"refused by the database: {exc}") from None
    except sqlite3.Error as exc:
        raise translate(exc, target) from None
    if first is not None:
        from models import checkpoint

        checkpoint.record(target, first, *head)
    return inv


def _connect(path: Any) -> sqlite3.Connection:
    """A writing connection set up as `models.db`'s engine sets up each of its own."""
    con = sqlite3.connect(
        f"{path.as_uri()}?mode=rw",
        uri=True,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
    )
    try:
        mode = con.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() != "wal":  # e.g. a network file system
            con.execute("PRAGMA journal_mode=DELETE")
        con.execute("PRAGMA synchronous=FULL")
        con.execute("PRAGMA foreign_keys=ON")
        con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    except BaseException:
        con.close()
        raise
    return con


def stored(value: Any) -> Any:
    """A Python value as SQLAlchemy's SQLite column types store it."""
    if isinstance(value, dt.datetime):
        return (
            f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
        )
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if isinstance(value, str) and type(value) is not str:
        return str.__str__(value)  # a vocabulary member: its key
    return value


class _Writer:
    """One import's transaction: the rows, and the audit entries made as the ORM's
    `Transaction` makes them (`entry`, `created`), written in chain order."""

    def __init__(self, con: sqlite3.Connection, login: str, name: str) -> None:
        self.con = con
        self.login = login
        self.name = name
        self.at = values.now()
        self.entries: list[dict[str, Any]] = []
        self.head: tuple[int, str] = (0, audit_chain.GENESIS)
        self._sql: dict[str, str] = {}

    def write(self, doc: Any) -> tuple[Investigation, tuple[int, str], str | None]:
        """Everything, committed; the investigation, the chain's new head and its first hash."""
        con = self.con
        con.execute("BEGIN IMMEDIATE")
        try:
            last = con.execute(
                "SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            if last is not None:
                self.head = (last[0], last[1])
            inv = self._document(doc)
            self.write_audit()
            first = con.execute("SELECT hash FROM audit_entry WHERE seq = 1").fetchone()
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        return inv, self.head, first[0] if first else None

    # --- rows --------------------------------------------------------------------------------
    def insert(self, table: str, given: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """One row, every column given (defaults as the ORM's); its id and its values."""
        row = {
            name: self.at if default is NOW else default for name, default in COLUMNS[table].items()
        }
        row.update(given)
        sql = self._sql.get(table)
        if sql is None:
            names = list(COLUMNS[table])
            sql = self._sql[table] = (
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            )
        cur = self.con.execute(sql, [stored(row[n]) for n in COLUMNS[table]])
        return cur.lastrowid or 0, row

    def add(self, iid: int, table: str, given: dict[str, Any], summary: str | None = None) -> int:
        """A row of an audited kind and its entries (`Transaction.created`); its id."""
        row_id, row = self.insert(table, {"investigation_id": iid, **given})
        self.created(iid, table, row_id, row, summary)
        return row_id

    def _document(self, doc: Any) -> Investigation:
        """`documents.write_document`, part for part, in the same order."""
        from models.domain import Investigation

        data = investigation_fields(doc)
        iid, inv_row = self.insert(
            "investigation",
            {
                **data,
                "created_by": self.login,
                "updated_by": self.login,
                "created_at": self.at,
                "updated_at": self.at,
            },
        )
        self.created(iid, "investigation", iid, inv_row, None)
        for position, m in enumerate(doc.team):
            member = norm(values.TEAM_MEMBER, m.model_dump(), f"team[{position}]")
            self.add(iid, "team_member", {"position": position, **member}, m.name)
        for position, e in enumerate(doc.timeline):
            entry = timeline_fields(e, position)
            self.add(iid, "timeline_entry", {"position": position, **entry}, e.happened)
        for i, category in enumerate(doc.categories or ()):
            self.insert(
                "fishbone_category", {"investigation_id": iid, "name": category, "position": i}
            )
        ids: dict[str, int] = {}
        causes: list[tuple[int, dict[str, Any]]] = []
        for i, c in enumerate(doc.causes):
            fields = norm(values.CAUSE, c.model_dump(exclude={"id", "codes"}), f"causes[{i}]")
            cause_id, row = self.insert(
                "cause",
                {**fields, "investigation_id": iid, "created_by": self.login, "version": 1},
            )
            ids[c.id] = cause_id
            causes.append((cause_id, row))
        # As the ORM writes them: all the causes, then all the links, then their entries.
        links = []
        for lk in doc.links:
            cause, effect = ids[lk.cause], ids[lk.effect]
            link_id, _ = self.insert(
                "causal_link", {"investigation_id": iid, "cause_id": cause, "effect_id": effect}
            )
            links.append((link_id, cause, effect))
        for cause_id, row in causes:
            self.created(iid, "cause", cause_id, row, None)
        for link_id, cause, effect in links:
            self.entry(iid, "causal_link", link_id, "import", None, None, f"{cause}->{effect}")
        self._codes(iid, doc.causes, [cause_id for cause_id, _ in causes])
        for i, a in enumerate(doc.actions):
            fields, followup = action_fields(a, i)
            action_id = self.add(iid, "action", {**fields, **followup}, a.text)
            for j, m in enumerate(a.measurements):
                result = norm(
                    values.MEASUREMENT,
                    m.model_dump(exclude={"entered_by", "corrected"}),
                    f"actions[{i}].measurements[{j}]",
                )
                self.add(
                    iid,
                    "measurement",
                    {
                        "action_id": action_id,
                        "entered_by": m.entered_by,
                        "entered_at": self.at,
                        "imported": True,  # history: nobody entered it in this database
                        "superseded_reason": m.corrected,
                        **result,
                    },
                    f"imported: {m.taken_on.isoformat()}",
                )
            for ref in dict.fromkeys(a.addresses):
                self.insert("action_cause", {"action_id": action_id, "cause_id": ids[ref]})
                self.entry(iid, "action", action_id, "update", "addresses", None, ids[ref])
        for i, so in enumerate(doc.signoffs):
            fields = so.model_dump(exclude={"at", "imported"})
            at = values.when("at", so.at) or self.at
            self.add(
                iid,
                "sign_off",
                {
                    "at": at,
                    "imported": True,  # history only: nobody signed it in this database
                    **norm(values.SIGN_OFF, fields, f"signoffs[{i}]"),
                },
                f"imported: {so.name}: {so.decision}",
            )
        for i, n in enumerate(doc.notes):
            self.add(iid, "report_note", {"position": i, **note_fields(n, i)})
        for i, p in enumerate(doc.people):
            person = norm(values.INVOLVED_PERSON, p.model_dump(), f"people[{i}]")
            self.add(iid, "involved_person", {"position": i, **person})
        for i, fb in enumerate(doc.feedback):
            feedback = norm(values.FEEDBACK, fb.model_dump(), f"feedback[{i}]")
            self.add(iid, "feedback", feedback, fb.audience)
        return Investigation.from_row(SimpleNamespace(id=iid, **inv_row))

    def _codes(self, iid: int, causes: Any, cause_ids: list[int]) -> None:
        """`documents.import_codes`: each cause's codes, each known here, one entry a cause."""
        if not any(c.codes for c in causes):
            return
        from models.codes import join

        for keys, cause_id in zip(code_keys(causes, self._known_codes), cause_ids, strict=True):
            for key in keys:
                self.insert(
                    "cause_code_link", {"cause_id": cause_id, "code": key, "investigation_id": iid}
                )
            if keys:
                self.entry(iid, "cause", cause_id, "update", "codes", None, join(keys))

    def _known_codes(self) -> set[str]:
        """The keys of the catalogue (`service.codes.catalogue_in`: seed, own, retired)."""
        from models import codes

        rows = self.con.execute(
            "SELECT key, label, definition, parent, origin, retired FROM cause_code"
        ).fetchall()
        added = [
            codes.Code(key, label, definition, parent, "hospital", bool(retired))
            for key, label, definition, parent, origin, retired in rows
            if origin == "hospital"
        ]
        return {c.key for c in codes.merge(added, [r[0] for r in rows if r[5]])}

    # --- the audit trail ---------------------------------------------------------------------
    def entry(
        self,
        investigation_id: int | None,
        entity: str,
        entity_id: int | None,
        action: str,
        field: str | None = None,
        old: Any = None,
        new: Any = None,
    ) -> None:
        """The next link of the hash chain (`Transaction.entry`), written by `write_audit`."""
        seq, prev = self.head
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
        self.head = (seq, digest)
        self.entries.append(entry)

    def created(
        self, iid: int, entity: str, entity_id: int, row: dict[str, Any], summary: str | None
    ) -> None:
        """`Transaction.created_entries`: the import entry naming the record, then one entry
        for each tracked field that is not at its default."""
        name_field, tracked = TRACKED_FIELDS[entity]
        defaults = COLUMNS[entity]
        if summary is None:
            summary = row[name_field] if name_field else ""
        self.entry(iid, entity, entity_id, "import", None, None, summary)
        for name in tracked:
            value = row[name]
            if name != name_field and value != defaults[name]:
                self.entry(iid, entity, entity_id, "update", name, None, value)

    def write_audit(self) -> None:
        """The entries, in chain order (so their ids follow it, as the ORM's do)."""
        names = list(COLUMNS["audit_entry"])
        self.con.executemany(
            f"INSERT INTO audit_entry ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [[stored(e[n]) for n in names] for e in self.entries],
        )
