"""Too dark / too light pages: measured on the sample generator's scans, reported as "to rescan"."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from extractors.quality import Exposure, measure_exposure, rescan_reasons
from pipelines.model import PageText, Word
from pipelines.read import read_pages
from sohoa.samples import DOC_TYPES, degrade_page, render_pages
from sohoa.samples.content import sample_fields
from tests.extractors.test_pages import render_text_page


def _underexposed(image: Image.Image) -> Image.Image:
    return image.point(lambda v: v // 2)  # the scanner's lamp at half power


def _faded(image: Image.Image) -> Image.Image:
    return image.point(lambda v: 255 - (255 - v) * 3 // 10)  # overexposed: the print at 30 % contrast


def _read_well(index: int = 2) -> PageText:
    words = [Word(text="Nguyễn", confidence=0.95, bbox=(0, 0, 10, 10), line=0)]
    return PageText(index, 2480, 3508, 300, "ocr", words, "Nguyễn", 0.95)


@pytest.fixture(scope="module")
def scans() -> list[tuple[Image.Image, int]]:
    """One page of every A4 type, as each degradation level delivers it (uneven light, tint, dark edges)."""
    rng = random.Random(21)
    pages = []
    for n, doc_type in enumerate(t for t in DOC_TYPES if t != "citizen_id"):
        page = render_pages(doc_type, sample_fields(doc_type, rng), rng=rng)[0]
        pages.append(degrade_page(page, rng=rng, level=("clean", "scan", "hard")[n % 3]))
    return pages


def test_scanned_pages_are_neither_too_dark_nor_too_light(scans: list[tuple[Image.Image, int]]) -> None:
    for image, dpi in scans:
        assert rescan_reasons(_read_well(), exposure=measure_exposure(image, dpi)) == []


def test_an_underexposed_scan_is_too_dark(scans: list[tuple[Image.Image, int]]) -> None:
    for image, dpi in scans:
        assert rescan_reasons(_read_well(), exposure=measure_exposure(_underexposed(image), dpi)) == [
            "page 3 is too dark (the paper is at "
            f"{round(measure_exposure(_underexposed(image), dpi).paper / 2.55)} % brightness): rescan it lighter"
        ]


def test_a_faded_scan_is_too_light(scans: list[tuple[Image.Image, int]]) -> None:
    for image, dpi in scans:
        (reason,) = rescan_reasons(_read_well(), exposure=measure_exposure(_faded(image), dpi))
        assert (
            reason.startswith("page 3 is too light (the darkest print is at ")
            and "rescan it darker" in reason
        )


def test_a_page_with_a_single_short_word_is_not_called_too_light() -> None:
    exposure = measure_exposure(render_text_page(["Ký"], dpi=300, points=10), 300)
    assert exposure.ink is None and rescan_reasons(_read_well(), exposure=exposure) == []


def test_a_blank_page_is_reported_blank_only() -> None:
    page = _read_well()
    page.blank, page.words = True, []
    assert rescan_reasons(page, exposure=Exposure(paper=90, ink=None)) == ["page 3 is blank"]


def test_a_dark_scan_is_listed_to_rescan_by_the_reading_stage(scans: list[tuple[Image.Image, int]]) -> None:
    image, dpi = scans[1]
    buf = io.BytesIO()
    _underexposed(image).save(buf, "JPEG", quality=85, dpi=(dpi, dpi))
    (page,) = read_pages(buf.getvalue(), "toi.jpg")
    assert any(reason.startswith("page 1 is too dark") for reason in page.rescan)
    assert page.words  # still read: the reason is the scan, not the text


def test_a_page_turned_beyond_the_skew_search_is_listed_to_rescan(
    scans: list[tuple[Image.Image, int]],
) -> None:
    image, dpi = scans[0]
    buf = io.BytesIO()
    turned = image.convert("RGB").rotate(8, expand=True, fillcolor=(255, 255, 255))
    turned.save(buf, "JPEG", quality=85, dpi=(dpi, dpi))
    (page,) = read_pages(buf.getvalue(), "nghieng.jpg")
    assert any("skewed beyond repair" in reason for reason in page.rescan), page.rescan
    straight = io.BytesIO()
    image.convert("RGB").rotate(2, expand=True, fillcolor=(255, 255, 255)).save(
        straight, "JPEG", dpi=(dpi, dpi)
    )
    (ok,) = read_pages(straight.getvalue(), "hoi-nghieng.jpg")
    assert not any("skewed" in reason for reason in ok.rescan)
