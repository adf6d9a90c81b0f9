"""Separator sheets: printing them, and recognising them in a scanned stack.

A separator sheet is an A4 page with one large QR code and the code in large letters. The QR code carries
``SOHOA-SEP:D:<dossier code>`` (a new dossier starts) or ``SOHOA-SEP:N`` (the next document of the same
dossier). ``read_separator`` decodes it with zxing-cpp; a page that *looks* like a separator (mostly white
with a large dense square, or the printed words "TỜ PHÂN CÁCH") but whose code cannot be read is returned
as a ``Suspect``, never as an ordinary page, so that a damaged sheet never silently merges two dossiers.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import zxingcpp
from PIL import Image
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from pipelines.errors import BadInputError

PREFIX = "SOHOA-SEP:"
SHEET_CAPTION = "TỜ PHÂN CÁCH — không số hóa"
FONT_DIR = "/usr/share/fonts/truetype/liberation2"
QR_SIZE_MM = 90.0

# Look-alike analysis (a grey image about ANALYSIS_WIDTH pixels wide, ~50 dpi for A4)
ANALYSIS_WIDTH = 420
CELL = 12  # pixels of the analysis image per grid cell (~6 mm on A4)
DENSE_CELL = 0.22  # share of dark pixels that makes a cell "dense" (a QR code: ~0.5; body text: < 0.15)
MIN_BLOB_SHARE = 0.25  # a blob at least this wide relative to the page width (QR_SIZE_MM / 210 = 0.43)
MAX_INK_OUTSIDE = 0.04  # the rest of a separator sheet is almost white

SeparatorKind = Literal["dossier", "document"]


@dataclass(frozen=True)
class SeparatorSpec:
    """One sheet to print: ``kind="dossier"`` needs ``code``; ``title`` is printed under it when given."""

    kind: SeparatorKind
    code: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Separator:
    """A separator sheet whose code was read."""

    kind: SeparatorKind
    code: str | None = None  # the dossier code for kind="dossier"


@dataclass(frozen=True)
class Suspect:
    """A page that looks like a separator sheet but whose code cannot be read."""

    reason: str


SeparatorOutcome = Separator | Suspect | None


def payload(spec: SeparatorSpec) -> str:
    if spec.kind == "dossier":
        code = (spec.code or "").strip()
        if not code:
            raise BadInputError("a dossier separator sheet needs a dossier code")
        return f"{PREFIX}D:{unicodedata.normalize('NFC', code)}"
    if spec.kind == "document":
        return f"{PREFIX}N"
    raise BadInputError(f"unknown separator kind {spec.kind!r}: use 'dossier' or 'document'")


def parse_payload(text: str) -> Separator | None:
    """The separator a QR text stands for; None when it is not a sohoa separator (e.g. a CCCD's QR code)."""
    text = unicodedata.normalize("NFC", text.strip())
    if not text.startswith(PREFIX):
        return None
    rest = text[len(PREFIX) :]
    if rest == "N":
        return Separator("document")
    if rest.startswith("D:") and rest[2:].strip():
        return Separator("dossier", rest[2:].strip())
    return None


# ---------------------------------------------------------------------------------------------- printing

_fonts_registered = False


def _register_fonts() -> None:
    global _fonts_registered
    if not _fonts_registered:
        pdfmetrics.registerFont(TTFont("SepSerif", f"{FONT_DIR}/LiberationSerif-Regular.ttf"))
        pdfmetrics.registerFont(TTFont("SepSerif-Bold", f"{FONT_DIR}/LiberationSerif-Bold.ttf"))
        _fonts_registered = True


def _fit(c: canvas.Canvas, text: str, font: str, size: float, width: float) -> float:
    """The largest size <= ``size`` at which ``text`` fits in ``width`` points."""
    w = c.stringWidth(text, font, size)
    return size if w <= width else size * width / w


def make_separator_sheets(items: Sequence[SeparatorSpec]) -> bytes:
    """A PDF with one A4 separator sheet per item, in order (print single-sided)."""
    if not items:
        raise BadInputError("no separator sheets asked for")
    _register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    c.setTitle("Tờ phân cách — sohoa")
    page_w, page_h = A4
    usable = page_w - 30 * mm
    for spec in items:
        data = payload(spec)
        size = QR_SIZE_MM * mm
        widget = QrCodeWidget(data, barLevel="H", barBorder=0)
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(widget)
        renderPDF.draw(drawing, c, (page_w - size) / 2, page_h - 40 * mm - size)
        c.setFont("SepSerif-Bold", 26)
        c.drawCentredString(page_w / 2, page_h - 25 * mm, "TỜ PHÂN CÁCH")
        y = page_h - 40 * mm - size - 22 * mm
        if spec.kind == "dossier":
            code = unicodedata.normalize("NFC", spec.code or "")
            c.setFont("SepSerif", 16)
            c.drawCentredString(page_w / 2, y + 8 * mm, "HỒ SƠ MỚI — mã hồ sơ")
            s = _fit(c, code, "SepSerif-Bold", 40, usable)
            c.setFont("SepSerif-Bold", s)
            c.drawCentredString(page_w / 2, y - 8 * mm, code)
            if spec.title:
                title = unicodedata.normalize("NFC", spec.title)
                s = _fit(c, title, "SepSerif", 16, usable)
                c.setFont("SepSerif", s)
                c.drawCentredString(page_w / 2, y - 22 * mm, title)
        else:
            c.setFont("SepSerif-Bold", 40)
            c.drawCentredString(page_w / 2, y - 4 * mm, "VĂN BẢN TIẾP THEO")
            c.setFont("SepSerif", 16)
            c.drawCentredString(page_w / 2, y - 18 * mm, "(cùng hồ sơ)")
        c.setFont("SepSerif-Bold", 20)
        c.drawCentredString(page_w / 2, 25 * mm, SHEET_CAPTION)
        c.showPage()
    c.save()
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------- reading


def read_separator(image: Image.Image, *, text: str | None = None) -> SeparatorOutcome:
    """``Separator`` when the page is a readable separator sheet, ``Suspect`` when it looks like one but
    cannot be read, None for an ordinary page. ``text``: the page's OCR text when already known.
    """
    grey = image.convert("L") if image.mode != "L" else image
    small = _analysis_image(grey)
    barcodes = _decode(small) or _decode(grey)
    for barcode in barcodes:
        sep = parse_payload(barcode.text)
        if sep is not None:
            return sep
    if barcodes:  # a readable code that is not ours (the QR code of a CCCD, of an e-document)
        return None
    reason = _looks_like_separator(small)
    if reason is None and text and has_separator_caption(text):
        reason = "the page says 'TỜ PHÂN CÁCH' but has no readable code"
    return Suspect(reason) if reason else None


def _analysis_image(grey: Image.Image) -> Image.Image:
    """About 100 dpi for A4: enough for zxing (a 90 mm QR code is ~350 px) and quick to scan."""
    width = 840
    if grey.width <= width:
        return grey
    height = max(1, round(grey.height * width / grey.width))
    return grey.resize((width, height), Image.Resampling.BOX)


def _decode(grey: Image.Image) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)


