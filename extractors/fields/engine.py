"""Label -> value extraction over visual lines, shared by every document type.

The value of a label is the text to its right on the same line, up to the next label or a column gap; when
the label ends its line, the value is the line below (the part of it under the label's column). Values can
continue over following lines for addresses that wrap after a comma.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from extractors.fields.labels import ENGLISH_LABEL_WORDS, Label, LabelMatch, find_labels, value_start
from extractors.fields.layout import Token, VisualLine, union_box
from extractors.fields.values import CONVERTERS, repair
from extractors.normalize import fix_digits_in_text, fold
from extractors.validators import validate_personal_id
from pipelines.model import Field

UNCONFIRMED_LABEL = 0.95  # a label without its colon is a little less certain
UNLABELLED = 0.79  # a value found without its label: below the review threshold, a person confirms it
MAX_LINE_DISTANCE = 3.5  # a value below its label starts at most this many word heights lower
CONTINUATION_DISTANCE = 2.6  # the next line of a wrapped value


@dataclass(frozen=True)
class FieldSpec:
    key: str
    labels: tuple[str, ...]
    kind: str = "text"  # a key of values.CONVERTERS
    occurrence: int = 0  # 0 = the first occurrence in reading order that gives a value
    multiline: bool = False  # the value may wrap onto following lines (addresses)
    start_only: bool = False  # labels count only at the start of a column (short labels like "Số")
    after: tuple[str, ...] = ()  # only occurrences after one of these section labels
    confirmed_only: bool = False  # only labels followed by ':' (words that also start sentences)


@dataclass
class Candidate:
    """A value read after one occurrence of a label."""

    match: LabelMatch
    tokens: list[Token]
    below: bool = False  # read on the line under the label


class LabelledDocument:
    """The label matches of one document, for one document type's specs."""

    def __init__(self, lines: Sequence[VisualLine], specs: Sequence[FieldSpec], stops: Iterable[str] = ()):
        self.lines = list(lines)
        self.specs = list(specs)
        self._margins: dict[int, float] = {}
        # One label per printed text (several specs may share a label: the husband's and the wife's name).
        labels: dict[str, Label] = {}
        for spec in specs:
            for text in spec.labels:
                start_only = spec.start_only or (text in labels and labels[text].start_only)
                labels[text] = Label(spec.key, text, start_only)
        for text in [*stops, *(a for spec in specs for a in spec.after)]:
            labels.setdefault(text, Label("", text))
        self.matches: list[list[LabelMatch]] = [
            find_labels(line, list(labels.values())) for line in self.lines
        ]

    # --- reading values -------------------------------------------------------------------------------

    def _starts_with_label(self, li: int) -> bool:
        return any(m.at_start and m.start == self.lines[li].segment_start(m.start) for m in self.matches[li])

    def _next_line(self, li: int, distance: float = MAX_LINE_DISTANCE) -> int | None:
        line = self.lines[li]
        if li + 1 >= len(self.lines):
            return None
        nxt = self.lines[li + 1]
        if nxt.page != line.page or nxt.top - line.top > distance * max(line.height, 1.0):
            return None
        return li + 1

    def _same_line_value(self, li: int, match: LabelMatch) -> list[Token]:
        line = self.lines[li]
        i = value_start(line, match)
        stop = len(line.tokens)
        for m in self.matches[li]:
            if m.start >= match.end and m.start < stop:
                stop = m.start
        for s in sorted(line.segment_starts):
            if i < s < stop:
                stop = s
                break
        if i in line.segment_starts and not _has_colon(line, match.end):
            return []  # "BỘ PHẬN TIẾP NHẬN" facing the national heading: a title, not a label with a value
        tokens = [t for t in line.tokens[i:stop] if not t.is_leader]
        return [] if _is_national_heading(tokens) else tokens

    def _segment_under(self, li: int, x0: float, x1: float, height: float) -> tuple[int, int] | None:
        """(first, stop) token indexes of the segment of line ``li`` that lies under [x0, x1] (or the first
        one starting after it), cut at the first label inside it."""
        line = self.lines[li]
        for seg in line.segments():
            sx0, sx1 = seg[0].bbox[0], seg[-1].bbox[2]
            if sx1 >= x0 - height and sx0 <= x1 + 3 * height:
                first = line.tokens.index(seg[0])
                stop = first + len(seg)
                for m in self.matches[li]:
                    if first < m.start < stop:
                        stop = m.start
                return first, stop
        return None

    def _below_value(self, li: int, match: LabelMatch) -> tuple[int, list[Token]] | None:
        line = self.lines[li]
        x0 = line.tokens[match.start].bbox[0]
        x1 = line.tokens[match.end - 1].bbox[2]
        nli = self._next_line(li)
        if nli is not None:
            span = self._segment_under(nli, x0, x1, line.height)
            if span is not None and _is_english_label_line(self.lines[nli].tokens[span[0] : span[1]]):
                nli = self._next_line(nli)  # "Có giá trị đến:" / "Date of expiry" / "15/03/2028"
        if nli is None or self._starts_with_label(nli):
            return None
        span = self._segment_under(nli, x0, x1, line.height)
        if span is None:
            return None
        tokens = [t for t in self.lines[nli].tokens[span[0] : span[1]] if not t.is_leader]
        return (nli, tokens) if tokens and not _is_national_heading(tokens) else None

    def _right_margin(self, page: int) -> float:
        """Where the printed lines of a page end on the right (the 90th percentile of long lines' ends)."""
        if page not in self._margins:
            ends = sorted(
                line.tokens[-1].bbox[2] for line in self.lines if line.page == page and len(line.tokens) >= 3
            )
            self._margins[page] = float(ends[int(0.9 * (len(ends) - 1))]) if ends else float("inf")
        return self._margins[page]

    def _is_overprint(self, li: int, nli: int, value_x0: int) -> bool:
        """Line ``nli`` is smaller print lying entirely to the right of where the value's lines start."""
        line, nxt = self.lines[li], self.lines[nli]
        return nxt.height < 0.75 * line.height and nxt.tokens[0].bbox[0] > value_x0 + 3 * line.height

    def _continuation(self, li: int, tokens: list[Token], label_x0: int, spec: FieldSpec) -> list[Token]:
        """Lines that continue a wrapped value: the next line is close, holds no label, and is indented under
        the label (how wrapped values are printed); for addresses also when the previous part ends with a comma
        or hyphen, for a sentence until its full stop."""
        sentence = spec.kind == "sentence"
        out = list(tokens)
        while out:
            nli = self._next_line(li, CONTINUATION_DISTANCE)
            if nli is not None and self._is_overprint(li, nli, out[0].bbox[0]):
                # Small print of a seal or a watermark between two lines of the value: look past it.
                after = self._next_line(nli, CONTINUATION_DISTANCE)
                near = after is not None and (
                    self.lines[after].top - self.lines[li].top
                    <= CONTINUATION_DISTANCE * max(self.lines[li].height, 1.0)
                )
                nli = after if near else None
            if nli is None or self._starts_with_label(nli):
                break
            nxt = self.lines[nli]
            # The segment in the value's column: a card's left column (photo, expiry date) may share the row.
            span = self._segment_under(nli, label_x0, out[-1].bbox[2], nxt.height)
            first, stop = span if span is not None else (0, 0)
            if first > 0 and any(m.start < first for m in self.matches[nli]):
                break
            more = [t for t in nxt.tokens[first:stop] if not t.is_leader]
            if (
                not more
                or more[0].bbox[0] < label_x0 - nxt.height
                or more[0].bbox[0] > out[0].bbox[0] + 3 * nxt.height
            ):
                break
            indented = more[0].bbox[0] >= label_x0 + 0.5 * nxt.height
            # A line that ran to the right margin wrapped: its value goes on under it, from the same start.
            wrapped = out[-1].bbox[2] >= 0.9 * self._right_margin(nxt.page) and (
                abs(more[0].bbox[0] - out[0].bbox[0]) <= nxt.height
            )
            if sentence:
                wanted = not any(t.text.endswith((".", ";")) for t in out)
            elif spec.multiline or out[-1].text.endswith((",", "-")):
                wanted = indented or out[-1].text.endswith((",", "-")) or (spec.multiline and wrapped)
            else:
                wanted = indented and not out[-1].text.endswith((".", ";"))
            if not wanted or _is_national_heading(more):
                break
            out.extend(more)
            li = nli
        return out

    def candidates(self, spec: FieldSpec) -> list[Candidate]:
        """Occurrences of the spec's labels with the value read after each, confirmed labels first."""
        after_line = -1
        if spec.after:
            anchor_lines = [
                li for li, ms in enumerate(self.matches) for m in ms if m.label.text in spec.after
            ]
            if not anchor_lines:
                return []
            after_line = anchor_lines[0]
        found: list[Candidate] = []
        for li, ms in enumerate(self.matches):
            if li < after_line:
                continue
            for m in ms:
                if m.label.text not in spec.labels:
                    continue
                if spec.confirmed_only and not m.confirmed:
                    continue
                readings: list[tuple[int, list[Token]]] = []
                same = self._same_line_value(li, m)
                if same:
                    readings.append((li, same))
                below = self._below_value(li, m)
                if below is not None:
                    readings.append(below)  # a second chance when the text after the label is not the value
                for end_li, tokens in readings:
                    if spec.multiline or spec.kind in ("text", "sentence"):
                        tokens = self._continuation(
                            end_li, tokens, self.lines[li].tokens[m.start].bbox[0], spec
                        )
                    found.append(Candidate(m, tokens, below=end_li != li))
        return sorted(found, key=lambda c: not c.match.confirmed)  # stable: reading order otherwise

    def extract(self, spec: FieldSpec) -> Field | None:
        converter = CONVERTERS[spec.kind]
        ok: list[Field] = []
        for cand in self.candidates(spec):
            raw = " ".join(t.text for t in cand.tokens)
            converted = converter(raw)
            if converted is None:
                continue
            value, quality = converted
            confidence = value_confidence(cand.tokens) * (0.8 + 0.2 * cand.match.score) * quality
            if not cand.match.confirmed:
                confidence *= UNCONFIRMED_LABEL
            ok.append(make_field(spec.key, value, cand.tokens, confidence, raw, self.lines))
            if len(ok) > spec.occurrence:
                return ok[spec.occurrence]
        return None

    def extract_all(self) -> dict[str, Field]:
        out: dict[str, Field] = {}
        for spec in self.specs:
            if spec.key in out:
                continue
            field = self.extract(spec)
            if field is not None:
                out[spec.key] = field
        return out


