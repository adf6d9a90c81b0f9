"""Tesseract OCR: one pass per page gives the words (boxes, confidences) AND the searchable PDF page.

What Tesseract gets decides what the archive keeps: a JPEG input file is embedded in its PDF unchanged, any
other image is stored losslessly (Flate). So a page that preparation left untouched goes to Tesseract as the
scanner's own JPEG or PNG bytes, as a fresh JPEG (quality ``JPEG_QUALITY``) when the scan was lossy anyway,
and as an uncompressed PNM otherwise (Tesseract re-compresses a PNG itself: encoding one first only costs
time). A JPEG scan never becomes a PNG several times its size.

A page preparation had to turn (askew, upside down) is read from its grey turned copy, Tesseract writing
only the text (``textonly_pdf``); the page PDF then draws the page as it came (the scanner's bytes, else as
above) under that text with the preparation's transform (``archive_page``): the archive keeps the scan's
own pixels and colour, shown straight, and the words' boxes are those of the page as shown.

Tesseract's page layout (psm 3, measured best on these forms: psm 4 and 6 lose more, 11/12 far more) now and
then drops a whole line, a lone page number or a line ending in a dot leader. ``ocr_page`` then finds the ink
no word covers (``extractors.img_missed_lines``) and reads just those strips as single lines (psm 7), all in
ONE extra Tesseract run, only on pages that need it; their invisible text is laid over the page PDF at
the strip's place (pikepdf), the archive image is untouched. Lines that are not text (a dark scanner edge,
seal or scribble read as symbols with low confidence) are left out of the words (``drop_noise_lines``).

Dot leaders ("Họ và tên: NGUYỄN VĂN AN ...........") are taken off the copy Tesseract reads and given back
as words with their dots counted on the page (``add_leaders``): read with them, Tesseract loses the space
before the dots, miscounts them and now and then drops the whole line. The same extra run that reads the
dropped lines also reads again a word in capitals that lost the upper mark of a stacked capital to the page
layout ("NGUYÊN" for "NGUYỄN", ``extractors.img_missed_lines.marks_left_out``); only the marks are taken
from that second reading. Words read twice and stray marks are left out (``drop_noise_words``), and "m²",
which ``vie`` cannot spell, is given back where the page shows a raised two (``restore_square_metres``).

Orientation costs nothing on upright pages: OSD runs only when the first reading is poor
(``needs_orientation_check``), then the page is turned and read again.

``pytesseract.run_and_get_multiple_output`` takes no ``config`` and its temporary PNG loses the image's
resolution (Tesseract would then assume 70 dpi and make a huge PDF page), so we write the PNG ourselves
with its dpi and call ``pytesseract.pytesseract.run_tesseract`` with ``pdf tsv`` and ``--dpi``: the
same single Tesseract run. Safe to call from several threads (one subprocess and one temporary
directory per call).
"""

from __future__ import annotations

import io
import os
import re
import statistics
import tempfile
import unicodedata
from pathlib import Path

import numpy as np
import pikepdf
from PIL import Image
from pytesseract import pytesseract as tesseract

from extractors.img_missed_lines import (
    Leader,
    erase_leaders,
    find_leaders,
    marks_left_out,
    missed_lines,
    trailing_dots,
)
from extractors.img_modes import to_rgb_or_l
from extractors.normalize import fold
from extractors.pages import PageInput, open_document
from extractors.prepare import PreparedPage, prepare_page, turn_upright
from extractors.tesseract_slots import tesseract_slot
from pipelines.errors import BadInputError, ConfigurationError
from pipelines.image_pdf import jpeg_page, lossless_page
from pipelines.model import PageText, Word

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # inherited by every Tesseract subprocess

