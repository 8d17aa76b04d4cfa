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


def test_the_fishbone_drawn_in_ascii_keeps_its_shape():
    """Every character of the drawing has an ASCII stand-in of the same width, so a Latin-1
    terminal gets the same fishbone (marks included: ◆ becomes *, ↗ becomes ^)."""
    from rich.cells import cell_len

    from models.domain import Cause, Link
    from models.vocab import LONDON_PROTOCOL
    from screens.widgets.fishbone import layout_fishbone

    causes = [Cause(id=1, investigation_id=1, text="Patient fell", kind="event")]
    links = []
    for i, bone in enumerate(LONDON_PROTOCOL, start=2):
        kind = "root" if i % 2 else "contributing"
        causes.append(Cause(id=i, investigation_id=1, text=f"Cause {i}", category=bone, kind=kind))
        links.append(Link(id=i, investigation_id=1, cause_id=i, effect_id=1))
    causes.append(Cause(id=99, investigation_id=1, text="Why of cause 2", category="Patient"))
    links.append(Link(id=99, investigation_id=1, cause_id=99, effect_id=2))
    links.append(Link(id=100, investigation_id=1, cause_id=99, effect_id=3))  # drawn twice: ↗
    lay = layout_fishbone("Patient fell", list(LONDON_PROTOCOL), causes, links, 80)
    lines = lay.text_lines()
    drawn = "".join(lines)
    assert any(ch in drawn for ch in "◆↗─│╱╲")
    for line in lines:
        ascii_line = line.encode("latin-1", errors="rca-ascii").decode("latin-1")
        assert len(ascii_line) == cell_len(line), line  # the same width, cell for cell
        assert "?" not in ascii_line.replace("?", "", line.count("?")), line  # nothing lost
    shown = "".join(lines).encode("ascii", errors="rca-ascii").decode()
    assert "*" in shown and "^" in shown and ("/" in shown or "\\" in shown)


def test_over_ssh_a_fishbone_move_sends_little_and_idle_sends_nothing(db_path, service):
    """The issue's targets at 256 colours and 80x24: a cursor move in the fishbone at most
    2 kB, PgDn at most 8 kB, nothing while idle (bench/bench_terminal.py prints the figures)."""

    def drain(child, quiet=0.5) -> int:
        total = 0
        while True:
            try:
                total += len(child.read_nonblocking(65536, timeout=quiet))
            except pexpect.TIMEOUT:
                return total

    service.import_document(demo_document(dt.date(2026, 11, 30)))
    child = spawn(db_path, SSH_CONNECTION="127.0.0.1 50000 127.0.0.1 22")
    child.expect(HOME)
    child.send("\r")
    child.expect("Findings")
    drain(child)
    child.send("f")
    child.expect("Fishbone")
    drain(child)
    moves = []
    for key in ("\x1b[B", "\x1b[B", "\x1b[C"):  # down, down, right
        child.send(key)
        moves.append(drain(child))
    child.send("\x1b[6~")  # PgDn
    page = drain(child)
    idle = drain(child, quiet=2.0)
    child.sendcontrol("q")
    assert finish(child) == 0
    assert all(0 < m <= 2000 for m in moves), moves
    assert page <= 8000, page
    assert idle == 0
