"""The pictures' PNGs go into the PDF without being decoded and compressed again
(`exports.pdf_images`), and a reader still sees the same pixels; PNGs that cannot pass
through as they are are left to fpdf2."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from exports.pdf_images import png_stream, preload_png
from exports.pictures.canvas import _chunk, grey_png


def _line_art(mode: str) -> Image.Image:
    rnd = np.random.default_rng(7)
    pixels = np.full((60, 90, 3), 255, dtype=np.uint8)
    pixels[10:12, :, :] = 0
    pixels[:, 40:42, :] = 90
    pixels[30:50, 50:80, :] = rnd.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    return Image.fromarray(pixels, "RGB").convert(mode)


def _pdf_pixels(png: bytes, *, pass_through: bool) -> tuple[bool, Image.Image]:
    """The picture as a PDF reader decodes it from a one-page PDF holding `png`."""
    from fpdf import FPDF
    from pypdf import PdfReader

    pdf = FPDF()
    pdf.add_page()
    used = preload_png(pdf, png) if pass_through else False
    pdf.image(io.BytesIO(png), x=10, y=10, w=90)
    page = PdfReader(io.BytesIO(bytes(pdf.output()))).pages[0]
    (image,) = page.images
    return used, image.image


@pytest.mark.parametrize("source", ["grey_png", "pillow_grey", "pillow_rgb"])
def test_a_pdf_reader_sees_the_same_pixels_as_the_png(source: str) -> None:
    if source == "grey_png":
        img = _line_art("L")
        png = grey_png(img, 150)
    else:
        img = _line_art("L" if source == "pillow_grey" else "RGB")
        buf = io.BytesIO()
        img.save(buf, format="PNG", dpi=(150, 150))  # Pillow's row filters, pHYs
        png = buf.getvalue()
    used, shown = _pdf_pixels(png, pass_through=True)
    assert used, "a plain 8-bit PNG passes through"
    assert shown.size == img.size
    assert np.array_equal(np.asarray(shown.convert(img.mode)), np.asarray(img))
    # and the same as fpdf2's own way
    _, theirs = _pdf_pixels(png, pass_through=False)
    assert np.array_equal(np.asarray(theirs.convert(img.mode)), np.asarray(img))


def test_the_stream_is_the_pngs_own_compressed_rows() -> None:
    img = _line_art("L")
    png = grey_png(img, 150)
    stream = png_stream(png)
    assert stream is not None
    assert (stream["w"], stream["h"], stream["cs"], stream["dpn"]) == (90, 60, "DeviceGray", 1)
    rows = zlib.decompress(stream["data"])
    assert len(rows) == 60 * 91  # each row led by its filter byte
    assert stream["dp"] == "/Predictor 15 /Colors 1 /Columns 90"


@pytest.mark.parametrize("mode", ["P", "RGBA", "LA", "1"])
def test_other_pngs_are_left_to_fpdf2(mode: str) -> None:
    img = _line_art("RGB").convert(mode)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    assert png_stream(buf.getvalue()) is None
    used, shown = _pdf_pixels(buf.getvalue(), pass_through=True)
    assert not used
    assert shown.size == img.size


def test_an_interlaced_or_cut_png_is_left_to_fpdf2() -> None:
    png = grey_png(_line_art("L"), 150)
    w, h = struct.unpack(">II", png[16:24])
    interlaced = png[:8] + _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 1)) + png[33:]
    assert png_stream(png) is not None
    assert png_stream(interlaced) is None
    assert png_stream(png[: len(png) // 2]) is None
    assert png_stream(b"not a png at all") is None
