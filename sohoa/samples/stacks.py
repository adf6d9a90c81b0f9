"""Scanned stacks as a scanning room produces them: a box of dossiers fed through the scanner in one go.

Each dossier starts with a dossier separator sheet (extractors/separators.py), documents inside a dossier
are optionally separated by "next document" sheets, and a duplex scan adds the (blank) back of every
sheet. Deliberate faults for the tests: a separator sheet left out, a separator whose QR code is damaged,
a dossier of the inventory never scanned, a page of a dossier missing from the scan.

Pages are kept as greyscale JPEG bytes (a 200-page stack fits in memory); ``to_pdf``/``to_tiff`` give the
file a scanner would write, and ``inventory_rows``/``write_inventory_csv`` the archive's inventory list.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from extractors.separators import SeparatorSpec, make_separator_sheets
from sohoa.samples.writers import jpeg_pdf

from . import content
from .degrade import degrade_page
from .generate import DOC_TYPES, render_pages
from .style import STANDARD

PageRole = Literal["separator", "damaged-separator", "content", "blank-back"]
RENDER_DPI = 300
RETENTIONS = ("Vĩnh viễn", "20 năm", "10 năm", "5 năm")
TITLES = (
    "Hồ sơ cấp giấy phép xây dựng nhà ở riêng lẻ của ông Nguyễn Văn Hùng",
    "Hồ sơ đăng ký khai sinh cho cháu Nguyễn Thị Ánh",
    "Hồ sơ đăng ký thành lập doanh nghiệp Công ty TNHH Thương mại Đà Nẵng",
    "Hồ sơ công nhận quyền sử dụng đất của bà Trần Thị Lụa",
    "Hồ sơ đăng ký kết hôn của anh Lê Quang Đức và chị Phạm Thu Hà",
    "Hồ sơ Quyết định về việc khen thưởng năm 2024",
)


@dataclass
class StackDossier:
    """Ground truth for one dossier of the box."""

    code: str
    title: str
    start_date: str  # ISO
    end_date: str  # ISO
    retention: str
    expected_sheets: int  # what the inventory says (every sheet of the paper dossier)
    doc_pages: list[list[int]] = field(default_factory=list)  # stack page indexes of each document (content)
    scanned: bool = True  # False: in the inventory, never put on the scanner
    separator_page: int | None = None  # stack index of its separator sheet (None: left out)


@dataclass
class GeneratedStack:
    jpegs: list[bytes]  # one greyscale JPEG per scanned page, in scanning order
    roles: list[PageRole]
    dpi: int
    duplex: bool
    dossiers: list[StackDossier]  # inventory order, including dossiers that were not scanned
    blank_backs: list[bytes] = field(default_factory=list, repr=False)

    def __len__(self) -> int:
        return len(self.jpegs)

    def image(self, index: int) -> Image.Image:
        img = Image.open(io.BytesIO(self.jpegs[index]))
        img.load()
        return img

    def images(self) -> Iterator[Image.Image]:
        for i in range(len(self.jpegs)):
            yield self.image(i)

    def scanned(self) -> list[StackDossier]:
        return [d for d in self.dossiers if d.scanned]

    def to_pdf(self) -> bytes:
        """An image-only PDF, one JPEG page each, as a production scanner writes it."""
        return jpeg_pdf([(data, self.dpi) for data in self.jpegs])

    def to_tiff(self) -> bytes:
        """A multi-page JPEG-compressed TIFF of the stack."""
        images = list(self.images())
        out = io.BytesIO()
        images[0].save(
            out,
            "TIFF",
            save_all=True,
            append_images=images[1:],
            compression="jpeg",
            quality=85,
            dpi=(self.dpi, self.dpi),
        )
        return out.getvalue()

    def inventory_rows(self) -> list[dict[str, str]]:
        """The inventory list (mục lục hồ sơ) with Vietnamese headers, every dossier of the box."""
        return [
            {
                "Mã hồ sơ": d.code,
                "Tiêu đề hồ sơ": d.title,
                "Ngày bắt đầu": _vn_date(d.start_date),
                "Ngày kết thúc": _vn_date(d.end_date),
                "Thời hạn bảo quản": d.retention,
                "Số tờ": str(d.expected_sheets),
            }
            for d in self.dossiers
        ]

    def write_inventory_csv(self, path: Path) -> Path:
        rows = self.inventory_rows()
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return path


def _vn_date(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def generate_stack(
    *,
    seed: int = 0,
    dossiers: int = 3,
    docs_per_dossier: tuple[int, int] = (1, 3),
    duplex: bool = False,
    document_separators: bool = True,
    missing_separator: int | None = None,
    damaged_separator: int | None = None,
    missing_dossier: int | None = None,
    missing_page: int | None = None,
    level: str = "light",
    dpi: int = 200,
    types: Sequence[str] | None = None,
    max_pages: int | None = None,
) -> GeneratedStack:
    """A scanned box of ``dossiers`` dossiers, deterministic for a seed.

    ``missing_separator``/``damaged_separator``/``missing_dossier``/``missing_page`` are dossier numbers
    (0-based, inventory order): its separator sheet left out / its QR code spoilt by an ink blot / the
    dossier not scanned at all / its last page not scanned. ``level``: the degradation of degrade_page.
    ``max_pages`` stops adding documents once the stack has that many pages (for benchmarks).
    """
    rng = random.Random(f"sohoa-stack:{seed}")  # content: the same for simplex and duplex
    scan = random.Random(f"sohoa-stack-scan:{seed}")  # scanner effects
    types = tuple(types or DOC_TYPES)
    stack = GeneratedStack([], [], dpi, duplex, [])
    day = date(2024, 1, 2) + timedelta(days=rng.randint(0, 200))
    eid = f"H{rng.randint(10, 96)}.{rng.randint(1, 20):02d}.{rng.randint(1, 30):02d}"
    for n in range(dossiers):
        start = day + timedelta(days=rng.randint(0, 30))
        end = start + timedelta(days=rng.randint(5, 60))
        day = end
        code = content.dossier_code(rng, start, eid)
        dossier = StackDossier(
            code=code,
            title=rng.choice(TITLES),
            start_date=start.isoformat(),
            end_date=end.isoformat(),
            retention=rng.choice(RETENTIONS),
            expected_sheets=0,
            scanned=n != missing_dossier,
        )
        stack.dossiers.append(dossier)
        doc_pages = [
            render_pages(t, content.sample_fields(t, rng), rng=rng, layout=0, style=STANDARD)
            for t in (rng.choice(types) for _ in range(rng.randint(*docs_per_dossier)))
        ]
        dossier.expected_sheets = sum(len(p) for p in doc_pages)
        if not dossier.scanned:
            continue
        if n == missing_page:
            doc_pages[-1] = doc_pages[-1][:-1]
            if not doc_pages[-1]:
                doc_pages.pop()
        if n != missing_separator:
            dossier.separator_page = len(stack.jpegs)
            damaged = n == damaged_separator
            _add_sheet(
                stack, _separator_image(SeparatorSpec("dossier", code, dossier.title)), scan, level, damaged
            )
        for k, pages in enumerate(doc_pages):
            if k and document_separators:
                _add_sheet(stack, _separator_image(SeparatorSpec("document")), scan, level, False)
            indexes: list[int] = []
            for page in pages:
                indexes.append(len(stack.jpegs))
                _add_page(stack, page, scan, level, "content")
                if duplex:
                    _add_page(stack, _white(page.size), scan, level, "blank-back")
            dossier.doc_pages.append(indexes)
        if max_pages is not None and len(stack.jpegs) >= max_pages:
            break
    return stack


def _add_sheet(
    stack: GeneratedStack, image: Image.Image, rng: random.Random, level: str, damaged: bool
) -> None:
    if damaged:
        image = spoil_code(image, rng)
    _add_page(stack, image, rng, level, "damaged-separator" if damaged else "separator")
    if stack.duplex:
        _add_page(stack, _white(image.size), rng, level, "blank-back")


def _add_page(
    stack: GeneratedStack, image: Image.Image, rng: random.Random, level: str, role: PageRole
) -> None:
    if role == "blank-back" and len(stack.blank_backs) >= 3:  # blank backs look alike: reuse a few scans
        stack.jpegs.append(stack.blank_backs[rng.randrange(len(stack.blank_backs))])
        stack.roles.append(role)
        return
    scanned, _ = degrade_page(image, rng=rng, level=level)
    grey = scanned.convert("L")
    if stack.dpi != RENDER_DPI:
        size = (round(grey.width * stack.dpi / RENDER_DPI), round(grey.height * stack.dpi / RENDER_DPI))
        grey = grey.resize(size, Image.Resampling.BOX)
    buf = io.BytesIO()
    grey.save(buf, "JPEG", quality=85, dpi=(stack.dpi, stack.dpi))
    stack.jpegs.append(buf.getvalue())
    stack.roles.append(role)
    if role == "blank-back":
        stack.blank_backs.append(buf.getvalue())


def _white(size: tuple[int, int]) -> Image.Image:
    return Image.new("RGB", size, (255, 255, 255))


_SHEET_CACHE: dict[SeparatorSpec, Image.Image] = {}


def _separator_image(spec: SeparatorSpec) -> Image.Image:
    """The printed sheet as a clean 300 dpi page (then scanned like any other page)."""
    if spec not in _SHEET_CACHE:
        pdf = pdfium.PdfDocument(make_separator_sheets([spec]))
        try:
            _SHEET_CACHE[spec] = pdf[0].render(scale=RENDER_DPI / 72).to_pil().convert("RGB")
        finally:
            pdf.close()
        if len(_SHEET_CACHE) > 64:
            _SHEET_CACHE.pop(next(iter(_SHEET_CACHE)))
    return _SHEET_CACHE[spec].copy()


def spoil_code(image: Image.Image, rng: random.Random) -> Image.Image:
    """An ink blot over a finder pattern and a marker stroke across the QR code: unreadable, still a square."""
    img = image.copy()
    draw = ImageDraw.Draw(img)
    scale = RENDER_DPI / 25.4
    x0, y0 = (210 - 90) / 2 * scale, 40 * scale  # the QR code's top left (separators.py layout)
    side = 90 * scale
    draw.rectangle([x0 - 5, y0 - 5, x0 + side * 0.32, y0 + side * 0.32], fill=(30, 30, 30))
    draw.rectangle(
        [x0 + side * 0.68, y0 + side * 0.68 - 5, x0 + side + 5, y0 + side + 5], fill=(255, 255, 255)
    )
    y = y0 + side * rng.uniform(0.4, 0.6)
    draw.line([(x0 - 20, y), (x0 + side + 20, y + side * 0.1)], fill=(35, 35, 35), width=int(8 * scale))
    return img


__all__ = ["GeneratedStack", "PageRole", "StackDossier", "generate_stack", "spoil_code"]
