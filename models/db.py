"""Opening the database: where it lives, the SQLite or PostgreSQL settings, "is this ours",
migrations, backup, and driver errors in words.

This is the only module that knows which database it is. Everything else speaks SQLAlchemy: the
service opens write transactions on `Database.writer` and read transactions on `Database.engine`,
and this module makes those behave alike on both backends:

* SQLite: WAL, synchronous=FULL, foreign keys, a busy timeout, and `BEGIN IMMEDIATE` for writers,
  so writers queue for the one write lock instead of failing.
* PostgreSQL (psycopg 3): writers run at READ COMMITTED and take one transaction-scoped advisory
  lock first (`pg_advisory_xact_lock`), the counterpart of BEGIN IMMEDIATE: writers are
  serialised, so the audit chain's head and the cycle check read inside a write transaction are
  current. Readers run at REPEATABLE READ, so everything one read transaction returns comes
  from one snapshot. A lock wait longer than the busy timeout is "busy, try again".

Opening never alters a file it does not recognise: the checks (header, integrity, application id,
schema revision) run on a read-only connection first, and a foreign, corrupt or newer database is
refused with one `DatabaseError` naming the file and the problem.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from models.errors import DatabaseError, LockedError, ReadOnlyError
from models.migrations import HEAD
from models.sqlite_file import (  # noqa: F401 - part of this module's face
    APPLICATION_ID,
    BUSY_TIMEOUT_MS,
    SQLITE_HEADER,
    _known_revision,
    _probe_sqlite,
    _sqlite_code,
    default_path,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.exc import DBAPIError

#: The PostgreSQL advisory lock every writer takes (the same number as the SQLite header's
#: application id): one writer at a time per database.
WRITE_LOCK = APPLICATION_ID
#: Seconds to wait for a PostgreSQL server before saying it cannot be reached.
CONNECT_TIMEOUT_S = 5


@dataclass(frozen=True, slots=True)
class Target:
    """Where the database is: a file path (SQLite) or an SQLAlchemy URL."""

    url: str
    path: Path | None = None

    @classmethod
    def parse(cls, value: str | os.PathLike | None) -> Target:
        if value is None or str(value) == "":
            value = os.environ.get("RCA_DB") or default_path()
        raw = str(value)
        if "://" in raw:
            if raw.startswith("sqlite"):
                tail = raw.split("///", 1)[-1] if "///" in raw else ""
                if tail and not tail.startswith(":memory:") and "mode=memory" not in tail:
                    return cls.parse(Path(tail.split("?", 1)[0]))
            scheme, rest = raw.split("://", 1)
            if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
                # psycopg 3 is the driver installed with the app (SQLAlchemy's default for a
                # bare postgresql:// is psycopg2).
                return cls(url=f"postgresql+psycopg://{rest}")
            return cls(url=raw)
        path = Path(raw).expanduser()
        with contextlib.suppress(OSError):
            path = path.absolute()
        return cls(url=f"sqlite+pysqlite:///{path}", path=path)

    @property
    def name(self) -> str:
        if self.path is not None:
            return str(self.path)
        # never print a password
        from sqlalchemy.engine import make_url

        shown = make_url(self.url).render_as_string(hide_password=True)
        return shown.replace("postgresql+psycopg://", "postgresql://", 1)

    @property
    def is_postgresql(self) -> bool:
        return self.url.startswith("postgresql")


def _create_file(path: Path) -> None:
    """Make an empty database file that only its owner can read (0600)."""
    try:
        if not path.parent.is_dir():
            path.parent.mkdir(parents=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        if isinstance(exc, FileExistsError) and path.is_file():
            return  # created by someone else a moment ago
        reason = exc.strerror or str(exc)
        if isinstance(exc, FileExistsError):
            reason = "a file stands where a folder is needed"
        raise DatabaseError(f"{path}: cannot create the database ({reason})") from None
    os.close(fd)


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


# --- the engine ------------------------------------------------------------------------------
def _sqlite_engine(path: Path, *, readonly: bool) -> Engine:
    from sqlalchemy import create_engine, event
    from sqlalchemy.exc import DBAPIError

    url = f"sqlite+pysqlite:///{path}"
    if readonly:
        url = f"sqlite+pysqlite:///{path.as_uri()}?mode=ro&uri=true"
    engine = create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        # We issue BEGIN ourselves (below), so the driver must not.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not readonly:
            mode = cur.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":  # e.g. a network file system
                cur.execute("PRAGMA journal_mode=DELETE")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - exercised by every test
        # Writers take the write lock up front: a deferred transaction that upgrades from
        # read to write skips the busy timeout and fails at once with "database is locked".
        writing = conn.get_execution_options().get("rca_write")
        statement = "BEGIN IMMEDIATE" if writing and not readonly else "BEGIN"
        # Straight to the driver: through SQLAlchemy's execute it was a twentieth of a cause
        # edit (issue 16). Its error is wrapped as SQLAlchemy's would be (busy: LockedError).
        try:
            conn.connection.driver_connection.execute(statement)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(statement, None, exc, sqlite3.Error) from None

    return engine


@dataclass(slots=True)
class Database:
    """An opened database: where it is, whether it may be written, and its engine.

    A SQLite file's engine (and with it SQLAlchemy, a quarter of a second to import) is made
    on first use: the home screen's first frame and its list need only the standard library's
    sqlite3 (`models.sqlite_file`), so start-up does not wait for it (issue 16). A PostgreSQL
    database is opened through its engine, which is made at once and passed in.
    """

    target: Target
    readonly: bool = False
    #: PostgreSQL: the session's role, read from the server when the database was opened.
    server_role: str | None = None
    _engine: Engine | None = field(default=None, repr=False, compare=False)
    #: `writer`, made once: every write transaction asks for it.
    _writer: Engine | None = field(default=None, init=False, repr=False, compare=False)
    _engine_lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (made on first use for a SQLite file; safe from any thread)."""
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    assert self.target.path is not None  # a URL's engine is made when opened
                    self._engine = _sqlite_engine(self.target.path, readonly=self.readonly)
        return self._engine

    @property
    def sqlite_path(self) -> Path | None:
        """The file of a SQLite database (None on PostgreSQL): what `models.sqlite_file` reads."""
        return self.target.path

    def audit_guards_missing(self, conn) -> list[str]:
        """The append-only triggers of the audit table that are gone (or, on PostgreSQL,
        switched off): someone removed them to change or delete entries."""
        from sqlalchemy import text

        if self.target.is_postgresql:
            wanted = {"audit_entry_no_update", "audit_entry_no_delete", "audit_entry_no_truncate"}
            rows = conn.execute(
                text(
                    "SELECT tgname, tgenabled FROM pg_trigger "
                    "WHERE tgrelid = 'audit_entry'::regclass AND NOT tgisinternal"
                )
            ).all()
            present = {name for name, enabled in rows if enabled != "D"}
        else:
            wanted = {"audit_entry_no_update", "audit_entry_no_delete"}
            rows = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                {"t": "audit_entry"},
            ).all()
            present = {name for (name,) in rows}
        return sorted(wanted - present)

    def session_role(self) -> str | None:
        """Who the server says we are (PostgreSQL; None for a SQLite file). With peer
        authentication over the Unix socket this is the operating-system login."""
        return self.server_role

    @property
    def writer(self) -> Engine:
        """The engine whose transactions take the write lock at BEGIN (and, on PostgreSQL,
        run at READ COMMITTED, so that what they read after the lock is current)."""
        if self._writer is None:
            if self.target.is_postgresql:
                self._writer = self.engine.execution_options(
                    rca_write=True, isolation_level="READ COMMITTED"
                )
            else:
                self._writer = self.engine.execution_options(rca_write=True)
        return self._writer

    def dispose(self) -> None:
        if self._engine is not None:  # an engine never made has nothing to let go
            self._engine.dispose()


