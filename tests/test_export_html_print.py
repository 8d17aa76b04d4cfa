"""The HTML report prints a large fishbone readably, as the PDF does.

On screen the HTML shows the whole fishbone (a browser zooms). Printed, a 200-cause fishbone
shrunk onto one page had 3 pt labels; now print gives the same parts as the PDF instead (each
label at least 7 pt), a page each, the index of the parts before them, and a part that reads
only on a landscape page turned a quarter on a portrait one (one page size throughout, so the
fixed confidentiality line stays at every page's foot).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sys
from pathlib import Path

from exports import render_formats
from exports.formats import Job
from exports.html import _fits_portrait
from exports.pictures.fishbone_parts import MIN_PRINT_PT, PAGE_BOXES, SMALLEST_PT
from models.demo import demo_document

TODAY = dt.date(2026, 11, 30)


def _big(service):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from bench_exports import big_document

    inv = service.import_document(big_document(200, 40))
    return service.dossier(inv.id)


def _svg_inches(svg: str) -> tuple[float, float]:
    m = re.search(r'width="([\d.]+)pt"[^>]*?height="([\d.]+)pt"', svg)
    assert m is not None
    return float(m.group(1)) / 72, float(m.group(2)) / 72


def test_a_large_fishbone_prints_in_the_pdfs_parts_with_their_index(service):
    dossier = _big(service)
    page = render_formats(dossier, ["html"], findings=(), today=TODAY)["html"]
    pdf_parts = [k for k in Job(dossier, ()).png_pictures if k.startswith("fishbone/")]
    assert len(pdf_parts) > 7

    # The whole picture for the screen, hidden in print; the parts for print, hidden on screen.
    assert page.count('<figure class="fishbone whole">') == 1
    assert "figure.whole { display: none; }" in page
    assert ".print-parts { display: none; }" in page and ".print-parts { display: block; }" in page
    printed = page.split('<div class="print-parts">', 1)[1]
    figures = re.findall(r'<figure class="part">(.*?)</figure>', printed, re.DOTALL)
    assert len(figures) == len(pdf_parts)
    captions = [re.search(r"<figcaption>(.*?)</figcaption>", f).group(1) for f in figures]
    assert captions[0].endswith(f"part 1 of {len(pdf_parts)}: " + pdf_parts[0].split("/", 2)[2])

    # The index before them names every part by number, in order.
    note = re.search(r'<p class="note">(.*?)</p>', printed, re.DOTALL).group(1)
    assert f"printed in {len(pdf_parts)} parts" in note and "Parts: 1" in note

    # A part is turned exactly when a portrait page would print its labels under 7 pt, and
    # every part prints at 7 pt or more in the box it gets.
    chunks = printed.split('<figure class="part">')[1:]
    turned = printed.count('<div class="turn">')
    assert 0 < turned < len(figures)
    for before, figure in zip(printed.split('<figure class="part">')[:-1], chunks, strict=True):
        w, h = _svg_inches(figure)
        is_turned = before.rstrip().endswith('<div class="turn">')
        assert is_turned == (not _fits_portrait(figure))
        bw, bh = (9.2, 6.6) if is_turned else PAGE_BOXES[1]  # the print stylesheet's boxes
        assert SMALLEST_PT * min(1.0, bw / w, bh / h) >= MIN_PRINT_PT - 1e-9

    # Ids stay unique with the parts (each part's ids are prefixed).
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_a_fishbone_that_prints_readably_whole_has_no_print_parts(service):
    inv = service.import_document(demo_document(TODAY))
    dossier = service.dossier(inv.id)
    keep = dossier.causes[:4]  # the event and three causes on three bones: one page holds them
    ids = {c.id for c in keep}
    small = dataclasses.replace(
        dossier,
        categories=tuple(dict.fromkeys(c.category for c in keep if c.category)),
        causes=tuple(keep),
        links=tuple(lk for lk in dossier.links if lk.cause_id in ids and lk.effect_id in ids),
    )
    page = render_formats(small, ["html"], findings=(), today=TODAY)["html"]
    assert page.count('<figure class="fishbone">') == 1
    assert '<div class="print-parts">' not in page
