"""The database file: creation, settings, migrations, and refusing what is not ours."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from models.db import APPLICATION_ID, open_database
from models.errors import DatabaseError, ReadOnlyError
from models.migrations import HEAD, REVISIONS


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_is_private_and_at_head(db_path):
    db = open_database(db_path)
    db.dispose()
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
    assert con.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
    con.close()


def test_missing_folders_are_created(tmp_path):
    path = tmp_path / "a" / "b" / "rca.db"
    open_database(path).dispose()
    assert path.is_file()


def test_connection_settings(db_path):
    db = open_database(db_path)
    with db.engine.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 2  # FULL: a committed edit survives power loss
        assert pragma("busy_timeout") >= 1000
    db.dispose()


def test_migrations_match_the_models(db_path):
    """Upgrading an empty file gives exactly the schema the tables declare."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from models.tables import metadata

    open_database(db_path).dispose()
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, metadata) == []
    engine.dispose()


def test_revision_list_matches_the_scripts():
    from pathlib import Path

    from alembic.script import ScriptDirectory

    import models.migrations

    scripts = ScriptDirectory(str(Path(models.migrations.__file__).parent))
    chain = [s.revision for s in reversed(list(scripts.walk_revisions()))]
    assert tuple(chain) == REVISIONS
    assert scripts.get_current_head() == HEAD


def test_reopening_keeps_data(db_path):
    from models.service import open_service

    svc = open_service(db_path, user="a")
    inv = svc.create_investigation("Wrong-site block")
    svc.db.dispose()
    again = open_service(db_path, user="b")
    assert again.get_investigation(inv.id).title == "Wrong-site block"
    again.db.dispose()


def test_newer_database_is_refused_untouched(db_path):
    open_database(db_path).dispose()
    con = sqlite3.connect(db_path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    before = digest(db_path)
    with pytest.raises(DatabaseError, match="newer rca-tui"):
        open_database(db_path)
    assert digest(db_path) == before


def test_foreign_sqlite_database_is_refused_untouched(db_path):
    con = sqlite3.connect(db_path)
    con.execute("CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO patients (name) VALUES ('x')")
    con.commit()
    con.close()
    before = digest(db_path)
    with pytest.raises(DatabaseError, match="not an RCA database"):
        open_database(db_path)
    assert digest(db_path) == before


def test_other_application_id_is_refused(db_path):
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA application_id = 1234")
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    before = digest(db_path)
    with pytest.raises(DatabaseError, match="another program"):
        open_database(db_path)
    assert digest(db_path) == before


def test_text_file_is_refused_untouched(db_path):
    db_path.write_text("name,mrn\nJane,123\n" * 20)
    before = digest(db_path)
    with pytest.raises(DatabaseError, match="not an SQLite file") as info:
        open_database(db_path)
    assert str(db_path) in info.value.message
    assert digest(db_path) == before


def test_corrupt_database_is_refused_untouched(db_path, service):
    for i in range(40):
        service.create_investigation(f"Event {i}", description="x" * 2000)
    service.db.dispose()
    data = bytearray(db_path.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    # Scribble over the middle pages (table b-tree pages), keep the header intact.
    for offset in range(3 * page, 6 * page, 7):
        data[offset] = 0xA5
    db_path.write_bytes(bytes(data))
    before = digest(db_path)
    with pytest.raises(DatabaseError, match="corrupt"):
        open_database(db_path)
    assert digest(db_path) == before


def test_unwritable_location_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    with pytest.raises(DatabaseError, match="cannot create the database") as info:
        open_database(blocker / "rca.db")
    assert str(blocker / "rca.db") in info.value.message
    assert blocker.read_text() == "not a folder"


def test_folder_given_as_database_is_refused(tmp_path):
    with pytest.raises(DatabaseError, match="folder"):
        open_database(tmp_path)


def test_read_only_database_reads_but_refuses_writes(db_path, service):
    inv = service.create_investigation("Readable")
    service.db.dispose()
    before = digest(db_path)
    from models.service import Service

    ro = Service(open_database(db_path, readonly=True), "bob")
    assert [i.title for i in ro.list_investigations()] == ["Readable"]
    with pytest.raises(ReadOnlyError, match="read-only"):
        ro.update_investigation(inv.id, inv.version, title="Changed")
    ro.db.dispose()
    assert digest(db_path) == before


def test_missing_database_opened_read_only_is_an_error(db_path):
    with pytest.raises(DatabaseError, match="no such database"):
        open_database(db_path, readonly=True)
    assert not db_path.exists()


def test_locked_database_gives_a_clear_error(db_path, service, monkeypatch):
    import models.db as dbmod
    from models.errors import LockedError

    inv = service.create_investigation("Locked")
    # Another program holds the write lock for longer than our (shortened) busy timeout.
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 100)
        from models.service import Service

        other = Service(open_database(db_path), "bob")
        with pytest.raises(LockedError, match="busy"):
            other.update_investigation(inv.id, inv.version, title="x")
        # Reading still works while another program writes (WAL).
        assert other.get_investigation(inv.id).title == "Locked"
        other.db.dispose()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_older_database_is_upgraded_with_a_backup(db_path):
    """A file at the first schema revision opens at HEAD, data kept, old file backed up."""
    from alembic import command
    from alembic.config import Config

    import models.migrations

    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(Path(models.migrations.__file__).parent))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, REVISIONS[0])
    engine.dispose()
    con = sqlite3.connect(db_path)
    con.execute(
        "INSERT INTO investigation (title, description, unit, reported_by, sentinel, blameworthy,"
        " blameworthy_note, status, patient_name, patient_mrn, created_by, created_at,"
        " updated_by, updated_at, version, graph_rev) VALUES ('Old fall', '', '4W', '', 0, 0,"
        " '', 'draft', '', '', 'a', '2026-01-01', 'a', '2026-01-01', 1, 0)"
    )
    con.commit()
    con.close()

    from models.service import Service

    svc = Service(open_database(db_path), "alice")
    (inv,) = svc.list_investigations()
    assert inv.title == "Old fall"
    assert svc.categories(inv.id)[0] == "Patient"
    svc.db.dispose()
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
    con.close()
    backup = db_path.with_name(f"{db_path.name}.before-{HEAD}.bak")
    old = sqlite3.connect(backup)
    assert old.execute("SELECT version_num FROM alembic_version").fetchone() == (REVISIONS[0],)
    assert old.execute("SELECT title FROM investigation").fetchone() == ("Old fall",)
    old.close()


