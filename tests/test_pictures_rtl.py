"""Arabic and Hebrew in the report pictures: joined letters, right-to-left runs in bidi order,
each wrapped label read in one direction, and the exports that carry the pictures.

matplotlib (3.11, libraqm) shapes and orders a line given in typed order; what the pictures add
is the label's direction on every line (isolates) and right alignment for RTL labels. The
fonts are DejaVu Sans, shipped with matplotlib: nothing here depends on the machine's fonts.
"""

from __future__ import annotations

import io

from test_diagrams import text_boxes
from test_export_docx_pdf import dossier, read_pdf

from exports import diagrams
from exports.pictures.text import LRI, PDI, RLI, bidi_lines, is_rtl, plain
from models.domain import Cause, Link

AR_EVENT = "سقط المريض من السرير"  # "the patient fell from the bed"
AR_ROOT = "لم يتم رفع حاجز السرير قبل مغادرة الممرضة الغرفة في المساء"  # wraps
HE_CAUSE = "המטופל נפל מהמיטה בלילה"  # "the patient fell from the bed at night"
MIXED = "Dose 5 mg given twice then השמטה ok"  # Latin first: a left-to-right label
AR_CONTRIB = "الممرضة متعبة"  # a contributing factor: italic in Latin script


def rtl_causes():
    causes = [
        Cause(1, 1, AR_EVENT, None, "event"),
        Cause(2, 1, AR_ROOT, "People", "root"),
        Cause(3, 1, HE_CAUSE, "Equipment", "cause"),
        Cause(4, 1, MIXED, "People", "cause"),
        Cause(5, 1, AR_CONTRIB, "Equipment", "contributing"),
    ]
    links = [Link(1, 1, 2, 1), Link(2, 1, 3, 1), Link(3, 1, 4, 2), Link(4, 1, 5, 3)]
    return causes, links


def texts_by_gid(fig):
    return {t.get_gid(): t for t in fig.texts if t.get_gid()}


def test_label_direction_is_that_of_its_first_strong_letter():
    assert is_rtl(AR_EVENT) and is_rtl(HE_CAUSE) and is_rtl("5 - " + HE_CAUSE)
    assert not is_rtl(MIXED) and not is_rtl("plain") and not is_rtl("12 ↗")
    # lines without RTL text are left as they are; others isolated in the label's direction
    assert bidi_lines(["plain", "text"], False) == ["plain", "text"]
    assert bidi_lines(["Dose 5 mg then", "השמטה ok"], False) == [
        f"{LRI}Dose 5 mg then{PDI}",
        f"{LRI}השמטה ok{PDI}",
    ]
    assert bidi_lines([AR_EVENT], True) == [f"{RLI}{AR_EVENT}{PDI}"]


def test_fishbone_gives_matplotlib_each_line_in_typed_order_isolated_in_its_labels_direction():
    causes, links = rtl_causes()
    fig = diagrams.fishbone_figure(AR_EVENT, ["People", "Equipment"], causes, links)
    texts = texts_by_gid(fig)

    head = texts["fishbone-head"]
    assert head.get_text() == f"{RLI}{AR_EVENT}{PDI}"

    root = texts["fishbone-cause-2"]
    lines = root.get_text().split("\n")
    assert len(lines) > 1  # wrapped first, in typed order, then each line isolated
    assert all(line.startswith(RLI) and line.endswith(PDI) for line in lines)
    assert plain(" ".join(lines)) == f"◆ {AR_ROOT}"
    assert root._multialignment == "right"  # RTL lines flush right

    mixed = texts["fishbone-cause-4"].get_text().split("\n")
    assert mixed == [f"{LRI}Dose 5 mg given twice then{PDI}", f"{LRI}השמטה ok{PDI}"]
    assert texts["fishbone-cause-4"]._multialignment in (None, "left")

    # DejaVu Sans Oblique has no Arabic: the contributing factor is drawn upright (its "+"
    # mark still says what it is), instead of as boxes
    contrib = texts["fishbone-cause-5"]
    assert plain(contrib.get_text()) == f"+ {AR_CONTRIB}"
    assert contrib.get_fontproperties().get_style() == "normal"
    assert texts["fishbone-cause-3"].get_text() == f"{RLI}{HE_CAUSE}{PDI}"

    # plain Latin labels are untouched
    fig2 = diagrams.fishbone_figure("Fall", ["People"], [Cause(1, 1, "Fall", None, "event"),
                                    Cause(2, 1, "Bed alarm off", "People", "cause")],
                                    [Link(1, 1, 2, 1)])
    assert texts_by_gid(fig2)["fishbone-cause-2"].get_text() == "Bed alarm off"


