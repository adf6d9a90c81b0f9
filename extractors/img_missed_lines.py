"""Lines Tesseract's page layout dropped: ink shaped like a text line that no recognised word covers.

Tesseract's automatic segmentation (psm 3) now and then leaves out a whole line, most often a short one or
one that ends in a dot leader ("Quan hệ với người được cấp: Bản thân ……"). This finds such lines on the
page so that only they are read again (``extractors.ocr``): the ink of the page minus the recognised word
boxes, cut into rows (a gap of blank rows between text lines) and, in each row, into pieces (a wide gap of
blank columns). A piece is kept when it is as tall as printed text (dot leaders, rules and underlines are
too flat) and not taller than a line (seals, photos, QR codes and the emblem are left alone).

On noisy 200 dpi scans Tesseract also stops a line before its dot leader: ``trailing_dots`` counts the dots
printed right after a recognised line so that they can be given back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

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
    ink = small < int(np.median(small)) - INK_CONTRAST
    margin = round(BOX_MARGIN_MM * MM * scale)
    height, width = ink.shape
    for left, top, right, bottom in boxes:
        ink[
            max(0, top // factor - margin) : min(height, bottom // factor + margin + 1),
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
