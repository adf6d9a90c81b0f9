"""Opening an input file and streaming its pages, one at a time.

``open_document`` looks at the bytes (not only the name), refuses what cannot or must not be processed
with a typed error in plain words, and returns an ``OpenedDocument`` whose ``pages()`` yields either a
rendered image to OCR or, for a born-digital PDF page, its text layer.
"""

from __future__ import annotations

import io
import math
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

import pdfplumber
import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from extractors import img_files
from extractors.pdf_jpeg_page import scanner_jpeg
from extractors.textlayer import has_usable_text, text_layer_page
from pipelines.errors import BadInputError, QuarantineError
from pipelines.logs import get_logger
from pipelines.model import PageText

log = get_logger(__name__)

DocumentKind = Literal["pdf", "tiff", "png", "jpeg"]

_KIND_BY_EXTENSION: dict[str, DocumentKind] = {
    ".pdf": "pdf",
    ".tif": "tiff",
    ".tiff": "tiff",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
}
SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(_KIND_BY_EXTENSION)
_KIND_NAMES: dict[DocumentKind, str] = {"pdf": "a PDF", "tiff": "a TIFF", "png": "a PNG", "jpeg": "a JPEG"}

PDF_RENDER_DPI = 300
PDF_MIN_RENDER_DPI = 200
PDF_MAX_RENDER_DPI = 400
_PDF_SCAN_IMAGE_SHARE = 0.5  # the largest image must cover this much of the page to set the render dpi
_PDF_EOF_WINDOW = 4096

# PDFium is not thread-safe, not even across documents: every call into it goes through this lock.
_PDFIUM_LOCK = threading.RLock()


@dataclass
class PageInput:
    index: int  # 0-based
    image: Image.Image | None  # a page to OCR (RGB or L), None when text_page is set
    dpi: int
    text_page: PageText | None = None  # a PDF page whose text layer is usable (born-digital)
    source_dpi: int | None = None  # resolution of the scan itself when known (a PDF page may be upsampled)
    original: bytes | None = None  # the file's own JPEG/PNG bytes when ``image`` is exactly them
    lossy: bool = False  # the scan was JPEG-compressed: the archive copy may be JPEG too (no PNG bloat)


class OpenedDocument(ABC):
    """An opened input file. Use as a context manager, or call ``close()``."""

    kind: DocumentKind
    page_count: int

    @abstractmethod
    def pages(self) -> Iterator[PageInput]:
        """Yield the pages in order, one at a time; a broken page raises BadInputError naming it."""

    def page(self, index: int) -> PageInput | None:
        """Page ``index`` alone (0-based), None when there is no such page. Frames of an image file are
        decoded in order up to it; a PDF page is read directly."""
        return next((p for p in self.pages() if p.index == index), None)

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> OpenedDocument:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open_document(data: bytes, name: str) -> OpenedDocument:
    """Open ``data`` (the bytes of the file called ``name``); see the module docstring for what is refused."""
    extension = os.path.splitext(os.path.basename(name.replace("\\", "/")))[1].lower()
    if not data:
        raise QuarantineError("empty file (0 bytes)")
    if extension and extension not in SUPPORTED_EXTENSIONS:
        raise QuarantineError(f"unsupported file type '{extension}': send PDF, TIFF, PNG or JPEG")
    kind = sniff_kind(data)
    if kind is None:
        claimed = _KIND_NAMES[_KIND_BY_EXTENSION[extension]] if extension else "a PDF, TIFF, PNG or JPEG"
        raise QuarantineError(f"the file is not {claimed}: its content is {describe_content(data)}")
    if extension and kind != _KIND_BY_EXTENSION[extension]:
        log.info("file named %s is really %s; reading it as such", extension, kind)
    if kind == "pdf":
        return PdfDocument(data)
    return ImageDocument(data, kind)


