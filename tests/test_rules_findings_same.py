"""`rca check` finds exactly what it found before it was made faster (issue 16).

The fixture was written by tests/findings_fixture.py with the code before that work: every
finding of two generated 500-cause investigations, in order. A change to a rule that means to
change findings regenerates it (and says so in its commit).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from findings_fixture import FIXTURE, documents, findings_of

from models.service import open_service


def test_findings_of_large_investigations_are_unchanged_and_in_the_same_order(tmp_path):
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    service = open_service(str(tmp_path / "f.db"), user="fixture")
    for name, doc in documents().items():
        assert findings_of(service, doc) == expected[name], name