# --- helpers shared by the type modules ----------------------------------------------------------------------


def _has_colon(line: VisualLine, end: int) -> bool:
    return line.tokens[end - 1].text.endswith((":", "/")) or (
        end < len(line.tokens) and line.tokens[end].text.startswith((":", "/"))
    )


_NATIONAL_HEADING = ("cong hoa xa hoi chu nghia", "doc lap tu do hanh phuc")


def _is_english_label_line(tokens: Sequence[Token]) -> bool:
    words = [w for t in tokens for w in t.key.split()]
    return bool(words) and all(w in ENGLISH_LABEL_WORDS for w in words)


def _is_national_heading(tokens: Sequence[Token]) -> bool:
    """The national heading says nothing about a field."""
    folded = " ".join(t.key for t in tokens if t.key)
    return any(h in folded for h in _NATIONAL_HEADING)


def value_confidence(tokens: Sequence[Token]) -> float:
    """OCR confidence of a value: the mean of its words, pulled down by its weakest word."""
    confs = [t.confidence for t in tokens if t.key] or [t.confidence for t in tokens]
    if not confs:
        return 0.0
    return 0.5 * statistics.fmean(confs) + 0.5 * min(confs)


def make_field(
    key: str, value: str, tokens: Sequence[Token], confidence: float, raw: str, lines: Sequence[VisualLine]
) -> Field:
    page = tokens[0].page
    source = next((ln.source for ln in lines if ln.page == page), "ocr")
    return Field(
        key=key,
        value=value,
        confidence=round(max(0.0, min(1.0, confidence)), 3),
        raw=raw,
        page=page,
        bbox=union_box([t for t in tokens if t.page == page]),
        source="text_layer" if source == "text_layer" else "ocr",
    )


