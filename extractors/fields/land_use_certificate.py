"""Giấy chứng nhận quyền sử dụng đất (old and 08/2024 forms)."""

from __future__ import annotations

import re
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
from extractors.fields.values import to_date, to_serial
from pipelines.model import Field

SPECS = [
    FieldSpec("holder_name", ("Ông", "Bà", "Ông/Bà", "Hộ ông", "Hộ bà"), "name", start_only=True),
    FieldSpec("serial_number", ("Số phát hành", "Số seri", "Số sê ri", "Seri"), "serial"),
    FieldSpec(
        "register_number",
        ("Số vào sổ cấp GCN", "Số vào sổ cấp giấy chứng nhận", "Số vào sổ"),
        "register_number",
    ),
    FieldSpec(
        "holder_name", ("Người sử dụng đất", "Người sử dụng đất, chủ sở hữu tài sản", "Chủ sử dụng"), "name"
    ),
    FieldSpec("holder_id", (*common.PERSONAL_ID, "CCCD", "CMND số"), "digits"),
    FieldSpec("parcel_number", ("Thửa đất số", "Số thửa"), "integer"),
    FieldSpec("map_sheet_number", ("Tờ bản đồ số", "Số tờ bản đồ"), "integer"),
    FieldSpec("parcel_address", ("Địa chỉ thửa đất", "Địa chỉ"), "text", multiline=True, after=("Thửa đất",)),
    FieldSpec("parcel_address", ("Địa chỉ thửa đất",), "text", multiline=True),
    FieldSpec("area_m2", ("Diện tích", "Diện tích đất"), "quantity"),
    FieldSpec("land_use_purpose", ("Mục đích sử dụng", "Mục đích sử dụng đất"), "text"),
    FieldSpec("land_use_term", ("Thời hạn sử dụng", "Thời hạn"), "text"),
    FieldSpec("issue_date", common.ISSUE_DATE, "date"),
]
STOPS = ("Hình thức sử dụng", "Nguồn gốc sử dụng", "Sinh năm", "Năm sinh", "Bằng chữ", "Địa chỉ thường trú")


def extract(lines: Sequence[VisualLine]) -> dict[str, Field]:
    fields = LabelledDocument(lines, SPECS, STOPS).extract_all()
    add_lone_personal_id("holder_id", lines, fields)
    if "serial_number" not in fields:
        _unlabelled_serial(lines, fields)
    if "issue_date" not in fields:
        dated = place_dates(lines)
        if dated:
            pd = dated[-1]  # the certificate is dated above the issuing officer's signature
            raw = " ".join(t.text for t in pd.date)
            converted = to_date(raw)
            if converted:
                conf = value_confidence(pd.date) * 0.95 * converted[1]
                fields["issue_date"] = make_field("issue_date", converted[0], pd.date, conf, raw, lines)
    return fields


def _unlabelled_serial(lines: Sequence[VisualLine], fields: dict[str, Field]) -> None:
    """The serial printed on its own in a corner of the certificate (``XH 070541``)."""
    for line in lines:
        converted = to_serial(line.text) if len(line.tokens) <= 3 else None
        if converted and re.fullmatch(r"[A-Z]{2}(\d{6}|\d{8})", converted[0]):
            conf = value_confidence(line.tokens) * 0.85 * converted[1]
            fields["serial_number"] = make_field(
                "serial_number", converted[0], line.tokens, conf, line.text, lines
            )
            return
