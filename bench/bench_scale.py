"""A 5,000-cause investigation at hospital scale: import, check, overview, undo and memory.

Why this exists: a large root cause analysis (a never event reviewed across a whole trust) can
hold thousands of causes, and every one of the figures below is something a team waits for:
bringing the file in (`rca import`), checking it (`rca check`), opening it (the overview), taking
back an edit (`u`) and keeping the app open beside other work (its memory). Each is printed next
to a floor measured in the same run, so the ratio says what the app's own code costs:

* `rca import` and `rca check` run cold, in a fresh process as a user types them; their floors
  are a fresh `python -c` that writes the same rows with sqlite3, and a cold `rca list`.
* the overview is opened in the app (Pilot, 120x40) on the 5,000-cause investigation and on a
  20-cause one in the same database; "ready" is when it is drawn with its summary, steps and
  first findings and takes keys; the rest of the findings are wrapped in chunks after that,
  and the time until the last one is in is printed beside it.
* undo: with the fishbone open, one cause edit is made and `u` pressed; the clock runs until the
  first frame the app writes after the undone text is in the fishbone (what the user sees).
  Its floor is the same update written with plain sqlite3.
* memory: the resident set of a fresh process running the app with the 5,000-cause fishbone
  drawn, against a fresh process that only imports textual, sqlmodel and networkx; with the
  holiday cache warm (as every start after the first) and cold (the first start after the
  `holidays` package is installed or upgraded). The run has its own cache folder
  (XDG_CACHE_HOME), so a cache another checkout wrote does not decide which is measured.

Run from the repository root: `python bench/bench_scale.py [--causes N] [--runs N]`.
It prints figures only; it asserts nothing about them.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import models  # noqa: F401 - only checks that the package is importable
except ImportError:  # running from a source tree that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import FloorEditor, _connect, make_document

from models.service import open_service

REPO = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 30)
SMALL = 20
TIMEOUT_S = 300

IMPORT_TARGET_S = 2.0
CHECK_TARGET_S = 1.0
OVERVIEW_TARGET_S = 0.5
UNDO_TARGET_MS = 50.0
MEMORY_TARGET = 1.5

#: A fresh process writing the rows an import writes (causes, links, one audit row each).
IMPORT_FLOOR = r"""
import json, sqlite3, sys
doc = json.load(open(sys.argv[2], encoding="utf-8"))
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("PRAGMA journal_mode=WAL"); con.execute("PRAGMA synchronous=FULL")
con.execute("BEGIN IMMEDIATE")
con.execute("CREATE TABLE IF NOT EXISTS cause (id INTEGER PRIMARY KEY, text, category, kind)")
con.execute("CREATE TABLE IF NOT EXISTS link (id INTEGER PRIMARY KEY, cause_id, effect_id)")
con.execute("CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY, entity, entity_id, new)")
ids = {}
for c in doc["causes"]:
    ids[c["id"]] = con.execute(
        "INSERT INTO cause (text, category, kind) VALUES (?, ?, ?)",
        (c["text"], c["category"], c["kind"]),
    ).lastrowid
con.executemany(
    "INSERT INTO link (cause_id, effect_id) VALUES (?, ?)",
    [(ids[lk["cause"]], ids[lk["effect"]]) for lk in doc["links"]],
)
con.executemany(
    "INSERT INTO audit (entity, entity_id, new) VALUES ('cause', ?, ?)",
    [(ids[c["id"]], c["text"]) for c in doc["causes"]],
)
con.execute("COMMIT")
print(len(ids))
"""

#: A fresh process with the app open on the fishbone of an investigation: its resident set.
MEMORY_APP = r"""
import asyncio, datetime as dt, gc, sys
from models.service import open_service
from rca_tui.app import make_app
from screens.fishbone import FishboneScreen

def rss_kb():
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))

async def main():
    service = open_service(sys.argv[1], user="bench")
    app = make_app(service, today=dt.date(2026, 11, 30))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        app.push_screen(FishboneScreen(int(sys.argv[2])))
        while getattr(app.screen, "data", None) is None:
            await pilot.pause()
            await app.workers.wait_for_complete()
        await pilot.pause()
        gc.collect()
        print(len(app.screen.data.causes), rss_kb())

