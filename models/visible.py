"""User text shown as typed: control characters become visible symbols, one definition for all.

A title or a cause can hold anything a person typed, pasted or imported, including escape
sequences (`ESC[31m` restyles a terminal, `ESC]0;...` retitles it), a bell, a NUL, and bidi
overrides (U+202E shows the rest of a line backwards). User text is data: it is never silently
changed, so neither dropped nor turned into spaces. Each such character is shown as one visible
character instead: the Unicode control pictures (U+2400 block, so ESC shows as `␛`, BEL as `␇`,
NUL as `␀`), or U+FFFD for those without a picture (C1 controls, bidi controls, lone surrogates,
U+FFFE/U+FFFF). The stored text never changes; only what is shown.

- `visible`: for the terminal (`screens.visible` re-exports it);
- `exported`: for report and graph files: tab and line breaks stay (every format has them),
  bidi controls too (on paper they restyle nothing), and the result holds nothing XML 1.0
  forbids, so any XML, SVG or DOCX writer accepts it;
- `one_line`: for a label on one line (a fishbone head, a picture's label).

This module imports nothing, so the command line can use it without loading anything else.
"""

from __future__ import annotations

#: What a character that has no picture of its own becomes (the C1 controls, bidi controls).
SUBSTITUTE = "\ufffd"

#: Bidi controls: embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069), and the
#: marks (LRM, RLM, ALM), which also reorder what follows them on screen.
BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)


def _table(*, tabs: str | None) -> dict[int, str]:
    """Each control to its picture; a tab to `tabs` (None: it stays a tab); line breaks stay."""
    table = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ ... ␟
    del table[0x0A]  # a line break stays a line break (one-line displays fold it first)
    if tabs is None:
        del table[0x09]
    else:
        table[0x09] = tabs
    table[0x7F] = "\u2421"  # ␡
    table.update({code: SUBSTITUTE for code in range(0x80, 0xA0)})  # C1 controls (CSI, OSC)
    table.update({code: SUBSTITUTE for code in BIDI})
    # Not characters at all (lone surrogates) or not allowed in XML: one visible mark each.
    table.update({code: SUBSTITUTE for code in (*range(0xD800, 0xE000), 0xFFFE, 0xFFFF)})
    return table


_SHOWN = _table(tabs=" ")  # a raw tab would jump to the terminal's next tab stop
_EDITED = _table(tabs=None)  # the edit fields expand tabs themselves
#: Every export format has tabs and line breaks (a CR too: CSV quotes it, XML escapes it). Bidi
#: controls are kept: on paper they only order right-to-left text, they restyle nothing.
_EXPORTED = {k: v for k, v in _EDITED.items() if k not in (0x0D, *BIDI)}


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


def exported(text: str) -> str:
    """`text` for a report or graph file: every control character shown as its picture,
    except tab and line breaks (LF, CR), which every format has; each character stays one."""
    if text.isprintable():
        return text
    return text.translate(_EXPORTED)


def one_line(text: str | None) -> str:
    """`text` on one line: controls shown as pictures, tabs and line breaks as single spaces
    (whitespace runs become one space), outer spaces dropped."""
    if not text:
        return ""
    return " ".join(exported(text).split())
