"""Page orientation (0/90/180/270) from Tesseract's orientation and script detection (OSD).

OSD runs on a grey copy reduced to about 150 dpi (~0.7 s a page); its answer is used only when Tesseract
is confident, otherwise the page is left as it is.
"""

from __future__ import annotations

import os

import numpy as np
import pytesseract
from PIL import Image

from extractors.tesseract_slots import tesseract_slot

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # inherited by every Tesseract subprocess

OSD_DPI = 150
MIN_OSD_CONFIDENCE = 3.0  # measured at 150 dpi: 3–15 on real pages (more text, more sure), <= 1.6 on noise
OSD_TIMEOUT_S = 60

_TRANSPOSE_CLOCKWISE = {
    90: Image.Transpose.ROTATE_270,  # Pillow's ROTATE_n turns counter-clockwise
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def detect_rotation(image: Image.Image, dpi: int) -> int:
    """Degrees (0, 90, 180, 270) to turn the page clockwise so that its text is upright; 0 when unsure."""
    factor = max(1, round(dpi / OSD_DPI))
    grey = image.convert("L").reduce(factor) if factor > 1 else image.convert("L")
    try:
        with tesseract_slot():
            osd = pytesseract.image_to_osd(
                grey,
                config=f"--dpi {max(1, dpi // factor)}",
                output_type=pytesseract.Output.DICT,
                timeout=OSD_TIMEOUT_S,
            )
    except (
        pytesseract.TesseractError,
        RuntimeError,
    ):  # too little text, or timeout: not an error of the page
        return 0
    rotate = int(osd.get("rotate", 0)) % 360
    confidence = float(osd.get("orientation_conf", 0.0))
    if rotate not in _TRANSPOSE_CLOCKWISE or confidence < MIN_OSD_CONFIDENCE:
        return 0
    return rotate


def rotate_clockwise(image: Image.Image, degrees: int) -> Image.Image:
    """Turn the page by a multiple of 90 degrees, clockwise, without resampling."""
    transpose = _TRANSPOSE_CLOCKWISE.get(degrees % 360)
    return image.transpose(transpose) if transpose is not None else image


def quarter_turn_matrix(degrees: int, width: int, height: int) -> np.ndarray:
    """The 3x3 affine map of ``rotate_clockwise(image, degrees)``: pixel (x, y) of the ``width`` x ``height``
    image -> its place in the turned image (origin top left, y down)."""
    turns = {
        0: [[1, 0, 0], [0, 1, 0]],
        90: [[0, -1, height], [1, 0, 0]],
        180: [[-1, 0, width], [0, -1, height]],
        270: [[0, 1, 0], [-1, 0, width]],
    }[degrees % 360]
    return np.array([*turns, [0, 0, 1]], dtype=np.float64)
