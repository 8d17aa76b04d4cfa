"""The report as a PDF, written with fpdf2.

API (the CLI imports it lazily as `exports.pdf.pdf_report`):

    pdf_report(report, pictures) -> bytes

`report` is the `exports.report.Report` of one investigation; `pictures` maps "fishbone" and/or
"graph" to PNG bytes from `exports.diagrams` (`fishbone_png`, `graph_png`); a missing picture
is left out (the fishbone is always given as text too).

Same content and order as the DOCX (both walk `exports.document.outline`): title, the
generated-at/by/database-version line, a "De-identified copy" banner (and the same words in
every page header) when the report is de-identified, numbered sections (also as PDF bookmarks),
tables that break across pages between rows with the header row repeated (a row taller than a
page is cut into several rows), the pictures that need a landscape page (a wide fishbone, the
cause graph) in a figures appendix after the last section (`exports.picture_parts`), and
"Page N of M" in every footer. US Letter or A4 (the `paper_size` setting).

This module makes the document (metadata, page header and footer); `exports.pdf_writer` writes
the blocks onto its pages, `exports.pdf_fonts` loads the fonts, `exports.pdf_style` holds the
sizes and colours, `exports.pdf_tags` builds the structure tree: the PDF is tagged (headings,
paragraphs, tables with header cells, lists, figures with alt text; the page header, footer,
notice and page numbers are artifacts; each bookmark names its heading), with /Lang (the
`language` setting), /MarkInfo, the title shown by the viewer (/DisplayDocTitle) and the same
metadata in the XMP.

Fonts: DejaVu Sans (regular, bold, oblique) from matplotlib's data folder, so no font package is
needed and any Latin, Greek or Cyrillic text prints. Characters DejaVu lacks (CJK, most emoji)
are looked up first in a CJK font if the system has one of a few well-known ones, then in
matplotlib's "Last Resort" font, which draws a box naming the character's block: nothing is
dropped, nothing raises, and the text layer keeps the real characters (searchable, copyable).
Only those characters are loaded from the fallback fonts, so a report without them pays
nothing. Right-to-left text (Arabic, Hebrew) is shaped and ordered with HarfBuzz (uharfbuzz,
through fpdf2's `set_text_shaping`), switched on only for a report that holds some. fpdf2
would only *log* a glyph it cannot find anywhere ("... is missing the following glyphs"); that
stays a log line. A tab prints as a space. User text is never parsed as markdown or markup.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from typing import Any

from exports.document import (
    Block,
    Front,
    front,
    outline,
    texts,
)
from exports.pdf_fonts import RTL, load_fonts
from exports.pdf_style import BOTTOM, FAMILY, INK, MARGIN, MUTED, PAPER, SMALL_PT, TOP
from exports.pdf_tags import Tags, output_producer
from exports.pdf_writer import Writer, fit_line
from exports.picture_parts import figures_appendix
from exports.pictures.style import PNG_COMPRESSION as PICTURE_COMPRESSION
from exports.report import Report


def pdf_report(report: Report, pictures: Mapping[str, bytes] | None = None) -> bytes:
    """The whole report as PDF bytes (see the module docstring)."""
    return _render(front(report), outline(report), pictures or {})


def pdf_blocks(fr: Front, blocks: Sequence[Block]) -> bytes:
    """A PDF of plain blocks with the report's look (the board pack, exports/board.py)."""
    return _render(fr, list(blocks), {})


def _render(fr: Front, blocks: list[Block], pictures: Mapping[str, bytes]) -> bytes:
    from fpdf.image_parsing import SETTINGS

    # fpdf2 decodes each PNG and compresses its pixels again, at zlib's default level: for
    # the line art of a split 200-cause fishbone (60 megapixels) that took a third of the
    # PDF's time. Level 1, as the PNGs themselves use: 0.4 s less there, and the file a
    # fifth larger (3.1 MB instead of 2.6 MB).
    level, SETTINGS.compression_level = SETTINGS.compression_level, PICTURE_COMPRESSION
    try:
        return _render_pages(fr, blocks, pictures)
    finally:
        SETTINGS.compression_level = level


