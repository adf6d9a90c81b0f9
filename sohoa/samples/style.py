"""Layout variation: fonts, label wording, value placement, name case, date formats."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date

from .fonts import Font
from .people import dmy, ngay_thang_nam

# Label wordings seen on real papers, per concept; Style.labels picks one (modulo the list length).
LABELS: dict[str, list[str]] = {
    "full_name": ["Họ, chữ đệm và tên", "Họ và tên", "Họ, chữ đệm, tên"],
    "date_of_birth": ["Ngày, tháng, năm sinh", "Ngày sinh", "Sinh ngày"],
    "personal_id": ["Số định danh cá nhân", "Số CCCD", "Số căn cước công dân"],
    "residence": ["Nơi cư trú", "Nơi thường trú", "Địa chỉ thường trú"],
    "sex": ["Giới tính", "Giới tính", "Giới tính"],
    "ethnicity": ["Dân tộc", "Dân tộc", "Dân tộc"],
    "nationality": ["Quốc tịch", "Quốc tịch", "Quốc tịch"],
    "place_of_birth": ["Nơi sinh", "Nơi sinh", "Nơi sinh"],
    "mother": ["Họ, chữ đệm, tên người mẹ", "Họ và tên mẹ", "Họ, chữ đệm và tên người mẹ"],
    "father": ["Họ, chữ đệm, tên người cha", "Họ và tên cha", "Họ, chữ đệm và tên người cha"],
}


@dataclass(frozen=True)
class Style:
    family: str = "LiberationSerif"
    labels: int = 0  # index into LABELS
    next_line: bool = False  # value on the line after its label
    upper_names: bool = True  # names printed in capitals
    hoa: str = "HÒA"  # "CỘNG HÒA" or "CỘNG HOÀ"
    size: float = 13.0  # body text size in points
    date_style: int = 0  # 0: 05/03/2024, 1: ngày 05 tháng 3 năm 2024, 2: 5-3-2024
    margin_left: float = 30.0
    margin_right: float = 20.0
    colour: bool = True  # red seal; False: a black-and-white photocopy
    dotted: bool = False  # dotted leaders after values (printed forms)

    @property
    def font(self) -> Font:
        return Font(self.family)

    def bold(self) -> Font:
        return Font(self.family, "bold")

    def italic(self) -> Font:
        return Font(self.family, "italic")

    def label(self, key: str) -> str:
        options = LABELS[key]
        return options[self.labels % len(options)]

    def name(self, s: str) -> str:
        return s.upper() if self.upper_names else s

    def date(self, iso_date: str) -> str:
        d = date.fromisoformat(iso_date)
        if self.date_style == 1:
            return ngay_thang_nam(d)
        if self.date_style == 2:
            return dmy(d, "-", pad=False)
        return dmy(d)

    @property
    def national(self) -> str:
        return f"CỘNG {self.hoa} XÃ HỘI CHỦ NGHĨA VIỆT NAM"


STANDARD = Style()


def random_style(rng: random.Random) -> Style:
    return replace(
        STANDARD,
        family=rng.choice(["LiberationSerif", "LiberationSerif", "NotoSerif", "NotoSans"]),
        labels=rng.randrange(3),
        next_line=rng.random() < 0.25,
        upper_names=rng.random() < 0.6,
        hoa=rng.choice(["HÒA", "HÒA", "HOÀ"]),
        size=rng.choice([12.0, 12.5, 13.0, 13.0, 13.5]),
        date_style=rng.choice([0, 0, 1, 2]),
        margin_left=rng.uniform(25, 33),
        margin_right=rng.uniform(15, 20),
        colour=rng.random() < 0.8,
        dotted=rng.random() < 0.3,
    )
