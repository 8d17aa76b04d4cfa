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
from exports.deidentify import MRN as MRN_MARK
from exports.deidentify import (
    PATIENT,
    PERSON,
    Scrubber,
    deidentify_dossier,
    scrub,
    scrubber_for,
)
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
    "King\u2019s bag and the King\u2019s glasses",  # a curly apostrophe
    "M. King was reviewed by the registrar",
    "initials M.A.K. on the wristband",
    "margaret asked for the bell",
    "MRN 88231476 on the chart",
    "record 8823 1476 in the old system",
    "label shows 8823-1476",
    "8823/1476 and 8823_1476 on the old labels",
    "the old label ended 1476, the ward's began 8823",  # a group of the MRN alone
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
#: Numbers and words like the identifiers that are not them: kept in every format. "1476 mg"
#: is a dose (a group of the MRN, but a quantity); 2314 and 4762 are inside the MRN's digits but
#: not a group of it; 8824 is another number.
KEPT = (
    "Morphine 1476 mg was charted",
    "ward 2314, bed 4762, locker 8824",
    "the 2023 audit",
)
LEAKS = re.compile(
    r"margaret|(?<![a-z])kings?(?![a-z])|m\.a\.k|8823|1476(?! mg)|1938|07-04|555|m\.king",
    re.IGNORECASE,
)


