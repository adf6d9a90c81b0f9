"""Label variants shared by several document types (as printed; matching folds and fuzzes them)."""

from __future__ import annotations

FULL_NAME = (
    "Họ, chữ đệm và tên khai sinh",
    "Họ, chữ đệm và tên",
    "Họ, chữ đệm, tên",
    "Họ và tên",
    "Họ tên",
)
DATE_OF_BIRTH = ("Ngày, tháng, năm sinh", "Ngày sinh", "Sinh ngày")
SEX = ("Giới tính",)
NATIONALITY = ("Quốc tịch",)
ETHNICITY = ("Dân tộc",)
PERSONAL_ID = (
    "Số định danh cá nhân",
    "Số CCCD",
    "Số căn cước công dân",
    "Số căn cước",
    "CCCD số",
    "Số CMND",
    "Số chứng minh nhân dân",
    "Giấy tờ tùy thân",
)
NUMBER = ("Số",)  # "Số: 125" in the header; only at the start of a column and followed by ':'
ISSUE_DATE = ("Ngày cấp", "Ngày, tháng, năm cấp", "Cấp ngày")
RESIDENCE = ("Nơi thường trú", "Nơi cư trú", "Địa chỉ thường trú", "Địa chỉ")
