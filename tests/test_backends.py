"""The store on both backends: SQLite files and PostgreSQL servers behave the same to a user.

Several people save at the same moment: every save lands, the audit chain stays one unbroken
chain, and two links that would close a circle between them cannot both be saved. The
PostgreSQL tests need RCA_TEST_PG (see conftest); each gets a fresh database.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from models.errors import CycleError, DatabaseError, LockedError

WRITERS, EACH = 4, 25


def _add_causes(url: str, investigation_id: int, tag: str, n: int, start, results) -> None:
    from models.service import open_service

    service = open_service(url, user=tag)
    start.wait()
    saved = 0
    for i in range(n):
        service.add_cause(investigation_id, f"{tag}: cause {i}")
        saved += 1
    service.db.dispose()
    results.put(saved)


def _link(url: str, cause: int, effect: int, start, results) -> None:
    from models.service import open_service

    service = open_service(url, user=f"u{cause}")
    service.graph(1)  # a warm cache, as an open screen has: the check must not trust it blindly
    start.wait()
    try:
        service.link(cause, effect)
        results.put("linked")
    except CycleError:
        results.put("refused")
    finally:
        service.db.dispose()


def test_four_writers_save_every_cause_and_the_chain_holds(backend_url):
    from models.service import open_service

    service = open_service(backend_url, user="alice")
    inv = service.create_investigation("Busy morning")
    service.db.dispose()  # no open connection is inherited by the writers
    ctx = mp.get_context("fork")
    start, results = ctx.Barrier(WRITERS), ctx.Queue()
    procs = [
        ctx.Process(target=_add_causes, args=(backend_url, inv.id, f"w{i}", EACH, start, results))
        for i in range(WRITERS)
    ]
    for p in procs:
        p.start()
    saved = sum(results.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert saved == WRITERS * EACH
    causes = service.list_causes(inv.id)
    assert len(causes) == WRITERS * EACH
    assert {c.text.split(":")[0] for c in causes} == {f"w{i}" for i in range(WRITERS)}
    # Each writer's given name beside its login (on PostgreSQL the login is the session's role).
    creators = {e.display_name for e in service.audit_entries(inv.id) if e.entity == "cause"}
    assert creators == {f"w{i}" for i in range(WRITERS)}
    assert service.verify_audit() is None
    seqs = [e.seq for e in service.audit_entries()]
    assert seqs == list(range(1, len(seqs) + 1))
    service.db.dispose()


def test_crossing_links_at_the_same_moment_one_is_refused(backend_url):
    from models.service import open_service

    service = open_service(backend_url, user="alice")
    inv = service.create_investigation("Crossing links")
    a = service.add_cause(inv.id, "Pump library lacked the concentration")
    b = service.add_cause(inv.id, "Nurse programmed the pump by hand")
    ctx = mp.get_context("fork")
    for _ in range(3):
        service.db.dispose()  # no open connection is inherited by the two writers
        start, results = ctx.Barrier(2), ctx.Queue()
        procs = [
            ctx.Process(target=_link, args=(backend_url, a.id, b.id, start, results)),
            ctx.Process(target=_link, args=(backend_url, b.id, a.id, start, results)),
        ]
        for p in procs:
            p.start()
        outcome = sorted(results.get(timeout=60) for _ in procs)
        for p in procs:
            p.join(timeout=60)
        assert outcome == ["linked", "refused"]
        graph = service.load_graph(inv.id)
        assert graph.g.number_of_edges() == 1
        (edge,) = graph.g.edges
        service.unlink(*edge)
    assert service.verify_audit() is None
    service.db.dispose()


# --- PostgreSQL only --------------------------------------------------------------------------
def test_a_new_server_database_is_set_up_and_used_by_the_command_line(pg_url):
    from rca_tui.cli import cli

    runner = CliRunner()
    added = runner.invoke(cli, ["--db", pg_url, "demo"])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(cli, ["--db", pg_url, "list", "--json"])
    assert listed.exit_code == 0 and "Inpatient fall" in listed.output
    verified = runner.invoke(cli, ["--db", pg_url, "audit", "verify"])
    assert verified.exit_code == 0 and "intact" in verified.output


@pytest.mark.parametrize("statement", ["UPDATE audit_entry SET new = 'x'",
                                       "DELETE FROM audit_entry", "TRUNCATE audit_entry"])
def test_audit_entries_cannot_be_changed_on_the_server(pg_url, statement):
    import psycopg

    from models.service import open_service

    service = open_service(pg_url, user="alice")
    service.create_investigation("x")
    service.db.dispose()
    with psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True) as con:
        with pytest.raises(psycopg.Error, match="never changed or removed"):
            con.execute(statement)
        assert con.execute("SELECT count(*) FROM audit_entry").fetchone()[0] > 0


def test_a_writer_that_waits_too_long_is_told_busy_and_nothing_is_saved(pg_url, monkeypatch):
    import psycopg

    from models import db as dbmod
    from models.service import open_service

    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 300)
    service = open_service(pg_url, user="alice")
    inv = service.create_investigation("x")
    with psycopg.connect(pg_url.replace("+psycopg", "")) as holder:
        holder.execute(f"SELECT pg_advisory_xact_lock({dbmod.WRITE_LOCK})")
        with pytest.raises(LockedError, match=r"busy.*nothing was saved"):
            service.add_cause(inv.id, "waits behind another writer")
    assert service.list_causes(inv.id) == []
    service.add_cause(inv.id, "saved once the other writer is done")
    assert len(service.list_causes(inv.id)) == 1
    service.db.dispose()


def _one_line_error(url: str) -> str:
    env = {**os.environ, "RCA_DB": url}
    result = subprocess.run(
        [sys.executable, "-m", "rca_tui", "list"], capture_output=True, text=True, env=env,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_server_problems_are_one_line(pg_url):
    from sqlalchemy.engine import make_url

    url = make_url(pg_url)
    missing = url.set(database="rca_no_such_database").render_as_string(hide_password=False)
    assert "no such database on the server" in _one_line_error(missing)
    nobody = url.set(username="rca_nobody").render_as_string(hide_password=False)
    assert "refused the login" in _one_line_error(nobody)
    closed = url.set(host="127.0.0.1", port=9).render_as_string(hide_password=False)
    assert "cannot reach the database server" in _one_line_error(closed)


def test_a_server_database_holding_other_tables_is_refused(pg_url):
    import psycopg

    from models.db import open_database

    with psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True) as con:
        con.execute("DROP TABLE alembic_version")
    with pytest.raises(DatabaseError, match="not an RCA database"):
        open_database(pg_url)


def test_on_the_server_a_cut_tail_is_caught(pg_url):
    """A superuser switches the triggers off, cuts the newest entry, switches them on again:
    the chain left is valid in itself, and the checkpoint file shows the cut."""
    import psycopg

    from models.service import open_service

    service = open_service(pg_url, user="alice")
    inv = service.create_investigation("Fall")
    service.add_cause(inv.id, "Bed alarm off")
    assert service.verify_audit() is None
    with psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True) as con:
        con.execute("ALTER TABLE audit_entry DISABLE TRIGGER USER")
        con.execute("DELETE FROM audit_entry WHERE seq = (SELECT max(seq) FROM audit_entry)")
        con.execute("ALTER TABLE audit_entry ENABLE TRIGGER USER")
    problem = service.verify_audit()
    assert problem is not None and "missing from the end of the trail" in problem.message
    service.db.dispose()


def test_on_the_server_switched_off_triggers_are_caught(pg_url):
    import psycopg

    from models.service import open_service

    service = open_service(pg_url, user="alice")
    service.create_investigation("Fall")
    with psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True) as con:
        con.execute("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_delete")
    problem = service.verify_audit()
    assert problem is not None and "switched off (audit_entry_no_delete)" in problem.message
    service.db.dispose()
