"""How long `rca` takes to start, measured against a bare Textual app started the same way.

Why this exists: people open the app many times a day, often just to look at the list, so the
time from typing `rca` to a usable home screen is the cost they feel most often. It is measured
with 1,000 investigations in the database (a busy hospital's few years), each start in a fresh
Python process, so imports count as they do for a user. Absolute times depend on the machine,
its disk cache and Python itself, so the figure is printed next to a floor measured in the same
run: a bare Textual app that shows one label, started the same way. The ratio between the two is
what the app's own code (its imports, the database, the home screen and its table) costs.

"Ready" means the home screen's table holds every investigation and the screen has processed
the messages that filling it caused. Both sides run headless at 80x24 (so nothing is written to
a terminal), with animations off, a settings file that does not exist (the defaults) and a
holiday cache of the run's own (filled by the untimed first start, as a user's is), and
both are driven by Textual's auto pilot, which ends the app once it is ready. Three figures are
taken per start: in-process (first statement of the script to ready, split into imports and
set-up, App.run to the first screen, and the rest), launch to ready (from just before the
process is spawned, so interpreter start-up counts) and wall (spawn to exit, which also counts
shutdown: a user waits for it when quitting). The ratio uses wall time. A fourth, launch to first
frame, is the time until the first compositor frame of the home screen (the bare app: of its one
screen) is handed to the display, what a user first sees, the list possibly still being read:
each child wraps `App._display`, which headless Textual still calls with every update.

Run from the repository root: `python bench/bench_startup.py [--investigations N] [--runs N]`.
`--importtime` adds the heaviest imports of the app's start-up (`python -X importtime`),
`--profile` the functions that take its time (cProfile, main thread only).
It prints figures only; it asserts nothing about them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import pstats
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

try:
    import models  # noqa: F401 - only checks that the package is importable
except ImportError:  # running from a source tree that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.service import open_service
from models.vocab import EventType, Harm, Probability, ReportType, Severity, Status

REPO = Path(__file__).resolve().parents[1]
SEED = 20240611
RATIO_TARGET = 2.0  # app / bare Textual app, wall time (issue 16; was 2.5)
FRAME_TARGET = 1.5  # app / bare Textual app, launch to first frame (issue 16)
#: Untimed starts of each side before the timed ones (byte code written, files in the page cache).
WARMUP = 1
#: A child that is not ready after this long is stopped and the run fails.
CHILD_TIMEOUT_S = 120
SIZE = (80, 24)

UNITS = (
    "4 West, medical-surgical",
    "ICU",
    "Emergency department",
    "Theatres",
    "Maternity",
    "Paediatrics",
    "Oncology day unit",
    "Pharmacy",
    "Radiology",
    "5 East, orthopaedics",
    "Cardiology",
    "Renal unit",
)
EVENTS = (
    "Inpatient fall with hip fracture",
    "Wrong-dose insulin infusion",
    "Delayed escalation of a deteriorating patient",
    "Retained surgical swab",
    "Pressure injury, grade 3",
    "Missed allergy on admission",
    "Wrong-patient blood sample",
    "Unplanned extubation",
    "Post-partum haemorrhage, delayed response",
    "Medication omitted across transfer",
    "Misread chest X-ray",
    "Hospital-acquired VTE without prophylaxis",
)

# --- the children ----------------------------------------------------------------------------
# Each child script takes its clock reading as its very first statement, starts its app headless
# with an auto pilot that waits until the app is ready, and prints one JSON line when the app
# has exited. time.perf_counter() reads a system-wide monotonic clock on Linux, macOS and
# Windows, so the parent can also compare the child's readings with its own (checked below).
APP_CHILD = """\
import time

T0 = time.perf_counter()

import asyncio
import json
import sys

SIZE, TIMEOUT = __SIZE__, __TIMEOUT__

# What `rca` does (rca_tui.cli): settings, then run_app (service, app, collector settings).
from rca_tui.cli import Ctx, run_app

db, expected = sys.argv[1], int(sys.argv[2])
ctx = Ctx(db, "bench", False)
out = {"t0": T0}

# The first frame: Textual hands each compositor update of the top screen to App._display
# (headless, it then writes nothing). The first one for the home screen is what a user first sees.
from textual.app import App as _App

_display = _App._display


def _first_frame(self, screen, renderable):
    if (
        renderable is not None
        and not self._batch_count
        and "frame" not in out
        and screen is self.screen
        and type(screen).__name__ == "HomeScreen"
    ):
        out["frame"] = time.perf_counter()
    return _display(self, screen, renderable)


_App._display = _first_frame


