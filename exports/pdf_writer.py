"""Writing the report's blocks (`exports.document.outline`) onto fpdf2 pages: headings and
bookmarks, paragraphs, notes, tables that break between rows with the header repeated, and
pictures (on a landscape page when wide: the figures appendix, `exports.picture_parts`).

User text is never parsed as markdown or markup; a tab prints as a space. The app's own
wording is tagged English where the document is in another language (`Writer.en`); the text
drawn is told to the structure tree, for the /ActualText of right-to-left text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from exports.document import (
    Block,
    Front,
    Heading,
    Item,
    Note,
    Para,
    Picture,
    Run,
    Table,
    fit,
    png_size,
    t,
    wide_section,
)
from exports.language import app_lang
from exports.pdf_fonts import MISSING_WIDTH, RTL
from exports.pdf_images import preload_png
from exports.pdf_style import (
    ACCENT,
    BODY_PT,
    BOTTOM,
    CELL_PAD,
    FACT_FILL,
    FAMILY,
    H1_PT,
    H2_PT,
    HEADER_FILL,
    INDENT,
    INK,
    MARGIN,
    MAX_ROW_LINES,
    MM_PER_INCH,
    MUTED,
    NOTE_BORDER,
    NOTE_FILL,
    SMALL_PT,
    TABLE_PT,
    TITLE_PT,
    TOP,
    WIDE,
)
from exports.picture_parts import parts_note, picture_parts
from exports.pictures.fishbone_parts import MIN_PRINT_PT, SMALLEST_PT
from exports.table_widths import unbroken_widths


def fit_line(pdf: Any, text: str, width: float) -> str:
    """`text` cut with "…" to fit `width` mm in the current font (one line)."""
    text = " ".join(text.split())
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[: max(0, len(text) - max(1, len(text) // 10))]
    return text.rstrip() + "…"


# --- writing --------------------------------------------------------------------------------
class Writer:
    def __init__(self, pdf: Any, fr: Front, pictures: dict[str, bytes]) -> None:
        self.pdf = pdf
        self.fr = fr
        self.pictures = pictures
        self.figure = 0
        self.in_landscape = False
        self._widths: dict[str, dict[str, float]] = {}
        #: The structure tree (exports/pdf_tags.py): what is drawn is tagged as it is drawn.
        self.tags = pdf.tags
        #: The language of the app's own wording where it differs from the document's.
        self.en = app_lang(fr.language)

    def lang(self, en: bool) -> str | None:
        """The /Lang for a text that is (`en`) or is not the app's wording."""
        return self.en if en else None

    def font(self, style: str = "", size: float = BODY_PT) -> None:
        self.pdf.set_font(FAMILY, style, size)

    @property
    def width(self) -> float:
        return self.pdf.w - self.pdf.l_margin - self.pdf.r_margin

    # --- text: wrapped here, drawn line by line ---------------------------------------------
    # fpdf2's `multi_cell`/`write` re-measure the whole line for every character they add
    # (quadratic in the line length): a 200-cause report spent most of its time there. Lines
    # are broken here from the font's advance widths (linear) and each is drawn with `cell`.
    def wrap(self, text: str, style: str, size: float, width: float) -> list[str]:
        """`text` in lines that fit `width` mm in DejaVu `style` at `size` pt; explicit line
        breaks kept; a word longer than a line is broken."""
        self.font(style, size)
        font = self.pdf.current_font
        cw, cmap = font.cw, font.cmap
        scale = size * 0.001 / self.pdf.k
        limit = width / scale  # in font units
        cache = self._widths.setdefault(style, {})

        def units(word: str) -> float:
            w = cache.get(word)
            if w is None:
                w = 0.0
                for ch in word:
                    cp = ord(ch)
                    # a character DejaVu lacks comes from a fallback font: about an em
                    w += cw[cp] if cp in cmap else MISSING_WIDTH
                if len(cache) < 20000:
                    cache[word] = w
            return w

        space = units(" ")
        out: list[str] = []
        for para in text.replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            line: list[str] = []
            used = 0.0
            for word in para.split(" "):
                w = units(word)
                if line and used + space + w <= limit:
                    line.append(word)
                    used += space + w
                    continue
                if line:
                    out.append(" ".join(line))
                    line, used = [], 0.0
                while w > limit and len(word) > 1:  # break a long word
                    cut = _fitting(word, limit, units)
                    out.append(word[:cut])
                    word = word[cut:]
                    w = units(word)
                line, used = [word], w
            out.append(" ".join(line))
        return out

    def lines_at(
        self, lines: Sequence[str], x: float, y: float, width: float, line_h: float
    ) -> float:
        """Draw `lines` (already wrapped) from (x, y) down; returns the y below them."""
        for k, line in enumerate(lines, 1):
            if line:
                self.line(x, y, width, line_h, line, more=k < len(lines))
            y += line_h
        return y

    def line(
        self, x: float, y: float, width: float, line_h: float, text: str, *, more: bool = False
    ) -> None:
        """One line of text in a `line_h` high box at (x, y), as `cell` would place it.

        `cell` costs several times more than `text` (it lays the line out again, and looks
        up fallback fonts and shaping): a line the main font can draw alone, left to right,
        goes through `text`; any other (CJK, emoji, right-to-left) through `cell`. `more`: the
        text goes on in the next line, so the space the line broke at is kept (invisible at
        the end of the line), for a reader of the text and of the structure tree.
        """
        pdf = self.pdf
        self.tags.text(text + " " if more else text)
        cmap = pdf.current_font.cmap
        if text.isascii() or all(ord(ch) in cmap and ch not in RTL for ch in text):
            pdf.text(x, y + 0.5 * line_h + 0.3 * pdf.font_size, text + " " if more else text)
        else:
            pdf.set_xy(x, y)
            pdf.cell(width, line_h, text)

    def flow(
        self, text: str, style: str, size: float, line_h: float, *, x: float | None = None
    ) -> None:
        """`text` as a paragraph in one style from x (the left margin) to the right margin,
        across pages when it has to."""
        pdf = self.pdf
        x = pdf.l_margin if x is None else x
        width = pdf.w - pdf.r_margin - x
        lines = self.wrap(text, style, size, width)
        for k, line in enumerate(lines, 1):
            self.room(line_h)
            if line:
                self.line(x, pdf.y, width, line_h, line, more=k < len(lines))
            pdf.set_y(pdf.y + line_h)
        pdf.set_x(pdf.l_margin)

    def centred(self, text: str, style: str, size: float, line_h: float) -> None:
        """`text` in centred lines across the text width (a caption); as in `flow`, the space
        a line broke at is kept, so a reader of the text does not join the two words."""
        pdf = self.pdf
        lines = self.wrap(text, style, size, self.width)
        for k, line in enumerate(lines, 1):
            self.room(line_h)
            if line:
                w = min(pdf.get_string_width(line), self.width)
                x = pdf.l_margin + (self.width - w) / 2
                self.line(x, pdf.y, w, line_h, line, more=k < len(lines))
            pdf.set_y(pdf.y + line_h)
        pdf.set_x(pdf.l_margin)

    def title_block(self) -> None:
        pdf = self.pdf
        pdf.set_text_color(*ACCENT)
        with self.tags.mark("H1"):
            self.flow(self.fr.title, "B", TITLE_PT, 8.5)
        pdf.set_draw_color(*ACCENT)
        pdf.set_line_width(0.5)
        pdf.line(pdf.l_margin, pdf.y + 1, pdf.w - pdf.r_margin, pdf.y + 1)
        pdf.set_line_width(0.2)
        pdf.ln(3)
        pdf.set_text_color(*MUTED)
        with self.tags.mark("P", lang=self.en):
            self.flow(self.fr.meta_line, "", SMALL_PT + 0.5, 4)
        pdf.set_text_color(*INK)
        if self.fr.banner:
            pdf.ln(2)
            with self.tags.mark("P", lang=self.en):
                self.boxed("", self.fr.banner, bold_all=True)
        pdf.ln(2)

    def block(self, b: Block, blocks: Sequence[Block], i: int) -> None:
        tags = self.tags
        if isinstance(b, Item):
            with tags.within(tags.list_item(b.depth)):
                self.item(b)
            return
        tags.end_lists()
        if isinstance(b, Heading):
            if b.level == 1:
                soon = [x for x in blocks[i + 1 : i + 3] if isinstance(x, Picture)]
                wide = (bool(soon) and self.is_wide(soon[0])) or wide_section(blocks, i)
                if not self.orientation(landscape=wide) and b.page:
                    self.pdf.add_page(orientation="L" if self.in_landscape else "P")
            # the outline's levels: H1 is a bookmark
            with tags.mark(f"H{min(b.level, 6)}", lang=self.lang(b.en)):
                self.heading(b, blocks, i)
        elif isinstance(b, Para):
            with tags.mark("P", lang=self.lang(all(r.en for r in b.runs))):
                self.para(b)
        elif isinstance(b, Note):
            with tags.mark("P", lang=self.lang(b.en)):
                self.boxed(b.lead, b.text, en=b.en)
        elif isinstance(b, Table):
            with tags.group("Table"):
                self.table(b)
        elif isinstance(b, Picture):
            parts = picture_parts(b, self.pictures)
            note = parts_note(parts)
            if note is not None:
                with tags.mark("P", lang=self.en):
                    self.boxed(note.lead, note.text)
            for part in parts:  # parts share landscape pages
                self.picture(part)

    # --- pages -----------------------------------------------------------------------------
    def orientation(self, *, landscape: bool) -> bool:
        """Go on in portrait, or start a landscape page (for a wide picture or table);
        whether a page was started."""
        if landscape == self.in_landscape:
            return False
        self.in_landscape = landscape
        self.pdf.add_page(orientation="L" if landscape else "P")
        return True

    def room(self, height: float) -> None:
        """A new page unless `height` mm still fit on this one."""
        if self.pdf.will_page_break(height):
            self.pdf.add_page(orientation="L" if self.in_landscape else "P")

    # --- blocks ----------------------------------------------------------------------------
    def heading(self, b: Heading, blocks: Sequence[Block], i: int) -> None:
        pdf = self.pdf
        following = self._lead_height(blocks, i + 1)
        if b.level == 1:
            self.room(14 + following)
            pdf.ln(3)
            pdf.start_section(_outline_title(b.text), level=0)
            self.tags.outline_to_open()  # the bookmark names its H1 (/SE)
            pdf.set_text_color(*ACCENT)
            self.flow(t(b.text), "B", H1_PT, 7)
        else:
            self.room(min(self._group_height(blocks, i), 200) + 10 + following)
            pdf.ln(1.5)
            pdf.set_text_color(*ACCENT)
            self.flow(t(b.text), "B", H2_PT, 5.5)
        pdf.set_text_color(*INK)
        pdf.ln(1)

    def _lead_height(self, blocks: Sequence[Block], i: int) -> float:
        """Room the start of block `i` needs on the page of the heading before it: the header
        and first row of a table, or a couple of lines (a heading is never left alone)."""
        if i >= len(blocks):
            return 0.0
        b = blocks[i]
        if isinstance(b, Heading):
            return 12.0 + self._lead_height(blocks, i + 1)
        if not isinstance(b, Table):
            return 12.0
        widths = [self.width * f for f in b.widths]
        line_h = TABLE_PT * 0.3528 * 1.3
        total = 0.0
        for style, cells in (("B", b.headers), ("", b.rows[0] if b.rows else ())):
            n = max(
                (
                    len(self.wrap(c, style, TABLE_PT, w - 2 * CELL_PAD))
                    for c, w in zip(cells, widths, strict=False)
                ),
                default=1,
            )
            total += min(n, MAX_ROW_LINES) * line_h + 2 * CELL_PAD
        return total + 2.0

    def _group_height(self, blocks: Sequence[Block], i: int) -> float:
        """Height of the blocks kept with heading `i` (a five-whys chain), roughly."""
        total = 0.0
        self.font("", BODY_PT)
        for b in blocks[i + 1 :]:
            if not isinstance(b, Item):
                break
            text = " ".join(r.text for r in b.runs)
            lines = max(1, int(self.pdf.get_string_width(text) / (self.width - 10)) + 1)
            total += lines * 4.6 + 0.6
            if not b.keep:
                break
        return total

    def _write_runs(self, runs: Sequence[Run], size: float, line_h: float) -> None:
        """Runs from the cursor on, wrapped at the margins; the cursor ends on the last line
        (as `write` leaves it). Runs in one style (most paragraphs) are wrapped here, in
        linear time; fpdf2's `write` is only used to mix styles in a line (short texts)."""
        pdf = self.pdf
        if len({(r.bold, r.italic, r.muted, r.en) for r in runs}) == 1:
            r = runs[0]
            pdf.set_text_color(*(MUTED if r.muted else INK))
            style = ("B" if r.bold else "") + ("I" if r.italic else "")
            with self.tags.lang(self.lang(r.en)):
                self.flow("".join(_plain(x.text) for x in runs), style, size, line_h, x=pdf.x)
            pdf.set_y(pdf.y - line_h)
            pdf.set_text_color(*INK)
            return
        for r in runs:
            style = ("B" if r.bold else "") + ("I" if r.italic else "")
            self.font(style, size)
            pdf.set_text_color(*(MUTED if r.muted else INK))
            with self.tags.lang(self.lang(r.en)):
                self.tags.text(_plain(r.text))
                pdf.write(line_h, _plain(r.text))
        pdf.set_text_color(*INK)

    def para(self, b: Para) -> None:
        pdf = self.pdf
        size = H2_PT if b.style == "score" else BODY_PT
        line_h = size * 0.3528 * 1.35
        left = pdf.l_margin
        indent = INDENT * b.indent + (INDENT if b.style == "quote" else 0)
        if indent:
            pdf.set_left_margin(left + indent)
            pdf.set_x(left + indent)
        if b.style == "quote":
            runs = tuple(Run(r.text, r.bold, True, r.muted, r.en) for r in b.runs)
            y0 = pdf.y
            self._write_runs(runs, size, line_h)
            pdf.ln(line_h)
            pdf.set_draw_color(*ACCENT)
            pdf.set_line_width(0.6)
            if pdf.y > y0:  # the same page
                pdf.line(left + indent - 2.5, y0, left + indent - 2.5, pdf.y)
            pdf.set_line_width(0.2)
        else:
            self._write_runs(b.runs, size, line_h)
            pdf.ln(line_h)
        if indent:
            pdf.set_left_margin(left)
            pdf.set_x(left)
        pdf.ln(1.2)

    def item(self, b: Item) -> None:
        """A list line: label, lead runs (cells), then the text as one wrapped column."""
        pdf = self.pdf
        line_h = BODY_PT * 0.3528 * 1.3
        left = pdf.l_margin
        right = pdf.w - pdf.r_margin
        if not b.label and not b.lead and b.depth == 0:
            self.room(14)
            pdf.ln(1.2)
        self.room(line_h)
        x = left + INDENT * b.depth
        y = pdf.y
        # The label and lead are short pieces on the first line: drawn with `line` (as `cell`
        # places them, at a fraction of its cost; there is one per cause in the outline).
        if b.label:
            self.font("", BODY_PT)
            with self.tags.mark("Lbl"):
                self.line(x, y, 5.5, line_h, t(b.label))
            x += 5.5
        self.tags.begin("LBody")
        for r in b.lead:
            self.font(("B" if r.bold else "") + ("I" if r.italic else ""), BODY_PT)
            pdf.set_text_color(*(MUTED if r.muted else INK))
            width = pdf.get_string_width(t(r.text)) + 0.6
            with self.tags.lang(self.lang(r.en)):
                self.line(x, y, width, line_h, t(r.text))
            x += width
        runs = b.runs or (Run(""),)
        main = runs[0]
        style = ("B" if main.bold else "") + ("I" if main.italic else "")
        pdf.set_text_color(*(MUTED if main.muted else INK))
        width = max(right - x, 20.0)
        pdf.set_y(y)
        lines = self.wrap("".join(t(r.text) for r in runs), style, BODY_PT, width)
        # the text in one column: English where all of it is the app's (a check's message);
        # else in the document's language (a kind label after a cause's text is not marked)
        with self.tags.lang(self.lang(all(r.en for r in runs))):
            for k, line in enumerate(lines, 1):
                self.room(line_h)
                if line:
                    self.line(x, pdf.y, width, line_h, line, more=k < len(lines))
                pdf.set_y(pdf.y + line_h)
        self.tags.end()
        pdf.set_text_color(*INK)
        pdf.set_xy(left, pdf.y + 0.5)

    def boxed(self, lead: str, text: str, *, bold_all: bool = False, en: bool = True) -> None:
        """A paragraph in a coloured box (the de-identified banner, a warning)."""
        pdf = self.pdf
        pad = 2.5
        line_h = BODY_PT * 0.3528 * 1.35
        inner = self.width - 2 * pad
        body = f"{t(lead)}{t(text)}"
        lines = self.wrap(body, "B", BODY_PT, inner - 1.0)  # bold: the wider of the two
        height = len(lines) * line_h + 2 * pad
        self.room(height + 2)
        x, y = pdf.l_margin, pdf.y
        pdf.set_fill_color(*NOTE_FILL)
        pdf.set_draw_color(*NOTE_BORDER)
        pdf.set_line_width(0.5)
        pdf.rect(x, y, self.width, height, style="DF")
        pdf.set_line_width(0.2)
        left = pdf.l_margin
        pdf.set_left_margin(x + pad)
        pdf.set_right_margin(pdf.r_margin + pad)
        pdf.set_xy(x + pad, y + pad)
        runs = (
            [Run(t(lead), bold=True, en=True), Run(t(text), bold=bold_all, en=en)]
            if lead
            else [Run(t(text), bold=bold_all, en=en)]
        )
        self._write_runs(runs, BODY_PT, line_h)
        pdf.set_left_margin(left)
        pdf.set_right_margin(pdf.r_margin - pad)
        pdf.set_xy(left, y + height + 2)

    def _unbroken(self, b: Table) -> tuple[float, ...]:
        """The table's column widths with its dates and codes (`nowrap`) kept on one line."""
        if not b.nowrap or not b.rows:
            return b.widths
        self.font("", TABLE_PT)
        measure = self.pdf.get_string_width
        needs = {
            i: (
                max(measure(ln) for row in b.rows for ln in row[i].split("\n")) + 2 * CELL_PAD + 0.5
            )
            / self.width
            for i in b.nowrap
        }
        return unbroken_widths(b.widths, needs)

    def table(self, b: Table) -> None:
        """A table with a header row repeated on every page; a row never breaks across pages,
        and one taller than MAX_ROW_LINES lines is cut into several rows. Tagged Table >
        THead (the header row) and TBody (the rows); the header drawn again on a later page
        is an artifact (it is in the tree once)."""
        pdf = self.pdf
        widths = [self.width * f for f in self._unbroken(b)]
        line_h = TABLE_PT * 0.3528 * 1.3
        x0 = pdf.l_margin
        inner = [w - 2 * CELL_PAD for w in widths]
        head = [self.wrap(h, "B", TABLE_PT, w) for h, w in zip(b.headers, inner, strict=True)]
        head_h = max(len(c) for c in head) * line_h + 2 * CELL_PAD
        bottom = pdf.h - pdf.b_margin

        def draw_row(
            cells: Sequence[list[str]], height: float, kind: str, elems: Sequence[Any] = ()
        ) -> None:
            """One row; its cells' content goes into `elems` (none: a repeated header, an
            artifact)."""
            y = pdf.y
            x = x0
            for k, (lines, w) in enumerate(zip(cells, widths, strict=True)):
                if elems:
                    self.tags.into(elems[k])
                fill = HEADER_FILL if kind == "head" else FACT_FILL if b.facts and k == 0 else None
                if fill:
                    pdf.set_fill_color(*fill)
                pdf.rect(x, y, w, height, style="DF" if fill else "D")
                bold = kind == "head" or (b.facts and k == 0)
                self.font("B" if bold else "", TABLE_PT)
                self.lines_at(lines, x + CELL_PAD, y + CELL_PAD, w - 2 * CELL_PAD, line_h)
                self.tags.end()
                x += w
            pdf.set_xy(x0, y + height)

        with self.tags.group("THead"):  # Table > THead > TR > TH, then TBody > TR > TD
            head_tags = self.row_tags(len(head), head=True, en=range(len(head)))
        body = self.tags.new("TBody")
        repeat = False

        def header() -> None:
            nonlocal repeat
            draw_row(head, head_h, "head", () if repeat else head_tags)
            repeat = True

        pdf.set_draw_color(150, 150, 150)
        pdf.set_line_width(0.2)
        rows: list[tuple[list[list[str]], float, list[Any]]] = []
        for cells in b.rows:
            with self.tags.within(body):
                en = (0, *b.en_cols) if b.facts else b.en_cols
                cell_tags = self.row_tags(len(cells), facts=b.facts, en=en)
            wrapped = [
                self.wrap(t(c), "B" if b.facts and k == 0 else "", TABLE_PT, w) if c else []
                for k, (c, w) in enumerate(zip(cells, inner, strict=True))
            ]
            n = max((len(c) for c in wrapped), default=1) or 1
            for start in range(0, n, MAX_ROW_LINES):
                part = [c[start : start + MAX_ROW_LINES] for c in wrapped]
                part_h = max(1, min(MAX_ROW_LINES, n - start)) * line_h + 2 * CELL_PAD
                rows.append((part, part_h, cell_tags))  # a row cut in parts: one TR
        first = rows[0][1] if rows else 0.0
        if pdf.y + head_h + first > bottom:
            pdf.add_page(orientation="L" if self.in_landscape else "P")
        header()
        if b.sign:
            rows = [(part, max(height, 12.0), tr) for part, height, tr in rows]
        for part, height, tr in rows:
            if pdf.y + height > bottom:
                pdf.add_page(orientation="L" if self.in_landscape else "P")
                header()
            draw_row(part, height, "row", tr)
        pdf.ln(3)

    def row_tags(
        self, n: int, *, head: bool = False, facts: bool = False, en: Sequence[int] = ()
    ) -> list[Any]:
        """A TR of `n` cells: TH with /Scope /Column in the header row, TH with /Scope /Row
        for the label column of a facts table, TD otherwise; the cells in columns `en` hold
        the app's wording (a header, a label, a strength)."""
        with self.tags.group("TR"):
            return [
                self.tags.new(
                    "TD" if not head and not (facts and k == 0) else "TH",
                    attrs="<</O /Table /Scope /Column>>"
                    if head
                    else "<</O /Table /Scope /Row>>"
                    if facts and k == 0
                    else "",
                    lang=self.lang(k in en),
                )
                for k in range(n)
            ]

    def is_wide(self, b: Picture) -> bool:
        data = self.pictures.get(picture_parts(b, self.pictures)[0].key)
        try:
            w, h = png_size(data) if data else (0.0, 0.0)
        except ValueError:
            return False
        portrait = min(self.pdf.w_pt, self.pdf.h_pt) / self.pdf.k - 2 * MARGIN
        return w * MM_PER_INCH > portrait and w >= WIDE * h

    def picture(self, b: Picture) -> None:
        pdf = self.pdf
        data = self.pictures.get(b.key)
        if not data:
            return
        try:
            size_in = png_size(data)
        except ValueError:
            self.boxed("", f"The picture '{t(b.key)}' was not a PNG and was left out.")
            return
        wide = self.is_wide(b)
        if wide:
            self.orientation(landscape=True)
        size_mm = (size_in[0] * MM_PER_INCH, size_in[1] * MM_PER_INCH)
        room_h = pdf.h - TOP - BOTTOM - 18
        w, h = fit(size_mm, self.width, room_h)
        if pdf.will_page_break(h + 10):
            left = pdf.h - pdf.b_margin - pdf.y - 10
            # Shrink a little rather than leave a gap; a fishbone (part) never below 7 pt.
            least = max(0.85 * h, size_mm[1] * MIN_PRINT_PT / SMALLEST_PT
                        if b.key.startswith("fishbone") else 0.0)
            if left >= least and left > 40:
                w, h = fit(size_mm, self.width, left)
            else:
                pdf.add_page(orientation="L" if self.in_landscape else "P")
        self.figure += 1
        x = pdf.l_margin + (self.width - w) / 2
        preload_png(pdf, data)  # its pixels as they are, not decoded and compressed again
        alt = f"Figure {self.figure}. {t(b.caption)}"
        with self.tags.mark("Figure", alt=alt, lang=self.en):
            pdf.image(io.BytesIO(data), x=x, y=pdf.y, w=w, h=h)
        pdf.set_y(pdf.y + h + 2)
        self.font("B", SMALL_PT + 1)
        pdf.set_text_color(*ACCENT)
        with self.tags.mark("Caption", lang=self.en):
            self.centred(f"Figure {self.figure}. {t(b.caption)}", "B", SMALL_PT + 1, 4)
        pdf.set_text_color(*INK)
        pdf.ln(2)


def _fitting(word: str, limit: float, units: Any) -> int:
    """How many characters of `word` fit in `limit` font units (at least one); a word is
    broken after a hyphen or slash that fits ("P-WEAK-" / "ONLY") rather than anywhere."""
    acc = 0.0
    for i, ch in enumerate(word):
        acc += units(ch)
        if acc > limit:
            cut = max(word.rfind("-", 0, i), word.rfind("/", 0, i))
            return cut + 1 if cut > 0 else max(1, i)
    return len(word)


def _plain(text: str) -> str:
    """A text for fpdf2's `write`: a tab is a space (DejaVu has no glyph for it)."""
    return t(text).replace("\t", " ")


def _outline_title(text: str) -> str:
    """A bookmark title: one line, not too long."""
    text = " ".join(t(text).split())
    return text if len(text) <= 80 else text[:79] + "…"
