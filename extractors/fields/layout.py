"""Visual lines rebuilt from word boxes, independent of how the OCR engine grouped its blocks.

Two columns printed side by side (the header of an administrative paper, the husband and wife columns of a
marriage certificate) share one visual line; a large horizontal gap splits such a line into segments.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from extractors.normalize import fold_words, nfc
from pipelines.model import BBox, PageText, Word

# A gap wider than this many line heights separates two columns.
COLUMN_GAP_IN_LINE_HEIGHTS = 3.0
# "1.", "a)", "đ)", "-", "+", "*", "•": list markers in front of a label.
_ENUMERATOR_RE = re.compile(r"^(?:[0-9]{1,2}[.)]|[a-zđ][)]|[ivx]{1,4}[.)]|[-+*•–—])$", re.IGNORECASE)
_LEADER_RE = re.compile(r"^[.…·_:]+$")


@dataclass
class Token:
    text: str  # NFC text as read
    key: str  # folded words joined by spaces ("" for pure punctuation)
    confidence: float
    bbox: BBox
    page: int

    @property
    def is_enumerator(self) -> bool:
        return bool(_ENUMERATOR_RE.match(self.text))

    @property
    def is_leader(self) -> bool:
        """Dot leaders, table rules and lone punctuation: never part of a value."""
        return bool(_LEADER_RE.match(self.text)) or not any(c.isalnum() for c in self.text)


@dataclass
class VisualLine:
    page: int
    tokens: list[Token]
    height: float
    source: str
    page_width: int
    segment_starts: set[int] = field(default_factory=set)  # token indexes that begin a column segment

    @property
    def top(self) -> int:
        return min(t.bbox[1] for t in self.tokens)

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)

    def gap_before(self, i: int) -> float:
        """Horizontal gap between token i-1 and token i, in line heights (inf for the first token)."""
        if i <= 0:
            return float("inf")
        return (self.tokens[i].bbox[0] - self.tokens[i - 1].bbox[2]) / max(self.height, 1.0)

    def segments(self) -> list[list[Token]]:
        """The line cut at column gaps."""
        out: list[list[Token]] = []
        for i, tok in enumerate(self.tokens):
            if i == 0 or i in self.segment_starts:
                out.append([])
            out[-1].append(tok)
        return out

    def segment_start(self, i: int) -> int:
        """Index of the first token of the segment holding token i."""
        return max(s for s in ({0} | self.segment_starts) if s <= i)


def _token(word: Word, page: int) -> Token:
    text = nfc(word.text)
    return Token(
        text=text, key=" ".join(fold_words(text)), confidence=word.confidence, bbox=word.bbox, page=page
    )


def _group_rows(words: Sequence[Word]) -> list[list[Word]]:
    """Words whose vertical centres lie within half a line height of each other form one row."""
    usable = [w for w in words if w.text.strip() and w.bbox[3] > w.bbox[1]]
    if not usable:
        return []
    typical = statistics.median(w.bbox[3] - w.bbox[1] for w in usable)
    rows: list[tuple[float, list[Word]]] = []  # (centre, words)
    for w in sorted(usable, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2):
        cy = (w.bbox[1] + w.bbox[3]) / 2
        best = None
        for idx in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            centre, _ = rows[idx]
            if abs(cy - centre) <= 0.5 * typical and (
                best is None or abs(cy - centre) < abs(cy - rows[best][0])
            ):
                best = idx
        if best is None:
            rows.append((cy, [w]))
        else:
            centre, ws = rows[best]
            ws.append(w)
            rows[best] = ((centre * (len(ws) - 1) + cy) / len(ws), ws)
    return [sorted(ws, key=lambda w: w.bbox[0]) for _, ws in sorted(rows, key=lambda r: r[0])]


def page_lines(page: PageText) -> list[VisualLine]:
    out: list[VisualLine] = []
    for row in _group_rows(page.words):
        tokens = [_token(w, page.index) for w in row]
        height = statistics.median(t.bbox[3] - t.bbox[1] for t in tokens)
        line = VisualLine(page.index, tokens, float(height), page.source, page.width)
        line.segment_starts = {
            i for i in range(1, len(tokens)) if line.gap_before(i) > COLUMN_GAP_IN_LINE_HEIGHTS
        }
        out.append(line)
    return out


def document_lines(pages: Sequence[PageText]) -> list[VisualLine]:
    """Visual lines of every non-blank page, in reading order."""
    lines: list[VisualLine] = []
    for page in sorted(pages, key=lambda p: p.index):
        if not page.blank:
            lines.extend(page_lines(page))
    return lines


def union_box(tokens: Sequence[Token]) -> BBox:
    return (
        min(t.bbox[0] for t in tokens),
        min(t.bbox[1] for t in tokens),
        max(t.bbox[2] for t in tokens),
        max(t.bbox[3] for t in tokens),
    )