def open_database(
    target: str | os.PathLike | Target | None = None,
    *,
    create: bool = True,
    readonly: bool = False,
) -> Database:
    """Open (and, if new, create and migrate) the database; refuse anything that is not ours."""
    tgt = target if isinstance(target, Target) else Target.parse(target)
    if tgt.path is None:
        return _open_url(tgt, create=create, readonly=readonly)
    path = tgt.path
    if path.exists():
        revision = _probe_sqlite(path)
        if not readonly and not _writable(path):
            readonly = True
    else:
        if readonly or not create:
            raise DatabaseError(f"{path}: no such database (run 'rca init' to create one)")
        _create_file(path)
        revision = None
    if revision != HEAD:
        if readonly:
            raise ReadOnlyError(
                f"{path}: the database is read-only and needs "
                + ("setting up" if revision is None else "upgrading")
                + "; make it writable first"
            )
        _migrate_sqlite(path, revision)
    return Database(target=tgt, readonly=readonly)


def _postgresql_engine(tgt: Target) -> Engine:
    from sqlalchemy import create_engine, event

    engine = create_engine(
        tgt.url,
        pool_pre_ping=True,  # a server restarted overnight: reconnect instead of failing
        isolation_level="REPEATABLE READ",  # readers: one snapshot per transaction
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
    )

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - exercised by every PostgreSQL test
        if conn.get_execution_options().get("rca_write"):
            # Wait at most the busy timeout for the writer ahead, then say "busy".
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")

    return engine


