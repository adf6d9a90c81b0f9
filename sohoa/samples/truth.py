"""Ground-truth text of a rendered page, for measuring OCR character accuracy.

The text is what a reader of the page would type: horizontal text in reading order (lines top to bottom,
pieces of one line left to right). Left out: text inside a seal (ring text and centre lines) and rotated text,
which OCR of printed documents does not aim to read.
"""

from __future__ import annotations

import unicodedata

from .fonts import text_width_pt
from .render import Ellipse, Page, Text

MM_PER_PT = 25.4 / 72.0
LINE_TOLERANCE = 0.45  # baselines closer than this share of the font size (in mm) are one line


def page_text(page: Page) -> str:
    """The page's printed text, NFC, one line per printed line, pieces of a line joined by a space."""
    return "\n".join(page_lines(page))


def page_lines(page: Page) -> list[str]:
    seals = [op for op in page.ops if isinstance(op, Ellipse) and op.outline is not None and op.fill is None]
    texts = [
        op
        for op in page.ops
        if isinstance(op, Text) and not op.angle and op.text.strip() and not _in_any(op, seals)
    ]
    lines: list[list[Text]] = []
    for op in sorted(texts, key=lambda t: (t.y, t.x)):
        if lines and abs(op.y - lines[-1][0].y) <= LINE_TOLERANCE * op.size * MM_PER_PT:
            lines[-1].append(op)
        else:
            lines.append([op])
    return [
        unicodedata.normalize("NFC", " ".join(" ".join(t.text.split()) for t in sorted(line, key=_left)))
        for line in lines
    ]


def _left(op: Text) -> float:
    width = text_width_pt(op.text, op.font, op.size) * MM_PER_PT
    return op.x - {"left": 0.0, "center": width / 2, "right": width}[op.align]


def _in_any(op: Text, seals: list[Ellipse]) -> bool:
    """A seal's text sits inside its outer ring (small, unfilled circles only: not boxes or the emblem)."""
    return any(
        abs(e.rx - e.ry) < 0.01 and e.rx < 30 and (op.x - e.cx) ** 2 + (op.y - e.cy) ** 2 <= e.rx**2
        for e in seals
    )
