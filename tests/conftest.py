"""Shared fixtures: a fresh database file per test, and a service on it."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

# Every binding is pressed by some test: checked after a whole run (tests/binding_coverage.py).
from binding_coverage import pytest_deselected, pytest_sessionfinish  # noqa: F401

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
# Tests never read the developer's own settings or database.
os.environ.pop("RCA_DB", None)
os.environ.pop("RCA_USER", None)
os.environ["RCA_CONFIG"] = os.devnull + ".absent.toml"
os.environ["RCA_SYSTEM_CONFIG"] = os.devnull + ".absent-system.toml"
# Nor the terminal they happen to run in: colour and the terminal type change what Textual draws
# (NO_COLOR turns every snapshot monochrome; TERM and COLORTERM decide the colour system, and with
# it the theme the app picks), and SSH variables change the mouse default. The tests fix them; a
# test about NO_COLOR or a 16-colour terminal sets them itself (monkeypatch).
_TERMINAL = ("NO_COLOR", "FORCE_COLOR", "COLORTERM", "TEXTUAL_COLOR_SYSTEM", "SSH_CONNECTION",
             "SSH_CLIENT", "SSH_TTY", "TMUX", "STY")
for _name in _TERMINAL:
    os.environ.pop(_name, None)
os.environ["TERM"] = "xterm"
# Caches (holiday look-ups) go to a folder of the test run, not the developer's home; it is
# removed when the run ends.
_CACHE = tempfile.mkdtemp(prefix="rca-test-cache-")
os.environ["RCA_CACHE"] = _CACHE
# The audit checkpoint file (models.checkpoint) too.
os.environ["RCA_STATE"] = os.path.join(_CACHE, "state")
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "rca.db"


@pytest.fixture
def backend(request):
    """"sqlite", or "postgresql" for the tests of a module with `BOTH_BACKENDS = True` (each of
    its tests runs on both, unless marked `sqlite_only`: it reads the file itself)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db_url(request, backend, db_path):
    """Where the test's database is: the file `db_path`, or a fresh server database."""
    if backend == "postgresql":
        return request.getfixturevalue("pg_url")
    return str(db_path)


def _as(url: str, login: str) -> str:
    """The server URL connecting as `login` (a file path is returned as it is)."""
    if "://" not in url:
        return url
    from sqlalchemy.engine import make_url

    return make_url(url).set(username=login).render_as_string(hide_password=False)


@pytest.fixture
def service(db_url, backend):
    """alice's service: the database's creator, so its admin."""
    from models.service import open_service

    svc = open_service(_as(db_url, "alice") if backend == "postgresql" else db_url, user="alice")
    yield svc
    svc.db.dispose()


@pytest.fixture
def chain(service):
    """A fall: event <- a <- b <- c, plus d -> event, e disconnected (graph tests share it)."""
    inv = service.create_investigation("Fall")
    ev = service.add_cause(inv.id, "Patient fell", kind="event")
    a = service.add_cause(inv.id, "Bed alarm off", effect_id=ev.id)
    b = service.add_cause(inv.id, "Alarm not re-armed", effect_id=a.id)
    c = service.add_cause(inv.id, "Bed needs manual re-arm", effect_id=b.id, kind="root")
    d = service.add_cause(inv.id, "Night light broken", effect_id=ev.id, kind="contributing")
    e = service.add_cause(inv.id, "Understaffing")
    return inv, ev, a, b, c, d, e


@pytest.fixture
def url_for(db_url, backend):
    """`url_for(login)`: the database as `login` reaches it (a program of another process)."""
    return lambda login: _as(db_url, login) if backend == "postgresql" else db_url


@pytest.fixture
def person(db_url, backend):
    """`person(service, login, name=None)`: a service for another person on the same database.
    On SQLite the login is passed in (as the command line passes the OS account); on
    PostgreSQL the person connects as their own role, which is then the login."""
    from models.db import open_database
    from models.service import Service

    opened = []

    def make(service, login: str, name: str | None = None, **kw):
        if backend != "postgresql":
            return Service(service.db, name or login, login=login, **kw)
        other = Service(open_database(_as(db_url, login)), name or login, **kw)
        opened.append(other)
        return other

    yield make
    for other in opened:
        other.db.dispose()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sqlite_only: the test reads or changes the SQLite file itself"
    )


def pytest_generate_tests(metafunc):
    both = getattr(metafunc.module, "BOTH_BACKENDS", False)
    if both and "backend" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("sqlite_only") is not None
        names = ["sqlite"] if only else ["sqlite", "postgresql"]
        metafunc.parametrize("backend", names, indirect=True)


@pytest.fixture
def demo_id(service):
    from models.demo import add_demo

    return add_demo(service).id


# --- the PostgreSQL tier ------------------------------------------------------------------------
#: A server URL with the right to create databases, e.g. postgresql://root@127.0.0.1:5432/postgres.
#: Unset: the PostgreSQL tests are skipped and the run says so once. Set but unreachable: they
#: fail (CI sets it, so a server that is down cannot pass as "skipped").
PG_ENV = "RCA_TEST_PG"
#: Everyone the tests act as.
PEOPLE = ("alice", "bob", "rita", "ivan", "uma", "boss", "carol", "nurse1", "nurse2")
_PG_SKIPPED: list[str] = []


def _pg_admin():
    import psycopg

    url = os.environ[PG_ENV].replace("postgresql+psycopg://", "postgresql://", 1)
    return psycopg.connect(url, autocommit=True, connect_timeout=5)


def _pg_url_for(database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(os.environ[PG_ENV]).set(database=database).render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="session")
def pg_template():
    """A database migrated once per run; each test gets a fresh copy of it (fast)."""
    if not os.environ.get(PG_ENV):
        _PG_SKIPPED.append("x")
        pytest.skip(f"PostgreSQL tier: set {PG_ENV}=postgresql://USER@HOST:PORT/DB to run it")
    import psycopg

    try:
        admin = _pg_admin()
    except psycopg.Error as exc:
        pytest.fail(f"{PG_ENV}={os.environ[PG_ENV]}: cannot reach the server ({exc})")
    # The people of the tests, as server roles: on PostgreSQL who did what is the session's
    # role, so each person connects as their own (trust authentication on this test server).
    for person in PEOPLE:
        exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (person,)).fetchone()
        if not exists:
            admin.execute(f'CREATE ROLE "{person}" LOGIN SUPERUSER')
    name = f"rca_tmpl_{os.getpid()}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    from models.db import open_database

    open_database(_pg_url_for(name)).dispose()
    yield name
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def pg_url(pg_template):
    """A fresh, migrated PostgreSQL database for one test, dropped afterwards."""
    import uuid

    name = f"rca_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    yield _pg_url_for(name)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_url(request, tmp_path):
    """The database of a test that must hold on both backends: a file, or a server database."""
    if request.param == "sqlite":
        return str(tmp_path / "rca.db")
    return request.getfixturevalue("pg_url")


def pytest_terminal_summary(terminalreporter):
    if _PG_SKIPPED:
        terminalreporter.write_line(
            f"PostgreSQL tier skipped: set {PG_ENV}=postgresql://USER@HOST:PORT/DB "
            "(a server where USER may create databases) to run it."
        )


@pytest.fixture(autouse=True)
def private_log(tmp_path, monkeypatch):
    """The app's error log goes to a folder of the test (platformdirs reads XDG_STATE_HOME),
    never into the developer's own log."""
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state / "rca-tui" / "log" / "errors.log"
