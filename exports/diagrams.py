"""Pictures for reports: the fishbone (Ishikawa) diagram and the cause graph, as PNG or SVG.

API (the CLI and the other writers import this module lazily as `exports.diagrams`):

- `fishbone_png(event_text, categories, causes, links, *, dpi=150) -> bytes`
- `fishbone_svg(event_text, categories, causes, links) -> str`
- `graph_png(causes, links, *, dpi=150) -> bytes`
- `graph_svg(causes, links) -> str`
- `fishbone_figure(...)` / `graph_figure(...)`: the laid-out matplotlib `Figure` (for tests).

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

import functools
import io
import itertools
import math
import os
import re
import tempfile
import textwrap
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from exports.safety import clean_xml_text
from models.fishbone import (
    CONTRIBUTING_MARK,
    DEEPER_MARK,
    REF_MARK,
    ROOT_MARK,
    UNLINKED_MARK,
    bone_trees,
    kind_mark,
)
from models.fishbone import LEGEND as MARKS_LEGEND

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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

# Fishbone geometry, in inches (the axes are laid out so one data unit is one inch).
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


# --- set-up ---------------------------------------------------------------------------------
def _ensure_mpl_config() -> None:
    """Point MPLCONFIGDIR at a writable cache folder if the user has not chosen one."""
    if os.environ.get("MPLCONFIGDIR"):
        return
    candidates = []
    if os.environ.get("RCA_CACHE"):
        candidates.append(os.path.join(os.environ["RCA_CACHE"], "matplotlib"))
    try:
        from platformdirs import user_cache_path

        candidates.append(str(user_cache_path("rca-tui", appauthor=False) / "matplotlib"))
    except Exception:  # pragma: no cover - platformdirs is a dependency
        pass
    candidates.append(os.path.join(tempfile.gettempdir(), f"rca-tui-matplotlib-{os.getuid()}"))
    for folder in candidates:
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            os.environ["MPLCONFIGDIR"] = folder
            return


def font_path(style: str = "regular") -> str:
    """The DejaVu Sans TTF matplotlib ships ("regular", "bold", "italic", "bolditalic")."""
    _ensure_mpl_config()
    import matplotlib

    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf", FONT_FILES[style])


@functools.cache
def _font(style: str, size: float, fallback: str | None = None) -> Any:
    """DejaVu Sans in `style`; with `fallback` (a font file), DejaVu first and that font for
    the characters DejaVu lacks (matplotlib's font fallback)."""
    from matplotlib.font_manager import FontProperties, fontManager

    weight = "bold" if "bold" in style else "normal"
    slant = "italic" if "italic" in style else "normal"
    # Weight and slant are given too: an SVG keeps texts as <text>, styled by these.
    if fallback is None:
        return FontProperties(fname=font_path(style), size=size, weight=weight, style=slant)
    fontManager.addfont(fallback)
    family = fontManager.ttflist[-1].name
    return FontProperties(family=["DejaVu Sans", family], size=size, weight=weight, style=slant)


def fallback_font(texts: Iterable[str]) -> str | None:
    """A font file for the characters of `texts` that DejaVu Sans lacks (CJK), from the
    fonts the PDF falls back to (`exports.pdf.CJK_FONTS`) that this machine has; None when
    nothing is missing or no such font is there."""
    if not missing_glyphs(texts):
        return None
    from exports.pdf import CJK_FONTS

    for path, _face in CJK_FONTS:
        if os.path.exists(path) and path.endswith((".ttf", ".otf", ".ttc")):
            return path
    return None


class _GlyphsQuiet:
    """Silence matplotlib's missing-glyph warnings, and its font manager's note that a
    fallback font has no bold or italic face (it uses the regular one), while drawing; nothing
    else."""

    def __enter__(self) -> None:
        import logging

        self._cw = warnings.catch_warnings()
        self._cw.__enter__()
        warnings.filterwarnings(
            "ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning
        )
        self._logger = logging.getLogger("matplotlib.font_manager")
        self._logger.addFilter(_no_face_note)

    def __exit__(self, *exc: object) -> None:
        self._logger.removeFilter(_no_face_note)
        self._cw.__exit__(*exc)


def _no_face_note(record: Any) -> bool:
    return not record.getMessage().startswith("findfont: Failed to find font weight")


# --- text -------------------------------------------------------------------------------------
_CONTROL = {i: " " for i in (*range(32), *range(0x7F, 0xA0))}


def clean_label(text: object) -> str:
    """One line of plain text: no control or XML-illegal characters, single spaces."""
    if text is None:
        return ""
    s = clean_xml_text(str(text))
    if not s.isprintable():
        s = s.translate(_CONTROL)
    return " ".join(s.split())


def _cells(text: str) -> int:
    if text.isascii():
        return len(text)
    n = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return n


def _chop(word: str, width: int) -> list[str]:
    """`word` in pieces of at most `width` cells."""
    pieces: list[str] = []
    cur = ""
    cur_w = 0
    for ch in word:
        w = _cells(ch)
        if cur and cur_w + w > width:
            pieces.append(cur)
            cur, cur_w = "", 0
        cur += ch
        cur_w += w
    if cur:
        pieces.append(cur)
    return pieces


def wrap(text: str, width: int, max_lines: int) -> list[str]:
    """`text` (already clean) in lines of at most about `width` cells, at most `max_lines`
    lines; a cut is marked with "…". Words longer than a line are broken."""
    width = max(2, width)
    if _cells(text) <= width:
        return [text]
    if text.isascii():
        lines = textwrap.wrap(text, width, break_on_hyphens=False) or [""]
    else:
        lines = []
        cur: list[str] = []
        cur_w = 0
        for word in text.split(" "):
            for piece in _chop(word, width) if _cells(word) > width else [word]:
                pw = _cells(piece)
                if cur and cur_w + 1 + pw > width:
                    lines.append(" ".join(cur))
                    cur, cur_w = [], 0
                cur.append(piece)
                cur_w += pw + (1 if cur_w else 0)
        if cur:
            lines.append(" ".join(cur))
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and _cells(last) > width - 1:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


# --- reading causes and links -------------------------------------------------------------------
def _attr(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _kind(obj: Any) -> str:
    """The cause kind as a key: "event", "root", "contributing" or "cause"."""
    raw = _attr(obj, "kind")
    k = str(getattr(raw, "value", raw) or "cause").strip().lower()
    if k.startswith("root"):
        return "root"
    if k.startswith("contrib"):
        return "contributing"
    if k == "event":
        return "event"
    return "cause"


@dataclass(frozen=True, slots=True)
class _Node:
    id: Any
    text: str
    kind: str
    category: str | None
    ref: str


class _Edge(NamedTuple):
    """A link, "cause led to effect"."""

    cause_id: Any
    effect_id: Any


def _read(causes: Iterable[Any], links: Iterable[Any]) -> tuple[dict[Any, _Node], list[_Edge]]:
    nodes: dict[Any, _Node] = {}
    for c in causes:
        cid = _attr(c, "id")
        if cid is None or cid in nodes:
            continue
        cat = _attr(c, "category")
        ref = clean_label(_attr(c, "ref")) or (f"C{cid}" if isinstance(cid, int) else str(cid))
        nodes[cid] = _Node(cid, clean_label(_attr(c, "text", "")), _kind(c), cat or None, ref)
    edges: list[_Edge] = []
    seen: set[tuple[Any, Any]] = set()
    for link in links:
        a, b = _attr(link, "cause_id"), _attr(link, "effect_id")
        if a == b or a not in nodes or b not in nodes or (a, b) in seen:
            continue
        seen.add((a, b))
        edges.append(_Edge(a, b))
    return nodes, edges


def _texts(nodes: Mapping[Any, _Node]) -> list[str]:
    return [n.text for n in nodes.values()]


# --- drawing helpers ------------------------------------------------------------------------------
@functools.cache
def canvas_class() -> type:
    """matplotlib's Agg canvas, drawing each line of text in one call.

    matplotlib 3.11 draws text glyph by glyph from Python, which makes a 200-cause picture
    spend most of its time on text. FreeType can render a whole line into one bitmap
    (`FT2Font.set_text` + `draw_glyphs_to_bitmap`, what matplotlib itself did up to 3.10), and
    the result looks the same (a test compares the two). Rotated text, mathtext and anything
    unexpected go the stock way. Older matplotlib already draws lines in one call and is used
    as it is.
    """
    from matplotlib.backends import backend_agg as agg

    if not hasattr(agg.RendererAgg, "_draw_text_glyphs_and_boxes"):
        return agg.FigureCanvasAgg

    class LineTextRenderer(agg.RendererAgg):
        # Laying a line out (`FT2Font.set_text`) is most of a picture's time, and matplotlib
        # does it twice per line: to measure it, then to draw it. The measuring call keeps the
        # line's bitmap, so drawing it needs no second layout (the same pixels).
        def get_text_width_height_descent(self, s, prop, ismath):
            if ismath:
                return super().get_text_width_height_descent(s, prop, ismath)
            font = self._prepare_font(prop)
            font.set_text(s, 0.0, flags=agg.get_hinting_flag())
            w, h = font.get_width_height()
            d = font.get_descent()
            lines = self.__dict__.setdefault("_line_bitmaps", {})
            if len(lines) < 20000:
                font.draw_glyphs_to_bitmap(antialiased=True)
                lines[(s, hash(prop), self.dpi)] = (font.get_bitmap_offset(), d, font.get_image())
            return w / 64.0, h / 64.0, d / 64.0

        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if ismath or angle:
                return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
            try:
                kept = getattr(self, "_line_bitmaps", {}).get((s, hash(prop), self.dpi))
                if kept is not None and gc.get_antialiased():
                    (xo, yo), d, image = kept
                    descent = d / 64.0
                else:
                    font = self._prepare_font(prop)
                    font.set_text(s, 0, flags=agg.get_hinting_flag())
                    font.draw_glyphs_to_bitmap(antialiased=gc.get_antialiased())
                    xo, yo = font.get_bitmap_offset()
                    descent = font.get_descent() / 64.0
                    image = font.get_image()
                self._renderer.draw_text_image(
                    image, round(x + xo / 64.0), round(y + yo / 64.0 + descent) + 1, 0, gc
                )
            except Exception:  # an API this was not written for: draw it the stock way
                return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
            return None

    class LineTextCanvas(agg.FigureCanvasAgg):
        def get_renderer(self):
            w, h = self.figure.bbox.size
            key = (w, h, self.figure.dpi)
            if getattr(self, "_line_text_key", None) != key:
                self.renderer = LineTextRenderer(w, h, self.figure.dpi)
                self._line_text_key = key
            return self.renderer

    return LineTextCanvas


class _Metrics:
    """Text sizes from the fonts' advance widths, without laying the text out.

    Measuring every label with `Text.get_window_extent` costs as much as drawing it, and
    matplotlib measures again when it draws (its cache is per renderer, and the figure only
    gets its size after the layout). The sum of advances is within a few percent of the
    renderer's box; `WIDTH_SLACK` and `EXTRA_PX` make it an upper bound (a test holds them to
    the Agg renderer). A glyph DejaVu lacks is drawn as a wider box: counted as `MISSING_EM`.
    Heights depend only on the number of lines and are measured once per font and count.
    """

    WIDTH_SLACK = 1.05
    EXTRA_PX = 3.0
    MISSING_EM = 1.25

    def __init__(self, dpi: float) -> None:
        self.dpi = dpi
        self._adv: dict[tuple[str, float], dict[str, float]] = {}
        self._ft: dict[tuple[str, float], Any] = {}
        self._h: dict[tuple[str, float, int], float] = {}

    def width(self, style: str, size: float, line: str) -> float:
        key = (style, size)
        adv = self._adv.get(key)
        if adv is None:
            adv = self._adv[key] = {}
        total = 0.0
        for ch in line:
            a = adv.get(ch)
            if a is None:
                a = adv[ch] = self._advance(key, ch)
            total += a
        return total * self.WIDTH_SLACK + self.EXTRA_PX if line else 0.0

    def _advance(self, key: tuple[str, float], ch: str) -> float:
        from matplotlib.ft2font import FT2Font, LoadFlags

        ft = self._ft.get(key)
        if ft is None:
            ft = self._ft[key] = FT2Font(font_path(key[0]))
            ft.set_size(key[1], self.dpi)
        index = ft.get_char_index(ord(ch))
        if index == 0:
            return 0.0 if unicodedata.combining(ch) else self.MISSING_EM * key[1] * self.dpi / 72
        return ft.load_glyph(index, flags=LoadFlags.NO_HINTING).linearHoriAdvance / 65536

    def height(self, cv: _Canvas, style: str, size: float, n_lines: int) -> float:
        key = (style, size, n_lines)
        h = self._h.get(key)
        if h is None:
            probe = cv.ax.text(
                0, 0, "\n".join(["ÅÉgjpq|"] * n_lines), fontproperties=_font(style, size)
            )
            h = self._h[key] = probe.get_window_extent(cv.renderer).height + 1.0
            probe.remove()
        return h


@functools.cache
def _metrics(dpi: float) -> _Metrics:
    return _Metrics(dpi)


class _Canvas:
    """A figure with one axes in inch units, and a renderer to measure texts with."""

    def __init__(self, dpi: float) -> None:
        _ensure_mpl_config()
        from matplotlib.figure import Figure

        # Texts are measured at the resolution they will be drawn at: matplotlib then reuses
        # the measured layout when drawing (it caches it per dpi).
        self.dpi = float(dpi)
        self.fig = Figure(figsize=(4, 4), dpi=self.dpi)
        self.canvas = canvas_class()(self.fig)
        self.ax = self.fig.add_axes((0, 0, 1, 1))
        self.ax.set_axis_off()
        self.renderer = self.canvas.get_renderer()
        self.metrics = _metrics(self.dpi)
        self._lines: dict[float, list[list[tuple[float, float]]]] = {}
        self._fonts: dict[Any, tuple[str, float]] = {}
        #: A font for the characters DejaVu lacks (see `fallback_font`), set before any text.
        self.fallback: str | None = None
        self.x0 = self.y0 = math.inf
        self.x1 = self.y1 = -math.inf

    def include(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.x0 = min(self.x0, x0, x1)
        self.x1 = max(self.x1, x0, x1)
        self.y0 = min(self.y0, y0, y1)
        self.y1 = max(self.y1, y0, y1)

    def text(self, s: str, font: tuple[str, float], *, gid: str | None = None, **kw: Any) -> Any:
        """A text artist at (0, 0) in `font` (style, size), not yet placed; `size(t)` is the
        room it takes."""
        kw.setdefault("ha", "left")
        kw.setdefault("va", "top")
        kw.setdefault("color", "black")
        props = _font(*font, self.fallback)
        t = self.ax.text(0, 0, s, fontproperties=props, parse_math=False, usetex=False, **kw)
        if gid:
            t.set_gid(gid)
        self._fonts[t] = font
        return t

    def size(self, t: Any) -> tuple[float, float]:
        """(width, height) in inches `t` takes when drawn at this dpi, never less than the
        Agg renderer's box of it (see `_Metrics`)."""
        style, size = self._fonts[t]
        lines = t.get_text().split("\n")
        w = max(self.metrics.width(style, size, line) for line in lines)
        h = self.metrics.height(self, style, size, len(lines))
        return w / self.dpi, h / self.dpi

    def place(self, t: Any, x: float, y: float, w: float, h: float) -> None:
        """Put `t` (aligned left/top) with its top-left corner at (x, y)."""
        t.set_position((x, y))
        self.include(x, y - h, x + w, y)

    def line(self, xs: Sequence[float], ys: Sequence[float], *, lw: float = 1.0) -> None:
        """A black polyline `lw` points wide (drawn with all others of that width, in one go)."""
        self._lines.setdefault(lw, []).append(list(zip(xs, ys, strict=True)))
        self.include(min(xs), min(ys), max(xs), max(ys))

    def patch(self, p: Any) -> None:
        """Add a patch without matplotlib's data-limit bookkeeping (the limits are ours)."""
        self.ax.add_artist(p)

    def finish(self) -> Figure:
        from matplotlib.collections import LineCollection

        for lw, segments in self._lines.items():
            self.ax.add_artist(
                LineCollection(segments, linewidths=lw, colors="black", capstyle="butt", zorder=1)
            )
        self._lines.clear()
        if not math.isfinite(self.x0):
            self.include(0, 0, 1, 1)
        x0, x1 = self.x0 - MARGIN, self.x1 + MARGIN
        y0, y1 = self.y0 - MARGIN, self.y1 + MARGIN
        self.ax.set_xlim(x0, x1)
        self.ax.set_ylim(y0, y1)
        self.fig.set_size_inches(x1 - x0, y1 - y0)
        return self.fig


def _legend(cv: _Canvas, x: float, y: float, marks: Sequence[str]) -> None:
    parts = [f"{m} {what}" for m, what in LEGEND if m in marks]
    if not parts:
        return
    t = cv.text("      ".join(parts), ("regular", LEGEND_PT), gid="legend", color="#333333")
    w, h = cv.size(t)
    cv.place(t, x, y, w, h)


def png_dpi(width_in: float, height_in: float, dpi: float) -> float:
    """`dpi`, lowered so a `width_in` x `height_in` inch picture stays within MAX_PIXELS and
    MAX_SIDE_PX."""
    dpi = float(dpi)
    if width_in * height_in * dpi * dpi > MAX_PIXELS:
        dpi = math.sqrt(MAX_PIXELS / (width_in * height_in))
    return min(dpi, MAX_SIDE_PX / max(width_in, height_in, 1e-6))


def _png(fig: Figure, *, grayscale: bool = True) -> bytes:
    """The figure as PNG, at its dpi (lowered for a huge figure, see `png_dpi`).

    Grayscale by default: the pictures are drawn in black and greys (only the light yellow
    behind root causes in the cause graph turns light grey), and an 8-bit grey image is a
    quarter of the data: faster to write, smaller, and several times faster for fpdf2 to
    embed. The pHYs chunk holds the resolution, so a writer knows the picture's size.
    """
    from PIL import Image

    w, h = fig.get_size_inches()
    dpi = png_dpi(w, h, fig.dpi)
    buf = io.BytesIO()
    if not grayscale:
        with _GlyphsQuiet():
            fig.savefig(
                buf,
                format="png",
                dpi=dpi,
                metadata={"Software": None},
                # Line art compresses nearly as well at a low level, several times faster.
                pil_kwargs={"compress_level": PNG_COMPRESSION},
            )
        return buf.getvalue()
    measured = fig.dpi
    fig.set_dpi(dpi)
    try:
        with _GlyphsQuiet():
            fig.canvas.draw()
        rgba = fig.canvas.buffer_rgba()
        size = (int(rgba.shape[1]), int(rgba.shape[0]))
        image = Image.frombuffer("RGBA", size, rgba, "raw", "RGBA", 0, 1).convert("L")
    finally:
        fig.set_dpi(measured)
    image.save(buf, format="png", compress_level=PNG_COMPRESSION, dpi=(dpi, dpi))
    return buf.getvalue()


def _svg(fig: Figure) -> str:
    from matplotlib import rc_context

    buf = io.StringIO()
    # Texts stay <text> (searchable, and a browser draws CJK and emoji with its own fonts);
    # a fixed salt makes the element ids the same on every run.
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "rca-tui"}), _GlyphsQuiet():
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return _TEXT_NODE.sub(_neutral_text, buf.getvalue())


_TEXT_NODE = re.compile(r"(<text\b[^>]*>)([^<]*)(</text>)")


def _neutral_text(m: re.Match[str]) -> str:
    """A text node with "=" and ":" as character references: the same text on screen, but
    a cause such as "onset = 2 h" or "javascript: ..." cannot look like an attribute or a URL
    to a filter that scans the markup (the HTML writer refuses SVGs that seem active)."""
    body = m.group(2).replace("=", "&#61;").replace(":", "&#58;")
    return m.group(1) + body + m.group(3)


def missing_glyphs(texts: Iterable[str], fallback: str | None = None) -> str:
    """The characters of `texts` that DejaVu Sans (and `fallback`, a font file) cannot draw,
    in order of first use; combining marks and controls aside."""
    have = _charmap(font_path())
    extra = _charmap(fallback) if fallback else frozenset()
    out: dict[str, None] = {}
    for text in texts:
        if text.isascii():
            continue
        for ch in text:
            cp = ord(ch)
            if cp <= 127 or cp in have or cp in extra or unicodedata.combining(ch):
                continue
            if unicodedata.category(ch)[0] not in "CZ":
                out[ch] = None
    return "".join(out)


@functools.cache
def _charmap(path: str) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(path).get_charmap())