def test_upgrade_rescores_incidents_and_audits_the_change(db_path):
    """Schema 0005: an incident scored on its actual severity alone gets the higher score, each
    change has its audit entry, and the chain still verifies."""
    from alembic import command
    from alembic.config import Config

    import models.migrations
    from models.service import Service

    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(Path(models.migrations.__file__).parent))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
        # Two incidents as the old rule scored them: on the actual severity alone.
        insert = text(
            "INSERT INTO investigation (title, description, unit, reported_by, sentinel,"
            " blameworthy, blameworthy_note, status, patient_name, patient_mrn, created_by,"
            " created_at, updated_by, updated_at, version, graph_rev, report_type,"
            " severity_actual, severity_potential, probability, sac_score) VALUES (:title, '',"
            " '', '', 0, 0, '', 'draft', '', '', 'a', '2026-01-01', 'a', '2026-01-01', 1, 0,"
            " 'incident', :actual, :potential, 'remote', :score)"
        )
        conn.execute(insert, dict(title="Wrong patient", actual="minor", potential="catastrophic",
                                  score=1))
        conn.execute(insert, dict(title="Fall", actual="major", potential=None, score=2))
    engine.dispose()

    svc = Service(open_database(db_path), "alice")
    rescored, steady = svc.list_investigations()
    assert (rescored.sac_score, steady.sac_score) == (3, 2)
    moved = [e for e in svc.audit_entries(rescored.id) if e.field == "sac_score"]
    assert [(m.old, m.new) for m in moved] == [("1", "3")]
    assert "0005" in moved[0].user
    assert not [e for e in svc.audit_entries(steady.id) if "0005" in e.user]
    # The chain the migration extended is intact; what it flags is what this test did by hand:
    # rows written with SQL, which no audit entry made.
    problem = svc.verify_audit()
    assert problem is not None and problem.seq is None
    assert problem.message.startswith(
        f"investigation {rescored.id} is in the database with no audit entry that made it"
    )
    svc.db.dispose()


def test_grant_covers_every_table_and_leaves_the_audit_trail_append_only(pg_url):
    """`rca init --grant ROLE`: the people's role may read and write every table of the schema
    (a table added by a later migration included), and only read and add audit entries."""
    from sqlmodel import SQLModel

    from models.db import data_tables, grant_users

    db = open_database(pg_url)
    role = "rca_grant_probe"
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
        conn.exec_driver_sql(f'CREATE ROLE "{role}" NOLOGIN')
    try:
        grant_users(db, role)
        tables = set(SQLModel.metadata.tables)
        assert set(data_tables()) == tables - {"audit_entry"}
        with db.engine.connect() as conn:
            def may(table: str, what: str) -> bool:
                return conn.execute(
                    text("SELECT has_table_privilege(:r, :t, :w)"), dict(r=role, t=table, w=what)
                ).scalar_one()

            for table in sorted(tables - {"audit_entry"}):
                assert may(table, "INSERT") and may(table, "UPDATE"), table
            assert may("audit_entry", "SELECT") and may("audit_entry", "INSERT")
            assert not may("audit_entry", "UPDATE") and not may("audit_entry", "DELETE")
    finally:
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
            conn.exec_driver_sql(f'DROP ROLE "{role}"')
        db.dispose()