def _open_url(tgt: Target, *, create: bool, readonly: bool) -> Database:
    if not tgt.is_postgresql:
        raise DatabaseError(
            f"{tgt.name}: not a database rca-tui can use (give a file path or a postgresql:// URL)"
        )
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        engine = _postgresql_engine(tgt)
        writer = engine.execution_options(rca_write=True, isolation_level="READ COMMITTED")
        with engine.connect() as conn:
            revision = _url_revision(tgt, conn)
            role = conn.execute(text("SELECT session_user")).scalar_one()
        if revision != HEAD:
            if readonly or (revision is None and not create):
                raise DatabaseError(f"{tgt.name}: the database needs setting up (run 'rca init')")
            with writer.begin() as conn:
                # The write lock is held: a second program opening the same new database at
                # the same moment waits, then finds it migrated.
                if _url_revision(tgt, conn) != HEAD:
                    _run_alembic(conn)
    except DBAPIError as exc:
        raise translate(exc, tgt.name) from None
    return Database(target=tgt, readonly=readonly, server_role=role, _engine=engine)


def _url_revision(tgt: Target, conn) -> str | None:
    from sqlalchemy import inspect, text

    tables = set(inspect(conn).get_table_names())
    if not tables:
        return None
    if "alembic_version" not in tables or "investigation" not in tables:
        raise DatabaseError(f"{tgt.name}: not an RCA database (it holds other tables)")
    row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    return _known_revision(tgt.name, row[0] if row else None)


# --- sharing ---------------------------------------------------------------------------------
#: The folder of a shared SQLite database: the group may enter and write, others nothing, and
#: files made inside belong to the group (setgid).
SHARED_FOLDER_MODE = 0o2770
SHARED_FILE_MODE = 0o660


def share_sqlite(path: Path, group: str) -> None:
    """Make `path` (and its folder) a database the members of Unix `group` all use: a setgid
    folder 2770 and the file 0660 in that group. SQLite gives its -wal and -shm files the
    database file's mode, and the setgid folder gives them its group, so every member can open
    them too. Run by the folder's owner (or root)."""
    import grp

    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        raise DatabaseError(f"--shared {group}: there is no such group on this machine") from None
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.chown(folder, -1, gid)
        os.chmod(folder, SHARED_FOLDER_MODE)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, SHARED_FILE_MODE)
            os.close(fd)
        for item in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if item.exists():
                os.chown(item, -1, gid)
                os.chmod(item, SHARED_FILE_MODE)
    except PermissionError:
        raise DatabaseError(
            f"{folder}: cannot hand it to group {group} (run this as the folder's owner or root)"
        ) from None
    except OSError as exc:
        raise DatabaseError(f"{folder}: cannot set it up for sharing ({exc.strerror})") from None