# --- the fishbone ------------------------------------------------------------------------------
@dataclass(slots=True)
class _Label:
    artist: Any
    depth: int
    w: float = 0.0
    h: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    parent: int = -1


def fishbone_figure(
    event_text: str | None,
    categories: Sequence[str],
    causes: Iterable[Any],
    links: Iterable[Any],
    *,
    dpi: float = DEFAULT_DPI,
) -> Figure:
    """The laid-out fishbone as a matplotlib Figure (one axes; 1 data unit = 1 inch), its texts
    measured for drawing at `dpi`."""
    with _GlyphsQuiet():
        return _fishbone(event_text, categories, causes, links, _Canvas(dpi))


def _fishbone(
    event_text: str | None,
    categories: Sequence[str],
    causes: Iterable[Any],
    links: Iterable[Any],
    cv: _Canvas,
) -> Figure:
    nodes, edges = _read(causes, links)
    cv.fallback = fallback_font([str(event_text or ""), *map(str, categories), *_texts(nodes)])
    trees = bone_trees(categories, nodes.values(), edges)
    head = clean_label(trees.head(event_text))
    bone_names, bones, unlinked = trees.names, trees.items, trees.unlinked
    n_above = trees.above
    large = len(nodes) > LARGE
    max_lines = 1 if len(nodes) > HUGE else LARGE_CAUSE_LINES if large else CAUSE_LINES
    cot = 1.0 / math.tan(math.radians(BONE_ANGLE))
    marks: set[str] = set()

    # Head: the event in a box on the right of the spine's end.
    head_t = cv.text(
        "\n".join(wrap(head, HEAD_WRAP, HEAD_LINES)),
        ("bold", HEAD_PT),
        gid="fishbone-head",
        ha="center",
        va="center",
        multialignment="center",
    )
    head_w, head_h = cv.size(head_t)

    # Labels of every bone, measured.
    labels: list[list[_Label]] = []
    cat_texts: list[tuple[Any, float, float]] = []
    for b, items in enumerate(bones):
        row: list[_Label] = []
        parents: list[int] = []
        for cid, depth, _later, ref in items:
            node = nodes[cid]
            shown = min(depth, MAX_INDENT_LEVELS)
            deeper = DEEPER_MARK * (depth - shown)
            if ref:
                marks.add(REF_MARK)
                lines = wrap(f"{REF_MARK} {deeper}{node.ref} {node.text}", REF_WRAP, REF_LINES)
                font, color = ("regular", REF_PT), "#444444"
            else:
                mark = kind_mark(node.kind)
                if mark:
                    marks.add(mark)
                prefix = f"{mark} " if mark else ""
                width = CAUSE_WRAP if depth == 0 else SUB_WRAP
                text = f"{node.ref} {node.text}" if large else node.text
                lines = wrap(f"{deeper}{prefix}{text}", width, max_lines)
                if cid in unlinked:
                    marks.add(UNLINKED_MARK)
                    lines[-1] += f" {UNLINKED_MARK}"
                size = CAUSE_PT if depth == 0 else SUB_PT
                style = {"root": "bold", "contributing": "italic"}.get(node.kind, "regular")
                font, color = (style, size), "black"
            # A reference gets an id of its own: ids are unique in an HTML page.
            gid = f"fishbone-ref-{b}-{len(row)}" if ref else f"fishbone-cause-{cid}"
            t = cv.text("\n".join(lines), font, gid=gid, color=color)
            lab = _Label(t, shown)
            lab.w, lab.h = cv.size(t)
            del parents[depth:]
            lab.parent = parents[-1] if parents else -1
            parents.append(len(row))
            row.append(lab)
        labels.append(row)
        cat_t = cv.text(
            "\n".join(wrap(clean_label(bone_names[b]) or "-", CATEGORY_WRAP, CATEGORY_LINES)),
            ("bold", CATEGORY_PT),
            gid=f"fishbone-category-{b}",
            ha="center",
            multialignment="center",
            bbox={"boxstyle": "round,pad=0.3", "fc": "#eeeeee", "ec": "black", "lw": 0.8},
        )
        cw, ch = cv.size(cat_t)
        cat_texts.append((cat_t, cw, ch))

    # As in the app: the first half of the bones above the spine, the rest below, each row in
    # category order from left to right.
    rows = {True: list(range(n_above)), False: list(range(n_above, len(bones)))}
    box_pad = 2 * 0.3 * CATEGORY_PT / 72  # the category box around its text
    spine_end = 0.0
    attach: dict[int, float] = {}
    length: dict[bool, float] = {}
    for above, members in rows.items():
        need = [sum(lab.h for lab in labels[b]) + PAD * max(0, len(labels[b]) - 1) for b in members]
        height = max([MIN_ROW, head_h / 2 + 0.1, *need])
        length[above] = SPINE_GAP + height + 0.08
        for b in members:
            row = labels[b]
            used = sum(lab.h for lab in row) + PAD * max(0, len(row) - 1)
            spread = min(MAX_SPREAD, (height - used) / (len(row) + 1)) if row else 0.0
            # Upper bones list from the category (top) down; lower ones from the spine down.
            y = (SPINE_GAP + height if above else -SPINE_GAP) - spread
            for lab in row:
                lab.top, lab.bottom = y, y - lab.h
                y = lab.bottom - PAD - spread
        # Column widths: a bone's labels sit between it and the bone on its left, which is
        # parallel, so the room is the same at every height.
        widths = []
        for i, b in enumerate(members):
            col = MIN_COLUMN
            for lab in labels[b]:
                col = max(col, lab.w + lab.depth * INDENT + 2 * GAP + lab.h * cot)
            if i > 0:
                col = max(col, (cat_texts[b][1] + cat_texts[members[i - 1]][1]) / 2 + box_pad + GAP)
            widths.append(col)
        x = spine_end - 0.3
        for i in range(len(members) - 1, -1, -1):
            attach[members[i]] = x
            x -= widths[i]

    def bone_x(b: int, y: float) -> float:
        return attach[b] - abs(y) * cot

    # Draw the bones, their labels, ribs and connectors.
    for b in range(len(bones)):
        above = b < n_above
        sign = 1.0 if above else -1.0
        end_y = sign * length[above]
        cv.line([attach[b], bone_x(b, end_y)], [0, end_y], lw=1.6)
        cat_t, cw, ch = cat_texts[b]
        cx = bone_x(b, end_y)
        cy = end_y + sign * (0.05 + box_pad / 2)
        cat_t.set_position((cx, cy))
        cat_t.set_verticalalignment("bottom" if above else "top")
        cv.include(cx - cw / 2 - box_pad, cy, cx + cw / 2 + box_pad, cy + sign * (ch + box_pad))
        row = labels[b]
        for lab in row:
            far = lab.top if above else lab.bottom
            right = bone_x(b, far) - GAP - lab.depth * INDENT
            cv.place(lab.artist, right - lab.w, lab.top, lab.w, lab.h)
            y_rib = lab.bottom - 0.012
            if lab.depth == 0:
                end = bone_x(b, y_rib)
                lw = 0.9
            else:
                off = GAP + (lab.depth - 1) * INDENT + INDENT / 2
                end = bone_x(b, y_rib) - off
                lw = 0.6
                if lab.parent >= 0:
                    p_rib = row[lab.parent].bottom - 0.012
                    cv.line([bone_x(b, p_rib) - off, end], [p_rib, y_rib], lw=0.6)
            cv.line([right - lab.w, end], [y_rib, y_rib], lw=lw)

    # Spine and head.
    left = min((attach[b] - (MIN_COLUMN if not labels[b] else 0.5) for b in attach), default=-3)
    head_x0 = spine_end + 0.05
    cv.line([left, head_x0], [0, 0], lw=3.0)
    from matplotlib.patches import FancyBboxPatch

    box_w, box_h = head_w + 0.3, head_h + 0.24
    cv.patch(
        FancyBboxPatch(
            (head_x0, -box_h / 2),
            box_w,
            box_h,
            boxstyle="round,pad=0,rounding_size=0.08",
            fc="white",
            ec="black",
            lw=2.0,
        )
    )
    head_t.set_position((head_x0 + box_w / 2, 0))
    cv.include(head_x0, -box_h / 2, head_x0 + box_w, box_h / 2)

    _legend(cv, cv.x0, cv.y0 - 0.15, [m for m, _ in LEGEND if m in marks])
    return cv.finish()