asyncio.run(main())
"""

MEMORY_FLOOR = r"""
import textual, sqlmodel, networkx
with open("/proc/self/status", encoding="ascii") as f:
    print(0, next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")))
"""


def env_for(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "RCA_"))}
    env["TEXTUAL_ANIMATIONS"] = "none"
    env["RCA_CONFIG"] = str(folder / "no-config.toml")  # does not exist: the defaults
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    # The holiday cache of this run only: one shared with other checkouts and venvs is keyed
    # by another copy of `holidays`, and a mismatch imports every country (~9 MB of memory).
    env["XDG_CACHE_HOME"] = str(folder / "cache")
    env["RCA_CACHE"] = str(folder / "cache" / "rca-tui")  # where platformdirs does not look
    return env


def rca(*args: str) -> list[str]:
    """The command a user types, run with this interpreter."""
    return [sys.executable, "-m", "rca_tui", *args]


def timed(cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> tuple[float, str]:
    """Seconds from spawn to exit of one fresh process, and its standard output."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd[:6])} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed, proc.stdout


def verdict(ok: bool) -> str:
    return "met" if ok else "missed"


# --- in the app ----------------------------------------------------------------------------------
async def overview_and_undo(db: Path, big: int, small: int, runs: int) -> dict[str, list[float]]:
    """Overview ready (big and small investigation) and undo on the big fishbone, in ms."""
    from rca_tui.app import make_app
    from screens.fishbone import FishboneScreen
    from screens.overview import OverviewScreen

    service = open_service(db, user="bench")
    app = make_app(service, today=TODAY)
    out: dict[str, list[float]] = {
        "overview": [],
        "overview_all": [],
        "overview_small": [],
        "overview_small_all": [],
        "undo": [],
    }
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        for run in range(runs + 1):  # the first of each warms caches
            for key, iid in (("overview", big), ("overview_small", small)):
                screen = OverviewScreen(iid)
                t0 = time.perf_counter()
                app.push_screen(screen)
                while screen.dossier is None:
                    await asyncio.sleep(0)
                await pilot.pause(0)  # every widget has handled its messages; a frame drawn
                elapsed = (time.perf_counter() - t0) * 1e3
                findings = screen.query_one("#findings")
                while not findings.complete:  # the rest of the findings, wrapped in chunks
                    await pilot.pause(0.01)
                await pilot.pause()
                if run:
                    out[key].append(elapsed)
                    out[f"{key}_all"].append((time.perf_counter() - t0) * 1e3)
                app.pop_screen()
                await pilot.pause()

        fishbone = FishboneScreen(big)
        app.push_screen(fishbone)
        while fishbone.data is None:
            await pilot.pause()
            await app.workers.wait_for_complete()
        await pilot.pause()
        cause = next(c for c in fishbone.data.causes.values() if c.kind != "event")
        original = cause.text
        # The clock stops at the first frame the app writes to the terminal after the undone
        # text is in the fishbone's data (the drawing is updated in the same handler): what
        # the user sees. Waiting for the pilot's own pause after the key would add its wait.
        shown: list[float] = []
        display = app._display  # the one place a frame leaves the app

        def frame(screen, update) -> None:
            if not shown and fishbone.data.causes[cause.id].text == original:
                shown.append(time.perf_counter())
            display(screen, update)

        app._display = frame  # type: ignore[method-assign]
        for run in range(runs + 1):
            edited = f"{original} (edit {run})"
            app.history.update_cause(cause.id, fishbone.data.causes[cause.id].version, text=edited)
            fishbone.reload()
            while fishbone.data.causes[cause.id].text != edited:
                await pilot.pause()
                await app.workers.wait_for_complete()
            await pilot.pause()
            shown.clear()
            t0 = time.perf_counter()
            await pilot.press("u")
            while not shown:
                await asyncio.sleep(0.001)
            if run:
                out["undo"].append((shown[0] - t0) * 1e3)
            await app.workers.wait_for_complete()
            await pilot.pause()
    service.db.dispose()
    return out


def service_undo_ms(db: Path, iid: int, runs: int) -> list[float]:
    """Undo of one cause edit through the session's history: the audited write alone."""
    from models.undo import EditHistory

    service = open_service(db, user="bench")
    history = EditHistory(service)
    cause = next(c for c in service.list_causes(iid) if c.kind != "event")
    times = []
    for run in range(runs + 1):
        history.update_cause(cause.id, None, text=f"{cause.text} (service {run})")
        t0 = time.perf_counter()
        history.undo(iid)
        if run:
            times.append((time.perf_counter() - t0) * 1e3)
    service.db.dispose()
    return times


def floor_edit_ms(db: Path, runs: int) -> list[float]:
    """The undo's rows (the cause, its audit entry, the investigation) with plain sqlite3."""
    con = _connect(db)
    try:
        iid, cid, version, text = con.execute(
            "SELECT investigation_id, id, version, text FROM cause WHERE kind != 'event' "
            "ORDER BY id LIMIT 1"
        ).fetchone()
        editor = FloorEditor(con, "bench", cid, iid)
        times = []
        for run in range(runs + 1):
            new = f"{text} (floor {run})"
            t0 = time.perf_counter()
            version = editor.edit(version, text, new)
            if run:
                times.append((time.perf_counter() - t0) * 1e3)
            text = new
        return times
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--causes", type=int, default=5000, help="causes (5000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each figure (3)")
    args = parser.parse_args(argv)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="rca-bench-") as tmp:
        folder = Path(tmp)
        env = env_for(folder)
        doc_path = folder / "big.json"
        doc_path.write_text(json.dumps(make_document(args.causes)), encoding="utf-8")
        small_path = folder / "small.json"
        small_path.write_text(json.dumps(make_document(SMALL)), encoding="utf-8")

        # rca import, cold, each into a fresh database that already has its schema
        imports, floors = [], []
        for run in range(args.runs):
            db = folder / f"import{run}.db"
            timed(rca("--db", str(db), "list"), env)  # schema and first admin, not timed
            imports.append(timed(rca("--db", str(db), "import", str(doc_path)), env)[0])
            floors.append(
                timed(
                    [sys.executable, "-c", IMPORT_FLOOR, str(folder / f"f{run}.db"), str(doc_path)],
                    env,
                )[0]
            )
        db = folder / "import0.db"
        small_id = int(timed(rca("--db", str(db), "import", str(small_path)), env)[1])
        big_id = 1

        checks, lists = [], []
        for _ in range(args.runs):
            checks.append(timed(rca("--db", str(db), "check", str(big_id)), env)[0])
            lists.append(timed(rca("--db", str(db), "list"), env)[0])

        in_app = asyncio.run(overview_and_undo(db, big_id, small_id, args.runs))
        floor_ms = floor_edit_ms(db, max(args.runs, 10))
        undo_ms = service_undo_ms(db, big_id, max(args.runs, 10))

        # Memory: fresh processes, in turn, with the holiday cache this run's commands wrote
        # (warm, as every start after the first) and without it (cold: the first start after
        # `holidays` is installed or upgraded, which reads the holiday calendar itself).
        holiday_cache = Path(env["RCA_CACHE"]) / "holidays.json"
        rss: dict[str, list[float]] = {"app": [], "cold": [], "floor": []}
        causes_drawn = 0
        for _ in range(args.runs):
            for side, body, extra in (
                ("app", MEMORY_APP, [str(db), str(big_id)]),
                ("cold", MEMORY_APP, [str(db), str(big_id)]),
                ("floor", MEMORY_FLOOR, []),
            ):
                warm = holiday_cache.read_bytes() if holiday_cache.exists() else None
                if side == "cold" and warm is not None:
                    holiday_cache.unlink()
                n, kb = timed([sys.executable, "-c", body, *extra], env)[1].split()
                if side == "cold" and warm is not None:
                    holiday_cache.write_bytes(warm)
                rss[side].append(int(kb) / 1024)
                causes_drawn = max(causes_drawn, int(n))

    med = statistics.median
    imp, imp_f = med(imports), med(floors)
    chk, lst = med(checks), med(lists)
    ov, ov_s = med(in_app["overview"]), med(in_app["overview_small"])
    und, und_f, und_s = med(in_app["undo"]), med(floor_ms), med(undo_ms)
    print()
    print("summary")
    print(
        f"rca import, {args.causes:,} causes (cold): {imp:.2f} s, sqlite3 floor writing the "
        f"same rows {imp_f:.2f} s, ratio {imp / imp_f:.1f}x "
        f"(target < {IMPORT_TARGET_S:g} s, {verdict(imp < IMPORT_TARGET_S)})"
    )
    print(
        f"rca check, {args.causes:,} causes (cold): {chk:.2f} s, rca list {lst:.2f} s, "
        f"ratio {chk / lst:.1f}x (target < {CHECK_TARGET_S:g} s, {verdict(chk < CHECK_TARGET_S)})"
    )
    print(
        f"overview ready, {args.causes:,} causes: {ov:.0f} ms, {SMALL} causes {ov_s:.0f} ms, "
        f"ratio {ov / ov_s:.1f}x "
        f"(target < {OVERVIEW_TARGET_S * 1e3:.0f} ms, {verdict(ov < OVERVIEW_TARGET_S * 1e3)})"
    )
    print(
        f"  every finding wrapped: {med(in_app['overview_all']):.0f} ms "
        f"({SMALL} causes {med(in_app['overview_small_all']):.0f} ms)"
    )
    print(
        f"undo on the fishbone, {args.causes:,} causes, until drawn: {und:.0f} ms, plain "
        f"sqlite3 writing the same rows {und_f:.1f} ms, ratio {und / und_f:.0f}x "
        f"(target < {UNDO_TARGET_MS:g} ms, {verdict(und < UNDO_TARGET_MS)})"
    )
    print(
        f"undo, the audited write alone (service): {und_s:.1f} ms, plain sqlite3 {und_f:.1f} ms, "
        f"ratio {und_s / und_f:.1f}x (target < {UNDO_TARGET_MS:g} ms, "
        f"{verdict(und_s < UNDO_TARGET_MS)})"
    )
    app_mb, cold_mb, floor_mb = med(rss["app"]), med(rss["cold"]), med(rss["floor"])
    print(
        f"memory, app with the {causes_drawn:,}-cause fishbone open: {app_mb:.0f} MB RSS, "
        f"import textual, sqlmodel, networkx {floor_mb:.0f} MB, ratio "
        f"{app_mb / floor_mb:.2f}x (target <= {MEMORY_TARGET:g}x, "
        f"{verdict(app_mb / floor_mb <= MEMORY_TARGET)})"
    )
    print(
        f"  with a cold holiday cache (first start after installing holidays): {cold_mb:.0f} MB, "
        f"ratio {cold_mb / floor_mb:.2f}x; each run: app "
        f"{', '.join(f'{v:.0f}' for v in rss['app'])}, cold "
        f"{', '.join(f'{v:.0f}' for v in rss['cold'])}, floor "
        f"{', '.join(f'{v:.0f}' for v in rss['floor'])} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
