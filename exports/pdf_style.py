"""What the PDF report looks like: paper, margins, type sizes, colours, table rows.

The numbers the PDF writer (exports/pdf_writer.py) and its page header and footer
(exports/pdf.py) share.
"""

from __future__ import annotations

#: The paper sizes (the `paper_size` setting), fpdf2's names.
PAPER = {"letter": "letter", "a4": "A4"}
# Geometry in millimetres.
MARGIN = 18.0
TOP = 20.0
BOTTOM = 22.0
INDENT = 6.0
#: A picture at least this much wider than high, and wider than a portrait page, gets a
#: landscape page of its own.
WIDE = 1.25
MM_PER_INCH = 25.4

FAMILY = "dejavu"
BODY_PT = 9.5
TABLE_PT = 8.0
SMALL_PT = 7.5
H1_PT = 14.0
H2_PT = 11.0
TITLE_PT = 19.0
INK = (26, 26, 26)
MUTED = (90, 90, 90)
ACCENT = (43, 76, 126)
HEADER_FILL = (220, 227, 238)
FACT_FILL = (242, 244, 247)
NOTE_FILL = (255, 244, 214)
NOTE_BORDER = (181, 137, 0)
#: A table row is cut into several rows after this many lines (a row must fit on a page).
MAX_ROW_LINES = 18
CELL_PAD = 1.0
