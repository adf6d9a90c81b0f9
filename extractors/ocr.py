"""Tesseract OCR: one pass per page gives the words (boxes, confidences) AND the searchable PDF page.

What Tesseract gets decides what the archive keeps: a JPEG input file is embedded in its PDF unchanged, any
other image is stored losslessly (Flate). So the page goes to Tesseract as the scanner's own JPEG bytes when
preparation left it untouched, as a fresh JPEG (quality ``JPEG_QUALITY``) when the scan was lossy anyway, and
as PNG otherwise: a JPEG scan never becomes a PNG several times its size.

Orientation costs nothing on upright pages: OSD runs only when the first reading is poor
(``needs_orientation_check``), then the page is turned and read again.

``pytesseract.run_and_get_multiple_output`` takes no ``config`` and its temporary PNG loses the image's
resolution (Tesseract would then assume 70 dpi and make a huge PDF page), so we write the PNG ourselves
with its dpi and call ``pytesseract.pytesseract.run_tesseract`` with ``pdf tsv`` and ``--dpi``: the
same single Tesseract run. Safe to call from several threads (one subprocess and one temporary
directory per call).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import unicodedata
from pathlib import Path

from PIL import Image
from pytesseract import pytesseract as tesseract

from extractors.img_modes import to_rgb_or_l
from extractors.img_orientation import rotate_clockwise
from extractors.pages import PageInput, open_document
from extractors.prepare import PreparedPage, prepare_page, turn_upright
from pipelines.errors import BadInputError, ConfigurationError
from pipelines.model import PageText, Word

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # inherited by every Tesseract subprocess

OCR_TIMEOUT_S = 600  # a stuck Tesseract is killed; a dense A4 page takes a few seconds
JPEG_QUALITY = 90  # re-encoding a lossy scan that had to be turned: close to scanners' own settings
ORIENTATION_CHECK_CONFIDENCE = 0.7  # measured: upright pages 0.85-0.97 (hard scans ~0.8), upside down < 0.5
ORIENTATION_CHECK_MIN_WORDS = 5


def ocr_page(
    image: Image.Image,
    *,
    index: int,
    dpi: int,
    lang: str = "vie",
    original: bytes | None = None,
    lossy: bool = False,
) -> PageText:
    """Recognise one page image. ``PageText.pdf`` is a one-page PDF: the image (colour kept) + invisible text.

    ``original``: the file's JPEG or PNG bytes of exactly this image (a JPEG is embedded unchanged); ``lossy``: the scan was
    JPEG-compressed, so a JPEG copy is good enough for the archive.
    """
    page = to_rgb_or_l(image)
    with tempfile.TemporaryDirectory(prefix="sohoa-ocr-") as work:
        if original is not None:
            source = Path(work) / ("page.png" if original.startswith(b"\x89PNG") else "page.jpg")
            source.write_bytes(original)
        elif lossy:
            source = Path(work) / "page.jpg"
            page.save(source, format="JPEG", quality=JPEG_QUALITY, dpi=(dpi, dpi))
        else:
            source = Path(work) / "page.png"
            page.save(source, format="PNG", dpi=(dpi, dpi), compress_level=1)
        base = Path(work) / "page"
        _run_tesseract(source, base, lang=lang, dpi=dpi, index=index)
        pdf = base.with_suffix(".pdf").read_bytes()
        tsv = base.with_suffix(".tsv").read_text(encoding="utf-8", errors="replace")
    words = parse_tsv(tsv)
    return PageText(
        index=index,
        width=page.width,
        height=page.height,
        dpi=dpi,
        source="ocr",
        words=words,
        text=_text_of(words),
        mean_confidence=statistics.fmean(w.confidence for w in words) if words else 0.0,
        pdf=pdf,
    )


def read_page(page: PageInput, lang: str = "vie", *, orientation: bool = True) -> PageText:
    """The text of one page as ``ingest`` gets it: the text layer, or prepare + OCR (notes, blank set).

    ``orientation``: when the first reading is poor, ask OSD whether the page is turned and read it again.
    """
    if page.text_page is not None:
        return page.text_page
    if page.image is None:
        raise ValueError(f"page {page.index + 1} has neither an image nor a text layer")
    prepared = prepare_page(page.image, page.dpi)
    text = _ocr_prepared(prepared, page, lang)
    if orientation and not prepared.blank and needs_orientation_check(text):
        retry = PreparedPage(image=prepared.image, dpi=prepared.dpi, notes=list(prepared.notes))
        retry.changed = prepared.changed
        if not turn_upright(retry):  # OSD unsure (little text): a sheet put in upside down is the usual case
            retry.image = rotate_clockwise(retry.image, 180)
            retry.notes.append("rotated 180 (read better that way)")
            retry.changed = True
        second = _ocr_prepared(retry, page, lang)
        if second.mean_confidence > text.mean_confidence:
            prepared, text = retry, second
    text.blank = prepared.blank
    text.notes = list(prepared.notes)
    if page.source_dpi is not None and page.source_dpi != page.dpi:
        text.notes.append(f"scanned at {page.source_dpi} dpi, rendered at {page.dpi} dpi")
    return text


def needs_orientation_check(text: PageText) -> bool:
    """A reading so poor that the page may be upside down or sideways: low confidence or almost no words."""
    return (
        len(text.words) < ORIENTATION_CHECK_MIN_WORDS or text.mean_confidence < ORIENTATION_CHECK_CONFIDENCE
    )


def _ocr_prepared(prepared: PreparedPage, page: PageInput, lang: str) -> PageText:
    original = page.original if not prepared.changed else None
    return ocr_page(
        prepared.image, index=page.index, dpi=prepared.dpi, lang=lang, original=original, lossy=page.lossy
    )


def ocr_text(data: bytes, name: str, lang: str = "vie") -> str:
    """All pages of a file (text layer or OCR), NFC, pages separated by a form feed (for ``sohoa ocr``)."""
    with open_document(data, name) as document:
        return "\f".join(read_page(page, lang).text for page in document.pages())


def parse_tsv(tsv: str) -> list[Word]:
    """Words of Tesseract's TSV; line number = running index of (block, paragraph, line) in reading order."""
    words: list[Word] = []
    line_numbers: dict[tuple[int, int, int], int] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = unicodedata.normalize("NFC", cols[11]).strip()
        if not text:
            continue
        block, par, line = int(cols[2]), int(cols[3]), int(cols[4])
        left, top, width, height = (int(c) for c in cols[6:10])
        confidence = min(1.0, max(0.0, float(cols[10]) / 100.0))
        number = line_numbers.setdefault((block, par, line), len(line_numbers))
        words.append(
            Word(
                text=text,
                confidence=confidence,
                bbox=(left, top, left + width, top + height),
                line=number,
                block=block,
            )
        )
    return words


def _text_of(words: list[Word]) -> str:
    lines: dict[int, list[str]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w.text)
    return "\n".join(" ".join(ws) for _, ws in sorted(lines.items()))


def _run_tesseract(source: Path, base: Path, *, lang: str, dpi: int, index: int) -> None:
    try:
        tesseract.run_tesseract(
            str(source),
            str(base),
            extension="pdf tsv",
            lang=lang,
            config=f"--dpi {dpi} -c tessedit_create_tsv=1",
            timeout=OCR_TIMEOUT_S,
        )
    except tesseract.TesseractNotFoundError as exc:
        raise ConfigurationError("Tesseract is not installed: apt-get install tesseract-ocr") from exc
    except tesseract.TesseractError as exc:
        message = str(exc.message or exc)
        if "Failed loading language" in message or "loading language" in message.lower():
            raise ConfigurationError(
                f"Tesseract language '{lang}' is not installed: apt-get install tesseract-ocr-{lang}"
            ) from exc
        raise BadInputError(f"page {index + 1} could not be read by OCR: {message.strip()[:200]}") from exc
    except RuntimeError as exc:  # pytesseract's timeout
        raise BadInputError(f"page {index + 1}: OCR did not finish within {OCR_TIMEOUT_S} s") from exc
