"""Writing pages as the files a scanner or an office application would produce (deterministic bytes)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pikepdf
from PIL import Image

from pipelines.image_pdf import jpeg_page, save

from .degrade import Degraded


def write_jpeg(path: Path, page: Degraded) -> None:
    page.image.save(path, "JPEG", quality=page.jpeg_quality or 92, dpi=(page.dpi, page.dpi))


def write_png(path: Path, page: Degraded) -> None:
    page.image.save(path, "PNG", dpi=(page.dpi, page.dpi), compress_level=6)


def write_tiff(path: Path, pages: Sequence[Degraded]) -> None:
    """A (multi-page) TIFF: JPEG-compressed when the scanner was lossy, LZW otherwise."""
    lossy = pages[0].jpeg_quality is not None
    kw = {"compression": "jpeg", "quality": pages[0].jpeg_quality} if lossy else {"compression": "tiff_lzw"}
    images = [p.image for p in pages]
    images[0].save(
        path, "TIFF", save_all=True, append_images=images[1:], dpi=(pages[0].dpi, pages[0].dpi), **kw
    )


def image_pdf(pages: Sequence[Degraded]) -> bytes:
    """An image-only PDF (no text layer), one JPEG per page at its scan resolution."""
    encoded = []
    for page in pages:
        buf = io.BytesIO()
        img = page.image if page.image.mode in ("RGB", "L") else page.image.convert("RGB")
        img.save(buf, "JPEG", quality=page.jpeg_quality or 90)
        encoded.append((buf.getvalue(), page.dpi))
    return jpeg_pdf(encoded)


def jpeg_pdf(pages: Sequence[tuple[bytes, int]]) -> bytes:
    """An image-only PDF from JPEG files as a scanner writes them: (JPEG bytes, dpi) per page, the JPEG
    streams embedded untouched."""
    pdf = pikepdf.new()
    for data, dpi in pages:
        pdf.pages.append(jpeg_page(pdf, data, dpi))
    return save(pdf)


def write_image_pdf(path: Path, pages: Sequence[Degraded]) -> None:
    path.write_bytes(image_pdf(pages))


def to_rgb(image: Image.Image) -> Image.Image:
    return image if image.mode == "RGB" else image.convert("RGB")