def sniff_kind(data: bytes) -> DocumentKind | None:
    """The real type from the first bytes (magic numbers)."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    return None


def describe_content(data: bytes) -> str:
    """A few words saying what unsupported content looks like, for error messages."""
    head = data[:2048]
    signatures: list[tuple[bytes, str]] = [
        (b"PK\x03\x04", "a ZIP archive or an Office document"),
        (b"GIF8", "a GIF image"),
        (b"BM", "a BMP image"),
        (b"\xd0\xcf\x11\xe0", "an old Office document"),
        (b"{\\rtf", "an RTF document"),
        (b"\x1f\x8b", "gzip-compressed data"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xbc\xaf", "a 7-Zip archive"),
    ]
    for magic, what in signatures:
        if head.startswith(magic):
            return what
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "a WebP image"
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
        if len(head) == 2048:  # a multi-byte character may be cut at the window's end
            try:
                text = head[:-4].decode("utf-8")
            except UnicodeDecodeError:
                text = ""
    if text and sum(ch.isprintable() or ch in "\r\n\t" for ch in text) / len(text) > 0.95:
        return "plain text"
    return "unrecognised binary data"


class PdfDocument(OpenedDocument):
    """A PDF: text layer via pdfplumber where usable, otherwise rendered by PDFium."""

    kind: DocumentKind = "pdf"

    def __init__(self, data: bytes) -> None:
        if b"%%EOF" not in data[-_PDF_EOF_WINDOW:]:
            raise BadInputError(
                "damaged PDF: the file is truncated (its end-of-file marker is missing); "
                "rescan or re-export the file"
            )
        with _PDFIUM_LOCK:
            try:
                self._pdfium = pdfium.PdfDocument(data)
            except pdfium.PdfiumError as exc:
                if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
                    raise BadInputError("encrypted PDF: a password is needed") from exc
                raise BadInputError(
                    f"damaged PDF: {_pdfium_reason(exc)}; rescan or re-export the file"
                ) from exc
            self.page_count = len(self._pdfium)
        if self.page_count == 0:
            self.close()
            raise BadInputError("damaged PDF: it has no pages; rescan or re-export the file")
        self._data = data
        self._plumber: Any = None
        self._plumber_failed = False
        self._pike: pikepdf.Pdf | None = None
        self._pike_failed = False

    def pages(self) -> Iterator[PageInput]:
        for index in range(self.page_count):
            yield self._page(index)

    def page(self, index: int) -> PageInput | None:
        return self._page(index) if 0 <= index < self.page_count else None

    def close(self) -> None:
        if self._plumber is not None:
            self._plumber.close()
            self._plumber = None
        if self._pike is not None:
            self._pike.close()
            self._pike = None
        pdf = getattr(self, "_pdfium", None)
        if pdf is not None:
            with _PDFIUM_LOCK:
                pdf.close()
            self._pdfium = None

    def _page(self, index: int) -> PageInput:
        plumber_page = self._plumber_page(index)
        render_dpi, source_dpi, grey, lossy = PDF_RENDER_DPI, None, False, False
        if plumber_page is not None:
            try:
                if has_usable_text(plumber_page):
                    return PageInput(
                        index=index, image=None, dpi=72, text_page=text_layer_page(plumber_page, index)
                    )
                source_dpi = _native_dpi(plumber_page)
                grey = _only_grey_images(plumber_page)
                lossy = _has_lossy_images(plumber_page)
            except MemoryError:
                raise
            except Exception as exc:  # a content stream pdfminer cannot parse: let PDFium try to render it
                log.info("text layer of page %d unreadable (%s); rendering it", index + 1, type(exc).__name__)
            finally:
                plumber_page.close()
        if source_dpi is not None:
            if source_dpi < img_files.MIN_DPI:
                raise BadInputError(
                    f"page {index + 1} of the PDF is a scan at only {source_dpi} dpi: too coarse to read; "
                    "rescan at 200 dpi or more"
                )
            render_dpi = min(PDF_MAX_RENDER_DPI, max(PDF_MIN_RENDER_DPI, source_dpi))
            direct = self._scanner_jpeg(index, source_dpi) if lossy else None
            if direct is not None:
                return direct
        image, render_dpi = self._render(index, render_dpi, grey)
        return PageInput(index=index, image=image, dpi=render_dpi, source_dpi=source_dpi, lossy=lossy)

    def _plumber_page(self, index: int) -> Any:
        if self._plumber_failed:
            return None
        try:
            if self._plumber is None:
                self._plumber = pdfplumber.open(io.BytesIO(self._data))
            pages = self._plumber.pages
            return pages[index] if index < len(pages) else None
        except MemoryError:
            raise
        except Exception as exc:  # pdfminer is stricter than PDFium; rendering still works
            log.info("pdfplumber cannot read this PDF (%s); rendering every page", type(exc).__name__)
            self._plumber_failed = True
            return None

    def _scanner_jpeg(self, index: int, source_dpi: int) -> PageInput | None:
        """The page's own JPEG when the page is only that (``extractors.pdf_jpeg_page``) and its resolution
        needs no resampling; None otherwise (the page is rendered)."""
        if not PDF_MIN_RENDER_DPI <= source_dpi <= PDF_MAX_RENDER_DPI or self._pike_failed:
            return None
        try:
            if self._pike is None:
                self._pike = pikepdf.open(io.BytesIO(self._data))
            found = scanner_jpeg(self._pike, index)
            if found is None:
                return None
            data, dpi = found
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > img_files.MAX_PIXELS:
                return None
            image.load()
        except MemoryError:
            raise
        except Exception as exc:  # qpdf stricter or laxer than PDFium: rendering decides
            log.info(
                "page %d: scanner JPEG not taken as is (%s); rendering it", index + 1, type(exc).__name__
            )
            self._pike_failed = isinstance(exc, pikepdf.PdfError) and self._pike is None
            return None
        dpi_int = round(dpi)
        return PageInput(index=index, image=image, dpi=dpi_int, source_dpi=dpi_int, original=data, lossy=True)

    def _render(self, index: int, dpi: int, grey: bool) -> tuple[Image.Image, int]:
        with _PDFIUM_LOCK:
            page = self._pdfium[index]
            try:
                width_pt, height_pt = page.get_size()
                dpi = _fit_pixel_limit(dpi, width_pt, height_pt, index)
                bitmap = page.render(scale=dpi / 72, grayscale=grey)
                image = bitmap.to_pil().convert("L" if grey else "RGB")  # a copy owning its pixels
                bitmap.close()
            except pdfium.PdfiumError as exc:
                raise BadInputError(
                    f"page {index + 1} of the PDF is damaged: {_pdfium_reason(exc)}; rescan or re-export the file"
                ) from exc
            finally:
                page.close()
        return image, dpi


class ImageDocument(OpenedDocument):
    """A TIFF (one page per frame), PNG or JPEG; frames are decoded one at a time."""

    def __init__(self, data: bytes, kind: DocumentKind) -> None:
        self.kind = kind
        self._image: Image.Image | None = img_files.open_image(data, kind)
        self._data = data
        try:
            self.page_count = img_files.frame_count(self._image, kind)
            img_files.check_all_frames(self._image, kind, self.page_count)
        except BaseException:
            self.close()
            raise

    def pages(self) -> Iterator[PageInput]:
        if self._image is None:
            raise ValueError("the document is closed")
        lossy = img_files.is_lossy(self._image, self.kind)
        for index, image, dpi in img_files.iter_frames(self._image, self.kind, self.page_count):
            original = self._data if img_files.is_plain_single_image(self._image, self.kind) else None
            yield PageInput(index=index, image=image, dpi=dpi, source_dpi=dpi, original=original, lossy=lossy)

    def close(self) -> None:
        if self._image is not None:
            self._image.close()
            self._image = None
        self._data = b""


def _native_dpi(page: Any) -> int | None:
    """Resolution of the page's largest image when it covers much of the page (a scan), else None."""
    area = float(page.width) * float(page.height)
    best: tuple[float, dict[str, Any]] | None = None
    for img in page.images:
        covered = (float(img["x1"]) - float(img["x0"])) * (float(img["bottom"]) - float(img["top"]))
        if best is None or covered > best[0]:
            best = (covered, img)
    if best is None or area <= 0 or best[0] < _PDF_SCAN_IMAGE_SHARE * area:
        return None
    covered, img = best
    src_w, src_h = (int(v) for v in img.get("srcsize", (0, 0)))
    if src_w <= 0 or src_h <= 0 or covered <= 0:
        return None
    # Area-based, so a 90°-rotated image placement gives the same answer.
    return round(math.sqrt(src_w * src_h / (covered / 72.0 / 72.0)))


