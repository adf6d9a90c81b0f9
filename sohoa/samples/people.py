"""Synthetic Vietnamese identities, places, codes and dates (all NFC; no real person)."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from stdnum.vn import mst

from extractors.vn_codes import CENTURY_SEX_DIGIT, PROVINCE_CODES


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", " ".join(s.split()))


SURNAMES: list[tuple[str, int]] = [
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 4),
    ("Huỳnh", 4),
    ("Phan", 4),
    ("Vũ", 3),
    ("Võ", 3),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 1),
    ("Lý", 1),
    ("Trương", 1),
    ("Đinh", 1),
    ("Lương", 1),
    ("Tôn Nữ", 1),
]
MIDDLE = {
    "male": ["Văn", "Hữu", "Minh", "Đức", "Quang", "Công", "Thanh", "Ngọc", "Xuân", "Anh", "Quốc", "Gia"],
    "female": ["Thị", "Thị", "Thị", "Ngọc", "Thanh", "Thu", "Minh", "Bích", "Phương", "Hoài", "Khánh", "Mỹ"],
}
GIVEN = {
    "male": [
        "Hùng",
        "Dũng",
        "Tuấn",
        "Đức",
        "Khoa",
        "Minh",
        "Nam",
        "Long",
        "Hải",
        "Quân",
        "Phúc",
        "Hiếu",
        "Thắng",
        "Cường",
        "Sơn",
        "Trung",
        "Việt",
        "Bảo",
        "Khánh",
        "Lộc",
        "Tùng",
        "Huy",
        "Vinh",
        "Toàn",
    ],
    "female": [
        "Ánh",
        "Lan",
        "Phương",
        "Hương",
        "Thảo",
        "Quỳnh",
        "Hạnh",
        "Trang",
        "Linh",
        "Ngân",
        "Hà",
        "Mai",
        "Nhung",
        "Yến",
        "Vy",
        "Trâm",
        "Hằng",
        "Loan",
        "Diệp",
        "Tuyết",
        "Nguyệt",
        "Dung",
    ],
}
ETHNICITIES = ["Kinh"] * 17 + ["Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "Ê Đê"]


@dataclass(frozen=True)
class Province:
    name: str  # as in PROVINCE_CODES
    label: str  # "tỉnh Thừa Thiên Huế"
    place: str  # place name of documents issued there ("Huế, ngày ...")
    tax_prefix: str  # first two digits of enterprise codes registered there
    districts: tuple[tuple[str, tuple[str, ...]], ...]
    streets: tuple[str, ...]

    @property
    def code(self) -> str:
        return next(k for k, v in PROVINCE_CODES.items() if v == self.name)


PROVINCES: list[Province] = [
    Province(
        "Thừa Thiên Huế",
        "tỉnh Thừa Thiên Huế",
        "Huế",
        "33",
        (
            (
                "thành phố Huế",
                (
                    "phường Phú Hội",
                    "phường Vĩnh Ninh",
                    "phường Thuận Hòa",
                    "phường An Cựu",
                    "phường Xuân Phú",
                    "phường Phú Nhuận",
                ),
            ),
            ("thị xã Hương Thủy", ("phường Phú Bài", "phường Thủy Dương", "xã Thủy Thanh")),
            ("huyện Phú Vang", ("thị trấn Phú Đa", "xã Phú Thượng", "xã Phú Mỹ")),
        ),
        (
            "Lê Lợi",
            "Hùng Vương",
            "Nguyễn Huệ",
            "Bà Triệu",
            "Trần Hưng Đạo",
            "Điện Biên Phủ",
            "Phan Đình Phùng",
            "Lý Thường Kiệt",
            "Đống Đa",
            "Nguyễn Trãi",
        ),
    ),
    Province(
        "Hà Nội",
        "thành phố Hà Nội",
        "Hà Nội",
        "01",
        (
            ("quận Ba Đình", ("phường Điện Biên", "phường Kim Mã", "phường Ngọc Hà")),
            ("quận Đống Đa", ("phường Láng Thượng", "phường Kim Liên", "phường Ô Chợ Dừa")),
            ("quận Cầu Giấy", ("phường Dịch Vọng", "phường Nghĩa Đô", "phường Quan Hoa")),
            ("huyện Gia Lâm", ("thị trấn Trâu Quỳ", "xã Bát Tràng")),
        ),
        (
            "Kim Mã",
            "Láng Hạ",
            "Xuân Thủy",
            "Trần Duy Hưng",
            "Giải Phóng",
            "Nguyễn Chí Thanh",
            "Hoàng Quốc Việt",
        ),
    ),
    Province(
        "Hồ Chí Minh",
        "Thành phố Hồ Chí Minh",
        "Thành phố Hồ Chí Minh",
        "03",
        (
            ("Quận 1", ("phường Bến Nghé", "phường Đa Kao", "phường Tân Định")),
            ("Quận 3", ("phường Võ Thị Sáu", "Phường 9")),
            ("quận Bình Thạnh", ("Phường 25", "Phường 13")),
            ("thành phố Thủ Đức", ("phường Thảo Điền", "phường Linh Trung", "phường Hiệp Phú")),
        ),
        (
            "Nguyễn Thị Minh Khai",
            "Điện Biên Phủ",
            "Võ Văn Tần",
            "Xô Viết Nghệ Tĩnh",
            "Lê Văn Việt",
            "Cách Mạng Tháng Tám",
        ),
    ),
    Province(
        "Đà Nẵng",
        "thành phố Đà Nẵng",
        "Đà Nẵng",
        "04",
        (
            ("quận Hải Châu", ("phường Hải Châu 1", "phường Thạch Thang", "phường Hòa Cường Bắc")),
            ("quận Sơn Trà", ("phường An Hải Bắc", "phường Phước Mỹ")),
            ("quận Thanh Khê", ("phường Thạc Gián", "phường Chính Gián")),
            ("huyện Hòa Vang", ("xã Hòa Phong", "xã Hòa Tiến")),
        ),
        ("Bạch Đằng", "Nguyễn Văn Linh", "Hoàng Diệu", "Ngô Quyền", "Lê Duẩn", "Hàm Nghi"),
    ),
    Province(
        "Hải Phòng",
        "thành phố Hải Phòng",
        "Hải Phòng",
        "02",
        (
            ("quận Lê Chân", ("phường An Biên", "phường Dư Hàng Kênh")),
            ("quận Ngô Quyền", ("phường Máy Tơ", "phường Lạch Tray")),
            ("huyện Thủy Nguyên", ("xã Lập Lễ", "thị trấn Núi Đèo")),
        ),
        ("Lạch Tray", "Tô Hiệu", "Lê Lợi", "Hai Bà Trưng"),
    ),
    Province(
        "Cần Thơ",
        "thành phố Cần Thơ",
        "Cần Thơ",
        "18",
        (
            ("quận Ninh Kiều", ("phường An Hòa", "phường Xuân Khánh", "phường Tân An")),
            ("quận Cái Răng", ("phường Hưng Phú", "phường Lê Bình")),
        ),
        ("30 Tháng 4", "Mậu Thân", "Trần Hưng Đạo", "Nguyễn Văn Cừ"),
    ),
    Province(
        "Nghệ An",
        "tỉnh Nghệ An",
        "Nghệ An",
        "29",
        (
            ("thành phố Vinh", ("phường Hưng Bình", "phường Lê Lợi", "phường Trường Thi")),
            ("huyện Nghi Lộc", ("xã Nghi Phong", "thị trấn Quán Hành")),
            ("huyện Nam Đàn", ("xã Kim Liên", "thị trấn Nam Đàn")),
        ),
        ("Lê Duẩn", "Quang Trung", "Nguyễn Du", "Phan Bội Châu"),
    ),
    Province(
        "Quảng Nam",
        "tỉnh Quảng Nam",
        "Quảng Nam",
        "40",
        (
            ("thành phố Hội An", ("phường Minh An", "phường Cẩm Phô", "xã Cẩm Thanh")),
            ("thành phố Tam Kỳ", ("phường An Mỹ", "phường Tân Thạnh")),
            ("thị xã Điện Bàn", ("phường Vĩnh Điện", "xã Điện Phước")),
        ),
        ("Trần Phú", "Phan Châu Trinh", "Hùng Vương", "Nguyễn Duy Hiệu"),
    ),
    Province(
        "Khánh Hòa",
        "tỉnh Khánh Hòa",
        "Khánh Hòa",
        "42",
        (
            ("thành phố Nha Trang", ("phường Lộc Thọ", "phường Vĩnh Hải", "phường Phước Hòa")),
            ("thành phố Cam Ranh", ("phường Cam Nghĩa", "xã Cam Thành Nam")),
        ),
        ("Trần Phú", "Yersin", "Thống Nhất", "Lê Thánh Tôn"),
    ),
    Province(
        "Lâm Đồng",
        "tỉnh Lâm Đồng",
        "Lâm Đồng",
        "58",
        (
            ("thành phố Đà Lạt", ("Phường 1", "Phường 8", "Phường 10")),
            ("thành phố Bảo Lộc", ("phường Lộc Sơn", "phường Lộc Phát")),
        ),
        ("Phan Đình Phùng", "Bùi Thị Xuân", "Trần Phú"),
    ),
    Province(
        "Bình Định",
        "tỉnh Bình Định",
        "Bình Định",
        "41",
        (
            ("thành phố Quy Nhơn", ("phường Lê Lợi", "phường Trần Phú", "phường Ghềnh Ráng")),
            ("thị xã An Nhơn", ("phường Bình Định", "xã Nhơn Hậu")),
        ),
        ("Xuân Diệu", "An Dương Vương", "Nguyễn Thái Học"),
    ),
    Province(
        "Thanh Hóa",
        "tỉnh Thanh Hóa",
        "Thanh Hóa",
        "28",
        (
            ("thành phố Thanh Hóa", ("phường Điện Biên", "phường Ba Đình", "phường Đông Thọ")),
            ("huyện Hoằng Hóa", ("xã Hoằng Lộc", "thị trấn Bút Sơn")),
        ),
        ("Lê Lai", "Trần Phú", "Bà Triệu"),
    ),
]
PROVINCE_BY_NAME = {p.name: p for p in PROVINCES}
for _p in PROVINCES:
    assert _p.name in PROVINCE_CODES.values(), _p.name


@dataclass(frozen=True)
class Place:
    province: Province
    district: str
    ward: str

    def locality(self) -> str:
        """ "phường Phú Hội, thành phố Huế, tỉnh Thừa Thiên Huế" """
        return f"{self.ward}, {self.district}, {self.province.label}"

    @property
    def ward_name(self) -> str:
        """The ward's name without its kind: "Phú Hội"."""
        for kind in ("thị trấn ", "phường ", "Phường ", "xã "):
            if self.ward.startswith(kind):
                rest = self.ward[len(kind) :]
                return self.ward if rest.isdigit() else rest
        return self.ward

    @property
    def district_name(self) -> str:
        for kind in ("thành phố ", "thị xã ", "huyện ", "quận "):
            if self.district.startswith(kind):
                return self.district[len(kind) :]
        return self.district


