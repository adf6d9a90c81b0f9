"""Opening raster files (TIFF, PNG, JPEG) safely: pixel limits, minimum size, resolution, frames.

Pillow is lazy: ``Image.open`` reads the header only, so sizes are checked before any pixel is decoded.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator

from PIL import Image, ImageOps, UnidentifiedImageError

from extractors.img_modes import to_rgb_or_l
from pipelines.errors import BadInputError, QuarantineError

MAX_PIXELS = 200_000_000  # one page; an A0 map at 300 dpi is ~140 megapixels
MIN_SIDE_PX = 100
DEFAULT_DPI = 300
MIN_DPI = 50
MAX_DPI = 2400
_MAX_PLAUSIBLE_INCHES = 48.0  # A0 is 46.8 in
_SCREEN_DPIS = (72, 96)  # what software writes when it knows nothing
_MAX_SCREEN_TAG_INCHES = 17.0

# Explicit limit for the whole process (Pillow's default is ~89 megapixels); a bigger image is refused by
# us before Pillow would warn or raise on its own.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

_PIL_FORMATS = {"tiff": "TIFF", "png": "PNG", "jpeg": "JPEG"}
_LABELS = {"tiff": "TIFF", "png": "PNG image", "jpeg": "JPEG image"}


def open_image(data: bytes, kind: str) -> Image.Image:
    """Open (lazily) a TIFF/PNG/JPEG. Raises QuarantineError for a decompression bomb, BadInputError if damaged."""
    label = _LABELS[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[kind]])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise QuarantineError(_bomb_message(str(exc))) from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
            raise BadInputError(f"damaged {label}: {exc}; rescan or re-export the file") from exc
    return image


def frame_count(image: Image.Image, kind: str) -> int:
    """Pages in the file: every frame of a TIFF; PNG/JPEG are one page (APNG/MPO extras are ignored)."""
    if kind != "tiff":
        return 1
    try:
        return max(1, int(getattr(image, "n_frames", 1)))
    except (OSError, ValueError, EOFError, SyntaxError) as exc:
        raise BadInputError(f"damaged TIFF: its page directory cannot be read ({exc})") from exc


def check_frame_size(size: tuple[int, int], *, page: int, pages: int, kind: str) -> None:
    """Refuse bombs (QuarantineError) and images too small to be a page (BadInputError)."""
    width, height = size
    where = f"page {page} of the {_LABELS[kind]}" if pages > 1 else f"the {_LABELS[kind]}"
    if width * height > MAX_PIXELS:
        raise QuarantineError(
            f"image too large: {where} is {width}×{height} pixels ({width * height // 1_000_000} megapixels, "
            f"limit {MAX_PIXELS // 1_000_000}); refused as a possible decompression bomb"
        )
    if min(width, height) < MIN_SIDE_PX:
        raise BadInputError(
            f"image too small: {where} is {width}×{height} pixels; a page needs at least "
            f"{MIN_SIDE_PX} pixels on each side, rescan it"
        )


def check_all_frames(image: Image.Image, kind: str, pages: int) -> None:
    """Check size and resolution of every frame from its header (no decoding), then go back to the first."""
    for i in range(pages):
        try:
            image.seek(i)
        except (OSError, ValueError, EOFError, SyntaxError) as exc:
            raise BadInputError(f"page {i + 1} of the {_LABELS[kind]} is damaged: {exc}") from exc
        check_frame_size(image.size, page=i + 1, pages=pages, kind=kind)
        image_dpi(image.size, image.info, page=i + 1, pages=pages, kind=kind)
    image.seek(0)


def image_dpi(size: tuple[int, int], info: dict, *, page: int, pages: int, kind: str) -> int:
    """Resolution from the file's metadata (JFIF/TIFF/pHYs); DEFAULT_DPI when absent or absurd.

    Raises BadInputError when the metadata is believable and says the page was scanned below MIN_DPI.
    """
    raw = info.get("dpi")
    try:
        dpi = round(float(raw[0] if isinstance(raw, tuple | list) else raw)) if raw is not None else 0
    except (TypeError, ValueError, IndexError):
        dpi = 0
    if dpi <= 1 or dpi > MAX_DPI:
        return DEFAULT_DPI
    inches = max(size) / dpi
    if dpi < MIN_DPI:
        if inches <= _MAX_SCREEN_TAG_INCHES:
            where = f"page {page} of the {_LABELS[kind]}" if pages > 1 else f"the {_LABELS[kind]}"
            raise BadInputError(
                f"resolution too low: {where} is {size[0]}×{size[1]} pixels at {dpi} dpi; "
                f"rescan at 200 dpi or more"
            )
        return DEFAULT_DPI
    if inches > _MAX_PLAUSIBLE_INCHES or (dpi in _SCREEN_DPIS and inches > _MAX_SCREEN_TAG_INCHES):
        return DEFAULT_DPI
    return dpi


def iter_frames(image: Image.Image, kind: str, pages: int) -> Iterator[tuple[int, Image.Image, int]]:
    """Yield ``(index, page image in RGB or L, dpi)`` one frame at a time; a broken frame names its page."""
    for i in range(pages):
        try:
            image.seek(i)
            image.load()
            frame = image.copy()
        except MemoryError:
            raise
        except Exception as exc:  # any decoder failure of this frame
            where = f"page {i + 1} of the {_LABELS[kind]}" if pages > 1 else f"the {_LABELS[kind]}"
            raise BadInputError(f"{where} is damaged: {exc}; rescan or re-export the file") from exc
        dpi = image_dpi(frame.size, image.info, page=i + 1, pages=pages, kind=kind)
        if kind == "jpeg":
            frame = ImageOps.exif_transpose(frame)  # phone photos: honour the EXIF orientation
        yield i, to_rgb_or_l(frame), dpi


def is_lossy(image: Image.Image, kind: str) -> bool:
    """True for a JPEG file or a JPEG-compressed TIFF."""
    if kind == "jpeg":
        return True
    return kind == "tiff" and str(image.info.get("compression", "")).startswith("jpeg")


def is_plain_single_image(image: Image.Image, kind: str) -> bool:
    """True when the file's bytes can go to Tesseract as they are (no decode/encode): a JPEG or PNG in 8-bit
    grey or RGB, without transparency or an EXIF rotation to apply. Tesseract embeds a JPEG file unchanged."""
    if kind not in ("jpeg", "png") or image.mode not in ("RGB", "L") or "transparency" in image.info:
        return False
    if kind == "png":
        return True
    try:
        orientation = image.getexif().get(0x0112, 1)
    except Exception:  # unreadable EXIF: the pixels are decoded anyway
        return False
    return orientation in (None, 1)


def _bomb_message(pillow_message: str) -> str:
    match = re.search(r"\((\d+) pixels\)", pillow_message)
    size = f" ({int(match.group(1)) // 1_000_000} megapixels)" if match else ""
    return (
        f"image too large{size}, limit {MAX_PIXELS // 1_000_000} megapixels; "
        "refused as a possible decompression bomb"
    )
