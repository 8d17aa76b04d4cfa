"""The app's own wording is marked English and the team's text is in the document's language
(issue 15): a French-Canadian hospital's report declares fr-CA, and its headings, header cells
and labels say they are English, so a screen reader reads "Executive summary" in an English
voice and the causes in a French one. An English report gets no marks at all.

And right-to-left text (issue 15): an Arabic or Hebrew cause reads in the order it was typed
from the PDF's structure tree (/ActualText) and from its text (pdftotext), and sits in an
element of its own direction in the HTML.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser

import pytest
from pdf_struct import structure
from test_export_docx_pdf import dossier

from exports.formats import FORMATS, Job

AR = "سقط المريض من السرير"  # "the patient fell from the bed"
HE = "המטופל נפל מהמיטה בלילה"  # "the patient fell from the bed at night"
CAUSE = "Beds bought without usability test"  # a root cause's text (the team's)
HEADING = "1. Executive summary"  # a heading of the app


def render(fmt: str, language: str, extra: str = "") -> bytes | str:
    return FORMATS[fmt].render(Job(dossier(extra), pictures=False, language=language))


def plain(s: str) -> str:
    return " ".join(s.split())


# --- HTML -----------------------------------------------------------------------------------
class Texts(HTMLParser):
    """Each text of the page with its language (the nearest `lang`) and whether it sits in an
    element of its own direction (`dir` or `<bdi>`, itself or an ancestor below <body>)."""

    VOID = {"meta", "br", "img", "hr", "input", "link", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None, bool]] = []
        self.texts: list[tuple[str, str, bool]] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        own_dir = tag == "bdi" or ("dir" in a and tag != "html")
        self.stack.append((tag, a.get("lang"), own_dir))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if data.strip() and not any(x[0] == "title" for x in self.stack):
            lang = next((x[1] for x in reversed(self.stack) if x[1]), "")
            isolated = any(x[2] for x in self.stack)
            self.texts.append((plain(data), lang, isolated))

    def of(self, text: str, *, exact: bool = False) -> list[tuple[str, bool]]:
        return [(lang, iso) for t, lang, iso in self.texts if (t == text if exact else text in t)]


def html_texts(page: str) -> Texts:
    p = Texts()
    p.feed(page)
    return p


def test_html_app_wording_is_english_and_the_teams_text_the_documents_language():
    page = render("html", "fr-CA")
    assert isinstance(page, str)
    assert '<html lang="fr-CA">' in page
    p = html_texts(page)
    assert p.of(HEADING) == [("en", False)]
    assert set(p.of("Root causes and their causal statements")) == {("en", False)}
    assert ("en", False) in p.of("Responsible")  # a table header
    assert ("en", False) in p.of("SAC score")  # a facts table's label
    causes = p.of(CAUSE, exact=True)  # not the checks' messages quoting it (those are "en")
    assert len(causes) >= 3 and all(lang == "fr-CA" for lang, _ in causes)
    assert re.search(r'<th lang="en">Cause</th>', page)
    # the default confidentiality notice is the app's; one from the settings is the hospital's
    assert set(p.of("Confidential: patient safety work product")) == {("en", False)}
    own = FORMATS["html"].render(
        Job(dossier(), pictures=False, language="fr-CA", confidentiality_notice="Confidentiel.")
    )
    assert isinstance(own, str)
    assert set(html_texts(own).of("Confidentiel.")) == {("fr-CA", False)}


def test_an_english_html_report_has_no_language_marks_but_its_own():
    page = render("html", "en-US")
    assert isinstance(page, str)
    assert re.findall(r'\slang="[^"]*"', page) == [' lang="en-US"']


def test_html_user_text_reads_in_its_own_direction():
    page = render("html", "en", f"{AR} {HE}")
    assert isinstance(page, str)
    p = html_texts(page)
    # the team's texts, not the checks' messages that quote them (the app's wording)
    found = [iso for t, _, iso in p.texts if AR in t and not t.startswith("(warning)")]
    assert len(found) >= 8  # causes, actions, timeline, statements ...
    assert all(found)  # each in a <bdi> or an element with dir
    assert '<td dir="auto">' in page
    assert all(not iso for _, iso in p.of(HEADING))  # the app's headings flow as the page


# --- PDF ------------------------------------------------------------------------------------
def elements(language: str, extra: str = ""):
    data = render("pdf", language, extra)
    assert isinstance(data, bytes)
    return data, structure(data)


def test_pdf_app_wording_is_english_and_the_teams_text_the_documents_language():
    _, elems = elements("fr-CA")
    heading = [e for e in elems if e.s == "H1" and plain(e.text) == HEADING]
    assert [(e.lang, e.inherited) for e in heading] == [("en", "en")]
    headers = [e for e in elems if e.s == "TH" and plain(e.text) == "Responsible"]
    assert headers and all(e.inherited == "en" for e in headers)
    cells = [e for e in elems if e.s == "TD" and plain(e.text) == CAUSE]
    assert cells and all((e.lang, e.inherited) == (None, "fr-CA") for e in cells)
    # a check's message quoting the cause is the app's
    found = [e for e in elems if e.s == "TD" and plain(e.text).startswith("the statement for")]
    assert found and all(e.inherited == "en" for e in found)
    # "Event: " is the app's, the event's text the team's: a Span in English inside the P
    event = next(e for e in elems if e.s == "P" and plain(e.text).startswith("Event: Patient"))
    assert event.inherited == "fr-CA"
    i = elems.index(event)
    assert (elems[i + 1].s, elems[i + 1].lang, plain(elems[i + 1].text)) == ("Span", "en", "Event:")


def test_an_english_pdf_has_no_language_marks_but_the_documents():
    data, elems = elements("en-GB")
    assert all(e.lang is None for e in elems)
    assert all(e.inherited == "en-GB" for e in elems)
    assert b"/Lang (en-GB)" in data and len(re.findall(rb"/Lang\b", data)) == 1


def test_pdf_right_to_left_text_reads_as_typed_from_the_structure_tree_and_the_text():
    data, elems = elements("en", f"{AR} {HE}")
    typed = f"{CAUSE} {AR} {HE}"
    cells = [e for e in elems if e.s == "TD" and e.actual and e.actual.startswith(CAUSE)]
    assert cells and all(e.actual == typed for e in cells)  # the glyphs are drawn right to left
    title = next(e for e in elems if e.s == "H1")
    assert title.actual == f"RCA-7: Fall on 4 West {AR} {HE}"  # wrapped over two lines
    # the Span in English inside "Event: ..." is read from its paragraph's /ActualText
    event = next(e for e in elems if e.s == "P" and plain(e.text).startswith("Event: Patient"))
    assert event.actual == f"Event: Patient fell at 03:10 {AR} {HE}"
    assert all(e.actual is None for e in elems[elems.index(event) + 1 :][:1])
    # only where there is right-to-left text
    assert all(e.actual is None for e in elems if plain(e.text) == HEADING)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    text = re.sub("[\u202a-\u202e]", "", text)  # poppler's embedding marks around RTL runs
    assert f"Event: Patient fell at 03:10 {AR} {HE}" in text


# --- DOCX -----------------------------------------------------------------------------------
def docx_runs(data: bytes) -> list[tuple[str, str | None]]:
    """Each run of the document body: (its text, its own w:lang)."""
    body = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    out = []
    for run in re.findall(r"<w:r>.*?</w:r>", body, re.S):
        lang = re.search(r'<w:lang w:val="([^"]+)"', run)
        text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", run))
        out.append((text, lang.group(1) if lang else None))
    return out


def test_docx_app_wording_is_english_and_the_teams_text_the_documents_language():
    data = render("docx", "fr-CA")
    assert isinstance(data, bytes)
    runs = docx_runs(data)
    assert (HEADING, "en") in runs
    assert ("Responsible", "en") in runs
    assert ("Event: ", "en") in runs
    causes = [lang for text, lang in runs if text == CAUSE]
    assert len(causes) >= 3 and set(causes) == {None}  # the default: fr-CA (the styles')
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    assert re.search(r'<w:rPrDefault>.*?<w:lang w:val="fr-CA"', styles, re.S)
    english = render("docx", "en")
    assert isinstance(english, bytes)
    assert {lang for _, lang in docx_runs(english)} == {None}
