"""The report as a Word document (DOCX), written with python-docx.

API (the CLI imports it lazily as `exports.docx.docx_report`):

    docx_report(report, pictures) -> bytes

`report` is the `exports.report.Report` of one investigation; `pictures` maps "fishbone" and/or
"graph" to PNG bytes from `exports.diagrams` (`fishbone_png`, `graph_png`); a missing picture
is left out (the fishbone is always given as text too).

What is in it: the title with the generated-at/by/database-version line, a "De-identified copy"
banner (and the same words in every page header) when the report is de-identified, one numbered
Heading 1 per section in the order of `exports.report.SECTIONS` (the same blocks as the PDF, from
`exports.document.outline`), tables with a repeated header row (team, timeline, facts, root
causes, the action plan split into plan / measures / concurrence so every field of an action
fits a portrait page, sign-off, feedback, check findings), the pictures that need a landscape
page (a wide fishbone, the cause graph) in a figures appendix after the last section, as in the
PDF (`exports.picture_parts.figures_appendix`), and "Page N of M" (PAGE and NUMPAGES fields) in
every footer. Document properties carry the title, author and subject only.

Every string goes through `exports.safety.clean_xml_text` (control characters shown as their
pictures, `models.visible`: python-docx refuses those XML forbids); text is added as runs,
never parsed, so "[bold]", "<script>" or "=HYPERLINK(...)" are printed as typed. python-docx
is imported inside the function.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

from exports.document import (
    Block,
    Front,
    Heading,
    Item,
    Note,
    Para,
    Picture,
    Table,
    fit,
    front,
    outline,
    png_size,
    t,
    wide_section,
)
from exports.docx_xml import MUTED, body_rows, one_break, run_xml, styled_run_xml
from exports.language import app_lang
from exports.picture_parts import figures_appendix, parts_note, picture_parts
from exports.report import DEFAULT_NOTICE, Report
from exports.table_widths import unbroken_widths

#: The paper sizes (the `paper_size` setting), width and height in inches.
PAPER = {"letter": (8.5, 11.0), "a4": (8.27, 11.69)}
MARGIN = 0.75
#: A picture at least this much wider than high, and wider than a portrait page, gets a
#: landscape page of its own.
WIDE = 1.25


def _arial_em(text: str) -> float:
    """The width of `text` in Arial, in em (digits, hyphens and capitals measured; other
    characters at an average lower-case width): enough to size a column of dates and codes."""
    return sum(
        0.556
        if ch.isdigit()
        else 0.333
        if ch in "-./:"
        else 0.278
        if ch == " "
        else 0.722
        if ch.isupper()
        else 0.556
        for ch in text
    )


#: Arial in Word; LibreOffice substitutes its metric twin (Liberation Sans). The template's
#: theme fonts (Calibri, Cambria) are often missing outside Windows.
FONT = "Arial"
BODY_PT = 10
TABLE_PT = 8.5
SMALL_PT = 8
HEADER_FILL = "DCE3EE"
NOTE_FILL = "FFF4D6"
NOTE_BORDER = "B58900"


def docx_report(report: Report, pictures: Mapping[str, bytes] | None = None) -> bytes:
    """The whole report as DOCX bytes (see the module docstring)."""
    from docx import Document

    fr = front(report)
    doc = Document()
    w = _Writer(doc, fr, dict(pictures or {}))
    w.setup()
    w.title_block()
    blocks = figures_appendix(outline(report), w.pictures, w.is_wide)
    for i, block in enumerate(blocks):
        if isinstance(block, Heading) and block.level == 1:
            # A section that opens with a wide picture, or holds a wide table, is printed on
            # landscape pages; the next section goes back to portrait.
            soon = [b for b in blocks[i + 1 : i + 3] if isinstance(b, Picture)]
            wide = (bool(soon) and w.is_wide(soon[0])) or wide_section(blocks, i)
            new_page = w.landscape(wide)
            w.block(block)
            if block.page and not new_page:
                w.doc.paragraphs[-1].paragraph_format.page_break_before = True
            continue
        w.block(block)
    buf = io.BytesIO()
    doc.save(buf)
    return _own_properties(buf.getvalue(), report.meta.app_version)


#: The extended properties (docProps/app.xml): python-docx's template says "Microsoft Macintosh
#: Word" and carries a thumbnail of some other document.
_APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"><Application>rca-tui</Application><AppVersion>{version}</AppVersion>'
    "<DocSecurity>0</DocSecurity></Properties>"
)


def _own_properties(data: bytes, version: str) -> bytes:
    """The saved document with this application's own extended properties and without the
    template's thumbnail (rewritten with `zipfile`; python-docx has no API for either)."""
    import re
    import zipfile

    parts = re.fullmatch(r"(\d+)\.(\d+)", ".".join(version.split(".")[:2]))
    app_version = f"{int(parts[1]):02d}.{int(parts[2]):04d}" if parts else "00.0000"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename == "docProps/thumbnail.jpeg":
                continue
            body = src.read(info.filename)
            if info.filename == "docProps/app.xml":
                body = _APP_XML.format(version=app_version).encode("utf-8")
            elif info.filename == "_rels/.rels":
                body = re.sub(rb"<Relationship [^>]*thumbnail[^>]*/>", b"", body)
            # pictures are PNGs already: stored, not compressed again
            kind = zipfile.ZIP_STORED if info.filename.endswith(".png") else zipfile.ZIP_DEFLATED
            dst.writestr(info, body, compress_type=kind)
    return out.getvalue()


