"""The reads start-up makes give the same rows on every path.

On a SQLite file the home list and "has anyone a role yet" are read with the standard library's
sqlite3, so the home screen is drawn and filled before SQLAlchemy is imported (issue 16); on
PostgreSQL (and as the reference) they are SQLAlchemy Core queries. Both must give exactly what
the ORM stores: the same rows, in the same order, with the same Python values and types (a
`True` that came back as `1` would compare equal and still differ).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from models.demo import add_demo
from models.errors import DatabaseError
from models.service import open_service, startup
from models.sqlite_file import has_users, read_investigations

BOTH_BACKENDS = True
ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 30)


def _typed(rows) -> list[tuple]:
    """Each row's values with their types, so that 1 and True differ."""
    return [tuple((type(v), v) for v in dataclasses.astuple(r)) for r in rows]


def _fill_like_the_bench(service, n: int) -> None:
    """n investigations as bench/bench_startup.py makes them (drafts with no dates or scores
    among them), and a few with edge values: control characters, microseconds, no dates."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_startup import make_document

    rng = random.Random(16)
    for i in range(n):
        service.import_document(make_document(rng, TODAY, i))
    service.create_investigation(
        "Title with \x1b[31m escape\tand tab",
        unit="",
        occurred_at=dt.datetime(2026, 1, 2, 3, 4, 5, 678901),
    )
    service.create_investigation("No dates at all", event_type="medication", sentinel=True)


def test_sqlite3_and_core_read_the_same_rows(db_path):
    service = open_service(db_path, user="alice")
    add_demo(service)
    _fill_like_the_bench(service, 120)
    db = service.db
    core = startup.core_list_investigations(db)
    assert len(core) == 123
    assert _typed(read_investigations(db_path, readonly=False)) == _typed(core)
    assert _typed(read_investigations(db_path, readonly=True)) == _typed(core)
    assert _typed(service.list_investigations()) == _typed(core)  # what the home screen gets
    assert has_users(db_path, readonly=True) is startup.core_has_users(db) is True
    db.dispose()


def test_the_home_list_is_what_each_investigation_holds(service, backend):
    """On both backends (PostgreSQL: the Core read) the list matches the ORM, field by field."""
    add_demo(service)
    _fill_like_the_bench(service, 30)
    rows = service.list_investigations()
    assert [r.id for r in rows] == sorted(r.id for r in rows)
    assert len(rows) == 33
    for row in rows:
        full = service.get_investigation(row.id)
        for field in dataclasses.fields(row):
            value = getattr(row, field.name)
            stored = getattr(full, field.name)
            assert (type(value), value) == (type(stored), stored), (row.id, field.name)


def test_a_failing_sqlite3_read_says_what_the_core_read_says(db_path):
    service = open_service(db_path, user="alice")
    service.create_investigation("Fall on 4 West")
    with sqlite3.connect(db_path) as con:
        con.execute("ALTER TABLE investigation RENAME TO gone")
    with pytest.raises(DatabaseError) as core:
        startup.core_list_investigations(service.db)
    with pytest.raises(DatabaseError) as ours:
        service.list_investigations()
    assert type(ours.value) is type(core.value)
    assert ours.value.message == core.value.message
    assert str(db_path) in ours.value.message
    service.db.dispose()


def test_the_home_screen_is_filled_before_sqlalchemy_is_imported(db_path, tmp_path):
    service = open_service(db_path, user="alice")
    add_demo(service)
    service.db.dispose()
    code = """\
import sys
from rca_tui.cli import Ctx, run_app
from screens.home import HomeScreen

seen = {}
render = HomeScreen._render_table


def spy(self):
    render(self)
    seen.setdefault("rows", self.query_one("#investigations").row_count)
    seen.setdefault("sqlalchemy", "sqlalchemy" in sys.modules)


HomeScreen._render_table = spy


async def auto_pilot(pilot):
    while "rows" not in seen:
        await pilot.pause()
    pilot.app.exit()


run_app(Ctx(sys.argv[1], "alice", False), headless=True, size=(80, 24), auto_pilot=auto_pilot)
print(seen["rows"], seen["sqlalchemy"])
"""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "RCA_CONFIG": str(tmp_path / "none.toml"),
        "TEXTUAL_ANIMATIONS": "none",
        "PYTHONPATH": str(ROOT),
    }
    out = subprocess.run(
        [sys.executable, "-c", code, str(db_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert out.stdout.split() == ["1", "False"]


def test_the_app_refuses_a_database_with_the_one_message_opening_it_gives(db_path, tmp_path):
    """`rca` opens the database in a thread while Textual is imported; what is wrong with the
    file is still said once, by the error opening it gives (newer schema, not ours, corrupt)."""
    from rca_tui.cli import Ctx, run_app

    open_service(db_path, user="alice").db.dispose()
    with sqlite3.connect(db_path) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    foreign = tmp_path / "notes.db"
    with sqlite3.connect(foreign) as con:
        con.execute("CREATE TABLE notes (id INTEGER)")
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\x10\x00" + b"\xff" * 4000)
    cases = ((db_path, "newer rca-tui"), (foreign, "not an RCA database"), (corrupt, "corrupt"))
    for path, words in cases:
        with pytest.raises(DatabaseError) as direct:
            open_service(path, user="alice")
        with pytest.raises(DatabaseError) as started:
            run_app(Ctx(str(path), "alice", False), headless=True, size=(80, 24))
        assert type(started.value) is type(direct.value)
        assert started.value.message == direct.value.message
        assert words in started.value.message
