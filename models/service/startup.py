"""The reads start-up makes: the home list and "has anyone a role yet", without the ORM.

The home screen and `rca list` need only the investigation list, and opening a service only
whether the user table has anyone in it. On a SQLite file both are read with the standard
library's sqlite3 (`models.sqlite_file`): importing SQLAlchemy for them would cost a quarter of
a second before the home screen's first frame (issue 16). On PostgreSQL, and as the reference
the sqlite3 read is tested against, they are SQLAlchemy Core queries (no ORM, no SQLModel, no
tables module), whose column types are given here so that dates and flags come back as Python
values.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from models import sqlite_file
from models.db import Database, translate
from models.summary import InvestigationSummary

if TYPE_CHECKING:
    from sqlalchemy import Row

_T = TypeVar("_T")

_DATES = {"occurred_at", "discovered_at", "decision_at", "updated_at"}


def list_investigations(db: Database) -> list[InvestigationSummary]:
    """The home list, in id order."""
    return _read(db, sqlite_file.read_investigations, core_list_investigations)


def has_users(db: Database) -> bool:
    """Whether anyone has a stored role yet (a new database has no admin until then)."""
    return _read(db, sqlite_file.has_users, core_has_users)


def _read(
    db: Database,
    on_file: Callable[..., _T],
    on_core: Callable[[Database], _T],
) -> _T:
    """Read a SQLite file with sqlite3 (its errors told as ours), anything else with Core."""
    path = db.sqlite_path
    if path is None:
        return on_core(db)
    try:
        return on_file(path, readonly=db.readonly)
    except sqlite3.Error as exc:
        raise translate(exc, db.target.name) from None


def core_list_investigations(db: Database) -> list[InvestigationSummary]:
    """The home list through SQLAlchemy Core, in id order (PostgreSQL; any backend)."""
    from sqlalchemy import Boolean, ColumnClause, DateTime, Integer, Text, column, select
    from sqlalchemy import table as core_table
    from sqlalchemy.exc import DBAPIError

    types = {"id": Integer, "sac_score": Integer, "sentinel": Boolean}
    cols: list[ColumnClause[Any]] = [
        column(name, DateTime if name in _DATES else types.get(name, Text))
        for name in InvestigationSummary.__dataclass_fields__
    ]
    query = select(*cols).select_from(core_table("investigation")).order_by(cols[0])
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(query).all()
    except DBAPIError as exc:
        raise translate(exc, db.target.name) from None
    return [InvestigationSummary(*r) for r in rows]


def core_has_users(db: Database) -> bool:
    """Whether anyone has a stored role, through SQLAlchemy Core (PostgreSQL; any backend)."""
    from sqlalchemy import column, select
    from sqlalchemy import table as core_table
    from sqlalchemy.exc import DBAPIError

    try:
        with db.engine.connect() as conn:
            found: Row[Any] | None = conn.execute(
                select(column("id")).select_from(core_table("app_user")).limit(1)
            ).first()
    except DBAPIError as exc:
        raise translate(exc, db.target.name) from None
    return found is not None
