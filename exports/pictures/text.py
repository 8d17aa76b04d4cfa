"""The pictures' fonts and label text: matplotlib's cache folder, DejaVu Sans with a CJK
fallback, cleaning and wrapping labels, and naming what no font can draw.

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
from exports.safety import clean_xml_text


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


def fallback_font(texts: Iterable[str]) -> str | None:
    """A font file for the characters of `texts` that DejaVu Sans lacks (CJK), from the
    fonts the PDF falls back to (`exports.pdf_fonts.CJK_FONTS`) that this machine has; None when
    nothing is missing or no such font is there."""
    if not missing_glyphs(texts):
        return None
    from exports.pdf_fonts import CJK_FONTS

    for path, _face in CJK_FONTS:
        if os.path.exists(path) and path.endswith((".ttf", ".otf", ".ttc")):
            return path
    return None


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
_CONTROL = {i: " " for i in (*range(32), *range(0x7F, 0xA0))}


def clean_label(text: object) -> str:
    """One line of plain text: no control or XML-illegal characters, single spaces."""
    if text is None:
        return ""
    s = clean_xml_text(str(text))
    if not s.isprintable():
        s = s.translate(_CONTROL)
    return " ".join(s.split())


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
