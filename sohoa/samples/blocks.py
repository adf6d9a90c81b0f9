"""Building blocks of Vietnamese administrative papers (Nghị định 30/2020 layout)."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from .fonts import Font
from .render import BLACK, BLUE_INK, RED, RGB, Flow, Page, Sheet, width_mm
from .style import Style

A4 = (210.0, 297.0)


class Doc:
    """Pages of one document with a text flow that continues on a new page when the current one is full."""

    def __init__(
        self,
        style: Style,
        size: tuple[float, float] = A4,
        background: RGB = (255, 255, 255),
        top: float = 20.0,
        bottom: float = 22.0,
    ) -> None:
        self.style, self.size, self.background = style, size, background
        self.top, self.bottom = top, bottom
        self.pages: list[Page] = []
        self.new_page()
        self.flow = Flow(
            self.sheet, style.margin_left, size[0] - style.margin_right, top, style.font, style.size
        )

    def new_page(self) -> Page:
        self.pages.append(Page(self.size[0], self.size[1], background=self.background))
        self.sheet = Sheet(self.pages[-1])
        if len(self.pages) > 1:  # page numbers from page 2, centred in the top margin
            self.sheet.text(self.size[0] / 2, 12, str(len(self.pages)), self.style.font, 12, "center")
        return self.pages[-1]

    def need(self, mm: float) -> Flow:
        """Start a new page unless ``mm`` of height is left below the flow's cursor."""
        if self.flow.y + mm > self.size[1] - self.bottom:
            self.new_page()
            self.flow.sheet = self.sheet
            self.flow.y = self.top + 2
        return self.flow

    def para(self, text: str, **kw) -> None:
        self.need(self.flow.line_h * 2)
        self.flow.para(text, **kw)

    def field(self, label: str, value: str, **kw) -> None:
        self.need(self.flow.line_h * 2)
        suffix = (
            "." * (8 + len(value) % 9) if self.style.dotted else ""
        )  # form leaders, a space from the value
        self.flow.field(
            label, value, next_line=kw.pop("next_line", self.style.next_line), suffix=suffix, **kw
        )

    def mid(self) -> float:
        return (self.flow.x0 + self.flow.x1) / 2


def national_heading(sheet: Sheet, cx: float, y: float, style: Style, size: float = 12.5) -> float:
    """ "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" / "Độc lập - Tự do - Hạnh phúc" with its rule; returns the y below."""
    bold = style.bold()
    sheet.text(cx, y, style.national, bold, size, "center")
    motto = "Độc lập - Tự do - Hạnh phúc"
    sheet.text(cx, y + 6, motto, bold, size + 0.5, "center")
    w = width_mm(motto, bold, size + 0.5)
    sheet.line(cx - w / 2, y + 7.6, cx + w / 2, y + 7.6, 0.3)
    return y + 8


def issuer_block(
    sheet: Sheet,
    cx: float,
    y: float,
    parent: str | None,
    body_lines: Sequence[str],
    style: Style,
    number: str | None = None,
    size: float = 12.5,
    width: float = 78.0,
) -> float:
    """The issuing body at the top left (parent body regular, issuing body bold, short rule, then "Số: ...")."""

    def fit(text: str, font: Font) -> float:
        return min(size, size * width / max(1e-6, width_mm(text, font, size)))

    for line in (parent or "").split("\n"):
        if line:
            sheet.text(cx, y, line, style.font, fit(line, style.font), "center")
            y += 6
    for line in body_lines:
        sheet.text(cx, y, line, style.bold(), fit(line, style.bold()), "center")
        y += 6
    if body_lines:
        sheet.line(cx - 10, y - 4.4, cx + 10, y - 4.4, 0.3)
    if number:
        y += 3
        sheet.text(cx, y, f"Số: {number}", style.font, size + 0.5, "center")
    return y


def ruled_header(
    doc: Doc, parent: str | None, body_lines: Sequence[str], number: str | None, place_date: str | None
) -> None:
    """The two-column header of an administrative document; moves the flow below it."""
    sh, st = doc.sheet, doc.style
    left_cx = st.margin_left + 33
    right_cx = doc.size[0] - st.margin_right - 52
    y_left = issuer_block(sh, left_cx, doc.top + 5, parent, body_lines, st, number, size=12.0)
    y_right = national_heading(sh, right_cx, doc.top + 5, st, size=12.0)
    if place_date:
        sh.text(right_cx, max(y_right, y_left) + 5, place_date, st.italic(), 13, "center")
    doc.flow.y = max(y_left, y_right) + 12


def title(doc: Doc, lines: Sequence[str], sub: Sequence[str] = (), size: float = 15.0) -> None:
    f = doc.flow
    for i, line in enumerate(lines):
        f.gap(2 if i == 0 else 0)
        f.runs([(line, doc.style.bold())], align="center", size=size)
    for line in sub:
        f.runs([(line, doc.style.bold())], align="center", size=doc.style.size)
    f.gap(3)


def place_date_line(doc: Doc, text: str, align: str = "right") -> None:
    doc.need(doc.flow.line_h * 2)
    doc.flow.gap(2)
    doc.flow.runs([(text, doc.style.italic())], align=align)


