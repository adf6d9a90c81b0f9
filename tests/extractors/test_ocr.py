"""Real Tesseract on rendered Vietnamese pages: words, boxes, searchable PDF, orientation, blank, threads."""

from __future__ import annotations

import io
import random
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pdfplumber
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageDraw

from extractors.ocr import needs_orientation_check, ocr_page, ocr_text, read_page
from extractors.pages import PageInput, open_document
from extractors.prepare import is_blank, prepare_page
from extractors.quality import rescan_reasons
from pipelines.model import PageText, Word
from pipelines.read import read_pages
from tests.extractors.test_pages import (
    VIETNAMESE_LINES,
    image_only_pdf,
    mixed_pdf,
    render_text_page,
)


@pytest.fixture(scope="module")
def vietnamese_page() -> Image.Image:
    return render_text_page(VIETNAMESE_LINES, dpi=300, red_seal=True)


@pytest.fixture(scope="module")
def vietnamese_ocr(vietnamese_page: Image.Image) -> PageText:
    return ocr_page(vietnamese_page, index=0, dpi=300)


def test_ocr_reads_vietnamese_with_diacritics(vietnamese_ocr: PageText, vietnamese_page: Image.Image) -> None:
    page = vietnamese_ocr
    assert (page.source, page.dpi, page.index) == ("ocr", 300, 0)
    assert (page.width, page.height) == vietnamese_page.size
    assert page.text == unicodedata.normalize("NFC", page.text)
    assert page.text.splitlines() == VIETNAMESE_LINES
    texts = [w.text for w in page.words]
    for expected in ("CỘNG", "HÒA", "Độc", "Hạnh", "phúc", "Nguyễn", "Thị", "Ánh", "Quyết", "định"):
        assert expected in texts
    assert page.mean_confidence > 0.85
    assert all(0.0 <= w.confidence <= 1.0 for w in page.words)
    for word in page.words:
        x0, y0, x1, y1 = word.bbox
        assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height
    assert [[w.text for w in line] for line in page.lines()][2] == [
        "Họ",
        "và",
        "tên:",
        "Nguyễn",
        "Thị",
        "Ánh",
    ]
    nguyen = next(w for w in page.words if w.text == "Nguyễn")
    assert 250 < nguyen.bbox[0] < 1000 and 300 < nguyen.bbox[1] < 1000  # where it was drawn


def test_ocr_pdf_is_one_searchable_page_of_the_right_size_in_colour(vietnamese_ocr: PageText) -> None:
    pdf_bytes = vietnamese_ocr.pdf
    assert pdf_bytes is not None and pdf_bytes.startswith(b"%PDF")
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        assert len(pdf.pages) == 1
        llx, lly, urx, ury = (float(v) for v in pdf.pages[0].mediabox)
        assert abs((urx - llx) - 595.4) < 2 and abs((ury - lly) - 841.7) < 2  # A4: the dpi was honoured
        images = list(pdf.pages[0].images.values())
        assert images and images[0].ColorSpace == pikepdf.Name.DeviceRGB  # the red seal keeps its colour
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        hidden_text = unicodedata.normalize("NFC", pdf.pages[0].extract_text())
    assert "Nguyễn" in hidden_text and "Quyết" in hidden_text


def test_image_only_pdf_is_rendered_and_read() -> None:
    scan = render_text_page(VIETNAMESE_LINES, dpi=300)
    text = ocr_text(image_only_pdf(scan, 300), "scan.pdf")
    assert "\f" not in text
    assert "Họ và tên: Nguyễn Thị Ánh" in text and "Quyết định" in text


def test_mixed_multi_page_file_uses_text_layer_and_ocr_with_form_feeds() -> None:
    scan = render_text_page(["Giấy chứng nhận", "Quyết định số 15"], dpi=200)
    text = ocr_text(mixed_pdf(VIETNAMESE_LINES, scan), "mixed.pdf")
    first, second = text.split("\f")
    assert first.splitlines() == VIETNAMESE_LINES
    assert "Giấy chứng nhận" in second and "Quyết định số 15" in second


def test_upside_down_page_is_turned_and_read() -> None:
    page = render_text_page(VIETNAMESE_LINES * 2, dpi=300)
    text = read_page(PageInput(index=0, image=page.rotate(180), dpi=300))
    assert "rotated 180" in text.notes
    assert "Họ và tên: Nguyễn Thị Ánh" in text.text


@pytest.mark.parametrize("turned", [90, 270])
def test_quarter_turns_are_undone_exactly(turned: int) -> None:
    page = render_text_page(VIETNAMESE_LINES * 3, dpi=300).convert("L")
    prepared = prepare_page(
        page.rotate(turned, expand=True), 300, orientation=True
    )  # Pillow: counter-clockwise
    assert prepared.notes == [f"rotated {turned}"]
    assert ImageChops.difference(prepared.image, page).getbbox() is None