#: Tables whose rows people change through the app (every table but the audit trail and the
#: schema version).
def data_tables() -> list[str]:
    """Every table the people's role reads and writes: all of the schema's but the audit
    trail (granted SELECT and INSERT only). From the table classes, so a new table is granted
    without anyone remembering to list it."""
    from sqlmodel import SQLModel

    import models.tables  # noqa: F401 - registers the tables in SQLModel.metadata

    return sorted(name for name in SQLModel.metadata.tables if name != "audit_entry")


def grant_users(db: Database, role: str) -> None:
    """PostgreSQL: let `role` (a group role the people's logins are members of) use the
    database, and never change or remove audit entries: SELECT and INSERT on the audit table
    only, no TRUNCATE anywhere. The tables stay owned by whoever ran the migrations, so the role
    cannot drop or switch off the append-only triggers either."""
    if not db.target.is_postgresql:
        raise DatabaseError(
            "--grant is for a PostgreSQL server; a shared SQLite file uses --shared GROUP"
        )
    import re

    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", role):
        raise DatabaseError(f"--grant {role!r}: a role name is letters, digits and _")
    statements = [
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'REVOKE ALL ON audit_entry FROM "{role}"',
        f'GRANT SELECT, INSERT ON audit_entry TO "{role}"',
        f'GRANT SELECT ON alembic_version TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
        *(f'GRANT SELECT, INSERT, UPDATE, DELETE ON {t} TO "{role}"' for t in data_tables()),
    ]
    from sqlalchemy.exc import DBAPIError

    try:
        with db.engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    except DBAPIError as exc:
        raise translate(exc, db.target.name) from None


# --- migrations ------------------------------------------------------------------------------
def _run_alembic(connection) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


def _migrate_sqlite(path: Path, revision: str | None) -> None:
    """Bring a new or older file to HEAD; an existing file is backed up beside itself first."""
    if revision is not None:
        backup_to(Target.parse(path), path.with_name(f"{path.name}.before-{HEAD}.bak"), force=True)
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DBAPIError

    engine = create_engine(f"sqlite+pysqlite:///{path}")
    try:
        with engine.connect() as conn:
            # Batch migrations copy tables; with foreign keys on, that can cascade deletes.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
            conn.commit()
            with conn.begin():
                _run_alembic(conn)
            problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise DatabaseError(f"{path}: migration left broken references: {problems[:3]}")
    except DBAPIError as exc:
        raise translate(exc, str(path)) from None
    finally:
        engine.dispose()


