"""How fast the investigation store is, measured against plain `sqlite3` on the same file.

Why this exists: a big root cause analysis must open and take edits without the app getting in
the way. The store's two costs that people feel are loading the cause graph of a large
investigation (every fresh start, and every edit after another program wrote) and committing one
cause edit (every keystroke-and-save, audited and hash-chained). Absolute times depend on the
machine and above all on its disk's fsync, so each figure is printed next to a floor measured in
the same run: the same reads or writes done with the standard library's `sqlite3` on the same
file with the same settings. The ratio between the two is what the service's own code costs.

Run from the repository root: `python bench/bench_store.py [--causes N] [--edits N]`.
It prints figures only; it asserts nothing about them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import json
import math
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

try:
    import models  # noqa: F401 - only checks that the package is importable
except ImportError:  # running from a source tree that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import networkx as nx
import sqlalchemy

from models.audit import GENESIS
from models.db import BUSY_TIMEOUT_MS
from models.graph import CauseGraph
from models.service import Service, open_service
from models.vocab import LONDON_PROTOCOL

#: How many times the graph is loaded by each side (the median is reported).
LOADS = 30
#: Untimed rounds before each timed series (connections opened, pages cached, graph cached).
WARMUP = 3
#: Edits timed after an outside write made the service's cached graph stale.
STALE_EDITS = 10
#: Cross-links added to the tree of causes, per cause (a fishbone is mostly, not only, a tree).
CROSS_LINKS = 0.02
SEED = 20240611

GRAPH_TARGET = 3.0  # ratio app / floor
EDIT_TARGET = 5.0  # ratio app / floor, medians (issue 16; was an absolute 5 ms)

# SQLAlchemy's SQLite DateTime storage format, so rows written by the floor read back the same.
SQL_DATETIME = "%Y-%m-%d %H:%M:%S.%f"

SUBJECTS = (
    "The night nurse",
    "The admitting physician",
    "Pharmacy",
    "The infusion pump",
    "The handover sheet",
    "The bed exit alarm",
    "The ward clerk",
    "The on-call registrar",
    "The electronic health record",
    "The agency healthcare assistant",
    "Theatre scheduling",
    "The discharge checklist",
    "The medication cart",
    "Bed management",
    "The escalation policy",
)
PROBLEMS = (
    "did not flag the patient's fall risk",
    "was not checked against the prescription",
    "showed no warning when the alarm was switched off",
    "was covering two bays because of sickness",
    "had no field for the delirium screen",
    "was interrupted during the drug round",
    "did not receive the updated care plan",
    "used a different dose unit from the order set",
    "had not been trained on the new pump library",
    "was moved to a side room away from the nurses' station",
    "missed the 02:00 observations",
    "left the high-risk medicines unlocked",
)
CONTEXTS = (
    "during the night shift",
    "after the patient was transferred from the emergency department",
    "while the ward was at full occupancy",
    "because the policy had not been updated since 2019",
    "as the shift changed over",
    "with no senior nurse on the ward",
    "although the risk had been raised at the last safety huddle",
    "since the supplier changed the default settings",
)


def _text(rng: random.Random) -> str:
    """A plausible cause statement of 40 to 120 characters."""
    out = f"{rng.choice(SUBJECTS)} {rng.choice(PROBLEMS)}"
    while len(out) < 40:
        out += f" {rng.choice(CONTEXTS)}"
    if rng.random() < 0.6:
        out += f" {rng.choice(CONTEXTS)}"
    if len(out) > 120:
        out = out[:120].rsplit(" ", 1)[0]
    return out


def make_document(n_causes: int, seed: int = SEED) -> dict:
    """An "rca-tui/1" document: one event, n-1 causes in a DAG that leads to it."""
    rng = random.Random(seed)
    # A random recursive tree: cause i led to an earlier cause, so every chain ends at c0 (the
    # event) and no link can close a circle. Cross-links also only point to lower numbers.
    edges: set[tuple[int, int]] = {(i, rng.randrange(i)) for i in range(1, n_causes)}
    wanted = len(edges) + int(n_causes * CROSS_LINKS)
    for _ in range(wanted * 20):
        if len(edges) >= wanted:
            break
        a = rng.randrange(2, n_causes) if n_causes > 2 else 0
        b = rng.randrange(a) if a else 0
        if a != b:
            edges.add((a, b))
    has_cause = {b for _, b in edges}
    causes = [
        {"id": "c0", "text": _text(rng), "category": None, "kind": "event"},
    ]
    for i in range(1, n_causes):
        if i not in has_cause:  # where a chain of whys stopped
            kind = rng.choices(("root", "contributing", "cause"), (5, 3, 2))[0]
        else:
            kind = rng.choices(("cause", "contributing", "root"), (7, 2, 1))[0]
        category = rng.choice(LONDON_PROTOCOL) if rng.random() < 0.9 else None
        causes.append({"id": f"c{i}", "text": _text(rng), "category": category, "kind": kind})
    return {
        "format": "rca-tui/1",
        "investigation": {
            "title": f"Benchmark: {n_causes:,} causes",
            "description": "Generated by bench/bench_store.py",
            "unit": "4 West",
        },
        "causes": causes,
        "links": [{"cause": f"c{a}", "effect": f"c{b}"} for a, b in sorted(edges)],
    }


# --- timing ----------------------------------------------------------------------------------
def _time(fn: Callable[[], object], rounds: int) -> list[float]:
    """Milliseconds per call of `fn`, after WARMUP untimed calls."""
    for _ in range(WARMUP):
        fn()
    gc.collect()
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter_ns()
        result = fn()
        t1 = time.perf_counter_ns()
        del result  # freeing what was loaded is not part of loading it
        out.append((t1 - t0) / 1e6)
    return out


def p95(samples: list[float]) -> float:
    """The 95th percentile, nearest-rank."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _connect(path: Path) -> sqlite3.Connection:
    """A plain connection with the app's settings (see models.db._sqlite_engine)."""
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA foreign_keys=ON")
    con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return con


