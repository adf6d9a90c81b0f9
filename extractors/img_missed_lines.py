"""Lines Tesseract's page layout dropped: ink shaped like a text line that no recognised word covers.

Tesseract's automatic segmentation (psm 3) now and then leaves out a whole line, most often a short one or
one that ends in a dot leader ("Quan hệ với người được cấp: Bản thân ……"). This finds such lines on the
page so that only they are read again (``extractors.ocr``): the ink of the page minus the recognised word
boxes, cut into rows (a gap of blank rows between text lines) and, in each row, into pieces (a wide gap of
blank columns). A piece is kept when it is as tall as printed text (dot leaders, rules and underlines are
too flat) and not taller than a line (seals, photos, QR codes and the emblem are left alone).

On noisy 200 dpi scans Tesseract also stops a line before its dot leader: ``trailing_dots`` counts the dots
printed right after a recognised line so that they can be given back. ``find_leaders`` finds every dot
leader of a page so that the page is read without them (``erase_leaders``), and ``marks_left_out`` the words
whose upper mark Tesseract's layout left out of the word.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from extractors.img_modes import pixel_median
from extractors.prepare import find_seal_rings

MM = 1 / 25.4  # inches
MIN_LINE_HEIGHT_MM = 1.4  # a digit of 8 pt print is ~2 mm tall; a dot leader or a rule < 0.6 mm
MAX_LINE_HEIGHT_MM = 9.0  # 20 pt bold capitals with Vietnamese marks; taller ink is a picture
MIN_PIECE_WIDTH_MM = 1.0  # one digit (a page number)
COLUMN_GAP_MM = 6.0  # blank columns that split a row into separate pieces
ROW_GAP_MM = 0.5  # blank rows that end a line
BOX_MARGIN_MM = 0.6  # grown around recognised words: their own anti-aliased edges are not missed ink
MIN_INK_PIXELS = 12  # at analysis resolution: less is a speck
INK_CONTRAST = 80  # darker than the paper by this much counts as ink
ANALYSIS_DPI = 150
SEAL_INSIDE = 0.92  # the ink within this share of a seal's radius is its own text


@dataclass(frozen=True)
class Strip:
    """A box of the page (page pixels: left, top, right, bottom) that holds a line nobody read."""

    box: tuple[int, int, int, int]


def missed_lines(
    image: Image.Image, dpi: int, boxes: list[tuple[int, int, int, int]], *, max_strips: int = 40
) -> list[Strip]:
    """Boxes (page pixels) of line-shaped ink outside every box of ``boxes`` (the recognised words)."""
    factor = max(1, round(dpi / ANALYSIS_DPI))
    grey = image.convert("L")
    small = np.asarray(grey.reduce(factor) if factor > 1 else grey, dtype=np.int16)
    scale = dpi / factor  # analysis pixels per inch
    ink = small < int(pixel_median(small)) - INK_CONTRAST
    margin = round(BOX_MARGIN_MM * MM * scale)
    height, width = ink.shape
    for left, top, right, bottom in boxes:
        above = int(MARK_BAND_SHARE * (bottom - top))  # a mark the layout cut off the word: read with it
        ink[
            max(0, (top - above) // factor - margin) : min(height, bottom // factor + margin + 1),
            max(0, left // factor - margin) : min(width, right // factor + margin + 1),
        ] = False
    edge_y, edge_x = height // 40, width // 40  # scanner borders and punched holes are not text
    ink[:edge_y], ink[height - edge_y :], ink[:, :edge_x], ink[:, width - edge_x :] = (
        False,
        False,
        False,
        False,
    )
    if int(ink.sum()) < MIN_INK_PIXELS:
        return []
    min_h, max_h = MIN_LINE_HEIGHT_MM * MM * scale, MAX_LINE_HEIGHT_MM * MM * scale
    rings = [(x / factor, y / factor, r / factor) for x, y, r in find_seal_rings(grey, dpi)]
    _drop_pictures(ink, max_h, rings)
    strips: list[Strip] = []
    for top, bottom in _runs(ink.any(axis=1), round(ROW_GAP_MM * MM * scale)):
        if bottom - top > max_h * 3:  # a tall picture: its pieces are not text lines
            continue
        row = ink[top:bottom]
        for left, right in _runs(row.any(axis=0), round(COLUMN_GAP_MM * MM * scale)):
            piece = row[:, left:right]
            rows = np.flatnonzero(piece.any(axis=1))
            p_top, p_bottom = top + int(rows[0]), top + int(rows[-1]) + 1
            if not (min_h <= p_bottom - p_top <= max_h):
                continue
            if right - left < MIN_PIECE_WIDTH_MM * MM * scale or int(piece.sum()) < MIN_INK_PIXELS:
                continue
            pad = round(0.8 * MM * scale)
            strips.append(
                Strip(
                    (
                        max(0, (left - pad) * factor),
                        max(0, (p_top - pad) * factor),
                        min(image.width, (right + pad) * factor),
                        min(image.height, (p_bottom + pad) * factor),
                    )
                )
            )
    return strips[:max_strips]


def _drop_pictures(ink: np.ndarray, max_h: float, rings: list[tuple[float, float, float]]) -> None:
    """Clear (in place) the ink of blobs taller than a text line (a seal's ring, a signature, a photo, a
    vertical rule) and the ink inside the seal ``rings`` (centre x, centre y, radius; analysis pixels): a
    seal's own text is not read. A line touching such a blob keeps the rest of its letters and is still found."""
    labels, _ = ndimage.label(ink, structure=np.ones((3, 3), dtype=bool))
    tall = [
        number
        for number, found in enumerate(ndimage.find_objects(labels), start=1)
        if found is not None and found[0].stop - found[0].start > max_h
    ]
    if tall:
        ink[np.isin(labels, tall)] = False
    for cx, cy, r in rings:
        y0, y1 = max(0, int(cy - r)), min(ink.shape[0], int(cy + r) + 1)
        x0, x1 = max(0, int(cx - r)), min(ink.shape[1], int(cx + r) + 1)
        ys, xs = np.ogrid[y0:y1, x0:x1]
        ink[y0:y1, x0:x1] &= np.hypot(xs - cx, ys - cy) > SEAL_INSIDE * r