def _only_grey_images(page: Any) -> bool:
    """True when the page has images and all of them are grey or 1-bit (render in grey: smaller, same look)."""
    images = page.images
    if not images:
        return False
    for img in images:
        colour_space = str(img.get("colorspace", ""))
        if img.get("bits") != 1 and "Gray" not in colour_space:
            return False
    return True


def _has_lossy_images(page: Any) -> bool:
    """True when an image of the page is JPEG or JPEG 2000 compressed (a scanner's lossy output)."""
    for img in page.images:
        stream = img.get("stream")
        filters = str(stream.get("Filter", "")) if stream is not None else ""
        if "DCT" in filters or "JPX" in filters:
            return True
    return False


def _fit_pixel_limit(dpi: int, width_pt: float, height_pt: float, index: int) -> int:
    """Lower the render dpi of a very large page so it stays under the pixel limit."""
    pixels = (width_pt / 72 * dpi) * (height_pt / 72 * dpi)
    if pixels <= img_files.MAX_PIXELS:
        return dpi
    fitted = math.floor(math.sqrt(img_files.MAX_PIXELS * 72 * 72 / (width_pt * height_pt)))
    if fitted < img_files.MIN_DPI:
        raise QuarantineError(
            f"page {index + 1} of the PDF is too large ({width_pt / 72:.0f}×{height_pt / 72:.0f} inches) to render"
        )
    log.info("page %d is large; rendering at %d dpi instead of %d", index + 1, fitted, dpi)
    return fitted


def _pdfium_reason(exc: Exception) -> str:
    message = str(exc)
    if "(PDFium:" in message:
        return message.split("(PDFium:", 1)[1].rstrip(").").strip().lower()
    return message
