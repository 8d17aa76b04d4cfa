"""A picture's PNG put into the PDF as it is, without decoding and compressing it again.

fpdf2 opens every PNG with Pillow, decodes its pixels, pads each row with a filter byte in
Python and compresses the whole again: for the 30 parts of a split 200-cause fishbone (about
30 megapixels) that was a fifth of the PDF's time. A PDF's FlateDecode filter with the PNG
predictors (/Predictor 15) reads a PNG's IDAT stream as it stands (each row led by its PNG
filter type), so for the plain PNGs the pictures are (8-bit grey or RGB, not interlaced, no
palette, transparency or colour profile) the compressed bytes go into the PDF unchanged: the
same pixels. Anything else is left to fpdf2, which handles every PNG.
"""

from __future__ import annotations

import hashlib
import struct
from typing import Any

#: PNG colour types passed through: 0 grey, 2 RGB (8 bits a sample), as (components, space).
_COLOUR = {0: (1, "DeviceGray"), 2: (3, "DeviceRGB")}
#: Chunks that change nothing in the pixels a PDF shows (the resolution, text metadata).
_HARMLESS = {b"pHYs", b"tEXt", b"iTXt", b"zTXt", b"tIME"}


def png_stream(data: bytes) -> dict[str, Any] | None:
    """What a PDF image object needs of PNG `data` (size, colour space, components, the
    compressed pixel stream), or None when the PNG is not one that passes through as it is
    (see the module docstring)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    w, h, depth, colour, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", data[16:29]
    )
    if depth != 8 or colour not in _COLOUR or compression or filtering or interlace:
        return None
    idat: list[bytes] = []
    pos = 33  # after the signature and IHDR (8 + 4 + 4 + 13 + 4)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if len(body) != length:
            return None
        if kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        elif kind not in _HARMLESS:
            return None
        pos += 12 + length
    else:
        return None
    if not idat or not w or not h:
        return None
    dpn, space = _COLOUR[colour]
    return {
        "data": b"".join(idat),
        "w": w,
        "h": h,
        "cs": space,
        "iccp": None,
        "bpc": 8,
        "dpn": dpn,
        "f": "FlateDecode",
        "inverted": False,
        "dp": f"/Predictor 15 /Colors {dpn} /Columns {w}",
    }


def preload_png(pdf: Any, data: bytes) -> bool:
    """Put PNG `data` in `pdf`'s image cache under the name fpdf2 gives it (the MD5 of the
    bytes), so `pdf.image(io.BytesIO(data))` uses the stream as it is; False (nothing done)
    for a PNG fpdf2 must decode itself."""
    from fpdf.image_datastructures import RasterImageInfo

    cache = pdf.image_cache
    name = hashlib.md5(data.strip(), usedforsecurity=False).hexdigest()
    if name in cache.images:
        return True
    stream = png_stream(data)
    if stream is None:
        return False
    info = RasterImageInfo(stream)
    info["i"] = len(cache.images) + 1
    info["usages"] = 0  # fpdf2 counts the use when it places the picture
    info["iccp_i"] = None
    cache.images[name] = info
    return True
