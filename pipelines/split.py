"""Cutting a scanned stack back into dossiers and documents.

``scan_page`` looks at one page image (separator sheet? blank?) without OCR; ``split_stack`` turns the
pages of a stack into dossiers -> documents -> page indexes, at separator sheets (``mode="separators"``),
at blank sheets (``"blank"``) or every ``count`` sheets (``"count"``). Separator sheets are removed, blank
pages (duplex backs) are dropped from the documents but counted as sheets, and every suspicious boundary
is reported in ``flags`` in plain words. ``slice_stack`` cuts a document's pages out of the stack file.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from PIL import Image
from rapidfuzz import fuzz

from extractors.separators import (
    Separator,
    SeparatorOutcome,
    Suspect,
    fold_text,
    has_separator_caption,
    is_blank_image,
    read_separator,
)
from pipelines.errors import BadInputError
from pipelines.inventory import Inventory
from pipelines.model import PageText

SplitMode = Literal["separators", "blank", "count"]
NATIONAL_HEADING = "CONG HOA XA HOI CHU NGHIA VIET NAM"
HEADING_MATCH = 85  # rapidfuzz partial ratio on the folded top lines
HEADING_LINES = 6
LONG_RUN = 6  # pages without a separator after which a new national heading is suspicious (no N sheets)


@dataclass(frozen=True)
class StackPage:
    index: int  # 0-based page of the stack file
    text: PageText | None  # its OCR text when already read, else None
    separator: SeparatorOutcome  # read_separator's answer
    blank: bool


@dataclass
class SplitDocument:
    pages: list[int] = field(default_factory=list)  # stack indexes of the pages with content, in order
    blank: list[int] = field(default_factory=list)  # blank pages dropped (duplex backs), still counted
    sheets: int = 0


@dataclass
class SplitDossier:
    code: str | None  # None: the boundary had no readable code (see flags)
    documents: list[SplitDocument] = field(default_factory=list)
    first_page: int | None = None  # stack index of its separator sheet or first page
    suspect: bool = False  # started at an unreadable separator or without one

    @property
    def sheets(self) -> int:
        return sum(d.sheets for d in self.documents)

    @property
    def pages(self) -> int:
        return sum(len(d.pages) for d in self.documents)

    @property
    def blank_pages(self) -> int:
        return sum(len(d.blank) for d in self.documents)

    def label(self, number: int) -> str:
        return self.code or f"unnamed dossier #{number} (from page {(self.first_page or 0) + 1})"


@dataclass
class SplitResult:
    dossiers: list[SplitDossier]
    flags: list[str]
    duplex: bool
    separator_pages: list[int] = field(default_factory=list)  # removed: separator sheets and their backs

    def captured(self, unit: Literal["sheets", "pages"] = "sheets") -> dict[str, int]:
        """Dossier code -> sheets (or non-blank pages) captured, for ``inventory.reconcile``."""
        out: dict[str, int] = {}
        for d in self.dossiers:
            if d.code is not None:
                out[d.code] = out.get(d.code, 0) + (d.sheets if unit == "sheets" else d.pages)
        return out

    def to_dict(self) -> dict[str, Any]:
        """For the JSON batch report (key ``split``); page numbers 1-based as people count them."""
        return {
            "duplex": self.duplex,
            "flags": self.flags,
            "dossiers": [
                {
                    "code": d.code,
                    "suspect": d.suspect,
                    "sheets": d.sheets,
                    "pages": d.pages,
                    "blank_pages": d.blank_pages,
                    "documents": [[p + 1 for p in doc.pages] for doc in d.documents],
                }
                for d in self.dossiers
            ],
        }


def scan_page(index: int, image: Image.Image, dpi: int, text: PageText | None = None) -> StackPage:
    """Separator and blank test of one stack page (~30-60 ms at 200-300 dpi, no OCR)."""
    outcome = read_separator(image, text=text.text if text else None)
    blank = outcome is None and (text.blank if text is not None else is_blank_image(image, dpi))
    return StackPage(index, text, outcome, blank)


def split_stack(
    pages: Sequence[StackPage],
    *,
    mode: SplitMode = "separators",
    count: int | None = None,
    duplex: bool | None = None,
    inventory: Inventory | None = None,
    codes: Sequence[str] | None = None,
) -> SplitResult:
    """Dossiers -> documents -> page indexes of a stack (see the module docstring).

    ``duplex``: pages come as (front, back) of each sheet; None guesses it (separator sheets on even pages,
    each followed by a blank back). ``inventory``: flags dossiers far from their expected size, and gives
    the codes of the dossiers in "blank"/"count" mode (else ``codes``, in scanning order).
    """
    pages = sorted(pages, key=lambda p: p.index)
    if mode not in ("separators", "blank", "count"):
        raise BadInputError(f"unknown split mode {mode!r}: use separators, blank or count")
    if mode == "count" and (count is None or count < 1):
        raise BadInputError("splitting by count needs the number of sheets per dossier (count >= 1)")
    pages = [_with_caption_check(p) for p in pages]
    if duplex is None:
        duplex = _looks_duplex(pages)
    if duplex and len(pages) % 2:
        raise BadInputError(f"a duplex stack has an even number of pages, this one has {len(pages)}")
    sheets = [pages[i : i + 2] for i in range(0, len(pages), 2)] if duplex else [[p] for p in pages]
    if mode == "separators":
        result = _by_separators(sheets, duplex)
    else:
        result = _by_blank_or_count(sheets, duplex, mode, count or 0)
        names = list(codes or (inventory.codes() if inventory else []))
        for d, code in zip(result.dossiers, names, strict=False):
            d.code = code
        if names and len(names) != len(result.dossiers):
            result.flags.append(
                f"{len(result.dossiers)} dossiers found by {mode} but {len(names)} codes were given: "
                "check the order of the stack"
            )
    if inventory is not None:
        result.flags.extend(_size_flags(result, inventory))
    return result


def _with_caption_check(page: StackPage) -> StackPage:
    if page.separator is None and page.text is not None and has_separator_caption(page.text.text):
        return StackPage(
            page.index, page.text, Suspect("the page says 'TỜ PHÂN CÁCH' but has no readable code"), False
        )
    return page


def _looks_duplex(pages: Sequence[StackPage]) -> bool:
    seps = [i for i, p in enumerate(pages) if p.separator is not None]
    if not seps or len(pages) % 2:
        return False
    return all(i % 2 == 0 and pages[i + 1].blank for i in seps)


def _sheet_separator(sheet: Sequence[StackPage]) -> SeparatorOutcome:
    """A sheet's separator: its front's, or its back's when the sheet went in the wrong way round."""
    outcomes = [p.separator for p in sheet if p.separator is not None]
    readable = [o for o in outcomes if isinstance(o, Separator)]
    return readable[0] if readable else (outcomes[0] if outcomes else None)


