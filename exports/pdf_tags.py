"""The PDF report's structure tree: a tagged PDF that a screen reader and a PDF/UA checker
can walk (issue 15, "the structure tree has headings and tables, not only two figures").

Why a module of its own: fpdf2 (2.8) tags only pictures (`FPDF._marked_sequence`, every element
a /Figure directly under /Document, the next MCID found by counting every element so far, which
is quadratic). This module takes the place of fpdf2's `StructureTreeBuilder` on the document
(`pdf.struct_builder`, which fpdf2's output serialises and links from the catalog, with
/MarkInfo <</Marked true>>): a tree of any depth (Document > H1, P, Table > THead/TBody > TR >
TH/TD, L > LI > Lbl/LBody, Figure with /Alt), MCIDs numbered per page in constant time, and one
element's content continued on the next page (a paragraph, a table cell) as a further MCID of the
same element. Everything drawn outside an element is an /Artifact: the running header and footer,
the confidentiality notice and the page numbers as pagination artifacts, rules, cell borders
and a repeated table header as layout artifacts; so the page content is all tagged or all
artifact, as PDF/UA asks.

The writer (`exports.pdf_writer`) says what it draws (`mark`, `begin`/`end`, `group`,
`list_item`); the page header and footer (`exports.pdf`) call `furniture`/`resume`/`suspend`.
A marked sequence left empty (a page break before anything was drawn) is taken out again.

Language: an element in another language than the document's (the app's English headings and
labels in a French report, `exports.language.app_lang`) carries /Lang (ISO 32000-1 14.9.2);
a part of an element's text in another language (the bold "Event: " before the team's text) is
a Span with /Lang inside it (`Tags.lang`), its content a marked sequence of its own.

Right-to-left text: fpdf2's shaping draws an Arabic or Hebrew run's glyphs in visual order, as
Word and LibreOffice do, and text extractors put them back in typed order by the bidi rules
(Poppler's pdftotext, pypdf); but each its own way, and with slips (Poppler gives the lam-alef
ligature "لا" as "ال", pypdf mixes up the runs of a line that holds several). So an element
whose text holds right-to-left letters also carries that text as typed in /ActualText (ISO
32000-1 14.9.4), the text a screen reader takes from the structure tree instead of working it
out from the glyphs. Not in the content stream: Poppler lays a marked sequence's /ActualText
out left to right and turns it round again (the words then come out backwards), and glyphs
written in logical order make pypdf and `pdftotext -raw` read each word backwards.

Bookmarks: each outline item names the heading it leads to (/SE, ISO 32000-1 12.3.3, table 153)
besides its destination (/Dest, which viewers follow). fpdf2 2.8.9 keeps an item's element
(`OutlineSection.struct_elem`) only for its own styled section titles, and writes it under a key
no reader knows (/StructElem). `Tags.outline_to_open` gives the bookmark just started the
heading being drawn, and `output_producer()` (fpdf2's `output(output_producer_class=...)`)
writes it as /SE: a documented hook of fpdf2, not a fork; it checks what it relies on.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: fpdf2's outline item attribute that holds the item's structure element, and its key.
_SE_ATTR, _FPDF_KEY = "struct_elem", "/StructElem"


def _pdf_string(text: str) -> str:
    from fpdf.syntax import PDFString

    return PDFString(text).serialize()


def _base() -> type:
    from fpdf.syntax import PDFObject

    return PDFObject


class Elem:
    """One structure element: its type, parent, children (elements, or (page, MCID) pairs)."""

    __slots__ = ("alt", "attrs", "kids", "lang", "obj", "parent", "s")

    #: Right-to-left letters (Hebrew, Arabic and their presentation forms).
    RTL = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))

    def __init__(
        self,
        s: str,
        parent: Elem | None,
        alt: str | None = None,
        attrs: str = "",
        lang: str | None = None,
    ) -> None:
        self.s = s
        self.parent = parent
        self.kids: list[Elem | tuple[int, int]] = []
        self.alt = alt
        self.attrs = attrs
        self.lang = lang
        self.obj: Any = None

    def language(self) -> str | None:
        """Its language: its own /Lang or its nearest ancestor's (None: the document's)."""
        e: Elem | None = self
        while e is not None:
            if e.lang is not None:
                return e.lang
            e = e.parent
        return None

    @property
    def ref(self) -> str:
        """The reference to its PDF object (the parent tree lists elements by it)."""
        return str(self.obj.ref)


class Tags:
    """The structure tree of one document, and what is open in its page's content stream."""

    def __init__(self, pdf: Any) -> None:
        from fpdf.structure_tree import NumberTree

        self.pdf = pdf
        self.doc = Elem("Document", None)
        self.parent_tree = NumberTree()
        self._spid: dict[int, int] = {}
        self._stack: list[Elem] = [self.doc]
        self._lists: list[list[Any]] = []  # [L, its last LI] per list depth
        self._leaf: Elem | None = None
        #: What is open in the content stream: "leaf", "art" or "" (nothing), and where the
        #: opening operator starts and ends in the page's content (to take out an empty one).
        self._open = ""
        self._at = (0, 0)
        #: The text drawn in each marked sequence of an element, as typed: (page, MCID) -> text.
        self._text: dict[tuple[int, int], list[str]] = {}
        # fpdf2's output sets /Pg on these (ours carry their own) and asks `empty()`.
        self.doc_struct_elem = type("NoKids", (), {"k": ()})()

    # --- fpdf2's side: what its output serialises ------------------------------------------
    def empty(self) -> bool:
        return not self.doc.kids

    def __iter__(self) -> Iterator[Any]:
        """The PDF objects of the tree, root first; elements with no content are left out."""
        order: list[Elem] = []
        todo = [self.doc]
        while todo:
            e = todo.pop()
            order.append(e)
            todo.extend(k for k in reversed(e.kids) if isinstance(k, Elem))
        alive: set[int] = set()
        for e in reversed(order):  # children before parents
            if any(not isinstance(k, Elem) or id(k) in alive for k in e.kids):
                alive.add(id(e))
        actual = self._actual_texts(order)
        base = _base()
        pages = self.pdf.pages
        tree = self

        class Obj(base):  # type: ignore[misc, valid-type]
            def __init__(self, e: Elem) -> None:
                super().__init__()
                self.e = e

            def serialize(self, obj_dict: Any = None, _security_handler: Any = None) -> str:
                e = self.e
                first = next((k[0] for k in e.kids if not isinstance(k, Elem)), None)
                kids = []
                for k in e.kids:
                    if isinstance(k, Elem):
                        if id(k) in alive:
                            kids.append(k.obj.ref)
                    elif k[0] == first:
                        kids.append(str(k[1]))
                    else:
                        kids.append(f"<</Type /MCR /Pg {pages[k[0]].ref} /MCID {k[1]}>>")
                d: dict[str, object] = {"/Type": "/StructElem", "/S": f"/{e.s}"}
                d["/P"] = e.parent.obj.ref if e.parent is not None else root.ref
                if first is not None:
                    d["/Pg"] = pages[first].ref
                d["/K"] = "[" + " ".join(kids) + "]"
                if e.lang is not None:
                    d["/Lang"] = _pdf_string(e.lang)
                if e.alt is not None:
                    d["/Alt"] = _pdf_string(e.alt)
                if id(e) in actual:
                    d["/ActualText"] = _pdf_string(actual[id(e)])
                if e.attrs:
                    d["/A"] = e.attrs
                return super().serialize(d)

        class Root(base):  # type: ignore[misc, valid-type]
            def serialize(self, obj_dict: Any = None, _security_handler: Any = None) -> str:
                return super().serialize(
                    {
                        "/Type": "/StructTreeRoot",
                        "/K": f"[{tree.doc.obj.ref}]",
                        "/ParentTree": tree.parent_tree.ref,
                        "/ParentTreeNextKey": str(len(tree._spid)),
                    }
                )

        root = Root()
        yield root
        yield self.parent_tree
        for e in order:
            if id(e) in alive:
                e.obj = Obj(e)
                yield e.obj

    def _actual_texts(self, order: list[Elem]) -> dict[int, str]:
        """id(element) -> its text as typed, for each element drawn into (not a group, nor a
        Span inside one drawn into) whose text holds right-to-left letters."""
        texts = self._text

        def text(e: Elem) -> str:
            out: list[str] = []
            todo: list[Elem | tuple[int, int]] = [e]
            while todo:  # depth first, in reading order
                k = todo.pop()
                if isinstance(k, Elem):
                    todo.extend(reversed(k.kids))
                else:
                    out.extend(texts.get(k, ()))
            return "".join(out)

        def drawn(e: Elem | None) -> bool:
            return e is not None and any(not isinstance(k, Elem) for k in e.kids)

        actual: dict[int, str] = {}
        for e in order:
            if drawn(e) and not drawn(e.parent):
                s = text(e)
                if any(lo <= ord(ch) <= hi for ch in s for lo, hi in Elem.RTL):
                    actual[id(e)] = s
        return actual

    def text(self, s: str) -> None:
        """`s` was drawn (as typed) in the element being drawn: its /ActualText if it is
        right to left."""
        if self._open == "leaf" and self._leaf is not None and s:
            key = self._leaf.kids[-1]
            assert not isinstance(key, Elem)
            self._text.setdefault(key, []).append(s)

    # --- the writer's side: elements --------------------------------------------------------
    def new(
        self, s: str, *, alt: str | None = None, attrs: str = "", lang: str | None = None
    ) -> Elem:
        """A new element under the open group (drawn into later with `into`); `lang`: its
        language where it is not that of the group (None: the same)."""
        parent = self._stack[-1]
        if lang is not None and lang == parent.language():
            lang = None
        e = Elem(s, parent, alt, attrs, lang)
        parent.kids.append(e)
        return e

    @contextmanager
    def group(self, s: str) -> Iterator[Elem]:
        """An element holding others (a Table, a TR): what is tagged meanwhile goes into it."""
        e = self.new(s)
        self._stack.append(e)
        try:
            yield e
        finally:
            self._stack.pop()

    @contextmanager
    def within(self, e: Elem) -> Iterator[Elem]:
        self._stack.append(e)
        try:
            yield e
        finally:
            self._stack.pop()

    def begin(self, s: str, *, alt: str | None = None, lang: str | None = None) -> None:
        """Start drawing the content of a new element `s` (ended by `end`). Inside another
        element's content, the drawing just goes on in that one (in `lang`, a Span)."""
        if self._leaf is None:
            self.into(self.new(s, alt=alt, lang=lang))

    def into(self, e: Elem) -> None:
        """Start drawing (more of) the content of element `e`."""
        if self._leaf is not None:
            return
        self._close()
        self._leaf = e
        self._open_leaf()

    def end(self) -> None:
        if self._leaf is None:
            return
        self._close()
        self._leaf = None
        self._open_art()

    @contextmanager
    def mark(self, s: str, *, alt: str | None = None, lang: str | None = None) -> Iterator[None]:
        """What is drawn inside is the content of a new element `s` (one already open takes
        it instead, in a Span of language `lang` where that differs)."""
        if self._leaf is not None:
            with self.lang(lang):
                yield
            return
        self.begin(s, alt=alt, lang=lang)
        try:
            yield
        finally:
            self.end()

    @contextmanager
    def lang(self, lang: str | None) -> Iterator[None]:
        """What is drawn inside is in language `lang` (None: that of the element being drawn):
        a Span with /Lang in the element being drawn, where its language differs."""
        leaf = self._leaf
        if lang is None or leaf is None or leaf.language() == lang:
            yield
            return
        self._close()
        span = Elem("Span", leaf, lang=lang)
        leaf.kids.append(span)
        self._leaf = span
        self._open_leaf()
        try:
            yield
        finally:
            self._close()
            self._leaf = leaf
            self._open_leaf()

    def list_item(self, depth: int) -> Elem:
        """The LI of a list line at `depth`: consecutive lines are one L, a deeper line starts
        an L inside the LI before it."""
        lists = self._lists
        del lists[depth + 1 :]
        while len(lists) < depth + 1:
            parent = (lists[-1][1] or lists[-1][0]) if lists else self._stack[-1]
            ell = Elem("L", parent)
            parent.kids.append(ell)
            lists.append([ell, None])
        li = Elem("LI", lists[-1][0])
        lists[-1][0].kids.append(li)
        lists[-1][1] = li
        return li

    def end_lists(self) -> None:
        self._lists.clear()

    # --- the page's side: header, footer, page breaks ---------------------------------------
    def furniture(self, subtype: str) -> None:
        """The page's running header or footer begins (a pagination artifact); for the footer,
        what was open is closed first (it goes on in the next page's header, `resume`)."""
        self._close()
        self._out(f"/Artifact <</Type /Pagination /Subtype /{subtype}>> BDC")
        self._open = "furniture"

    def resume(self) -> None:
        """After the page header: go on with the element being drawn, or with artifacts."""
        self._close()
        if self._leaf is not None:
            self._open_leaf()
        else:
            self._open_art()

    def suspend(self) -> None:
        """At the end of a page (before the footer is drawn, or at the very end)."""
        self._close()

    # --- the content stream -----------------------------------------------------------------
    def _out(self, op: str) -> None:
        contents = self.pdf.pages[self.pdf.page].contents
        start = len(contents)
        self.pdf._out(op)
        self._at = (start, len(contents))

    def _open_leaf(self) -> None:
        e = self._leaf
        assert e is not None
        page = self.pdf.page
        spid = self._spid.get(page)
        if spid is None:
            spid = self._spid[page] = len(self._spid)
            self.pdf.pages[page].struct_parents = spid
        mcids = self.parent_tree.nums[spid]
        e.kids.append((page, len(mcids)))
        self._out(f"/{e.s} <</MCID {len(mcids)}>> BDC")
        mcids.append(e)  # type: ignore[arg-type]  # fpdf2's NumberTree only asks for .ref
        self._open = "leaf"

    def _open_art(self) -> None:
        self._out("/Artifact BMC")
        self._open = "art"

    def _close(self) -> None:
        """Close what is open; an empty marked sequence is taken out again."""
        if not self._open:
            return
        contents = self.pdf.pages[self.pdf.page].contents
        start, end = self._at
        if self._open in ("leaf", "art") and len(contents) == end:
            del contents[start:]
            if self._open == "leaf" and self._leaf is not None:
                self._leaf.kids.pop()
                self.parent_tree.nums[self._spid[self.pdf.page]].pop()
        else:
            self.pdf._out("EMC")
        self._open = ""

    # --- the outline ------------------------------------------------------------------------
    def outline_to_open(self) -> None:
        """The bookmark just started (`FPDF.start_section`) refers to the element being drawn
        (its heading): written as /SE by `output_producer()`."""
        if self._leaf is not None and self.pdf._outline:
            self.pdf._outline[-1].struct_elem = self._leaf


@functools.cache
def output_producer() -> type:
    """fpdf2's `OutputProducer`, but each outline item that names a structure element (an
    `Elem`, by `Tags.outline_to_open`) says so with /SE, the key of the PDF specification."""
    from fpdf.outline import OutlineItemDictionary
    from fpdf.output import OutputProducer

    class Item(OutlineItemDictionary):
        __slots__ = ()  # the same layout: an item fpdf2 made can become one

        def _build_obj_dict(self, security_handler: Any = None) -> dict[str, object]:
            d: dict[str, object] = super()._build_obj_dict(security_handler)
            e = d.pop(_FPDF_KEY, None)
            if isinstance(e, Elem) and e.obj is not None:  # an element left empty has none
                d["/SE"] = e.ref
            return d

    class Producer(OutputProducer):
        def _add_document_outline(self) -> Any:
            outline, items = super()._add_document_outline()
            for item in items:
                if not hasattr(item, _SE_ATTR):  # fpdf2 changed: fail here, not in silence
                    raise TypeError(f"fpdf2's outline items have no {_SE_ATTR!r}")
                item.__class__ = Item
            return outline, items

    return Producer
