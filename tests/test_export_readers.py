"""Exact in every reader: what Word, LibreOffice, a browser's validator and a Markdown viewer
meet in the files (issue 15, "Exact in every reader")."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

import pytest

from exports import render_formats
from exports.report import build_report
from models.demo import demo_document

TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def demo(service):
    inv = service.import_document(demo_document(TODAY))
    return service.dossier(inv.id)


def test_docx_properties_alt_text_and_one_break_per_windows_line_end(demo):
    from docx import Document

    cause = dataclasses.replace(demo.causes[1], text="first line\r\nsecond line")
    d = dataclasses.replace(demo, causes=(demo.causes[0], cause, *demo.causes[2:]))
    data = render_formats(d, ["docx"], findings=(), today=TODAY)["docx"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        app = z.read("docProps/app.xml").decode("utf-8")
        names = z.namelist()
        body = z.read("word/document.xml").decode("utf-8")
    assert "<Application>rca-tui</Application>" in app and "Macintosh" not in app
    assert "docProps/thumbnail.jpeg" not in names
    descr = re.findall(r'<wp:docPr [^>]*descr="([^"]+)"', body)
    # Every picture has its alt text: the fishbone (in two parts at a readable size), the graph.
    assert [d.split(";")[0].split(":")[0] for d in descr] == [
        "Figure 1. Fishbone diagram",
        "Figure 2. Fishbone diagram",
        "Figure 3. Cause graph",
    ]
    assert descr[1].endswith(
        "part 2 of 2: Work environment, Organisation and management, Institutional context"
    )
    assert "first line<w:br/>second line" in body.replace("</w:t>", "").replace("<w:t>", "")
    Document(io.BytesIO(data))  # still a document python-docx reads


def test_markdown_escapes_the_ampersand(demo):
    from exports.markdown import markdown_report, md_inline

    assert md_inline("salt &amp; pepper") == r"salt \&amp; pepper"
    cause = dataclasses.replace(demo.causes[1], text="Tom &amp; Jerry")
    d = dataclasses.replace(demo, causes=(demo.causes[0], cause, *demo.causes[2:]))
    md = markdown_report(build_report(d, today=TODAY))
    assert r"Tom \&amp; Jerry" in md
    from markdown_it import MarkdownIt

    assert "Tom &amp;amp; Jerry" in MarkdownIt("commonmark").render(md)  # shows "&amp;"


def big(service, n: int = 200):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from bench_exports import big_document

    inv = service.import_document(big_document(n, 40))
    return service.dossier(inv.id)


def test_html_ids_unique_no_rdf_metadata_and_the_papers_print_size(service):
    page = render_formats(big(service), ["html"], findings=(), today=TODAY)["html"]
    ids = collections.Counter(re.findall(r'\sid="([^"]+)"', page))
    assert ids and not [i for i, n in ids.items() if n > 1]
    assert "<metadata" not in page and "rdf:" not in page
    assert "@page { size: letter portrait;" in page


def test_pdf_carries_xmp_metadata(demo):
    from pypdf import PdfReader

    data = render_formats(demo, ["pdf"], findings=(), today=TODAY, pictures=False)["pdf"]
    xmp = PdfReader(io.BytesIO(data)).xmp_metadata
    assert xmp is not None
    assert xmp.dc_title["x-default"].startswith("RCA-1: Inpatient fall")
    assert xmp.xmp_creator_tool == "rca-tui"


def test_pdf_lays_out_right_to_left_text_so_a_reader_gets_the_words_as_typed(demo):
    from pypdf import PdfReader

    arabic, hebrew = "المريض سقط من السرير", "שלום עולם"
    cause = dataclasses.replace(demo.causes[1], text=f"{arabic} and {hebrew}")
    d = dataclasses.replace(demo, causes=(demo.causes[0], cause, *demo.causes[2:]))
    data = render_formats(d, ["pdf"], findings=(), today=TODAY, pictures=False)["pdf"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert arabic in text and hebrew in text  # each word in reading order, not backwards
    assert arabic[::-1] not in text


def test_pdf_draws_arabic_in_italic_text_upright_not_as_boxes(demo):
    """A contributing factor (italic in the PDF) in Arabic: the oblique face has no Arabic, so
    its letters come from upright DejaVu Sans, as in the pictures, never Last Resort's boxes."""
    from pypdf import PdfReader

    arabic = "المريض سقط من السرير"
    i = next(n for n, c in enumerate(demo.causes) if c.kind == "contributing")
    cause = dataclasses.replace(demo.causes[i], text=f"{arabic} at night")
    d = dataclasses.replace(demo, causes=(*demo.causes[:i], cause, *demo.causes[i + 1 :]))
    data = render_formats(d, ["pdf"], findings=(), today=TODAY, pictures=False)["pdf"]
    reader = PdfReader(io.BytesIO(data))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"].get("/Font", {}).values()
    }
    assert any("Oblique" in f for f in fonts)  # the italic text is there
    assert not any("LastResort" in f for f in fonts), fonts
    assert arabic in "\n".join(page.extract_text() for page in reader.pages)


def test_characters_no_font_here_can_draw_are_named_once_with_the_formats_they_miss_in(
    demo, monkeypatch, caplog
):
    """Whatever fonts this machine has, the one warning names the characters, the causes, and
    that the PDF's text lacks them as the pictures do while the DOCX has them in full."""
    import logging

    from exports import diagrams

    monkeypatch.setattr(diagrams, "missing_glyphs", lambda texts, font: ["字", "😀"])
    caplog.set_level(logging.WARNING)
    render_formats(demo, ["docx", "pdf"], findings=(), today=TODAY)
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warned) == 1, warned
    assert "字 😀" in warned[0] and "so does the PDF's text" in warned[0]
    assert "The DOCX, HTML and Markdown text has them in full" in warned[0]
