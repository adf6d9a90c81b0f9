"""Facts about a page that mean it should be scanned again, in plain words."""

from __future__ import annotations

from pipelines.model import PageText

MIN_DPI = 200  # administrative papers (Thông tư 05/2025/TT-BNV)
MIN_CONFIDENCE = 0.6


def rescan_reasons(page: PageText, *, source_dpi: int | None = None) -> list[str]:
    """Why this page should be rescanned; empty when it is fine. Text-layer pages are never rescanned.

    ``source_dpi`` is the resolution of the scan itself when it differs from the page's grid (a PDF page
    rendered at 200 dpi from a 100 dpi image): the lower of the two counts.
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
    elif page.words and page.mean_confidence < MIN_CONFIDENCE:
        reasons.append(
            f"page {number} is hard to read (OCR confidence {round(page.mean_confidence * 100)} %, "
            f"below {round(MIN_CONFIDENCE * 100)} %)"
        )
    return reasons
