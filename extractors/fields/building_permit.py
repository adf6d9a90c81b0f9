"""Giấy phép xây dựng."""

from __future__ import annotations

from collections.abc import Sequence

from extractors.fields import common
from extractors.fields.engine import FieldSpec, LabelledDocument, make_field, place_dates, value_confidence
from extractors.fields.layout import VisualLine
from extractors.fields.values import to_date
from pipelines.model import Field

SPECS = [
    FieldSpec("permit_number", ("Giấy phép xây dựng số", "Số giấy phép"), "document_number"),
    FieldSpec("permit_number", common.NUMBER, "document_number", start_only=True),
    FieldSpec("investor_name", ("Ông/Bà", "Ông", "Bà"), "name", start_only=True),
    FieldSpec("investor_name", ("Chủ đầu tư", "Cấp cho", "Tên chủ đầu tư"), "name", confirmed_only=True),
    FieldSpec("site_address", ("Địa điểm xây dựng",), "text", multiline=True),
    FieldSpec(
        "construction_area_m2",
        ("Diện tích xây dựng", "Diện tích xây dựng tầng 1", "Diện tích xây dựng tầng trệt"),
        "quantity",
    ),
    FieldSpec("floors", ("Số tầng", "Tầng cao"), "integer"),
    FieldSpec("issue_date", ("Ngày cấp",), "date"),
]
STOPS = (
    "Địa chỉ",
    "Vị trí xây dựng",
    "Cốt nền xây dựng công trình",
    "Lô đất số",
    "Tổng diện tích sàn",
    "Chiều cao công trình",
    "Cốt xây dựng",
    "Mật độ xây dựng",
)


def extract(lines: Sequence[VisualLine]) -> dict[str, Field]:
    fields = LabelledDocument(lines, SPECS, STOPS).extract_all()
    if "issue_date" not in fields:
        dated = place_dates(lines)
        if dated:
            pd = dated[0]  # the dateline in the header
            raw = " ".join(t.text for t in pd.date)
            converted = to_date(raw)
            if converted:
                conf = value_confidence(pd.date) * converted[1]
                fields["issue_date"] = make_field("issue_date", converted[0], pd.date, conf, raw, lines)
    return fields
