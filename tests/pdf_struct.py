"""A reader of a PDF's structure tree for the tests: each element's type, /Lang, /ActualText and
text, in reading order (qpdf's JSON for the objects, pypdf for the text of each marked-content
sequence).

Why not the exports' own code: the tests read the file as a screen reader would, from what is
written in it, with tools that did not write it.
"""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import subprocess
import tempfile
from typing import Any

import pytest


@dataclasses.dataclass
class Element:
    s: str
    depth: int
    lang: str | None  # its own /Lang
    actual: str | None  # its /ActualText
    text: str  # the text of its content and its descendants', in order
    inherited: str = ""  # its language: its own /Lang, an ancestor's, or the document's


def _string(v: Any) -> str:
    assert isinstance(v, str) and v.startswith("u:"), v
    return v[2:]


def structure(data: bytes) -> list[Element]:
    """The structure elements of PDF `data`, depth first in reading order."""
    if shutil.which("qpdf") is None:
        pytest.skip("qpdf is not installed")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        out = subprocess.run(
            ["qpdf", "--json=2", "--json-key=qpdf", f.name],
            capture_output=True,
            check=True,
        ).stdout
    objs = {k: v.get("value") for k, v in json.loads(out)["qpdf"][1].items()}
    catalog = next(v for v in objs.values() if isinstance(v, dict) and v.get("/Type") == "/Catalog")
    doc_lang = _string(catalog["/Lang"])
    pages = [k for k, v in objs.items() if isinstance(v, dict) and v.get("/Type") == "/Page"]
    page_no = {ref.replace("obj:", ""): i for i, ref in enumerate(pages)}
    mcid_text = _mcid_texts(data)
    root = objs["obj:" + catalog["/StructTreeRoot"]]

    out: list[Element] = []

    def walk(ref: str, depth: int, lang: str) -> str:
        e = objs["obj:" + ref]
        own = _string(e["/Lang"]) if "/Lang" in e else None
        here = own or lang
        elem = Element(
            e["/S"][1:], depth, own, _string(e["/ActualText"]) if "/ActualText" in e else None, ""
        )
        elem.inherited = here
        out.append(elem)
        page = page_no.get(e.get("/Pg", ""), 0)
        parts = []
        kids = e.get("/K", [])
        for k in kids if isinstance(kids, list) else [kids]:
            if isinstance(k, int):
                parts.append(mcid_text.get((page, k), ""))
            elif isinstance(k, dict):  # an MCR
                parts.append(mcid_text.get((page_no[k["/Pg"]], k["/MCID"]), ""))
            elif isinstance(k, str) and k.endswith(" R"):
                parts.append(walk(k, depth + 1, here))
        elem.text = "".join(parts)
        return elem.text

    top = root["/K"]
    for ref in top if isinstance(top, list) else [top]:
        walk(ref, 0, doc_lang)
    return out


def _mcid_texts(data: bytes) -> dict[tuple[int, int], str]:
    """(page, MCID) -> the text shown in that marked-content sequence (pypdf's reading)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    texts: dict[tuple[int, int], str] = {}
    for p, page in enumerate(reader.pages):
        _page_texts(page, p, texts)
    return texts


def _page_texts(page: Any, p: int, texts: dict[tuple[int, int], str]) -> None:
    stack: list[int | None] = []

    def before(op: bytes, args: Any, cm: Any, tm: Any) -> None:
        if op == b"BDC":
            props = args[1] if len(args) > 1 else None
            stack.append(props.get("/MCID") if hasattr(props, "get") else None)
        elif op == b"BMC":
            stack.append(None)
        elif op == b"EMC" and stack:
            stack.pop()

    def text(s: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        mcid = next((m for m in reversed(stack) if m is not None), None)
        if mcid is not None and s:
            texts[(p, int(mcid))] = texts.get((p, int(mcid)), "") + s

    page.extract_text(visitor_operand_before=before, visitor_text=text)
