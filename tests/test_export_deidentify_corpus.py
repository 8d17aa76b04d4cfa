"""De-identified copies against a corpus of identifiers planted the ways people write them.

Every format is checked, pictures included (the SVG texts in the HTML; the DOCX and PDF read
back), and the app's own wording is checked unchanged: only what people typed is scrubbed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import io
import json
import re
import zipfile

import pytest

from exports import render_formats
from exports.deidentify import PATIENT, PERSON, Scrubber, deidentify_dossier
from models.demo import demo_document

TODAY = dt.date(2026, 11, 30)
NAME = "Margaret Anne King"
MRN = "88231476"
DOB = dt.date(1938, 7, 4)
#: The patient's identifiers written in many forms.
CORPUS = (
    "Margaret King said she felt dizzy",
    "MARGARET KING, 88 years old",
    "King, Margaret (bed 12)",
    "Mrs King's daughter called at 02:00",
    "the Kings were told on the ward round",
    "the Kings' son asked about the fall",
    "M. King was reviewed by the registrar",
    "initials M.A.K. on the wristband",
    "margaret asked for the bell",
    "MRN 88231476 on the chart",
    "record 8823 1476 in the old system",
    "label shows 8823-1476",
    "mrn: 88231476",
    "phone (555) 123-4567",
    "mobile 555.123.4567",
    "daughter on +1 555 123 4567",
    "born 04/07/1938",
    "DOB 7/4/1938",
    "July 4, 1938",
    "4 Jul 1938",
    "1938-07-04",
    "19380704",
    "e-mail m.king@example.org",
)
LEAKS = re.compile(
    r"margaret|(?<![a-z])kings?(?![a-z])|m\.a\.k|8823|1476|1938|07-04|555|m\.king",
    re.IGNORECASE,
)


def planted(service, name: str = NAME):
    inv = service.import_document(demo_document(TODAY))
    d = service.dossier(inv.id)
    text = "; ".join(CORPUS)
    causes = tuple(
        dataclasses.replace(c, text=f"{c.text}. {CORPUS[i % len(CORPUS)]}", evidence=text)
        if c.kind != "event"
        else c
        for i, c in enumerate(d.causes)
    )
    timeline = tuple(dataclasses.replace(e, source=text) for e in d.timeline)
    actions = tuple(
        dataclasses.replace(a, measure=dataclasses.replace(a.measure, how=text)) for a in d.actions
    )
    investigation = dataclasses.replace(
        d.investigation,
        title=f"Fall of {name}",
        description=text,
        patient_name=name,
        patient_mrn=MRN,
        patient_dob=DOB,
    )
    return dataclasses.replace(
        d, investigation=investigation, causes=causes, timeline=timeline, actions=actions
    )


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    return html.unescape(re.sub(r"<[^>]+>", " ", xml))


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    # The document information, but not its dates: they are the clock's ("D:2026120219381..."
    # holds 1938 at 19:38), not text that could leak.
    info = {k: v for k, v in (reader.metadata or {}).items() if not k.endswith("Date")}
    return "\n".join(page.extract_text() for page in reader.pages) + str(info)


def xlsx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return html.unescape(" ".join(z.read(n).decode("utf-8") for n in z.namelist()))


TEXT_OF = {
    "docx": docx_text,
    "pdf": pdf_text,
    # the inline SVG pictures' texts too; not the markup (the style sheet's colours and the
    # pictures' coordinates, "188.8234", are not text that could leak)
    "html": lambda data: html.unescape(
        re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", data, flags=re.S))
    ),
    "md": lambda data: data.replace("\\", ""),  # the escapes of "[" and "]"
    "csv": lambda data: data.decode("utf-8-sig"),
    "xlsx": xlsx_text,
    "json": lambda data: data,
    "graphml": lambda data: html.unescape(data.decode("utf-8")),
    "dot": lambda data: data,
}


@pytest.fixture
def corpus_out(service):
    d = planted(service)
    full = render_formats(d, list(TEXT_OF), findings=(), today=TODAY)
    deid = render_formats(d, list(TEXT_OF), findings=(), today=TODAY, deidentify=True)
    return full, deid


def test_every_format_of_the_full_copy_holds_the_corpus(corpus_out):
    full, _ = corpus_out
    for fmt, data in full.items():
        assert LEAKS.search(TEXT_OF[fmt](data)), fmt  # or the test below would prove nothing


def test_no_planted_identifier_survives_in_any_format(corpus_out):
    _, deid = corpus_out
    for fmt, data in deid.items():
        text = TEXT_OF[fmt](data)
        found = sorted({m.group(0) for m in LEAKS.finditer(text)})
        assert not found, (fmt, found)
        assert PATIENT in text, fmt


def test_the_apps_own_wording_is_left_as_it_is(service):
    """A patient whose name is also the app's wording: only the typed text changes."""
    d = planted(service, name="Patience Patient")
    out = render_formats(d, ["md", "json"], findings=(), today=TODAY, deidentify=True)
    md = out["md"].replace("\\", "")
    for words in (
        "Incident (reached the patient)",
        "Patient representative",
        "**Patient**",  # the bone
        "Frequent (several times a year)",
        "Root cause",
    ):
        assert words in md, words
    assert "Fall of [patient]" in md
    assert json.loads(out["json"])["investigation"]["report_type"] == "incident"


def test_a_common_name_inside_a_double_barrelled_surname_is_kept():
    s = Scrubber(name="Mary O'Brien-Smith")
    assert s("Nurse Smith checked on Mary O'Brien-Smith") == f"Nurse Smith checked on {PATIENT}"
    assert s("Mrs Smith said so") == f"Mrs {PATIENT} said so"
    assert s("O'Brien-Smith's chart") == f"{PATIENT}'s chart"


def test_other_people_named_in_the_investigation_are_replaced_when_given(service):
    s = Scrubber(name=NAME, others=("John Fletcher",))
    assert s("John Fletcher in bed 4 got the dose meant for King") == (
        f"{PERSON} in bed 4 got the dose meant for {PATIENT}"
    )
    d = deidentify_dossier(planted(service), others=("Dr Sam Patel",))
    assert all("Patel" not in m.name for m in d.team)
