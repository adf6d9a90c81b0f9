"""Bring any Pillow image to a mode Tesseract and the PDF writer handle well: ``RGB`` or ``L``.

Colour is kept (seals and handwriting must stay visible in the archived copy); transparency is
flattened onto white paper; 1-bit, 16-bit and exotic modes become 8-bit grey or RGB.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

OCR_MODES = frozenset({"RGB", "L"})


def to_rgb_or_l(image: Image.Image) -> Image.Image:
    """Return ``image`` in mode ``RGB`` or ``L`` (the same object when it already is)."""
    mode = image.mode
    if mode in OCR_MODES:
        return image
    if mode == "1":
        return image.convert("L")
    if mode in ("LA", "La") or (mode in ("RGBA", "RGBa", "PA", "P") and _has_alpha(image)):
        return _flatten_on_white(image)
    if mode == "P":
        return _palette_to_rgb_or_l(image)
    if mode.startswith("I") or mode == "F":
        return _deep_to_l(image)
    return image.convert("RGB")  # CMYK, YCbCr, LAB, HSV, RGBX, ...


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "RGBa", "PA", "LA", "La") or "transparency" in image.info


def _flatten_on_white(image: Image.Image) -> Image.Image:
    if image.mode in ("LA", "La"):
        grey = image.convert("LA")
        paper = Image.new("L", grey.size, 255)
        paper.paste(grey.getchannel("L"), mask=grey.getchannel("A"))
        return paper
    rgba = image.convert("RGBA")
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    paper.alpha_composite(rgba)
    return paper.convert("RGB")


def _palette_to_rgb_or_l(image: Image.Image) -> Image.Image:
    rgb = image.convert("RGB")
    palette = image.getpalette() or []
    triples = [palette[i : i + 3] for i in range(0, len(palette), 3)]
    if triples and all(r == g == b for r, g, b in triples):
        return rgb.convert("L")
    return rgb


def _deep_to_l(image: Image.Image) -> Image.Image:
    """16/32-bit integer or float grey: stretch the used range to 0..255."""
    wide = image.convert("F") if image.mode == "F" else image.convert("I")
    lo, hi = wide.getextrema()
    if hi <= lo:
        return Image.new("L", image.size, 255 if hi > 0 else 0)
    scale = 255.0 / (hi - lo)
    return wide.point(lambda v: (v - lo) * scale).convert("L")


def pixel_median(pixels: np.ndarray) -> float:
    """``np.median`` of 8-bit pixel values (any integer array holding 0..255), from their histogram: linear
    time instead of a partition of the whole page (the median paper tone is taken on every page, often)."""
    flat = pixels.ravel()
    if flat.size == 0:
        return float("nan")
    counts = np.cumsum(np.bincount(flat, minlength=256))
    lower = int(np.searchsorted(counts, (flat.size - 1) // 2, side="right"))
    upper = int(np.searchsorted(counts, flat.size // 2, side="right"))
    return (lower + upper) / 2
