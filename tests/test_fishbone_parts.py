"""A fishbone too large for a printed page is split by bone so its labels stay readable (7 pt).

The rule (exports/pictures/fishbone_parts.py) is checked on the real layout: a small fishbone
stays one picture; a wide one is cut into groups of adjacent columns, every part readable and
every cause drawn in some part; a tall bone is cut into pieces of whole top-level causes; and
the PDF and DOCX give each part its own figure, named by its bones.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from test_diagrams import CATEGORIES, EVENT, causes_on_bones

from exports import diagrams, render_formats
from exports.document import png_size
from exports.pictures.fishbone_parts import MIN_PRINT_PT, SMALLEST_PT, print_scale, readable
from models.demo import demo_document
from models.domain import Cause, Link
from models.fishbone import bone_trees


def printed_pt(png: bytes) -> float:
    return SMALLEST_PT * print_scale(png_size(png))


def test_the_page_box_decides_what_is_readable():
    assert readable((9.0, 5.0)) and readable((6.0, 8.0))  # landscape, portrait
    assert not readable((18.0, 5.0)) and not readable((6.0, 20.0))
    assert print_scale((18.4, 5.5)) == 0.5


def test_a_small_fishbone_is_one_picture():
    causes, links = causes_on_bones(6, bones=3)
    parts = diagrams.fishbone_png_parts(EVENT, CATEGORIES[:3], causes, links)
    assert [name for name, _ in parts] == [""]
    assert printed_pt(parts[0][1]) >= MIN_PRINT_PT


def test_a_wide_fishbone_is_cut_by_columns_every_part_readable():
    # Seven bones with two short causes each: wide, not tall.
    causes = [Cause(1, 1, EVENT, None, "event")]
    links = []
    for i in range(2, 16):
        causes.append(Cause(i, 1, f"cause {i} with a few words", CATEGORIES[i % 7], "cause"))
        links.append(Link(i, 1, i, 1))
    whole = diagrams.fishbone_figure(EVENT, CATEGORIES[:7], causes, links).get_size_inches()
    assert not readable(tuple(whole))
    parts = diagrams.fishbone_png_parts(EVENT, CATEGORIES[:7], causes, links)
    assert len(parts) >= 2
    assert all(printed_pt(png) >= MIN_PRINT_PT for _, png in parts)
    named = [bone for name, _ in parts for bone in name.split(", ")]
    # Every bone in exactly one part, and the parts read in the app's order of the bones
    # (the outline's), not column by column of the whole picture.
    assert named == bone_trees(CATEGORIES[:7], causes, links).names


def test_a_tall_bone_is_cut_into_pieces_of_whole_causes():
    causes = [Cause(1, 1, EVENT, None, "event")]
    links = []
    for i in range(2, 42):  # forty top-level causes on one bone
        causes.append(Cause(i, 1, f"cause number {i} on the one bone", CATEGORIES[0], "cause"))
        links.append(Link(i, 1, i, 1))
    parts = diagrams.fishbone_png_parts(EVENT, CATEGORIES[:1], causes, links)
    names = [name for name, _ in parts]
    assert len(names) >= 2
    assert names == [f"{CATEGORIES[0]}, {i} of {len(names)}" for i in range(1, len(names) + 1)]
    assert all(printed_pt(png) >= MIN_PRINT_PT for _, png in parts)


@pytest.fixture
def demo_report_files(service):
    from pypdf import PdfReader

    today = dt.date(2026, 11, 30)
    inv = service.import_document(demo_document(today))
    out = render_formats(service.dossier(inv.id), ["docx", "pdf"], findings=(), today=today)
    reader = PdfReader(io.BytesIO(out["pdf"]))
    return out["docx"], "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_and_docx_give_each_part_a_figure(demo_report_files):
    """The demo is wider than a landscape page at 7 pt: two parts, each its own figure."""
    docx, pdf_text = demo_report_files
    captions = re.findall(r"Figure \d+\. Fishbone diagram[^\n]*", pdf_text)
    assert len(captions) >= 2 and "part 1 of" in captions[0]
    assert "printed in" in pdf_text and "by bone" in pdf_text
    # The note before the parts is their index, in the order of the captions.
    names = [c.rsplit(": ", 1)[1].strip() for c in captions]
    flat = re.sub(r"\s+", " ", pdf_text)
    assert "Parts: 1 " + names[0].split(",")[0] in flat
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert body.count("Fishbone diagram: the event on the right") >= 2


def test_the_index_names_each_part_and_gathers_the_pieces_of_one_bone():
    from exports.document import Picture
    from exports.picture_parts import parts_index, parts_note, picture_parts

    pictures = {
        f"fishbone/{i:02d}/{name}": b""
        for i, name in enumerate(
            ["Patient, Task", "Staff, 1 of 3", "Staff, 2 of 3", "Staff, 3 of 3 (C12 continued)",
             "Equipment", "Uncategorised, 1 of 2", "Uncategorised, 2 of 2"],
            1,
        )
    }
    parts = picture_parts(Picture("fishbone", "Fishbone"), pictures)
    assert parts[3].caption == "Fishbone; part 4 of 7: Staff, 3 of 3 (C12 continued)"
    assert parts_index(parts) == (
        "1 Patient, Task; 2-4 Staff (3 parts); 5 Equipment; 6-7 Uncategorised (2 parts)"
    )
    note = parts_note(parts)
    assert note is not None and "Parts: 1 Patient, Task; 2-4 Staff" in note.text
    assert parts_note(parts[:1]) is None  # one picture: no note


# --- every part readable, every cause drawn in full in exactly one part ---------------------
def drawn_parts(event, categories, causes, links):
    """[(name, printed pt, ids of the causes drawn in full)] of the print parts."""
    from exports.pictures.fishbone_parts import fishbone_figure_parts

    out = []
    for name, fig in fishbone_figure_parts(event, categories, causes, links):
        full = []
        for t in fig.texts:
            gid = t.get_gid() or ""
            if not gid.startswith("fishbone-cause-") or "(from part" in t.get_text():
                continue  # the head, bones, references, and a cause repeated as a header
            key = gid.removeprefix("fishbone-cause-")
            if key.startswith(("more-", "ref-")):
                continue  # "continued in part N" and reference lines
            full.append(int(key))
        out.append((name, SMALLEST_PT * print_scale(tuple(fig.get_size_inches())), full))
    return out


def assert_parts_read_and_hold_each_cause_once(parts, causes):
    assert min(pt for _, pt, _ in parts) >= MIN_PRINT_PT - 1e-9, [(n, p) for n, p, _ in parts]
    drawn = [cid for _, _, ids in parts for cid in ids]
    assert sorted(drawn) == sorted(c.id for c in causes if c.kind != "event")


def test_a_forty_deep_chain_of_whys_continues_over_parts_every_label_readable():
    causes = [Cause(1, 1, EVENT, None, "event")]
    causes.append(Cause(2, 1, "alarm off at night", "Patient", "cause"))
    links = [Link(1, 1, 2, 1)]
    for i in range(3, 42):  # 2 <- 3 <- 4 ... <- 41: forty whys deep, each with a few words
        text = f"why number {i} of the chain: staffing and alarms"
        causes.append(Cause(i, 1, text, None, "cause"))
        links.append(Link(i, 1, i, i - 1))
    causes.append(Cause(50, 1, "wet floor by the bed", "Work environment", "cause"))
    links.append(Link(50, 1, 50, 1))
    parts = drawn_parts(EVENT, CATEGORIES[:5], causes, links)
    assert len(parts) >= 2
    assert_parts_read_and_hold_each_cause_once(parts, causes)
    continued = [name for name, _, _ in parts if "continued" in name]
    assert continued and all(name.startswith("Patient, ") for name in continued)


def test_a_bone_with_120_direct_causes_is_cut_into_readable_parts():
    causes = [Cause(1, 1, EVENT, None, "event")]
    links = []
    for i in range(2, 122):
        causes.append(Cause(i, 1, f"direct cause {i} about the bed alarm", CATEGORIES[1], "cause"))
        links.append(Link(i, 1, i, 1))
    parts = drawn_parts(EVENT, CATEGORIES[:2], causes, links)
    assert len(parts) >= 3
    assert_parts_read_and_hold_each_cause_once(parts, causes)
    assert not [name for name, _, _ in parts if "continued" in name]  # whole causes only


def test_the_200_cause_bench_investigation_prints_every_part_at_7_pt(service):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from bench_exports import big_document

    from exports.formats import Job

    inv = service.import_document(big_document(200, 10))
    report = Job(service.dossier(inv.id), findings=()).report
    parts = drawn_parts(report.event.text, report.categories, report.causes, report.links)
    assert len(parts) > 7
    assert_parts_read_and_hold_each_cause_once(parts, report.causes)
