"""Đơn / Tờ khai đề nghị."""

from __future__ import annotations

from collections.abc import Sequence

from extractors.fields import common
from extractors.fields.engine import (
    FieldSpec,
    LabelledDocument,
    add_lone_personal_id,
    make_field,
    place_dates,
    value_confidence,
)
from extractors.fields.layout import VisualLine
from extractors.fields.values import to_date
from pipelines.model import Field

SPECS = [
    FieldSpec("addressee", ("Kính gửi",), "text", multiline=True),
    FieldSpec(
        "applicant_name",
        (
            "Họ, chữ đệm, tên người yêu cầu",
            "Họ, chữ đệm và tên người yêu cầu",
            "Họ và tên người yêu cầu",
            "Họ và tên người đề nghị",
            "Tên tôi là",
            "Tôi tên là",
            *common.FULL_NAME,
        ),
        "name",
    ),
    FieldSpec("date_of_birth", common.DATE_OF_BIRTH, "date"),
    FieldSpec("applicant_id", common.PERSONAL_ID, "digits"),
    FieldSpec(
        "address", ("Nơi cư trú", "Nơi thường trú", "Địa chỉ thường trú", "Địa chỉ"), "text", multiline=True
    ),
    FieldSpec(
        "request",
        (
            "Nội dung đề nghị",
            "Nội dung yêu cầu",
            "Đề nghị",
            "Tôi đề nghị",
            "Kính đề nghị",
            "Nay tôi làm đơn này đề nghị",
        ),
        "sentence",
        multiline=True,
    ),
]
STOPS = ("Giới tính", "Dân tộc", "Quốc tịch", "Số điện thoại", "Điện thoại", "Email", "Quan hệ với người")


def extract(lines: Sequence[VisualLine]) -> dict[str, Field]:
    fields = LabelledDocument(lines, SPECS, STOPS).extract_all()
    add_lone_personal_id("applicant_id", lines, fields)
    dated = place_dates(lines)
    if dated:
        pd = dated[-1]  # "..., ngày ... tháng ... năm ..." above the applicant's signature
        raw = " ".join(t.text for t in pd.date)
        converted = to_date(raw)
        if converted:
            conf = value_confidence(pd.date) * converted[1]
            fields["signed_date"] = make_field("signed_date", converted[0], pd.date, conf, raw, lines)
    return fields
