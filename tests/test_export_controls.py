"""Control characters in user text are shown in every report, never dropped nor turned into
spaces: a cause holding ESC, BEL and NUL prints them as the control pictures (␛ ␇ ␀) in
Markdown, HTML, DOCX and the PDF's text layer, with the same one definition the screens use
(`models.visible`); tabs and line breaks stay what they are."""

from __future__ import annotations

import logging

from test_export_docx_pdf import docx_text, dossier, read_docx, read_pdf, report

from exports.docx import docx_report
from exports.html import html_report
from exports.markdown import markdown_report
from models.fishbone import clean_line
from models.visible import exported, one_line, visible
from screens.visible import visible as screens_visible

PLANTED = "esc\x1b[31m bell\x07 nul\x00 end"
SHOWN = "esc␛[31m bell␇ nul␀ end"
RAW = ("\x1b", "\x07", "\x00")


def test_one_definition_for_screens_and_exports():
    assert screens_visible is visible
    assert exported(PLANTED) == SHOWN == visible(PLANTED)
    assert exported("a\tb\nc\rd") == "a\tb\nc\rd"  # every format has these
    assert one_line("a\tb\n c\x07") == clean_line("a\tb\n c\x07") == "a b c␇"
    weird = "".join(chr(c) for c in range(0xA0))
    assert len(exported(weird)) == len(weird)  # one character for one


def _check(text: str, where: str) -> None:
    assert SHOWN in text, where
    for raw in RAW:
        assert raw not in text, f"{where}: {raw!r} reached the file"


def test_markdown_and_html_show_the_controls():
    r = report(dossier(PLANTED))
    _check(markdown_report(r), "markdown")
    html = html_report(r)
    _check(html, "html")
    assert html.count(SHOWN) >= 6  # every cause of the dossier carries it


def test_docx_shows_the_controls():
    doc, xml = read_docx(docx_report(report(dossier(PLANTED)), None))
    _check(docx_text(doc), "docx")
    for name, body in xml.items():
        assert not any(raw.encode() in body for raw in RAW), name


def test_pdf_text_shows_the_controls(caplog):
    from exports.pdf import pdf_report

    caplog.set_level(logging.WARNING)
    _, pages = read_pdf(pdf_report(report(dossier(PLANTED)), None))
    flat = " ".join(" ".join(pages).split())
    _check(flat, "pdf")
    assert not [x for x in caplog.records if x.levelno >= logging.WARNING]