def _render_pages(fr: Front, blocks: list[Block], pictures: Mapping[str, bytes]) -> bytes:
    pdf = _pdf_class()(fr)
    w = Writer(pdf, fr, dict(pictures))
    # Pictures that need a landscape page go to the figures appendix (the DOCX's rule too).
    blocks = figures_appendix(blocks, w.pictures, w.is_wide)
    strings = list(texts(blocks, fr))
    load_fonts(pdf, strings)
    if any(ch in RTL for s in strings for ch in s):
        # Right-to-left text (Arabic, Hebrew) is shaped and laid out right to left by
        # HarfBuzz (uharfbuzz), line by line; without it, it would print in typed order and a
        # reader would get each word backwards. Only then: shaping costs time.
        pdf.set_text_shaping(use_shaping_engine=True)
    pdf.set_title(fr.title)
    pdf.set_author(fr.author)
    pdf.set_subject(fr.subject)
    pdf.set_keywords(fr.keywords)
    pdf.set_creator("rca-tui")
    # The document language (the `language` setting): /Lang on the catalog, for a screen
    # reader's voice; the same in the XMP.
    pdf.set_lang(fr.language)
    created = dt.datetime.now(dt.UTC).replace(microsecond=0)
    pdf.set_creation_date(created)
    pdf.set_xmp_metadata(_xmp(fr, created))
    pdf.wrap_notice = lambda width: w.wrap(fr.notice, "I", SMALL_PT - 1, width)
    pdf.c_margin = 0  # text is placed exactly where this module says (cells have padding)
    pdf.add_page()
    w.title_block()
    for i, block in enumerate(blocks):
        w.block(block, blocks, i)
    return bytes(pdf.output(output_producer_class=output_producer()))


@functools.cache
def _pdf_class() -> type:
    from fpdf import FPDF
    from fpdf.prefs import ViewerPreferences

    class ReportPDF(FPDF):
        def __init__(self, fr: Front) -> None:
            super().__init__(orientation="P", unit="mm", format=PAPER.get(fr.paper, "letter"))
            self.fr = fr
            #: The notice's lines per text width (`wrap_notice` is set by the writer).
            self.notice_lines: dict[float, list[str]] = {}
            self.wrap_notice: Any = None
            self.set_margins(MARGIN, TOP, MARGIN)
            self.set_auto_page_break(True, margin=BOTTOM)
            self.set_display_mode("fullwidth", "continuous")
            # A viewer shows the title, not the file name (PDF/UA).
            self.viewer_preferences = ViewerPreferences(display_doc_title=True)
            #: The structure tree (exports/pdf_tags.py), in place of fpdf2's own.
            self.tags = Tags(self)
            self.struct_builder = self.tags  # type: ignore[assignment]  # same interface

        def header(self) -> None:
            self.tags.furniture("Header")  # page furniture: an artifact, not in the tree
            self.set_font(FAMILY, "B" if self.fr.deidentified else "", SMALL_PT)
            self.set_text_color(*MUTED)
            self.set_xy(self.l_margin, 9)
            width = self.w - self.l_margin - self.r_margin
            self.cell(width, 4, fit_line(self, self.fr.header, width))
            self.set_draw_color(200, 200, 200)
            self.line(self.l_margin, 14, self.w - self.r_margin, 14)
            self.set_xy(self.l_margin, TOP)
            self.set_text_color(*INK)
            self.tags.resume()

        def footer(self) -> None:
            self.tags.furniture("Footer")  # the notice and the page number too
            width = self.w - self.l_margin - self.r_margin
            self.set_text_color(*MUTED)
            if self.fr.notice:
                # Wrapped once per page width, not laid out again on every page.
                lines = self.notice_lines.get(width)
                if lines is None:
                    lines = self.notice_lines[width] = self.wrap_notice(width)
                self.set_font(FAMILY, "I", SMALL_PT - 1)
                for k, line in enumerate(lines[:3]):
                    self.text(self.l_margin, self.h - 17 + 2.9 * k, line)
            self.set_font(FAMILY, "", SMALL_PT)
            y = self.h - 11
            page = f"Page {self.page_no()} of {self.alias_nb_pages_text()}"
            self.set_xy(self.l_margin, y)
            self.cell(width - 32, 4, fit_line(self, self.fr.footer, width - 34))
            self.set_xy(self.w - self.r_margin - 32, y)
            self.cell(32, 4, page, align="R")
            self.set_text_color(*INK)
            self.tags.suspend()

        def alias_nb_pages_text(self) -> str:
            return self.str_alias_nb_pages or "{nb}"

    return ReportPDF


def _xmp(fr: Front, created: dt.datetime) -> str:
    """The document's XMP metadata (what archives and PDF/UA checkers read): the same title,
    author, subject and keywords as the document information, and this application."""
    from xml.sax.saxutils import escape

    when = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(fr.title)}</rdf:li>'
        "</rdf:Alt></dc:title>"
        f"<dc:creator><rdf:Seq><rdf:li>{escape(fr.author)}</rdf:li></rdf:Seq></dc:creator>"
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(fr.subject)}'
        "</rdf:li></rdf:Alt></dc:description>"
        f"<dc:language><rdf:Bag><rdf:li>{escape(fr.language)}</rdf:li></rdf:Bag></dc:language>"
        f"<pdf:Keywords>{escape(fr.keywords)}</pdf:Keywords>"
        "<pdf:Producer>rca-tui (fpdf2)</pdf:Producer>"
        f"<xmp:CreatorTool>rca-tui</xmp:CreatorTool><xmp:CreateDate>{when}</xmp:CreateDate>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
