"""`rca list` on a current SQLite file reads it with sqlite3 alone, and says exactly what the
service says; anything else (a new, older or foreign file, nobody with a role yet) is left to
the service, which sets it up or refuses it as before."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys

import pytest

from models.errors import DatabaseError
from models.service import open_service
from models.sqlite_file import file_path, list_investigations


def _filled(path):
    service = open_service(path, user="alice")
    service.create_investigation(
        "Fall on 4 West", unit="4 West", occurred_at=dt.datetime(2026, 11, 3, 2, 15)
    )
    service.create_investigation("Wrong-dose insulin", event_type="medication", sentinel=True)
    return service


def test_the_list_is_the_services_list(tmp_path):
    path = tmp_path / "rca.db"
    service = _filled(path)
    assert list_investigations(path) == service.list_investigations()
    service.db.dispose()


def test_files_the_service_must_open_first_are_left_to_it(tmp_path):
    assert list_investigations(tmp_path / "missing.db") is None  # created on open
    empty = tmp_path / "empty.db"
    empty.touch()
    assert list_investigations(empty) is None  # set up on open
    path = tmp_path / "rca.db"
    _filled(path).db.dispose()
    with sqlite3.connect(path) as con:
        con.execute("DELETE FROM app_user")  # opening it makes the first admin: a write
    assert list_investigations(path) is None
    with sqlite3.connect(path) as con:
        con.execute("UPDATE alembic_version SET version_num = '0005'")  # an older schema
    assert list_investigations(path) is None


def test_a_file_that_is_not_ours_is_refused_as_opening_it_would(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE notes (id INTEGER)")
    with pytest.raises(DatabaseError, match="not an RCA database"):
        list_investigations(other)


def test_paths_and_urls(tmp_path, monkeypatch):
    assert file_path(str(tmp_path / "a.db")) == tmp_path / "a.db"
    assert file_path("postgresql://server/rca") is None
    monkeypatch.setenv("RCA_DB", str(tmp_path / "b.db"))
    assert file_path(None) == tmp_path / "b.db"


def test_rca_list_does_not_import_sqlalchemy(tmp_path):
    path = tmp_path / "rca.db"
    _filled(path).db.dispose()
    code = (
        "import sys; from rca_tui.cli import main; sys.argv = ['rca', '--db', sys.argv[1], "
        "'list', '--json']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('sqlalchemy' in sys.modules, file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    assert [row["title"] for row in __import__("json").loads(out.stdout)] == [
        "Fall on 4 West",
        "Wrong-dose insulin",
    ]
    assert out.stderr.strip() == "False"
