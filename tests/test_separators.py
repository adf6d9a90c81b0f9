"""Separator sheets: printed by make_separator_sheets, read back by read_separator (real zxing-cpp)."""

from __future__ import annotations

import random

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from extractors.separators import (
    Separator,
    SeparatorSpec,
    Suspect,
    make_separator_sheets,
    parse_payload,
    read_separator,
)
from pipelines.errors import BadInputError
from sohoa.samples import degrade_page, render_pages
from sohoa.samples.content import sample_fields
from sohoa.samples.stacks import spoil_code
from sohoa.samples.style import STANDARD

CODE = "H31.01.05-240315-0042"


def _render(pdf: bytes, dpi: int = 200) -> list[Image.Image]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(doc))]
    finally:
        doc.close()


def test_printed_sheets_are_read_back() -> None:
    specs = [
        SeparatorSpec("dossier", CODE, "Hồ sơ đăng ký khai sinh cho cháu Nguyễn Thị Ánh"),
        SeparatorSpec("document"),
    ]
    pdf = make_separator_sheets(specs)
    pages = _render(pdf)
    assert len(pages) == 2
    assert read_separator(pages[0]) == Separator("dossier", CODE)
    assert read_separator(pages[1]) == Separator("document")
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert "TỜ PHÂN CÁCH — không số hóa" in text and CODE in text


def test_scanned_sheet_is_read_and_damaged_sheet_is_suspect() -> None:
    rng = random.Random(3)
    clean = _render(make_separator_sheets([SeparatorSpec("dossier", CODE)]), dpi=300)[0]
    scanned, _ = degrade_page(clean, rng=rng, level="scan")
    assert read_separator(scanned) == Separator("dossier", CODE)
    damaged, _ = degrade_page(spoil_code(clean, rng), rng=rng, level="scan")
    outcome = read_separator(damaged)
    assert isinstance(outcome, Suspect), outcome


def test_ordinary_pages_are_not_separators() -> None:
    rng = random.Random(5)
    for doc_type in ("decision", "citizen_id", "application_form"):
        page = render_pages(doc_type, sample_fields(doc_type, rng), rng=rng, layout=0, style=STANDARD)[0]
        assert read_separator(page) is None, doc_type
    assert read_separator(Image.new("L", (1654, 2339), 250)) is None


def test_a_foreign_qr_code_is_not_a_separator() -> None:
    qr = zxingcpp.create_barcode("https://dichvucong.gov.vn/p/123", zxingcpp.BarcodeFormat.QRCode)
    code = Image.fromarray(qr.to_image(scale=20))
    page = Image.new("L", (1654, 2339), 255)
    page.paste(code, (400, 400))
    assert read_separator(page) is None


def test_the_caption_alone_makes_a_suspect() -> None:
    blank = Image.new("L", (1654, 2339), 252)
    assert isinstance(read_separator(blank, text="TỜ PHÂN CÁCH\nkhông số hóa"), Suspect)


def test_payloads() -> None:
    assert parse_payload("SOHOA-SEP:N") == Separator("document")
    assert parse_payload(f"SOHOA-SEP:D:{CODE}") == Separator("dossier", CODE)
    assert parse_payload("SOHOA-SEP:D:") is None
    assert parse_payload("001203001234|Nguyễn Thị Ánh") is None
    with pytest.raises(BadInputError):
        make_separator_sheets([SeparatorSpec("dossier", "")])
