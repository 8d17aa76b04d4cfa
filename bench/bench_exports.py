"""Exporting a 200-cause investigation to each format, against a floor written in the same run.

Why: reports are made at the end of a long investigation, often many at once (Word for the
committee, PDF for the file, a spreadsheet for the owners). The issue's target: under 2 s per
format on this machine. The floor is the same investigation's JSON written with `json.dumps`
alone (no report model, no pictures), so the ratios show what each format adds.

Run: .venv/bin/python bench/bench_exports.py [--causes 200] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
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

from exports.formats import FORMATS
from models.demo import demo_document
from models.service import open_service
from models.vocab import LONDON_PROTOCOL


def big_document(n: int, seed: int = 3) -> dict:
    """The demo investigation grown to `n` causes on 7 bones, some chains 4 deep."""
    rnd = random.Random(seed)
    doc = demo_document()
    causes = [c for c in doc["causes"] if c["kind"] == "event"]
    links = []
    words = (
        "alarm",
        "handover",
        "pump",
        "label",
        "staffing",
        "night",
        "policy",
        "scanner",
        "order",
        "transfer",
        "screen",
        "training",
        "checklist",
        "bed",
        "light",
    )
    for i in range(n):
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(5, 16))).capitalize()
        cause = {
            "id": f"x{i}",
            "text": text,
            "category": LONDON_PROTOCOL[i % 7],
            "kind": "root" if i % 9 == 0 else ("contributing" if i % 5 == 0 else "cause"),
        }
        causes.append(cause)
        target = causes[0]["id"] if i < 7 or rnd.random() < 0.3 else f"x{rnd.randrange(0, i)}"
        links.append({"cause": f"x{i}", "effect": target})
    doc["causes"] = causes
    doc["links"] = links
    roots = [c["id"] for c in causes if c.get("kind") == "root"]
    actions = doc["actions"]
    for i, root in enumerate(roots):
        template = dict(actions[i % len(actions)])
        template["addresses"] = [root]
        template["text"] = f"{template['text']} ({i})"
        actions.append(template)
    doc["actions"] = [
        a for a in actions if all(r in {c["id"] for c in causes} for r in a["addresses"])
    ]
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--causes", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import exports

    with tempfile.TemporaryDirectory() as tmp:
        service = open_service(Path(tmp) / "bench.db", user="bench")
        inv = service.import_document(big_document(args.causes))
        dossier = service.dossier(inv.id)
        findings = service.check(inv.id)
        n_causes, n_actions = len(dossier.causes), len(dossier.actions)
        print(f"Python {sys.version.split()[0]}; {n_causes} causes, {n_actions} actions")

        floor = []
        for _ in range(args.runs):
            start = time.perf_counter()
            json.dumps(service.export_document(inv.id))
            floor.append(time.perf_counter() - start)
        floor_ms = statistics.median(floor) * 1000
        print(f"floor: the investigation as JSON with json.dumps: {floor_ms:.0f} ms")

        results = {}
        for fmt in FORMATS:
            times = []
            try:
                for run in range(args.runs):
                    out = Path(tmp) / f"run{run}"
                    start = time.perf_counter()
                    exports.export_formats(
                        dossier,
                        [fmt],
                        str(out) + "/",
                        findings=findings,
                        generated_by="bench",
                        db_version="bench",
                    )
                    times.append(time.perf_counter() - start)
            except Exception as exc:  # a format that is not built yet is reported, not fatal
                results[fmt] = f"not available ({' '.join(str(exc).split())[:60]})"
                continue
            results[fmt] = statistics.median(times)
        service.db.dispose()

    print()
    print("summary")
    for fmt, value in results.items():
        if isinstance(value, str):
            print(f"export {fmt:8} {value}")
            continue
        verdict = "met" if value < 2 else "missed"
        print(
            f"export {fmt:8} {value * 1000:6.0f} ms, {value * 1000 / floor_ms:5.1f}x the floor "
            f"(target under 2 s, {verdict})"
        )


if __name__ == "__main__":
    main()