OCR_TIMEOUT_S = 600  # a stuck Tesseract is killed; a dense A4 page takes a few seconds
JPEG_QUALITY = 90  # re-encoding a lossy scan that had to be turned: close to scanners' own settings
ORIENTATION_CHECK_CONFIDENCE = 0.7  # measured: upright pages 0.85-0.97 (hard scans ~0.8), upside down < 0.5
ORIENTATION_CHECK_MIN_WORDS = 5
NOISE_LINE_CONFIDENCE = (
    0.6  # a line less sure than this AND mostly symbols is a scanner edge, seal or scribble
)
NOISE_LINE_TEXT_SHARE = 0.75  # letters and digits among its characters (dot leaders not counted)
DOT_LEADER_CONFIDENCE = 0.9  # dots counted on the page, not guessed by Tesseract
_FIRST_MARKS = {"\u0302", "\u0306", "\u031b"}  # circumflex, breve, horn: a tone mark may go above
_SQUARE_METRE = re.compile(r"m[2Zz?ˆ]([.,;:)]?)")  # how Tesseract vie reads "m²"
SUPERSCRIPT_RAISE = 0.3  # a superscript ends this share of the "m"'s height above its foot, or higher
INK_CONTRAST = 80  # darker than the paper by this much counts as ink
_LETTER_RUN = re.compile(r"([^\W\d_])\1{3,}")  # a letter four times in a row
DUPLICATE_SHARE = 0.5  # a word lying this much on a bigger word of another line was read twice
SPECK_CONFIDENCE = 0.7  # an unsure word of punctuation only ...
SPECK_HEIGHT_SHARE = 0.35  # ... this small beside its line's words ...
SPECK_GAP_SHARE = 1.5  # ... and this far (line heights) from all of them is a stray mark, not text
LEADER_MAX_GAP_MM = 20.0  # a leader this far from the nearest word on its baseline stands alone
LEADER_SPACE_SHARE = 0.5  # a gap before the dots this much (share of a dot's advance) wider than the gap
# between two dots holds a space: a full stop's advance is about a space's
RECOVERED_MIN_CONFIDENCE = 0.6  # a dropped text line reads at 0.75-0.95; seals and scribbles below 0.5
MAX_WORDS_READ_AGAIN = 12  # words in capitals read again for a mark cut off (a few on a page of names)
MARK_ROOM_SHARE = 0.5  # room above a word read again for its marks, as a share of its height  # a dropped text line reads at 0.75-0.95; seals and scribbles below 0.5


def ocr_page(
    image: Image.Image,
    *,
    index: int,
    dpi: int,
    lang: str = "vie",
    original: bytes | None = None,
    lossy: bool = False,
    recover: bool = True,
    source: Image.Image | None = None,
    transform: np.ndarray | None = None,
    leaders_apart: bool = True,
) -> PageText:
    """Recognise one page image. ``PageText.pdf`` is a one-page PDF: the image (colour kept) + invisible text.

    ``original``: the file's JPEG or PNG bytes of exactly the page as it came (a JPEG is embedded unchanged);
    ``lossy``: the scan was JPEG-compressed, so a JPEG copy is good enough for the archive. ``source`` and
    ``transform``: ``image`` is ``source`` turned by preparation (a 3x3 affine map of pixels, see
    ``extractors.prepare.PreparedPage``): ``image`` is read, ``source`` archived (``original`` being its bytes).
    ``recover``: read again the lines the page layout dropped (``extractors.img_missed_lines``), their words
    added to ``words`` and to the PDF's text. ``leaders_apart``: read the page without its dot leaders
    and give them back counted on the page (``add_leaders``).
    """
    page = to_rgb_or_l(image)
    leaders = find_leaders(page, dpi) if leaders_apart else []
    if leaders:  # read without them (see add_leaders); the archive shows the page as it came
        if source is None or transform is None:
            source, transform = page, np.eye(3)
        page = erase_leaders(page, leaders)
    turned = source is not None and transform is not None
    with tempfile.TemporaryDirectory(prefix="sohoa-ocr-") as work:
        base = Path(work) / "page"
        if turned:
            _run_tesseract(
                _write_for_ocr(page, Path(work), dpi),
                base,
                lang=lang,
                dpi=dpi,
                index=index,
                extra="-c textonly_pdf=1",
            )
            text_pdf = base.with_suffix(".pdf").read_bytes()
            pdf = archive_page(text_pdf, to_rgb_or_l(source), transform, dpi, original=original, lossy=lossy)
        else:
            _run_tesseract(
                _write_for_archive(page, Path(work), dpi, original=original, lossy=lossy),
                base,
                lang=lang,
                dpi=dpi,
                index=index,
            )
            pdf = base.with_suffix(".pdf").read_bytes()
        tsv = base.with_suffix(".tsv").read_text(encoding="utf-8", errors="replace")
        words = parse_tsv(tsv)
        if recover:
            words, pdf = _recover_missed_lines(page, dpi, words, pdf, Path(work), lang=lang, index=index)
        words = drop_noise_lines(drop_noise_words(words))
        words = add_leaders(add_trailing_dots(page, dpi, restore_square_metres(page, words)), leaders, dpi)
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