_PLACE_DATE_RE = re.compile(r"ngay\s*\d{1,2}\s*,?\s*thang\s*\d{1,2}\s*,?\s*nam\s*\d{4}")


@dataclass
class PlaceDate:
    place: list[Token]  # tokens before "ngày" ("Hà Nội,")
    date: list[Token]  # "ngày 05 tháng 3 năm 2024"
    line: int


def place_dates(lines: Sequence[VisualLine]) -> list[PlaceDate]:
    """Every ``<place>, ngày D tháng M năm YYYY`` in reading order (the dateline of a paper)."""
    out: list[PlaceDate] = []
    for li, line in enumerate(lines):
        for seg in line.segments():
            folded = fold(fix_digits_in_text(" ".join(t.text for t in seg)))
            if not _PLACE_DATE_RE.search(folded):
                continue
            idx = next(
                (
                    i
                    for i, t in enumerate(seg)
                    if t.key.startswith("ngay")
                    and _PLACE_DATE_RE.match(fold(fix_digits_in_text(" ".join(x.text for x in seg[i:]))))
                ),
                None,
            )
            if idx is None:
                idx = next((i for i, t in enumerate(seg) if t.key.startswith("ngay")), 0)
            out.append(PlaceDate(seg[:idx], seg[idx:], li))
    return out


def add_lone_personal_id(key: str, lines: Sequence[VisualLine], fields: dict[str, Field]) -> None:
    """``fields[key]``: the document's only 12-digit number with the structure of a personal ID, when the
    label was not read ("B0DC CC);" for "Số CCCD:"). Never confident: nothing says whose number it is."""
    if key in fields:
        return
    found: dict[str, tuple[Token, float]] = {}
    for line in lines:
        for tok in line.tokens:
            digits, quality = repair(tok.text.strip(".,;:()"))
            if re.fullmatch(r"\d{12}", digits) and not validate_personal_id(digits):
                found.setdefault(digits, (tok, quality))
    if len(found) != 1:
        return
    ((digits, (tok, quality)),) = found.items()
    conf = min(value_confidence([tok]) * 0.85 * quality, UNLABELLED)
    fields[key] = make_field(key, digits, [tok], conf, tok.text, lines)
