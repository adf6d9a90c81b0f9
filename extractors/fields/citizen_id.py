"""Thẻ căn cước / Căn cước công dân (front and back)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from extractors.fields import common
from extractors.fields.engine import FieldSpec, LabelledDocument, make_field, place_dates, value_confidence
from extractors.fields.layout import VisualLine
from extractors.fields.values import repair, to_date
from extractors.normalize import fix_digits_in_text
from pipelines.model import Field

SPECS = [
    FieldSpec("personal_id", ("Số định danh cá nhân", "Số CCCD", "Số căn cước"), "digits"),
    FieldSpec("personal_id", common.NUMBER, "digits", start_only=True),
    FieldSpec("full_name", common.FULL_NAME, "name"),
    FieldSpec("date_of_birth", common.DATE_OF_BIRTH, "date"),
    FieldSpec("sex", common.SEX, "sex"),
    FieldSpec("nationality", common.NATIONALITY, "text"),
    FieldSpec("place_of_origin", ("Quê quán", "Nơi đăng ký khai sinh"), "text", multiline=True),
    FieldSpec("place_of_residence", ("Nơi thường trú", "Nơi cư trú"), "text", multiline=True),
    FieldSpec("issue_date", ("Ngày, tháng, năm cấp", "Ngày cấp"), "date"),
    FieldSpec("expiry_date", ("Có giá trị đến", "Ngày, tháng, năm hết hạn", "Có giá trị đến ngày"), "date"),
]
STOPS = ("Đặc điểm nhận dạng", "Ngón trỏ trái", "Ngón trỏ phải", "Nơi sinh", "Dân tộc", "Tôn giáo")


def extract(lines: Sequence[VisualLine]) -> dict[str, Field]:
    doc = LabelledDocument(lines, SPECS, STOPS)
    fields = doc.extract_all()
    if "personal_id" not in fields:
        _any_personal_id(lines, fields)
    if "personal_id" not in fields:
        _damaged_personal_id(lines, fields)
    if "issue_date" not in fields:
        # The back of a CCCD prints "Ngày 15 tháng 03 năm 2021" above the issuing officer's title.
        for pd in place_dates(lines):
            converted = to_date(" ".join(t.text for t in pd.date))
            if converted:
                raw = " ".join(t.text for t in pd.date)
                conf = value_confidence(pd.date) * 0.9 * converted[1]
                fields["issue_date"] = make_field("issue_date", converted[0], pd.date, conf, raw, lines)
                break
    return fields


_DIGIT_PIECE_RE = re.compile(r"[0-9OoIl|SB]+[.,]?")


def _any_personal_id(lines: Sequence[VisualLine], fields: dict[str, Field]) -> None:
    """A 12-digit number on its own when its label was not read ("Số / No.:" is small print on a card): one
    token, or two or three digit pieces OCR split it into ("038182 766701"); the label may be glued to it
    ("s/ụo:049150295768", "sø/No.038182766701")."""
    for line in lines:
        toks = line.tokens
        for i in range(len(toks)):
            for n in (1, 2, 3):
                run = toks[i : i + n]
                if len(run) < n or any(j in line.segment_starts for j in range(i + 1, i + n)):
                    break
                if not all(_DIGIT_PIECE_RE.fullmatch(t.text) for t in run[1:]):
                    break
                text = "".join(t.text for t in run)
                digits, quality = repair(re.split(r"[:;]", text)[-1].strip(".,;:"))
                if not re.fullmatch(r"\d{12}", digits):
                    glued = re.search(r"[^\w](\d{12})$", fix_digits_in_text(text))
                    digits = glued.group(1) if glued else digits
                if re.fullmatch(r"\d{12}", digits):
                    conf = value_confidence(run) * 0.85 * quality * (1.0 if n == 1 else 0.95)
                    raw = " ".join(t.text for t in run)
                    fields["personal_id"] = make_field("personal_id", digits, run, conf, raw, lines)
                    return


# "0381823/66701", "038182/66701": a card number with a digit OCR could not read, after its "No." label.
_DAMAGED_RE = re.compile(r"(?:^|(?<=[^\w]))([0-9OoIl|SB][0-9OoIl|SB/.,;:'\-]{9,14})$")
_DAMAGED_MAX_JUNK = 2


def _damaged_personal_id(lines: Sequence[VisualLine], fields: dict[str, Field]) -> None:
    """A card number with one or two characters that are not digits, glued to its label or right after it:
    reported as read (it fails validation, so it is never confident) for the digit-only re-read and the
    reviewer, instead of not at all."""
    for line in lines:
        toks = line.tokens
        for i, tok in enumerate(toks):
            m = _DAMAGED_RE.search(fix_digits_in_text(tok.text))
            if m is None:
                continue
            number = m.group(1).rstrip(".,")
            digits = sum(c.isdigit() for c in number)
            if not 10 <= digits <= 13 or len(number) - digits > _DAMAGED_MAX_JUNK:
                continue
            label = toks[i - 1] if i > 0 and i not in line.segment_starts else None
            after_label = label is not None and (
                label.key.startswith(("so", "no"))
                or label.key.endswith("no")
                or label.text.endswith((":", "."))
            )
            if not (m.start(1) > 0 or after_label):
                continue
            conf = value_confidence([tok]) * 0.5
            fields["personal_id"] = make_field("personal_id", number, [tok], conf, tok.text, lines)
            return
