"""Colour dropout of the OCR copy: the seal and the signature go, black print and red printed titles stay."""

from __future__ import annotations

import random

import numpy as np
import pytesseract

from extractors.img_dropout import dropout
from sohoa.samples import degrade_page, render_pages
from sohoa.samples.content import sample_fields


def _red(image) -> np.ndarray:  # noqa: ANN001
    a = np.asarray(image.convert("RGB"), dtype=np.int16)
    return (a[..., 0] - a[..., 1] > 40) & (a[..., 0] - a[..., 2] > 40)


def test_what_was_printed_black_stays() -> None:
    rng = random.Random(5)
    page = render_pages("decision", sample_fields("decision", rng), rng=rng, layout=0)[-1]
    lifted, notes = dropout(page, 300)
    assert "seal lifted for OCR" in notes and "blue ink lifted for OCR" in notes
    rgb = np.asarray(page.convert("RGB"), dtype=np.int16)
    black = (np.asarray(page.convert("L")) < 80) & (rgb.max(axis=2) - rgb.min(axis=2) < 40)
    assert (np.asarray(lifted)[black] < 128).mean() > 0.95


def test_signer_names_under_seals_are_read_once_the_seal_is_lifted() -> None:
    """Scanned decisions (seeds 1, 2, 7 lose the name in grey, seeds 6, 8 do not)."""
    read = {"grey": 0, "lifted": 0}
    for seed in (1, 2, 6, 7, 8):
        rng = random.Random(seed)
        fields = sample_fields("decision", rng)
        page = render_pages("decision", fields, rng=rng, layout=0)[-1]
        scan, dpi = degrade_page(page, rng=random.Random(seed), level="scan")
        name = " ".join(fields["signer_name"].split())
        for how, image in (("grey", scan.convert("L")), ("lifted", dropout(scan, dpi)[0])):
            read[how] += name in " ".join(pytesseract.image_to_string(image, lang="vie").split())
    assert read["lifted"] == 5 and read["grey"] <= 2, read


def test_red_printed_titles_stay() -> None:
    rng = random.Random(3)
    fields = sample_fields("land_use_certificate", rng)
    page = render_pages("land_use_certificate", fields, rng=rng, layout=0)[0]
    lifted, _ = dropout(page, 300)
    top = slice(0, page.height // 3)
    red_top = _red(page)[top]
    assert red_top.sum() > 1000  # the red title
    grey = np.asarray(lifted)[top]
    assert (grey[red_top] < 200).mean() > 0.9  # still there, in grey, for OCR


def test_a_grey_page_is_left_alone() -> None:
    rng = random.Random(1)
    page = render_pages("decision", sample_fields("decision", rng), rng=rng, layout=0)[0].convert("L")
    lifted, notes = dropout(page, 300)
    assert notes == [] and np.array_equal(np.asarray(lifted), np.asarray(page))
