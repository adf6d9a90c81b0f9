"""Colour dropout for the OCR copy: seals and signatures lifted off the black print they cross.

Administrative papers are printed in black; the red seal and the blue signature are stamped and written
over the signer's title and name. Read in grey, their strokes merge with the letters and Tesseract loses
the first letters of the name ("guyên Minh Nguyệt"). What is strongly coloured is set to paper white:

- blue ink anywhere (signatures and initials; typed text is never blue),
- red ink inside a seal: a red region about the size and shape of a seal (roughly round, 15 to 60 mm),
  so that red printed titles ("GIẤY CHỨNG NHẬN" of a land use certificate) stay.

Black print under the ink stays: where a letter crosses the seal the pixel is dark, not coloured. Only the
OCR copy is changed; the archive keeps the scan as it came. The regions are found on a coarse grid and
only they are examined at full resolution (a few tens of milliseconds a page).
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage

CHROMA = 60  # max - min of R, G, B above which a pixel is ink of a colour (grey print and paper: < 30)
SEAL_MM = (15.0, 60.0)  # the side of a seal's bounding box
SEAL_ASPECT = (0.6, 1.6)
GRID_DPI = 50  # regions are found on a coarse grid
MARGIN_MM = 2.0  # around a region found on the grid


def _masks(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(blue ink, red ink) of an RGB array."""
    a = rgb.astype(np.int16)
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    coloured = (a.max(axis=2) - a.min(axis=2)) > CHROMA
    return coloured & (b > r + 30) & (b > g + 10), coloured & (r > g + 40) & (r > b + 40)


def dropout(image: Image.Image, dpi: int) -> tuple[Image.Image, list[str]]:
    """The grey OCR copy of ``image`` with seals and signatures removed, and what was done (notes)."""
    grey = image.convert("L")
    if image.mode != "RGB":
        return grey, []
    step = max(1, round(dpi / GRID_DPI))
    small = image.reduce(step) if step > 1 else image
    blue, red = _masks(np.asarray(small))
    boxes = [("blue", box) for box in _regions(blue, step, dpi, seal=False)]
    boxes += [("red", box) for box in _regions(red, step, dpi, seal=True)]
    if not boxes:
        return grey, []
    out = np.asarray(grey).copy()
    full = np.asarray(image)
    notes: set[str] = set()
    for colour, (y0, y1, x0, x1) in boxes:
        blue_full, red_full = _masks(full[y0:y1, x0:x1])
        lift = blue_full if colour == "blue" else red_full
        if lift.any():
            out[y0:y1, x0:x1][lift] = 255
            notes.add("blue ink lifted for OCR" if colour == "blue" else "seal lifted for OCR")
    return Image.fromarray(out), sorted(notes)


def _regions(mask: np.ndarray, step: int, dpi: int, *, seal: bool) -> list[tuple[int, int, int, int]]:
    """Full-resolution (y0, y1, x0, x1) boxes of the ink regions of a grid mask; only seal-like ones for
    ``seal``."""
    if not mask.any():
        return []
    labels, count = ndimage.label(ndimage.binary_dilation(mask, iterations=2))
    px_per_mm = dpi / 25.4
    margin = round(MARGIN_MM * px_per_mm)
    height, width = mask.shape[0] * step, mask.shape[1] * step
    out = []
    for box in ndimage.find_objects(labels)[:count]:
        if box is None:
            continue
        if seal:
            h_mm = (box[0].stop - box[0].start) * step / px_per_mm
            w_mm = (box[1].stop - box[1].start) * step / px_per_mm
            if not (SEAL_MM[0] <= h_mm <= SEAL_MM[1] and SEAL_MM[0] <= w_mm <= SEAL_MM[1]):
                continue
            if not SEAL_ASPECT[0] <= w_mm / h_mm <= SEAL_ASPECT[1]:
                continue
        out.append(
            (
                max(0, box[0].start * step - margin),
                min(height, box[0].stop * step + margin),
                max(0, box[1].start * step - margin),
                min(width, box[1].stop * step + margin),
            )
        )
    return out
