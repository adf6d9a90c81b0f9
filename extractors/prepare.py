"""Page preparation before OCR: a mode Tesseract reads, blank-page detection, lifting what is not text
(colour ink, grey seal rings, dense pictures such as QR codes) off the OCR copy, deskew.

Each step is a small function that decides from the page whether it is needed; ``prepare_page`` records in
``notes`` what it did. A page that needs no turning is read as it came. A page that does (more than
``DESKEW_MIN`` degrees askew, or upside down) is turned as a GREY copy, for OCR only (a third of the work of
turning the colour page); the archive keeps the page as it came (``source``, the scanner's own bytes when
there are any), drawn in the searchable PDF with ``transform`` so that it shows straight, exactly under the
text and the word boxes (``extractors.ocr``).

Orientation is not decided here: Tesseract's OSD costs ~0.7 s a page, more than a quarter of the OCR itself.
``extractors.ocr.read_page`` runs it only for a page whose first reading is poor (upside down or sideways
pages read as garbage with low confidence), see ``needs_orientation_check``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image
from scipy import ndimage

from extractors.img_dropout import dropout
from extractors.img_modes import pixel_median, to_rgb_or_l
from extractors.img_orientation import detect_rotation, quarter_turn_matrix, rotate_clockwise
from extractors.img_skew import DESKEW_MIN, MAX_SKEW, deskew, deskew_matrix, estimate_skew

BEYOND_REPAIR = "skewed beyond repair"  # the skew search ends at MAX_SKEW: the page may be turned further
BLANK_ANALYSIS_DPI = 75
BLANK_MARGIN = 0.05  # ignore scanner borders and punched holes near the edges
BLANK_INK_CONTRAST = 64  # darker than the paper by this much counts as ink
BLANK_TILE = 8  # pixels at BLANK_ANALYSIS_DPI (~2.7 mm)
BLANK_TILE_MIN_INK = 10  # a tile with this much ink holds a stroke, not a speck of dust
PICTURE_MIN_MM = 10.0  # a blob this wide and tall (a letter of 20 pt print is under 9 mm) ...
PICTURE_FILL = 0.25  # ... whose ink fills this share of its box is a picture, not text
SEAL_ANALYSIS_DPI = 100
SEAL_RADIUS_MM = (7.5, 30.0)  # round seals of Vietnamese offices: 15 to 60 mm across
SEAL_RING_SPREAD = 0.04  # a ring's pixels lie this close to its circle (share of the radius) ...
SEAL_ON_RING = 0.4  # ... a good share of them (the rest: a name, a signature, an inner ring touching it)
SEAL_FIT_ROUNDS = 5
SEAL_MIN_SECTORS = 9  # of 12 sectors of 30°: the ring goes (almost) all round
SEAL_INK_CONTRAST = 40  # a grey seal is lighter than print: its soft edges count too
SEAL_TONE_GAP = 35  # a seal this much lighter than the print (grey of a red stamp) is told from it
SEAL_BAND_SHARE = 0.4  # the ring: radii at which this share of the circle is ink
SEAL_EDGE_PX = 3  # the ring's soft edges, painted with it
SEAL_INNER_MARGIN_MM = 0.3  # ink wholly this far inside the ring is the seal's own (a name only reaches in)
BLANK_MAX_DENSE_TILES = 1  # measured: one short 10 pt word gives 2-4 dense tiles, heavy dust 0


@dataclass
class PreparedPage:
    image: Image.Image  # what OCR reads: the page as it came, or a grey copy turned upright and straight
    dpi: int
    notes: list[str] = field(default_factory=list)
    blank: bool = False
    skew: float = 0.0  # degrees measured before any correction
    source: Image.Image | None = None  # the page as it came (colour kept) when ``image`` is a turned copy
    transform: np.ndarray | None = None  # 3x3 affine, pixels of ``source`` -> pixels of ``image``

    @property
    def changed(self) -> bool:
        """``image`` is a turned grey copy: the archive shows ``source`` through ``transform``."""
        return self.transform is not None

    def turn(self, image: Image.Image, matrix: np.ndarray, note: str) -> None:
        """Replace ``image`` by ``image`` turned with ``matrix`` (its pixels -> the new image's pixels)."""
        if self.transform is None:
            self.source, self.transform = self.image, np.eye(3)
        self.image = image
        self.transform = matrix @ self.transform
        self.notes.append(note)

    def turn_clockwise(self, degrees: int, note: str) -> None:
        """Turn by a multiple of 90 degrees (no resampling)."""
        grey = self.image.convert("L") if self.image.mode != "L" else self.image
        matrix = quarter_turn_matrix(degrees, *grey.size)
        self.turn(rotate_clockwise(grey, degrees), matrix, note)


def prepare_page(image: Image.Image, dpi: int, *, orientation: bool = False) -> PreparedPage:
    """Make ``image`` ready for OCR. ``orientation=True`` also runs Tesseract OSD first (~0.7 s a page)."""
    page = to_rgb_or_l(image)
    if is_blank(page, dpi):
        return PreparedPage(image=page, dpi=dpi, notes=["blank page"], blank=True)
    prepared = PreparedPage(image=page, dpi=dpi)
    lift_ink(prepared)
    lift_seal_rings(prepared)
    lift_pictures(prepared)
    if orientation:
        turn_upright(prepared)
    straighten(prepared)
    return prepared


def lift_ink(page: PreparedPage) -> None:
    """Read a colour page from a grey copy without its seals and signatures (``extractors.img_dropout``);
    the archive keeps the page as it came."""
    if page.image.mode != "RGB":
        return
    lifted, notes = dropout(page.image, page.dpi)
    if notes:
        page.turn(lifted, np.eye(3), "; ".join(notes))


def lift_seal_rings(page: PreparedPage) -> None:
    """Read a page without the round seals ``lift_ink`` left (a black-and-white copy, a grey scan): ring
    and inside painted over in the OCR copy. Tesseract's layout takes a seal and the signer's name printed
    across its ring for a picture and drops the name; the seal's own text is not read anyway. Only the ring
    itself is painted where a letter crosses it, so the name keeps its letters. The archive keeps the page."""
    grey = page.image.convert("L") if page.image.mode != "L" else page.image
    rings = find_seal_rings(grey, page.dpi)
    if rings:
        page.turn(paint_out_rings(grey, page.dpi, rings), np.eye(3), "seal ring lifted for OCR")


def lift_pictures(page: PreparedPage) -> None:
    """Read a page without its dense pictures (QR code, emblem, photo): Tesseract reads a QR code's modules
    as letters ("TIz+zaL") on the line beside it. A picture is a blob of ink taller than any letter that
    fills much of its box (a signature, a table's rules or a ring fill little). The archive keeps the page."""
    grey = page.image.convert("L") if page.image.mode != "L" else page.image
    factor = max(1, round(page.dpi / SEAL_ANALYSIS_DPI))
    small = np.asarray(grey.reduce(factor) if factor > 1 else grey, dtype=np.int16)
    px_mm = page.dpi / factor / 25.4
    ink = small < int(pixel_median(small)) - BLANK_INK_CONTRAST
    labels, _ = ndimage.label(ink, structure=np.ones((3, 3), dtype=bool))
    boxes = []
    for number, found in enumerate(ndimage.find_objects(labels), start=1):
        if found is None:
            continue
        h, w = found[0].stop - found[0].start, found[1].stop - found[1].start
        if min(h, w) >= PICTURE_MIN_MM * px_mm and (labels[found] == number).mean() >= PICTURE_FILL:
            boxes.append(found)
    if not boxes:
        return
    out = np.array(grey)
    for rows, cols in boxes:
        top, bottom = rows.start * factor, rows.stop * factor
        left, right = cols.start * factor, cols.stop * factor
        out[top:bottom, left:right] = int(np.percentile(small, 90))
    page.turn(Image.fromarray(out, "L"), np.eye(3), "picture lifted for OCR")


def find_seal_rings(grey: Image.Image, dpi: int) -> list[tuple[float, float, float]]:
    """Round seals of a grey page: (centre x, centre y, radius), page pixels.

    A ring is a blob taller than any letter whose pixels lie on a circle of a seal's size (``SEAL_RADIUS_MM``)
    all round; arcs of one ring cut by a lifted signature give the same circle once.
    """
    factor = max(1, round(dpi / SEAL_ANALYSIS_DPI))
    small = np.asarray(grey.reduce(factor) if factor > 1 else grey, dtype=np.int16)
    px_mm = dpi / factor / 25.4
    ink = small < int(pixel_median(small)) - BLANK_INK_CONTRAST
    labels, _ = ndimage.label(ink, structure=np.ones((3, 3), dtype=bool))
    lo, hi = SEAL_RADIUS_MM[0] * px_mm, SEAL_RADIUS_MM[1] * px_mm
    rings: list[tuple[float, float, float]] = []
    for number, found in enumerate(ndimage.find_objects(labels), start=1):
        if found is None or found[0].stop - found[0].start < lo:
            continue
        ys, xs = np.nonzero(labels[found] == number)
        ys, xs = ys + found[0].start + 0.5, xs + found[1].start + 0.5
        keep = np.ones(xs.size, dtype=bool)
        for _ in range(SEAL_FIT_ROUNDS):  # again and again without what merely touches the ring (a name,
            cx, cy, r = _fit_circle(xs[keep], ys[keep])  # a signature, the inner ring)
            off = np.abs(np.hypot(xs - cx, ys - cy) - r)
            keep = off <= max(2.0, float(np.median(off[keep])))
            if keep.sum() < 3:
                break
        if not lo <= r <= hi:
            continue
        on = np.abs(np.hypot(xs - cx, ys - cy) - r) <= max(1.5, SEAL_RING_SPREAD * r)
        angles = np.floor((np.arctan2(ys[on] - cy, xs[on] - cx) + np.pi) / (2 * np.pi) * 12).astype(int) % 12
        if on.mean() < SEAL_ON_RING or len(set(angles.tolist())) < SEAL_MIN_SECTORS:
            continue
        if any(abs(cx - x) < px_mm and abs(cy - y) < px_mm and abs(r - q) < px_mm for x, y, q in rings):
            continue
        rings.append((float(cx), float(cy), r))
    return [(x * factor, y * factor, r * factor) for x, y, r in rings]


def _fit_circle(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float, float]:
    """Least-squares circle through points: centre x, centre y, radius."""
    a = np.column_stack([2 * xs, 2 * ys, np.ones_like(xs)])
    (cx, cy, c), *_ = np.linalg.lstsq(a, xs**2 + ys**2, rcond=None)
    return float(cx), float(cy), float(np.sqrt(max(0.0, c + cx**2 + cy**2)))


def paint_out_rings(grey: Image.Image, dpi: int, rings: list[tuple[float, float, float]]) -> Image.Image:
    """A copy of ``grey`` with each ring painted in the paper's colour, and the ink lying wholly inside it
    (ring text, star, centre lines); ink that only reaches inside (a letter crossing the ring) stays.

    The ring's band is measured on the page: the radii at which most of the circle is ink."""
    out = np.array(grey)
    mm = dpi / 25.4
    for cx, cy, r in rings:
        reach = r + 3 * mm
        x0, y0 = max(0, int(cx - reach)), max(0, int(cy - reach))
        x1, y1 = min(out.shape[1], int(cx + reach) + 1), min(out.shape[0], int(cy + reach) + 1)
        box = out[y0:y1, x0:x1]
        paper = int(np.percentile(box, 90))
        ys, xs = np.ogrid[y0:y1, x0:x1]
        d = np.hypot(xs - cx, ys - cy)
        ink = box < paper - SEAL_INK_CONTRAST
        radius = np.rint(d).astype(np.int64)
        near = (radius >= r - 3 * mm) & (radius <= r + 3 * mm)
        share = np.bincount(radius[near], weights=ink[near], minlength=int(reach) + 2) / np.maximum(
            1, np.bincount(radius[near], minlength=int(reach) + 2)
        )
        band = np.flatnonzero(share >= SEAL_BAND_SHARE)
        band = band[np.abs(band - r) <= 1.5 * mm]
        if band.size == 0:
            continue
        inner, outer = int(band.min()) - SEAL_EDGE_PX, int(band.max()) + SEAL_EDGE_PX
        ring = (d >= inner) & (d <= outer)
        seal_tone = float(np.median(box[ring & ink]))
        print_tone = float(np.percentile(out, 0.5))
        lighter = seal_tone - print_tone >= SEAL_TONE_GAP
        if lighter:  # a lighter seal (the grey of a red stamp): the print across its ring stays, whole
            ring &= box > (seal_tone + print_tone) / 2
        labels, _ = ndimage.label(ink & ~ring, structure=np.ones((3, 3), dtype=bool))
        reaching = d > outer if lighter else d >= inner - SEAL_INNER_MARGIN_MM * mm
        crossing = np.unique(labels[reaching & (labels > 0)])
        inside = (labels > 0) & ~np.isin(labels, crossing) & (d < inner)
        inside = ndimage.binary_dilation(inside, iterations=2)  # with the letters' soft edges
        box[ring | inside] = paper
    return Image.fromarray(out, "L")


def turn_upright(page: PreparedPage) -> bool:
    """Rotate by 90/180/270 degrees when Tesseract OSD is confident the text is not upright."""
    degrees = detect_rotation(page.image, page.dpi)
    if not degrees:
        return False
    page.turn_clockwise(degrees, f"rotated {degrees}")
    return True


def straighten(page: PreparedPage) -> None:
    """Measure the skew; turn the page back when it is more than ``DESKEW_MIN`` degrees."""
    page.skew = estimate_skew(page.image, page.dpi)
    if abs(page.skew) >= MAX_SKEW:
        page.notes.append(f"{BEYOND_REPAIR} ({MAX_SKEW:g}° or more)")
    if abs(page.skew) >= DESKEW_MIN:
        grey = page.image.convert("L") if page.image.mode != "L" else page.image
        page.turn(
            deskew(grey, page.skew), deskew_matrix(page.skew, *grey.size), f"deskewed {page.skew:+.1f}°"
        )


def is_blank(image: Image.Image, dpi: int) -> bool:
    """True for a near-uniform page: ink clusters (strokes) in at most one small area, margins ignored.

    Works on tiles of a ~75 dpi grey copy, so scattered dust and scanner noise do not count as content.
    """
    factor = max(1, round(dpi / BLANK_ANALYSIS_DPI))
    grey = image.convert("L")
    pixels = np.asarray(grey.reduce(factor) if factor > 1 else grey)
    height, width = pixels.shape
    dy, dx = int(height * BLANK_MARGIN), int(width * BLANK_MARGIN)
    inner = pixels[dy : height - dy, dx : width - dx]
    if inner.size == 0:
        return True
    ink = inner < float(pixel_median(inner)) - BLANK_INK_CONTRAST
    rows, cols = ink.shape[0] // BLANK_TILE, ink.shape[1] // BLANK_TILE
    tiles = (
        ink[: rows * BLANK_TILE, : cols * BLANK_TILE]
        .reshape(rows, BLANK_TILE, cols, BLANK_TILE)
        .sum(axis=(1, 3))
    )
    return int((tiles >= BLANK_TILE_MIN_INK).sum()) <= BLANK_MAX_DENSE_TILES