def _runs(mask: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """[start, stop) of the True runs of ``mask``, runs closer than ``gap`` merged."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > gap + 1)
    starts = np.concatenate(([idx[0]], idx[breaks + 1]))
    stops = np.concatenate((idx[breaks], [idx[-1]])) + 1
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


DOT_MAX_MM = 0.8  # a printed full stop of 10-14 pt is 0.3-0.6 mm wide and tall
DOT_GAP_MM = 2.2  # dot leader pitch is ~1 mm; a wider gap ends the leader
DOT_START_MM = 3.0  # the leader starts this close after the line's last word
MIN_DOTS = 3


def trailing_dots(grey: np.ndarray, dpi: int, line: tuple[int, int, int, int]) -> tuple[int, int]:
    """(number of dots, right edge in page pixels) of a dot leader right after ``line`` (its box), or (0, 0).

    ``grey``: the page as a 2-D array of 8-bit grey.

    Tesseract often stops a noisy line before its dot leader. The dots are counted on the ink of the band the
    line sits on: each run of inked columns no wider or taller than a full stop, close to the next one.
    """
    left, top, right, bottom = line
    mm = dpi * MM
    band_top = top + (bottom - top) // 2  # dots sit on the baseline, in the lower half of the line
    band = grey[band_top:bottom, right:].astype(np.int16)
    if band.size == 0:
        return 0, 0
    paper = int(np.percentile(band, 90))
    ink = band < paper - INK_CONTRAST
    columns = ink.any(axis=0)
    count, end, last = 0, 0, -1
    for start, stop in _runs(columns, 0):
        gap = start - (last if last >= 0 else 0)
        if gap > (DOT_START_MM if last < 0 else DOT_GAP_MM) * mm:
            break
        rows = np.flatnonzero(ink[:, start:stop].any(axis=1))
        if stop - start > DOT_MAX_MM * mm or rows[-1] - rows[0] + 1 > DOT_MAX_MM * mm:
            break
        count, end, last = count + 1, right + stop, stop
    return (count, end) if count >= MIN_DOTS else (0, 0)


LEADER_MIN_DOTS = 5  # fewer is an ellipsis ("...", "./."): text Tesseract reads itself
LEADER_DOT_MIN_MM = 0.2  # smaller is a speck of scanner noise (a full stop of 8-14 pt: 0.3-0.6 mm)
LEADER_MIN_PITCH_MM = 0.6  # dots closer than this are not full stops (one's advance at 8 pt: 0.7 mm)
LEADER_EVEN = 0.4  # dots of one leader: pitch and size within this share of their median
LEADER_DOT_FILL = 0.5  # a printed dot fills its box (a speck of noise or of a lifted seal is ragged)
LEADER_GAP_MM = 1.8  # blank between two dots of one leader (pitch ~1 mm at 12-14 pt)
LEADER_BASELINE_MM = 0.35  # the dots of one leader sit on one baseline
LEADER_CLEAR_ABOVE_MM = 1.5  # nothing but the dots in this band above them (an i's dot has its stem
LEADER_CLEAR_BELOW_MM = 1.0  # below it, a dot under a letter the letter above it)


@dataclass(frozen=True)
class Leader:
    """A dot leader ("Họ và tên: NGUYỄN VĂN AN ..........."): its box and dots, page pixels."""

    box: tuple[int, int, int, int]
    dots: tuple[tuple[int, int, int, int], ...]

    @property
    def count(self) -> int:
        return len(self.dots)

    @property
    def pitch(self) -> float:
        """Distance from one dot to the next: the advance of a full stop, about that of a space."""
        return (self.dots[-1][0] - self.dots[0][0]) / max(1, len(self.dots) - 1)

    @property
    def blank(self) -> float:
        """The blank between two dots."""
        return self.pitch - float(np.median([right - left for left, _, right, _ in self.dots]))


def find_leaders(image: Image.Image, dpi: int) -> list[Leader]:
    """The dot leaders of a page: ``LEADER_MIN_DOTS`` or more full stops in a row on one baseline.

    Tesseract reads them badly: the count of dots is off by one or two, the space before them is lost
    ("Hải Phòng..........."), and a line ending in a long leader is now and then dropped altogether
    (``extractors.ocr`` reads the page without them and gives them back, counted here). A dot is a small
    round blob of ink; a leader is a run of them, each close to the next, with no other ink right above or
    below (the dot of an i has its stem under it, the dot under a letter its letter above it).
    """
    factor = max(1, round(dpi / ANALYSIS_DPI))
    grey = image.convert("L")
    small = np.asarray(grey.reduce(factor) if factor > 1 else grey, dtype=np.int16)
    scale = dpi / factor * MM  # analysis pixels per mm
    ink = small < int(pixel_median(small)) - INK_CONTRAST
    labels, _ = ndimage.label(ink, structure=np.ones((3, 3), dtype=bool))
    dot_max, dot_min = DOT_MAX_MM * scale, LEADER_DOT_MIN_MM * scale
    dots: list[tuple[int, int, int, int, int]] = []  # top, bottom, left, right (exclusive), label
    for number, found in enumerate(ndimage.find_objects(labels), start=1):
        if found is None:
            continue
        rows, cols = found
        h, w = rows.stop - rows.start, cols.stop - cols.start
        if (
            dot_min <= h <= dot_max
            and dot_min <= w <= dot_max
            and 0.5 <= w / h <= 2.0
            and (labels[found] == number).sum() >= LEADER_DOT_FILL * h * w
        ):
            dots.append((rows.start, rows.stop, cols.start, cols.stop, number))
    dots.sort(key=lambda d: d[2])
    chains: list[list[tuple[int, int, int, int, int]]] = []
    open_chains: list[list[tuple[int, int, int, int, int]]] = []
    gap, tolerance = LEADER_GAP_MM * scale, max(1.0, LEADER_BASELINE_MM * scale)
    for dot in dots:
        open_chains = [c for c in open_chains if dot[2] - c[-1][3] <= gap]
        chain = next((c for c in open_chains if abs(c[0][1] - dot[1]) <= tolerance), None)  # one baseline
        if chain is None:
            chain = [dot]
            chains.append(chain)
            open_chains.append(chain)
        else:
            chain.append(dot)
    above, below = round(LEADER_CLEAR_ABOVE_MM * scale), round(LEADER_CLEAR_BELOW_MM * scale)
    leaders: list[Leader] = []
    for chain in chains:
        if len(chain) < LEADER_MIN_DOTS:
            continue
        run: list[tuple[int, int, int, int, int]] = []
        for dot in [*chain, None]:
            if dot is not None:
                band = labels[max(0, dot[0] - above) : dot[1] + below, dot[2] : dot[3]]
                if (band[band > 0] == dot[4]).all():  # nothing above or below: not an i, a colon, a ạ
                    run.append(dot)
                    continue
            if len(run) >= LEADER_MIN_DOTS and _regular(run, LEADER_MIN_PITCH_MM * scale):
                leaders.append(_leader(run, factor))
            run = []
    return leaders


def _regular(run: list[tuple[int, int, int, int, int]], min_pitch: float) -> bool:
    """Printed full stops: alike in size, evenly spaced, not too close (specks of noise or of a lifted seal
    are none of these)."""
    pitches = np.diff([d[2] for d in run])
    heights = np.array([d[1] - d[0] for d in run])
    pitch, height = float(np.median(pitches)), float(np.median(heights))
    return bool(
        pitch >= min_pitch
        and pitches.min() >= (1 - LEADER_EVEN) * pitch
        and pitches.max() <= (1 + LEADER_EVEN) * pitch
        and np.abs(heights - height).max() <= max(1.0, LEADER_EVEN * height)
    )


def _leader(run: list[tuple[int, int, int, int, int]], factor: int) -> Leader:
    """A ``Leader`` in page pixels from its dots (top, bottom, left, right, label; analysis pixels)."""
    top, bottom = min(d[0] for d in run), max(d[1] for d in run)
    boxes = tuple((d[2] * factor - 1, d[0] * factor - 1, d[3] * factor + 1, d[1] * factor + 1) for d in run)
    return Leader(
        (run[0][2] * factor - 1, top * factor - 1, run[-1][3] * factor + 1, bottom * factor + 1), boxes
    )


def erase_leaders(image: Image.Image, leaders: list[Leader]) -> Image.Image:
    """A grey copy of ``image`` with the dots of ``leaders`` painted over in the paper's colour."""
    grey = np.array(image.convert("L"))
    for leader in leaders:
        left, top, right, bottom = leader.box
        margin = bottom - top
        around = grey[max(0, top - margin) : bottom + margin, max(0, left - margin) : right + margin]
        paper = int(np.percentile(around, 90))  # the paper right there (light is uneven on a scan)
        for left, top, right, bottom in leader.dots:
            grey[max(0, top) : bottom, max(0, left) : right] = paper
    return Image.fromarray(grey, "L")


MARK_BAND_SHARE = (
    0.45  # a Vietnamese mark over a capital sits within this share of the word's height above it
)
MARK_NEAR_SHARE = 0.25  # ... and ends this close above the word's box
MARK_MIN_PIXELS_300 = 8  # ink pixels (at 300 dpi) of the smallest mark, a dot or a short tilde


def marks_left_out(
    image: Image.Image, dpi: int, boxes: list[tuple[int, int, int, int]], *, only: list[int] | None = None
) -> list[int]:
    """Indexes of the word boxes (of ``only`` when given) with a mark of ink right above them that no word
    box covers.

    Tesseract's page layout now and then cuts the upper mark of a stacked Vietnamese capital off its word
    ("NGUYÊN" for "NGUYỄN": the tilde over the circumflex is left out of the word's box). Such a word is
    read again on its own line (``extractors.ocr``). The ink must be small (a mark, not a rule) and close
    above the word (not the line above, whose words have boxes of their own).
    """
    grey = np.asarray(image.convert("L"), dtype=np.int16)
    paper = int(pixel_median(grey[:: max(1, grey.shape[0] // 300), :: max(1, grey.shape[1] // 300)]))
    min_pixels = MARK_MIN_PIXELS_300 * (dpi / 300) ** 2
    out: list[int] = []
    for i in range(len(boxes)) if only is None else only:
        left, top, right, bottom = boxes[i]
        height = bottom - top
        band_top = max(0, top - int(MARK_BAND_SHARE * height + 1))
        if height <= 0 or band_top >= top or right <= left:
            continue
        ink = grey[band_top:top, left:right] < paper - INK_CONTRAST
        if int(ink.sum()) < min_pixels:
            continue
        for j, (l2, t2, r2, b2) in enumerate(boxes):  # ink of other words (the line above) is theirs
            if j != i and b2 > band_top and t2 < top and r2 > left and l2 < right:
                ink[max(0, t2 - band_top) : b2 - band_top, max(0, l2 - left) : r2 - left] = False
        rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        if int(ink.sum()) < min_pixels or rows.size == 0:
            continue
        if cols[-1] - cols[0] + 1 > height or top - (band_top + rows[-1]) > MARK_NEAR_SHARE * height:
            continue
        out.append(i)
    return out
