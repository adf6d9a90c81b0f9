"""Page preparation steps on rendered Vietnamese pages: skew measured and undone, upright pages untouched."""

from __future__ import annotations

import random

import pytest
from PIL import Image

from extractors.img_skew import deskew, estimate_skew
from extractors.prepare import prepare_page
from sohoa.samples import render_pages
from sohoa.samples.content import sample_fields


@pytest.fixture(scope="module")
def decision_page() -> Image.Image:
    rng = random.Random(3)
    return render_pages("decision", sample_fields("decision", rng), rng=rng, layout=0)[0]


@pytest.mark.parametrize("angle", [0.0, 0.7, -1.5, 3.0])
def test_skew_is_measured_within_a_fifth_of_a_degree(decision_page: Image.Image, angle: float) -> None:
    turned = decision_page.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor="white")
    assert abs(estimate_skew(turned, 300) - angle) <= 0.2
    assert abs(estimate_skew(turned.reduce(3), 100) - angle) <= 0.3


def test_skewed_page_is_straightened_and_says_so(decision_page: Image.Image) -> None:
    turned = decision_page.rotate(-2.0, resample=Image.Resampling.BILINEAR, fillcolor="white")
    prepared = prepare_page(turned, 300)
    assert prepared.changed and prepared.notes == ["deskewed -2.0°"]
    assert abs(estimate_skew(prepared.image, 300)) <= 0.2
    assert prepared.image.size == turned.size and prepared.image.mode == "L"  # OCR reads a grey copy
    assert prepared.source is turned  # the archive keeps the page as it came, in colour


def test_straight_page_keeps_its_pixels(decision_page: Image.Image) -> None:
    prepared = prepare_page(decision_page, 300)
    assert prepared.image is decision_page and not prepared.changed and prepared.notes == []
    assert abs(prepared.skew) < 0.2


def test_deskew_fills_corners_with_the_paper_colour() -> None:
    paper = Image.new("L", (600, 400), 235)
    assert deskew(paper, 2.5).getextrema() == (235, 235)


def test_empty_page_has_no_skew() -> None:
    assert estimate_skew(Image.new("RGB", (800, 1100), "white"), 100) == 0.0


def test_pixel_median_is_numpys_median_of_8_bit_pixels() -> None:
    import numpy as np

    from extractors.img_modes import pixel_median

    rng = np.random.default_rng(7)
    for size in (1, 2, 3, 10, 11, 999, 1000, 4096):
        for dtype in (np.uint8, np.int16):
            pixels = rng.integers(0, 256, size=size).astype(dtype)
            assert pixel_median(pixels) == float(np.median(pixels))
    page = rng.integers(180, 256, size=(300, 200)).astype(np.uint8)
    assert pixel_median(page) == float(np.median(page))
