"""The reads start-up makes, as SQLAlchemy Core queries: no ORM, no SQLModel, no tables module.

The home screen and `rca list` need only the investigation list, and opening a service only
whether the user table has anyone in it; importing the ORM for that would cost about 0.15 s of
every start. The column types are given here so that dates and flags come back as Python values.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ColumnClause, DateTime, Integer, Row, Text, column, select
from sqlalchemy import table as core_table
from sqlalchemy.exc import DBAPIError

from models.db import Database, translate
from models.summary import InvestigationSummary

_TYPES = {"id": Integer, "sac_score": Integer, "sentinel": Boolean}
_DATES = {"occurred_at", "discovered_at", "decision_at", "updated_at"}


def list_investigations(db: Database) -> list[InvestigationSummary]:
    """The home list, in id order."""
    cols: list[ColumnClause[Any]] = [
        column(name, DateTime if name in _DATES else _TYPES.get(name, Text))
        for name in InvestigationSummary.__dataclass_fields__
    ]
    query = select(*cols).select_from(core_table("investigation")).order_by(cols[0])
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(query).all()
    except DBAPIError as exc:
        raise translate(exc, db.target.name) from None
    return [InvestigationSummary(*r) for r in rows]


def has_users(db: Database) -> bool:
    """Whether anyone has a stored role yet (a new database has no admin until then)."""
    try:
        with db.engine.connect() as conn:
            found: Row[Any] | None = conn.execute(
                select(column("id")).select_from(core_table("app_user")).limit(1)
            ).first()
    except DBAPIError as exc:
        raise translate(exc, db.target.name) from None
    return found is not None