def read_page(
    page: PageInput, lang: str = "vie", *, orientation: bool = True, recover: bool = True
) -> PageText:
    """The text of one page as ``ingest`` gets it: the text layer, or prepare + OCR (notes, blank set).

    ``orientation``: when the first reading is poor, ask OSD whether the page is turned and read it again.
    ``recover``: read again the lines Tesseract's page layout dropped (see ``ocr_page``).
    """
    if page.text_page is not None:
        return page.text_page
    if page.image is None:
        raise ValueError(f"page {page.index + 1} has neither an image nor a text layer")
    prepared = prepare_page(page.image, page.dpi)
    text = _ocr_prepared(prepared, page, lang, recover)
    if orientation and not prepared.blank and needs_orientation_check(text):
        retry = PreparedPage(
            image=prepared.image,
            dpi=prepared.dpi,
            notes=list(prepared.notes),
            source=prepared.source,
            transform=prepared.transform,
        )
        if not turn_upright(retry):  # OSD unsure (little text): a sheet put in upside down is the usual case
            retry.turn_clockwise(180, "rotated 180 (read better that way)")
        second = _ocr_prepared(retry, page, lang, recover)
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


def _ocr_prepared(prepared: PreparedPage, page: PageInput, lang: str, recover: bool = True) -> PageText:
    return ocr_page(
        prepared.image,
        index=page.index,
        dpi=prepared.dpi,
        lang=lang,
        original=page.original,
        lossy=page.lossy,
        recover=recover,
        source=prepared.source,
        transform=prepared.transform,
    )


def _write_for_archive(
    page: Image.Image, work: Path, dpi: int, *, original: bytes | None, lossy: bool
) -> Path:
    """The file Tesseract reads AND embeds in its page PDF (see the module docstring)."""
    if original is not None:
        path = work / ("page.png" if original.startswith(b"\x89PNG") else "page.jpg")
        path.write_bytes(original)
    elif lossy:
        path = work / "page.jpg"
        page.save(path, format="JPEG", quality=JPEG_QUALITY, dpi=(dpi, dpi))
    else:
        path = _write_for_ocr(page, work, dpi)
    return path


def _write_for_ocr(page: Image.Image, work: Path, dpi: int) -> Path:
    """An uncompressed PNM (milliseconds, where a PNG takes a few hundred); Tesseract gets the dpi as ``--dpi``."""
    path = work / ("page.pgm" if page.mode == "L" else "page.ppm")
    page.save(path, format="PPM")
    return path


def archive_page(
    text_pdf: bytes,
    source: Image.Image,
    transform: np.ndarray,
    dpi: int,
    *,
    original: bytes | None = None,
    lossy: bool = False,
) -> bytes:
    """Tesseract's text-only page PDF with ``source`` drawn under the text through ``transform``.

    The image is the scanner's JPEG as it is (``original``), a JPEG (``lossy``) or lossless (Flate, or the
    scanner's PNG decoded): never turned or resampled, so the archive keeps its pixels; the viewer shows it
    turned exactly as the copy Tesseract read, so the text and the word boxes sit on the words.
    """
    if original is not None and original.startswith(b"\xff\xd8"):
        jpeg = original
    elif lossy:
        buf = io.BytesIO()
        source.save(buf, format="JPEG", quality=JPEG_QUALITY)
        jpeg = buf.getvalue()
    else:
        jpeg = None
    with pikepdf.open(io.BytesIO(text_pdf)) as pdf:
        page = pdf.pages[0]
        shown = jpeg_page(pdf, jpeg, dpi) if jpeg is not None else lossless_page(pdf, source, dpi)
        image = shown.obj.Resources.XObject.Im0
        height_pt = float(page.mediabox[3])
        points = 72.0 / dpi
        to_pdf = np.array([[points, 0, 0], [0, -points, height_pt], [0, 0, 1]])  # pixels (y down) -> points
        unit = np.array([[source.width, 0, 0], [0, -source.height, source.height], [0, 0, 1]])  # image space
        m = to_pdf @ transform @ unit
        cm = " ".join(f"{v:.6f}" for v in (m[0, 0], m[1, 0], m[0, 1], m[1, 1], m[0, 2], m[1, 2]))
        page.obj.Resources.XObject = pikepdf.Dictionary(Scan=image)  # Tesseract's text page: fonts only
        page.contents_add(pikepdf.Stream(pdf, f"q {cm} cm /Scan Do Q\n".encode()), prepend=True)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


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