# --- (a) loading the graph -------------------------------------------------------------------
def bench_load(service: Service, con: sqlite3.Connection, iid: int) -> dict[str, list[float]]:
    def floor() -> tuple[list, list]:
        nodes = con.execute(
            "SELECT id, kind, category FROM cause WHERE investigation_id=?", (iid,)
        ).fetchall()
        edges = con.execute(
            "SELECT cause_id, effect_id FROM causal_link WHERE investigation_id=?", (iid,)
        ).fetchall()
        return nodes, edges

    def floor_and_build() -> CauseGraph:
        nodes, edges = floor()
        return CauseGraph.build(nodes, edges)

    graph = service.load_graph(iid)
    nodes, edges = floor()
    assert len(graph) == len(nodes) and graph.g.number_of_edges() == len(edges)
    return {
        "app": _time(lambda: service.load_graph(iid), LOADS),
        "floor": _time(floor, LOADS),
        "floor+build": _time(floor_and_build, LOADS),
    }


# --- (b) one cause edit ----------------------------------------------------------------------
class FloorEditor:
    """One cause edit as plain sqlite3 would commit it: the rows update_cause writes, no more."""

    def __init__(self, con: sqlite3.Connection, user: str, cause_id: int, iid: int) -> None:
        self.con, self.user, self.cause_id, self.iid = con, user, cause_id, iid

    def edit(self, version: int, old: str, new: str) -> int:
        con = self.con
        at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        stamp = at.strftime(SQL_DATETIME)
        con.execute("BEGIN IMMEDIATE")
        try:
            cur = con.execute(
                "UPDATE cause SET text=?, version=? WHERE id=? AND version=?",
                (new, version + 1, self.cause_id, version),
            )
            if cur.rowcount != 1:
                raise RuntimeError("floor: the cause moved on (version mismatch)")
            # The chain's head, read under the write lock as any correct writer must.
            head = con.execute(
                "SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
            entry = [seq, at.isoformat(timespec="seconds"), self.user, self.iid, "cause"]
            entry += [self.cause_id, "update", "text", old, new, prev]
            payload = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
            digest = hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()
            con.execute(
                "INSERT INTO audit_entry (seq, at, user, investigation_id, entity, entity_id, "
                "action, field, old, new, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (seq, stamp, *entry[2:], digest),
            )
            con.execute(
                "UPDATE investigation SET graph_rev=graph_rev+1, updated_at=?, updated_by=? "
                "WHERE id=?",
                (stamp, self.user, self.iid),
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return version + 1


def bench_edit(
    service: Service, con: sqlite3.Connection, iid: int, cause_id: int, n_edits: int
) -> dict[str, object]:
    rng = random.Random(SEED + 1)
    cause = service.get_cause(cause_id)
    state = {"version": cause.version, "text": cause.text, "n": 0}

    def next_text() -> str:
        state["n"] += 1
        return f"{_text(rng)} (edit {state['n']})"

    def app() -> None:
        new = next_text()
        updated = service.update_cause(cause_id, state["version"], text=new)
        state["version"], state["text"] = updated.version, updated.text

    floor_editor = FloorEditor(con, service.user, cause_id, iid)

    def floor() -> None:
        new = next_text()
        state["version"] = floor_editor.edit(state["version"], state["text"], new)
        state["text"] = new

    # The app first, then the floor: each floor edit bumps graph_rev behind the service's back,
    # so interleaving would make every app edit reload the whole graph. The first app edit (in
    # the warm-up) loads the graph into the service's cache.
    app_ms = _time(app, n_edits)
    floor_ms = _time(floor, n_edits)

    # What an edit costs when another program (a second user) changed the graph since: the
    # service reloads the whole graph inside its write transaction.
    def outside_write() -> None:
        con.execute("UPDATE investigation SET graph_rev=graph_rev+1 WHERE id=?", (iid,))

    stale_ms = []
    for _ in range(STALE_EDITS):
        outside_write()
        gc.collect()
        t0 = time.perf_counter_ns()
        app()
        stale_ms.append((time.perf_counter_ns() - t0) / 1e6)

    final = service.get_cause(cause_id)
    assert final.version == state["version"] and final.text == state["text"]
    return {"app": app_ms, "floor": floor_ms, "stale": stale_ms}


# --- report ----------------------------------------------------------------------------------
def _versions() -> list[str]:
    return [
        f"Python   {platform.python_implementation()} {platform.python_version()} "
        f"({sys.executable})",
        f"SQLite   {sqlite3.sqlite_version} (library), SQLAlchemy {sqlalchemy.__version__}, "
        f"networkx {nx.__version__}",
        f"Platform {platform.platform()} {platform.machine()}, {os.cpu_count()} CPUs",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--causes", type=int, default=5000, help="causes in the graph (5000)")
    parser.add_argument("--edits", type=int, default=200, help="timed cause edits (200)")
    args = parser.parse_args(argv)
    if args.causes < 2:
        parser.error("--causes: at least 2 (the event and one cause to edit)")
    if args.edits < 1:
        parser.error("--edits: at least 1")

    for line in _versions():
        print(line)
    with tempfile.TemporaryDirectory(prefix="rca-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        print(f"Database {path}")
        print()

        doc = make_document(args.causes)
        service = open_service(path, user="bench")
        t0 = time.perf_counter()
        inv = service.import_document(doc)
        setup_s = time.perf_counter() - t0
        n_links = len(doc["links"])
        print(
            f"setup: imported {args.causes:,} causes and {n_links:,} links "
            f"in {setup_s:.1f} s (one transaction)"
        )

        con = _connect(path)
        try:
            load = bench_load(service, con, inv.id)
            app_l, floor_l = statistics.median(load["app"]), statistics.median(load["floor"])
            build_l = statistics.median(load["floor+build"])
            print(
                f"graph load, {LOADS} runs: app median {app_l:.2f} ms "
                f"(min {min(load['app']):.2f}), "
                f"sqlite3 floor median {floor_l:.2f} ms (min {min(load['floor']):.2f}); "
                f"floor + CauseGraph.build {build_l:.2f} ms"
            )

            causes = service.list_causes(inv.id)
            target = next(c for c in causes[len(causes) // 2 :] if c.kind != "event")
            edit = bench_edit(service, con, inv.id, target.id, args.edits)
            app_e, floor_e = edit["app"], edit["floor"]
            print(
                f"cause edit, {args.edits} commits: app median {statistics.median(app_e):.2f} ms "
                f"(p95 {p95(app_e):.2f}, max {max(app_e):.2f}), sqlite3 floor median "
                f"{statistics.median(floor_e):.2f} ms (p95 {p95(floor_e):.2f}, "
                f"max {max(floor_e):.2f})"
            )
            print(
                f"cause edit after another writer changed the graph, {STALE_EDITS} commits: "
                f"app median {statistics.median(edit['stale']):.2f} ms (the graph is reloaded)"
            )
        finally:
            con.close()

        problem = service.verify_audit()
        print(f"audit chain after the run: {'intact' if problem is None else problem.message}")
        service.db.dispose()

    med_a, med_f = statistics.median(app_e), statistics.median(floor_e)
    ratio_l, ratio_e = app_l / floor_l, med_a / med_f
    print()
    print("summary")
    print(
        f"graph load {args.causes} causes: app {app_l:.1f} ms, sqlite3 floor {floor_l:.1f} ms, "
        f"ratio {ratio_l:.1f}x (target <= {GRAPH_TARGET:g}x, "
        f"{'met' if ratio_l <= GRAPH_TARGET else 'missed'})"
    )
    print(
        f"cause edit: app {med_a:.1f} ms median (p95 {p95(app_e):.1f} ms), sqlite3 floor "
        f"{med_f:.1f} ms median (p95 {p95(floor_e):.1f} ms), ratio {ratio_e:.1f}x "
        f"(target <= {EDIT_TARGET:g}x, {'met' if ratio_e <= EDIT_TARGET else 'missed'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
