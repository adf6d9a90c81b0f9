"""Rescans fed back with ``sohoa ingest --replace``: which document a rescan replaces, and its new bytes.

A rescan of a whole document carries the document's own file name (any supported extension: a sheet first
scanned as TIFF may come back as PDF). A rescan of some pages is named after the document with the pages:
``qsdd.rescan-p3.tif`` (page 3), ``qsdd.rescan-p3-5.pdf`` (pages 3 to 5), ``qsdd.rescan-p2,7.tif`` — the
batch report suggests that name (``rescan_as``) for every document with pages to rescan. The rescanned
pages take the place of the old ones; every other page keeps its original bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from PIL import Image

from pipelines.errors import BadInputError

_RESCAN = re.compile(r"^(?P<stem>.+?)\.rescan-p(?P<pages>\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*)$", re.IGNORECASE)


@dataclass(frozen=True)
class RescanTarget:
    folder: str  # the dossier folder ("" for loose files)
    stem: str  # the document's file name without extension (and without a rescan suffix)
    pages: tuple[int, ...] | None  # 1-based pages to replace; None: the whole document


def base_stem(rel: str) -> str:
    """``qsdd`` of ``HS-002/qsdd.tif`` and of ``HS-002/qsdd.rescan-p3.tif``."""
    stem = PurePosixPath(rel).stem
    m = _RESCAN.match(stem)
    return m.group("stem") if m else stem


def rescan_target(rel: str) -> RescanTarget:
    """What the file at ``rel`` (relative to SOURCE) replaces. Raises BadInputError on impossible pages."""
    path = PurePosixPath(rel)
    folder = str(path.parent) if str(path.parent) != "." else ""
    m = _RESCAN.match(path.stem)
    if not m:
        return RescanTarget(folder, path.stem, None)
    pages: list[int] = []
    for part in m.group("pages").split(","):
        first, _, last = part.partition("-")
        a, b = int(first), int(last or first)
        if a < 1 or b < a:
            raise BadInputError(f"{rel}: '{part}' is not a page range (write p3, p3-5 or p2,7)")
        pages.extend(range(a, b + 1))
    if len(set(pages)) != len(pages):
        raise BadInputError(f"{rel}: a page is named twice in the rescan's name")
    return RescanTarget(folder, m.group("stem"), tuple(pages))


_PAGE_REASON = re.compile(r"^page (\d+)\b")


def pages_to_rescan(reasons: Sequence[str]) -> list[int]:
    """The 1-based pages named by rescan reasons ("page 3 is blank", "page 2: scanned at 150 dpi …")."""
    return sorted({int(m.group(1)) for r in reasons if (m := _PAGE_REASON.match(r))})


def rescan_file_name(source: str, pages: Sequence[int]) -> str:
    """The name to give a rescan of ``pages`` (1-based) of the document at ``source``."""
    path = PurePosixPath(source)
    runs: list[str] = []
    ordered = sorted(set(pages))
    start = prev = ordered[0]
    for p in [*ordered[1:], None]:
        if p is not None and p == prev + 1:
            prev = p
            continue
        runs.append(f"{start}" if start == prev else f"{start}-{prev}")
        if p is not None:
            start = prev = p
    name = f"{base_stem(source)}.rescan-p{','.join(runs)}{path.suffix or '.tif'}"
    return str(path.with_name(name))


def _is_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]


def _page_count(data: bytes, name: str) -> int:
    if _is_pdf(data):
        import pikepdf

        try:
            with pikepdf.open(io.BytesIO(data)) as pdf:
                return len(pdf.pages)
        except pikepdf.PdfError as e:
            raise BadInputError(f"{name}: not a readable PDF ({e})") from None
    try:
        with Image.open(io.BytesIO(data)) as img:
            return getattr(img, "n_frames", 1)
    except (OSError, Image.DecompressionBombError) as e:
        raise BadInputError(f"{name}: not a readable image ({e})") from None


def _frames(data: bytes, name: str) -> list[tuple[Image.Image, float]]:
    """Every page of ``data`` as an image with its resolution (a PDF's pages rendered as ingest reads them)."""
    if _is_pdf(data):
        from extractors.pages import open_document

        out = []
        with open_document(data, name) as doc:
            for p in doc.pages():
                if p.image is None:
                    raise BadInputError(f"{name}: page {p.index + 1} is not a scan; rescan it as an image")
                out.append((p.image.copy(), float(p.dpi)))
        return out
    with Image.open(io.BytesIO(data)) as img:
        dpi = float((img.info.get("dpi") or (300, 300))[0]) or 300.0
        frames = []
        for i in range(getattr(img, "n_frames", 1)):
            img.seek(i)
            frame = img.copy()
            frames.append((frame if frame.mode in ("L", "RGB", "1") else frame.convert("RGB"), dpi))
        return frames


def merge_pages(old: bytes, old_name: str, new: bytes, new_name: str, pages: Sequence[int]) -> bytes:
    """``old`` with its ``pages`` (1-based) replaced, in order, by the pages of ``new``. A PDF stays a PDF
    (untouched page objects, a JPEG rescan embedded as it is); an image document becomes a lossless
    multi-page TIFF."""
    count, given = _page_count(old, old_name), _page_count(new, new_name)
    if given != len(pages):
        raise BadInputError(
            f"{new_name}: the rescan has {given} page(s) but its name replaces {len(pages)} "
            f"(page(s) {', '.join(map(str, pages))})"
        )
    beyond = [p for p in pages if p > count]
    if beyond:
        raise BadInputError(
            f"{new_name}: the document has {count} page(s); there is no page {', '.join(map(str, beyond))}"
        )
    if list(pages) == list(range(1, count + 1)):
        return new  # every page rescanned: the rescan is the document
    slot = {p - 1: i for i, p in enumerate(pages)}
    if _is_pdf(old):
        return _merge_into_pdf(old, new, new_name, slot)
    return _merge_into_tiff(old, old_name, new, new_name, slot)


def _merge_into_pdf(old: bytes, new: bytes, new_name: str, slot: dict[int, int]) -> bytes:
    import pikepdf

    from pipelines.image_pdf import jpeg_page, lossless_page, save

    with pikepdf.open(io.BytesIO(old)) as src:
        out = pikepdf.new()
        if _is_pdf(new):
            with pikepdf.open(io.BytesIO(new)) as rescan:
                for i, page in enumerate(src.pages):
                    out.pages.append(rescan.pages[slot[i]] if i in slot else page)
                return save(out)
        jpeg = new[:3] == b"\xff\xd8\xff"
        frames = _frames(new, new_name)
        for i, page in enumerate(src.pages):
            if i not in slot:
                out.pages.append(page)
                continue
            image, dpi = frames[slot[i]]
            out.pages.append(jpeg_page(out, new, dpi) if jpeg else lossless_page(out, image, dpi))
        return save(out)


def _merge_into_tiff(old: bytes, old_name: str, new: bytes, new_name: str, slot: dict[int, int]) -> bytes:
    kept, rescanned = _frames(old, old_name), _frames(new, new_name)
    frames = [rescanned[slot[i]] if i in slot else kept[i] for i in range(len(kept))]
    images = [img if img.mode in ("L", "RGB", "1") else img.convert("RGB") for img, _ in frames]
    buf = io.BytesIO()
    # Pillow writes one resolution tag for every frame of a multi-page TIFF: the first page's.
    dpi = frames[0][1]
    images[0].save(
        buf, "TIFF", save_all=True, append_images=images[1:], compression="tiff_lzw", dpi=(dpi, dpi)
    )
    return buf.getvalue()


__all__ = ["RescanTarget", "base_stem", "merge_pages", "pages_to_rescan", "rescan_file_name", "rescan_target"]
