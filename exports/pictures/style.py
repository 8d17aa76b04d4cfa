"""What the report pictures look like: resolution, text sizes and wrapping, spacing, marks.

One place for the numbers, so the fishbone and the cause graph read alike; `exports.diagrams`
says how they are used.
"""

from __future__ import annotations

from models.fishbone import CONTRIBUTING_MARK, ROOT_MARK
from models.fishbone import LEGEND as MARKS_LEGEND

#: How the marks of `models.fishbone.LEGEND` are styled here, said in the legend.
_STYLED = {ROOT_MARK: "bold: ", CONTRIBUTING_MARK: "italic: "}
LEGEND = tuple((mark, _STYLED.get(mark, "") + meaning) for mark, meaning in MARKS_LEGEND)

DEFAULT_DPI = 150
#: Most pixels a PNG may have; a larger figure is rendered at a lower resolution.
MAX_PIXELS = 8_000_000
MAX_SIDE_PX = 16_000
PNG_COMPRESSION = 1
#: The resolution SVG texts are measured at (matplotlib's SVG writer draws at 72 dpi).
SVG_DPI = 72
#: With more causes than this, labels start with the cause's reference ("C12") and are cut
#: after fewer lines: the full texts are in the report's tables, and a picture that size is
#: for the overall shape.
LARGE = 60
LARGE_CAUSE_LINES = 2
LARGE_NODE_LINES = 2
#: With more causes than this, one line each (a reference and the start of the text).
HUGE = 120

# Font sizes in points.
CAUSE_PT = 9.0
SUB_PT = 8.0
REF_PT = 7.5
CATEGORY_PT = 10.0
HEAD_PT = 11.0
NODE_PT = 8.0
LEGEND_PT = 9.0

# Wrapping (characters, East Asian wide characters count two) and line limits.
CAUSE_WRAP = 30
SUB_WRAP = 28
REF_WRAP = 30
CATEGORY_WRAP = 18
HEAD_WRAP = 24
NODE_WRAP = 24
CAUSE_LINES = 5
REF_LINES = 1
CATEGORY_LINES = 3
HEAD_LINES = 8
NODE_LINES = 6

# Fishbone geometry, in inches (texts and lines are placed on the figure in inches).
BONE_ANGLE = 62.0  # degrees between a bone and the spine
GAP = 0.07  # between a label and the bone (or connector) it hangs on
PAD = 0.07  # between two labels on one bone
INDENT = 0.2  # per level of "why"
MAX_INDENT_LEVELS = 4
SPINE_GAP = 0.16  # labels keep this far from the spine
MIN_ROW = 0.9  # least height of the bones on one side
MAX_SPREAD = 0.25  # most extra room between two labels when a bone has few
MIN_COLUMN = 1.1
MARGIN = 0.2

# Cause graph geometry, in inches.
NODE_PAD_X = 0.07
NODE_PAD_Y = 0.05
NODE_GAP = 0.14  # between two boxes of a column
DUMMY_H = 0.1  # the slot a link passing through a column reserves
COLUMN_GAP = 0.55  # between two columns (where the arrows run)
ARROW_LEN = 0.09
ARROW_WIDTH = 0.065

FONT_FILES = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
    "bolditalic": "DejaVuSans-BoldOblique.ttf",
}