async def auto_pilot(pilot):
    out["built"] = out["running"] = time.perf_counter()  # the first screen is mounted
    from textual.widgets import DataTable

    from screens.home import HomeScreen

    def rows():
        screen = pilot.app.screen
        if not isinstance(screen, HomeScreen):
            return -1
        tables = list(screen.query("#investigations").results(DataTable))
        return tables[0].row_count if tables else -1

    deadline = time.perf_counter() + TIMEOUT
    while rows() < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.001)
    await pilot.pause(0)  # the messages that filling the table caused are processed
    out["ready"] = time.perf_counter()
    out["rows"] = rows()
    pilot.app.exit()


run_app(ctx, headless=True, size=SIZE, mouse=False, auto_pilot=auto_pilot)
print(json.dumps(out))
"""

FLOOR_CHILD = """\
import time

T0 = time.perf_counter()

import json

from textual.app import App
from textual.widgets import Label

SIZE = __SIZE__


class Bare(App):
    def compose(self):
        yield Label("ready")


app = Bare()
out = {"t0": T0, "built": time.perf_counter()}

# The first frame: Textual hands each compositor update of the top screen to App._display
# (headless, it then writes nothing). The first one for its one screen is what a user first sees.
from textual.app import App as _App

_display = _App._display


def _first_frame(self, screen, renderable):
    if (
        renderable is not None
        and not self._batch_count
        and "frame" not in out
        and screen is self.screen
        and True
    ):
        out["frame"] = time.perf_counter()
    return _display(self, screen, renderable)


_App._display = _first_frame


async def auto_pilot(pilot):
    out["running"] = time.perf_counter()
    await pilot.pause(0)
    out["ready"] = time.perf_counter()
    out["rows"] = len(pilot.app.screen.query(Label))
    pilot.app.exit()


