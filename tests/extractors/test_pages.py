"""Opening input files: real bad files, TIFF frames, born-digital / scanned / mixed PDFs (no OCR here)."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from extractors.pages import SUPPORTED_EXTENSIONS, OpenedDocument, PageInput, open_document
from pipelines.errors import BadInputError, QuarantineError
from tests.fixtures.bad_inputs import BAD_INPUTS

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
VIETNAMESE_LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Họ và tên: Nguyễn Thị Ánh",
    "Quyết định",
]
A4_INCHES = (8.27, 11.69)


# ---- sample builders (also used by test_ocr.py) -------------------------------------------------


def render_text_page(
    lines: list[str],
    *,
    dpi: int = 300,
    inches: tuple[float, float] = A4_INCHES,
    points: float = 14,
    red_seal: bool = False,
) -> Image.Image:
    """A white page with ``lines`` in Liberation Serif, as a scanner would deliver it."""
    width, height = round(inches[0] * dpi), round(inches[1] * dpi)
    page = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, round(points * dpi / 72))
    y = dpi
    for line in lines:
        draw.text((dpi, y), line, font=font, fill="black")
        y += round(points * 1.8 * dpi / 72)
    if red_seal:
        cx, cy, r = width - 2 * dpi, y + dpi, dpi // 2
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(200, 0, 0), width=dpi // 30)
    return page


def png_bytes(image: Image.Image, dpi: int | None = None) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", **({"dpi": (dpi, dpi)} if dpi else {}))
    return out.getvalue()


def image_only_pdf(image: Image.Image, dpi: int = 300) -> bytes:
    """A scanned PDF: one page per image, no text (Pillow's PDF writer, JPEG inside)."""
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=float(dpi))
    return out.getvalue()


def _register_font() -> str:
    if "LiberationSerif" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("LiberationSerif", FONT))
    return "LiberationSerif"


def _draw_text_page(pdf: canvas.Canvas, lines: list[str], *, render_mode: int = 0) -> None:
    text = pdf.beginText(72, A4[1] - 100)
    text.setFont(_register_font(), 14)
    text.setTextRenderMode(render_mode)
    text.setLeading(26)
    for line in lines:
        text.textLine(line)
    pdf.drawText(text)