def _by_separators(sheets: Sequence[Sequence[StackPage]], duplex: bool) -> SplitResult:
    result = SplitResult([], [], duplex)
    uses_document_sheets = any(
        isinstance(p.separator, Separator) and p.separator.kind == "document" for s in sheets for p in s
    )
    dossier: SplitDossier | None = None
    run = 0  # content pages since the last separator
    for sheet in sheets:
        first = sheet[0].index + 1
        outcome = _sheet_separator(sheet)
        if outcome is not None:
            result.separator_pages.extend(p.index for p in sheet)
            run = 0
            if isinstance(outcome, Suspect):
                result.flags.append(
                    f"page {first}: {outcome.reason}; a new dossier was started there with no code — "
                    "check the sheet and rescan it"
                )
                dossier = SplitDossier(None, [SplitDocument()], sheet[0].index, suspect=True)
                result.dossiers.append(dossier)
            elif outcome.kind == "dossier":
                dossier = SplitDossier(outcome.code, [SplitDocument()], sheet[0].index)
                result.dossiers.append(dossier)
            elif dossier is None:
                result.flags.append(f"page {first}: a 'next document' sheet before any dossier sheet")
                dossier = SplitDossier(None, [SplitDocument()], sheet[0].index, suspect=True)
                result.dossiers.append(dossier)
            else:
                dossier.documents.append(SplitDocument())
            continue
        if dossier is None:
            result.flags.append(
                f"page {first}: pages before the first separator sheet; they were put in a dossier with no code"
            )
            dossier = SplitDossier(None, [SplitDocument()], sheet[0].index, suspect=True)
            result.dossiers.append(dossier)
        doc = dossier.documents[-1]
        doc.sheets += 1
        for page in sheet:
            if page.blank:
                doc.blank.append(page.index)
                continue
            if doc.pages and _has_national_heading(page.text) and (uses_document_sheets or run >= LONG_RUN):
                result.flags.append(
                    f"page {page.index + 1}: a new national heading (Cộng hòa xã hội chủ nghĩa Việt Nam) "
                    f"{run} pages after the last separator sheet: a separator sheet may be missing"
                )
            doc.pages.append(page.index)
            run += 1
    _drop_empty(result)
    return result


