"""Quyết định and other administrative documents laid out by Nghị định 30/2020.

Header: the issuing body (left column, above ``Số:``) facing the national heading and the dateline
``<place>, ngày D tháng M năm YYYY``; then the title, the subject (``Về việc ...``), the body, and the signature
block at the bottom right: the capacity (``TM.``/``KT.``/``TL.``), the title, the signer's name.
"""

from __future__ import annotations

from collections.abc import Sequence

from extractors.fields import common
from extractors.fields.engine import FieldSpec, LabelledDocument, make_field, place_dates, value_confidence
from extractors.fields.layout import Token, VisualLine
from extractors.fields.values import to_date, to_name, to_text
from extractors.normalize import clean_text, fold
from pipelines.model import Field

SPECS = [
    FieldSpec("document_number", ("Số, ký hiệu", "Số ký hiệu"), "document_number"),
    FieldSpec("document_number", common.NUMBER, "document_number", start_only=True),
]
_NATIONAL = ("cong hoa xa hoi", "doc lap", "tu do", "hanh phuc")
_BODY_START = ("can cu", "xet de nghi", "theo de nghi", "quyet dinh", "dieu ")


def _text(tokens: Sequence[Token]) -> str:
    return " ".join(t.text for t in tokens)


def _is_upper(tokens: Sequence[Token]) -> bool:
    letters = [c for c in _text(tokens) if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _is_national(tokens: Sequence[Token]) -> bool:
    folded = fold(_text(tokens))
    return any(p in folded for p in _NATIONAL)


def _is_left(seg: Sequence[Token], line: VisualLine) -> bool:
    return seg[0].bbox[0] < 0.4 * line.page_width and seg[-1].bbox[2] < 0.62 * line.page_width


def _is_right(seg: Sequence[Token], line: VisualLine) -> bool:
    return seg[0].bbox[0] >= 0.38 * line.page_width


def _field(
    key: str, value: str, tokens: Sequence[Token], lines: Sequence[VisualLine], factor: float
) -> Field:
    return make_field(key, value, tokens, value_confidence(tokens) * factor, _text(tokens), lines)


def extract(lines: Sequence[VisualLine]) -> dict[str, Field]:
    doc = LabelledDocument(lines, SPECS)
    fields = doc.extract_all()
    number_line = next(
        (li for li, ms in enumerate(doc.matches) if any(m.key == "document_number" for m in ms)), None
    )
    dated = place_dates(lines)
    # The dateline faces the number in the header; a date further down is in the body ("Căn cứ Luật ... ngày").
    last_header_line = number_line + 3 if number_line is not None else 8
    header_date = next((d for d in dated if d.line <= last_header_line), None)
    if header_date is not None:
        raw = _text(header_date.date)
        converted = to_date(raw)
        if converted:
            fields["issue_date"] = _field("issue_date", converted[0], header_date.date, lines, converted[1])
        place = to_text(_text(header_date.place))
        if place and header_date.place:
            fields["issue_place"] = _field("issue_place", place[0], header_date.place, lines, 0.95)
    header_end = number_line if number_line is not None else (header_date.line if header_date else None)
    if header_end is not None:
        _issuing_body(lines, header_end, fields)
        _subject(lines, max(header_end, header_date.line if header_date else 0), fields)
    _signature(lines, fields)
    return fields


def _issuing_body(lines: Sequence[VisualLine], header_end: int, fields: dict[str, Field]) -> None:
    parts: list[Token] = []
    for line in lines[:header_end]:
        if line.page != lines[header_end].page:
            continue
        for seg in line.segments():
            if _is_left(seg, line) and not _is_national(seg) and _is_upper(seg):
                parts.extend(seg)
    text = _canonical_phrases(clean_text(_text(parts)))
    if text:
        fields["issuing_body"] = _field("issuing_body", text, parts, lines, 0.95)


_PHRASES = ("ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN")


def _canonical_phrases(text: str) -> str:
    """ "ỦY BẠN NHÂN DÂN" is "ỦY BAN NHÂN DÂN": the names of state bodies are a closed set of phrases."""
    words = text.split()
    for phrase in _PHRASES:
        want = phrase.split()
        n = len(want)
        for i in range(len(words) - n + 1):
            if [fold(w) for w in words[i : i + n]] == [fold(w) for w in want]:
                words[i : i + n] = want
    return " ".join(words)


def _subject(lines: Sequence[VisualLine], after: int, fields: dict[str, Field]) -> None:
    # "V/v ..." under the number of an official letter, else the lines under the title.
    for line in lines[after : after + 3]:
        for seg in line.segments():
            if fold(seg[0].text).startswith(("v/v", "vv")):
                fields["subject"] = _field("subject", clean_text(_text(seg)), seg, lines, 0.95)
                return
    i = after + 1
    while i < len(lines) and (_is_national(lines[i].tokens) or not _is_upper(lines[i].tokens)):
        i += 1  # skip to the title (an upper-case line)
        if i > after + 4:
            return
    parts: list[Token] = []
    for line in lines[i + 1 : i + 5]:
        folded = fold(line.text)
        if _is_upper(line.tokens) or folded.startswith(_BODY_START):
            break
        parts.extend(line.tokens)
    text = clean_text(_text(parts))
    if text:
        fields["subject"] = _field("subject", text, parts, lines, 0.95)


def _signature(lines: Sequence[VisualLine], fields: dict[str, Field]) -> None:
    if not lines:
        return
    last_page = lines[-1].page
    right: list[list[Token]] = []  # right-column segments of the last page, top to bottom
    for line in lines:
        if line.page != last_page:
            continue
        for seg in line.segments():
            if _is_right(seg, line) and not _text(seg).startswith("("):
                right.append(seg)
    name_at = None
    for idx in range(len(right) - 1, max(-1, len(right) - 5), -1):
        seg = right[idx]
        words = [t.text for t in seg]
        if 2 <= len(words) <= 6 and all(w[:1].isupper() for w in words) and not _is_upper(seg):
            name = to_name(_text(seg))
            if name:
                fields["signer_name"] = _field("signer_name", name[0], seg, lines, 0.95)
                name_at = idx
                break
    if name_at is None:
        # The name lost under the seal or the signature: the title block is still the last upper-case run
        # of the right column ("TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH").
        end = len(right)
        if end and not _is_upper(right[-1]):
            end -= 1  # the name itself, misread ("guyên Minh Nguyệt")
        run = _title_run(right, end, lines[-1].page_width)
        if run and any(w in fold(_text([t for seg in run for t in seg])) for w in _CAPACITY):
            tokens = [t for seg in run for t in seg]
            fields["signer_title"] = _field("signer_title", _title_text(tokens), tokens, lines, 0.85)
        return
    title = _title_run(
        right,
        name_at,
        lines[-1].page_width,
        centre=(right[name_at][0].bbox[0] + right[name_at][-1].bbox[2]) / 2,
    )
    tokens = [t for seg in title for t in seg]
    text = _title_text(tokens)
    if text:
        fields["signer_title"] = _field("signer_title", text, tokens, lines, 0.95)


# The words of signers' titles, with their diacritics (folded -> printed): "PHO CHU TỊCH" is "PHÓ CHỦ TỊCH".
_TITLE_WORDS = {
    fold(w): w
    for w in [
        "CHỦ",
        "TỊCH",
        "PHÓ",
        "GIÁM",
        "ĐỐC",
        "TRƯỞNG",
        "ỦY",
        "BAN",
        "NHÂN",
        "DÂN",
        "THỦ",
        "QUYỀN",
        "PHÒNG",
        "SỞ",
        "CỤC",
        "VĂN",
        "CHÁNH",
    ]
}


def _title_text(tokens: Sequence[Token]) -> str:
    words = clean_text(_text(tokens)).split()
    return " ".join(_TITLE_WORDS.get(fold(w), w) if w.isupper() else w for w in words)


# Words of a signer's capacity and title (folded).
_CAPACITY = ("chu tich", "giam doc", "truong", "tm.", "kt.", "tl.", "thu truong", "bi thu")


def _is_junk(seg: Sequence[Token]) -> bool:
    """Specks read from a seal or a signature stroke ("ẽ", "_")."""
    return len("".join(c for c in _text(seg) if c.isalnum())) <= 1


def _title_run(
    right: list[list[Token]], end: int, width: int, centre: float | None = None
) -> list[list[Token]]:
    """The upper-case right-column segments just above ``end``, close together (and centred on
    ``centre`` when given), top to bottom."""
    title: list[list[Token]] = []
    above_top = None
    for seg in reversed(right[max(0, end - 6) : end]):
        if _is_junk(seg):
            continue
        seg_centre = (seg[0].bbox[0] + seg[-1].bbox[2]) / 2
        top, height = min(t.bbox[1] for t in seg), max(t.bbox[3] - t.bbox[1] for t in seg)
        if not _is_upper(seg) or (centre is not None and abs(seg_centre - centre) > 0.15 * width):
            break
        if above_top is not None and above_top - top > 2.5 * height:
            break
        title.insert(0, seg)
        above_top = top
        if len(title) == 4:
            break
    return title
