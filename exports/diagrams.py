"""Pictures for reports: the fishbone (Ishikawa) diagram and the cause graph, as PNG or SVG.

API (the CLI and the other writers import this module lazily as `exports.diagrams`):

- `fishbone_png(event_text, categories, causes, links, *, dpi=150) -> bytes`
- `fishbone_svg(event_text, categories, causes, links) -> str`
- `graph_png(causes, links, *, dpi=150) -> bytes`
- `graph_svg(causes, links) -> str`
- `fishbone_figure(...)` / `graph_figure(...)`: the laid-out matplotlib `Figure` (for tests).

The code is in `exports.pictures`, one module per part (style, text, canvas, fishbone, graph);
this module is the import path of all of it.

PNGs are 8-bit grayscale (pass `grayscale=False` for colour; the pictures are black and
grey anyway) with their resolution in the pHYs chunk; a very large figure gets a lower
resolution (`png_dpi`: at most MAX_PIXELS). SVGs keep texts as `<text>`.

`causes` are objects (or mappings) with `id`, `text`, `kind` and `category`: `models.domain.Cause`
or the report model's cause rows; `kind` may be the stored key ("root") or its label ("Root
cause"). `links` have `cause_id` and `effect_id` (a link a -> b means "a led to b").

The fishbone reads like the one in the app (screens/widgets/fishbone.py), from the same model
(`models.fishbone`: which cause hangs where, the bone order, the marks): the event is the head
on the right, a spine leads to it, one bone per category, the first half above the spine and
the rest below, each row left to right, the category name at the bone's end. A top-level cause
of a bone is one of its category that leads to the event, or leads nowhere (marked "?"); the
causes that led to it hang under it, indented and smaller, whatever their category. A cause
reachable from two places is drawn in full once and as a reference ("↗ ...") elsewhere. Root
causes are bold with "◆", contributing factors italic with "+": the marks are characters, so a
black-and-white print keeps them; a legend says what they mean.

The cause graph is a left-to-right layered drawing: each cause sits in the column of its longest
path to the event (the event at the right), boxes hold the wrapped text, arrows run cause ->
effect, and a link that skips columns is routed through reserved gaps so it never crosses a box.

No label overlaps another, however many causes: every text is measured before anything is
placed (from the font's advance widths, an upper bound of the Agg renderer's box, see
`_Metrics`), bones and columns are spaced by what they hold, and the figure grows to fit. Past
LARGE causes labels start with the cause's reference ("C12") and are cut after two lines, past
HUGE after one: the full texts are in the report's tables.

Fonts: DejaVu Sans from matplotlib's own data folder (no system font needed, the same picture
everywhere). For characters DejaVu lacks (CJK) a picture falls back to a CJK font where the
machine has one (`fallback_font`, from the same list as the PDF); what no font can draw (most
emoji) is a box in the PNG, and `missing_glyphs` names it, so the export can say so once. The
SVG keeps texts as `<text>`, so a browser draws them with its own fonts. matplotlib's "Glyph ...
missing from font" warning is the only warning silenced. User text
is never parsed as mathtext ("$5 and $10" stays as typed) and characters XML forbids are dropped.

matplotlib is imported inside the functions (start-up never loads it), without pyplot and
without touching its global backend: each picture is a `Figure` with its own Agg canvas.
`MPLCONFIGDIR` is pointed at the app's cache folder only when it is not set, so matplotlib does
not rebuild its font cache on every run when HOME is not writable.
"""

from __future__ import annotations

from exports.pictures.canvas import png_dpi
from exports.pictures.fishbone import fishbone_figure, fishbone_png, fishbone_svg
from exports.pictures.graph import graph_figure, graph_png, graph_svg
from exports.pictures.style import LEGEND, MAX_PIXELS, MAX_SIDE_PX
from exports.pictures.text import clean_label, fallback_font, font_path, missing_glyphs, wrap
from models.fishbone import CONTRIBUTING_MARK, REF_MARK, ROOT_MARK

__all__ = [
    "CONTRIBUTING_MARK",
    "LEGEND",
    "MAX_PIXELS",
    "MAX_SIDE_PX",
    "REF_MARK",
    "ROOT_MARK",
    "clean_label",
    "fallback_font",
    "fishbone_figure",
    "fishbone_png",
    "fishbone_svg",
    "font_path",
    "graph_figure",
    "graph_png",
    "graph_svg",
    "missing_glyphs",
    "png_dpi",
    "wrap",
]