def _plain_font(style: Any) -> None:
    """`style` in FONT, also where the template names a theme font (which would win)."""
    from docx.oxml.ns import qn

    style.font.name = FONT
    fonts = style.element.rPr.rFonts
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


class _Writer:
    def __init__(self, doc: Any, fr: Front, pictures: dict[str, bytes]) -> None:
        from docx.shared import Inches, Pt, RGBColor

        self.doc = doc
        self.fr = fr
        self.pictures = pictures
        self.Inches, self.Pt, self.RGBColor = Inches, Pt, RGBColor
        self.muted = RGBColor(*MUTED)
        self.figure = 0
        self.in_landscape = False
        self.page_w, self.page_h = PAPER.get(fr.paper, PAPER["letter"])
        #: Room for a picture on a portrait and on a landscape page (below the heading).
        self.portrait_picture = (self.page_w - 2 * MARGIN, self.page_h - 2 * MARGIN - 1.9)
        #: (At least the box the fishbone is split for, `PAGE_BOXES`, on A4 too.)
        self.landscape_picture = (self.page_h - 2 * MARGIN, self.page_w - 2 * MARGIN - 1.25)
        #: The language of the app's own wording where it is not the document's.
        self.en = app_lang(fr.language)

    def en_run(self, run: Any, en: bool = True) -> Any:
        """`run` marked as the app's English wording (`w:lang`), where the document is in
        another language."""
        if en and self.en:
            from docx.oxml import OxmlElement
            from docx.oxml.ns import qn

            lang = OxmlElement("w:lang")
            lang.set(qn("w:val"), self.en)
            run._r.get_or_add_rPr().append(lang)
        return run

    @property
    def text_w(self) -> float:
        """The width of the text on the current page, in inches."""
        side = self.page_h if self.in_landscape else self.page_w
        return side - 2 * MARGIN

    # --- document set-up -----------------------------------------------------------------
    def setup(self) -> None:
        from docx.enum.style import WD_STYLE_TYPE

        doc, Inches, Pt = self.doc, self.Inches, self.Pt
        sec = doc.sections[0]
        sec.page_width, sec.page_height = Inches(self.page_w), Inches(self.page_h)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(sec, side, Inches(MARGIN))
        sec.header_distance = sec.footer_distance = Inches(0.35)

        styles = doc.styles
        normal = styles["Normal"]
        normal.font.size = Pt(BODY_PT)
        normal.font.name = FONT
        normal.paragraph_format.space_after = Pt(4)
        for name in ("Normal", "Title", "Heading 1", "Heading 2", "Caption", "Quote"):
            _plain_font(styles[name])
        for name, size in (("Heading 1", 14), ("Heading 2", 11.5)):
            styles[name].font.size = Pt(size)
            styles[name].paragraph_format.space_before = Pt(14 if name == "Heading 1" else 9)
            styles[name].paragraph_format.space_after = Pt(4)
        cell = styles.add_style("RCA Table Text", WD_STYLE_TYPE.PARAGRAPH)
        cell.base_style = normal
        cell.font.size = Pt(TABLE_PT)
        cell.paragraph_format.space_after = Pt(0)
        cell.paragraph_format.space_before = Pt(0)
        self.cell_style = cell
        self.style_ids = {
            name: styles[name].style_id for name in ("Heading 1", "Heading 2", "Quote", "Caption")
        }
        styles["Caption"].font.size = Pt(SMALL_PT + 1)

        cp = doc.core_properties
        now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
        cp.title = self.fr.title
        cp.subject = self.fr.subject
        cp.author = cp.last_modified_by = self.fr.author
        cp.keywords = self.fr.keywords
        cp.language = self.fr.language  # the `language` setting, as the PDF's /Lang
        _run_language(doc, self.fr.language)
        cp.comments = self.fr.meta_line
        cp.category = "Patient safety"
        cp.created = cp.modified = now
        cp.revision = 1
        self._header_footer(sec, self.text_w)

    def _header_footer(self, sec: Any, text_w: float) -> None:
        """The page header (title, de-identified mark) and footer (generated by, "Page N of
        M" at the right edge of a `text_w` inches wide text area) of section `sec`."""
        from docx.enum.text import WD_TAB_ALIGNMENT

        Pt = self.Pt
        if sec is not self.doc.sections[0]:
            sec.header.is_linked_to_previous = False
            sec.footer.is_linked_to_previous = False
        hp = sec.header.paragraphs[0]
        run = hp.add_run(self.fr.header)
        run.font.size = Pt(SMALL_PT)
        run.font.color.rgb = self.muted
        run.bold = self.fr.deidentified

        fp = sec.footer.paragraphs[0]
        if self.fr.notice:
            fp.style = self.doc.styles["Normal"]
            fp.paragraph_format.space_after = Pt(2)
            r = fp.add_run(self.fr.notice)
            r.font.size = Pt(SMALL_PT - 1)
            r.italic = True
            r.font.color.rgb = self.muted
            self.en_run(r, self.fr.notice == " ".join(DEFAULT_NOTICE.split()))
            fp = sec.footer.add_paragraph()
        fp.style = self.doc.styles["Normal"]  # the Footer style's own tab stops would interfere
        fp.paragraph_format.space_after = Pt(0)
        fp.paragraph_format.tab_stops.add_tab_stop(self.Inches(text_w), WD_TAB_ALIGNMENT.RIGHT)
        for text in (self.fr.footer, "\tPage "):
            r = fp.add_run(text)
            r.font.size = Pt(SMALL_PT)
            r.font.color.rgb = self.muted
        self.en_run(r)
        self._field(fp, "PAGE", "1")
        r = fp.add_run(" of ")
        r.font.size = Pt(SMALL_PT)
        r.font.color.rgb = self.muted
        self.en_run(r)
        self._field(fp, "NUMPAGES", "1")

    def _field(self, paragraph: Any, instr: str, shown: str) -> None:
        """A Word field (PAGE, NUMPAGES) as begin / instruction / separate / result / end."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        def char(kind: str) -> None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            r = paragraph.add_run()
            r.font.size = self.Pt(SMALL_PT)
            r._r.append(el)

        char("begin")
        r = paragraph.add_run()
        r.font.size = self.Pt(SMALL_PT)
        code = OxmlElement("w:instrText")
        code.set(qn("xml:space"), "preserve")
        code.text = f" {instr} "
        r._r.append(code)
        char("separate")
        r = paragraph.add_run(shown)
        r.font.size = self.Pt(SMALL_PT)
        r.font.color.rgb = self.muted
        char("end")

    def title_block(self) -> None:
        doc = self.doc
        doc.add_heading(self.fr.title, level=0)
        p = doc.add_paragraph()
        r = p.add_run(self.fr.meta_line)
        r.font.size = self.Pt(SMALL_PT + 1)
        r.font.color.rgb = self.muted
        self.en_run(r)
        if self.fr.banner:
            p = doc.add_paragraph()
            self._boxed(p, NOTE_FILL, NOTE_BORDER, 12)
            r = p.add_run(self.fr.banner)
            r.bold = True
            self.en_run(r)

    # --- blocks ----------------------------------------------------------------------------
    def block(self, b: object) -> None:
        if isinstance(b, Heading):
            p = self.doc.add_paragraph()
            p._p.style = self.style_ids["Heading 1" if b.level == 1 else "Heading 2"]
            self.en_run(p.add_run(t(b.text)), b.en)
        elif isinstance(b, Para):
            self.para(b)
        elif isinstance(b, Item):
            self.item(b)
        elif isinstance(b, Note):
            p = self.doc.add_paragraph()
            self._boxed(p, NOTE_FILL, NOTE_BORDER, 4)
            lead = p.add_run(t(b.lead))
            lead.bold = True
            self.en_run(lead)
            self.en_run(p.add_run(one_break(b.text)), b.en)
        elif isinstance(b, Table):
            self.table(b)
        elif isinstance(b, Picture):
            parts = picture_parts(b, self.pictures)
            note = parts_note(parts)
            if note is not None:
                self.block(note)
            for part in parts:  # parts share landscape pages
                self.picture(part)

    def _runs(self, p: Any, runs: tuple, size: float | None = None) -> None:
        for run in runs:
            r = p.add_run(one_break(run.text))
            if run.bold:
                r.bold = True
            if run.italic:
                r.italic = True
            if run.muted:
                r.font.color.rgb = self.muted
            if size:
                r.font.size = self.Pt(size)
            self.en_run(r, run.en)

    def para(self, b: Para) -> None:
        p = self.doc.add_paragraph()
        if b.style == "quote":
            p._p.style = self.style_ids["Quote"]
        if b.indent:
            p.paragraph_format.left_indent = self.Inches(0.3 * b.indent)
        self._runs(p, b.runs, 11 if b.style == "score" else None)

    def item(self, b: Item) -> None:
        """One outline or list line, written as WordprocessingML (there can be thousands): the
        elements python-docx's paragraph_format and add_run would write."""
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        left = self.Inches(0.28 * b.depth + (0.28 if b.label else 0)).twips
        keep = b.keep or (not b.label and b.depth == 0)
        before = ' w:before="100"' if not b.label and b.depth == 0 else ""  # 5 pt
        hanging = f' w:hanging="{self.Inches(0.22).twips}"' if b.label else ""
        xml = [
            f"<w:p {nsdecls('w')}><w:pPr>",
            "<w:keepNext/>" if keep else "",
            f'<w:spacing w:after="20"{before}/><w:ind w:left="{left}"{hanging}/></w:pPr>',
        ]
        if b.label:
            xml.append(run_xml(t(b.label) + " "))
        for run in (*b.lead, *b.runs):
            xml.append(styled_run_xml(one_break(run.text), run, self.en))
        xml.append("</w:p>")
        self.doc.element.body._insert_p(parse_xml("".join(xml)))

    def _unbroken(self, b: Table) -> tuple[float, ...]:
        """Column widths with the dates and codes (`nowrap`) on one line: Word breaks
        "2027-01-16" at a hyphen in a column too narrow for it. Measured with Arial's widths."""
        if not b.nowrap or not b.rows:
            return b.widths
        longest = {
            i: max(_arial_em(ln) for row in b.rows for ln in row[i].split("\n")) for i in b.nowrap
        }
        # the cell's own margins (Table Grid: 0.08 in a side) and a little air
        needs = {i: (em * TABLE_PT / 72 + 0.2) / self.text_w for i, em in longest.items()}
        return unbroken_widths(b.widths, needs)

    def table(self, b: Table) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.oxml.ns import qn

        n = len(b.headers)
        table = self.doc.add_table(rows=1, cols=n)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        widths = [self.Inches(self.text_w * f) for f in self._unbroken(b)]
        for col, width in zip(table.columns, widths, strict=True):
            col.width = width
        style = self.cell_style.style_id
        head = table.rows[0]
        self._repeat_header(head)
        for cell, text, width in zip(head.cells, b.headers, widths, strict=True):
            cell.width = width
            p = cell.paragraphs[0]
            p._p.style = style  # by id: python-docx's lookup by name scans every style
            r = p.add_run(t(text))
            r.bold = True
            self.en_run(r)
            self._shade(cell, HEADER_FILL)
        if b.rows:
            # The body rows as WordprocessingML, parsed in one go: the same elements python-docx
            # writes cell by cell (`body_rows`), several times faster for long tables.
            twips = [c._tc.tcPr.tcW.get(qn("w:w")) for c in head.cells]
            for tr in body_rows(b, twips, style, self.en):
                table._tbl.append(tr)
        self.doc.add_paragraph().paragraph_format.space_after = self.Pt(2)

    def picture(self, b: Picture) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        data = self.pictures.get(b.key)
        if not data:
            return
        try:
            size = png_size(data)
        except ValueError:
            self.block(Note(f"The picture '{t(b.key)}' was not a PNG and was left out.", ""))
            return
        doc, Inches = self.doc, self.Inches
        wide = self.is_wide(b)
        if wide:
            self.landscape(True)
            w, h = fit(size, *self.landscape_picture)
        else:
            w, h = fit(size, *self.portrait_picture)
        self.figure += 1
        shape = doc.add_picture(io.BytesIO(data), width=Inches(w), height=Inches(h))
        # Alt text (Section 508): the picture's caption, read out by screen readers.
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", f"Figure {self.figure}. {t(b.caption)}")
        doc_pr.set("title", t(b.caption))
        pic = doc.paragraphs[-1]
        pic.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pic.paragraph_format.keep_with_next = True
        cap = doc.add_paragraph(style="Caption")
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.en_run(cap.add_run(f"Figure {self.figure}. {t(b.caption)}"))

    def is_wide(self, b: Picture) -> bool:
        """Whether picture `b` gets a landscape page (wider than a portrait page and than
        high)."""
        data = self.pictures.get(picture_parts(b, self.pictures)[0].key)
        try:
            w, h = png_size(data) if data else (0.0, 0.0)
        except ValueError:
            return False
        return w > self.portrait_picture[0] and w >= WIDE * h

    def landscape(self, on: bool) -> bool:
        """Start a new page in landscape (`on`) or portrait orientation, if not in it yet;
        whether a page was started."""
        from docx.enum.section import WD_ORIENT, WD_SECTION

        if on == self.in_landscape:
            return False
        self.in_landscape = on
        sec = self.doc.add_section(WD_SECTION.NEW_PAGE)
        Inches = self.Inches
        if on:
            sec.orientation = WD_ORIENT.LANDSCAPE
            sec.page_width, sec.page_height = Inches(self.page_h), Inches(self.page_w)
        else:
            sec.orientation = WD_ORIENT.PORTRAIT
            sec.page_width, sec.page_height = Inches(self.page_w), Inches(self.page_h)
        self._header_footer(sec, self.text_w)
        return True

    # --- XML details -----------------------------------------------------------------------
    @staticmethod
    def _shade(cell: Any, fill: str) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), fill)
        cell._tc.get_or_add_tcPr().append(shd)

    @staticmethod
    def _repeat_header(row: Any) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        tr_pr = row._tr.get_or_add_trPr()
        for tag in ("w:cantSplit", "w:tblHeader"):  # the order the schema wants
            el = OxmlElement(tag)
            el.set(qn("w:val"), "true")
            tr_pr.append(el)

    def _boxed(self, p: Any, fill: str, border: str, space: int) -> None:
        """A paragraph with a coloured border and background (banner, warning)."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        p_pr = p._p.get_or_add_pPr()
        bdr = OxmlElement("w:pBdr")
        for side in ("top", "left", "bottom", "right"):
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), "12")
            el.set(qn("w:space"), "4")
            el.set(qn("w:color"), border)
            bdr.append(el)
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), fill)
        # pPr children have a fixed order: pStyle, keepNext, ..., pBdr, shd, tabs, ..., spacing
        p_pr.insert_element_before(
            bdr, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc"
        )
        p_pr.insert_element_before(
            shd, "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc"
        )
        p.paragraph_format.space_before = self.Pt(space)
        p.paragraph_format.space_after = self.Pt(space)
        p.paragraph_format.left_indent = self.Inches(0.08)
        p.paragraph_format.right_indent = self.Inches(0.08)


def docx_blocks(fr: Front, blocks: Sequence[Block], version: str) -> bytes:
    """A document of plain blocks with the report's look (the board pack, exports/board.py)."""
    from docx import Document

    doc = Document()
    w = _Writer(doc, fr, {})
    w.setup()
    w.title_block()
    for block in blocks:
        w.block(block)
    buf = io.BytesIO()
    doc.save(buf)
    return _own_properties(buf.getvalue(), version)


def _run_language(doc: Any, tag: str) -> None:
    """Every run's default language (docDefaults w:lang w:val, en-US in python-docx's
    template): Word's proofing language and a screen reader's voice for the text."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = doc.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr")
    if not rpr:
        return  # a template without run defaults: the core property still says it
    lang = rpr[0].find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr[0].append(lang)
    lang.set(qn("w:val"), tag)
