"""Exporting a large investigation with realistic text, each format against floors of the same run.

Why: reports are made at the end of a long investigation, often many at once (Word for the
committee, PDF for the file, a spreadsheet for the owners). Targets (issue 15): with realistic
causes (30-60 words each, with evidence) and 40 actions, the DOCX and the PDF each under 2 s in
one process, and under 3 s as a cold `rca export` (a fresh process, as a person runs it).

Also printed: the pictures alone (the fishbone split by bone for print, and the cause graph),
which DOCX and PDF share and which are most of either.

Floors, measured in the same run on the same investigation:
- json: the investigation as JSON with `json.dumps` alone (no report model, no pictures);
- docx-lib / pdf-lib: every text the report prints (the same strings, headings, paragraphs
  and table cells), written with python-docx or fpdf2 alone, in the plainest way the library
  offers (`add_paragraph`, `add_table`; `multi_cell` and `table()` with DejaVu Sans), without
  the pictures. What the writers add on top is layout, the pictures and the report model.

Run: .venv/bin/python bench/bench_exports.py [--causes 200] [--actions 40] [--runs 3]
     [--short] (the old 5-16 word causes) [--no-cold]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import statistics
import subprocess
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

SHORT_WORDS = (
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
#: Phrases clinicians write in causes and evidence, joined into 30-60 word sentences.
PHRASES = (
    "the night nurse was covering two bays after a sick call",
    "the bed exit alarm had been silenced during repositioning at 23:00",
    "the handover template has no field for the Morse fall score",
    "the agency nurse had not been shown how to re-arm the alarm",
    "the pharmacy system does not flag sedating drugs for patients over 80",
    "the bathroom is twelve metres from the bed along a corridor with one working light",
    "the physiotherapy assessment was booked for the third day because of weekend cover",
    "the call bell was clipped to the far side of the bed out of reach",
    "non-slip socks were out of stock because the ordering clerk had left",
    "the delirium screen is only done on the day shift according to the ward routine",
    "staff said they did not know the patient had been newly confused that evening",
    "the rota shows one registered nurse for eight patients between 02:00 and 04:00",
    "the incident log records three similar falls on this ward in the last year",
    "interviews with the charge nurse and the bed manager confirmed the sequence",
    "the manufacturer's manual says the alarm stays off until it is re-armed by hand",
)
EVIDENCE = (
    "Rota for 14-15 March; interviews with the RN, the HCA and the charge nurse",
    "Bed alarm event log downloaded by clinical engineering; manufacturer's manual p. 14",
    "Electronic record audit trail; handover sheet; Datix reports W-2291 and W-2307",
    "Pharmacy dispensing record; medication chart; interview with the prescriber",
)


def realistic(rnd: random.Random, low: int = 30, high: int = 60) -> str:
    """A cause as clinicians write it: `low` to `high` words from the phrases above."""
    words: list[str] = []
    goal = rnd.randint(low, high)
    while len(words) < goal:
        words += [*rnd.choice(PHRASES).split(), "and"]
    words = words[:goal]
    if words[-1] == "and":
        words.pop()
    return " ".join(words).capitalize() + "."


def big_document(n: int, actions: int = 40, *, short: bool = False, seed: int = 3) -> dict:
    """The demo investigation grown to `n` causes on 7 bones (some chains 4 deep) and
    `actions` actions; realistic texts (30-60 words, with evidence) unless `short`."""
    rnd = random.Random(seed)
    doc = demo_document()
    causes = [c for c in doc["causes"] if c["kind"] == "event"]
    links = []
    for i in range(n):
        if short:
            text = " ".join(rnd.choice(SHORT_WORDS) for _ in range(rnd.randint(5, 16)))
            text = text.capitalize()
        else:
            text = realistic(rnd)
        cause = {
            "id": f"x{i}",
            "text": text,
            "category": LONDON_PROTOCOL[i % 7],
            "kind": "root" if i % 9 == 0 else ("contributing" if i % 5 == 0 else "cause"),
        }
        if not short:
            cause["evidence"] = rnd.choice(EVIDENCE)
            if cause["kind"] == "root":
                cause["statement"] = realistic(rnd, 25, 40)
        causes.append(cause)
        target = causes[0]["id"] if i < 7 or rnd.random() < 0.3 else f"x{rnd.randrange(0, i)}"
        links.append({"cause": f"x{i}", "effect": target})
    doc["causes"] = causes
    doc["links"] = links
    roots = [c["id"] for c in causes if c.get("kind") == "root"]
    templates = doc["actions"]
    made = []
    for i in range(actions):
        action = dict(templates[i % len(templates)])
        action["addresses"] = [roots[i % len(roots)]]
        action["text"] = f"{action['text']} ({i + 1})" if short else realistic(rnd, 20, 40)
        made.append(action)
    doc["actions"] = made
    return doc


#: CPU seconds of each timed call (median), by the id of its function: on a machine shared
#: with other work the wall time grows with the load, the CPU time much less.
CPU: dict[int, float] = {}


def _cpu(children: bool) -> float:
    if children:
        use = resource.getrusage(resource.RUSAGE_CHILDREN)
        return use.ru_utime + use.ru_stime
    return time.process_time()


def _median(fn, runs: int, *, children: bool = False) -> float:
    """Wall time of `fn`, median of `runs`; its CPU time (or its child processes') goes in
    `CPU[id(fn)]`."""
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), _cpu(children)
        fn()
        times.append(time.perf_counter() - start)
        cpu.append(_cpu(children) - start_cpu)
    CPU[id(fn)] = statistics.median(cpu)
    return statistics.median(times)


def _both(fn, runs: int, *, children: bool = False) -> tuple[float, float]:
    """(wall, cpu) medians of `fn`."""
    wall = _median(fn, runs, children=children)
    return wall, CPU[id(fn)]


def _report_texts(dossier, findings):
    """The report's blocks as (kind, payload): what the library-alone floors write."""
    from exports.document import Heading, Item, Note, Para, Table, outline
    from exports.report import build_report

    out = []
    for b in outline(build_report(dossier, findings=findings)):
        if isinstance(b, Heading):
            out.append(("heading", b.text))
        elif isinstance(b, Para | Item):
            out.append(("para", "".join(r.text for r in (*getattr(b, "lead", ()), *b.runs))))
        elif isinstance(b, Note):
            out.append(("para", b.lead + b.text))
        elif isinstance(b, Table):
            out.append(("table", (b.headers, b.rows)))
    return out


def docx_floor(blocks) -> bytes:
    from docx import Document

    doc = Document()
    for kind, payload in blocks:
        if kind == "heading":
            doc.add_heading(payload, level=1)
        elif kind == "para":
            doc.add_paragraph(payload)
        else:
            headers, rows = payload
            table = doc.add_table(rows=1 + len(rows), cols=len(headers))
            for row, cells in zip(table.rows, (headers, *rows), strict=True):
                for cell, text in zip(row.cells, cells, strict=True):
                    cell.text = text
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def pdf_floor(blocks) -> bytes:
    import matplotlib
    from fpdf import FPDF

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf = FPDF(format="letter")
    pdf.add_font("dejavu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("dejavu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    for kind, payload in blocks:
        if kind == "heading":
            pdf.set_font("dejavu", "B", 14)
            pdf.multi_cell(0, 7, payload, new_x="LMARGIN", new_y="NEXT")
        elif kind == "para":
            pdf.set_font("dejavu", "", 9.5)
            pdf.multi_cell(0, 4.5, payload, new_x="LMARGIN", new_y="NEXT")
        else:
            headers, rows = payload
            pdf.set_font("dejavu", "", 8)
            with pdf.table(line_height=3.8) as table:
                for cells in (headers, *rows):
                    row = table.row()
                    for text in cells:
                        row.cell(text)
    return bytes(pdf.output())


def _png_pixels(png: bytes) -> int:
    """Width x height from a PNG's IHDR."""
    return int.from_bytes(png[16:20], "big") * int.from_bytes(png[20:24], "big")


def cold_export(db: Path, inv_id: int, fmt: str, out: Path, runs: int) -> tuple[float, float]:
    """`rca export` in a fresh process: (wall, cpu) medians of `runs`."""
    rca = Path(sys.executable).with_name("rca")
    env = {**os.environ, "RCA_DB": str(db), "RCA_USER": "bench"}
    env["RCA_CONFIG"] = str(out / "none.toml")

    def run() -> None:
        subprocess.run(
            [str(rca), "export", str(inv_id), "--format", fmt, "-o", str(out) + "/", "--force"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    return _both(run, runs, children=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--causes", type=int, default=200)
    parser.add_argument("--actions", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--short", action="store_true", help="5-16 word causes, no evidence")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold `rca export`")
    parser.add_argument("--formats", default=",".join(FORMATS), help="formats to time")
    args = parser.parse_args()

    import exports

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        service = open_service(db, user="bench")
        inv = service.import_document(
            big_document(args.causes, args.actions, short=args.short)
        )
        dossier = service.dossier(inv.id)
        findings = service.check(inv.id)
        words = sum(len(c.text.split()) for c in dossier.causes) / len(dossier.causes)
        print(
            f"Python {sys.version.split()[0]}; {len(dossier.causes)} causes "
            f"({words:.0f} words each on average), {len(dossier.actions)} actions"
        )

        floors = {"json": _both(lambda: json.dumps(service.export_document(inv.id)), args.runs)}
        blocks = _report_texts(dossier, findings)
        floors["docx-lib"] = _both(lambda: docx_floor(blocks), args.runs)
        floors["pdf-lib"] = _both(lambda: pdf_floor(blocks), args.runs)
        for name, (value, cpu) in floors.items():
            print(f"floor {name:8} {value * 1000:6.0f} ms (cpu {cpu * 1000:6.0f} ms)")

        # What DOCX and PDF share (drawn once when both are asked for): the fishbone, split
        # by bone for print, and the cause graph. Printed apart to show where the time goes.
        from exports.formats import Job

        parts = _both(lambda: Job(dossier, findings).png_pictures, args.runs)
        pictures = Job(dossier, findings).png_pictures
        pixels = sum(_png_pixels(png) for png in pictures.values())
        print(
            f"pictures       {parts[0] * 1000:6.0f} ms (cpu {parts[1] * 1000:6.0f} ms): "
            f"{len(pictures)} PNGs, {pixels / 1e6:.0f} Mpx, part of both docx and pdf"
        )

        results = {}
        for fmt in exports.parse_formats(args.formats):
            out = Path(tmp) / fmt
            results[fmt] = _both(
                lambda fmt=fmt, out=out: exports.export_formats(
                    dossier,
                    [fmt],
                    str(out) + "/",
                    force=True,
                    findings=findings,
                    generated_by="bench",
                    db_version="bench",
                ),
                args.runs,
            )
        both = None
        if {"docx", "pdf"} <= set(results):  # the usual pair: the pictures drawn once for both
            out = Path(tmp) / "both"
            both = _both(
                lambda: exports.export_formats(
                    dossier, ["docx", "pdf"], str(out) + "/", force=True, findings=findings,
                    generated_by="bench", db_version="bench",
                ),
                args.runs,
            )
        cold = {}
        if not args.no_cold:
            for fmt in ("docx", "pdf"):
                cold[fmt] = cold_export(db, inv.id, fmt, Path(tmp), args.runs)
        service.db.dispose()

    print()
    print("summary (in one process; target under 2 s for docx and pdf)")
    print("(cpu: the CPU time of the same runs, what a machine without other work would take)")
    for fmt, (value, cpu) in results.items():
        floor, floor_cpu = floors.get(f"{fmt}-lib", floors["json"])
        name = f"{fmt}-lib" if f"{fmt}-lib" in floors else "json"
        verdict = ("met" if value < 2 else "missed") if fmt in ("docx", "pdf") else "-"
        print(
            f"export {fmt:8} {value * 1000:6.0f} ms, {value / floor:5.1f}x the {name} floor "
            f"({verdict}); cpu {cpu * 1000:6.0f} ms, {cpu / max(floor_cpu, 1e-9):5.1f}x"
        )
    if both:
        print(
            f"export docx+pdf {both[0] * 1000:5.0f} ms together (pictures drawn once); "
            f"cpu {both[1] * 1000:6.0f} ms"
        )
    for fmt, (value, cpu) in cold.items():
        verdict = "met" if value < 3 else "missed"
        print(
            f"cold rca export {fmt:5} {value * 1000:6.0f} ms (target under 3 s, {verdict}); "
            f"cpu {cpu * 1000:6.0f} ms"
        )


if __name__ == "__main__":
    main()