app.run(headless=True, size=SIZE, auto_pilot=auto_pilot)
print(json.dumps(out))
"""


def write_children(folder: Path) -> dict[str, Path]:
    paths = {}
    for name, body in (("app", APP_CHILD), ("floor", FLOOR_CHILD)):
        path = folder / f"start_{name}.py"
        body = body.replace("__SIZE__", repr(SIZE)).replace("__TIMEOUT__", str(CHILD_TIMEOUT_S))
        path.write_text(body, encoding="utf-8")
        paths[name] = path
    return paths


def child_env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "RCA_"))}
    env["TEXTUAL_ANIMATIONS"] = "none"
    env["RCA_CONFIG"] = str(folder / "no-config.toml")  # does not exist: the defaults
    # The holiday look-ups' cache (models.rules.deadlines), filled by the untimed first start
    # as a user's first start fills theirs. The user's own cache is shared by every copy of
    # rca-tui run from this account (other checkouts, other helpers' benchmarks), each of which
    # rewrites it for its own `holidays`: a start after such a rewrite imported every country.
    env["RCA_CACHE"] = str(folder / "cache")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def start(
    script: Path, args: list[str], expected: int, env: dict[str, str], flags: tuple = ()
) -> tuple[dict[str, float], str]:
    """One start in a fresh process: its phases, in-process, launch-to-ready and wall, in ms."""
    cmd = [sys.executable, *flags, str(script), *args]
    t_spawn = time.perf_counter()
    proc = subprocess.run(
        cmd, env=env, cwd=script.parent, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S
    )
    t_exit = time.perf_counter()
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise SystemExit(
            f"{script.name} failed (exit status {proc.returncode}):\n{proc.stderr[-3000:]}"
        )
    out = json.loads(lines[-1])
    if out["rows"] != expected:
        raise SystemExit(f"{script.name}: ready with {out['rows']} rows, expected {expected}")
    if "frame" not in out:
        raise SystemExit(f"{script.name}: no frame of its first screen was composed")
    if not (
        t_spawn < out["t0"] <= out["built"] <= out["running"] <= out["ready"] < t_exit
        and out["t0"] < out["frame"] < t_exit
    ):
        raise SystemExit(
            f"{script.name}: the child's clock does not match the parent's "
            "(time.perf_counter is not system-wide here); launch-to-ready cannot be measured"
        )
    return {
        "built": (out["built"] - out["t0"]) * 1e3,
        "running": (out["running"] - out["built"]) * 1e3,
        "filled": (out["ready"] - out["running"]) * 1e3,
        "in": (out["ready"] - out["t0"]) * 1e3,
        "launch": (out["ready"] - t_spawn) * 1e3,
        "frame": (out["frame"] - t_spawn) * 1e3,
        "wall": (t_exit - t_spawn) * 1e3,
    }, proc.stderr


# --- setup -----------------------------------------------------------------------------------
def make_document(rng: random.Random, today: dt.date, n: int) -> dict:
    """A small "rca-tui/1" document: the investigation only (all the home screen reads)."""
    occurred = dt.datetime.combine(
        today - dt.timedelta(days=rng.randrange(1, 730)),
        dt.time(rng.randrange(24), rng.randrange(60)),
    )
    inv: dict[str, object] = {
        "title": f"{rng.choice(EVENTS)}, case {n + 1}",
        "unit": rng.choice(UNITS),
        "occurred_at": occurred.isoformat(),
        "discovered_at": (occurred + dt.timedelta(hours=rng.randrange(0, 48))).isoformat(),
        "event_type": rng.choice(list(EventType)).value,
        "status": rng.choice(list(Status)).value,
    }
    if rng.random() < 0.85:  # the rest are drafts with no decision or scoring yet
        inv["decision_at"] = (occurred + dt.timedelta(days=rng.randrange(0, 5))).isoformat()
        inv["report_type"] = rng.choice(list(ReportType)).value
        inv["harm"] = rng.choice(list(Harm)).value
        inv["severity_actual"] = rng.choice(list(Severity)).value
        inv["severity_potential"] = rng.choice(list(Severity)).value
        inv["probability"] = rng.choice(list(Probability)).value
    return {"format": "rca-tui/1", "investigation": inv}


def setup(path: Path, n: int) -> float:
    """Create the database with n investigations; seconds taken."""
    rng = random.Random(SEED)
    today = dt.date.today()
    t0 = time.perf_counter()
    from models.interchange import parse_document
    from models.service.documents import write_document

    service = open_service(path, user="bench")
    try:
        uow = service._uow  # one transaction: the rows and audit entries n imports would write
        with uow.write() as tx:
            for i in range(n):
                write_document(uow, tx, parse_document(make_document(rng, today, i)))
        count = len(service.list_investigations())
    finally:
        service.db.dispose()
    if count != n:
        raise SystemExit(f"setup: {count} investigations in the database, expected {n}")
    return time.perf_counter() - t0


# --- profiles --------------------------------------------------------------------------------
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def report_importtime(stderr: str, top: int = 10) -> None:
    """The heaviest imports (cumulative) and the packages whose own code takes the time."""
    entries = []
    for line in stderr.splitlines():
        m = IMPORT_LINE.match(line)
        if m:
            entries.append((int(m[1]), int(m[2]), len(m[3]) // 2, m[4]))
    if not entries:
        print("  (no -X importtime output)")
        return
    total = sum(c for _, c, depth, _ in entries if depth == 0)
    print(f"  all imports: {total / 1e3:.0f} ms (with -X importtime's own overhead)")
    print(f"  top {top} by cumulative time (depth: 0 is imported by the script itself)")
    for self_us, cum_us, depth, name in sorted(entries, key=lambda e: -e[1])[:top]:
        print(f"    {cum_us / 1e3:7.1f} ms  (self {self_us / 1e3:5.1f})  depth {depth}  {name}")
    by_package: dict[str, int] = defaultdict(int)
    for self_us, _, _, name in entries:
        by_package[name.split(".")[0]] += self_us
    print(f"  top {top} packages by their own modules' import time")
    for name, self_us in sorted(by_package.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {self_us / 1e3:7.1f} ms  {name}")


def report_profile(stats_file: Path, top: int = 15) -> None:
    """The project's functions by cumulative time, then everything by its own time."""
    stats = pstats.Stats(str(stats_file), stream=sys.stdout)
    here = re.escape(str(REPO))
    print(f"  the project's own functions, top {top} by cumulative time:")
    stats.sort_stats("cumulative").print_stats(rf"^{here}[/\\](rca_tui|screens|models)", top)
    print(f"  all functions, top {top} by their own time:")
    stats.sort_stats("tottime").print_stats(top)


