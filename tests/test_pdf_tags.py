"""The PDF report is a tagged PDF a screen reader and a PDF/UA checker can walk (issue 15):
headings, paragraphs, tables with header cells, lists and figures in the structure tree, page
furniture as artifacts, the document's language and title.

Two readings: a pure-Python one of the raw objects and content streams (runs everywhere), and
poppler's `pdfinfo -struct-text` where it is installed (the text of each element).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
import zlib

import pytest

from exports import render_formats
from exports.document import ACTION_PLAN_COLUMNS
from exports.report import SECTIONS
from models.demo import demo_document

TODAY = dt.date(2026, 11, 30)
HOSTILE = "<b>bold</b> [red]x[/red] **y** /S /H1 (paren) \\ back \x1b[31m esc \x07 bel"


@pytest.fixture
def demo(service):
    inv = service.import_document(demo_document(TODAY))
    return service.dossier(inv.id)


def pdf_of(dossier, *, pictures: bool = True) -> bytes:
    return render_formats(dossier, ["pdf"], findings=(), today=TODAY, pictures=pictures)["pdf"]


# --- a small reader of the raw file ----------------------------------------------------------
def objects(data: bytes) -> dict[int, bytes]:
    return {
        int(m.group(1)): m.group(2)
        for m in re.finditer(rb"(\d+) 0 obj\s*(.*?)\bendobj", data, re.S)
    }


def struct_tree(data: bytes) -> list[tuple[int, str, int]]:
    """The structure elements in the order of the tree: (depth, type, object number)."""
    objs = objects(data)
    elems = {n: body for n, body in objs.items() if b"/Type /StructElem" in body}

    def kids(n: int) -> list[int]:
        k = re.search(rb"/K \[(.*?)\]\n", elems[n], re.S)
        return [int(x) for x in re.findall(rb"(\d+) 0 R", k.group(1))] if k else []

    root = next(n for n, b in objs.items() if b"/Type /StructTreeRoot" in b)
    doc = int(re.search(rb"/K \[(\d+) 0 R\]", objs[root]).group(1))
    out: list[tuple[int, str, int]] = []
    todo = [(0, doc)]
    while todo:
        depth, n = todo.pop()
        if n not in elems:  # an MCR or a page
            continue
        out.append((depth, re.search(rb"/S /(\w+)", elems[n]).group(1).decode(), n))
        todo.extend((depth + 1, k) for k in reversed(kids(n)) if k in elems)
    return out


def contents(data: bytes) -> list[bytes]:
    """Every content stream, inflated."""
    out = []
    for m in re.finditer(rb"/Filter /FlateDecode[^>]*>>\s*stream\r?\n", data):
        end = data.index(b"endstream", m.end())
        try:
            out.append(zlib.decompress(data[m.end() : end]))
        except zlib.error:
            continue
    return out


def struct_text() -> bool:
    return shutil.which("pdfinfo") is not None


def poppler_tree(tmp_path, data: bytes) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, check=True
    ).stdout


# --- tests ------------------------------------------------------------------------------------
def test_catalog_is_marked_with_language_title_shown_and_xmp(demo):
    data = pdf_of(demo, pictures=False)
    assert b"/MarkInfo <</Marked true>>" in data
    assert b"/Lang (en)" in data
    assert re.search(rb"/ViewerPreferences <<[^>]*/DisplayDocTitle true", data)
    assert b"/StructTreeRoot" in data and b"/ParentTree" in data
    assert b"<dc:language><rdf:Bag><rdf:li>en</rdf:li>" in data  # the XMP is kept
    assert b"<dc:title>" in data


def test_tree_has_headings_paragraphs_tables_lists_and_figures_with_alt_text(demo):
    data = pdf_of(demo)
    tree = struct_tree(data)
    kinds = [s for _, s, _ in tree]
    assert kinds[0] == "Document"
    # the title, then one H1 per numbered section (the bookmarks' level), H2 for their parts,
    # and the figures appendix
    assert kinds.count("H1") == 1 + len(SECTIONS) + 1
    assert "H2" in kinds and "P" in kinds
    for table in (n for d, s, n in tree if s == "Table"):
        below = [(d, s) for d, s, n in tree if n != table]
        assert ("TR" in (s for _, s in below)) and any(s == "TH" for _, s in below)
    assert {"L", "LI", "LBody", "Lbl"} <= set(kinds)
    # the two fishbone parts and the cause graph, each with its alt text
    alts = re.findall(rb"/S /Figure\n.*?/Alt \((.*?)\)\n", data, re.S)
    assert [a.split(b":")[0] for a in alts] == [
        b"Figure 1. Fishbone diagram",
        b"Figure 2. Fishbone diagram",
        b"Figure 3. Cause graph",
    ]
    # header cells say what they head: a column (the header row) or a row (a facts table)
    assert b"/S /TH" in data and b"/Scope /Column" in data and b"/Scope /Row" in data


def test_every_painted_text_is_tagged_or_an_artifact(demo):
    """No text is drawn outside a marked sequence (PDF/UA: real content or an artifact), and
    the sequences are balanced on every page."""
    data = pdf_of(demo, pictures=False)
    pages = [c for c in contents(data) if b"BT" in c]
    assert pages
    for c in pages:
        depth = 0
        for line in c.split(b"\n"):
            if line.endswith((b"BDC", b"BMC")):
                depth += 1
            elif line == b"EMC":
                depth -= 1
                assert depth >= 0
            elif b" Tj" in line or b" TJ" in line:
                assert depth == 1, line[:80]
        assert depth == 0
        assert b"/Artifact <</Type /Pagination /Subtype /Header>> BDC" in c
        assert b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC" in c


@pytest.mark.skipif(not struct_text(), reason="poppler's pdfinfo is not installed")
def test_poppler_reads_the_headings_the_action_plan_and_no_page_furniture(demo, tmp_path):
    tree = poppler_tree(tmp_path, pdf_of(demo))
    lines = tree.splitlines()
    h1 = [lines[i + 1].strip().strip('"') for i, x in enumerate(lines) if x.strip() == "H1 (block)"]
    assert h1[0].startswith("RCA-1: Inpatient fall")
    assert h1[1:] == [f"{i}. {h}" for i, (_, h) in enumerate(SECTIONS, start=1)] + [
        "Appendix: Figures"
    ]
    # the action plan: a Table whose first row is TH cells with the plan's column names
    heads = re.findall(r'TH:\n\s+/Scope /Column\n\s+"([^"]*)"', tree)
    for name in ACTION_PLAN_COLUMNS:
        assert " ".join(name.split()) in [" ".join(h.split()) for h in heads]
    # page furniture is not in the tree: page numbers, the running footer, the notice
    assert "Page 1 of" not in tree
    assert "generated" not in " ".join(h1)
    assert "patient safety work product" not in tree.lower()


@pytest.mark.skipif(not struct_text(), reason="poppler's pdfinfo is not installed")
def test_user_text_with_markup_and_controls_is_data_in_the_tree(demo, tmp_path):
    cause = dataclasses.replace(demo.causes[1], text=HOSTILE)
    d = dataclasses.replace(demo, causes=(demo.causes[0], cause, *demo.causes[2:]))
    data = pdf_of(d, pictures=False)
    plain = pdf_of(demo, pictures=False)
    # the text adds no structure of its own
    assert [s for _, s, _ in struct_tree(data)].count("H1") == [
        s for _, s, _ in struct_tree(plain)
    ].count("H1")
    tree = poppler_tree(tmp_path, data)
    flat = " ".join(tree.split())
    assert "<b>bold</b> [red]x[/red] **y** /S /H1 (paren) \\ back" in flat
    if shutil.which("qpdf"):
        path = tmp_path / "h.pdf"
        path.write_bytes(data)
        subprocess.run(["qpdf", "--check", str(path)], check=True, capture_output=True)


def test_tables_have_a_head_of_column_headers_and_a_body_of_rows(demo):
    data = pdf_of(demo, pictures=False)
    tree = struct_tree(data)
    objs = objects(data)
    tables = [i for i, (_, s, _) in enumerate(tree) if s == "Table"]
    assert tables
    for i in tables:
        depth = tree[i][0]
        parts = []
        for d, s, n in tree[i + 1 :]:
            if d <= depth:
                break
            if d == depth + 1:
                parts.append((s, n))
        # Table > THead, TBody (in that order), nothing else
        assert [s for s, _ in parts] == ["THead", "TBody"]
    heads = [k for k, (_, s, _) in enumerate(tree) if s == "THead"]
    for k in heads:
        d = tree[k][0]
        below = []
        for dd, s, n in tree[k + 1 :]:
            if dd <= d:
                break
            below.append((dd - d, s, n))
        assert [s for dd, s, _ in below if dd == 1] == ["TR"]  # one header row
        cells = [n for dd, s, n in below if dd == 2]
        assert cells and all(b"/S /TH" in objs[n] and b"/Scope /Column" in objs[n] for n in cells)
    bodies = [k for k, (_, s, _) in enumerate(tree) if s == "TBody"]
    for k in bodies:
        d = tree[k][0]
        rows = []
        for dd, s, _ in tree[k + 1 :]:
            if dd <= d:
                break
            if dd == d + 1:
                rows.append(s)
        assert rows and set(rows) == {"TR"}
    assert any(s == "TD" for _, s, _ in tree)


@pytest.mark.skipif(
    not struct_text() or not shutil.which("pdftotext"), reason="poppler is not installed"
)
def test_a_table_header_repeated_on_later_pages_is_in_the_tree_once(demo, tmp_path):
    long = dataclasses.replace(demo, timeline=demo.timeline * 12)
    data = pdf_of(long, pictures=False)
    path = tmp_path / "long.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert text.count("What should have happened") >= 2  # drawn on two pages at least
    tree = poppler_tree(tmp_path, data)
    heads = re.findall(r'TH:\n\s+/Scope /Column\n\s+"([^"]*)"', tree)
    assert [" ".join(h.split()) for h in heads].count("What should have happened") == 1


def test_each_bookmark_names_its_heading_in_the_structure_tree(demo):
    data = pdf_of(demo, pictures=False)
    objs = objects(data)
    items = [b for b in objs.values() if b"/Title (" in b and b"/Parent " in b]
    titles = [re.search(rb"/Title \((.*?)\)\n", b).group(1).decode() for b in items]
    assert titles == [f"{i}. {h}" for i, (_, h) in enumerate(SECTIONS, start=1)]
    for body in items:
        assert b"/Dest [" in body  # a viewer still goes there
        assert b"/StructElem" not in body  # fpdf2's own key, which no reader knows
        se = int(re.search(rb"/SE (\d+) 0 R", body).group(1))
        assert b"/Type /StructElem" in objs[se] and b"/S /H1" in objs[se]


@pytest.mark.skipif(
    not struct_text() or not shutil.which("pdftotext"), reason="poppler is not installed"
)
def test_a_caption_broken_over_lines_keeps_the_space_between_its_words(demo, tmp_path):
    data = pdf_of(demo)
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    alts = [
        re.sub(rb"\\([()\\])", rb"\1", a).decode()
        for a in re.findall(rb"/S /Figure\n.*?/Alt \((.*?)\)\n", data, re.S)
    ]
    captions = re.findall(r'Caption\n\s+"([^"]*)"', poppler_tree(tmp_path, data))
    assert len(captions) == len(alts) == 3
    # the first fishbone part's caption is printed on two lines
    assert alts[0] not in text.splitlines()
    assert any(line.startswith("Figure 1.") and line != alts[0] for line in text.splitlines())
    # read as text, each caption is the words it was written with (the figure's alt text)
    assert [" ".join(c.split()) for c in captions] == alts
