"""The store on a PostgreSQL server beside a SQLite file: one cause edit, and four writers.

Why this exists: a department moves to PostgreSQL for several people at once; the questions are
what one audited edit costs there against the embedded file, and how many causes four programs
writing at once get saved per second (writers are serialised on both: BEGIN IMMEDIATE on
SQLite, a transaction-scoped advisory lock on PostgreSQL). Each figure is printed beside the
same work on SQLite in the same run, as a ratio.

Run from the repository root: `python bench/bench_server.py [--edits N] [--url URL]`; the URL
is a server where the user may create databases (default: $RCA_TEST_PG, else this machine's
postgresql://root@127.0.0.1:5432/postgres). A database is created for the run and dropped.
It prints figures only.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

try:
    import models  # noqa: F401
except ImportError:  # running from a source tree that is not installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.service import open_service

WRITERS, EACH = 4, 25


def edits(url: str, n: int) -> list[float]:
    service = open_service(url, user="bench")
    inv = service.create_investigation("Bench")
    cause = service.add_cause(inv.id, "Bed alarm off")
    times = []
    for i in range(n + 5):
        start = time.perf_counter()
        cause = service.update_cause(cause.id, cause.version, text=f"Bed alarm off ({i})")
        if i >= 5:  # the first few open connections and warm the graph cache
            times.append(time.perf_counter() - start)
    service.db.dispose()
    return times


def _writer(url: str, inv_id: int, tag: str, start, done) -> None:
    service = open_service(url, user=tag)
    start.wait()
    for i in range(EACH):
        service.add_cause(inv_id, f"{tag}: cause {i}")
    service.db.dispose()
    done.put(time.perf_counter())


def four_writers(url: str) -> float:
    """Causes saved per second by four processes adding 25 causes each at once."""
    service = open_service(url, user="bench")
    inv = service.create_investigation("Four writers")
    service.db.dispose()
    ctx = mp.get_context("fork")
    start, done = ctx.Barrier(WRITERS + 1), ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(url, inv.id, f"w{i}", start, done))
        for i in range(WRITERS)
    ]
    for p in procs:
        p.start()
    start.wait()
    began = time.perf_counter()
    ended = max(done.get(timeout=300) for _ in procs)
    for p in procs:
        p.join()
    service = open_service(url, user="bench")
    saved = len(service.list_causes(inv.id))
    intact = service.verify_audit() is None
    service.db.dispose()
    if saved != WRITERS * EACH or not intact:
        print(f"  {url}: {saved} of {WRITERS * EACH} saved, chain intact: {intact}")
    return WRITERS * EACH / (ended - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument(
        "--url",
        default=os.environ.get("RCA_TEST_PG", "postgresql://root@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    import psycopg
    from sqlalchemy.engine import make_url

    admin_url = args.url.replace("postgresql+psycopg://", "postgresql://", 1)
    name = f"rca_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        print(f"no PostgreSQL server at {admin_url}: {' '.join(str(exc).split())}")
        return
    admin.execute(f'CREATE DATABASE "{name}"')
    pg = make_url(args.url).set(database=name).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            lite = str(Path(tmp) / "bench.db")
            lite_edit = statistics.median(edits(lite, args.edits)) * 1000
            pg_edit = statistics.median(edits(pg, args.edits)) * 1000
            lite_rate = four_writers(lite)
            pg_rate = four_writers(pg)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    print(f"one cause edit, committed with its audit entry (median of {args.edits}):")
    print(f"  SQLite {lite_edit:6.2f} ms   PostgreSQL {pg_edit:6.2f} ms   "
          f"ratio {pg_edit / lite_edit:4.1f}x")
    print(f"four writers, {WRITERS} x {EACH} causes at once (checked: all saved, chain intact):")
    print(f"  SQLite {lite_rate:6.0f} causes/s   PostgreSQL {pg_rate:6.0f} causes/s   "
          f"ratio {pg_rate / lite_rate:4.2f}x")


if __name__ == "__main__":
    main()