# --- report ----------------------------------------------------------------------------------
def _versions() -> list[str]:
    def v(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "?"

    return [
        f"Python   {platform.python_implementation()} {platform.python_version()} "
        f"({sys.executable})",
        f"Textual  {v('textual')}, Rich {v('rich')}, SQLAlchemy {v('sqlalchemy')}, "
        f"SQLModel {v('sqlmodel')}, pydantic {v('pydantic')}, SQLite {sqlite3.sqlite_version}",
        f"Platform {platform.platform()} {platform.machine()}, {os.cpu_count()} CPUs",
    ]


def _fmt(samples: list[float]) -> str:
    return (
        f"median {statistics.median(samples):.0f} ms "
        f"(min {min(samples):.0f}, max {max(samples):.0f})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--investigations", type=int, default=1000, help="investigations in the database (1000)"
    )
    parser.add_argument("--runs", type=int, default=7, help="timed starts of each side (7)")
    parser.add_argument(
        "--importtime", action="store_true", help="also list the heaviest imports of the app"
    )
    parser.add_argument(
        "--profile", action="store_true", help="also profile one start of the app (cProfile)"
    )
    args = parser.parse_args(argv)
    # An installed package has its bytecode compiled (pip does it); an editable checkout gets
    # it on first import, unless PYTHONDONTWRITEBYTECODE is set (it is on some CI machines).
    # Compile it once so both sides start from bytecode, as a user's installation does.
    root = Path(__file__).resolve().parent.parent
    subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            *(str(root / p) for p in ("rca_tui", "screens", "models", "exports")),
        ],
        check=True,
    )
    if args.investigations < 1:
        parser.error("--investigations: at least 1")
    if args.runs < 1:
        parser.error("--runs: at least 1")

    for line in _versions():
        print(line)
    with tempfile.TemporaryDirectory(prefix="rca-bench-") as tmp:
        folder = Path(tmp)
        path = folder / "bench.db"
        print(f"Database {path}")
        print()

        setup_s = setup(path, args.investigations)
        print(
            f"setup: imported {args.investigations:,} investigations in {setup_s:.1f} s "
            "(in one transaction)"
        )

        scripts = write_children(folder)
        env = child_env(folder)
        sides = {
            "app": (scripts["app"], [str(path), str(args.investigations)], args.investigations),
            "floor": (scripts["floor"], [], 1),
        }
        results: dict[str, list[dict[str, float]]] = {"app": [], "floor": []}
        for i in range(WARMUP + args.runs):
            # Alternating, so a slow patch of the machine falls on both sides alike.
            for side in ("app", "floor") if i % 2 == 0 else ("floor", "app"):
                timing, _ = start(*sides[side], env)
                if i >= WARMUP:
                    results[side].append(timing)

        for side, name in (("app", "app (rca)"), ("floor", "bare Textual app")):
            print(f"{name}, {args.runs} starts:")
            for key, what in (
                ("in", "in-process (first statement to ready)"),
                ("built", "  imports, settings, database, App built"),
                ("running", "  App.run until its first screen is mounted"),
                ("filled", "  then until ready" + (" (list read, table filled)" * (side == "app"))),
                ("frame", "launch to first frame (interpreter start-up too)"),
                ("launch", "launch to ready (with interpreter start-up)"),
                ("wall", "wall (spawn to exit)"),
            ):
                print(f"  {what:48} {_fmt([r[key] for r in results[side]])}")

        if args.importtime:
            print()
            print("imports of one app start (python -X importtime):")
            _, stderr = start(*sides["app"], env, flags=("-X", "importtime"))
            report_importtime(stderr)

        if args.profile:
            print()
            print("one app start under cProfile (main thread only; the list is read in a worker):")
            stats_file = folder / "start_app.prof"
            start(*sides["app"], env, flags=("-m", "cProfile", "-o", str(stats_file)))
            report_profile(stats_file)

    app_w = statistics.median(r["wall"] for r in results["app"])
    floor_w = statistics.median(r["wall"] for r in results["floor"])
    app_l = statistics.median(r["launch"] for r in results["app"])
    floor_l = statistics.median(r["launch"] for r in results["floor"])
    ratio = app_w / floor_w
    app_f = statistics.median(r["frame"] for r in results["app"])
    floor_f = statistics.median(r["frame"] for r in results["floor"])
    frame_ratio = app_f / floor_f
    print()
    print("summary")
    print(
        f"launch to first frame of home: app {app_f:.0f} ms, bare Textual app {floor_f:.0f} ms, "
        f"ratio {frame_ratio:.1f}x (target <= {FRAME_TARGET:g}x, "
        f"{'met' if frame_ratio <= FRAME_TARGET else 'missed'})"
    )
    print(
        f"start-up to home ready, launch to ready (no shutdown): app {app_l:.0f} ms, "
        f"bare Textual app {floor_l:.0f} ms, ratio {app_l / floor_l:.1f}x"
    )
    print(
        f"start-up to home ready, {args.investigations} investigations: app {app_w:.0f} ms, "
        f"bare Textual app {floor_w:.0f} ms, ratio {ratio:.1f}x "
        f"(target <= {RATIO_TARGET:g}x, {'met' if ratio <= RATIO_TARGET else 'missed'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
