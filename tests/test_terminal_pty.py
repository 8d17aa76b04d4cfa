"""`rca` in a real pseudo-terminal (pexpect), as a terminal sees it: refused without a terminal
and with TERM=dumb, one line after a crash, a paste holding escape sequences stored as pasted,
ASCII drawing when the locale cannot encode box characters, and an exit when the terminal
hangs up.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time

import pexpect
import pytest

from models.demo import demo_document
from rca_tui.driver import HANGUP_STATUS
from rca_tui.terminal import DUMB_TERMINAL, NO_TERMINAL

HOME = "Type to filter"


def rca_env(db_path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSH_", "TMUX"))}
    env.update({"RCA_DB": str(db_path), "RCA_USER": "alice", "TERM": "xterm-256color"})
    env.update({"LANG": "C.UTF-8", **extra})
    return env


def spawn(db_path, *args: str, code: str | None = None, **extra: str) -> pexpect.spawn:
    argv = ["-c", code, *args] if code else ["-m", "rca_tui", *args]
    return pexpect.spawn(
        sys.executable, argv, env=rca_env(db_path, **extra), dimensions=(24, 80), timeout=30
    )


def finish(child: pexpect.spawn, within: float = 10) -> int | None:
    """Wait for the process to end; its exit status (None if a signal ended it)."""
    deadline = time.monotonic() + within
    while child.isalive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not child.isalive(), "rca is still running"
    return child.exitstatus


def test_without_a_terminal_one_line_and_status_2(db_path, service):
    """`ssh host rca` without -t: standard input and output are pipes."""
    done = subprocess.run(
        [sys.executable, "-m", "rca_tui"],
        env=rca_env(db_path),
        input="",
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert done.stderr == NO_TERMINAL + "\n" and done.stdout == ""
    assert NO_TERMINAL == "rca needs a terminal; with ssh, use ssh -t"


def test_term_dumb_is_refused_in_one_line(db_path, service):
    child = spawn(db_path, TERM="dumb")
    child.expect(pexpect.EOF)
    assert child.before.decode().strip() == DUMB_TERMINAL
    assert finish(child) == 2


CRASH = """
from screens.home import HomeScreen
def broken(self, rows):
    secret = "Eleanor Rigby"
    raise KeyError(secret)
HomeScreen._loaded_rows = broken
from rca_tui.cli import main
main()
"""


def test_a_crash_shows_one_line_and_exits_1(db_path, service, tmp_path):
    child = spawn(db_path, code=CRASH, XDG_STATE_HOME=str(tmp_path / "state"))
    child.expect(pexpect.EOF)
    status = finish(child)
    after = child.before.decode(errors="replace")
    shown = after[after.rfind("\x1b[?1049l") :]  # what stays on the terminal after the app
    assert status == 1
    assert "rca stopped after an unexpected error (KeyError)" in shown
    assert str(tmp_path / "state" / "rca-tui" / "log" / "errors.log") in shown.replace("\r\n", "")
    assert "Traceback" not in shown and "Rigby" not in shown and "secret" not in shown


def test_a_paste_with_escapes_is_stored_as_pasted(db_path, service):
    pasted = "Fall \x1b[31mred\x1b[0m and \x1b]0;title\x07 kept"
    child = spawn(db_path)
    child.expect(HOME)
    child.send("n")
    child.expect("Title")
    time.sleep(0.5)  # the form has focused the title
    child.send("\x1b[200~" + pasted + "\x1b[201~")
    time.sleep(0.5)
    child.send("\x1bOQ")  # F2 (xterm): save
    child.expect("Created")
    child.sendcontrol("q")
    assert finish(child) == 0
    assert [r.title for r in service.list_investigations()] == [pasted]


def test_a_latin_1_terminal_gets_ascii_drawing(db_path, service):
    service.import_document(demo_document(dt.date(2026, 11, 30)))
    child = spawn(db_path, PYTHONIOENCODING="latin-1", LANG="en_US.ISO-8859-1")
    child.expect(HOME)
    child.send("\r")  # the overview: a table, boxes, the footer
    child.expect("Findings")
    time.sleep(1)
    child.sendcontrol("q")
    child.expect(pexpect.EOF)
    out = re.sub(r"\x1b\[[0-9;?<]*[a-zA-Z]", "", child.before.decode("latin-1"))  # no styles
    assert "\\u" not in out and "\\x" not in out  # no literal escapes of characters it lacks
    assert "|^p palette" in out  # the footer's separator (U+258F) drawn in ASCII
    assert finish(child) == 0


@pytest.mark.parametrize("how", ["close", "sighup"])
def test_the_app_exits_when_the_terminal_hangs_up(db_path, service, how):
    child = spawn(db_path)
    child.expect(HOME)
    child.send("n")  # mid-edit: the intake form with text typed
    child.expect("Title")
    child.send("Unsaved title")
    time.sleep(0.5)
    if how == "close":
        os.close(child.child_fd)  # the terminal is gone (the kernel hangs up its session)
    else:
        child.kill(1)
    start = time.monotonic()
    status = finish(child, within=5)
    assert time.monotonic() - start < 5
    assert status == HANGUP_STATUS  # the app's own exit, not killed by the signal
    assert service.list_investigations() == []  # nothing half-written
