"""Scan degradation: skew, uneven light, paper tint, noise, blur, resolution, JPEG artefacts, upside down."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops, ImageFilter

LEVELS = ("clean", "light", "scan", "hard")


@dataclass(frozen=True)
class Degraded:
    image: Image.Image
    dpi: int
    jpeg_quality: int | None  # the quality a scanner would have saved with (None: lossless)
    level: str


def pick_level(rng: random.Random, level: str) -> str:
    if level == "mixed":
        return rng.choices(["clean", "scan", "hard"], [3, 5, 2])[0]
    if level not in LEVELS:
        raise ValueError(f"unknown degradation level {level!r}: use clean, scan, hard or mixed")
    return level


def degrade(image: Image.Image, rng: random.Random, level: str, src_dpi: int = 300) -> Degraded:
    """Make a clean page look scanned. ``light`` keeps it lossless-friendly (no noise): skew and light only."""
    level = pick_level(rng, level)
    if level == "clean":
        return Degraded(image.convert("RGB"), src_dpi, None, level)
    np_rng = np.random.default_rng(rng.getrandbits(64))
    hard = level == "hard"
    dpi = 200 if hard else (300 if level == "light" else rng.choice([200, 240, 300, 300]))
    angle = rng.uniform(-1.0, 1.0) if level == "light" else rng.uniform(-3.0, 3.0)
    paper = (rng.randint(238, 252), rng.randint(236, 250), rng.randint(228, 246))
    img = image.convert("RGB")
    if dpi != src_dpi:  # a lower scan resolution: area averaging, as the sensor does
        img = img.resize(
            (round(img.width * dpi / src_dpi), round(img.height * dpi / src_dpi)), Image.Resampling.BOX
        )
    img = img.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=(255, 255, 255))
    img = ImageChops.multiply(img, _lighting(rng, img.size, paper))
    if level != "light":
        sigma = rng.uniform(6.0, 12.0) if hard else rng.uniform(2.0, 6.0)
        img = _add_noise(img, np_rng, sigma, 0.0008 if hard else 0.0002)
    blur = rng.uniform(0.6, 1.0) if hard else rng.uniform(0.0, 0.6)
    if blur > 0.2:
        img = img.filter(ImageFilter.BoxBlur(blur))
    if hard:
        img = img.convert("L")
        if rng.random() < 0.5:
            img = img.rotate(180)
    quality = None if level == "light" else rng.randint(60, 90)
    return Degraded(img, dpi, quality, level)


def _lighting(rng: random.Random, size: tuple[int, int], paper: tuple[int, int, int]) -> Image.Image:
    """Paper tint times uneven light (a gradient, darker corners, sometimes a dark edge), as an RGB image."""
    w, h = size
    sw, sh = max(8, w // 32), max(8, h // 32)
    gy = np.linspace(-1, 1, sh, dtype=np.float32)[:, None]
    gx = np.linspace(-1, 1, sw, dtype=np.float32)[None, :]
    shade = 1.0 + rng.uniform(-0.06, 0.06) * gx + rng.uniform(-0.06, 0.06) * gy
    shade = shade - rng.uniform(0.0, 0.08) * (gx**2 + gy**2) ** 2
    if rng.random() < 0.5:  # a dark border where the scanner lid did not close
        if rng.random() < 0.5:
            shade[:, :1] *= 0.45
        else:
            shade[:1, :] *= 0.45
    tint = shade[..., None] * np.array(paper, dtype=np.float32)[None, None, :]
    small = Image.fromarray(np.clip(tint, 0, 255).astype(np.uint8), "RGB")
    return small.resize(size, Image.Resampling.BILINEAR)


def _add_noise(img: Image.Image, np_rng: np.random.Generator, sigma: float, speck_rate: float) -> Image.Image:
    """Sensor noise (a seeded 256 x 256 tile repeated over the page) and a few dark specks."""
    w, h = img.size
    tile = np.rint(np_rng.standard_normal((256, 256), dtype=np.float32) * sigma).astype(np.int16)
    noise = np.tile(tile, (h // 256 + 1, w // 256 + 1))[:h, :w]
    arr = np.asarray(img, dtype=np.int16) + noise[..., None]
    n = int(w * h * speck_rate)
    arr[np_rng.integers(0, h, n), np_rng.integers(0, w, n)] = 40
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def jpeg_roundtrip(image: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    out = Image.open(buf)
    out.load()
    return out


def degrade_page(image: Image.Image, *, rng: random.Random, level: str) -> tuple[Image.Image, int]:
    """The page as a scanner would deliver it, and its resolution in dpi.

    ``level``: ``clean`` (300 dpi, untouched), ``scan`` (skew up to 3°, noise, slight blur, 200-300 dpi, JPEG
    quality 60-90, uneven light), ``hard`` (as scan, stronger, 200 dpi greyscale, sometimes upside down) or
    ``mixed`` (one of them at random).
    """
    d = degrade(image, rng, level)
    return (jpeg_roundtrip(d.image, d.jpeg_quality) if d.jpeg_quality else d.image), d.dpi