def test_upright_page_is_left_alone() -> None:
    page = render_text_page(VIETNAMESE_LINES, dpi=300)
    prepared = prepare_page(page, 300)
    assert prepared.notes == [] and not prepared.blank and prepared.image.mode == "RGB"
    assert not prepared.changed and prepared.image is page


def test_a_sealed_page_is_read_from_a_grey_copy_without_the_seal(vietnamese_page: Image.Image) -> None:
    """Colour dropout: OCR reads a grey copy with the seal lifted; the archive shows the page as it came."""
    prepared = prepare_page(vietnamese_page, 300)
    assert prepared.notes == ["seal lifted for OCR"] and prepared.image.mode == "L"
    assert prepared.source is vietnamese_page and np.array_equal(prepared.transform, np.eye(3))


def test_upright_page_is_read_in_one_tesseract_pass_without_osd(vietnamese_page: Image.Image) -> None:
    text = read_page(PageInput(index=0, image=vietnamese_page, dpi=300))
    assert not needs_orientation_check(text)
    assert not any(n.startswith(("rotated", "deskewed")) for n in text.notes), text.notes


def test_short_upside_down_page_is_turned_even_when_osd_is_unsure() -> None:
    page = render_text_page(["Nơi nhận:", "- Như Điều 4;", "- Lưu: VT."], dpi=300, inches=(6.0, 2.5))
    text = read_page(PageInput(index=0, image=page.rotate(180), dpi=300))
    assert any(note.startswith("rotated 180") for note in text.notes)
    assert "Như Điều 4" in text.text


def test_jpeg_scan_goes_into_the_pdf_unchanged(tmp_path: Path) -> None:
    scan = render_text_page(VIETNAMESE_LINES, dpi=300, red_seal=True)
    buf = io.BytesIO()
    scan.save(buf, "JPEG", quality=80, dpi=(300, 300))
    jpeg = buf.getvalue()
    (page,) = read_pages(jpeg, "to-khai.jpg")
    assert page.pdf is not None and len(page.pdf) <= 1.3 * len(jpeg)
    with pikepdf.open(io.BytesIO(page.pdf)) as pdf:
        (image,) = pdf.pages[0].images.values()
        assert image.Filter == pikepdf.Name.DCTDecode and image.read_raw_bytes() == jpeg
    assert "Nguyễn Thị Ánh" in page.text


def test_lossy_scan_that_had_to_be_turned_stays_jpeg_in_the_pdf() -> None:
    scan = render_text_page(VIETNAMESE_LINES * 2, dpi=300).rotate(180)
    buf = io.BytesIO()
    scan.save(buf, "JPEG", quality=80, dpi=(300, 300))
    (page,) = read_pages(buf.getvalue(), "upside-down.jpg")
    assert "rotated 180" in page.notes and "Nguyễn Thị Ánh" in page.text
    assert page.pdf is not None and len(page.pdf) <= 1.3 * len(buf.getvalue())
    with pikepdf.open(io.BytesIO(page.pdf)) as pdf:
        (image,) = pdf.pages[0].images.values()
        assert image.Filter == pikepdf.Name.DCTDecode and image.read_raw_bytes() == buf.getvalue()


def test_askew_scan_is_archived_as_scanned_and_shown_straight_under_its_words() -> None:
    """The scanner's JPEG goes into the page PDF byte for byte, drawn turned so that it lies straight, under
    the text layer and the word boxes of the grey copy OCR read."""
    straight = render_text_page(VIETNAMESE_LINES * 2, dpi=300, red_seal=True)
    scan = straight.rotate(2.5, resample=Image.Resampling.BICUBIC, fillcolor="white")
    buf = io.BytesIO()
    scan.save(buf, "JPEG", quality=85, dpi=(300, 300))
    (page,) = read_pages(buf.getvalue(), "lech.jpg")
    assert any(n.startswith("deskewed +2.") for n in page.notes) and "Nguyễn Thị Ánh" in page.text
    assert page.pdf is not None
    with pikepdf.open(io.BytesIO(page.pdf)) as pdf:
        (image,) = pdf.pages[0].images.values()
        assert image.read_raw_bytes() == buf.getvalue() and image.ColorSpace == pikepdf.Name.DeviceRGB
    document = pdfium.PdfDocument(page.pdf)
    shown = document[0].render(scale=100 / 72).to_pil().convert("L")
    document.close()
    expected = straight.convert("L").reduce(3)
    # measured: 0.88 (PDFium places a turned image within a pixel or two), the askew scan itself 0.13
    assert _similarity(shown, expected) > 0.8 and _similarity(scan.convert("L").reduce(3), expected) < 0.3
    ink = np.asarray(shown) < 128
    for word in page.words:
        x0, y0, x1, y1 = (round(v / 3) for v in word.bbox)
        assert ink[y0 : y1 + 1, x0 : x1 + 1].sum() >= 4, word.text
    with pdfplumber.open(io.BytesIO(page.pdf)) as searchable:
        found = searchable.pages[0].search("Nguyễn Thị Ánh")
    box = next(w.bbox for w in page.words if w.text == "Nguyễn")
    top, bottom = found[0]["top"] * 300 / 72, found[0]["bottom"] * 300 / 72
    assert abs(found[0]["x0"] * 300 / 72 - box[0]) < 15 and top < box[3] and bottom > box[1]


