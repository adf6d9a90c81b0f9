"""Thẻ căn cước / Căn cước công dân (front and back)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from extractors.fields import common
from extractors.fields.engine import FieldSpec, LabelledDocument, make_field, place_dates, value_confidence
from extractors.fields.layout import VisualLine
from extractors.fields.values import repair, to_date
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


def _any_personal_id(lines: Sequence[VisualLine], fields: dict[str, Field]) -> None:
    """A 12-digit number on its own when its label was not read ("Số / No.:" is small print on a card)."""
    for line in lines:
        for tok in line.tokens:
            # "s/ụo:049150295768": the small-print label glued to the number.
            digits, quality = repair(re.split(r"[:;]", tok.text)[-1].strip(".,;:"))
            if re.fullmatch(r"\d{12}", digits):
                conf = value_confidence([tok]) * 0.85 * quality
                fields["personal_id"] = make_field("personal_id", digits, [tok], conf, tok.text, lines)
                return
