"""The report as DOCX (python-docx) and PDF (fpdf2), read back: sections in order, tables with
every action's owner and measure, pictures embedded, page numbers, hostile texts printed as typed,
any language without a crash, and the de-identified copy marked and clean."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import shutil
import subprocess
import warnings
import xml.etree.ElementTree as ET
import zipfile

import pytest

from exports.report import DEIDENTIFIED_MARKER, SECTIONS, build_report
from models.domain import (
    Action,
    Cause,
    Dossier,
    Feedback,
    Finding,
    Investigation,
    Link,
    Measure,
    SignOff,
    TeamMember,
    TimelineEntry,
)

NOW = dt.datetime(2026, 3, 2, 10, 30)
NAME = "Eleanor Rigby"
MRN = "MRN-0048213"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example/x")'
MARKUP = "[bold]x[/] **y** $x^2$"
EMOJI_CJK = "転倒した 😀"
HOSTILE = f"{SCRIPT} {FORMULA} {MARKUP} bell\x07 ff\x0c"
LEAKS = ("eleanor", "rigby", "0048213")


def dossier(extra: str = "", *, title: str | None = None, n_causes: int = 0) -> Dossier:
    """A complete investigation; `extra` is appended to the free texts."""
    x = f" {extra}" if extra else ""
    inv = Investigation(
        id=7,
        title=title if title is not None else f"Fall on 4 West{x}",
        description=f"Patient {NAME} ({MRN}) fell at night{x}",
        occurred_at=dt.datetime(2026, 2, 20, 3, 10),
        discovered_at=dt.datetime(2026, 2, 20, 3, 15),
        decision_at=dt.datetime(2026, 2, 21, 9, 0),
        unit="4 West",
        event_type="fall",
        harm="severe",
        severity_actual="major",
        probability="frequent",
        sac_score=3,
        sentinel=True,
        status="action_plan",
        patient_name=NAME,
        patient_mrn=MRN,
        patient_dob=dt.date(1945, 5, 14),
    )
    causes = [
        Cause(1, 7, f"Patient fell at 03:10{x}", None, "event"),
        Cause(2, 7, f"Bed alarm was off{x}", "Task and technology", "cause", "Bed log"),
        Cause(3, 7, f"Alarm needs manual re-arm{x}", "Task and technology", "cause"),
        Cause(4, 7, f"Beds bought without usability test{x}", "Organisation", "root", "", "S1"),
        Cause(5, 7, f"Night light broken{x}", "Work environment", "contributing"),
        Cause(6, 7, f"Handover has no fall-risk field{x}", "Team", "root"),
    ]
    links = [
        Link(1, 7, 2, 1),
        Link(2, 7, 3, 2),
        Link(3, 7, 4, 3),
        Link(4, 7, 5, 1),
        Link(5, 7, 6, 1),
    ]
    for i in range(n_causes):
        cid = 100 + i
        causes.append(
            Cause(cid, 7, f"Extra cause {i} about staffing and alarms{x}", "Team", "cause")
        )
        links.append(Link(1000 + i, 7, cid, 1 if i % 3 == 0 else cid - 1))
    actions = (
        Action(
            1,
            7,
            f"Beds re-arm their alarm by themselves{x}",
            (4,),
            "stronger",
            "Forcing function",
            f"Dana Whitfield{x}",
            dt.date(2026, 4, 1),
            "in_progress",
            Measure("process", f"Beds that re-arm{x}", "Engineering check", "All 32", "100%"),
            "concur",
            "",
            "CMO",
            dt.datetime(2026, 3, 1, 9, 0),
        ),
        Action(
            2,
            7,
            f"Add a fall-risk field to the handover{x}",
            (6,),
            "intermediate",
            "Software enhancement",
            f"Priya Raman{x}",
            dt.date(2026, 4, 15),
            "open",
            Measure(
                "outcome", f"Falls per 1,000 patient-days{x}", "Incident reports", "All", "-30%"
            ),
        ),
    )
    return Dossier(
        investigation=inv,
        team=(
            TeamMember(1, 7, f"Alex Morgan{x}", "facilitator"),
            TeamMember(2, 7, "Pat Kim", "patient_rep"),
        ),
        timeline=(
            TimelineEntry(
                1, 7, dt.datetime(2026, 2, 19, 23, 0), f"Alarm reset{x}", "Re-armed", "Log"
            ),
            TimelineEntry(2, 7, dt.datetime(2026, 2, 20, 3, 10), f"{NAME} found on floor", ""),
        ),
        causes=tuple(causes),
        links=tuple(links),
        actions=actions,
        signoffs=(SignOff(1, 7, "CMO", "Dr Lee", "approved", f"Fine{x}", NOW),),
        feedback=(Feedback(1, 7, "patient_family", dt.date(2026, 2, 22), "Alex", f"Met{x}"),),
        categories=("Task and technology", "Organisation", "Work environment", "Team"),
    )


FINDINGS = [Finding("R2", "warning", 3, "Vague descriptor"), Finding("A1", "error", None, "Hmm")]


def report(d: Dossier | None = None, **kwargs):
    return build_report(
        d or dossier(),
        findings=FINDINGS,
        generated_by="tester",
        db_version="0003",
        now=NOW,
        **kwargs,
    )


@pytest.fixture(scope="module")
def pictures():
    from exports import diagrams

    r = report()
    return {
        "fishbone": diagrams.fishbone_png(r.event.text, r.categories, r.causes, r.links, dpi=60),
        "graph": diagrams.graph_png(r.causes, r.links, dpi=60),
    }


def headings_in_order(found: list[str]) -> None:
    want = [f"{i}. {h}" for i, (_, h) in enumerate(SECTIONS, start=1)]
    got = [h for h in found if h[:1].isdigit()]
    assert got == want


def strict():
    """Warnings are errors, and nothing from fpdf or python-docx is logged at WARNING."""
    cw = warnings.catch_warnings()
    cw.__enter__()
    warnings.simplefilter("error")
    return cw


# --- DOCX ----------------------------------------------------------------------------------
def read_docx(data: bytes):
    import docx

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        xml = {n: z.read(n) for n in z.namelist() if n.endswith((".xml", ".rels"))}
    for body in xml.values():
        ET.fromstring(body)  # every part is well-formed XML
    return docx.Document(io.BytesIO(data)), xml


def docx_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    for sec in doc.sections:
        parts.extend(p.text for p in sec.header.paragraphs)
        parts.extend(p.text for p in sec.footer.paragraphs)
    return "\n".join(parts)


def test_docx_sections_tables_pictures_and_page_numbers(pictures, caplog):
    from exports.docx import docx_report

    caplog.set_level(logging.WARNING)
    r = report()
    cw = strict()
    try:
        data = docx_report(r, pictures)
    finally:
        cw.__exit__(None, None, None)
    assert not [x for x in caplog.records if x.levelno >= logging.WARNING]
    doc, xml = read_docx(data)
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    headings_in_order(heads)
    # the findings, then the pictures that need a landscape page (all landscape pages at the end)
    assert heads[-2:] == ["Appendix: open check findings", "Appendix: Figures"]
    assert doc.paragraphs[0].text == "RCA-7: Fall on 4 West"
    assert "Generated 2026-03-02 10:30 by tester" in docx_text(doc)
    assert "database schema 0003" in docx_text(doc)

    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    # one action-plan table: one row per action, every field of the action in its row
    plan = next(t for t in doc.tables if t.rows[0].cells[0].text == "No." and len(t.columns) == 8)
    assert len(plan.rows) == 1 + len(r.actions)
    for a, row in zip(r.actions, plan.rows[1:], strict=True):
        texts = [c.text for c in row.cells]
        assert texts[0] == a.ref and a.owner == texts[4] and a.due == texts[5]
        assert texts[3] == a.strength_text and a.text == texts[2]
        assert a.measure_what in texts[6] and a.measure_target in texts[6]
        assert (a.concurrence or "Not yet reviewed") in texts[7]
    assert any("CMO" in c for c in cells)
    assert "Alex Morgan" in cells and "Facilitator" in cells  # team
    assert "Alarm reset" in cells  # timeline
    assert "Vague descriptor" in cells or "Hmm" in cells  # findings
    # header rows repeat on every page
    for t in doc.tables:
        assert (
            t.rows[0]._tr.trPr.find(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader"
            )
            is not None
        )

    assert len(doc.inline_shapes) == 2
    footer = b"".join(v for k, v in xml.items() if "footer" in k)
    assert b" PAGE " in footer and b" NUMPAGES " in footer
    assert doc.core_properties.title == "RCA-7: Fall on 4 West"
    assert doc.core_properties.author == "tester"
    # the wide fishbone sits on a landscape page in the figures appendix, the rest is portrait
    orient = [s.page_width > s.page_height for s in doc.sections]
    assert orient[0] is False and orient[-1] is True


def test_docx_hostile_texts_are_printed_as_typed():
    from exports.docx import docx_report

    data = docx_report(report(dossier(HOSTILE)), None)
    doc, xml = read_docx(data)
    text = docx_text(doc)
    assert SCRIPT in text and FORMULA in text and MARKUP in text
    assert "\x07" not in text and "\x0c" not in text
    assert b"<script>" not in xml["word/document.xml"]  # escaped in the XML, not markup
    assert len(doc.inline_shapes) == 0  # no pictures given: none, and no error


def test_docx_emoji_and_cjk_title_and_deidentified_banner():
    from exports.docx import docx_report

    r = report(dossier(title=f"{EMOJI_CJK} {NAME} fall"), deidentify=True)
    data = docx_report(r, {"fishbone": b"not a png"})
    doc, xml = read_docx(data)
    text = docx_text(doc)
    assert EMOJI_CJK in doc.paragraphs[0].text
    assert DEIDENTIFIED_MARKER in [p.text for p in doc.paragraphs]
    assert "De-identified copy" in doc.sections[0].header.paragraphs[0].text
    assert "not a PNG" in text
    everything = (text + " ".join(v.decode("utf-8", "replace") for v in xml.values())).lower()
    assert not [x for x in LEAKS if x in everything]


# --- PDF ----------------------------------------------------------------------------------------
def read_pdf(data: bytes):
    from pypdf import PdfReader

    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    pages = [p.extract_text() or "" for p in reader.pages]
    return reader, pages


def test_pdf_sections_owners_pictures_and_page_numbers(pictures, caplog):
    from exports.pdf import pdf_report

    caplog.set_level(logging.WARNING)
    r = report()
    cw = strict()
    try:
        data = pdf_report(r, pictures)
    finally:
        cw.__exit__(None, None, None)
    assert not [x for x in caplog.records if x.levelno >= logging.WARNING]
    reader, pages = read_pdf(data)
    n = len(pages)
    assert n >= 3
    assert f"Page 1 of {n}" in pages[0]
    assert f"Page {n} of {n}" in pages[-1]
    text = "\n".join(pages)
    flat = " ".join(text.split())
    positions = [flat.find(f"{i}. {h}") for i, (_, h) in enumerate(SECTIONS, start=1)]
    assert -1 not in positions and positions == sorted(positions)
    for a in r.actions:
        assert a.owner in flat
        assert a.measure_what in flat
    assert "RCA-7: Fall on 4 West" in pages[0]
    assert "Generated 2026-03-02 10:30 by tester" in flat
    # both pictures are in, and every section is a bookmark
    images = sum(len(p.images) for p in reader.pages)
    assert images == 2
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert titles[: len(SECTIONS)] == [f"{i}. {h}" for i, (_, h) in enumerate(SECTIONS, 1)]
    assert any(p.mediabox.width > p.mediabox.height for p in reader.pages)  # landscape page
    assert reader.metadata.title == "RCA-7: Fall on 4 West"


def test_pdf_hostile_emoji_and_cjk_do_not_crash_and_keep_their_text(caplog, monkeypatch):
    import exports.pdf_fonts
    from exports.pdf import pdf_report

    # The machine's fonts are not part of the test: with none of the system CJK fonts, the
    # bundled last-resort font draws the glyphs it lacks (an installed Noto CJK is encoded in a
    # way pypdf reads back with NULs, although pdftotext reads it right).
    monkeypatch.setattr(exports.pdf_fonts, "CJK_FONTS", ())
    caplog.set_level(logging.WARNING)
    r = report(dossier(f"{HOSTILE} {EMOJI_CJK} Łódź ≥ µ", title=f"{EMOJI_CJK} fall"))
    cw = strict()
    try:
        data = pdf_report(r, None)
    finally:
        cw.__exit__(None, None, None)
    assert not [x for x in caplog.records if x.levelno >= logging.WARNING]
    _, pages = read_pdf(data)
    flat = " ".join(" ".join(pages).split())
    assert "転倒した" in flat  # drawn by a fallback font, still in the text layer
    assert SCRIPT in flat and "[bold]x[/] **y** $x^2$" in flat and "Łódź ≥ µ" in flat
    assert 'HYPERLINK("http://evil.example/x")' in flat
    assert "\x07" not in flat


def test_pdf_long_cells_are_cut_into_rows_that_fit_a_page():
    from exports.pdf import pdf_report

    d = dossier()
    long_text = "very long action text " * 900
    d = dataclasses.replace(
        d, actions=(dataclasses.replace(d.actions[0], text=long_text), *d.actions[1:])
    )
    data = pdf_report(report(d), None)
    _, pages = read_pdf(data)
    flat = " ".join(" ".join(pages).split())
    # every word, in the plan and in the concurrence table (a cut row is read in pieces)
    assert flat.count("very") >= 1800 and flat.count("action text") >= 1700
    assert "Priya Raman" in flat


def test_pdf_deidentified_copy_has_the_banner_and_no_identifiers():
    from exports.pdf import pdf_report

    data = pdf_report(report(deidentify=True), None)
    reader, pages = read_pdf(data)
    flat = " ".join(" ".join(pages).split())
    assert " ".join(DEIDENTIFIED_MARKER.split()) in flat
    assert all("De-identified copy" in p for p in pages)  # in every page header
    assert not [x for x in LEAKS if x in flat.lower()]
    meta = " ".join(str(v) for v in (reader.metadata or {}).values()).lower()
    assert not [x for x in LEAKS if x in meta]


def test_pdf_and_docx_of_an_empty_investigation():
    from exports.docx import docx_report
    from exports.pdf import pdf_report

    d = Dossier(Investigation(id=1, title="Empty"), (), (), (), (), (), (), ())
    r = build_report(d, now=NOW)
    _, pages = read_pdf(pdf_report(r, {}))
    assert "No actions yet." in " ".join(pages)
    doc, _ = read_docx(docx_report(r, {}))
    headings_in_order([p.text for p in doc.paragraphs if p.style.name == "Heading 1"])


def test_report_through_the_service(service, demo_id):
    from exports import diagrams
    from exports.docx import docx_report
    from exports.pdf import pdf_report

    r = build_report(
        service.dossier(demo_id),
        findings=service.check(demo_id),
        generated_by="t",
        db_version="0003",
    )
    pics = {
        "fishbone": diagrams.fishbone_png(r.event.text, r.categories, r.causes, r.links, dpi=50),
        "graph": diagrams.graph_png(r.causes, r.links, dpi=50),
    }
    doc, _ = read_docx(docx_report(r, pics))
    assert len(doc.inline_shapes) == 2
    _, pages = read_pdf(pdf_report(r, pics))
    assert all(a.owner.split(",")[0] in " ".join(" ".join(pages).split()) for a in r.actions)


@pytest.mark.skipif(not shutil.which("libreoffice"), reason="LibreOffice is not installed")
def test_libreoffice_opens_the_docx_without_repair(tmp_path, pictures):
    from exports.docx import docx_report

    path = tmp_path / "report.docx"
    path.write_bytes(docx_report(report(dossier(HOSTILE)), pictures))
    out = subprocess.run(
        ["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        capture_output=True,
        text=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert out.returncode == 0, out.stderr
    converted = (tmp_path / "report.pdf").read_bytes()
    _, pages = read_pdf(converted)
    assert len(pages) >= 3
    assert "Page 1 of" in pages[0]