def test_matplotlib_joins_arabic_and_orders_it_right_to_left():
    """What the renderer makes of the strings above: contextual letter forms (initial, medial,
    final) in visual order; a Hebrew word inside a left-to-right line keeps its place."""
    from matplotlib.ft2font import FT2Font, LoadFlags

    font = FT2Font(diagrams.font_path())
    font.set_size(12, 72)

    def laid_out(s):
        items = sorted(font._layout(s, LoadFlags.NO_HINTING), key=lambda it: it.x)
        return [(it.char, font.get_glyph_name(it.glyph_index)) for it in items]

    word = "سقط"  # seen, qaf, tah: joined, drawn right to left
    got = laid_out(f"{RLI}{word}{PDI}")
    drawn = [(c, g) for c, g in got if c in word]
    assert [c for c, _ in drawn] == ["ط", "ق", "س"]  # leftmost glyph is the last letter
    # final tah (FEC2), medial qaf (FED8), initial seen (FEB3): the letters are joined
    assert [g for _, g in drawn] == ["uniFEC2", "uniFED8", "uniFEB3"]

    chars = [c for c, _ in laid_out(f"{LRI}השמטה ok{PDI}") if c.strip() and c not in LRI + PDI]
    assert "".join(chars) == "הטמשה" + "ok"  # the Hebrew word read right to left, then "ok"


def test_rtl_labels_are_measured_no_smaller_than_drawn_and_do_not_overlap():
    from exports.pictures.canvas import Canvas

    cv = Canvas(150)
    for style, size in (("regular", 9.0), ("bold", 9.0), ("italic", 8.0), ("bold", 11.0)):
        for s in (AR_EVENT, AR_ROOT, HE_CAUSE, MIXED, "لا إله", "C12 " + AR_CONTRIB):
            for text in (s, f"{s}\n{s[:5]}"):
                t = cv.text(text, (style, size))
                w, h = cv.size(t)
                real = t.get_window_extent(cv.renderer)
                assert w * 150 >= real.width - 0.01, (style, text)
                assert h * 150 >= real.height - 0.01, (style, text)
    causes, links = rtl_causes()
    fig = diagrams.fishbone_figure(AR_EVENT, ["People", "Equipment"], causes, links)
    fig.canvas.draw()
    boxes = text_boxes(fig)
    from test_diagrams import assert_no_overlap

    assert_no_overlap(boxes)
    graph = diagrams.graph_figure(causes, links)
    graph_texts = texts_by_gid(graph)
    assert graph_texts["graph-cause-3"].get_text() == f"{RLI}{HE_CAUSE}{PDI}"


def test_arabic_and_hebrew_need_no_other_font_and_nothing_is_called_undrawable():
    texts = [AR_EVENT, AR_ROOT, HE_CAUSE, MIXED, AR_CONTRIB]
    assert diagrams.missing_glyphs(texts) == ""  # DejaVu Sans has both scripts


def test_reports_with_arabic_and_hebrew_pictures_export(caplog):
    import logging

    from exports.formats import FORMATS, Job

    d = dossier(f"{AR_ROOT} {HE_CAUSE}")
    job = Job(d)
    with caplog.at_level(logging.WARNING, logger="rca_tui.exports"):
        pdf = FORMATS["pdf"].render(job)
        docx = FORMATS["docx"].render(job)
        html = FORMATS["html"].render(job)
    assert not [r for r in caplog.records if "show a box" in r.getMessage()]
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
    assert isinstance(docx, bytes) and docx.startswith(b"PK")
    assert isinstance(html, str) and "<svg" in html
    from PIL import Image

    for name, png in job.png_pictures.items():
        Image.open(io.BytesIO(png)).verify()
        assert name.startswith(("fishbone", "graph"))
    assert read_pdf(pdf)  # the PDF opens


def test_arabic_letters_dejavu_lacks_come_from_an_arabic_font_where_the_machine_has_one(
    monkeypatch,
):
    """Machine fonts decide nothing here: the lists of fallback fonts are set by the test."""
    import os

    from exports import pdf_fonts
    from exports.pictures import text as picture_text

    rare = ["\u08a0\u08a1 ۺ فى"]  # Arabic Extended-A letters and a Sindhi one
    monkeypatch.setattr(pdf_fonts, "CJK_FONTS", ())
    monkeypatch.setattr(picture_text, "RTL_FONTS", ())
    assert diagrams.fallback_font(rare) is None
    assert diagrams.missing_glyphs(rare) == "\u08a0\u08a1ۺ"  # named once by the export
    everything = os.path.join(os.path.dirname(diagrams.font_path()), "LastResortHE-Regular.ttf")
    monkeypatch.setattr(picture_text, "RTL_FONTS", ("/no/such/font.ttf", everything))
    assert diagrams.fallback_font(rare) == everything
    assert diagrams.missing_glyphs(rare, everything) == ""
