"""User text made safe to show: control characters become visible symbols.

A title or a cause can hold anything a person typed, pasted or imported, including escape
sequences (`ESC[31m` restyles the screen, `ESC]0;...` retitles the terminal) and bidi overrides
(U+202E shows the rest of a line backwards). Rich and Textual pass those to the terminal as they
are, and `markup=False` does not help. `visible()` maps each of them to one visible character
(the Unicode control pictures, so ESC shows as `␛`) before display; the stored text never
changes. Every display path uses it: the screens (through `screens.formatting`), the edit
fields (`screens.widgets.editors`), the notifications and error dialogs of the app, and the
command line's output (`rca_tui.cli`).

This module imports nothing, so the command line can use it without loading Rich or Textual.
"""

from __future__ import annotations

#: What a character that has no picture of its own becomes (the C1 controls, bidi controls).
SUBSTITUTE = "\ufffd"

#: Bidi controls: embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069), and the
#: marks (LRM, RLM, ALM), which also reorder what follows them on screen.
BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)


def _table(*, tabs: bool) -> dict[int, str]:
    table = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ ... ␟
    del table[0x0A]  # a line break stays a line break (one-line displays fold it first)
    if tabs:
        del table[0x09]  # the edit fields expand tabs themselves
    else:
        table[0x09] = " "  # a raw tab would jump to the terminal's next tab stop
    table[0x7F] = "\u2421"  # ␡
    table.update({code: SUBSTITUTE for code in range(0x80, 0xA0)})  # C1 controls (CSI, OSC)
    table.update({code: SUBSTITUTE for code in BIDI})
    return table


_SHOWN = _table(tabs=False)
_EDITED = _table(tabs=True)


def visible(text: str, *, keep_tabs: bool = False) -> str:
    """`text` with every control character and bidi control replaced by a visible one.

    Each character becomes exactly one character (so positions in an edit field stay right),
    except that a Windows line end (CR LF) becomes a plain line break. `keep_tabs` leaves tabs
    for widgets that expand them (the edit fields); elsewhere a tab shows as a space.
    """
    if text.isprintable():  # the common case: nothing to do (False for any control or bidi)
        return text
    if not keep_tabs:
        text = text.replace("\r\n", "\n")
    return text.translate(_EDITED if keep_tabs else _SHOWN)
