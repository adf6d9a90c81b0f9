"""Facts about a page that mean it should be scanned again, in plain words.

Exposure is judged on a ~75 dpi grid of SAMPLED pixels (not averaged, so a thin stroke keeps its darkness),
margins left out: the paper is the 90th percentile of brightness, the print the ``INK_RANK``-th darkest of
the pixels clearly darker than the paper. Measured on the sample generator's pages (clean, scan, hard:
uneven light, tinted paper, dark scanner edges): paper 230-255, print 1-22; the same pages underexposed
(x 0.5) have paper 115-127, overexposed (faded to 30 % contrast) print 178-185.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from extractors.img_skew import MAX_SKEW
from extractors.prepare import BEYOND_REPAIR
from pipelines.model import PageText

MIN_DPI = 200  # administrative papers (Thông tư 05/2025/TT-BNV)
MIN_CONFIDENCE = 0.6
EXPOSURE_GRID_DPI = 75
EXPOSURE_MARGIN = 0.05  # scanner edges and punched holes are not the page
TOO_DARK_PAPER = 160  # paper darker than this (0-255): the scan is too dark
TOO_LIGHT_INK = 120  # the print lighter than this: the scan is too light (faded, overexposed)
INK_BELOW_PAPER = 25  # a pixel this much darker than the paper is print (or a speck)
INK_RANK = 50  # the print level: the 50th darkest print pixel (a speck or two do not count)
MIN_INK_PIXELS = 200  # fewer print pixels than this (a near-empty page): too little print to judge


@dataclass(frozen=True)
class Exposure:
    paper: int  # 0 (black) .. 255 (white)
    ink: int | None  # None when the page has too little print to judge


def measure_exposure(image: Image.Image, dpi: int) -> Exposure:
    """How bright the paper and how dark the print of a page image are (a few milliseconds)."""
    step = max(1, round(dpi / EXPOSURE_GRID_DPI))
    grid = image.resize((max(1, image.width // step), max(1, image.height // step)), Image.Resampling.NEAREST)
    pixels = np.asarray(grid.convert("L"))
    height, width = pixels.shape
    dy, dx = int(height * EXPOSURE_MARGIN), int(width * EXPOSURE_MARGIN)
    inner = pixels[dy : height - dy, dx : width - dx].ravel()
    if inner.size == 0:
        inner = pixels.ravel()
    paper = int(np.percentile(inner, 90))
    ink = inner[inner < paper - INK_BELOW_PAPER]
    level = int(np.partition(ink, INK_RANK)[INK_RANK]) if ink.size >= MIN_INK_PIXELS else None
    return Exposure(paper=paper, ink=level)


def rescan_reasons(
    page: PageText, *, source_dpi: int | None = None, exposure: Exposure | None = None
) -> list[str]:
    """Why this page should be rescanned; empty when it is fine. Text-layer pages are never rescanned.

    ``source_dpi`` is the resolution of the scan itself when it differs from the page's grid (a PDF page
    rendered at 200 dpi from a 100 dpi image): the lower of the two counts. ``exposure``: the page image's
    (``measure_exposure``); a blank page is reported as blank only.
    """
    if page.source != "ocr":
        return []
    number = page.index + 1
    reasons: list[str] = []
    dpi = min(page.dpi, source_dpi) if source_dpi else page.dpi
    if dpi < MIN_DPI:
        reasons.append(f"page {number}: scanned at {dpi} dpi, below the {MIN_DPI} dpi required")
    if page.blank:
        reasons.append(f"page {number} is blank")
        return reasons
    if exposure is not None and exposure.paper < TOO_DARK_PAPER:
        reasons.append(
            f"page {number} is too dark (the paper is at {round(exposure.paper / 2.55)} % brightness): "
            "rescan it lighter"
        )
    elif exposure is not None and exposure.ink is not None and exposure.ink > TOO_LIGHT_INK:
        reasons.append(
            f"page {number} is too light (the darkest print is at {round(exposure.ink / 2.55)} % brightness): "
            "rescan it darker"
        )
    if any(note.startswith(BEYOND_REPAIR) for note in page.notes):
        reasons.append(f"page {number} is {BEYOND_REPAIR} (turned {MAX_SKEW:g}° or more): put it straight")
    if page.words and page.mean_confidence < MIN_CONFIDENCE:
        reasons.append(
            f"page {number} is hard to read (OCR confidence {round(page.mean_confidence * 100)} %, "
            f"below {round(MIN_CONFIDENCE * 100)} %)"
        )
    return reasons
