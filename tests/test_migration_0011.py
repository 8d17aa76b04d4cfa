"""Schema 0011 (when the RCA team was chartered) on SQLite and PostgreSQL: the migrated schema
is what the tables declare, investigations already there come through with no charter recorded,
and going back to 0010 and up again keeps every investigation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, text
from test_migration_0010 import _alembic

from models.migrations import HEAD, REVISIONS

BOTH_BACKENDS = True


def _columns(engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("investigation")}


def test_0011_adds_chartered_at_and_goes_back(service):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from models.tables import metadata

    assert HEAD == "0011" and REVISIONS[-2] == "0010"
    engine = service.db.engine
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = [d for d in compare_metadata(ctx, metadata) if "investigation" in repr(d)]
        assert diff == []
    assert "chartered_at" in _columns(engine)
    decided = dt.datetime(2026, 11, 4, 9, 0)
    chartered = service.create_investigation(
        "Chartered", decision_at=decided, chartered_at=decided + dt.timedelta(hours=5)
    )
    assert chartered.chartered_at == dt.datetime(2026, 11, 4, 14, 0)
    service.create_investigation("Not yet chartered", decision_at=decided)
    service.db.dispose()
    _alembic(engine, "downgrade", "0010")
    assert "chartered_at" not in _columns(engine)
    _alembic(engine, "upgrade", HEAD)
    assert "chartered_at" in _columns(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT title, decision_at, chartered_at FROM investigation ORDER BY id")
        ).all()
    # The charter went with the column; the investigations and their decisions are kept.
    assert [(r[0], r[2]) for r in rows] == [("Chartered", None), ("Not yet chartered", None)]
    assert all(r[1] is not None for r in rows)