def random_place(rng: random.Random, province: Province | None = None) -> Place:
    p = province or rng.choice(PROVINCES)
    district, wards = rng.choice(p.districts)
    return Place(p, district, rng.choice(wards))


def street_address(rng: random.Random, place: Place) -> str:
    """A full residence address: "Số 12 đường Lê Lợi, phường Phú Hội, thành phố Huế, tỉnh Thừa Thiên Huế"."""
    if place.ward.startswith("xã"):
        head = rng.choice(
            [
                f"Thôn {rng.choice(['Đông', 'Tây', 'Nam', 'Bắc', 'Trung', 'Thượng'])}",
                f"Thôn {rng.randint(1, 12)}",
                f"Xóm {rng.randint(1, 9)}",
            ]
        )
    else:
        street = rng.choice(place.province.streets)
        n = rng.randint(1, 250)
        head = rng.choice(
            [
                f"Số {n} đường {street}",
                f"Số {n}, đường {street}",
                f"{n} {street}",
                f"Số {n}/{rng.randint(2, 40)} {street}",
                f"Tổ dân phố {rng.randint(1, 15)}",
            ]
        )
    return nfc(f"{head}, {place.locality()}")


@dataclass(frozen=True)
class Person:
    full_name: str
    sex: str  # male | female
    date_of_birth: date
    personal_id: str
    birth_place: Place  # where the birth was registered (the ID's province code)
    residence: str
    ethnicity: str

    @property
    def sex_vi(self) -> str:
        return "Nam" if self.sex == "male" else "Nữ"

    @property
    def honorific(self) -> str:
        return "Ông" if self.sex == "male" else "Bà"


