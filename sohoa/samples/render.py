"""Pages as lists of drawing operations (millimetres, origin top left), drawn to 300 dpi images or to PDF.

A layout describes a page once; the same operations become a raster page (Pillow) for scans or a
born-digital PDF page (reportlab, embedded TrueType fonts) with a real text layer.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

from .fonts import Font, pil_font, text_width_pt

RGB = tuple[int, int, int]
BLACK: RGB = (22, 22, 22)
RED: RGB = (205, 32, 42)
BLUE_INK: RGB = (28, 48, 150)
GREY: RGB = (120, 120, 120)
MM_PER_PT = 25.4 / 72.0


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    font: Font
    size: float  # points
    align: str = "left"  # left | center | right (anchor at x)
    color: RGB = BLACK
    angle: float = 0.0  # degrees clockwise around (x, y)


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 0.25
    color: RGB = BLACK
    dash: bool = False


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    outline: RGB | None = BLACK
    fill: RGB | None = None
    width: float = 0.25
    radius: float = 0.0


@dataclass(frozen=True)
class Ellipse:
    cx: float
    cy: float
    rx: float
    ry: float
    outline: RGB | None = BLACK
    fill: RGB | None = None
    width: float = 0.25


@dataclass(frozen=True)
class Poly:
    points: tuple[tuple[float, float], ...]
    outline: RGB | None = None
    fill: RGB | None = None
    width: float = 0.25
    closed: bool = True


Op = Text | Line | Rect | Ellipse | Poly


@dataclass
class Page:
    width: float  # mm
    height: float  # mm
    ops: list[Op] = field(default_factory=list)
    background: RGB = (255, 255, 255)


class Sheet:
    """A drawing view on a page: local millimetre coordinates, an offset and a scale."""

    def __init__(self, page: Page, dx: float = 0.0, dy: float = 0.0, scale: float = 1.0) -> None:
        self.page, self.dx, self.dy, self.scale = page, dx, dy, scale

    def sub(self, dx: float, dy: float, scale: float = 1.0) -> Sheet:
        return Sheet(self.page, self.dx + dx * self.scale, self.dy + dy * self.scale, self.scale * scale)

    def _p(self, x: float, y: float) -> tuple[float, float]:
        return self.dx + x * self.scale, self.dy + y * self.scale

    def text(
        self,
        x: float,
        y: float,
        s: str,
        font: Font,
        size: float,
        align: str = "left",
        color: RGB = BLACK,
        angle: float = 0.0,
    ) -> None:
        if s:
            px, py = self._p(x, y)
            self.page.ops.append(Text(px, py, s, font, size * self.scale, align, color, angle))

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        width: float = 0.25,
        color: RGB = BLACK,
        dash: bool = False,
    ) -> None:
        a, b = self._p(x1, y1)
        c, d = self._p(x2, y2)
        self.page.ops.append(Line(a, b, c, d, width * self.scale, color, dash))

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        outline: RGB | None = BLACK,
        fill: RGB | None = None,
        width: float = 0.25,
        radius: float = 0.0,
    ) -> None:
        px, py = self._p(x, y)
        s = self.scale
        self.page.ops.append(Rect(px, py, w * s, h * s, outline, fill, width * s, radius * s))

    def ellipse(
        self,
        cx: float,
        cy: float,
        rx: float,
        ry: float,
        outline: RGB | None = BLACK,
        fill: RGB | None = None,
        width: float = 0.25,
    ) -> None:
        px, py = self._p(cx, cy)
        s = self.scale
        self.page.ops.append(Ellipse(px, py, rx * s, ry * s, outline, fill, width * s))

    def poly(
        self,
        points: Sequence[tuple[float, float]],
        outline: RGB | None = None,
        fill: RGB | None = None,
        width: float = 0.25,
        closed: bool = True,
    ) -> None:
        pts = tuple(self._p(x, y) for x, y in points)
        self.page.ops.append(Poly(pts, outline, fill, width * self.scale, closed))

    def arc_text(
        self,
        cx: float,
        cy: float,
        r: float,
        s: str,
        font: Font,
        size: float,
        color: RGB,
        start: float,
        end: float,
    ) -> None:
        """Characters spread along a circle from ``start`` to ``end`` degrees (clockwise from the top)."""
        n = len(s)
        for i, ch in enumerate(s):
            if ch == " ":
                continue
            a = start + (end - start) * (i + 0.5) / n
            rad = math.radians(a)
            self.text(cx + r * math.sin(rad), cy - r * math.cos(rad), ch, font, size, "center", color, a)


# ---------------------------------------------------------------------------------------------- text flow

_TOKEN = re.compile(r"\s+|\S+")


def pt_to_mm(pt: float) -> float:
    return pt * MM_PER_PT


def width_mm(s: str, font: Font, size: float) -> float:
    return pt_to_mm(text_width_pt(s, font, size))


def wrap_runs(
    runs: Sequence[tuple[str, Font]],
    size: float,
    width: float,
    first_indent: float = 0.0,
    indent: float = 0.0,
) -> list[list[tuple[str, Font]]]:
    """Greedy word wrap of styled runs into lines of at most ``width`` mm (first line after ``first_indent``)."""
    tokens = [(t, f) for s, f in runs for t in _TOKEN.findall(s)]
    lines: list[list[tuple[str, Font]]] = [[]]
    used = first_indent
    for tok, f in tokens:
        if tok.isspace():
            if lines[-1]:
                lines[-1].append((" ", f))
                used += width_mm(" ", f, size)
            continue
        w = width_mm(tok, f, size)
        if used + w > width and any(t != " " for t, _ in lines[-1]):
            while lines[-1] and lines[-1][-1][0] == " ":
                lines[-1].pop()
            lines.append([])
            used = indent
        lines[-1].append((tok, f))
        used += w
    while lines[-1] and lines[-1][-1][0] == " ":
        lines[-1].pop()
    return [ln for ln in lines if ln]


class Flow:
    """Top-down text layout inside a column [x0, x1] of a sheet."""

    def __init__(
        self,
        sheet: Sheet,
        x0: float,
        x1: float,
        y: float,
        font: Font,
        size: float = 13.0,
        leading: float = 1.3,
    ) -> None:
        self.sheet, self.x0, self.x1, self.y = sheet, x0, x1, y
        self.font, self.size, self.leading = font, size, leading

    @property
    def line_h(self) -> float:
        return pt_to_mm(self.size * self.leading)

    def gap(self, mm: float) -> None:
        self.y += mm

    def runs(
        self,
        runs: Sequence[tuple[str, Font]],
        *,
        align: str = "left",
        first_indent: float = 0.0,
        indent: float = 0.0,
        size: float | None = None,
        justify: bool = False,
        color: RGB = BLACK,
    ) -> int:
        size = size or self.size
        width = self.x1 - self.x0
        lines = wrap_runs(runs, size, width, first_indent, indent)
        lh = pt_to_mm(size * self.leading)
        for i, ln in enumerate(lines):
            self.y += lh
            left = self.x0 + (first_indent if i == 0 else indent)
            total = sum(width_mm(t, f, size) for t, f in ln)
            avail = self.x1 - left
            if align == "center":
                left = self.x0 + (width - total) / 2
            elif align == "right":
                left = self.x1 - total
            spaces = sum(1 for t, _ in ln if t == " ")
            extra = (avail - total) / spaces if justify and spaces and i < len(lines) - 1 else 0.0
            self._draw_line(ln, left, size, extra, color)
        return len(lines)

    def _draw_line(self, ln: list[tuple[str, Font]], x: float, size: float, extra: float, color: RGB) -> None:
        chunk, chunk_font, chunk_x = "", None, x
        for tok, f in ln:
            if extra and tok == " ":
                if chunk:
                    self.sheet.text(chunk_x, self.y, chunk, chunk_font, size, color=color)
                x += width_mm(tok, f, size) + extra
                chunk, chunk_font, chunk_x = "", None, x
                continue
            if chunk and f != chunk_font:
                self.sheet.text(chunk_x, self.y, chunk, chunk_font, size, color=color)
                chunk, chunk_x = "", x
            if not chunk:
                chunk_x, chunk_font = x, f
            chunk += tok
            x += width_mm(tok, f, size)
        if chunk:
            self.sheet.text(chunk_x, self.y, chunk, chunk_font, size, color=color)

    def para(
        self,
        text: str,
        *,
        style: str = "regular",
        align: str = "left",
        first_indent: float = 0.0,
        justify: bool = False,
        size: float | None = None,
    ) -> int:
        return self.runs(
            [(text, self.font.with_style(style))],
            align=align,
            first_indent=first_indent,
            justify=justify,
            size=size,
        )

    def field(
        self,
        label: str,
        value: str,
        *,
        value_style: str = "regular",
        next_line: bool = False,
        indent: float = 0.0,
        label_style: str = "regular",
        size: float | None = None,
        suffix: str = "",
    ) -> None:
        lab = self.font.with_style(label_style)
        val = self.font.with_style(value_style)
        tail = [(" " + suffix, self.font)] if suffix else []
        if next_line:
            self.runs([(label + ":", lab)], first_indent=indent, indent=indent, size=size)
            self.runs([(value, val), *tail], first_indent=indent + 8, indent=indent + 8, size=size)
        else:
            self.runs(
                [(label + ": ", lab), (value, val), *tail], first_indent=indent, indent=indent + 4, size=size
            )

    def fields_inline(
        self,
        pairs: Sequence[tuple[str, str]],
        *,
        value_style: str = "regular",
        indent: float = 0.0,
        size: float | None = None,
    ) -> None:
        """Several short ``label: value`` pairs on one line at even tab stops (one a line if they do not fit)."""
        size = size or self.size
        lab, val = self.font, self.font.with_style(value_style)
        pairs = [(label, value) for label, value in pairs if value]
        if not pairs:
            return
        step = (self.x1 - self.x0 - indent) / len(pairs)
        widths = [width_mm(label + ": ", lab, size) + width_mm(value, val, size) for label, value in pairs]
        if max(widths) > step - 3:
            for label, value in pairs:
                self.runs(
                    [(label + ": ", lab), (value, val)], first_indent=indent, indent=indent + 4, size=size
                )
            return
        self.y += pt_to_mm(size * self.leading)
        for i, (label, value) in enumerate(pairs):
            x = self.x0 + indent + i * step
            self.sheet.text(x, self.y, label + ": ", lab, size)
            self.sheet.text(x + width_mm(label + ": ", lab, size), self.y, value, val, size)


# ---------------------------------------------------------------------------------------------- raster


def rasterize(page: Page, dpi: int = 300) -> Image.Image:
    k = dpi / 25.4
    img = Image.new("RGB", (round(page.width * k), round(page.height * k)), page.background)
    draw = ImageDraw.Draw(img)

    def px(v: float) -> float:
        return v * k

    for op in page.ops:
        if isinstance(op, Text):
            font = pil_font(op.font.path, max(1, round(op.size * dpi / 72)))
            anchor = {"left": "ls", "center": "ms", "right": "rs"}[op.align]
            if op.angle:
                _rotated_text(img, op, font, px(op.x), px(op.y))
            else:
                draw.text((px(op.x), px(op.y)), op.text, font=font, fill=op.color, anchor=anchor)
        elif isinstance(op, Line):
            w = max(1, round(px(op.width)))
            if op.dash:
                _dashed(draw, px(op.x1), px(op.y1), px(op.x2), px(op.y2), w, op.color, px(1.0))
            else:
                draw.line([(px(op.x1), px(op.y1)), (px(op.x2), px(op.y2))], fill=op.color, width=w)
        elif isinstance(op, Rect):
            box = [px(op.x), px(op.y), px(op.x + op.w), px(op.y + op.h)]
            w = max(1, round(px(op.width))) if op.outline else 0
            if op.radius:
                draw.rounded_rectangle(box, radius=px(op.radius), outline=op.outline, fill=op.fill, width=w)
            else:
                draw.rectangle(box, outline=op.outline, fill=op.fill, width=w)
        elif isinstance(op, Ellipse):
            box = [px(op.cx - op.rx), px(op.cy - op.ry), px(op.cx + op.rx), px(op.cy + op.ry)]
            w = max(1, round(px(op.width))) if op.outline else 0
            draw.ellipse(box, outline=op.outline, fill=op.fill, width=w)
        elif isinstance(op, Poly):
            pts = [(px(x), px(y)) for x, y in op.points]
            if op.closed:
                draw.polygon(pts, outline=op.outline, fill=op.fill)
            else:
                draw.line(pts, fill=op.outline, width=max(1, round(px(op.width))), joint="curve")
    return img


def _dashed(
    draw: ImageDraw.ImageDraw, x1: float, y1: float, x2: float, y2: float, w: int, color: RGB, step: float
) -> None:
    length = math.hypot(x2 - x1, y2 - y1)
    n = max(1, int(length / step))
    for i in range(0, n, 2):
        a, b = i / n, min(1.0, (i + 1) / n)
        draw.line(
            [(x1 + (x2 - x1) * a, y1 + (y2 - y1) * a), (x1 + (x2 - x1) * b, y1 + (y2 - y1) * b)],
            fill=color,
            width=w,
        )


def _rotated_text(img: Image.Image, op: Text, font, x: float, y: float) -> None:
    size = font.size
    tile = Image.new("L", (size * 3, size * 3), 0)
    ImageDraw.Draw(tile).text((size * 1.5, size * 1.5), op.text, font=font, fill=255, anchor="ms")
    tile = tile.rotate(-op.angle, resample=Image.Resampling.BICUBIC, center=(size * 1.5, size * 1.5))
    colour = Image.new("RGB", tile.size, op.color)
    img.paste(colour, (round(x - size * 1.5), round(y - size * 1.5)), tile)


# ---------------------------------------------------------------------------------------------- PDF


def pages_to_pdf(pages: Sequence[Page], *, title: str = "") -> bytes:
    """A born-digital PDF (text layer, embedded TrueType subsets), byte-identical for the same pages."""
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(
        buf, pagesize=(pages[0].width * mm, pages[0].height * mm), invariant=1, pageCompression=1
    )
    c.setTitle(title)
    c.setCreator("sohoa sample generator")
    registered = set(pdfmetrics.getRegisteredFontNames())

    def use_font(font: Font, size: float) -> None:
        if font.pdf_name not in registered:
            pdfmetrics.registerFont(TTFont(font.pdf_name, str(font.path)))
            registered.add(font.pdf_name)
        c.setFont(font.pdf_name, size)

    for page in pages:
        h = page.height
        c.setPageSize((page.width * mm, page.height * mm))
        if page.background != (255, 255, 255):
            c.setFillColorRGB(*(v / 255 for v in page.background))
            c.rect(0, 0, page.width * mm, page.height * mm, stroke=0, fill=1)
        for op in page.ops:
            if isinstance(op, Text):
                use_font(op.font, op.size)
                c.setFillColorRGB(*(v / 255 for v in op.color))
                c.saveState()
                c.translate(op.x * mm, (h - op.y) * mm)
                if op.angle:
                    c.rotate(-op.angle)
                if op.align == "center":
                    c.drawCentredString(0, 0, op.text)
                elif op.align == "right":
                    c.drawRightString(0, 0, op.text)
                else:
                    c.drawString(0, 0, op.text)
                c.restoreState()
            elif isinstance(op, Line):
                c.setStrokeColorRGB(*(v / 255 for v in op.color))
                c.setLineWidth(op.width * mm)
                c.setDash([1 * mm, 1 * mm] if op.dash else [])
                c.line(op.x1 * mm, (h - op.y1) * mm, op.x2 * mm, (h - op.y2) * mm)
                c.setDash([])
            elif isinstance(op, Rect | Ellipse | Poly):
                _pdf_shape(c, op, h, mm)
        c.showPage()
    c.save()
    return buf.getvalue()


def _pdf_shape(c, op: Rect | Ellipse | Poly, h: float, mm: float) -> None:
    if op.outline:
        c.setStrokeColorRGB(*(v / 255 for v in op.outline))
        c.setLineWidth(op.width * mm)
    if op.fill:
        c.setFillColorRGB(*(v / 255 for v in op.fill))
    stroke, fill = int(op.outline is not None), int(op.fill is not None)
    if isinstance(op, Rect):
        y = (h - op.y - op.h) * mm
        if op.radius:
            c.roundRect(op.x * mm, y, op.w * mm, op.h * mm, op.radius * mm, stroke=stroke, fill=fill)
        else:
            c.rect(op.x * mm, y, op.w * mm, op.h * mm, stroke=stroke, fill=fill)
    elif isinstance(op, Ellipse):
        c.ellipse(
            (op.cx - op.rx) * mm,
            (h - op.cy - op.ry) * mm,
            (op.cx + op.rx) * mm,
            (h - op.cy + op.ry) * mm,
            stroke=stroke,
            fill=fill,
        )
    else:
        path = c.beginPath()
        x0, y0 = op.points[0]
        path.moveTo(x0 * mm, (h - y0) * mm)
        for x, y in op.points[1:]:
            path.lineTo(x * mm, (h - y) * mm)
        if op.closed:
            path.close()
        c.drawPath(path, stroke=stroke, fill=fill if op.closed else 0)


def write_pdf(pages: Sequence[Page], path: Path, *, title: str = "") -> None:
    path.write_bytes(pages_to_pdf(pages, title=title))