def drop_noise_lines(words: list[Word]) -> list[Word]:
    """Leave out lines that are not text: unsure (< ``NOISE_LINE_CONFIDENCE``) and mostly symbols.

    A dark scanner edge, a seal or a signature reads as "—==—.ccoa,g eKeKNN", "@ØW% @WW" or
    "DỤ MMWWWWWWWWWWW" (a letter four times in a row: no Vietnamese word has that); a real line of
    Vietnamese is mostly letters and digits even when Tesseract is unsure of it. Dots do not count either
    way (a dot leader is printed text). The remaining lines are numbered again 0, 1, 2, ... in the same order.
    """
    lines: dict[int, list[Word]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    noise: set[int] = set()
    for number, line in lines.items():
        text = "".join(w.text for w in line).replace(".", "").replace("…", "")
        share = sum(ch.isalnum() for ch in text) / len(text) if text else 0.0
        if statistics.fmean(w.confidence for w in line) < NOISE_LINE_CONFIDENCE and (
            share < NOISE_LINE_TEXT_SHARE or _LETTER_RUN.search(text)
        ):
            noise.add(number)
    if not noise:
        return words
    renumber = {n: i for i, n in enumerate(sorted(set(lines) - noise))}
    kept = [w for w in words if w.line not in noise]
    for w in kept:
        w.line = renumber[w.line]
    return kept


def drop_noise_words(words: list[Word]) -> list[Word]:
    """Leave out words that are not printed text although their line is:

    - a word lying mostly on another, bigger word of another line: Tesseract read the same ink twice (the
      "G" of "PHƯỜNG" again, the mark of "Số" as "°");
    - an unsure speck of punctuation far from any word of its line: a mark of the next line's letters
      ("GIẤY CHỨNG NHẬN . |").
    """
    lines: dict[int, list[Word]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    heights = {n: statistics.median(w.bbox[3] - w.bbox[1] for w in ws) for n, ws in lines.items()}
    if not words:
        return words
    boxes = np.array([w.bbox for w in words], dtype=np.int64)
    numbers = np.array([w.line for w in words])
    areas = (boxes[:, 2] - boxes[:, 0]).clip(0) * (boxes[:, 3] - boxes[:, 1]).clip(0)
    across = (
        np.minimum(boxes[:, None, 2], boxes[None, :, 2]) - np.maximum(boxes[:, None, 0], boxes[None, :, 0])
    ).clip(0)
    down = (
        np.minimum(boxes[:, None, 3], boxes[None, :, 3]) - np.maximum(boxes[:, None, 1], boxes[None, :, 1])
    ).clip(0)
    twice = (
        (across * down >= DUPLICATE_SHARE * areas[:, None])
        & (areas[None, :] > areas[:, None])
        & (numbers[:, None] != numbers[None, :])
    ).any(axis=1)
    noise: set[int] = set(np.flatnonzero(twice).tolist())
    for i, w in enumerate(words):
        if i in noise or any(ch.isalnum() for ch in w.text) or w.confidence >= SPECK_CONFIDENCE:
            continue
        height = heights[w.line]
        if w.bbox[3] - w.bbox[1] > SPECK_HEIGHT_SHARE * height:
            continue
        gaps = [max(o.bbox[0] - w.bbox[2], w.bbox[0] - o.bbox[2]) for o in lines[w.line] if o is not w]
        if not gaps or min(gaps) > SPECK_GAP_SHARE * height:
            noise.add(i)
    if not noise:
        return words
    kept = [w for i, w in enumerate(words) if i not in noise]
    renumber = {n: i for i, n in enumerate(sorted({w.line for w in kept}))}
    for w in kept:
        w.line = renumber[w.line]
    return kept


def restore_square_metres(page: Image.Image, words: list[Word]) -> list[Word]:
    """ "m²" after a number, which Tesseract ``vie`` cannot read (no "²" in its alphabet): it gives "m2",
    "mZ", "m?" or "mˆ". Changed only where the page shows it: the glyph after the "m" is a raised small one
    that ends well above the "m"'s foot (a "m2" printed on the line stays as it is)."""
    grey: np.ndarray | None = None
    for previous, word in zip(words, words[1:], strict=False):
        match = _SQUARE_METRE.fullmatch(word.text)
        if not match or previous.line != word.line or not previous.text[-1:].isdigit():
            continue
        if grey is None:
            grey = np.asarray(page.convert("L"), dtype=np.int16)
        left, top, right, bottom = word.bbox
        ink = grey[top:bottom, left:right] < int(np.median(grey[top:bottom, left:right])) - INK_CONTRAST
        columns = np.flatnonzero(ink.any(axis=0))
        if columns.size == 0:
            continue
        breaks = np.flatnonzero(np.diff(columns) > 1)
        if breaks.size == 0:  # the "m" and the glyph after it touch: no telling
            continue
        m_part, raised = ink[:, : columns[breaks[0]] + 1], ink[:, columns[breaks[-1] + 1] :]
        m_rows, raised_rows = np.flatnonzero(m_part.any(axis=1)), np.flatnonzero(raised.any(axis=1))
        m_height = m_rows[-1] - m_rows[0] + 1
        if raised_rows.size and raised_rows[-1] < m_rows[-1] - SUPERSCRIPT_RAISE * m_height:
            word.text = "m²" + match.group(1)
    return words


def add_trailing_dots(page: Image.Image, dpi: int, words: list[Word]) -> list[Word]:
    """Give back the dot leader Tesseract cut off a line ("Huế" for "Huế ........"), as a word of dots.

    Dots are counted on the page (``extractors.img_missed_lines.trailing_dots``); the words are returned
    in the same order, the dots after the last word of their line.
    """
    grey = np.asarray(page.convert("L"))
    lines: dict[int, list[Word]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    out: list[Word] = []
    for number, line in lines.items():
        out.extend(line)
        box = (
            min(w.bbox[0] for w in line),
            min(w.bbox[1] for w in line),
            max(w.bbox[2] for w in line),
            max(w.bbox[3] for w in line),
        )
        dots, right = trailing_dots(grey, dpi, box)
        if dots:
            last = max(line, key=lambda w: w.bbox[2])
            out.append(
                Word(
                    text="." * dots,
                    confidence=DOT_LEADER_CONFIDENCE,
                    bbox=(last.bbox[2] + 1, last.bbox[1], right, last.bbox[3]),
                    line=number,
                    block=last.block,
                )
            )
    return out


def add_leaders(words: list[Word], leaders: list[Leader], dpi: int) -> list[Word]:
    """Give back the dot leaders the page was read without, each with its dots as counted on the page.

    A leader follows the nearest word to its left on its baseline: as a word of its own when a space is
    printed between them ("Hải Phòng ..........."), else as the end of that word ("Số:.........."), told
    apart by the gap before the first dot against the gap between two dots. A
    leader with no word before it goes before the nearest word to its right, or makes a line of its own.
    """
    out = list(words)
    for leader in sorted(leaders, key=lambda lead: (lead.box[1], lead.box[0])):
        left, top, right, bottom = leader.box
        reach = LEADER_MAX_GAP_MM * dpi / 25.4
        row = [i for i, w in enumerate(out) if w.bbox[1] < bottom and w.bbox[3] >= top]
        before = [i for i in row if left - reach <= out[i].bbox[2] <= left + 2]
        after = [i for i in row if right - 2 <= out[i].bbox[0] <= right + reach]
        dots = Word(
            text="." * leader.count, confidence=DOT_LEADER_CONFIDENCE, bbox=leader.box, line=0, block=0
        )
        if before:
            i = max(before, key=lambda j: out[j].bbox[2])
            word = out[i]
            dots.line, dots.block = word.line, word.block
            if left - word.bbox[2] < leader.blank + LEADER_SPACE_SHARE * leader.pitch:
                word.text += dots.text
                word.bbox = (word.bbox[0], min(word.bbox[1], top), right, max(word.bbox[3], bottom))
            else:
                out.insert(i + 1, dots)
        elif after:
            i = min(after, key=lambda j: out[j].bbox[0])
            dots.line, dots.block = out[i].line, out[i].block
            out.insert(i, dots)
        else:
            out = _insert_lines(out, [[dots]])
    return out


def _text_of(words: list[Word]) -> str:
    lines: dict[int, list[str]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w.text)
    return "\n".join(" ".join(ws) for _, ws in sorted(lines.items()))


def _run_tesseract(source: Path, base: Path, *, lang: str, dpi: int, index: int, extra: str = "") -> None:
    try:
        with tesseract_slot():  # at most ``workers`` at once; preparing other pages goes on meanwhile
            tesseract.run_tesseract(
                str(source),
                str(base),
                extension="pdf tsv",
                lang=lang,
                config=f"--dpi {dpi} -c tessedit_create_tsv=1 {extra}".strip(),
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


def _recover_missed_lines(
    page: Image.Image, dpi: int, words: list[Word], pdf: bytes, work: Path, *, lang: str, index: int
) -> tuple[list[Word], bytes]:
    """Read again, as single text lines (psm 7) and all in ONE Tesseract run: each line the page layout
    dropped, and each word in capitals whose upper mark the layout cut off (``marks_left_out``).

    A dropped line's words are kept when Tesseract is fairly sure of them (a seal or a signature reads as
    low-confidence symbols); they get line numbers in reading order and an invisible text overlay on the page.
    A word read again takes the second reading only with the same letters and more marks ("NGUYÊN" ->
    "NGUYỄN"); the page PDF keeps the first reading's text there.
    """
    boxes = [w.bbox for w in words]
    strips = missed_lines(page, dpi, boxes)
    capitals = [i for i, w in enumerate(words) if _may_lack_a_stacked_mark(w.text)]
    marked = marks_left_out(page, dpi, boxes, only=capitals)
    again = _words_to_read_again(words, marked, page.size)
    if not strips and not again:
        return words, pdf
    grey = page.convert("L")
    names = []
    for i, box in enumerate([s.box for s in strips] + [box for _, box in again]):
        name = work / f"strip{i:03d}.png"
        grey.crop(box).save(name, format="PNG", dpi=(dpi, dpi), compress_level=1)
        names.append(str(name))
    listing = work / "strips.txt"
    listing.write_text("\n".join(names) + "\n", encoding="utf-8")
    base = work / "strips"
    _run_tesseract(listing, base, lang=lang, dpi=dpi, index=index, extra="--psm 7 -c textonly_pdf=1")
    by_strip = _tsv_by_page(base.with_suffix(".tsv").read_text(encoding="utf-8", errors="replace"))
    for k, (word, _) in enumerate(again):
        _take_marks(word, by_strip.get(len(strips) + k + 1, []))
    kept: list[tuple[int, list[Word]]] = []
    for number, strip_words in sorted(by_strip.items()):
        if number > len(strips) or not _trustworthy(strip_words):
            continue
        left, top = strips[number - 1].box[:2]
        for w in strip_words:
            x0, y0, x1, y1 = w.bbox
            w.bbox = (x0 + left, y0 + top, x1 + left, y1 + top)
        kept.append((number, strip_words))
    if not kept:
        return words, pdf
    merged = _insert_lines(words, [ws for _, ws in kept])
    return merged, _overlay_strips(
        pdf, base.with_suffix(".pdf"), [(n, strips[n - 1].box) for n, _ in kept], dpi
    )


def _words_to_read_again(
    words: list[Word], flagged: list[int], size: tuple[int, int]
) -> list[tuple[Word, tuple[int, int, int, int]]]:
    """(word, its box with room above for its marks) of each word to read again."""
    out = []
    for i in flagged[:MAX_WORDS_READ_AGAIN]:
        word = words[i]
        left, top, right, bottom = word.bbox
        height = bottom - top
        pad = max(2, round(0.2 * height))
        box = (
            max(0, left - pad),
            max(0, top - round(MARK_ROOM_SHARE * height)),
            min(size[0], right + pad),
            min(size[1], bottom + pad),
        )
        out.append((word, box))
    return out


def _take_marks(word: Word, reading: list[Word]) -> None:
    """Give ``word`` the marks of its second reading: only the same letters, with more marks."""
    if (
        len(reading) == 1
        and fold(reading[0].text) == fold(word.text)
        and _marks(reading[0].text) > _marks(word.text)
    ):
        word.text = reading[0].text


def _may_lack_a_stacked_mark(text: str) -> bool:
    """A word in capitals with a letter carrying only the first of two stacked marks (Â Ê Ô Ă without a
    tone above them: "NGUYÊN" for "NGUYỄN"), the mark Tesseract's layout cuts off."""
    if sum(ch.isalpha() for ch in text) < 2 or not text.isupper():
        return False
    return any(unicodedata.normalize("NFD", ch)[1:] in _FIRST_MARKS for ch in text)


def _marks(text: str) -> int:
    return sum(1 for ch in unicodedata.normalize("NFD", text) if unicodedata.combining(ch))


def _tsv_by_page(tsv: str) -> dict[int, list[Word]]:
    pages: dict[int, list[str]] = {}
    header = tsv.splitlines()[:1]
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) >= 12 and cols[0] == "5":
            pages.setdefault(int(cols[1]), []).append(row)
    return {n: parse_tsv("\n".join(header + rows)) for n, rows in pages.items()}


def _trustworthy(words: list[Word]) -> bool:
    if not words:
        return False
    text = "".join(w.text for w in words)
    alnum = sum(ch.isalnum() for ch in text)
    return (
        statistics.fmean(w.confidence for w in words) >= RECOVERED_MIN_CONFIDENCE and alnum >= len(text) / 2
    )


def _insert_lines(words: list[Word], recovered: list[list[Word]]) -> list[Word]:
    """All words with line numbers renumbered in reading order: a recovered line follows the last line
    (in Tesseract's order) that starts above it and overlaps it horizontally, or the last line above it."""
    lines: dict[int, list[Word]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    order: list[list[Word]] = [lines[n] for n in sorted(lines)]
    for line in sorted(recovered, key=lambda ws: min(w.bbox[1] for w in ws)):
        top = min(w.bbox[1] for w in line)
        left, right = min(w.bbox[0] for w in line), max(w.bbox[2] for w in line)
        above = [i for i, ws in enumerate(order) if min(w.bbox[1] for w in ws) < top]
        overlapping = [
            i
            for i in above
            if min(w.bbox[0] for w in order[i]) < right and max(w.bbox[2] for w in order[i]) > left
        ]
        at = (max(overlapping) if overlapping else max(above, default=-1)) + 1
        block = order[at - 1][0].block if at > 0 else 0
        for w in line:
            w.block = block
        order.insert(at, line)
    out: list[Word] = []
    for number, ws in enumerate(order):
        for w in ws:
            w.line = number
            out.append(w)
    return out


def _overlay_strips(
    pdf: bytes, strips_pdf: Path, placed: list[tuple[int, tuple[int, int, int, int]]], dpi: int
) -> bytes:
    """The page PDF with each strip's invisible text page laid over the strip's place on the page."""
    points = 72.0 / dpi
    with pikepdf.open(io.BytesIO(pdf)) as target, pikepdf.open(strips_pdf) as source:
        page = target.pages[0]
        height = float(page.mediabox[3])
        for number, (left, top, right, bottom) in placed:
            rect = pikepdf.Rectangle(
                left * points, height - bottom * points, right * points, height - top * points
            )
            page.add_overlay(source.pages[number - 1], rect)
        out = io.BytesIO()
        target.save(out)
        return out.getvalue()
