"""Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""

from __future__ import annotations

from collections.abc import Sequence

from extractors.fields import common
from extractors.fields.engine import FieldSpec, LabelledDocument, add_lone_personal_id
from extractors.fields.layout import VisualLine
from pipelines.model import Field

SPECS = [
    FieldSpec("dossier_code", ("Mã hồ sơ", "Mã số hồ sơ", "Số hồ sơ"), "dossier_code"),
    FieldSpec(
        "applicant_name",
        (
            "Tên tổ chức, cá nhân",
            "Người nộp hồ sơ",
            "Người nộp",
            "Tiếp nhận hồ sơ của",
            "Họ và tên người nộp",
        ),
        "name",
    ),
    FieldSpec("applicant_id", common.PERSONAL_ID, "digits"),
    FieldSpec(
        "procedure_name",
        ("Nội dung yêu cầu giải quyết", "Nội dung yêu cầu", "Tên thủ tục hành chính", "Thủ tục"),
        "text",
        multiline=True,
    ),
    FieldSpec("received_date", ("Thời gian nhận hồ sơ", "Ngày nhận hồ sơ", "Ngày nhận"), "date"),
    FieldSpec(
        "due_date",
        (
            "Thời gian trả kết quả",
            "Thời gian trả kết quả giải quyết hồ sơ",
            "Ngày hẹn trả kết quả",
            "Hẹn trả kết quả",
            "Ngày trả kết quả",
        ),
        "date",
    ),
    FieldSpec(
        "receiving_unit",
        ("Bộ phận tiếp nhận", "Bộ phận tiếp nhận và trả kết quả", "Cơ quan tiếp nhận"),
        "text",
    ),
]
STOPS = ("Địa chỉ", "Điện thoại", "Số điện thoại", "Email", "Thư điện tử", "Số lượng hồ sơ")


def extract(lines: Sequence[VisualLine]) -> dict[str, Field]:
    fields = LabelledDocument(lines, SPECS, STOPS).extract_all()
    add_lone_personal_id("applicant_id", lines, fields)
    return fields
