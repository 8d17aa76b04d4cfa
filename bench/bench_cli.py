"""The command line, cold: `rca list --json` with 1,000 investigations and one small import.

Why this exists: the command line is what scripts and people at a prompt call many times a day,
each call a fresh Python process, so what it imports and opens before doing anything is paid
on every call. Each figure is printed beside its floor from the same run: a fresh `python -c`
that runs the same query with the standard library's sqlite3 and prints it as JSON, which is
the least any program answering `rca list --json` can cost. Calls alternate between the two
sides so that a slow patch of the shared machine falls on both alike.

Run from the repository root: `python bench/bench_cli.py [--investigations N] [--runs N]`.
It prints figures only; it asserts nothing about them.
"""

from __future__ import annotations

import argparse
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

from bench_startup import setup as fill
from bench_store import make_document as cause_document

from models.domain import InvestigationSummary

REPO = Path(__file__).resolve().parents[1]
RATIO_TARGET = 3.0
WARMUP = 1
TIMEOUT_S = 120
SMALL_CAUSES = 20

#: The floor: the same query as the home list, printed as JSON, with nothing else loaded.
FLOOR = (
    "import json, sqlite3, sys\n"
    "con = sqlite3.connect(sys.argv[1])\n"
    "rows = con.execute('SELECT {cols} FROM investigation ORDER BY id').fetchall()\n"
    "print(json.dumps([dict(zip({names!r}, r)) for r in rows], indent=2))\n"
)


def env_for(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "RCA_"))}
    env["RCA_CONFIG"] = str(folder / "no-config.toml")  # does not exist: the defaults
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def rca_command() -> list[str]:
    """`rca` as installed beside this interpreter (what a user types), else `python -m`."""
    script = Path(sys.executable).with_name("rca")
    return [str(script)] if script.exists() else [sys.executable, "-m", "rca_tui"]


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    elapsed = (time.perf_counter() - t0) * 1e3
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:5])} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed, proc.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--investigations", type=int, default=1000, help="(1000)")
    parser.add_argument("--runs", type=int, default=7, help="timed calls of each side (7)")
    args = parser.parse_args(argv)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            *(str(REPO / p) for p in ("rca_tui", "screens", "models", "exports")),
        ],
        check=True,
    )
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    names = list(InvestigationSummary.__dataclass_fields__)
    floor_body = FLOOR.format(cols=", ".join(names), names=names)
    rca = rca_command()
    with tempfile.TemporaryDirectory(prefix="rca-bench-") as tmp:
        folder = Path(tmp)
        db = folder / "bench.db"
        setup_s = fill(db, args.investigations)
        print(f"setup: {args.investigations:,} investigations in {setup_s:.1f} s")
        small = folder / "small.json"
        small.write_text(json.dumps(cause_document(SMALL_CAUSES)), encoding="utf-8")
        env = env_for(folder)
        sides = {
            "list": [*rca, "--db", str(db), "list", "--json"],
            "import": [*rca, "--db", str(db), "import", str(small)],
            "floor": [sys.executable, "-c", floor_body, str(db)],
        }
        times: dict[str, list[float]] = {side: [] for side in sides}
        for i in range(WARMUP + args.runs):
            order = list(sides) if i % 2 == 0 else list(reversed(sides))
            for side in order:
                elapsed, out = timed(sides[side], env)
                if side == "list" and i == 0:
                    listed = len(json.loads(out))
                    if listed < args.investigations:
                        raise SystemExit(f"rca list --json: {listed} investigations")
                if i >= WARMUP:
                    times[side].append(elapsed)

    med = {side: statistics.median(t) for side, t in times.items()}
    floor = med["floor"]
    print()
    for side in sides:
        t = times[side]
        print(
            f"{side:6} {args.runs} calls: median {med[side]:.0f} ms (min {min(t):.0f}, "
            f"max {max(t):.0f})"
        )
    print()
    print("summary")
    for side, what in (
        ("list", f"rca list --json, {args.investigations:,} investigations (cold)"),
        ("import", f"one rca import of a {SMALL_CAUSES}-cause investigation (cold)"),
    ):
        ratio = med[side] / floor
        print(
            f"{what}: {med[side]:.0f} ms, python -c with sqlite3, same query: {floor:.0f} ms, "
            f"ratio {ratio:.1f}x (target <= {RATIO_TARGET:g}x, "
            f"{'met' if ratio <= RATIO_TARGET else 'missed'})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
