"""The RCA2 sections kept as lists in every report: other people involved, strategies
considered and not taken, lessons learned, literature reviewed; empty ones say so once, and
the de-identified copy scrubs other people's names like the patient's."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import io
import re
import zipfile

import pytest

from exports import render_formats
from exports.deidentify import PERSON
from exports.sections import KEYS
from models.demo import demo_document

TODAY = dt.date(2026, 11, 30)
HEADINGS = {
    "people": "Other people involved",
    "strategies": "Risk-reduction strategies considered and not taken",
    "lessons": "Lessons learned",
    "literature": "Literature and evidence reviewed",
}
EMPTY = {
    "people": "No other people involved are recorded.",
    "strategies": "No strategies considered and not taken are recorded.",
    "lessons": "No lessons learned are recorded.",
    "literature": "No literature or evidence reviewed is recorded.",
}
ROWS = (
    "Harold Finch",
    "Patient in bed 12 who received the unit",
    "Barcode wristband scanning on 4 West",
    "Scanners are funded from the next fiscal year",
    "Two identifiers at every bedside check",
    "Joint Commission Sentinel Event Alert 61",
    "Wrong-patient errors fall with barcode checks",
)


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    xml = re.sub(r"</w:p>", "\n", xml)
    return html.unescape(re.sub(r"<[^>]+>", "", xml))


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    return " ".join(text.replace("\\", "").split())


TEXT_OF = {
    "docx": docx_text,
    "pdf": pdf_text,
    "html": lambda data: html.unescape(re.sub(r"<[^>]+>", " ", data)),
    "md": lambda data: data.replace("\\", ""),  # the escapes of "[" and "]"
}


def filled(service):
    inv = service.import_document(demo_document(TODAY))
    service.add_person(inv.id, "Harold Finch", "Patient in bed 12 who received the unit")
    service.add_note(
        inv.id,
        "strategy",
        "Barcode wristband scanning on 4 West",
        "Scanners are funded from the next fiscal year",
    )
    service.add_note(inv.id, "lesson", "Two identifiers at every bedside check")
    service.add_note(
        inv.id,
        "literature",
        "Joint Commission Sentinel Event Alert 61",
        "Wrong-patient errors fall with barcode checks",
    )
    return service.dossier(inv.id)


def test_the_sections_and_their_rows_are_in_every_report(service):
    out = render_formats(filled(service), list(TEXT_OF), findings=(), today=TODAY, pictures=False)
    for fmt, data in out.items():
        text = flat(TEXT_OF[fmt](data))
        for key, heading in HEADINGS.items():
            assert heading in text, (fmt, key)
            assert EMPTY[key] not in text, (fmt, key)
        for row in ROWS:
            assert flat(row) in text, (fmt, row)
        # in the report's order: people after the team, the three lists after the action plan
        at = [text.index(h) for h in ("RCA team", *HEADINGS.values(), "Sign-off")]
        assert at[0] < at[1] and at[1] < text.index("Sequence of events")
        assert text.index("Action plan, measures and concurrence", at[1]) < at[2] < at[3] < at[4]
        assert at[4] < at[5], fmt


def test_empty_sections_say_so_once(service):
    inv = service.import_document(demo_document(TODAY))
    out = render_formats(
        service.dossier(inv.id), list(TEXT_OF), findings=(), today=TODAY, pictures=False
    )
    for fmt, data in out.items():
        text = flat(TEXT_OF[fmt](data))
        for key in KEYS:
            assert text.count(EMPTY[key]) == 1, (fmt, key)


def test_typed_text_stays_text_in_the_tables(service):
    inv = service.import_document(demo_document(TODAY))
    service.add_person(inv.id, "Ann | Bee", "<b>visitor</b> & friend")
    out = render_formats(
        service.dossier(inv.id), ["md", "html"], findings=(), today=TODAY, pictures=False
    )
    row = next(line for line in out["md"].splitlines() if "Ann" in line)
    assert row.count(" | ") == 1 and r"Ann \| Bee" in row  # one cell each, as typed
    assert "&lt;b&gt;visitor&lt;/b&gt; &amp; friend" in out["html"]


def test_the_deidentified_copy_replaces_other_peoples_names_everywhere(service):
    d = filled(service)
    mention = "Harold Finch got the unit; Mr Finch's wristband; H. Finch; the Finches"
    causes = tuple(
        dataclasses.replace(c, text=f"{c.text}. {mention}") if c.kind != "event" else c
        for c in d.causes
    )
    d = dataclasses.replace(d, causes=causes)
    formats = [*TEXT_OF, "json", "csv", "graphml", "dot"]
    full = render_formats(d, formats, findings=(), today=TODAY)
    deid = render_formats(d, formats, findings=(), today=TODAY, deidentify=True)
    leak = re.compile(r"harold|finch", re.IGNORECASE)
    for fmt in formats:
        as_text = TEXT_OF.get(fmt, lambda x: x if isinstance(x, str) else x.decode("utf-8-sig"))
        assert leak.search(as_text(full[fmt])), fmt  # planted, or the check below proves nothing
        text = as_text(deid[fmt])
        assert not leak.findall(text), (fmt, sorted(set(leak.findall(text))))
        assert PERSON in text, fmt
    md = deid["md"].replace("\\", "")
    assert "| [person] | Patient in bed 12 who received the unit |" in md


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_pictures_of_a_deidentified_copy_hold_no_other_names(service, fmt):
    """The fishbone and graph pictures are drawn from the scrubbed texts too (the DOCX and PDF
    embed them as PNG; their texts are checked through the SVG the HTML holds)."""
    d = filled(service)
    causes = tuple(
        dataclasses.replace(c, text=f"Harold Finch: {c.text}") if c.kind != "event" else c
        for c in d.causes
    )
    out = render_formats(
        dataclasses.replace(d, causes=causes),
        ["html", fmt],
        findings=(),
        today=TODAY,
        deidentify=True,
    )
    svg = " ".join(re.findall(r"<svg.*?</svg>", out["html"], flags=re.S))
    assert svg and "Finch" not in html.unescape(svg)
    assert "Finch" not in TEXT_OF[fmt](out[fmt])
