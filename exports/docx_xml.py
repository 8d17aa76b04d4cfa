"""WordprocessingML written as text for the DOCX report's many small parts (`exports.docx`):
runs, outline lines and table body rows, the same elements python-docx would write one call
at a time, several times faster for a long report. Plain text only goes in, escaped here.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from exports.document import Table, t

MUTED = (0x55, 0x55, 0x55)
FACT_FILL = "F2F4F7"


def one_break(text: str) -> str:
    """A text for a run: a Windows line ending ("\\r\\n") or a lone "\\r" is one line
    break (python-docx makes a break of each of the two characters)."""
    return t(text).replace("\r\n", "\n").replace("\r", "\n")


def lang_xml(lang: str | None) -> str:
    """A run's language (`w:lang`, the last of the run properties used here), or nothing."""
    return f'<w:lang w:val="{escape(lang)}"/>' if lang else ""


def run_xml(text: str, bold: bool = False, lang: str | None = None) -> str:
    """One run as python-docx's `add_run(text)` writes it: line breaks and tabs as their own
    elements, `xml:space="preserve"` on a piece with outer spaces; `lang`: its language, where
    it is not the document's (the app's English wording)."""
    props = ("<w:b/>" if bold else "") + lang_xml(lang)
    out = ["<w:r>", f"<w:rPr>{props}</w:rPr>" if props else ""]
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append("<w:br/>")
        for j, piece in enumerate(line.split("\t")):
            if j:
                out.append("<w:tab/>")
            if piece:
                keep = ' xml:space="preserve"' if piece != piece.strip() else ""
                out.append(f"<w:t{keep}>{escape(piece)}</w:t>")
    out.append("</w:r>")
    return "".join(out)


def styled_run_xml(text: str, run: Any, en: str | None = None) -> str:
    """A run of a block (`exports.document.Run`): bold, italic, muted, and language `en` if it
    is the app's wording (in that schema order)."""
    props = ("<w:b/>" if run.bold else "") + ("<w:i/>" if run.italic else "")
    if run.muted:
        props += f'<w:color w:val="{bytes(MUTED).hex().upper()}"/>'
    props += lang_xml(en if run.en else None)
    xml = run_xml(text)
    return xml.replace("<w:r>", f"<w:r><w:rPr>{props}</w:rPr>", 1) if props else xml


def body_rows(b: Table, twips: list[str | None], style: str, en: str | None = None) -> list[Any]:
    """The body rows of table `b` as `w:tr` elements: each kept on one page, cell widths
    `twips`, paragraphs in `style`, the first column of a facts table bold and shaded, the
    rows of a signature table at least half an inch high; the app's wording (a facts table's
    labels, `b.en_cols`) in language `en`."""
    en_cols = {*b.en_cols, *((0,) if b.facts else ())} if en else set()
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    height = '<w:trHeight w:val="720" w:hRule="atLeast"/>' if b.sign else ""
    tr_pr = f'<w:trPr><w:cantSplit w:val="true"/>{height}</w:trPr>'
    p_pr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>'
    shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{FACT_FILL}"/>'
    parts = [f"<w:tbl {nsdecls('w')}>"]
    for row in b.rows:
        parts.append(f"<w:tr>{tr_pr}")
        for i, (text, w) in enumerate(zip(row, twips, strict=True)):
            first = b.facts and i == 0
            width = f'<w:tcW w:type="dxa" w:w="{w}"/>' if w is not None else ""
            lang = en if i in en_cols else None
            run = run_xml(one_break(text), bold=first, lang=lang) if text else ""
            parts.append(
                f"<w:tc><w:tcPr>{width}{shade if first else ''}</w:tcPr>"
                f"<w:p>{p_pr}{run}</w:p></w:tc>"
            )
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return list(parse_xml("".join(parts)))