def test_lossless_scan_turned_upright_is_archived_with_its_own_pixels() -> None:
    scan = render_text_page(VIETNAMESE_LINES * 2, dpi=300).convert("L").rotate(180)
    out = io.BytesIO()
    scan.save(out, format="TIFF", compression="tiff_lzw", dpi=(300, 300))
    (page,) = read_pages(out.getvalue(), "nguoc.tif")
    assert any(note.startswith("rotated 180") for note in page.notes) and "Nguyễn Thị Ánh" in page.text
    with pikepdf.open(io.BytesIO(page.pdf)) as pdf:
        (image,) = pdf.pages[0].images.values()
        kept = pikepdf.PdfImage(image).as_pil_image()
    assert kept.mode == "L" and ImageChops.difference(kept, scan).getbbox() is None


def _similarity(a: Image.Image, b: Image.Image) -> float:
    """Correlation of the pixels of two grey images, over the area they share."""
    box = (0, 0, min(a.width, b.width), min(a.height, b.height))
    x, y = (np.asarray(i.crop(box), dtype=np.float64).ravel() for i in (a, b))
    return float(np.corrcoef(x, y)[0, 1])


def test_blank_page_detection_ignores_dust_but_not_a_short_word() -> None:
    dusty = Image.new("L", (2481, 3508), 236)
    draw = ImageDraw.Draw(dusty)
    rnd = random.Random(3)
    for _ in range(400):
        x, y = rnd.randrange(2481), rnd.randrange(3508)
        draw.ellipse((x, y, x + 3, y + 3), fill=70)
    draw.rectangle((0, 0, 2481, 50), fill=30)  # the scanner's dark edge
    prepared = prepare_page(dusty, 300)
    assert prepared.blank and prepared.notes == ["blank page"]
    assert not is_blank(render_text_page(["Ký"], dpi=300, points=10), 300)
    assert not is_blank(render_text_page(["Quyết"], dpi=300, points=12), 300)


def test_blank_page_is_still_ocred_and_flagged() -> None:
    text = read_page(PageInput(index=4, image=Image.new("RGB", (1240, 1754), "white"), dpi=150))
    assert text.blank and text.words == [] and text.pdf is not None
    assert rescan_reasons(text) == [
        "page 5: scanned at 150 dpi, below the 200 dpi required",
        "page 5 is blank",
    ]


def test_ocr_from_two_threads_matches_serial() -> None:
    pages = [
        render_text_page([line, f"Số {n}: Nguyễn Thị Ánh"], dpi=300, inches=(6.0, 2.0), points=12)
        for n, line in enumerate(VIETNAMESE_LINES)
    ]
    serial = [ocr_page(p, index=i, dpi=300) for i, p in enumerate(pages)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        threaded = list(pool.map(lambda ip: ocr_page(ip[1], index=ip[0], dpi=300), enumerate(pages)))
    assert [t.text for t in threaded] == [s.text for s in serial]
    assert [[w.bbox for w in t.words] for t in threaded] == [[w.bbox for w in s.words] for s in serial]
    assert [t.index for t in threaded] == [0, 1, 2, 3]
    assert all(f"Số {n}: Nguyễn Thị Ánh" in s.text for n, s in enumerate(serial))


def test_ocr_text_of_a_multipage_tiff() -> None:
    frames = [render_text_page([line], dpi=200, inches=(5.0, 1.5)) for line in VIETNAMESE_LINES[2:]]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:], dpi=(200, 200))
    with open_document(out.getvalue(), "ho-so.tif") as document:
        assert document.page_count == 2
    assert ocr_text(out.getvalue(), "ho-so.tif").split("\f") == VIETNAMESE_LINES[2:]


def test_rescan_reasons_in_plain_words() -> None:
    def page(dpi: int, confidence: float, source: str = "ocr") -> PageText:
        words = [Word(text="Ánh", confidence=confidence, bbox=(0, 0, 10, 10), line=0)]
        return PageText(2, 100, 100, dpi, source, words, "Ánh", confidence)  # type: ignore[arg-type]

    assert rescan_reasons(page(300, 0.95)) == []
    assert rescan_reasons(page(300, 0.41)) == ["page 3 is hard to read (OCR confidence 41 %, below 60 %)"]
    assert rescan_reasons(page(300, 0.95), source_dpi=100) == [
        "page 3: scanned at 100 dpi, below the 200 dpi required"
    ]
    assert rescan_reasons(page(72, 1.0, "text_layer")) == []