def fishbone_png(
    event_text: str | None,
    categories: Sequence[str],
    causes: Iterable[Any],
    links: Iterable[Any],
    *,
    dpi: float = DEFAULT_DPI,
    grayscale: bool = True,
) -> bytes:
    """The fishbone as PNG bytes (see the module docstring for what it shows); 8-bit grey
    unless `grayscale=False`."""
    fig = fishbone_figure(event_text, categories, causes, links, dpi=dpi)
    return _png(fig, grayscale=grayscale)


def fishbone_svg(
    event_text: str | None,
    categories: Sequence[str],
    causes: Iterable[Any],
    links: Iterable[Any],
) -> str:
    """The fishbone as an SVG document (texts kept as `<text>`, escaped)."""
    return _svg(fishbone_figure(event_text, categories, causes, links, dpi=SVG_DPI))


# --- the cause graph -----------------------------------------------------------------------------
def _layers(nodes: dict[Any, _Node], edges: list[tuple[Any, Any]]) -> dict[Any, int]:
    """Column of each node, counted from the right: events 0, then the longest path to an
    event (a cause that leads to no event counts its path to where its chain stops, plus 1)."""
    succ: dict[Any, list[Any]] = {n: [] for n in nodes}
    for a, b in edges:
        succ[a].append(b)
    layer: dict[Any, int] = {}
    on_path: set[Any] = set()
    for start in nodes:
        if start in layer:
            continue
        stack: list[tuple[Any, int]] = [(start, 0)]
        while stack:
            n, i = stack.pop()
            if i == 0:
                on_path.add(n)
            kids = succ[n]
            if i < len(kids):
                stack.append((n, i + 1))
                k = kids[i]
                if k not in layer and k not in on_path:  # a cycle edge is ignored
                    stack.append((k, 0))
                continue
            on_path.discard(n)
            done = [layer[k] for k in kids if k in layer]
            if nodes[n].kind == "event":
                layer[n] = 0
            else:
                layer[n] = 1 + max(done) if done else 1
    return layer