def planted(service, name: str = NAME, corpus: tuple[str, ...] = CORPUS + KEPT):
    inv = service.import_document(demo_document(TODAY))
    d = service.dossier(inv.id)
    text = "; ".join(corpus)
    causes = tuple(
        dataclasses.replace(c, text=f"{c.text}. {corpus[i % len(corpus)]}", evidence=text)
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


#: Formats holding only the causes' texts (one corpus line each), not the whole corpus.
CAUSES_ONLY = frozenset({"dot"})


@pytest.fixture
def corpus_out(service):
    d = planted(service)
    full = render_formats(d, list(TEXT_OF), findings=(), today=TODAY)
    deid = render_formats(d, list(TEXT_OF), findings=(), today=TODAY, deidentify=True)
    return full, deid


def flat(text: str) -> str:
    """The text with every run of white space one space (a PDF line may break anywhere)."""
    return re.sub(r"\s+", " ", text)


def test_every_format_of_the_full_copy_holds_the_corpus(corpus_out):
    full, _ = corpus_out
    for fmt, data in full.items():
        assert LEAKS.search(TEXT_OF[fmt](data)), fmt  # or the test below would prove nothing


def test_no_planted_identifier_survives_in_any_format(corpus_out):
    _, deid = corpus_out
    for fmt, data in deid.items():
        text = flat(TEXT_OF[fmt](data))
        found = sorted({m.group(0) for m in LEAKS.finditer(text)})
        assert not found, (fmt, found)
        assert PATIENT in text, fmt


def test_numbers_that_are_not_the_mrn_are_kept_in_every_format(corpus_out):
    full, deid = corpus_out
    for fmt, data in deid.items():
        text, before = flat(TEXT_OF[fmt](data)), flat(TEXT_OF[fmt](full[fmt]))
        for kept in KEPT:
            assert kept in before or fmt in CAUSES_ONLY, (fmt, kept)
            assert (kept in text) == (kept in before), (fmt, kept)


#: The app's own words, with "Patient" in them: a report keeps them whatever the patient is called.
APP_WORDING = (
    "Incident (reached the patient)",
    "Patient representative",
    "Patient",  # the bone
    "Frequent (several times a year)",
    "Root cause",
)


def named(d, name: str):
    """`d` with "patient" in its typed texts said otherwise (the bone's name and the name
    "Patience Patient" kept), so what is left of the word is the app's, and the patient called
    `name`."""
    word = re.compile(r"(?<!Patience )\b[Pp]atients?\b")
    d = scrub(d, lambda t: t if t == "Patient" else word.sub("resident", t))
    inv = dataclasses.replace(d.investigation, patient_name=name, title="Fall")
    return dataclasses.replace(d, investigation=inv)


def test_the_apps_own_wording_is_left_as_it_is(service):
    """A patient whose name is also the app's wording: only the typed text changes, in every
    format."""
    d = named(planted(service, corpus=("Patience Patient fell", *KEPT)), "Patience Patient")
    out = render_formats(d, list(TEXT_OF), findings=(), today=TODAY, deidentify=True)
    md = out["md"].replace("\\", "")
    for words in (*APP_WORDING, "**Patient**"):
        assert words in md, words
    assert json.loads(out["json"])["investigation"]["report_type"] == "incident"
    # the same report of a patient with another name: the app's words as often in each format
    other = named(planted(service, corpus=(f"{NAME} fell", *KEPT)), NAME)
    plain = render_formats(other, list(TEXT_OF), findings=(), today=TODAY, deidentify=True)
    for fmt, data in out.items():
        text, expected = flat(TEXT_OF[fmt](data)), flat(TEXT_OF[fmt](plain[fmt]))
        assert PATIENT in text, fmt
        for words in APP_WORDING:
            assert text.count(words) == expected.count(words), (fmt, words)
        if fmt in ("md", "html", "docx", "pdf"):  # the reports: or this would prove nothing
            assert all(words in expected for words in APP_WORDING), fmt


DOUBLE = "Mary O'Brien-Smith"
#: The patient's double-barrelled surname as people write it: all of it replaced.
DOUBLE_CORPUS = (
    "Mrs O'Brien-Smith was found on the floor",
    "O'Brien-Smith's daughter was called",
    "O'BRIEN-SMITH on the whiteboard",
    "the O'Brien-Smiths asked for a meeting",
    "O\u2019Brien-Smith\u2019s glasses",  # curly apostrophes (a phone's keyboard)
    "O'Brien Smith (no hyphen) and O'Brien\u2013Smith (a dash)",
    "Mary Smith, as the night staff call her",
)
#: Other people with one piece of that surname: kept.
DOUBLE_KEPT = ("Nurse Smith checked the bed rails", "Dr Smith reviewed", "Mr Smith from bed 9")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nurse Smith checked on Mary O'Brien-Smith", f"Nurse Smith checked on {PATIENT}"),
        ("Dr Smith and Mr O'Brien", "Dr Smith and Mr O'Brien"),
        ("Mrs Smith said so", "Mrs Smith said so"),  # a piece alone: never, whatever the title
        ("the Smiths; Smith's", "the Smiths; Smith's"),
        ("Mrs O'Brien-Smith said so", f"Mrs {PATIENT} said so"),
        ("O'Brien-Smith's chart", f"{PATIENT}'s chart"),
        ("O'BRIEN-SMITH", PATIENT),
        ("the O'Brien-Smiths", f"the {PATIENT}"),
        ("the O\u2019Brien-Smiths\u2019 car", f"the {PATIENT}\u2019 car"),
        ("OBrien-Smith, O'Brien Smith, O'Brien \u2013 Smith", f"{PATIENT}, {PATIENT}, {PATIENT}"),
        ("Mary Smith; Smith, Mary; mary", f"{PATIENT}; {PATIENT}; {PATIENT}"),
    ],
)
def test_a_piece_of_a_double_barrelled_surname_is_kept_alone(text, expected):
    assert Scrubber(name=DOUBLE)(text) == expected


def test_the_first_name_and_surname_without_the_middle_name_are_one_placeholder():
    s = Scrubber(name=NAME)
    assert s("Margaret King fell; King, Margaret") == f"{PATIENT} fell; {PATIENT}"


