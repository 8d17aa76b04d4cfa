"""Adding a cause on the fishbone and seeing it drawn: 2,000 causes against 10, with Pilot.

Why: the fishbone is where a team brainstorms; each new cause must appear at once even in a
very large investigation. The issue's target: with 2,000 causes, adding a cause and seeing it
drawn takes at most 1.5x the time it takes with 10 causes. The clock runs from the moment the
cause dialog is submitted (ctrl+s) until the drawing's layout holds the new cause; typing the
text is the same in both and is left out.

Run: .venv/bin/python bench/bench_fishbone.py [--runs N] [--big 2000] [--small 10]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

try:
    import models  # noqa: F401
except ImportError:  # run from a source tree without installing
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.service import open_service
from models.vocab import LONDON_PROTOCOL


def document(n: int, seed: int = 7) -> dict:
    rnd = random.Random(seed)
    causes = [
        {"id": "e", "text": "Patient received ten times the ordered insulin dose", "kind": "event"}
    ]
    links = []
    for i in range(n):
        bone = LONDON_PROTOCOL[i % len(LONDON_PROTOCOL)]
        causes.append(
            {"id": f"c{i}", "text": f"Cause {i}: " + "word " * rnd.randint(3, 12), "category": bone}
        )
        # a third are sub-causes of an earlier cause on the same bone
        if i >= 7 and rnd.random() < 0.33:
            links.append({"cause": f"c{i}", "effect": f"c{i - 7}"})
        else:
            links.append({"cause": f"c{i}", "effect": "e"})
    return {
        "format": "rca-tui/1",
        "investigation": {"title": f"Bench {n}"},
        "causes": causes,
        "links": links,
    }


async def measure(n: int, runs: int) -> list[float]:
    from rca_tui.app import make_app
    from screens.cause_dialog import CauseDialog
    from screens.fishbone import FishboneScreen
    from screens.widgets.fishbone import FishboneView

    with tempfile.TemporaryDirectory() as tmp:
        service = open_service(Path(tmp) / "bench.db", user="bench")
        inv = service.import_document(document(n))
        app = make_app(service, today=dt.date(2026, 11, 30))
        times = []
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            app.push_screen(FishboneScreen(inv.id))
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            view = app.screen.query_one(FishboneView)
            for run in range(runs + 1):
                await pilot.press("a")
                await pilot.pause()
                assert isinstance(app.screen, CauseDialog)
                text = f"New cause {run}"
                await pilot.press(*text)
                before = set(view.fishbone_layout.position) if view.fishbone_layout else set()
                start = time.perf_counter()
                await pilot.press("ctrl+s")
                while True:
                    layout = view.fishbone_layout
                    if layout is not None and len(set(layout.position) - before) >= 1:
                        break
                    await asyncio.sleep(0)
                elapsed = time.perf_counter() - start
                if run:  # the first run warms caches
                    times.append(elapsed)
        service.db.dispose()
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--big", type=int, default=2000)
    args = parser.parse_args()
    import textual

    print(f"Python {sys.version.split()[0]}, Textual {textual.__version__}")
    small = asyncio.run(measure(args.small, args.runs))
    big = asyncio.run(measure(args.big, args.runs))
    ms = statistics.median(small) * 1000
    mb = statistics.median(big) * 1000
    ratio = mb / ms
    verdict = "met" if ratio <= 1.5 else "missed"
    print(
        f"add a cause and see it drawn, {args.small} causes: median {ms:.1f} ms "
        f"(min {min(small) * 1000:.1f})"
    )
    print(
        f"add a cause and see it drawn, {args.big} causes: median {mb:.1f} ms "
        f"(min {min(big) * 1000:.1f})"
    )
    print()
    print("summary")
    print(
        f"fishbone add-and-draw: {args.big} causes {mb:.1f} ms, {args.small} causes {ms:.1f} ms,"
        f" ratio {ratio:.2f}x (target <= 1.5x, {verdict})"
    )


if __name__ == "__main__":
    main()