def full_name(rng: random.Random, sex: str, surname: str | None = None) -> str:
    choices = [(n, w) for n, w in SURNAMES if sex == "female" or n != "Tôn Nữ"]
    s = surname or rng.choices([n for n, _ in choices], [w for _, w in choices])[0]
    middle = rng.choice(MIDDLE[sex])
    if s != "Tôn Nữ" and rng.random() < 0.15:  # two middle names: "Trần Lê Minh Khoa", "Nguyễn Thị Thu Hương"
        middle = (
            rng.choice(["Lê", "Trần", "Phan"]) + " " + middle
            if rng.random() < 0.5
            else middle
            + " "
            + (
                rng.choice(["Thu", "Ngọc", "Bích"])
                if sex == "female"
                else rng.choice(["Minh", "Quốc", "Đức"])
            )
        )
        if len(set(middle.split())) < 2:
            middle = middle.split()[0]
    return nfc(f"{s} {middle} {rng.choice(GIVEN[sex])}")


def personal_id(rng: random.Random, province: Province, sex: str, born: date) -> str:
    century = (born.year // 100) * 100
    digit = next(d for d, (c, s) in CENTURY_SEX_DIGIT.items() if c == century and s == sex)
    return f"{province.code}{digit}{born.year % 100:02d}{rng.randint(0, 999999):06d}"


def random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def person(
    rng: random.Random,
    *,
    sex: str | None = None,
    born_between: tuple[int, int] = (1950, 2004),
    province: Province | None = None,
    surname: str | None = None,
    residence: str | None = None,
) -> Person:
    sex = sex or rng.choice(["male", "female"])
    born = random_date(rng, date(born_between[0], 1, 1), date(born_between[1], 12, 31))
    place = random_place(rng, province)
    home = residence or street_address(rng, random_place(rng, place.province if rng.random() < 0.6 else None))
    return Person(
        full_name(rng, sex, surname),
        sex,
        born,
        personal_id(rng, place.province, sex, born),
        place,
        home,
        rng.choice(ETHNICITIES),
    )


def enterprise_code(rng: random.Random, province: Province) -> str:
    """A 10-digit enterprise/tax code with a valid check digit (python-stdnum ``vn.mst``)."""
    while True:
        body = province.tax_prefix + f"{rng.randint(0, 9999999):07d}"
        check = mst.calc_check_digit(body)
        if len(check) == 1 and mst.is_valid(body + check):
            return body + check


# ---------------------------------------------------------------------------------------------- dates


def iso(d: date) -> str:
    return d.isoformat()


def dmy(d: date, sep: str = "/", pad: bool = True) -> str:
    return f"{d.day:02d}{sep}{d.month:02d}{sep}{d.year}" if pad else f"{d.day}{sep}{d.month}{sep}{d.year}"


def ngay_thang_nam(d: date) -> str:
    """ "ngày 05 tháng 3 năm 2024" (Nghị định 30/2020: days below 10 and months 1-2 take a leading zero)."""
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def expiry_for(born: date, issued: date) -> date | None:
    """CCCD validity: until the 25th, 40th or 60th birthday; None (no expiry) when issued at 58 or later."""
    age = issued.year - born.year
    for milestone in (25, 40, 60):
        if age < milestone - 2:
            return _birthday(born, born.year + milestone)
    return None


def _birthday(born: date, year: int) -> date:
    try:
        return born.replace(year=year)
    except ValueError:  # 29 February
        return date(year, 3, 1)


# ---------------------------------------------------------------------------------------------- words

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _below_1000(n: int, full: bool) -> str:
    h, t, u = n // 100, (n // 10) % 10, n % 10
    out: list[str] = []
    if full or h:
        out += [_DIGITS[h], "trăm"]
    if t == 0:
        if u and out:
            out += ["linh", _DIGITS[u]]
        elif u:
            out.append(_DIGITS[u])
    elif t == 1:
        out += ["mười"] + (["lăm" if u == 5 else _DIGITS[u]] if u else [])
    else:
        out += [_DIGITS[t], "mươi"]
        if u:
            out.append({1: "mốt", 4: "tư", 5: "lăm"}.get(u, _DIGITS[u]))
    return " ".join(out)


def number_words(n: int) -> str:
    """Vietnamese reading of a non-negative integer: 2024 -> "hai nghìn không trăm hai mươi tư"."""
    if n == 0:
        return "không"
    groups: list[int] = []
    while n:
        groups.append(n % 1000)
        n //= 1000
    units = ["", "nghìn", "triệu", "tỷ", "nghìn tỷ"]
    parts: list[str] = []
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            continue
        parts.append(_below_1000(g, full=i != len(groups) - 1))
        if units[i]:
            parts.append(units[i])
    return " ".join(parts)


def date_words(d: date) -> str:
    """ "Ngày năm, tháng ba, năm hai nghìn không trăm hai mươi tư" (the birth certificate's words line)."""
    s = f"ngày {number_words(d.day)}, tháng {number_words(d.month)}, năm {number_words(d.year)}"
    return s[0].upper() + s[1:]


def money_words(n: int) -> str:
    s = number_words(n) + " đồng"
    return s[0].upper() + s[1:]


def vn_number(value: float, decimals: int = 1) -> str:
    """Vietnamese number formatting: 1234.5 -> "1.234,5"."""
    whole, frac = f"{value:.{decimals}f}".split(".") if decimals else (f"{value:.0f}", "")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{grouped},{frac}" if frac and int(frac) else grouped


def plain_number(value: float, decimals: int = 1) -> str:
    """The ground-truth form of a quantity: "1234.5", "96" (no trailing zeros)."""
    s = f"{value:.{decimals}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s