def _looks_like_separator(grey: Image.Image) -> str | None:
    """Why this page looks like a separator sheet (a large dense square on white paper), or None."""
    width = ANALYSIS_WIDTH
    height = max(CELL, round(grey.height * width / grey.width))
    arr = np.asarray(grey.resize((width, height), Image.Resampling.BOX), dtype=np.int16)
    my, mx = int(height * 0.04), int(width * 0.04)  # ignore scanner borders
    arr = arr[my : height - my, mx : width - mx]
    paper = float(np.percentile(arr, 90))
    dark = arr < paper - 80
    rows, cols = dark.shape[0] // CELL, dark.shape[1] // CELL
    if rows < 4 or cols < 4:
        return None
    cells = dark[: rows * CELL, : cols * CELL].reshape(rows, CELL, cols, CELL).mean(axis=(1, 3))
    dense = cells >= DENSE_CELL
    blob = _largest_component(dense)
    if blob is None:
        return None
    r0, c0, r1, c1, count = blob
    h, w = r1 - r0 + 1, c1 - c0 + 1
    if w < MIN_BLOB_SHARE * cols or h < MIN_BLOB_SHARE * cols * 0.7:
        return None
    if not 0.6 <= h / w <= 1.6 or count < 0.5 * h * w:
        return None
    outside = dark.copy()
    outside[r0 * CELL : (r1 + 1) * CELL, c0 * CELL : (c1 + 1) * CELL] = False
    if outside.mean() > MAX_INK_OUTSIDE:
        return None
    return "a large square code on a white page (a separator sheet?) that cannot be read"


def _largest_component(mask: np.ndarray) -> tuple[int, int, int, int, int] | None:
    """Bounding box (r0, c0, r1, c1) and size of the largest 8-connected group of True cells."""
    seen = np.zeros_like(mask, dtype=bool)
    best: tuple[int, int, int, int, int] | None = None
    rows, cols = mask.shape
    for r, c in zip(*np.nonzero(mask), strict=True):
        if seen[r, c]:
            continue
        stack = [(int(r), int(c))]
        seen[r, c] = True
        r0 = r1 = int(r)
        c0 = c1 = int(c)
        count = 0
        while stack:
            y, x = stack.pop()
            count += 1
            r0, r1, c0, c1 = min(r0, y), max(r1, y), min(c0, x), max(c1, x)
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    ny, nx = y + dy, x + dx
                    if 0 <= ny < rows and 0 <= nx < cols and mask[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        stack.append((ny, nx))
        if best is None or count > best[4]:
            best = (r0, c0, r1, c1, count)
    return best


def fold_text(text: str) -> str:
    """Upper case without diacritics (đ -> D), for matching OCR text."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()


def has_separator_caption(text: str) -> bool:
    folded = " ".join(fold_text(text).split())
    return "TO PHAN CACH" in folded or "KHONG SO HOA" in folded


def is_blank_image(image: Image.Image, dpi: int) -> bool:
    """The blank-page test of page preparation (margins and dust ignored)."""
    from extractors.prepare import is_blank

    return is_blank(image, dpi)


__all__ = [
    "PREFIX",
    "fold_text",
    "has_separator_caption",
    "Separator",
    "SeparatorOutcome",
    "SeparatorSpec",
    "Suspect",
    "is_blank_image",
    "make_separator_sheets",
    "parse_payload",
    "payload",
    "read_separator",
]
