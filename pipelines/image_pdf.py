"""PDF pages that carry one scanned image each, without recompressing it.

A JPEG goes in as it is (DCTDecode); any other image is stored losslessly (FlateDecode). Used where sohoa
assembles scans into a PDF: rescanned pages put into a document (pipelines/rescan.py) and the sample
generator's image-only PDFs.
"""

from __future__ import annotations

import io
import zlib

import pikepdf
from PIL import Image


def _page(pdf: pikepdf.Pdf, xobj: pikepdf.Stream, width: int, height: int, dpi: float) -> pikepdf.Page:
    w_pt, h_pt = width * 72 / dpi, height * 72 / dpi
    content = pikepdf.Stream(pdf, f"q {w_pt:.3f} 0 0 {h_pt:.3f} 0 0 cm /Im0 Do Q".encode())
    return pikepdf.Page(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, round(w_pt, 3), round(h_pt, 3)],
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobj)),
            Contents=content,
        )
    )


def jpeg_page(pdf: pikepdf.Pdf, data: bytes, dpi: float) -> pikepdf.Page:
    """A page showing the JPEG ``data`` at ``dpi``, the JPEG stream embedded untouched."""
    with Image.open(io.BytesIO(data)) as img:
        width, height, mode = img.width, img.height, img.mode
    xobj = pikepdf.Stream(pdf, data)
    xobj.Type, xobj.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    xobj.Width, xobj.Height, xobj.BitsPerComponent = width, height, 8
    xobj.ColorSpace = pikepdf.Name.DeviceGray if mode == "L" else pikepdf.Name.DeviceRGB
    xobj.Filter = pikepdf.Name.DCTDecode
    return _page(pdf, xobj, width, height, dpi)


def lossless_page(pdf: pikepdf.Pdf, image: Image.Image, dpi: float) -> pikepdf.Page:
    """A page showing ``image`` at ``dpi``, stored losslessly (8-bit grey or RGB, Flate)."""
    img = image if image.mode in ("L", "RGB") else image.convert("L" if image.mode in ("1", "LA") else "RGB")
    xobj = pikepdf.Stream(pdf, zlib.compress(img.tobytes(), 6))
    xobj.Type, xobj.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    xobj.Width, xobj.Height, xobj.BitsPerComponent = img.width, img.height, 8
    xobj.ColorSpace = pikepdf.Name.DeviceGray if img.mode == "L" else pikepdf.Name.DeviceRGB
    xobj.Filter = pikepdf.Name.FlateDecode
    return _page(pdf, xobj, img.width, img.height, dpi)


def save(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()