def scribble(sheet: Sheet, x: float, y: float, w: float, rng: random.Random, color: RGB = BLUE_INK) -> None:
    """A handwritten signature: a few loops and a flourish."""
    pts = []
    loops = rng.randint(2, 4)
    for i in range(60):
        t = i / 59
        a = t * loops * 2 * math.pi
        pts.append(
            (x + t * w + 2.5 * math.cos(a) * (1 - t * 0.5), y + 3 * math.sin(a + rng.random() * 0.3) - 2 * t)
        )
    sheet.poly(pts, outline=color, width=0.45, closed=False)
    sheet.poly(
        [(x + w * 0.1, y + 4), (x + w * 0.6, y + 1.5), (x + w * 1.05, y - 2)],
        outline=color,
        width=0.4,
        closed=False,
    )


def seal(
    sheet: Sheet,
    cx: float,
    cy: float,
    r: float,
    ring_text: str,
    centre_lines: Sequence[str],
    style: Style,
    color: RGB = RED,
) -> None:
    """A round red seal: two rings, the body's name around, a star and a short text in the middle."""
    if not style.colour:
        color = (90, 90, 90)
    sheet.ellipse(cx, cy, r, r, outline=color, width=0.7)
    sheet.ellipse(cx, cy, r * 0.72, r * 0.72, outline=color, width=0.4)
    font = Font("LiberationSerif", "bold")
    sheet.arc_text(cx, cy, r * 0.8, ring_text.upper(), font, max(6.0, r * 0.42), color, -140, 140)
    star(sheet, cx, cy - r * 0.38, r * 0.14, color)
    for i, line in enumerate(centre_lines):
        sheet.text(cx, cy + r * 0.05 + i * r * 0.22, line.upper(), font, max(5.5, r * 0.36), "center", color)


def star(sheet: Sheet, cx: float, cy: float, r: float, color: RGB) -> None:
    pts = []
    for i in range(10):
        a = math.radians(-90 + i * 36)
        rr = r if i % 2 == 0 else r * 0.4
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    sheet.poly(pts, fill=color)


def emblem(sheet: Sheet, cx: float, cy: float, r: float) -> None:
    """The national emblem, simplified: a red disc with a yellow star and a golden ring."""
    sheet.ellipse(cx, cy, r, r, outline=(200, 160, 40), fill=(205, 40, 40), width=r * 0.12)
    star(sheet, cx, cy - r * 0.1, r * 0.5, (250, 210, 40))
    sheet.rect(cx - r * 0.45, cy + r * 0.45, r * 0.9, r * 0.18, outline=None, fill=(200, 160, 40))


def signature_block(
    doc: Doc,
    cx: float,
    lines: Sequence[str],
    name: str,
    rng: random.Random,
    *,
    hint: str | None = None,
    seal_text: str | None = None,
    seal_centre: Sequence[str] = (),
    y: float | None = None,
) -> float:
    """Title lines (bold caps), signature, optional seal overlapping the signature on the left, then the name.

    The seal sits between the title and the name so that neither value is covered. Returns the y below the name.
    """
    st = doc.style
    if y is None:
        doc.need(64)
        y = doc.flow.y + 9
    sh = doc.sheet
    for line in lines:
        sh.text(cx, y, line, st.bold(), 13, "center")
        y += 6
    if hint:
        sh.text(cx, y, hint, st.italic(), 12, "center")
        y += 6
    top = y
    if seal_text:
        seal(sh, cx - 14, top + 14, 15.5, seal_text, seal_centre, st)
    scribble(sh, cx - 12, top + 14, 26, rng)
    y = top + 32
    sh.text(cx, y, name, st.bold(), 13, "center")
    return y


def photo(sheet: Sheet, x: float, y: float, w: float, h: float, rng: random.Random) -> None:
    """A portrait placeholder: light blue background, head and shoulders."""
    sheet.rect(x, y, w, h, outline=(150, 150, 150), fill=(200, 220, 240), width=0.2)
    tone = rng.choice([(120, 100, 90), (90, 75, 70), (140, 120, 105)])
    sheet.ellipse(x + w / 2, y + h * 0.38, w * 0.22, h * 0.2, fill=tone, outline=None)
    sheet.poly(
        [
            (x + w * 0.12, y + h),
            (x + w * 0.2, y + h * 0.68),
            (x + w * 0.8, y + h * 0.68),
            (x + w * 0.88, y + h),
        ],
        fill=(40, 40, 60),
    )


def qr(sheet: Sheet, x: float, y: float, size: float, rng: random.Random, modules: int = 25) -> None:
    """A QR-code-like square (three finder patterns and random modules)."""
    m = size / modules
    sheet.rect(x, y, size, size, outline=None, fill=(255, 255, 255))
    finders = [(0, 0), (0, modules - 7), (modules - 7, 0)]
    for i in range(modules):
        for j in range(modules):
            inside = [(i - fi, j - fj) for fi, fj in finders if 0 <= i - fi < 7 and 0 <= j - fj < 7]
            if inside:
                a, b = inside[0]
                on = a in (0, 6) or b in (0, 6) or (2 <= a <= 4 and 2 <= b <= 4)
            else:
                on = rng.random() < 0.5
            if on:
                sheet.rect(x + j * m, y + i * m, m, m, outline=None, fill=BLACK)
