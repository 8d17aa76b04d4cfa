"""The PDF's fonts: DejaVu Sans from matplotlib's data folder (no font package needed), and
fallbacks loaded for exactly the characters it lacks (upright DejaVu Sans for letters the
oblique face lacks, such as Arabic in a causal statement; a CJK font where the system has one;
then matplotlib's Last Resort font), so nothing is dropped and nothing raises.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from typing import Any

from exports.pdf_style import FAMILY

#: Width (in 1/1000 em) counted for a character DejaVu lacks (drawn by a fallback font).
MISSING_WIDTH = 1100

#: CJK fonts looked for, in order, when the report holds characters DejaVu lacks
#: (Debian/Ubuntu, Fedora/RHEL, Arch, macOS, Windows paths; (path, face number)).
CJK_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 0),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc", 0),
    ("/System/Library/Fonts/Supplemental/Arial Unicode.ttf", 0),
    ("C:/Windows/Fonts/msgothic.ttc", 0),
)


# --- fonts ----------------------------------------------------------------------------------
def font_file(name: str) -> str:
    return os.path.join(_mpl_data(), "fonts", "ttf", name)


@functools.cache
def _mpl_data() -> str:
    """matplotlib's data folder (`matplotlib.get_data_path()`), found without importing
    matplotlib (0.3-0.5 s): a PDF without pictures (no causes yet, the board pack, pictures
    switched off) never pays for it."""
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.origin:
        folder = os.path.join(os.path.dirname(spec.origin), "mpl-data")
        if os.path.isdir(folder):
            return folder
    import matplotlib  # an unusual install: ask matplotlib itself

    return matplotlib.get_data_path()


def load_fonts(pdf: Any, strings: Iterable[str]) -> None:
    """DejaVu Sans in three styles, plus fallbacks for exactly the characters it lacks."""
    pdf.add_font(FAMILY, "", font_file("DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", font_file("DejaVuSans-Bold.ttf"))
    pdf.add_font(FAMILY, "I", font_file("DejaVuSans-Oblique.ttf"))
    have: set[int] | None = None
    for key in (FAMILY, FAMILY + "B", FAMILY + "I"):
        cmap = set(getattr(pdf.fonts[key], "cmap", {}) or ())
        have = cmap if have is None else have & cmap
    have = have or set()
    used = {ord(ch) for s in strings for ch in s}
    missing = sorted(cp for cp in used if cp not in have and cp > 0x1F and cp != 0x7F)
    if not missing:
        return
    fallbacks: list[str] = []
    upright = set(getattr(pdf.fonts[FAMILY], "cmap", {}) or ())
    if upright.intersection(missing):  # letters the oblique (or bold) face lacks, e.g. Arabic
        # drawn upright rather than as Last Resort boxes, as the pictures do
        pdf.add_font("upright", "", font_file("DejaVuSans.ttf"), unicode_range=missing)
        fallbacks.append("upright")
    for path, face in CJK_FONTS:
        if os.path.exists(path):
            try:
                pdf.add_font("cjk", "", path, unicode_range=missing, collection_font_number=face)
            except Exception:  # a broken or unexpected font file: try the next one
                continue
            fallbacks.append("cjk")
            break
    pdf.add_font("lastresort", "", font_file("LastResortHE-Regular.ttf"), unicode_range=missing)
    fallbacks.append("lastresort")
    pdf.set_fallback_fonts(fallbacks, exact_match=False)


#: Characters of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko and their
#: presentation forms): a line with one goes through fpdf2's shaping (see `Writer.line`).
RTL = frozenset(
    chr(cp)
    for lo, hi in ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))
    for cp in range(lo, hi + 1)
)