def graph_figure(
    causes: Iterable[Any], links: Iterable[Any], *, dpi: float = DEFAULT_DPI
) -> Figure:
    """The laid-out cause graph as a matplotlib Figure (one axes; 1 data unit = 1 inch), its
    texts measured for drawing at `dpi`."""
    with _GlyphsQuiet():
        return _graph(causes, links, _Canvas(dpi))


def _graph(causes: Iterable[Any], links: Iterable[Any], cv: _Canvas) -> Figure:
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.patches import FancyBboxPatch

    nodes, edges = _read(causes, links)
    cv.fallback = fallback_font(_texts(nodes))
    large = len(nodes) > LARGE
    max_lines = 1 if len(nodes) > HUGE else LARGE_NODE_LINES if large else NODE_LINES
    layer = _layers(nodes, edges)
    # Drop links that go backwards (only a cycle, never stored, can make one).
    edges = [(a, b) for a, b in edges if layer[a] > layer[b]]
    marks: set[str] = set()

    sizes: dict[Any, tuple[float, float]] = {}
    artists: dict[Any, Any] = {}
    for cid, n in nodes.items():
        mark = kind_mark(n.kind)
        if mark:
            marks.add(mark)
        text = f"{n.ref} {n.text}" if large and n.kind != "event" else n.text
        text = f"{mark} {text}" if mark else text
        style = {"root": "bold", "contributing": "italic", "event": "bold"}.get(n.kind, "regular")
        size = NODE_PT + (1.5 if n.kind == "event" else 0)
        event = n.kind == "event"
        t = cv.text(
            "\n".join(wrap(text or "-", NODE_WRAP, HEAD_LINES if event else max_lines)),
            (style, size),
            gid=f"graph-cause-{cid}",
            ha="center",
            va="center",
            multialignment="center" if event else "left",
        )
        w, h = cv.size(t)
        pad = 2.0 if event else 1.0  # room for the event's double border
        sizes[cid] = (w + 2 * pad * NODE_PAD_X, h + 2 * pad * NODE_PAD_Y)
        artists[cid] = t

    # Columns, with a dummy slot wherever a link passes through one.
    n_layers = max(layer.values(), default=0) + 1
    columns: list[list[Any]] = [[] for _ in range(n_layers)]
    for cid in nodes:
        columns[layer[cid]].append(cid)
    chains: list[list[Any]] = []
    succ_of: dict[Any, list[Any]] = {}
    pred_of: dict[Any, list[Any]] = {}
    for a, b in edges:
        chain = [a]
        for k in range(layer[a] - 1, layer[b], -1):
            d = ("dummy", a, b, k)
            columns[k].append(d)
            sizes[d] = (0.0, DUMMY_H)
            chain.append(d)
        chain.append(b)
        chains.append(chain)
        for u, v in itertools.pairwise(chain):
            succ_of.setdefault(u, []).append(v)
            pred_of.setdefault(v, []).append(u)

    # Order within columns: a few barycentre sweeps to reduce crossings.
    pos = {v: i for col in columns for i, v in enumerate(col)}
    for sweep in range(4):
        order = range(n_layers - 2, -1, -1) if sweep % 2 == 0 else range(1, n_layers)
        for k in order:
            neigh = pred_of if sweep % 2 == 0 else succ_of

            def key(v: Any, neigh: dict = neigh) -> float:
                ns = neigh.get(v)
                return sum(pos[u] for u in ns) / len(ns) if ns else pos[v]

            columns[k].sort(key=key)
            for i, v in enumerate(columns[k]):
                pos[v] = i

    # Geometry: columns from the left (highest layer) to the right (the event).
    col_w = [max((sizes[v][0] for v in col), default=0.0) for col in columns]
    x_left: dict[int, float] = {}
    x = 0.0
    for k in range(n_layers - 1, -1, -1):
        x_left[k] = x
        x += max(col_w[k], 0.3) + COLUMN_GAP
    centre: dict[Any, tuple[float, float]] = {}
    for k, col in enumerate(columns):
        total = sum(sizes[v][1] for v in col) + NODE_GAP * max(0, len(col) - 1)
        y = total / 2
        for v in col:
            h = sizes[v][1]
            centre[v] = (x_left[k] + max(col_w[k], 0.3) / 2, y - h / 2)
            y -= h + NODE_GAP

    for cid, n in nodes.items():
        cx, cy = centre[cid]
        w, h = sizes[cid]
        k = layer[cid]
        # Boxes of one column share their width, so arrows start and end in a straight line.
        w = max(col_w[k], 0.3)
        sizes[cid] = (w, h)
        style = {
            "event": {"lw": 2.2, "ls": "-"},
            "root": {"lw": 1.8, "ls": "-"},
            "contributing": {"lw": 1.0, "ls": (0, (4, 2))},
            "cause": {"lw": 0.8, "ls": "-"},
        }[n.kind]
        cv.patch(
            FancyBboxPatch(
                (cx - w / 2, cy - h / 2),
                w,
                h,
                boxstyle="round,pad=0,rounding_size=0.05",
                fc="#fff6d5" if n.kind == "root" else "white",
                ec="black",
                **style,
            )
        )
        if n.kind == "event":
            inset = 0.035
            cv.patch(
                FancyBboxPatch(
                    (cx - w / 2 + inset, cy - h / 2 + inset),
                    w - 2 * inset,
                    h - 2 * inset,
                    boxstyle="round,pad=0,rounding_size=0.04",
                    fc="none",
                    ec="black",
                    lw=0.8,
                )
            )
        artists[cid].set_position((cx, cy))
        cv.include(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)

    # Where each link leaves its cause and enters its effect: spread over the box's side,
    # in the order of the other ends, so a cause with many effects (or the event with many
    # causes) does not gather every arrow into one point.
    out_port: dict[int, float] = {}
    in_port: dict[int, float] = {}
    outs: dict[Any, list[tuple[float, int]]] = {}
    ins: dict[Any, list[tuple[float, int]]] = {}
    for i, chain in enumerate(chains):
        outs.setdefault(chain[0], []).append((-centre[chain[1]][1], i))
        ins.setdefault(chain[-1], []).append((-centre[chain[-2]][1], i))
    for ports, where in ((outs, out_port), (ins, in_port)):
        for v, ends in ports.items():
            ends.sort()
            cy, h = centre[v][1], sizes[v][1]
            span = max(0.0, h - 2 * NODE_PAD_Y) * (0.8 if len(ends) > 1 else 0.0)
            for j, (_, i) in enumerate(ends):
                frac = 0.5 if len(ends) == 1 else j / (len(ends) - 1)
                where[i] = cy + span / 2 - frac * span

    # Links: one collection of polylines and one of arrowheads (hundreds of separate arrow
    # patches would cost more than all the rest of the picture).
    lines: list[list[tuple[float, float]]] = []
    heads: list[list[tuple[float, float]]] = []
    for i, chain in enumerate(chains):
        pts: list[tuple[float, float]] = []
        a, b = chain[0], chain[-1]
        pts.append((centre[a][0] + sizes[a][0] / 2, out_port[i]))
        for d in chain[1:-1]:
            dx, dy = centre[d]
            half = max(col_w[d[3]], 0.3) / 2
            pts.extend([(dx - half, dy), (dx + half, dy)])
        tip = (centre[b][0] - sizes[b][0] / 2, in_port[i])
        (px, py), (tx, ty) = pts[-1], tip
        length = math.hypot(tx - px, ty - py) or 1.0
        ux, uy = (tx - px) / length, (ty - py) / length
        back = min(ARROW_LEN, length * 0.5)
        base = (tx - ux * back, ty - uy * back)
        pts.append(base)
        lines.append(pts)
        half_w = ARROW_WIDTH / 2
        heads.append(
            [
                tip,
                (base[0] - uy * half_w, base[1] + ux * half_w),
                (base[0] + uy * half_w, base[1] - ux * half_w),
            ]
        )
    if lines:
        cv.ax.add_artist(LineCollection(lines, linewidths=0.8, colors="#222222", zorder=1))
        cv.ax.add_artist(
            PolyCollection(heads, facecolors="#222222", edgecolors="#222222", linewidths=0.3)
        )

    _legend(cv, cv.x0, cv.y0 - 0.15, [m for m in (ROOT_MARK, CONTRIBUTING_MARK) if m in marks])
    return cv.finish()


def graph_png(
    causes: Iterable[Any],
    links: Iterable[Any],
    *,
    dpi: float = DEFAULT_DPI,
    grayscale: bool = True,
) -> bytes:
    """The cause graph as PNG bytes; 8-bit grey unless `grayscale=False`."""
    return _png(graph_figure(causes, links, dpi=dpi), grayscale=grayscale)


def graph_svg(causes: Iterable[Any], links: Iterable[Any]) -> str:
    """The cause graph as an SVG document (texts kept as `<text>`, escaped)."""
    return _svg(graph_figure(causes, links, dpi=SVG_DPI))
