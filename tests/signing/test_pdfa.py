"""PDF/A-2b assembly: real Tesseract pages, a born-digital original, checked with qpdf and pikepdf."""

from __future__ import annotations

import io
import subprocess
import unicodedata

import pdfplumber
import pikepdf
import pytest

from pipelines.errors import BadInputError
from pipelines.model import PageText
from pipelines.pdfa import PdfMetadata, build_pdfa
from tests.signing.conftest import TITLE, text_layer_page


def _qpdf_check(data: bytes, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / "check.pdf"
    path.write_bytes(data)
    return subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)


def test_pdfa_passes_qpdf_check(pdfa_bytes: bytes, tmp_path) -> None:
    result = _qpdf_check(pdfa_bytes, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


def test_pdfa_identification_and_metadata(pdfa_bytes: bytes) -> None:
    with pikepdf.open(io.BytesIO(pdfa_bytes)) as pdf:
        assert pdf.pdf_version >= "1.7"
        assert not pdf.is_encrypted
        assert len(bytes(pdf.trailer.ID[0])) == 16  # document ID
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2"
        assert meta["pdfaid:conformance"] == "B"
        assert meta["dc:title"] == TITLE
        assert unicodedata.is_normalized("NFC", meta["dc:title"])
        assert meta["dc:creator"] == ["Trung tâm Phục vụ hành chính công"]
        assert str(pdf.docinfo.Title) == TITLE
        assert str(pdf.Root.Lang) == "vi-VN"
        assert "/Filter" not in pdf.Root.Metadata  # PDF/A: the XMP stays readable
        for key in ("/OpenAction", "/AA", "/Names", "/AcroForm"):
            assert key not in pdf.Root


def test_pdfa_output_intent_is_srgb(pdfa_bytes: bytes) -> None:
    with pikepdf.open(io.BytesIO(pdfa_bytes)) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1
        assert str(intent.OutputConditionIdentifier) == "sRGB IEC61966-2.1"
        profile = intent.DestOutputProfile
        assert profile.N == 3
        icc = profile.read_bytes()
        assert icc[36:40] == b"acsp" and icc[12:20] == b"mntrRGB "


def test_pdfa_pages_in_order_blank_kept_images_untouched(
    pdfa_bytes: bytes, ocr_pages: list[PageText], born_digital_pdf: bytes
) -> None:
    with pikepdf.open(io.BytesIO(pdfa_bytes)) as pdf, pikepdf.open(io.BytesIO(ocr_pages[0].pdf)) as src:
        assert len(pdf.pages) == 3
        (out_img,) = list(pdf.pages[0].images.values())
        (src_img,) = list(src.pages[0].images.values())
        assert out_img.read_raw_bytes() == src_img.read_raw_bytes()  # no re-compression
        assert out_img.Filter == src_img.Filter
    with pdfplumber.open(io.BytesIO(pdfa_bytes)) as pdf:
        first = unicodedata.normalize("NFC", pdf.pages[0].extract_text())
        assert "QUYẾT ĐỊNH" in first
        assert "Nguyễn Thị Ánh" in first
        assert pdf.pages[1].extract_text().strip() == ""  # the blank page is kept
        assert "Trang 2: Giấy chứng nhận của Nguyễn Thị Ánh" in pdf.pages[2].extract_text()


def test_pdfa_missing_sources_are_clear_errors(ocr_pages: list[PageText]) -> None:
    meta = PdfMetadata(title="t", author="a")
    with pytest.raises(BadInputError, match="no original PDF"):
        build_pdfa([text_layer_page(0)], None, meta)
    with pytest.raises(BadInputError, match="no pages"):
        build_pdfa([], None, meta)
    with pytest.raises(BadInputError, match="damaged PDF"):
        build_pdfa([text_layer_page(0)], b"%PDF-1.4 not really", meta)
    no_pdf = PageText(index=0, width=1, height=1, dpi=200, source="ocr", words=[], text="", mean_confidence=0)
    with pytest.raises(BadInputError, match="no OCR result"):
        build_pdfa([no_pdf], None, meta)
