"""Sample documents for the signing tests: a real Tesseract page and a born-digital page."""

from __future__ import annotations

import io
import os

import pytesseract
import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from pipelines.model import PageText
from pipelines.pdfa import PdfMetadata, build_pdfa

os.environ["OMP_THREAD_LIMIT"] = "1"
SERIF = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
TITLE = "Quyết định cấp phép — Nguyễn Thị Ánh"


def _ocr_page(index: int, image: Image.Image, dpi: int = 200) -> PageText:
    (pdf,) = pytesseract.run_and_get_multiple_output(image, extensions=["pdf"], lang="vie")
    return PageText(
        index=index,
        width=image.width,
        height=image.height,
        dpi=dpi,
        source="ocr",
        words=[],
        text="",
        mean_confidence=0.9,
        pdf=pdf,
    )


@pytest.fixture(scope="session")
def ocr_pages() -> list[PageText]:
    """Two A5-ish pages at 200 dpi through real Tesseract: a text page with a red seal, and a blank page."""
    img = Image.new("RGB", (1160, 1640), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(SERIF, 44)
    draw.text((120, 160), "QUYẾT ĐỊNH", font=font, fill="black")
    draw.text((120, 260), "Cấp cho bà Nguyễn Thị Ánh", font=font, fill="black")
    draw.ellipse((700, 1200, 950, 1450), outline=(200, 0, 0), width=10)
    blank = Image.new("RGB", (1160, 1640), "white")
    return [_ocr_page(0, img), _ocr_page(1, blank)]


@pytest.fixture(scope="session")
def born_digital_pdf() -> bytes:
    pdfmetrics.registerFont(TTFont("LiberationSerif", SERIF))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for n in range(3):
        c.setFont("LiberationSerif", 14)
        c.drawString(72, 720, f"Trang {n + 1}: Giấy chứng nhận của Nguyễn Thị Ánh")
        c.showPage()
    c.save()
    return buf.getvalue()


def text_layer_page(index: int) -> PageText:
    return PageText(
        index=index,
        width=595,
        height=842,
        dpi=72,
        source="text_layer",
        words=[],
        text="",
        mean_confidence=1.0,
    )


@pytest.fixture(scope="session")
def pdfa_bytes(ocr_pages: list[PageText], born_digital_pdf: bytes) -> bytes:
    """OCR page, blank OCR page, page 2 of the born-digital original."""
    meta = PdfMetadata(title=TITLE, author="Trung tâm Phục vụ hành chính công", keywords=["hồ sơ", "Huế"])
    return build_pdfa([*ocr_pages, text_layer_page(1)], born_digital_pdf, meta)
