"""Findings of two generated 500-cause investigations, as `rca check` computes them.

Why: `rca check` and the overview were made faster (issue 16); the findings must stay exactly
the same, in the same order. `python tests/findings_fixture.py` wrote tests/data/findings_500.json
with the code before that work; tests/test_rules_findings_same.py compares against it.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "findings_500.json"
TODAY = dt.date(2026, 11, 30)


def documents() -> dict[str, dict]:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_exports import big_document
    from bench_store import make_document

    return {"scale": make_document(500), "exports": big_document(500, 60)}


def findings_of(service, doc: dict) -> list[list]:
    inv = service.import_document(doc)
    return [[f.code, f.severity, f.subject, f.message] for f in service.check(inv.id, TODAY)]


def main() -> None:
    from models.service import open_service

    with tempfile.TemporaryDirectory() as tmp:
        service = open_service(str(Path(tmp) / "f.db"), user="fixture")
        out = {name: findings_of(service, doc) for name, doc in documents().items()}
    FIXTURE.write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print({k: len(v) for k, v in out.items()})


if __name__ == "__main__":
    main()
