"""The action plan alone, for spreadsheets: CSV and XLSX, one row per action with every field.

Columns are `exports.report.ACTION_COLUMNS` (number, id, root causes addressed, their cause
codes, action, strength, hierarchy category, owner, due, status, measure
type/what/how/sample/target/date, concurrence, reason, by, at).

Formula injection (CWE-1236): a text cell that starts with `=`, `+`, `-`, `@`, a tab, a carriage
return or NUL would run as a formula in Excel or LibreOffice; such cells get a leading
apostrophe in the CSV. Quoting alone does not help. Numbers (the action number and id, and a
text that is just a number such as "-5" or "30") stay as they are. In the XLSX every text cell
is stored as a string (`data_type "s"`) with Excel's "quote prefix" flag, so it is never a
formula, even when edited, and shows as typed (no apostrophe); characters XML forbids are
removed, and cells are cut at Excel's 32,767 characters. Rows are as tall as their wrapped
text, and the sheet prints landscape on the report's paper, three pages wide with the header
row and the action number on every page. Every printed page of every sheet carries the
report's confidentiality notice in its header (as the paginated reports do on every page), and
the investigation, the de-identified mark and "page n of m" in its footer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from exports.report import ACTION_COLUMNS, Report

#: What a cell must not start with (a spreadsheet would read it as a formula or DDE).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\x00")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)%?")
#: Excel's limit on the characters of one cell.
MAX_CELL = 32767
#: Column widths (characters) for the XLSX, in `ACTION_COLUMNS` order.
_WIDTHS = (6, 9, 40, 24, 50, 13, 24, 26, 12, 16, 17, 34, 30, 18, 18, 13, 14, 30, 18, 17)


def neutralise(value: Any) -> Any:
    """A cell value that no spreadsheet runs: texts starting with a formula character get a
    leading apostrophe, unless the text is just a number. Non-texts are returned as they are."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def action_rows(report: Report) -> list[tuple[Any, ...]]:
    """The action plan rows (header excluded), neutralised."""
    return [tuple(neutralise(v) for v in a.cells()) for a in report.actions]


