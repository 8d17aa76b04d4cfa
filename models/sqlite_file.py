"""An rca-tui SQLite file checked, and the home list read, with the standard library alone.

Every command opens the file the same way (`models.db`), and the checks that it is ours (header,
application id, integrity, schema revision) need only sqlite3; they live here so that `rca list`
can answer from a current file without importing SQLAlchemy, which costs more than everything
else the command does. When anything is not plainly so (a new file, an older schema, nobody with
a role yet, a URL), `list_investigations` returns None and the caller opens the service.

The app's service reads the home list and "has anyone a role yet" here too on a SQLite file
(`read_investigations`, `has_users`), so the home screen is drawn and filled before SQLAlchemy
is imported (issue 16).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

from models.errors import DatabaseError, LockedError
from models.migrations import HEAD, REVISIONS
from models.summary import InvestigationSummary

#: SQLite's application_id header field for rca-tui files ("RCAT").
APPLICATION_ID = 0x52434154
BUSY_TIMEOUT_MS = 5000
SQLITE_HEADER = b"SQLite format 3\x00"


def default_path() -> Path:
    """The per-user database file (e.g. ~/.local/share/rca-tui/rca.db on Linux)."""
    from platformdirs import user_data_path

    return user_data_path("rca-tui", appauthor=False) / "rca.db"


def file_path(value: str | None) -> Path | None:
    """Where the database is when it is a file given by its path, as `db.Target.parse` reads
    it (None: a URL, left to `models.db`)."""
    import contextlib
    import os

    raw = value or os.environ.get("RCA_DB") or str(default_path())
    if "://" in raw:
        return None
    path = Path(raw).expanduser()
    with contextlib.suppress(OSError):
        path = path.absolute()
    return path


def _probe_sqlite(path: Path) -> str | None:
    """The schema revision of an rca-tui file, None for a new/empty one; refuse anything else."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size == 0:
            return None
        with path.open("rb") as fh:
            header = fh.read(100)
    except PermissionError:
        raise DatabaseError(f"{name}: cannot read the file (permission denied)") from None
    except IsADirectoryError:
        raise DatabaseError(f"{name}: is a folder, not a database file") from None
    except OSError as exc:
        raise DatabaseError(f"{name}: cannot read the file ({exc.strerror})") from None
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        raise DatabaseError(f"{name}: not an RCA database (not an SQLite file)")
    app_id = int.from_bytes(header[68:72], "big")
    if app_id not in (0, APPLICATION_ID):
        raise DatabaseError(f"{name}: not an RCA database (it belongs to another program)")
    try:
        con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise DatabaseError(f"{name}: cannot open ({exc})") from None
    try:
        check = con.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            raise DatabaseError(f"{name}: the database is corrupt ({check[0][0]})")
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return None
        if "alembic_version" not in tables or "investigation" not in tables:
            raise DatabaseError(f"{name}: not an RCA database (it holds other tables)")
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        if _sqlite_code(exc).startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            raise LockedError(f"{name}: the database is locked by another program") from None
        raise DatabaseError(f"{name}: the database is corrupt ({exc})") from None
    finally:
        con.close()
    return _known_revision(name, row[0] if row else None)


def _known_revision(name: str, revision: str | None) -> str | None:
    if revision is None:
        raise DatabaseError(f"{name}: not an RCA database (no schema version)")
    if revision not in REVISIONS:
        raise DatabaseError(
            f"{name}: the database was written by a newer rca-tui (schema {revision}); "
            "upgrade rca-tui to open it"
        )
    return revision


def _sqlite_code(exc: BaseException) -> str:
    """SQLite's own name for the error ('SQLITE_BUSY', 'SQLITE_READONLY_DBMOVED', ...)."""
    return getattr(exc, "sqlite_errorname", None) or ""


_DATES = {"occurred_at", "discovered_at", "decision_at", "updated_at"}


def list_investigations(path: Path) -> list[InvestigationSummary] | None:
    """The home list of a current rca-tui file, in id order, as the service returns it; None
    when the service has to open the file itself (it does not exist, is new or older, or has
    nobody with a role yet: opening it then writes). A file that is not ours, corrupt or locked
    is refused with the same error as opening it would give."""
    if not path.is_file() or _probe_sqlite(path) != HEAD:
        return None
    try:
        if not has_users(path, readonly=True):
            return None
        return read_investigations(path, readonly=True)
    except sqlite3.Error:
        return None  # the service says what is wrong, in its words


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    """A connection for one read, opened as the service's engine opens the file (read-only
    when the database is), never creating it."""
    mode = "ro" if readonly else "rw"
    return sqlite3.connect(
        f"{path.as_uri()}?mode={mode}", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
    )


def read_investigations(path: Path, *, readonly: bool) -> list[InvestigationSummary]:
    """Every investigation of a checked, current file as a home-list line, in id order: the
    same rows, with the same Python values, as the service's SQLAlchemy Core query
    (`models.service.startup`), read with sqlite3 alone. sqlite3's errors are left to the
    caller (`models.db.translate` words them)."""
    names = list(InvestigationSummary.__dataclass_fields__)
    con = _connect(path, readonly=readonly)
    try:
        rows = con.execute(f"SELECT {', '.join(names)} FROM investigation ORDER BY id").fetchall()
    finally:
        con.close()
    return [
        InvestigationSummary(*(_value(n, v) for n, v in zip(names, r, strict=True))) for r in rows
    ]


def has_users(path: Path, *, readonly: bool) -> bool:
    """Whether anyone has a stored role in a checked, current file (sqlite3 alone)."""
    con = _connect(path, readonly=readonly)
    try:
        return con.execute("SELECT 1 FROM app_user LIMIT 1").fetchone() is not None
    finally:
        con.close()


def _value(name: str, value: object) -> Any:
    """A column as SQLAlchemy's types return it on SQLite: dates as datetimes (SQLAlchemy too
    parses them with `datetime.fromisoformat`), the flag as a bool."""
    if value is None:
        return None
    if name in _DATES:
        return dt.datetime.fromisoformat(str(value))
    if name == "sentinel":
        return bool(value)
    return value
