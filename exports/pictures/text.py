"""The pictures' fonts and label text: matplotlib's cache folder, DejaVu Sans with a CJK (or
Arabic/Hebrew) fallback, cleaning and wrapping labels, right-to-left lines, and naming what no
font can draw.

Right-to-left text: matplotlib 3.11 lays every line out with libraqm (HarfBuzz shaping and
FriBiDi ordering), so Arabic is joined and RTL runs are ordered by the Unicode bidi algorithm
when the string is given in typed (logical) order. Reordering beforehand (python-bidi,
arabic-reshaper) would be reversed a second time. What matplotlib cannot know is the label's
direction: it splits a label into lines and guesses each line's direction from its first strong
character, so a wrapped Latin label whose second line starts with a Hebrew word reads that line
right to left. `bidi_lines` wraps each line of a label holding RTL text in an isolate of the
label's direction (LRI/RLI ... PDI, which FriBiDi and browsers both honour: the SVG reads the
same), and RTL labels are aligned right.

matplotlib is imported inside the functions (start-up never loads it).
"""

from __future__ import annotations

import functools
import os
import tempfile
import textwrap
import unicodedata
import warnings
from collections.abc import Iterable
from types import TracebackType
from typing import Any, Literal

from exports.pictures.style import FONT_FILES
from models.visible import one_line


# --- set-up ---------------------------------------------------------------------------------
def ensure_mpl_config() -> None:
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
    ensure_mpl_config()
    import matplotlib

    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf", FONT_FILES[style])


@functools.cache
def font_properties(style: str, size: float, fallback: str | None = None) -> Any:
    """DejaVu Sans in `style`; with `fallback` (a font file), DejaVu first and that font for
    the characters DejaVu lacks (matplotlib's font fallback)."""
    from matplotlib.font_manager import FontProperties, fontManager

    weight = "bold" if "bold" in style else "normal"
    slant: Literal["italic", "normal"] = "italic" if "italic" in style else "normal"
    # Weight and slant are given too: an SVG keeps texts as <text>, styled by these.
    if fallback is None:
        return FontProperties(fname=font_path(style), size=size, weight=weight, style=slant)
    fontManager.addfont(fallback)
    family = fontManager.ttflist[-1].name
    return FontProperties(family=["DejaVu Sans", family], size=size, weight=weight, style=slant)


#: Arabic and Hebrew fonts looked for when a label holds letters of those scripts that DejaVu
#: Sans lacks (it has the common Arabic and Hebrew letters, not all of Persian, Urdu or
#: Arabic Extended): Debian/Ubuntu (fonts-noto-core, fonts-freefont), Fedora, macOS, Windows.
RTL_FONTS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf",
    "/usr/share/fonts/google-noto/NotoSansArabic-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf",
    "/usr/share/fonts/google-noto/NotoSansHebrew-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSerif.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


def fallback_font(texts: Iterable[str]) -> str | None:
    """A font file for the characters of `texts` that DejaVu Sans lacks: of the CJK fonts the
    PDF falls back to (`exports.pdf_fonts.CJK_FONTS`) and the Arabic/Hebrew fonts of
    `RTL_FONTS`, the first this machine has that draws most of them; None when nothing is
    missing or no such font is there."""
    missing = missing_glyphs(texts)
    if not missing:
        return None
    from exports.pdf_fonts import CJK_FONTS

    best, best_n = None, 0
    for path in [p for p, _face in CJK_FONTS] + list(RTL_FONTS):
        if not (os.path.exists(path) and path.lower().endswith((".ttf", ".otf", ".ttc"))):
            continue
        try:
            have = _charmap(path)
        except (OSError, RuntimeError):  # a broken or unexpected font file: try the next one
            continue
        n = sum(ord(ch) in have for ch in missing)
        if n == len(missing):
            return path
        if n > best_n:
            best, best_n = path, n
    return best


def upright(font: tuple[str, float], text: str) -> tuple[str, float]:
    """`font` (style, size), its italic dropped when the italic face lacks a letter of `text`
    that the upright face has (DejaVu Sans Oblique has Hebrew but no Arabic)."""
    style, size = font
    if "italic" not in style or text.isascii():
        return font
    slanted = _charmap(font_path(style))
    straight = style.replace("italic", "") or "regular"
    have = _charmap(font_path(straight))
    if any(ord(ch) not in slanted and ord(ch) in have for ch in text):
        return straight, size
    return font


class GlyphsQuiet:
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

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._logger.removeFilter(_no_face_note)
        self._cw.__exit__(kind, error, tb)


def _no_face_note(record: Any) -> bool:
    return not record.getMessage().startswith("findfont: Failed to find font weight")


# --- text -------------------------------------------------------------------------------------
#: Unicode bidi isolates: left-to-right, right-to-left, and their end.
LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"


def has_rtl(text: str) -> bool:
    """Whether `text` holds a right-to-left character (Hebrew, Arabic and the like)."""
    if text.isascii():
        return False
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def is_rtl(text: str) -> bool:
    """Whether `text` reads right to left: its first strong character is RTL (the Unicode bidi
    algorithm's rules P2-P3, with no isolates in user text: `clean_label` replaces them)."""
    if text.isascii():
        return False
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


def bidi_lines(lines: Iterable[str], rtl: bool) -> list[str]:
    """`lines` (one label, wrapped in typed order) each isolated in the label's direction,
    when the label holds RTL text; unchanged otherwise. matplotlib (libraqm) then orders and
    shapes each line as a reader of that direction expects."""
    lines = list(lines)
    if not any(has_rtl(line) for line in lines):
        return lines
    start = RLI if rtl else LRI
    return [f"{start}{line}{PDI}" if line else line for line in lines]


def plain(text: str) -> str:
    """`text` without the isolates `bidi_lines` added (what a reader of the picture sees as
    characters)."""
    return text.replace(LRI, "").replace(RLI, "").replace(PDI, "")


def clean_label(text: object) -> str:
    """One line of plain text: controls shown as their pictures (`models.visible.one_line`),
    nothing XML forbids, single spaces."""
    return "" if text is None else one_line(str(text))


def label_cells(text: str) -> int:
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
        w = label_cells(ch)
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
    return list(_wrapped(text, width, max_lines))


@functools.lru_cache(maxsize=8192)
def _wrapped(text: str, width: int, max_lines: int) -> tuple[str, ...]:
    # Kept: the parts of a split fishbone wrap the same labels again (a quarter of their
    # layout time); `wrap` hands out a fresh list, which the caller may change.
    return tuple(_wrap(text, width, max_lines))


def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    width = max(2, width)
    if label_cells(text) <= width:
        return [text]
    if text.isascii():
        lines = textwrap.wrap(text, width, break_on_hyphens=False) or [""]
    else:
        lines = []
        cur: list[str] = []
        cur_w = 0
        for word in text.split(" "):
            for piece in _chop(word, width) if label_cells(word) > width else [word]:
                pw = label_cells(piece)
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
        while last and label_cells(last) > width - 1:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


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
