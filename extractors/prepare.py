"""Page preparation before OCR: a mode Tesseract reads, blank-page detection, deskew.

Each step is a small function that decides from the page whether it is needed; ``prepare_page`` records in
``notes`` what it did. A page that needs no turning is read as it came. A page that does (more than
``DESKEW_MIN`` degrees askew, or upside down) is turned as a GREY copy, for OCR only (a third of the work of
turning the colour page); the archive keeps the page as it came (``source``, the scanner's own bytes when
there are any), drawn in the searchable PDF with ``transform`` so that it shows straight, exactly under the
text and the word boxes (``extractors.ocr``).

Orientation is not decided here: Tesseract's OSD costs ~0.7 s a page, more than a quarter of the OCR itself.
``extractors.ocr.read_page`` runs it only for a page whose first reading is poor (upside down or sideways
pages read as garbage with low confidence), see ``needs_orientation_check``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from extractors.img_dropout import dropout
from extractors.img_modes import to_rgb_or_l
from extractors.img_orientation import detect_rotation, quarter_turn_matrix, rotate_clockwise
from extractors.img_skew import DESKEW_MIN, MAX_SKEW, deskew, deskew_matrix, estimate_skew

BEYOND_REPAIR = "skewed beyond repair"  # the skew search ends at MAX_SKEW: the page may be turned further
BLANK_ANALYSIS_DPI = 75
BLANK_MARGIN = 0.05  # ignore scanner borders and punched holes near the edges
BLANK_INK_CONTRAST = 64  # darker than the paper by this much counts as ink
BLANK_TILE = 8  # pixels at BLANK_ANALYSIS_DPI (~2.7 mm)
BLANK_TILE_MIN_INK = 10  # a tile with this much ink holds a stroke, not a speck of dust
BLANK_MAX_DENSE_TILES = 1  # measured: one short 10 pt word gives 2-4 dense tiles, heavy dust 0


@dataclass
class PreparedPage:
    image: Image.Image  # what OCR reads: the page as it came, or a grey copy turned upright and straight
    dpi: int
    notes: list[str] = field(default_factory=list)
    blank: bool = False
    skew: float = 0.0  # degrees measured before any correction
    source: Image.Image | None = None  # the page as it came (colour kept) when ``image`` is a turned copy
    transform: np.ndarray | None = None  # 3x3 affine, pixels of ``source`` -> pixels of ``image``

    @property
    def changed(self) -> bool:
        """``image`` is a turned grey copy: the archive shows ``source`` through ``transform``."""
        return self.transform is not None

    def turn(self, image: Image.Image, matrix: np.ndarray, note: str) -> None:
        """Replace ``image`` by ``image`` turned with ``matrix`` (its pixels -> the new image's pixels)."""
        if self.transform is None:
            self.source, self.transform = self.image, np.eye(3)
        self.image = image
        self.transform = matrix @ self.transform
        self.notes.append(note)

    def turn_clockwise(self, degrees: int, note: str) -> None:
        """Turn by a multiple of 90 degrees (no resampling)."""
        grey = self.image.convert("L") if self.image.mode != "L" else self.image
        matrix = quarter_turn_matrix(degrees, *grey.size)
        self.turn(rotate_clockwise(grey, degrees), matrix, note)


def prepare_page(image: Image.Image, dpi: int, *, orientation: bool = False) -> PreparedPage:
    """Make ``image`` ready for OCR. ``orientation=True`` also runs Tesseract OSD first (~0.7 s a page)."""
    page = to_rgb_or_l(image)
    if is_blank(page, dpi):
        return PreparedPage(image=page, dpi=dpi, notes=["blank page"], blank=True)
    prepared = PreparedPage(image=page, dpi=dpi)
    lift_ink(prepared)
    if orientation:
        turn_upright(prepared)
    straighten(prepared)
    return prepared


def lift_ink(page: PreparedPage) -> None:
    """Read a colour page from a grey copy without its seals and signatures (``extractors.img_dropout``);
    the archive keeps the page as it came."""
    if page.image.mode != "RGB":
        return
    lifted, notes = dropout(page.image, page.dpi)
    if notes:
        page.turn(lifted, np.eye(3), "; ".join(notes))


def turn_upright(page: PreparedPage) -> bool:
    """Rotate by 90/180/270 degrees when Tesseract OSD is confident the text is not upright."""
    degrees = detect_rotation(page.image, page.dpi)
    if not degrees:
        return False
    page.turn_clockwise(degrees, f"rotated {degrees}")
    return True


def straighten(page: PreparedPage) -> None:
    """Measure the skew; turn the page back when it is more than ``DESKEW_MIN`` degrees."""
    page.skew = estimate_skew(page.image, page.dpi)
    if abs(page.skew) >= MAX_SKEW:
        page.notes.append(f"{BEYOND_REPAIR} ({MAX_SKEW:g}° or more)")
    if abs(page.skew) >= DESKEW_MIN:
        grey = page.image.convert("L") if page.image.mode != "L" else page.image
        page.turn(
            deskew(grey, page.skew), deskew_matrix(page.skew, *grey.size), f"deskewed {page.skew:+.1f}°"
        )


def is_blank(image: Image.Image, dpi: int) -> bool:
    """True for a near-uniform page: ink clusters (strokes) in at most one small area, margins ignored.

    Works on tiles of a ~75 dpi grey copy, so scattered dust and scanner noise do not count as content.
    """
    factor = max(1, round(dpi / BLANK_ANALYSIS_DPI))
    grey = image.convert("L")
    pixels = np.asarray(grey.reduce(factor) if factor > 1 else grey)
    height, width = pixels.shape
    dy, dx = int(height * BLANK_MARGIN), int(width * BLANK_MARGIN)
    inner = pixels[dy : height - dy, dx : width - dx]
    if inner.size == 0:
        return True
    ink = inner < float(np.median(inner)) - BLANK_INK_CONTRAST
    rows, cols = ink.shape[0] // BLANK_TILE, ink.shape[1] // BLANK_TILE
    tiles = (
        ink[: rows * BLANK_TILE, : cols * BLANK_TILE]
        .reshape(rows, BLANK_TILE, cols, BLANK_TILE)
        .sum(axis=(1, 3))
    )
    return int((tiles >= BLANK_TILE_MIN_INK).sum()) <= BLANK_MAX_DENSE_TILES
