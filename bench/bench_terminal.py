"""Bytes sent to the terminal per action, over a slow link: rca against a bare Textual app.

Why: clinicians reach the app over SSH from hospital PCs, sometimes over a VPN at 32 kB/s with
100 ms latency; every byte of a repaint is time. The issue's targets, at 256 colours and 80x24:
a fishbone cursor move at most 2 kB, PgDn in the fishbone at most 8 kB, nothing sent while
idle (0 B/s).

How: each app runs in a pseudo-terminal (pexpect) with TERM=xterm-256color and, unless
`--local`, SSH_CONNECTION set, as sshd sets it (rca then turns animations, cursor blink and the
mouse off). After each key the bench reads until the terminal has been quiet for `--quiet`
seconds and counts the bytes. The floor is a bare Textual app with one DataTable (as many rows
as the screen shows twice), a second screen with a DataTable, and a modal dialog with an Input,
run with animations off: the same actions cost it what Textual itself needs to draw them.

| action | rca | floor |
| open home | start until the list is drawn | start until the table is drawn |
| home move | down in the list | down in the table |
| open fishbone | f on the overview (after Enter on home) | a screen with a table pushed |
| fishbone move | down in the drawing | down in that table |
| PgDn | page down in the drawing | page down in that table |
| open a dialog | a: the add-cause dialog | a modal dialog with an Input |
| idle | nothing pressed for --idle seconds | the same |

Run: .venv/bin/python bench/bench_terminal.py [--local] [--quiet 0.4] [--idle 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
KEYS = {"down": "\x1b[B", "enter": "\r", "pagedown": "\x1b[6~", "escape": "\x1b"}
TARGETS = {"fishbone move": 2_000, "PgDn": 8_000, "idle (B/s)": 0}

FLOOR = """
from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input


def table():
    t = DataTable()
    t.add_columns("Title", "Unit", "Event", "SAC", "Status", "Due")
    for i in range(48):
        t.add_row(f"Investigation {i} of a fall", "4 West", "2026-11-19", "3", "Draft", "4w left")
    return t


class Second(Screen):
    def compose(self):
        yield table()


class Dialog(ModalScreen):
    DEFAULT_CSS = "Dialog { align: center middle; } Dialog Input { width: 60; }"

    def compose(self):
        yield Input("A cause")


class Floor(App):
    BINDINGS = [
        ("f", "second", "Open"),
        ("a", "dialog", "Dialog"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def compose(self):
        yield table()

    def action_second(self):
        self.push_screen(Second())

    def action_dialog(self):
        self.push_screen(Dialog())


Floor().run()
"""

#: (name, keys before it that are not counted, the keys counted)
ACTIONS = [
    ("home move", [], ["down"]),
    ("open fishbone", ["enter"], ["f"]),
    ("fishbone move", [], ["down"]),
    ("PgDn", [], ["pagedown"]),
    ("open a dialog", [], ["a"]),
]
FLOOR_ACTIONS = [
    ("home move", [], ["down"]),
    ("open fishbone", [], ["f"]),
    ("fishbone move", [], ["down"]),
    ("PgDn", [], ["pagedown"]),
    ("open a dialog", [], ["a"]),
]


def drain(child: pexpect.spawn, quiet: float, limit: float = 20.0, first: float = 0) -> int:
    """Bytes the terminal receives until it has been quiet for `quiet` seconds (after waiting
    up to `first` seconds for anything at all)."""
    total, deadline = 0, time.monotonic() + limit
    if first:
        try:
            total = len(child.read_nonblocking(65536, timeout=first))
        except (pexpect.TIMEOUT, pexpect.EOF):
            return 0
    while time.monotonic() < deadline:
        try:
            total += len(child.read_nonblocking(65536, timeout=quiet))
        except pexpect.TIMEOUT:
            return total
        except pexpect.EOF:
            return total
    return total


def run(argv: list[str], env: dict[str, str], actions, args) -> dict[str, float]:
    child = pexpect.spawn(sys.executable, argv, env=env, dimensions=(24, 80), timeout=30)
    out = {"open home": drain(child, max(args.quiet, 1.0), first=30)}  # start-up pauses too
    for name, before, counted in actions:
        for key in before:
            child.send(KEYS.get(key, key))
            drain(child, args.quiet)
        for key in counted:
            child.send(KEYS.get(key, key))
        out[name] = drain(child, args.quiet)
    start = time.monotonic()
    idle = drain(child, args.idle, limit=args.idle)  # returns at the first quiet stretch...
    while time.monotonic() - start < args.idle:  # ...so keep listening for the whole time
        idle += drain(child, args.idle - (time.monotonic() - start), limit=args.idle)
    out["idle (B/s)"] = idle / args.idle
    child.send(KEYS["escape"])
    drain(child, args.quiet)
    child.sendcontrol("q")
    child.expect(pexpect.EOF)
    child.close()
    return out


def demo_database(folder: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from models.demo import demo_document
    from models.service import open_service

    db = folder / "bench.db"
    service = open_service(db, user="bench")
    service.import_document(demo_document(dt.date.today()))
    service.db.dispose()
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--local", action="store_true", help="no SSH_CONNECTION (a local run)")
    parser.add_argument("--quiet", type=float, default=0.4, help="seconds of silence per action")
    parser.add_argument("--idle", type=float, default=3.0, help="seconds measured while idle")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SSH_", "TEXTUAL_"))}
        env.update(TERM="xterm-256color", LANG="C.UTF-8", RCA_CONFIG=str(folder / "none.toml"))
        env.update(RCA_DB=str(demo_database(folder)), RCA_CACHE=str(folder / "cache"))
        env.pop("NO_COLOR", None)
        if not args.local:
            env["SSH_CONNECTION"] = "127.0.0.1 50000 127.0.0.1 22"
        rca = run(["-m", "rca_tui"], env, ACTIONS, args)
        floor_env = {**env, "TEXTUAL_ANIMATIONS": "none"}
        floor = run(["-c", FLOOR], floor_env, FLOOR_ACTIONS, args)
    where = "local" if args.local else "over SSH (SSH_CONNECTION set)"
    print(f"Bytes sent to the terminal per action, 80x24, TERM=xterm-256color, {where}")
    print(f"{'action':16} {'rca':>10} {'floor':>10} {'ratio':>7}  target")
    for name in rca:
        ratio = rca[name] / floor[name] if floor[name] else float("inf") if rca[name] else 1.0
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            met = rca[name] <= target
            verdict = f"at most {target:,} B{'/s' if 'idle' in name else ''}: "
            verdict += "met" if met else "NOT met"
        print(f"{name:16} {rca[name]:>10,.0f} {floor[name]:>10,.0f} {ratio:>7.2f}  {verdict}")


if __name__ == "__main__":
    main()
