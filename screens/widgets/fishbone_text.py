"""Cause texts fitted to terminal cells: one clean line, word-wrapped, cut with "…".

The fishbone drawing measures every label in cells (wide CJK characters take two) and never
parses it as markup; `clean_text` makes control characters visible first.
"""

from __future__ import annotations

from rich.cells import cell_len, chop_cells

from screens.formatting import one_line


def clean_text(text: str | None) -> str:
    """A label's text on one line, with control characters visible (never sent raw). A text
    that is clean already is returned itself, not a copy: 5,000 labels are not held twice."""
    text = text or ""
    clean = one_line(text)
    return text if clean == text else clean


def cell_width(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def chop(text: str, width: int) -> tuple[str, str]:
    """Split `text` after at most `width` cells."""
    if text.isascii():
        return text[:width], text[width:]
    head = chop_cells(text, width)[0]
    return head, text[len(head) :]


def ellipsis(line: str, width: int) -> str:
    line = line.rstrip()
    if cell_width(line) + 1 > width:
        line, _ = chop(line, max(0, width - 1))
        line = line.rstrip()
    return line + "…"


def wrap_label(text: str, width: int, max_lines: int) -> list[str]:
    """Word-wrap into at most `max_lines` lines of `width` cells; "…" marks a cut.

    `text` must already be clean (see `clean_text`). Only the part that fits is looked at, so
    a 300-character text costs no more than a short one. A word longer than a line is broken
    with a hyphen.
    """
    width = max(1, width)
    max_lines = max(1, max_lines)
    if not text.isascii():
        return _wrap_words(text, width, max_lines)
    n = len(text)
    if n <= width:
        return [text]
    lines: list[str] = []
    start = 0
    while True:
        if n - start <= width:
            lines.append(text[start:])
            return lines
        if len(lines) == max_lines - 1:
            # The last line: as many whole words as fit before the "…".
            cut = text.rfind(" ", start, start + width)
            if cut <= start + width // 3:
                cut = start + width - 1
            lines.append(text[start:cut].rstrip() + "…")
            return lines
        cut = text.rfind(" ", start, start + width + 1)
        if cut <= start:
            cut = start + width - 1 if width >= 6 else start + width
            lines.append(text[start:cut] + ("-" if width >= 6 else ""))
            start = cut
        else:
            lines.append(text[start:cut])
            start = cut + 1


def _wrap_words(text: str, width: int, max_lines: int) -> list[str]:
    """`wrap_label` for text with wide or combining characters (measured in cells)."""
    if cell_len(text) <= width:
        return [text]
    lines: list[str] = []
    words = text.split(" ")
    cur: list[str] = []
    cur_w = 0
    i = 0
    n = len(words)
    while i < n:
        word = words[i]
        ww = cell_len(word)
        if not cur:
            if ww <= width:
                cur = [word]
                cur_w = ww
                i += 1
                continue
            head, rest = chop(word, width - 1 if width >= 6 else width)
            lines.append(head + ("-" if width >= 6 else ""))
            words[i] = rest
            if len(lines) == max_lines:
                break
            continue
        if cur_w + 1 + ww <= width:
            cur.append(word)
            cur_w += 1 + ww
            i += 1
            continue
        lines.append(" ".join(cur))
        cur = []
        cur_w = 0
        if len(lines) == max_lines:
            break
    else:
        if cur:
            lines.append(" ".join(cur))
        return lines
    lines[-1] = ellipsis(lines[-1], width)
    return lines
