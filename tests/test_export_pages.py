"""Pages of the printed report: no near-empty page before a landscape one, pictures readable.

A landscape picture (the fishbone, the cause graph) used to break in right after a section's
first lines or a five-whys chain's last step, and leave the portrait page before it nearly
empty (the demo PDF's page 7, the DOCX's pages 3 and 7). The pictures that need a landscape
page are now printed in a figures appendix after the last section, with a line in their
section saying which figures and where (`exports.picture_parts.figures_appendix`, one rule for
the PDF and the DOCX). And a fishbone part is never printed below 7 pt: the split fits the
smallest picture box any writer gives it (the HTML's turned box is 9.2 in wide, the DOCX's
landscape box 5.5 in high), and the PDF does not shrink a part below that to fill a page.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re

from exports import render_formats
from exports.document import Heading, Para, Picture
from exports.picture_parts import APPENDIX, figures_appendix
from exports.pictures.fishbone_parts import MIN_PRINT_PT, PAGE_BOXES, SMALLEST_PT, readable
from models.demo import demo_document

TODAY = dt.date(2026, 11, 30)


def _demo(service):
    return service.dossier(service.import_document(demo_document(TODAY)).id)


def _png(w: int, h: int) -> bytes:
    """A PNG header of w x h pixels at 150 dpi (enough for `png_size`)."""
    import struct

    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + struct.pack(">II", w, h) + b"\0" * 9


def test_the_pictures_that_need_a_landscape_page_go_to_the_appendix_numbered_in_order():
    blocks = [
        Heading("1. Fishbone diagram", 1, "fishbone"),
        Picture("fishbone", "Fishbone diagram: the event on the right"),
        Heading("2. Five-whys chains", 1, "whys"),
        Picture("small", "Small picture: fits a portrait page"),
        Picture("graph", "Cause graph: an arrow means 'led to'"),
        Heading("3. Causal statements", 1, "statements"),
    ]
    pictures = {
        "fishbone/01/Patient, Staff": _png(1400, 700),
        "fishbone/02/Task": _png(1400, 700),
        "small": _png(600, 600),
        "graph": _png(1400, 800),
    }
    out = figures_appendix(blocks, pictures, lambda b: b.key != "small")
    # In place: a line naming the figures and where they are; the small picture stays.
    assert isinstance(out[1], Para)
    assert "".join(r.text for r in out[1].runs).startswith(
        "Figures 2-3: the fishbone diagram (2 parts) is printed on landscape pages in the "
        "appendix at the end of this report"
    )
    assert out[3] == Picture("small", "Small picture: fits a portrait page")  # Figure 1
    assert "".join(r.text for r in out[4].runs).startswith("Figure 4: the cause graph is")
    # The appendix after the last section: its heading, what it holds, the pictures in order.
    assert out[5] == Heading("3. Causal statements", 1, "statements")
    assert out[6] == Heading(APPENDIX, 1, "appendix", page=True)
    assert "Figures 2-3, the fishbone diagram (section 1); Figure 4, the cause graph " \
        "(section 2)" in out[7].runs[0].text
    assert [(b.key, b.section) for b in out[8:]] == [("fishbone", "1"), ("graph", "2")]


def test_a_missing_picture_stays_where_it_was_and_nothing_is_added():
    blocks = [Heading("1. Fishbone diagram", 1), Picture("fishbone", "Fishbone diagram: x")]
    assert figures_appendix(blocks, {}, lambda b: True) == blocks


def _page_lines(data: bytes) -> list[tuple[bool, int, str]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return [
        (p.mediabox.width > p.mediabox.height, len(text.strip().splitlines()), text)
        for p in reader.pages
        for text in [p.extract_text()]
    ]


def test_the_demo_pdf_has_no_near_empty_page_before_a_landscape_page(service):
    dossier = _demo(service)
    pages = _page_lines(render_formats(dossier, ["pdf"], findings=(), today=TODAY)["pdf"])
    # A page's running header, notice and footer are about 6 lines; a short remainder of a
    # section before a landscape picture was 9 (page 7: the last five-whys chain).
    for n, ((landscape, lines, _), (next_landscape, _, next_text)) in enumerate(
        itertools.pairwise(pages), 1
    ):
        if next_landscape and not landscape and APPENDIX not in next_text:
            assert lines >= 20, f"page {n} holds {lines} lines before a landscape page"
    # The pictures are together at the end, each part on a landscape page; the sections
    # before them name them.
    first = next(i for i, (_, _, text) in enumerate(pages) if APPENDIX + "\n" in text)
    assert all(landscape for landscape, _, _ in pages[first:])
    body = "".join(text for _, _, text in pages[:first])
    assert "Figures 1-2: the fishbone diagram (2 parts) is printed on landscape pages" in body
    assert "Figure 3: the cause graph is printed on a landscape page" in body
    assert "Figure 1. Fishbone diagram" not in body
    appendix = "".join(text for _, _, text in pages[first:])
    assert "The outline in section 6 gives every text in full." in appendix
    assert appendix.index("Figure 1. Fishbone") < appendix.index("Figure 3. Cause graph")


def test_the_demo_docx_prints_its_pictures_in_the_appendix_on_landscape_pages(service):
    from docx import Document

    dossier = _demo(service)
    doc = Document(io.BytesIO(render_formats(dossier, ["docx"], findings=(), today=TODAY)["docx"]))
    body = doc.element.body
    # Every picture comes after the appendix's heading, in the last section, a landscape one.
    texts = ["".join(t.text or "" for t in p.iter(_w("t"))) for p in body.iter(_w("p"))]
    heading = texts.index(APPENDIX)
    drawings = [i for i, p in enumerate(body.iter(_w("p"))) if p.findall(".//" + _w("drawing"))]
    assert len(drawings) == 3 and min(drawings) > heading
    last = doc.sections[-1]
    assert last.page_width > last.page_height
    # The sections before it: portrait but for the action plan's wide table.
    landscape = [s.page_width > s.page_height for s in doc.sections]
    assert landscape.count(True) == 2
    joined = "\n".join(texts[:heading])
    assert "Figures 1-2: the fishbone diagram (2 parts) is printed on landscape pages" in joined
    assert "Figure 3: the cause graph is printed on a landscape page" in joined


def _w(tag: str) -> str:
    return "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + tag


def test_the_split_fits_the_smallest_picture_box_of_every_writer():
    """The landscape box the fishbone is split for fits in the HTML's turned print box, the
    DOCX's landscape picture box and the PDF's, on Letter and A4: a part readable there is
    printed at 7 pt or more by all three (the HTML printed a part 9.5 in wide at 9.2 in)."""
    from exports import html
    from exports.document import Front
    from exports.docx import _Writer
    from exports.pdf_style import BOTTOM, MARGIN, MM_PER_INCH, TOP

    bw, bh = PAGE_BOXES[0]
    with open(html.__file__, encoding="utf-8") as f:  # the print stylesheet
        turned = re.search(r"\.turn svg \{ max-width: ([\d.]+)in; max-height: ([\d.]+)in;",
                           f.read())
    assert turned is not None
    assert bw <= float(turned.group(1)) and bh <= float(turned.group(2))
    for paper, (pw, ph) in {"letter": (8.5, 11.0), "a4": (8.27, 11.69)}.items():
        fr = Front("t", "m", "", "h", "f", "", "s", "a", paper=paper)
        w = _Writer(None, fr, {})
        assert bw <= w.landscape_picture[0] and bh <= w.landscape_picture[1]
        pdf_w = ph - 2 * MARGIN / MM_PER_INCH
        pdf_h = pw - (TOP + BOTTOM + 18) / MM_PER_INCH  # the PDF writer's room for a picture
        assert bw <= pdf_w and bh <= pdf_h
    # 9.9 in wide: 6.97 pt in the HTML's 9.2 in (it was readable in a 9.5 in box)
    assert not readable((9.9, 4.0)) and readable((9.8, 4.0))


def test_the_pdf_prints_every_fishbone_part_at_7_pt_or_more(service):
    """The PDF writer shrank a part to fill what was left of a page, down to 85% (6.4 pt)."""
    from pypdf import PdfReader

    from exports.formats import Job
    from tests.test_export_html_print import _big

    dossier = _big(service)
    pdf = render_formats(dossier, ["pdf"], findings=(), today=TODAY)["pdf"]
    parts = [v for k, v in Job(dossier, ()).png_pictures.items() if k.startswith("fishbone/")]
    assert len(parts) > 7
    sizes = {(int.from_bytes(v[16:20], "big"), int.from_bytes(v[20:24], "big")) for v in parts}
    scales = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        content = page.get_contents().get_data().decode("latin-1")
        for w_pt, name in re.findall(r"q ([\d.]+) 0 0 [\d.]+ [\d.]+ [\d.]+ cm /(I\d+) Do", content):
            image = page["/Resources"]["/XObject"]["/" + name]
            if (int(image["/Width"]), int(image["/Height"])) in sizes:
                scales.append(float(w_pt) / (int(image["/Width"]) / 150 * 72))
    assert len(scales) == len(parts)
    assert SMALLEST_PT * min(scales) >= MIN_PRINT_PT - 1e-6
