"""A checkpoint of the audit chain's head, outside the database, for `rca audit verify`.

Whoever can write the database file (or drop the triggers on a server) can delete the newest
audit entries, and the chain left behind is still valid in itself. Every write transaction of
this program therefore also records the new head (sequence and hash) in a small file of the
user's own (`~/.local/state/rca-tui/audit-heads.json` on Linux, or `$RCA_STATE`), keyed by the
database; `verify` reads it back as an anchor. The file is the user's (mode 0600, its folder
0700), so on a shared server each person keeps a record of the trail as they last left it.

Writing it is best effort: the change itself is already committed, so a checkpoint that cannot
be written does not undo a save; `verify` says so instead (`last_error`). It is written by a
thread, after the save has returned (rewriting the file took a third of a cause edit): `read`
and the end of the program wait for what is queued, and a burst of saves writes the newest
head once: the thread waits `COALESCE_S` after the first save it has not written for more to
come (back-to-back edits each paid the thread's rewrite of the file, a third to a half of a
cause edit, through the GIL and the disk, issue 16), unless someone is waiting for the file.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import tempfile
import threading
import time
from pathlib import Path

#: Seconds the thread waits after a save for the saves that follow, before it writes the file.
#: Only a program killed outright in that moment leaves an older head (as any thread would).
COALESCE_S = 0.05

_lock = threading.Lock()
#: Why the last checkpoint could not be written (None: it was, or none was tried).
last_error: str | None = None
#: Heads waiting to be written: (file, database, first hash) -> (sequence, hash).
_queued: dict[tuple[Path, str, str], tuple[int, str]] = {}
_idle = threading.Condition()
_writer: threading.Thread | None = None
#: The thread is writing a head it took off the queue.
_busy = False
#: How many callers of `flush` are waiting: the thread writes at once while any is.
_waiting = 0


def path() -> Path:
    folder = os.environ.get("RCA_STATE")
    if folder:
        return Path(folder) / "audit-heads.json"
    return _state_path(os.environ.get("XDG_STATE_HOME"), os.environ.get("HOME"))


@functools.lru_cache(maxsize=4)
def _state_path(_xdg: str | None, _home: str | None) -> Path:
    """platformdirs' answer for the environment it reads (asked at every save, it was a tenth
    of a cause edit)."""
    from platformdirs import user_state_path

    return user_state_path("rca-tui", appauthor=False) / "audit-heads.json"


def _load(target: Path) -> dict:
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read(database: str) -> dict[str, tuple[int, str]]:
    """What was recorded for `database` (its name: a path, or a URL without its password):
    {the hash of its first entry: (sequence, hash) of the head}. A database made anew at the
    same place starts another chain, so it has another first hash, and another record."""
    flush()
    known = _load(path()).get(database)
    out: dict[str, tuple[int, str]] = {}
    if isinstance(known, dict):
        for first, head in known.items():
            if isinstance(head, list) and len(head) == 2 and isinstance(head[0], int):
                out[str(first)] = (head[0], str(head[1]))
    return out


def record(database: str, first: str, seq: int, digest: str) -> None:
    """Remember that the chain of `database` that begins with hash `first` now ends at entry
    `seq` with hash `digest` (queued; written by the checkpoint thread)."""
    global _writer
    key = (path(), database, first)
    with _idle:
        was_empty = not _queued
        queued = _queued.get(key)
        if queued is None or queued[0] < seq:
            _queued[key] = (seq, digest)
        if _writer is None:  # one thread for the program's life: starting one is not free
            _writer = threading.Thread(target=_write_queued, name="rca-checkpoint", daemon=True)
            _writer.start()
        if was_empty:  # else the thread is awake already, coalescing or writing
            _idle.notify_all()


def flush() -> None:
    """Wait until every queued head is written (at once: the thread stops coalescing)."""
    global _waiting
    with _idle:
        _waiting += 1
        try:
            _idle.notify_all()
            while _queued or _busy:
                _idle.wait()
        finally:
            _waiting -= 1


def _forked() -> None:
    """In a forked child: the parent's checkpoint thread is not there, and its locks may be
    held by it; start afresh (the parent writes what it had queued)."""
    global _lock, _idle, _writer, _busy, _waiting
    _lock, _idle, _writer, _busy = threading.Lock(), threading.Condition(), None, False
    _waiting = 0
    _queued.clear()


atexit.register(flush)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forked)


def _write_queued() -> None:
    global _busy
    while True:
        with _idle:
            while not _queued:
                _idle.wait()
            due = time.monotonic() + COALESCE_S
            while not _waiting and (left := due - time.monotonic()) > 0:
                _idle.wait(left)
            key = next(iter(_queued))
            seq, digest = _queued.pop(key)
            _busy = True
        with contextlib.suppress(Exception):  # best effort; never leave flush() waiting
            _write(*key, seq, digest)
        with _idle:
            _busy = False
            _idle.notify_all()


def _write(target: Path, database: str, first: str, seq: int, digest: str) -> None:
    global last_error
    with _lock:
        try:
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            data = _load(target)
            chains = data.get(database)
            if not isinstance(chains, dict):
                chains = data[database] = {}
            known = chains.get(first)
            if isinstance(known, list) and known and isinstance(known[0], int) and known[0] > seq:
                return  # another of this user's programs has written later entries already
            chains[first] = [seq, digest]
            fd, tmp = tempfile.mkstemp(prefix=".audit-heads.", dir=target.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                os.fchmod(fh.fileno(), 0o600)
                json.dump(data, fh)
            os.replace(tmp, target)
            last_error = None
        except OSError as exc:
            last_error = f"{target}: {exc.strerror or exc}"
