"""Giấy chứng nhận đăng ký doanh nghiệp."""

from __future__ import annotations

from collections.abc import Sequence

from extractors.fields import common
from extractors.fields.engine import FieldSpec, LabelledDocument
from extractors.fields.layout import VisualLine
from pipelines.model import Field

_REPRESENTATIVE = ("Người đại diện theo pháp luật", "Người đại diện theo pháp luật của công ty")
SPECS = [
    FieldSpec("enterprise_code", ("Mã số doanh nghiệp", "Mã số thuế", "Mã số"), "enterprise_code"),
    FieldSpec(
        "company_name",
        (
            "Tên công ty viết bằng tiếng Việt",
            "Tên doanh nghiệp viết bằng tiếng Việt",
            "Tên doanh nghiệp (tiếng Việt)",
            "Tên doanh nghiệp",
            "Tên công ty",
        ),
        "text",
    ),
    FieldSpec("head_office_address", ("Địa chỉ trụ sở chính", "Trụ sở chính"), "text", multiline=True),
    FieldSpec("legal_representative", _REPRESENTATIVE, "name"),
    FieldSpec("legal_representative", common.FULL_NAME, "name", after=_REPRESENTATIVE),
    FieldSpec("charter_capital_vnd", ("Vốn điều lệ", "Vốn điều lệ (đồng)"), "quantity"),
    FieldSpec("first_registration_date", ("Đăng ký lần đầu", "Đăng ký lần đầu ngày"), "date"),
]
STOPS = (
    "Tên công ty viết bằng tiếng nước ngoài",
    "Tên doanh nghiệp viết bằng tiếng nước ngoài",
    "Tên công ty viết tắt",
    "Tên doanh nghiệp viết tắt",
    "Đăng ký thay đổi lần thứ",
    "Điện thoại",
    "Fax",
    "Email",
    "Website",
    "Bằng chữ",
    "Giới tính",
    "Chức danh",
    "Sinh ngày",
    "Ngày sinh",
    "Dân tộc",
    "Quốc tịch",
    "Mệnh giá cổ phần",
    "Tổng số cổ phần",
)


def extract(lines: Sequence[VisualLine]) -> dict[str, Field]:
    return LabelledDocument(lines, SPECS, STOPS).extract_all()
