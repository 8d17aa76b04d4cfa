"""The print pictures drawn in a second process while this one loads the investigation and
writes the report's text.

A cold `rca export` of a large investigation spends about half its time importing matplotlib
and drawing the fishbone's parts and the cause graph, and the other half loading the
investigation, importing fpdf2 or python-docx, loading the fonts and writing the pages: work
that needs the pictures only when it reaches them. On a machine with a second core the
command line forks a child before it opens the database (`start`); the child imports and warms
matplotlib up meanwhile, then waits for what to draw (the report's causes, `Worker.submit`),
draws it and hands the pictures back through a pipe, which the parent reads when its writer
first asks for a picture (`Worker.result`).

Only where `os.fork` exists and this process runs a single thread (forking a threaded process,
such as the app, could leave a lock held in the child); the command line asks for it, the app
does not. The child is forked before the database is opened and touches no file or terminal:
it reads and writes its pipes and ends with `os._exit`, so nothing of the parent (buffers,
atexit handlers) runs twice. When the parent has nothing to draw, or fails, closing the pipe
ends the child (`Worker.close`). If the child fails or is killed, the parent draws the
pictures itself, and whatever failed then fails in the parent, where it is reported as usual.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import threading
from collections.abc import Callable
from typing import Any


def can_fork() -> bool:
    """Whether drawing in a child is safe and useful here (see the module docstring)."""
    return hasattr(os, "fork") and threading.active_count() == 1 and (os.cpu_count() or 1) > 1


def start(warm: Callable[[], Any], work: Callable[[Any], Any]) -> Worker | None:
    """A forked child that runs `warm()` at once, then `work(payload)` on what `submit`
    sends it; None (nothing started) where that is not safe."""
    if not can_fork():
        return None
    to_child, child_in = os.pipe()[::-1]  # (write end, read end)
    child_out, from_child = os.pipe()[::-1]
    pid = os.fork()
    if pid == 0:  # the child: never returns
        _child(warm, work, child_in, child_out, (to_child, from_child))
    os.close(child_in)
    os.close(child_out)
    return Worker(pid, to_child, from_child)


def _child(warm: Callable[[], Any], work: Callable[[Any], Any], read_fd: int, write_fd: int,
           parents: tuple[int, int]) -> None:
    status = 1
    try:
        for fd in parents:
            os.close(fd)
        warm()
        with os.fdopen(read_fd, "rb") as pipe:
            data = pipe.read()
        if data:  # nothing when the parent had nothing to draw
            out = pickle.dumps(work(pickle.loads(data)), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(out)
        status = 0
    finally:
        # Any failure ends the child with status 1 and no traceback: the parent then draws
        # the pictures itself, and the same failure is raised there.
        os._exit(status)


class Worker:
    """The parent's end of a child started by `start`."""

    def __init__(self, pid: int, to_child: int, from_child: int) -> None:
        self.pid = pid
        self._to: int | None = to_child
        self._from: int | None = from_child
        self._writer: threading.Thread | None = None

    def submit(self, payload: Any) -> None:
        """Send the child what to draw (once). Written from a thread: the child reads only
        once it is warm, and a payload larger than the pipe would hold this process up."""
        fd, self._to = self._to, None
        if fd is None:
            return
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)

        def write() -> None:
            # A child that is gone makes this a broken pipe: `result` then says None.
            with contextlib.suppress(BrokenPipeError), os.fdopen(fd, "wb") as pipe:
                pipe.write(data)

        self._writer = threading.Thread(target=write, name="rca-picture-input", daemon=True)
        self._writer.start()

    def result(self) -> Any | None:
        """What the child made of the payload, or None when it failed or was never sent one
        (the caller then draws the pictures itself)."""
        fd, self._from = self._from, None
        if fd is None:
            return None
        if self._writer is None:  # nothing sent: the child ends on the closed pipe
            self._close_input()
        with os.fdopen(fd, "rb") as pipe:
            data = pipe.read()  # to the end first: a child blocked on a full pipe never ends
        ok = self._wait() == 0
        return pickle.loads(data) if ok and data else None

    def close(self) -> None:
        """End the child if it is still there (its pipes closed), and reap it."""
        self._close_input()
        if self._from is not None:
            os.close(self._from)
            self._from = None
        self._wait()

    def _close_input(self) -> None:
        if self._to is not None:
            os.close(self._to)
            self._to = None

    def _wait(self) -> int | None:
        if self._writer is not None:
            self._writer.join()
            self._writer = None
        if self.pid <= 0:
            return None
        pid, self.pid = self.pid, 0
        return os.waitpid(pid, 0)[1]