def test_a_double_barrelled_surname_in_every_format(service):
    d = planted(service, name=DOUBLE, corpus=DOUBLE_CORPUS + DOUBLE_KEPT)
    full = render_formats(d, list(TEXT_OF), findings=(), today=TODAY)
    out = render_formats(d, list(TEXT_OF), findings=(), today=TODAY, deidentify=True)
    leak = re.compile(r"o\W?brien|(?<![a-z])mary", re.IGNORECASE)
    for fmt, data in out.items():
        text, before = flat(TEXT_OF[fmt](data)), flat(TEXT_OF[fmt](full[fmt]))
        assert leak.search(before), fmt
        assert not leak.search(text), (fmt, sorted(set(leak.findall(text))))
        for kept in DOUBLE_KEPT:
            assert kept in before or fmt in CAUSES_ONLY, (fmt, kept)
            assert (kept in text) == (kept in before), (fmt, kept)


@pytest.mark.parametrize(
    ("mrn", "text", "expected"),
    [
        ("88231476", "8823 1476, 8823-1476, 8823/1476, 8823_1476", ", ".join([MRN_MARK] * 4)),
        ("8823 1476", "88231476 and 8823.1476", f"{MRN_MARK} and {MRN_MARK}"),
        ("8823-1476", "ends 1476; starts 8823.", f"ends {MRN_MARK}; starts {MRN_MARK}."),
        ("8823-1476", "1476 mg, 1476 units, 1476%", "1476 mg, 1476 units, 1476%"),  # quantities
        ("8823-1476", "ref 2023-1476, at 14:76, 14761", "ref 2023-1476, at 14:76, 14761"),
        ("8823-1476", "ward 2314, bed 8824, 476 ml", "ward 2314, bed 8824, 476 ml"),
        ("2023-1476", "the 2023 audit; 1476", f"the 2023 audit; {MRN_MARK}"),  # a year stays
        ("A12-3456", "A12 3456, A123456, 3456", f"{MRN_MARK}, {MRN_MARK}, {MRN_MARK}"),
        ("88231476", "1476 alone", "1476 alone"),  # not a group of the MRN as recorded...
    ],
)
def test_the_mrn_in_groups_and_its_groups_alone(mrn, text, expected):
    assert Scrubber(mrn=mrn)(text) == expected


def test_the_groups_the_texts_write_the_mrn_in_are_replaced_alone(service):
    """... but a group of it as a text of the dossier writes it ("8823 1476")."""
    d = planted(service, corpus=("record 8823 1476", "old label ended 1476", "1476 mg"))
    s = scrubber_for(d)
    assert s("old label ended 1476; 1476 mg; 2314") == f"old label ended {MRN_MARK}; 1476 mg; 2314"


def test_other_people_named_in_the_investigation_are_replaced_when_given(service):
    s = Scrubber(name=NAME, others=("John Fletcher",))
    assert s("John Fletcher in bed 4 got the dose meant for King") == (
        f"{PERSON} in bed 4 got the dose meant for {PATIENT}"
    )
    d = deidentify_dossier(planted(service), others=("Dr Sam Patel",))
    assert all("Patel" not in m.name for m in d.team)


def test_other_people_involved_recorded_are_replaced_in_every_format(service):
    """The "Other people involved" list (name, involvement): the names go from every format,
    and from the typed texts that name them."""
    d = planted(
        service,
        corpus=("John Fletcher in bed 4 got the dose meant for King", "Mr Fletcher's son called"),
    )
    iid = d.investigation.id
    service.add_person(iid, "John Fletcher", "the other patient; Fletcher's wife was told")
    d = dataclasses.replace(d, people=tuple(service.list_people(iid)))
    full = render_formats(d, list(TEXT_OF), findings=(), today=TODAY)
    out = render_formats(d, list(TEXT_OF), findings=(), today=TODAY, deidentify=True)
    for fmt, data in out.items():
        text, before = flat(TEXT_OF[fmt](data)), flat(TEXT_OF[fmt](full[fmt]))
        assert "Fletcher" in before, fmt
        assert not re.search("john|fletcher", text, re.IGNORECASE), fmt
        assert PERSON in text, fmt
    md = out["md"].replace("\\", "")
    assert f"| {PERSON} | the other patient; {PERSON}'s wife was told |" in md