def csv_action_plan(report: Report) -> bytes:
    """The action plan as CSV: UTF-8 with a byte-order mark (so Excel reads it as UTF-8),
    comma-separated, CRLF line ends, fields with separators or line breaks quoted."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(ACTION_COLUMNS)
    writer.writerows(action_rows(report))
    return buf.getvalue().encode("utf-8-sig")


def _xlsx_text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(value) > MAX_CELL:
        value = value[: MAX_CELL - 1] + "…"
    return value


def _set_text(cell: Any, value: str) -> None:
    """A text cell that no spreadsheet runs: a string, flagged as text (the quote prefix)."""
    cell.value = _xlsx_text(value)
    cell.data_type = "s"
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True


#: Points per line of wrapped text in the sheet's font (Calibri 11), and the most a row gets.
LINE_PT = 15.0
MAX_ROW_PT = 409.0


def _lines(text: str, width: float) -> int:
    """About how many lines `text` wraps to in a column `width` characters wide."""
    per = max(1, int(width * 1.1))
    return sum(max(1, -(-len(part) // per)) for part in text.split("\n"))


#: The "Root causes" sheet: each root cause with its cause codes (the codes the learning screen
#: and `rca trends --by code` count), so a plan read in a spreadsheet names them too.
ROOT_CAUSE_COLUMNS = ("Ref", "Root cause", "Category", "Cause codes")
_ROOT_WIDTHS = (7, 70, 24, 34)


#: Excel refuses (asks to repair) a page header or footer of over 255 characters, codes included.
HEADER_LIMIT = 255
#: What openpyxl writes before each part's text: its place and size code ("&C&7 ").
_PART = len("&C&7 ")
_PAGE = "Page &P of &N"


def _header_text(text: str) -> str:
    """Text for a header/footer section: `&` doubled (a lone one starts a code), no controls."""
    return _xlsx_text(" ".join(text.split())).replace("&", "&&")


def _cut(text: str, room: int) -> tuple[str, str]:
    """(what fits in `room` characters once escaped, cut at a space; the rest)."""
    if len(_header_text(text)) <= room:
        return text, ""
    cut = text[:room]
    while len(_header_text(cut)) > room:
        cut = cut[:-1]
    space = cut.rfind(" ")
    if space > room // 2:
        cut = cut[:space]
    return cut, text[len(cut) :].lstrip()


def print_header_footer(ws: Any, report: Report) -> None:
    """The notice across the top of every printed page, the rest of a long one at the foot.

    A notice too long for the header (a hospital's own wording can be) goes on in the footer's
    left part; what still does not fit ends with "…" and the About sheet holds it in full.
    """
    m = report.meta
    where = f"{report.ref}" + (f" ({m.marker})" if m.deidentified else "")
    footer_room = HEADER_LIMIT - 3 * _PART - len(_header_text(where)) - len(_PAGE)
    head, rest = _cut(m.notice, HEADER_LIMIT - _PART)
    tail, lost = _cut(rest, footer_room)
    if lost:
        tail, _ = _cut(tail, footer_room - 1)
        tail += "…"
    if head:
        ws.oddHeader.center.text = _header_text(head)
        ws.oddHeader.center.size = 7
    if tail:
        ws.oddFooter.left.text = _header_text(tail)
        ws.oddFooter.left.size = 7
    ws.oddFooter.center.text = _header_text(where)
    ws.oddFooter.center.size = 7
    ws.oddFooter.right.text = _PAGE
    ws.oddFooter.right.size = 7


def _root_causes_sheet(wb: Any, report: Report, bold: Any, fill: Any, top: Any) -> None:
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet("Root causes")
    ws.append(list(ROOT_CAUSE_COLUMNS))
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
    codes = dict(report.cause_codes)
    for r, c in enumerate(report.root_causes, start=2):
        values = (c.ref, c.text, c.category, codes.get(c.ref, ""))
        lines = 1
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col)
            _set_text(cell, value)
            cell.alignment = top
            lines = max(lines, _lines(value, _ROOT_WIDTHS[col - 1]))
        ws.row_dimensions[r].height = min(MAX_ROW_PT, lines * LINE_PT)
    for col, width in enumerate(_ROOT_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "B2"


def xlsx_action_plan(report: Report) -> bytes:
    """The action plan as an Excel workbook (bytes): a sheet "Action plan" with a bold, frozen
    header row, sized and wrapped columns, an autofilter, due and measure dates as real dates;
    a sheet "Root causes" with each root cause's cause codes; and a sheet "About" naming the
    investigation, when and by whom it was generated, and whether this is a de-identified
    copy."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Action plan"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEF1F5")
    top = Alignment(vertical="top", wrap_text=True)
    ws.append(list(ACTION_COLUMNS))
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = top
    date_columns = {
        ACTION_COLUMNS.index("Due"): "due_date",
        ACTION_COLUMNS.index("Measure date"): "measure_on",
    }
    for r, action in enumerate(report.actions, start=2):
        lines = 1
        for c, value in enumerate(action.cells()):
            cell = ws.cell(row=r, column=c + 1)
            if c in date_columns and isinstance(getattr(action, date_columns[c]), dt.date):
                cell.value = getattr(action, date_columns[c])
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str):
                _set_text(cell, value)
                lines = max(lines, _lines(value, _WIDTHS[c]))
            else:
                cell.value = value
            cell.alignment = top
        ws.row_dimensions[r].height = min(MAX_ROW_PT, lines * LINE_PT)
    ws.row_dimensions[1].height = 2 * LINE_PT
    for c, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "C2"
    if report.actions:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(ACTION_COLUMNS))}{len(report.actions) + 1}"
    # Printed readably: 20 columns on one page width would be unreadable; three pages wide,
    # the header row and the action number repeated on each.
    ws.print_title_rows = "1:1"
    ws.print_title_cols = "A:A"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = (
        ws.PAPERSIZE_A4 if report.meta.paper == "a4" else ws.PAPERSIZE_LETTER
    )
    ws.page_setup.fitToWidth = 3
    ws.page_setup.fitToHeight = 0
    ws.page_setup.pageOrder = "overThenDown"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True

    _root_causes_sheet(wb, report, bold, fill, top)
    about = wb.create_sheet("About")
    m = report.meta
    rows = [
        ("Investigation", f"{report.ref}: {report.title}"),
        ("Generated at", m.generated_at),
        ("Generated by", m.generated_by),
        ("Database schema", m.db_version),
        ("rca-tui", m.app_version),
        ("Actions", len(report.actions)),
    ]
    if m.deidentified:
        rows.append(("De-identified copy", m.marker))
    rows += [("Plan note", note) for note in report.plan_notes]
    if m.notice:
        rows.append(("Confidentiality", m.notice))
    for r, (label, value) in enumerate(rows, start=1):
        about.cell(row=r, column=1, value=label).font = bold
        cell = about.cell(row=r, column=2)
        if isinstance(value, str):
            _set_text(cell, value)
        else:
            cell.value = value
        cell.alignment = top
    about.column_dimensions["A"].width = 20
    about.column_dimensions["B"].width = 90

    for sheet in wb.worksheets:
        print_header_footer(sheet, report)

    props = wb.properties
    props.title = _xlsx_text(
        f"{report.ref} action plan" + (" (de-identified)" if m.deidentified else "")
    )
    props.creator = _xlsx_text(m.generated_by or "rca-tui")
    props.lastModifiedBy = props.creator
    props.language = m.language  # the `language` setting (dc:language)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
