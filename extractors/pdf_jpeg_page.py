"""A PDF page that is nothing but one scanner JPEG: take the JPEG itself instead of rendering the page.

Scanners write image-only PDFs as one JPEG per page, drawn over the whole page. Rendering such a page
costs PDFium ~0.2 s of CPU at 300 dpi and gives back the same pixels; decoding the JPEG costs a third of
that, and the archive copy can then embed the scanner's own bytes unchanged (as for a JPEG file).

Only a page that is exactly that is taken: content ``q  a 0 0 d e f cm  /Im Do  Q`` (no other drawing, no
text), the image covering the page box unturned, a plain 8-bit grey or RGB JPEG (no mask, no decode array,
no CMYK), no ``/Rotate`` and no annotations. Everything else is rendered as before.
"""

from __future__ import annotations

import io

import pikepdf
from PIL import Image

_FIT_TOLERANCE_PT = 1.0  # the image may miss the page edge by this much (rounding of the scan size)
_PLAIN_COLOUR_SPACES = {"/DeviceGray": "L", "/DeviceRGB": "RGB"}


def scanner_jpeg(pdf: pikepdf.Pdf, index: int) -> tuple[bytes, float] | None:
    """The JPEG bytes of page ``index`` and its resolution in dpi, or None when the page is anything more
    than one full-page JPEG."""
    page = pdf.pages[index]
    if int(page.obj.get("/Rotate", 0)) % 360 or "/Annots" in page.obj:
        return None
    box = [float(v) for v in page.mediabox]
    width_pt, height_pt = box[2] - box[0], box[3] - box[1]
    placed = _single_image_placement(page)
    if placed is None or width_pt <= 0 or height_pt <= 0:
        return None
    name, (a, d, e, f) = placed
    if (
        abs(e - box[0]) > _FIT_TOLERANCE_PT
        or abs(f - box[1]) > _FIT_TOLERANCE_PT
        or abs(a - width_pt) > _FIT_TOLERANCE_PT
        or abs(d - height_pt) > _FIT_TOLERANCE_PT
    ):
        return None
    xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
    image = xobjects.get(name)
    if not isinstance(image, pikepdf.Stream) or not _plain_jpeg(image):
        return None
    data = image.read_raw_bytes()
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != "JPEG" or img.size != (int(image.Width), int(image.Height)):
                return None
            if img.mode != _PLAIN_COLOUR_SPACES[str(image.ColorSpace)]:
                return None
    except (OSError, ValueError):
        return None
    return data, int(image.Width) * 72.0 / width_pt


def _single_image_placement(page: pikepdf.Page) -> tuple[str, tuple[float, float, float, float]] | None:
    """(image name, (a, d, e, f)) when the content is exactly ``q a 0 0 d e f cm /Name Do Q``."""
    try:
        ops = [(str(op), operands) for operands, op in pikepdf.parse_content_stream(page)]
    except pikepdf.PdfError:
        return None
    if [op for op, _ in ops] != ["q", "cm", "Do", "Q"]:
        return None
    a, b, c, d, e, f = (float(v) for v in ops[1][1])
    if b or c or a <= 0 or d <= 0:
        return None
    return str(ops[2][1][0]), (a, d, e, f)


def _plain_jpeg(image: pikepdf.Stream) -> bool:
    if image.get("/Subtype") != pikepdf.Name.Image:
        return False
    filters = image.get("/Filter")
    if isinstance(filters, pikepdf.Array):
        filters = filters[0] if len(filters) == 1 else None
    if filters != pikepdf.Name.DCTDecode or "/DecodeParms" in image and image.DecodeParms:
        return False
    if any(key in image for key in ("/SMask", "/Mask", "/Decode", "/ImageMask")):
        return False
    return (
        int(image.get("/BitsPerComponent", 0)) == 8 and str(image.get("/ColorSpace")) in _PLAIN_COLOUR_SPACES
    )
