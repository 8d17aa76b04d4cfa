"""The DOCX writer builds long tables and outline lines as WordprocessingML in one parse
(`exports.docx_xml.body_rows`, `exports.docx._Writer.item`): what Word and python-docx read
back is the text as typed, with the same breaks, tabs, spaces and escapes as python-docx's own
`add_run`."""

from __future__ import annotations

import io
from types import SimpleNamespace

from docx import Document

from exports.document import Item, Run, Table
from exports.docx_xml import body_rows, run_xml

TYPED = "  leading & <b>not bold</b>\tafter a tab\nsecond line "


def test_a_run_is_written_as_python_docx_writes_it():
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from lxml import etree

    reference = Document().add_paragraph().add_run(TYPED)._r
    ours = parse_xml(run_xml(TYPED).replace("<w:r>", f"<w:r {nsdecls('w')}>", 1))

    def canonical(el):
        return etree.tostring(el, method="c14n", exclusive=True)

    assert canonical(ours) == canonical(reference)


def test_rows_read_back_as_typed():
    b = Table(("A", "B"), ((TYPED, ""), ("x", "y & z")), (0.5, 0.5), facts=True, sign=True)
    d = Document()
    table = d.add_table(rows=1, cols=2)
    for tr in body_rows(b, ["2000", "3000"], "Normal"):
        table._tbl.append(tr)
    data = io.BytesIO()
    d.save(data)
    t = Document(io.BytesIO(data.getvalue())).tables[0]
    assert [c.text for c in t.rows[1].cells] == [TYPED, ""]
    assert [c.text for c in t.rows[2].cells] == ["x", "y & z"]
    assert t.rows[1].cells[0].paragraphs[0].runs[0].bold  # a facts table's first column
    assert not t.rows[2].cells[1].paragraphs[0].runs[0].bold
    assert t.rows[1].height is not None  # signature rows have room to sign
    assert t.rows[1].cells[1].width.twips == 3000


def test_outline_items_keep_their_text_indent_and_styles():
    from exports.docx import _Writer

    d = Document()
    w = _Writer(d, SimpleNamespace(paper="letter", language="en"), {})
    w.item(Item((Run(TYPED, bold=True), Run(" muted", italic=True, muted=True)), 2, "•"))
    w.item(Item((Run("A bone", bold=True),), 0, ""))
    data = io.BytesIO()
    d.save(data)
    first, bone = Document(io.BytesIO(data.getvalue())).paragraphs[-2:]
    assert first.text == "• " + TYPED + " muted"
    _bullet, typed, muted = first.runs
    assert typed.bold and not typed.italic and muted.italic
    assert str(muted.font.color.rgb) == "555555"
    pf = first.paragraph_format
    assert pf.left_indent.twips == round(0.84 * 1440) and pf.first_line_indent.twips == -317
    assert not pf.keep_with_next and bone.paragraph_format.keep_with_next
    assert bone.paragraph_format.space_before.pt == 5