def born_digital_pdf(pages: list[list[str]]) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for lines in pages:
        _draw_text_page(pdf, lines)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def mixed_pdf(text_lines: list[str], scan: Image.Image, *, ocr_layer_on_scan: bool = False) -> bytes:
    """Page 1 born-digital; page 2 a full-page scan (optionally with an invisible OCR text layer)."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    _draw_text_page(pdf, text_lines)
    pdf.showPage()
    pdf.drawImage(ImageReader(scan), 0, 0, width=A4[0], height=A4[1])
    if ocr_layer_on_scan:
        _draw_text_page(pdf, ["scanner OCR layer: Cong hoa xa hoi chu nghia Viet Nam"] * 3, render_mode=3)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def read_all(document: OpenedDocument) -> list[PageInput]:
    with document:
        return list(document.pages())


# ---- bad inputs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_refused_with_a_plain_message(bad_inputs_dir: Path, name: str) -> None:
    status, message = BAD_INPUTS[name]
    data = (bad_inputs_dir / name).read_bytes()
    with pytest.raises(BadInputError) as caught:
        read_all(open_document(data, name))
    assert caught.value.status == status
    assert isinstance(caught.value, QuarantineError) == (status == "quarantined")
    assert message in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_bad_inputs_fail_before_page_work_except_a_broken_page(bad_inputs_dir: Path) -> None:
    for name in BAD_INPUTS:
        data = (bad_inputs_dir / name).read_bytes()
        if name == "broken-page-2.tif":
            document = open_document(data, name)  # opens: the damage is inside page 2
            assert document.page_count == 3
            pages = document.pages()
            first = next(pages)
            assert first.index == 0 and first.image is not None and first.image.size == (400, 300)
            with pytest.raises(BadInputError, match="page 2 of the TIFF is damaged"):
                next(pages)
            document.close()
        else:
            with pytest.raises(BadInputError):
                open_document(data, name)


def test_supported_extensions() -> None:
    assert frozenset({".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg"}) == SUPPORTED_EXTENSIONS


def test_content_decides_the_type_when_extension_lies() -> None:
    page = render_text_page(["Quyết định"], dpi=100)
    with open_document(png_bytes(page, 100), "scan.JPG") as document:
        assert document.kind == "png"
        assert [p.image.size for p in document.pages() if p.image] == [page.size]


def test_html_named_pdf_is_quarantined_saying_what_it_is() -> None:
    with pytest.raises(QuarantineError, match="not a PDF: its content is an HTML page"):
        open_document(b"<!DOCTYPE html><html><body>Trang web</body></html>", "ho-so.pdf")


def test_low_resolution_image_is_refused() -> None:
    tiny_scan = Image.new("L", (300, 420), 255)
    with pytest.raises(BadInputError, match="resolution too low"):
        open_document(png_bytes(tiny_scan, 36), "thumb.png")


# ---- images -------------------------------------------------------------------------------------


def test_multipage_tiff_yields_its_pages_in_order_one_at_a_time() -> None:
    frames = [Image.new("L", (300 + 100 * n, 400), 255) for n in range(3)]
    frames[1] = frames[1].convert("1")  # bilevel page, as archives scan them
    frames[2] = Image.new("RGB", (500, 400), (250, 240, 230))
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:], dpi=(200, 200))
    with open_document(out.getvalue(), "ho-so.tiff") as document:
        assert (document.kind, document.page_count) == ("tiff", 3)
        pages = list(document.pages())
    assert [p.index for p in pages] == [0, 1, 2]
    assert [p.image.size for p in pages if p.image] == [(300, 400), (400, 400), (500, 400)]
    assert [p.image.mode for p in pages if p.image] == ["L", "L", "RGB"]
    assert {p.dpi for p in pages} == {200}


def test_dpi_from_metadata_with_a_default_when_missing_or_absurd() -> None:
    page = Image.new("RGB", (1654, 2339), "white")  # A4 at 200 dpi
    cases = {200: 200, None: 300}
    for tagged, expected in cases.items():
        with open_document(png_bytes(page, tagged), "a.png") as document:
            assert next(document.pages()).dpi == expected
    big = Image.new("L", (2480, 3508), 255)  # A4 at 300 dpi tagged 72 by some software: 48 inches
    with open_document(png_bytes(big, 72), "b.png") as document:
        assert next(document.pages()).dpi == 300


def test_transparent_png_is_flattened_on_white() -> None:
    rgba = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    with open_document(png_bytes(rgba), "logo.png") as document:
        image = next(document.pages()).image
    assert image is not None and image.mode == "RGB" and image.getpixel((10, 10)) == (255, 255, 255)


# ---- PDFs ---------------------------------------------------------------------------------------


def test_born_digital_pdf_gives_its_text_layer_without_ocr() -> None:
    decomposed = unicodedata.normalize("NFD", "Ủy ban nhân dân tỉnh Hòa Bình")
    data = born_digital_pdf([[*VIETNAMESE_LINES, decomposed], ["Trang hai: Nguyễn Văn Bình"]])
    with open_document(data, "quyet-dinh.pdf") as document:
        assert (document.kind, document.page_count) == ("pdf", 2)
        pages = list(document.pages())
    assert all(p.image is None and p.text_page is not None for p in pages)
    first = pages[0].text_page
    assert first is not None
    assert (first.source, first.dpi, first.mean_confidence) == ("text_layer", 72, 1.0)
    assert (first.width, first.height) == (595, 842)
    assert first.text.splitlines() == [*VIETNAMESE_LINES, "Ủy ban nhân dân tỉnh Hòa Bình"]
    assert first.text == unicodedata.normalize("NFC", first.text)
    for word in first.words:
        x0, y0, x1, y1 = word.bbox
        assert 0 <= x0 < x1 <= first.width and 0 <= y0 < y1 <= first.height
    names = [w for w in first.words if w.text in ("Nguyễn", "Thị", "Ánh")]
    assert [w.text for w in names] == ["Nguyễn", "Thị", "Ánh"] and len({w.line for w in names}) == 1
    assert pages[1].text_page is not None and pages[1].text_page.index == 1
    assert "Nguyễn Văn Bình" in pages[1].text_page.text


def test_image_only_pdf_is_rendered_at_the_scan_resolution() -> None:
    scan = render_text_page(VIETNAMESE_LINES, dpi=200)
    with open_document(image_only_pdf(scan, 200), "scan.pdf") as document:
        (page,) = list(document.pages())
    assert page.text_page is None and page.image is not None
    assert page.dpi == 200 and page.source_dpi == 200
    assert abs(page.image.width - scan.width) <= 2 and abs(page.image.height - scan.height) <= 2


def test_low_resolution_scan_in_pdf_is_rendered_at_200_dpi() -> None:
    scan = render_text_page(VIETNAMESE_LINES, dpi=100)
    with open_document(image_only_pdf(scan, 100), "scan.pdf") as document:
        (page,) = list(document.pages())
    assert (page.dpi, page.source_dpi) == (200, 100)


def test_mixed_pdf_goes_page_by_page() -> None:
    scan = render_text_page(VIETNAMESE_LINES, dpi=150)
    with open_document(mixed_pdf(VIETNAMESE_LINES, scan), "mixed.pdf") as document:
        pages = list(document.pages())
    assert [p.text_page is not None for p in pages] == [True, False]
    assert pages[1].image is not None and pages[1].image.mode == "RGB"
    assert pages[1].dpi == 200  # a 150 dpi scan is rendered at the 200 dpi minimum


def test_scanner_ocr_layer_over_a_scan_is_not_trusted() -> None:
    scan = render_text_page(VIETNAMESE_LINES, dpi=150)
    with open_document(mixed_pdf(VIETNAMESE_LINES, scan, ocr_layer_on_scan=True), "scan.pdf") as document:
        pages = list(document.pages())
    assert pages[0].text_page is not None
    assert pages[1].text_page is None and pages[1].image is not None


def test_pdf_pages_are_rendered_lazily_and_close_is_idempotent() -> None:
    scans = [render_text_page([f"Trang {n}"], dpi=100) for n in range(3)]
    out = io.BytesIO()
    scans[0].save(out, format="PDF", save_all=True, append_images=scans[1:], resolution=100.0)
    document = open_document(out.getvalue(), "ba-trang.pdf")
    pages = document.pages()
    assert next(pages).index == 0  # only the first page has been rendered so far
    assert next(pages).index == 1
    document.close()
    document.close()


def test_jpeg_and_png_pages_carry_their_own_bytes_and_lossy_scans_are_known() -> None:
    page = render_text_page(["Nguyễn Thị Ánh"], dpi=200, inches=(4.0, 2.0))
    buf = io.BytesIO()
    page.save(buf, "JPEG", quality=85, dpi=(200, 200))
    with open_document(buf.getvalue(), "anh.jpg") as document:
        (jpeg_page,) = list(document.pages())
    assert jpeg_page.original == buf.getvalue() and jpeg_page.lossy
    with open_document(png_bytes(page, 200), "anh.png") as document:
        (png_page,) = list(document.pages())
    assert png_page.original == png_bytes(page, 200) and not png_page.lossy
    with open_document(image_only_pdf(page, 200), "anh.pdf") as document:  # Pillow's PDF holds a JPEG
        (pdf_page,) = list(document.pages())
    assert pdf_page.original is not None and pdf_page.original.startswith(b"\xff\xd8") and pdf_page.lossy


def test_a_scanner_pdf_page_gives_its_own_jpeg_not_a_rendering() -> None:
    """One JPEG over the whole page, as scanners write: its bytes and pixels are taken as they are."""
    from sohoa.samples.writers import jpeg_pdf

    scan = render_text_page(VIETNAMESE_LINES, dpi=300, inches=(4.0, 2.0))
    jpeg = io.BytesIO()
    scan.save(jpeg, "JPEG", quality=80)
    with open_document(jpeg_pdf([(jpeg.getvalue(), 300)]), "scan.pdf") as document:
        (page,) = list(document.pages())
    assert page.original == jpeg.getvalue() and page.lossy
    assert (page.dpi, page.source_dpi) == (300, 300)
    assert page.image is not None and page.image.size == scan.size and page.image.mode == "RGB"


@pytest.mark.parametrize("extra", ["text over the scan", "turned page", "600 dpi scan"])
def test_a_pdf_page_that_is_more_than_its_jpeg_is_rendered(extra: str) -> None:
    import pikepdf

    from sohoa.samples.writers import jpeg_pdf

    dpi = 600 if extra == "600 dpi scan" else 300
    scan = render_text_page(VIETNAMESE_LINES, dpi=dpi, inches=(4.0, 2.0))
    jpeg = io.BytesIO()
    scan.save(jpeg, "JPEG", quality=80)
    pdf = pikepdf.open(io.BytesIO(jpeg_pdf([(jpeg.getvalue(), dpi)])))
    if extra == "text over the scan":  # a stamp or an OCR layer: the page is more than its JPEG
        pdf.pages[0].contents_add(pikepdf.Stream(pdf, b"0 0 1 rg 10 10 50 50 re f"))
    if extra == "turned page":
        pdf.pages[0].Rotate = 90
    out = io.BytesIO()
    pdf.save(out)
    with open_document(out.getvalue(), "scan.pdf") as document:
        (page,) = list(document.pages())
    assert page.original is None and page.image is not None
    if extra == "600 dpi scan":
        assert page.dpi == 400  # rendered down to the maximum
    if extra == "turned page":
        assert page.image.height > page.image.width  # the landscape scan is shown turned upright


@pytest.mark.slow
def test_a_long_scanned_pdf_is_streamed_page_by_page() -> None:
    """Pages are rendered as the OCR pool needs them: live page images stay bounded by the pool's window,
    not by the number of pages (a 300-page scan must fit in memory)."""
    import gc
    from concurrent.futures import ThreadPoolExecutor

    from pipelines.model import PageText
    from pipelines.read import read_pages

    pages = 12
    scans = [render_text_page([f"Trang {n}: Quyết định"], dpi=200, inches=(4.0, 1.5)) for n in range(pages)]
    out = io.BytesIO()
    scans[0].save(out, format="PDF", save_all=True, append_images=scans[1:], resolution=200.0)
    del scans
    live: list[int] = []

    def on_page(page: PageText) -> None:
        gc.collect()
        live.append(sum(isinstance(o, Image.Image) for o in gc.get_objects()))

    with ThreadPoolExecutor(2) as pool:
        result = read_pages(out.getvalue(), "dai.pdf", pool=pool, workers=2, on_page=on_page)
    assert [p.index for p in result] == list(range(pages))
    assert all(f"Trang {n}" in p.text for n, p in enumerate(result))
    assert len(live) == pages and max(live) <= 2 * 2 + 4  # the window (2 × workers) and a few in flight


def test_one_page_alone_is_the_same_as_in_order() -> None:
    scans = [render_text_page([f"Trang {n}"], dpi=200, inches=(4.0, 1.5)) for n in range(3)]
    tiff = io.BytesIO()
    scans[0].save(tiff, format="TIFF", save_all=True, append_images=scans[1:], dpi=(200, 200))
    for data, name in ((image_only_pdf(scans[0], 200), "mot.pdf"), (tiff.getvalue(), "ba-trang.tif")):
        with open_document(data, name) as document:
            in_order = list(document.pages())
            last = document.page(len(in_order) - 1)
            assert last is not None and last.index == len(in_order) - 1
            assert last.image is not None and in_order[-1].image is not None
            assert last.image.tobytes() == in_order[-1].image.tobytes()
            assert document.page(len(in_order)) is None and document.page(-1) is None
