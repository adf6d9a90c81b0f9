"""Giấy khai sinh."""

from __future__ import annotations

from collections.abc import Sequence

from extractors.fields import common
from extractors.fields.engine import FieldSpec, LabelledDocument
from extractors.fields.layout import VisualLine
from pipelines.model import Field

SPECS = [
    FieldSpec("registration_number", common.NUMBER, "code", start_only=True),
    FieldSpec("full_name", common.FULL_NAME, "name"),
    FieldSpec("date_of_birth", common.DATE_OF_BIRTH, "date"),
    FieldSpec("sex", common.SEX, "sex"),
    FieldSpec("place_of_birth", ("Nơi sinh",), "text", multiline=True),
    FieldSpec("ethnicity", common.ETHNICITY, "text"),
    FieldSpec("nationality", common.NATIONALITY, "text"),
    FieldSpec("personal_id", (*common.PERSONAL_ID[:-1], "Số định danh"), "digits"),
    FieldSpec(
        "mother_name", ("Họ, chữ đệm, tên người mẹ", "Họ và tên mẹ", "Họ, chữ đệm và tên người mẹ"), "name"
    ),
    FieldSpec(
        "father_name", ("Họ, chữ đệm, tên người cha", "Họ và tên cha", "Họ, chữ đệm và tên người cha"), "name"
    ),
    FieldSpec("registration_date", ("Ngày, tháng, năm đăng ký", "Ngày đăng ký"), "date"),
    FieldSpec(
        "issuing_authority",
        ("Nơi đăng ký", "Nơi đăng ký khai sinh", "Cơ quan đăng ký"),
        "text",
        multiline=True,
    ),
]
STOPS = (
    "Giấy tờ tùy thân",
    "Người đi khai sinh",
    "Quê quán",
    "Nơi cư trú",
    "Năm sinh",
    "Ghi bằng chữ",
    "Bằng chữ",
    "Người đi đăng ký khai sinh",
)


def extract(lines: Sequence[VisualLine]) -> dict[str, Field]:
    return LabelledDocument(lines, SPECS, STOPS).extract_all()
