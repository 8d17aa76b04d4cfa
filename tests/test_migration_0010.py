"""Schema 0010 (a result corrected, not edited) on SQLite and PostgreSQL: the migrated schema is
what the tables declare, results already there come through as not corrected, and going back
to 0009 and up again keeps every result."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from models.migrations import HEAD, REVISIONS

BOTH_BACKENDS = True


def _alembic(engine, command_name: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    import models.migrations

    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(Path(models.migrations.__file__).parent))
        cfg.attributes["connection"] = conn
        getattr(command, command_name)(cfg, revision)


def _columns(engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("measurement")}


def test_0010_adds_the_correction_columns_and_goes_back(service, person):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from models.demo import add_demo
    from models.tables import metadata

    assert REVISIONS[REVISIONS.index("0010") - 1] == "0009"
    engine = service.db.engine
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = [d for d in compare_metadata(ctx, metadata) if "measurement" in repr(d)]
        assert diff == []
    assert {"superseded_by", "superseded_reason"} <= _columns(engine)
    # A result recorded before going back to 0009 (no correction columns) and up again.
    service.add_user("rita", "reviewer")
    ivan, rita = person(service, "ivan"), person(service, "rita")
    inv = add_demo(ivan)
    inv = ivan.submit_for_review(inv.id, inv.version)
    for a in rita.list_actions(inv.id):
        rita.record_concurrence(a.id, a.version, "concur")
    rita.approve(inv.id, inv.version)
    a = rita.list_actions(inv.id)[1]
    on = a.measure.date
    first = rita.add_measurement(a.id, taken_on=on, value=85, today=on)
    rita.correct_measurement(first.id, reason="Typo", taken_on=on, value=98, today=on)
    for svc in (service, ivan, rita):
        svc.db.dispose()
    _alembic(engine, "downgrade", "0009")
    assert not {"superseded_by", "superseded_reason"} & _columns(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM measurement")).scalar_one() == 2
    _alembic(engine, "upgrade", HEAD)
    assert {"superseded_by", "superseded_reason"} <= _columns(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT value, superseded_by, superseded_reason FROM measurement ORDER BY id")
        ).all()
    # The marks went with the columns; the results themselves are all kept.
    assert [tuple(r) for r in rows] == [(85, None, ""), (98, None, "")]