# --- backup ----------------------------------------------------------------------------------
def backup_to(source: Target, dest: str | os.PathLike, *, force: bool = False) -> Path:
    """Copy a live SQLite database with the online backup API (consistent while others write).

    The copy is written under a temporary name beside `dest`, made 0600, switched out of WAL
    mode (one self-contained file), then renamed into place.
    """
    if source.path is None:
        raise DatabaseError(f"{source.name}: backup works on SQLite files; use the server's tools")
    dest_path = Path(dest).expanduser()
    if dest_path.is_dir():
        dest_path = dest_path / source.path.name
    if dest_path.exists() and not force:
        raise DatabaseError(f"{dest_path}: already exists (use --force to replace it)")
    if dest_path.resolve() == source.path.resolve():
        raise DatabaseError(f"{dest_path}: is the database itself; choose another file")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".rca-backup-", suffix=".tmp", dir=dest_path.parent)
    except OSError as exc:
        raise DatabaseError(f"{dest_path}: cannot write there ({exc.strerror})") from None
    os.close(fd)
    os.chmod(tmp, 0o600)
    try:
        src = sqlite3.connect(f"{source.path.as_uri()}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst, pages=256)
            dst.execute("PRAGMA journal_mode=DELETE")
            dst.commit()
        finally:
            dst.close()
            src.close()
        os.replace(tmp, dest_path)
    except sqlite3.Error as exc:
        raise DatabaseError(f"backup of {source.path} failed: {exc}") from None
    except OSError as exc:
        raise DatabaseError(f"{dest_path}: cannot write there ({exc.strerror})") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return dest_path


#: PostgreSQL error classes (SQLSTATE) and what they mean to the person saving.
_BUSY_STATES = {"55P03", "40P01", "40001"}  # lock timeout, deadlock, serialisation failure
_READONLY_STATES = {"25006"}  # read-only transaction (a standby server)
_PRIVILEGE_STATES = {"42501"}  # insufficient privilege


def translate(exc: DBAPIError | sqlite3.Error, name: str) -> DatabaseError:
    """Turn a driver error (SQLAlchemy's, or sqlite3's own from the reads start-up makes with
    the standard library) into the one-line error a person can act on.

    Told apart by the driver's error code (SQLite's error name, PostgreSQL's SQLSTATE). Only
    a PostgreSQL connection that never opened has no code (libpq reports it in words), so that
    one case reads libpq's message.
    """
    orig = getattr(exc, "orig", exc)
    msg = " ".join(str(orig).split())
    busy = (
        f"{name}: the database is busy (another program is writing); nothing was saved, "
        "try again in a moment"
    )
    code = _sqlite_code(orig)
    if code:
        if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return LockedError(busy)
        if code.startswith("SQLITE_READONLY"):
            return ReadOnlyError(f"{name}: the database is read-only; changes cannot be saved")
        if code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            return DatabaseError(f"{name}: the database is corrupt ({msg})")
        if code.startswith(("SQLITE_FULL", "SQLITE_IOERR")):
            return DatabaseError(f"{name}: cannot write ({msg})")
        if code.startswith("SQLITE_CANTOPEN"):
            return DatabaseError(f"{name}: cannot open the database file ({msg})")
        return DatabaseError(f"{name}: database error ({msg})")
    state = getattr(orig, "sqlstate", None)
    if state in _BUSY_STATES:
        return LockedError(busy)
    if state in _READONLY_STATES:
        return ReadOnlyError(f"{name}: the database server is read-only; changes cannot be saved")
    if state in _PRIVILEGE_STATES:
        return DatabaseError(
            f"{name}: your database login may not do this ({msg}); ask the administrator"
        )
    if state is not None and state.startswith("08"):
        return DatabaseError(f"{name}: the connection to the server was lost; try again")
    if state is None and orig.__class__.__module__.startswith("psycopg"):
        return _connection_failure(name, msg)
    return DatabaseError(f"{name}: database error ({msg})")


def _connection_failure(name: str, msg: str) -> DatabaseError:
    """A PostgreSQL connection that could not be opened, in words (libpq gives no code)."""
    low = msg.lower()
    why = msg.split("FATAL:")[-1].strip()
    if "database" in low and "does not exist" in low:
        return DatabaseError(
            f"{name}: no such database on the server (ask the administrator to create it)"
        )
    refused = ("password authentication failed", "peer authentication failed", "pg_hba.conf")
    if any(r in low for r in refused) or ("role" in low and "does not exist" in low):
        return DatabaseError(f"{name}: the server refused the login ({why})")
    unreachable = ("timeout", "refused", "resolve host", "translate host", "no route", "no such")
    if any(u in low for u in unreachable):
        return DatabaseError(
            f"{name}: cannot reach the database server (is it running, and is the address right?)"
        )
    return DatabaseError(f"{name}: cannot connect ({why})")
