"""A second, digit-only look at a box of a page: for numeric fields that failed validation.

Pages are streamed and their images are gone by the time fields are extracted, so a ``Rereader`` keeps the
file's bytes and, only when a field asks for it, opens the document again (``extractors.pages``), prepares
the requested page the same deterministic way the OCR did (``extractors.prepare.prepare_page``, plus the
quarter turn ``extractors.ocr.read_page`` recorded in the page's notes when it turned the page after a poor
first reading) so that the words' boxes line up, crops the box with a margin and reads it as one line with
Tesseract restricted to digits (``--psm 7 -c tessedit_char_whitelist=0123456789``). The prepared page is
kept for further boxes of the same page.

A page that came from a PDF text layer is never re-read (its digits are exact), nor a page whose prepared
copy does not have the size its words were measured on (the boxes would not line up).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from PIL import Image, ImageOps
from pytesseract import pytesseract as tesseract

from extractors.img_modes import to_rgb_or_l
from extractors.pages import open_document
from extractors.prepare import prepare_page
from extractors.tesseract_slots import tesseract_slot
from pipelines.logs import get_logger
from pipelines.model import BBox, PageText

log = get_logger(__name__)

DIGITS = "0123456789"
REREAD_LANG = (
    "eng"  # digits only: the English model reads them as well and is always installed with Tesseract
)
MARGIN_X = 0.35  # margin around the box, in box heights (a misplaced box edge must not cut a digit)
MARGIN_Y = 0.3
MIN_TEXT_HEIGHT = 40  # smaller boxes are enlarged to this many pixels (Tesseract's LSTM likes 30-50 px text)
PAD = 12  # white border around the crop, pixels
TIMEOUT_S = 60
_ROTATED_RE = re.compile(r"^rotated (90|180|270)\b")


@dataclass(frozen=True)
class Reading:
    text: str  # what the digit-only pass read (words separated by spaces)
    confidence: float  # 0..1, the weakest word's


class Rereader:
    """Reads boxes of the pages of one file again with a digit-only Tesseract pass (see the module doc)."""

    def __init__(self, data: bytes, name: str, *, lang: str = REREAD_LANG) -> None:
        self._data = data
        self._name = name
        self.lang = lang
        self._images: dict[int, Image.Image | None] = {}
        self.count = 0  # boxes read again

    def close(self) -> None:
        self._images.clear()

    def read(self, page: PageText, box: BBox, chars: str = DIGITS) -> Reading | None:
        """The text in ``box`` (coordinates of ``page``'s words) read with only ``chars`` allowed, or None
        when the page cannot be re-read or nothing was read."""
        if page.source != "ocr":
            return None
        image = self._prepared(page)
        if image is None:
            return None
        crop = _crop(image, box)
        if crop is None:
            return None
        self.count += 1
        return read_line(crop, page.dpi, chars=chars, lang=self.lang)

    def _prepared(self, page: PageText) -> Image.Image | None:
        if page.index not in self._images:
            self._images[page.index] = self._prepare(page)
        return self._images[page.index]

    def _prepare(self, page: PageText) -> Image.Image | None:
        try:
            with open_document(self._data, self._name) as doc:
                source = doc.page(page.index)  # a PDF's earlier pages are not rendered again
                if source is None or source.image is None:
                    return None
                prepared = prepare_page(source.image, source.dpi)
        except Exception as exc:  # noqa: BLE001 - a second look is optional: the field keeps its first reading
            log.info("page %d cannot be prepared again (%s)", page.index + 1, type(exc).__name__)
            return None
        for note in page.notes:  # the quarter turn read_page made after a poor first reading
            m = _ROTATED_RE.match(note)
            if m and note not in prepared.notes:
                prepared.turn_clockwise(int(m.group(1)), note)
        image = to_rgb_or_l(prepared.image)
        if image.size != (page.width, page.height):
            log.info("page %d prepared again has another size: boxes would not line up", page.index + 1)
            return None
        return image.convert("L")


def _crop(image: Image.Image, box: BBox) -> Image.Image | None:
    x0, y0, x1, y1 = box
    h = max(1, y1 - y0)
    left = max(0, int(x0 - MARGIN_X * h))
    top = max(0, int(y0 - MARGIN_Y * h))
    right = min(image.width, int(x1 + MARGIN_X * h))
    bottom = min(image.height, int(y1 + MARGIN_Y * h))
    if right - left < 2 or bottom - top < 2:
        return None
    crop = image.crop((left, top, right, bottom))
    if h < MIN_TEXT_HEIGHT:
        factor = MIN_TEXT_HEIGHT / h
        crop = crop.resize(
            (round(crop.width * factor), round(crop.height * factor)), Image.Resampling.LANCZOS
        )
    return ImageOps.expand(crop, border=PAD, fill=255)


def read_line(
    image: Image.Image, dpi: int, *, chars: str = DIGITS, lang: str = REREAD_LANG
) -> Reading | None:
    """One line of text in ``image`` read by Tesseract with only ``chars`` allowed (psm 7)."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    config = f"--psm 7 --dpi {dpi} -c tessedit_char_whitelist={chars}"
    with tesseract_slot():
        data = tesseract.image_to_data(
            image, lang=lang, config=config, output_type=tesseract.Output.DICT, timeout=TIMEOUT_S
        )
    words = [
        (str(text).strip(), float(conf))
        for text, conf in zip(data["text"], data["conf"], strict=False)
        if str(text).strip() and float(conf) >= 0
    ]
    if not words:
        return None
    return Reading(
        text=" ".join(w for w, _ in words),
        confidence=min(1.0, min(c for _, c in words) / 100.0),
    )
