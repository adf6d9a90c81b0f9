"""The text layer of a born-digital PDF page as a ``PageText`` (no OCR).

Boxes are in PDF points (72 dpi) with the origin at the top left, like every other page in the model.
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from typing import TYPE_CHECKING, Any

from pipelines.model import PageText, Word

if TYPE_CHECKING:
    import pdfplumber.page

TEXT_LAYER_DPI = 72
MIN_REAL_CHARS = 20  # fewer non-space characters than this: treat the page as a scan
MIN_WORDLIKE_SHARE = 0.5  # letters/digits among the non-space characters
MAX_JUNK_SHARE = 0.05  # unmapped glyphs ("(cid:12)"), U+FFFD, private-use characters
MAX_SCAN_IMAGE_SHARE = (
    0.7  # an image covering this much of the page makes it a scan (its text is someone's OCR)
)

_CID = re.compile(r"\(cid:\d+\)")


def text_layer_page(page: pdfplumber.page.Page, index: int) -> PageText:
    """Words with boxes in PDF points, lines clustered by the tops of the words, text NFC."""
    width, height = round(float(page.width)), round(float(page.height))
    raw_words = page.dedupe_chars().extract_words(keep_blank_chars=False, use_text_flow=False)
    placed = [_placed_word(w, width, height) for w in raw_words]
    placed = [p for p in placed if p is not None]
    words = _assign_lines(placed)
    lines: dict[int, list[Word]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    text = "\n".join(" ".join(w.text for w in ws) for _, ws in sorted(lines.items()))
    return PageText(
        index=index,
        width=width,
        height=height,
        dpi=TEXT_LAYER_DPI,
        source="text_layer",
        words=words,
        text=text,
        mean_confidence=1.0,
    )


def has_usable_text(page: pdfplumber.page.Page) -> bool:
    """True when the page's own text is real text worth using instead of OCR.

    Not usable: too little text, unmapped glyphs or garbage, or text laid over a full-page scan (an OCR
    layer left by a scanner, of unknown quality: we read such pages again ourselves).
    """
    text = "".join(c.get("text", "") for c in page.chars)
    nonspace = [ch for ch in _CID.sub("\ufffd", text) if not ch.isspace()]
    if len(nonspace) < MIN_REAL_CHARS:
        return False
    junk = sum(1 for ch in nonspace if ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cn", "Cc"))
    wordlike = sum(1 for ch in nonspace if ch.isalnum())
    if junk / len(nonspace) > MAX_JUNK_SHARE or wordlike / len(nonspace) < MIN_WORDLIKE_SHARE:
        return False
    return largest_image_share(page) < MAX_SCAN_IMAGE_SHARE


def largest_image_share(page: pdfplumber.page.Page) -> float:
    """Share of the page area covered by its largest image (0.0 without images)."""
    area = float(page.width) * float(page.height)
    if area <= 0:
        return 0.0
    return max((_image_area(img) / area for img in page.images), default=0.0)


def _image_area(img: dict[str, Any]) -> float:
    return max(0.0, float(img["x1"]) - float(img["x0"])) * max(0.0, float(img["bottom"]) - float(img["top"]))


class _Placed:
    __slots__ = ("text", "bbox", "top", "height")

    def __init__(self, text: str, bbox: tuple[int, int, int, int], top: float, height: float) -> None:
        self.text, self.bbox, self.top, self.height = text, bbox, top, height


def _placed_word(w: dict[str, Any], width: int, height: int) -> _Placed | None:
    text = unicodedata.normalize("NFC", str(w["text"])).strip()
    if not text:
        return None
    x0 = min(max(0, math.floor(float(w["x0"]))), width)
    y0 = min(max(0, math.floor(float(w["top"]))), height)
    x1 = min(max(x0, math.ceil(float(w["x1"]))), width)
    y1 = min(max(y0, math.ceil(float(w["bottom"]))), height)
    return _Placed(text, (x0, y0, x1, y1), float(w["top"]), float(w["bottom"]) - float(w["top"]))


def _assign_lines(placed: list[_Placed]) -> list[Word]:
    """Cluster words into lines by their tops (tolerance: half the median word height), top to bottom."""
    if not placed:
        return []
    tolerance = max(1.0, 0.5 * statistics.median(p.height for p in placed))
    clusters: list[list[_Placed]] = []
    for p in sorted(placed, key=lambda p: (p.top, p.bbox[0])):
        if clusters and abs(p.top - statistics.fmean(q.top for q in clusters[-1])) <= tolerance:
            clusters[-1].append(p)
        else:
            clusters.append([p])
    words: list[Word] = []
    for line, cluster in enumerate(clusters):
        for p in sorted(cluster, key=lambda p: p.bbox[0]):
            words.append(Word(text=p.text, confidence=1.0, bbox=p.bbox, line=line))
    return words