def _by_blank_or_count(
    sheets: Sequence[Sequence[StackPage]], duplex: bool, mode: SplitMode, count: int
) -> SplitResult:
    result = SplitResult([], [], duplex)
    dossier: SplitDossier | None = None
    for sheet in sheets:
        outcome = _sheet_separator(sheet)
        all_blank = all(p.blank for p in sheet)
        if isinstance(outcome, Suspect):
            result.flags.append(f"page {sheet[0].index + 1}: {outcome.reason}; it was left out")
        if outcome is not None or (mode == "blank" and all_blank):
            result.separator_pages.extend(p.index for p in sheet)
            dossier = None
            continue
        if dossier is None or (mode == "count" and dossier.sheets >= count):
            dossier = SplitDossier(None, [SplitDocument()], sheet[0].index)
            result.dossiers.append(dossier)
        doc = dossier.documents[0]
        doc.sheets += 1
        for page in sheet:
            (doc.blank if page.blank else doc.pages).append(page.index)
    if mode == "count" and result.dossiers and result.dossiers[-1].sheets != count:
        last = result.dossiers[-1]
        result.flags.append(
            f"the last dossier (from page {(last.first_page or 0) + 1}) has {last.sheets} sheets, not {count}"
        )
    return result


def _drop_empty(result: SplitResult) -> None:
    for number, dossier in enumerate(result.dossiers, start=1):
        dossier.documents = [d for d in dossier.documents if d.sheets]
        if not dossier.documents:
            result.flags.append(f"{dossier.label(number)}: a separator sheet with no page after it")


def _has_national_heading(text: PageText | None) -> bool:
    if text is None or not text.text:
        return False
    top = " ".join(fold_text(line) for line in text.text.splitlines()[:HEADING_LINES] if line.strip())
    return fuzz.partial_ratio(NATIONAL_HEADING, " ".join(top.split())) >= HEADING_MATCH


def _size_flags(result: SplitResult, inventory: Inventory) -> list[str]:
    flags: list[str] = []
    captured = result.captured(inventory.unit)
    word = "sheets" if inventory.unit == "sheets" else "pages"
    for code, got in captured.items():
        entry = inventory.get(code)
        if entry is None or entry.expected is None:
            continue
        if abs(got - entry.expected) >= max(2, round(0.2 * entry.expected)):
            flags.append(
                f"{code}: {got} {word} captured but the inventory lists {entry.expected}: "
                "a separator sheet may be missing, misplaced or unreadable"
            )
    return flags


# ---------------------------------------------------------------------------------------------- cutting


def slice_stack(data: bytes, name: str, pages: Sequence[int]) -> tuple[bytes, str]:
    """The file of one document: its pages cut out of the stack file, and a name for it.

    PDF stacks keep the scanned images untouched (pikepdf copies the page objects); TIFF/PNG/JPEG stacks
    become a lossless multi-page TIFF of the chosen frames.
    """
    if not pages:
        raise BadInputError("a document needs at least one page")
    stem = name.rsplit(".", 1)[0]
    suffix = f"p{pages[0] + 1}-{pages[-1] + 1}"
    if b"%PDF-" in data[:1024]:
        import pikepdf

        with pikepdf.open(io.BytesIO(data)) as src:
            out = pikepdf.new()
            for i in pages:
                out.pages.append(src.pages[i])
            buf = io.BytesIO()
            out.save(buf, deterministic_id=True)
        return buf.getvalue(), f"{stem}.{suffix}.pdf"
    with Image.open(io.BytesIO(data)) as img:
        dpi = img.info.get("dpi")
        frames: list[Image.Image] = []
        for i in pages:
            img.seek(i)
            frame = img.copy()
            frames.append(frame if frame.mode in ("L", "RGB", "1") else frame.convert("RGB"))
    buf = io.BytesIO()
    extra: Mapping[str, Any] = {"dpi": dpi} if dpi else {}
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:], compression="tiff_lzw", **extra)
    return buf.getvalue(), f"{stem}.{suffix}.tif"


__all__ = [
    "SplitDocument",
    "SplitDossier",
    "SplitMode",
    "SplitResult",
    "StackPage",
    "scan_page",
    "slice_stack",
    "split_stack",
]
