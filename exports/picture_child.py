"""The print pictures drawn in a second process while this one writes the report's text.

A cold `rca export` of a large investigation spends about half its time importing matplotlib
and drawing the fishbone's parts and the cause graph, and the other half importing fpdf2 or
python-docx, loading the fonts and writing the pages: work that needs the pictures only when
it reaches them. On a machine with a second core, a forked child draws the pictures from the
report (pure data, built before the fork) while the parent goes on; the parent takes them
from a pipe when its writer first asks.

Only where `os.fork` exists and this process runs a single thread (forking a threaded process,
such as the app, could leave a lock held in the child); the command line asks for it, the app
does not. The child touches no database, file or terminal: it writes the pickled pictures
to the pipe and ends with `os._exit`, so nothing of the parent (buffers, connections, atexit
handlers) runs twice. If the child fails or is killed, the parent draws the pictures itself,
and whatever failed then fails in the parent, where it is reported as usual.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable
from typing import Any


class Pending:
    """Pictures being drawn by a child process."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self.fd = pid, fd
        self._done = False

    def result(self) -> Any | None:
        """What the child made, or None when it failed (the caller draws them itself)."""
        if self._done:
            return None
        self._done = True
        with os.fdopen(self.fd, "rb") as pipe:
            data = pipe.read()  # to the end first: a child blocked on a full pipe never exits
        _pid, status = os.waitpid(self.pid, 0)
        if status != 0 or not data:
            return None
        return pickle.loads(data)


def can_fork() -> bool:
    """Whether drawing in a child is safe here (see the module docstring)."""
    return hasattr(os, "fork") and threading.active_count() == 1 and (os.cpu_count() or 1) > 1


def start(draw: Callable[[], Any]) -> Pending | None:
    """`draw()` run in a forked child; None (nothing started) where that is not safe."""
    if not can_fork():
        return None
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: draw, hand over, leave without running anything of the parent's
        status = 1
        try:
            os.close(read_fd)
            data = pickle.dumps(draw(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            # Any failure ends the child with status 1 and no traceback: the parent then
            # draws the pictures itself, and the same failure is raised there.
            os._exit(status)
    os.close(write_fd)
    return Pending(pid, read_fd)
