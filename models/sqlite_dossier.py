"""What `rca check` reads (the dossier and the recurrences), from a current SQLite file with the
standard library alone.

Why: a cold `rca check` of a 5,000-cause investigation spent about half of its second importing
SQLAlchemy, SQLModel and pydantic and setting up the ORM (issue 16). Checking only reads, so on
a SQLite file that is plainly current this module reads the same rows with sqlite3 and builds the
same `models.domain` objects; `rca check` then runs the same rules on them. The ORM read
(`models/service/documents.py`) stays the path for PostgreSQL, and the fallback whenever anything
is not plainly so: `read_for_check` returns None for a file that does not exist, is new or older
(opening it migrates it), or has nobody with a role yet (opening it writes the first admin). A
file that is not ours, corrupt, locked or newer is refused by `sqlite_file._probe_sqlite` with the
same one-line error opening it would give, so a newer schema is never read by this path.

Each query is the one the service runs (same filters and ORDER BY); each value is converted as
SQLAlchemy's column type would (by the column's declared type: DATETIME, DATE, BOOLEAN, FLOAT).
`tests/test_sqlite_dossier.py` holds the two reads equal field by field.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from itertools import starmap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from models.domain import (
    Action,
    Cause,
    Dossier,
    Feedback,
    Investigation,
    InvolvedPerson,
    Link,
    Measure,
    Measurement,
    ReportNote,
    SignOff,
    TeamMember,
    TimelineEntry,
)
from models.errors import NotFoundError
from models.migrations import HEAD
from models.recurrence import WINDOW_DAYS, Coded, Completed, Recurrence, match
from models.sqlite_file import BUSY_TIMEOUT_MS, _probe_sqlite
from models.summary import _field_names
from models.vocab import LONDON_PROTOCOL

#: As `models.service.actions.MEASURE_FIELDS`: the measure's columns are `measure_<name>`.
MEASURE_FIELDS = ("kind", "what", "how", "sample", "target", "date")
#: As `models.service.recurrence.COMPLETED`.
COMPLETED = ("done", "verified_effective", "not_effective")


def _datetime(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


#: A declared column type -> how SQLAlchemy's type reads a stored value (others: as stored).
CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "DATETIME": _datetime,
    "DATE": _date,
    "BOOLEAN": bool,
    "FLOAT": float,
}


def read_for_check(
    path: Path, investigation_id: int, window_days: int = WINDOW_DAYS
) -> tuple[Dossier, list[Recurrence]] | None:
    """The dossier of one investigation and its recurrences (later or earlier), read in one
    snapshot, as `Service.dossier` and `recurrences` return them; None when the service has to
    open the file itself. A missing investigation is `NotFoundError`, as from the service."""
    if not path.is_file() or _probe_sqlite(path) != HEAD:
        return None
    try:
        con = sqlite3.connect(
            f"{path.as_uri()}?mode=ro",
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
        )
        try:
            con.execute("BEGIN")  # one read transaction: one snapshot, as the service's read()
            if con.execute("SELECT 1 FROM app_user LIMIT 1").fetchone() is None:
                return None
            reader = Reader(con)
            found = reader.dossier(investigation_id)
            later = reader.recurrences_of(investigation_id, window_days)
            return found, later + reader.recurrences_after(investigation_id, window_days)
        finally:
            con.close()
    except sqlite3.Error:
        return None  # the service says what is wrong, in its words


class Reader:
    """The service's reads for one investigation, on one sqlite3 connection."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con
        self._types: dict[str, dict[str, Callable[[Any], Any]]] = {}

    def converters(self, table: str) -> dict[str, Callable[[Any], Any]]:
        found = self._types.get(table)
        if found is None:
            found = {}
            for _cid, name, decl, *_ in self.con.execute(f'PRAGMA table_info("{table}")'):
                conv = CONVERTERS.get(str(decl).upper())
                if conv is not None:
                    found[name] = conv
            self._types[table] = found
        return found

    def rows(
        self, table: str, order: str, where: str = "investigation_id = ?", params: tuple = ()
    ) -> Iterator[SimpleNamespace]:
        """Whole rows of one table as objects with a column per attribute (what `from_row`
        reads), each value typed as SQLAlchemy would."""
        conv = self.converters(table)
        cur = self.con.execute(f'SELECT * FROM "{table}" WHERE {where} ORDER BY {order}', params)
        names = [d[0] for d in cur.description]
        typed = [(n, conv.get(n)) for n in names]
        for r in cur:
            yield SimpleNamespace(
                **{
                    n: (v if c is None or v is None else c(v))
                    for (n, c), v in zip(typed, r, strict=True)
                }
            )

    def records(self, cls: Any, table: str, order: str, params: tuple) -> tuple[Any, ...]:
        """The rows of a table as records of `cls` whose fields are all its columns, made
        straight from the selected values when none needs converting (the 5,000 causes)."""
        names = _field_names(cls)
        if any(n in self.converters(table) for n in names):
            return tuple(cls.from_row(r) for r in self.rows(table, order, params=params))
        cols = ", ".join(f'"{n}"' for n in names)
        cur = self.con.execute(
            f'SELECT {cols} FROM "{table}" WHERE investigation_id = ? ORDER BY {order}', params
        )
        return tuple(starmap(cls, cur))

    def dossier(self, investigation_id: int) -> Dossier:
        """`models.service.documents.dossier_in`, query for query."""
        key = (investigation_id,)
        inv = next(self.rows("investigation", "id", "id = ?", key), None)
        if inv is None:
            raise NotFoundError(f"There is no investigation with id {investigation_id}")

        def rows(table: str, order: str = "id") -> Iterator[SimpleNamespace]:
            return self.rows(table, order, params=key)

        con = self.con
        by_action: dict[int, list[int]] = {}
        for action_id, cause_id in con.execute(
            "SELECT action_cause.action_id, action_cause.cause_id FROM action_cause "
            "JOIN action ON action.id = action_cause.action_id "
            "WHERE action.investigation_id = ? ORDER BY action_cause.cause_id",
            key,
        ):
            by_action.setdefault(action_id, []).append(cause_id)
        actions = tuple(
            Action.from_row(
                r,
                addresses=tuple(by_action.get(r.id, ())),
                measure=Measure(*(getattr(r, f"measure_{n}") for n in MEASURE_FIELDS)),
            )
            for r in rows("action")
        )
        head = con.execute("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1").fetchone()
        codes: dict[int, list[str]] = {}
        for cause_id, code in con.execute(
            "SELECT cause_id, code FROM cause_code_link WHERE investigation_id = ? "
            "ORDER BY cause_id, code",
            key,
        ):
            codes.setdefault(cause_id, []).append(code)
        return Dossier(
            Investigation.from_row(inv),
            tuple(TeamMember.from_row(r) for r in rows("team_member", "position, id")),
            tuple(TimelineEntry.from_row(r) for r in rows("timeline_entry", "position, id")),
            self.records(Cause, "cause", "id", key),
            tuple(
                Link(*r)
                for r in con.execute(
                    "SELECT id, investigation_id, cause_id, effect_id FROM causal_link "
                    "WHERE investigation_id = ? ORDER BY id",
                    key,
                )
            ),
            actions,
            tuple(SignOff.from_row(r) for r in rows("sign_off")),
            tuple(Feedback.from_row(r) for r in rows("feedback")),
            tuple(self.categories(investigation_id)),
            (head[0], head[1]) if head else None,
            measurements=tuple(
                Measurement.from_row(r) for r in rows("measurement", "taken_on, id")
            ),
            notes=tuple(ReportNote.from_row(r) for r in rows("report_note", "position, id")),
            people=tuple(
                InvolvedPerson.from_row(r) for r in rows("involved_person", "position, id")
            ),
            cause_codes={k: tuple(v) for k, v in codes.items()},
        )

    def categories(self, investigation_id: int) -> list[str]:
        """`models.service.categories.categories_in`."""
        key = (investigation_id,)
        stored = [
            r[0]
            for r in self.con.execute(
                "SELECT name FROM fishbone_category WHERE investigation_id = ? "
                "ORDER BY position, id",
                key,
            )
        ]
        names = stored or list(LONDON_PROTOCOL)
        used = self.con.execute(
            "SELECT category FROM cause WHERE investigation_id = ? AND category IS NOT NULL "
            "GROUP BY category ORDER BY min(id)",
            key,
        )
        return names + [u for (u,) in used if u not in names]

    # --- recurrence: models/service/recurrence.py, query for query ------------------------
    def completed_on(self, action_ids: Iterable[int] | None = None) -> dict[int, dt.date]:
        ids = None if action_ids is None else list(action_ids)
        only = "" if ids is None else f" AND id IN ({_marks(ids)})"
        out: dict[int, dt.date] = {
            aid: _date(day)
            for aid, day in self.con.execute(
                f"SELECT id, done_on FROM action WHERE done_on IS NOT NULL{only}", ids or ()
            )
        }
        only = "" if ids is None else f" AND entity_id IN ({_marks(ids)})"
        for aid, at in self.con.execute(
            "SELECT entity_id, min(at) FROM audit_entry WHERE entity = 'action' AND "
            f"field = 'status' AND new IN ({_marks(COMPLETED)}){only} GROUP BY entity_id",
            (*COMPLETED, *(ids or ())),
        ):
            if aid is not None and aid not in out:
                out[aid] = _datetime(at).date()
        return out

    def completed(
        self, codes: Iterable[str] | None = None, investigation_id: int | None = None
    ) -> list[Completed]:
        when = self.completed_on() if investigation_id is None else None
        if when is not None and not when:
            return []
        where = [f"action.status IN ({_marks(COMPLETED)})", "cause.kind = 'root'"]
        params: list[Any] = list(COMPLETED)
        if codes is not None:
            wanted = sorted(set(codes))
            where.append(f"cause_code_link.code IN ({_marks(wanted)})")
            params += wanted
        if investigation_id is not None:
            where.append("action.investigation_id = ?")
            params.append(investigation_id)
        rows = self.con.execute(
            "SELECT action.id, action.investigation_id, cause_code_link.code, action.text "
            "FROM action JOIN action_cause ON action_cause.action_id = action.id "
            "JOIN cause ON cause.id = action_cause.cause_id "
            "JOIN cause_code_link ON cause_code_link.cause_id = cause.id "
            f"WHERE {' AND '.join(where)}",
            params,
        ).fetchall()
        if when is None:
            when = self.completed_on({r[0] for r in rows}) if rows else {}
        return [
            Completed(aid, iid, code, when[aid], text)
            for aid, iid, code, text in rows
            if aid in when
        ]

    def coded(
        self, ids: Iterable[int] | None = None, codes: Iterable[str] | None = None
    ) -> list[Coded]:
        where = ["cause.kind = 'root'"]
        params: list[Any] = []
        if ids is not None:
            wanted_ids = sorted(set(ids))
            where.append(f"investigation.id IN ({_marks(wanted_ids)})")
            params += wanted_ids
        if codes is not None:
            wanted_codes = sorted(set(codes))
            where.append(f"cause_code_link.code IN ({_marks(wanted_codes)})")
            params += wanted_codes
        rows = self.con.execute(
            "SELECT DISTINCT investigation.id, cause_code_link.code, investigation.event_type, "
            "investigation.unit, coalesce(investigation.occurred_at, investigation.discovered_at,"
            " investigation.created_at) FROM cause_code_link "
            "JOIN cause ON cause.id = cause_code_link.cause_id "
            "JOIN investigation ON investigation.id = cause_code_link.investigation_id "
            f"WHERE {' AND '.join(where)}",
            params,
        ).fetchall()
        return [
            Coded(i, code, et, unit or "", _datetime(day).date())
            for i, code, et, unit, day in rows
        ]

    def recurrences_of(self, later_id: int, window_days: int) -> list[Recurrence]:
        mine = self.coded([later_id])
        if not mine:
            return []
        completed = self.completed({c.code for c in mine})
        if not completed:
            return []
        coded = mine + self.coded({d.investigation_id for d in completed} - {later_id})
        return [r for r in match(completed, coded, window_days) if r.later_id == later_id]

    def recurrences_after(self, earlier_id: int, window_days: int) -> list[Recurrence]:
        completed = self.completed(investigation_id=earlier_id)
        if not completed:
            return []
        codes = {d.code for d in completed}
        coded = self.coded([earlier_id]) + [
            c for c in self.coded(codes=codes) if c.investigation_id != earlier_id
        ]
        return [r for r in match(completed, coded, window_days) if r.earlier_id == earlier_id]


def _marks(values: Iterable[object]) -> str:
    return ", ".join("?" for _ in values)
