"""Core statements compiled once per dialect and run on the driver's own cursor.

A cause edit is the app's most frequent write, and once the ORM was gone (issue 16) most of
what it cost over plain sqlite3 was SQLAlchemy's own work around each of its four statements:
the execution context, the events, the cache-key lookup, the result object (about 30 us each,
more than the statement itself). A `Prepared` statement is still written in SQLAlchemy Core,
against the same tables, and compiled by the connection's own dialect (its SQL, its parameter
style, its quoting), but it is compiled once, and each run hands the SQL string and parameters
straight to the DBAPI cursor of the SQLAlchemy connection: inside the same transaction, begun
by `UnitOfWork.write` (SQLite's BEGIN IMMEDIATE, PostgreSQL's advisory lock) and committed or
rolled back by it. The dialect's bind and result processors are applied as SQLAlchemy would
(a SQLite datetime is stored as the same text), and a driver error is wrapped as SQLAlchemy
wraps it, so the callers' error handling is the same.

It is for a few fixed statements with plain columns, no defaults to compute and no RETURNING
of generated keys; anything else goes through `Connection.execute`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ClauseElement


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    #: Bind names in the order of the SQL's placeholders (positional styles), else None.
    order: tuple[str, ...] | None
    #: Bind values fixed in the statement itself (e.g. the 1 of `version + 1`).
    constants: Mapping[str, Any]
    bind: Mapping[str, Callable[[Any], Any]]
    #: One processor (or None) per selected column.
    result: tuple[Callable[[Any], Any] | None, ...]


class Prepared:
    """One Core statement, compiled on first use by each dialect, run on the raw cursor."""

    __slots__ = ("_by_dialect", "statement")

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        if compiled.escaped_bind_names:  # type: ignore[attr-defined]
            raise ValueError(f"bind names that need escaping: {compiled.escaped_bind_names}")  # type: ignore[attr-defined]
        if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None):
            raise ValueError("a statement with Python-side defaults: use Connection.execute")
        binds = compiled.binds  # type: ignore[attr-defined]
        constants = {name: b.value for name, b in binds.items() if not b.required}
        bind = {}
        for name, b in binds.items():
            process = b.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                bind[name] = process
        result: tuple[Callable[[Any], Any] | None, ...] = ()
        selected = getattr(self.statement, "selected_columns", None)
        if selected is not None:
            result = tuple(
                c.type.dialect_impl(dialect).result_processor(dialect, None) for c in selected
            )
        order = tuple(compiled.positiontup) if compiled.positional else None  # type: ignore[attr-defined]
        return _Compiled(compiled.string, order, constants, bind, result)

    def _for(self, conn: Connection) -> _Compiled:
        dialect = conn.dialect
        found = self._by_dialect.get(dialect.name)
        if found is None:
            found = self._by_dialect[dialect.name] = self._compile(dialect)
        return found

    def _run(self, conn: Connection, params: Mapping[str, Any]) -> tuple[Any, _Compiled]:
        if not conn.in_transaction():  # SQLAlchemy would begin one; the driver's cursor does not
            raise RuntimeError("a Prepared statement runs in a transaction begun on `conn`")
        c = self._for(conn)
        values = {**c.constants, **params} if c.constants else dict(params)
        for name, process in c.bind.items():
            values[name] = process(values[name])
        args: Sequence[Any] | Mapping[str, Any]
        args = values if c.order is None else tuple(values[n] for n in c.order)
        dbapi = conn.dialect.loaded_dbapi
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(c.sql, args)
        except dbapi.Error as exc:
            cursor.close()
            raise DBAPIError.instance(c.sql, args, exc, dbapi.Error, dialect=conn.dialect) from None
        return cursor, c

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Run an INSERT, UPDATE or DELETE; the number of rows it touched."""
        cursor, _ = self._run(conn, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def first(self, conn: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """Run a SELECT; its first row (None: no row), its values as SQLAlchemy gives them."""
        cursor, c = self._run(conn, params)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            return None
        if any(c.result):
            return tuple(v if p is None else p(v) for v, p in zip(row, c.result, strict=True))
        return tuple(row)
