"""How fast learning across investigations is at hospital scale, against a plain SQL GROUP BY.

Why this exists: the learning screen and `rca similar` read every investigation, and a hospital
has thousands. With 10,000 investigations of 20 causes each (rows written straight into a fresh
database, so that building the set takes seconds), this times the learning screen's data
(`Service.learning`), `rca similar` (`Service.similar`) and, as the floor, plain GROUP BYs over
the same rows with the standard library's `sqlite3`: the counts by event type and by code for
the screen, the shared codes for similar. The ratio is what the service's own work costs.

Targets: the learning screen's data under 1 s, similar under 200 ms.

Run from the repository root: `python bench/bench_learning.py [--investigations N] [--causes N]
[--pg postgresql://USER@HOST:PORT/DB]` (with --pg, the same again on a scratch PostgreSQL
database).
It prints figures only; it asserts nothing about them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

try:
    import models  # noqa: F401 - only checks that the package is importable
except ImportError:  # running from a source tree that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from models.codes import seed
from models.service import open_service
from models.tables import (
    ActionCauseRow,
    ActionRow,
    CauseCodeLinkRow,
    CauseRow,
    InvestigationRow,
    SignOffRow,
)

SEED = 20261202
SCREEN_TARGET_S = 1.0
SIMILAR_TARGET_MS = 200.0
#: Words of the generated titles and cause texts.
WORDS = """heparin insulin vial pump alarm fall bed night handover order label pharmacy dose
syringe monitor transfer discharge sepsis delay consent site marking count sponge restraint
suicide ligature stair wet floor oxygen line tube blood transfusion wrong patient identity
wristband allergy chart scanner interface downtime staffing"""
VOCABULARY = WORDS.split()
EVENT_TYPES = ("fall", "medication", "surgery", "device", "blood", "other")
HARMS = ("none", "mild", "moderate", "severe", "death")
UNITS = tuple(f"Unit {i}" for i in range(1, 25))


def build(target: str, investigations: int, causes: int) -> None:
    """The set, written straight into a fresh database (a file path or a server URL)."""
    rnd = random.Random(SEED)
    service = open_service(target, user="bench")
    engine = service.db.engine
    codes = [c.key for c in seed().codes]
    now = dt.datetime(2026, 12, 1, 12)
    inv_rows, cause_rows, link_rows, action_rows, ac_rows, signoffs = [], [], [], [], [], []
    cause_id = action_id = 0
    for i in range(1, investigations + 1):
        day = dt.datetime(2022, 1, 1) + dt.timedelta(days=rnd.randrange(1460), hours=9)
        approved = rnd.random() < 0.7
        inv_rows.append(
            {
                "id": i,
                "title": " ".join(rnd.choices(VOCABULARY, k=6)),
                "description": "",
                "occurred_at": day,
                "discovered_at": day,
                "decision_at": day + dt.timedelta(days=1),
                "unit": rnd.choice(UNITS),
                "reported_by": "",
                "event_type": rnd.choice(EVENT_TYPES),
                "harm": rnd.choice(HARMS),
                "sac_score": rnd.choice((1, 2, 3)),
                "sentinel": rnd.random() < 0.2,
                "blameworthy": False,
                "blameworthy_note": "",
                "status": "approved" if approved else "action_plan",
                "patient_name": "",
                "patient_mrn": "",
                "created_by": "bench",
                "created_at": now,
                "updated_by": "bench",
                "updated_at": now,
                "version": 1,
                "graph_rev": 0,
            }
        )
        if approved:
            signoffs.append(
                {
                    "investigation_id": i,
                    "role": "reviewer",
                    "name": "rita",
                    "login": "rita",
                    "decision": "approved",
                    "comment": "",
                    "at": day + dt.timedelta(days=rnd.randrange(20, 90)),
                    "imported": False,
                    "override_reason": "",
                }
            )
        for j in range(causes):
            cause_id += 1
            kind = "event" if j == 0 else ("root" if j <= 4 else "cause")
            cause_rows.append(
                {
                    "id": cause_id,
                    "investigation_id": i,
                    "text": " ".join(rnd.choices(VOCABULARY, k=8)),
                    "kind": kind,
                    "evidence": "",
                    "statement": "",
                    "no_action_reason": "",
                    "weak_only_reason": "",
                    "created_by": "bench",
                    "created_at": now,
                    "version": 1,
                }
            )
            if kind == "root" or rnd.random() < 0.2:
                for code in set(rnd.choices(codes, k=rnd.choice((1, 2)))):
                    link_rows.append({"cause_id": cause_id, "code": code, "investigation_id": i})
            if kind == "root":
                action_id += 1
                action_rows.append(
                    {
                        "id": action_id,
                        "investigation_id": i,
                        "text": " ".join(rnd.choices(VOCABULARY, k=7)),
                        "strength": rnd.choice(("stronger", "intermediate", "weaker", "weaker")),
                        "hierarchy_category": "",
                        "owner": "owner",
                        "due": (day + dt.timedelta(days=90)).date(),
                        "status": rnd.choice(("open", "in_progress", "done")),
                        "measure_what": "",
                        "measure_how": "",
                        "measure_sample": "",
                        "measure_target": "",
                        "concurrence_reason": "",
                        "concurrence_by": "",
                        "concurrence_name": "",
                        "concurrence_override": "",
                        "imported_concurrence": "",
                        "version": 1,
                    }
                )
                ac_rows.append({"action_id": action_id, "cause_id": cause_id})
    with engine.begin() as conn:
        for table, rows in (
            (InvestigationRow, inv_rows),
            (CauseRow, cause_rows),
            (CauseCodeLinkRow, link_rows),
            (ActionRow, action_rows),
            (ActionCauseRow, ac_rows),
            (SignOffRow, signoffs),
        ):
            for k in range(0, len(rows), 5000):
                conn.execute(insert(table.__table__), rows[k : k + 5000])
    service.db.dispose()


def timed(fn, rounds: int) -> float:
    fn()  # warm: connections, pages, imports
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(target: str, floor_conn, mark: str, args) -> None:
    """Build the set in `target`, time the service and the floor (a DB-API connection to the
    same database, `mark` its parameter marker), print the figures."""
    start = time.perf_counter()
    build(target, args.investigations, args.causes)
    print(
        f"built {args.investigations} investigations x {args.causes} causes "
        f"in {time.perf_counter() - start:.1f} s"
    )
    service = open_service(target, user="bench")
    today = dt.date(2026, 12, 1)
    screen = timed(lambda: service.learning(today=today), args.rounds)
    rnd = random.Random(SEED)
    targets = [rnd.randrange(1, args.investigations + 1) for _ in range(args.rounds + 1)]
    it = iter(targets * 2)
    similar = timed(lambda: service.similar(next(it)), args.rounds)
    conn = floor_conn()
    cur = conn.cursor()

    def floor_screen() -> None:
        cur.execute("SELECT event_type, count(*) FROM investigation GROUP BY event_type")
        cur.fetchall()
        cur.execute(
            "SELECT code, count(DISTINCT investigation_id), count(*) FROM cause_code_link "
            "GROUP BY code"
        )
        cur.fetchall()

    cur.execute("SELECT DISTINCT code FROM cause_code_link ORDER BY code LIMIT 3")
    codes = [r[0] for r in cur.fetchall()]

    def floor_similar() -> None:
        marks = ",".join([mark] * len(codes))
        cur.execute(
            "SELECT investigation_id, count(DISTINCT code) FROM cause_code_link "
            f"WHERE code IN ({marks}) GROUP BY investigation_id",
            codes,
        )
        cur.fetchall()

    screen_floor = timed(floor_screen, args.rounds)
    similar_floor = timed(floor_similar, args.rounds)
    conn.close()
    service.db.dispose()
    print(
        f"learning screen data  {screen * 1000:8.1f} ms   floor (GROUP BY) "
        f"{screen_floor * 1000:7.1f} ms   ratio {screen / screen_floor:6.1f}x   "
        f"target < {SCREEN_TARGET_S * 1000:.0f} ms: "
        f"{'met' if screen < SCREEN_TARGET_S else 'NOT met'}"
    )
    print(
        f"rca similar           {similar * 1000:8.1f} ms   floor (GROUP BY) "
        f"{similar_floor * 1000:7.1f} ms   ratio {similar / similar_floor:6.1f}x   "
        f"target < {SIMILAR_TARGET_MS:.0f} ms: "
        f"{'met' if similar * 1000 < SIMILAR_TARGET_MS else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--investigations", type=int, default=10_000)
    parser.add_argument("--causes", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--pg",
        metavar="URL",
        help="also on PostgreSQL: a server URL with the right to create databases "
        "(postgresql://root@127.0.0.1:5432/postgres); a scratch database is made and dropped",
    )
    args = parser.parse_args()
    print("SQLite")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "learning.db"
        measure(str(path), lambda: sqlite3.connect(path), "?", args)
    if args.pg:
        import psycopg
        from sqlalchemy.engine import make_url

        server = make_url(args.pg)
        name = f"rca_bench_learning_{os.getpid()}"
        plain = server.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(plain, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        try:
            url = server.set(database=name).render_as_string(hide_password=False)
            floor_url = server.set(drivername="postgresql", database=name).render_as_string(
                hide_password=False
            )
            print("PostgreSQL")
            measure(url, lambda: psycopg.connect(floor_url), "%s", args)
        finally:
            with psycopg.connect(plain, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
