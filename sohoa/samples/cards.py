"""The citizen ID card (CCCD 2021 and Căn cước 2024): 85.6 x 54 mm, drawn on a larger scanned page."""

from __future__ import annotations

import math
import random
import unicodedata

from .blocks import emblem, photo, qr, scribble, seal
from .fonts import Font
from .render import Page, Sheet, width_mm, wrap_runs
from .style import Style

CARD_W, CARD_H = 85.6, 54.0
SANS = Font("NotoSans")
SANS_B = Font("NotoSans", "bold")
MONO = Font("LiberationMono")
LABEL = 4.8
CARD_BG = (234, 243, 240)


def _card_face(sh: Sheet, rng: random.Random) -> None:
    sh.rect(0, 0, CARD_W, CARD_H, outline=(160, 165, 165), fill=CARD_BG, width=0.2, radius=3.2)
    for k in range(6):  # guilloche
        pts = [(x * 0.9 + 1, CARD_H * (0.2 + 0.13 * k) + 1.8 * math.sin(x * 0.35 + k)) for x in range(93)]
        sh.poly(pts, outline=(214, 228, 224), width=0.15, closed=False)
    del rng  # the background is the same on every card


def _lv(sh: Sheet, x: float, y: float, label: str, value: str, vsize: float = 6.5) -> float:
    """A small bilingual label followed by a bold value on the same baseline; returns the x after the value."""
    sh.text(x, y, label, SANS, LABEL)
    vx = x + width_mm(label + " ", SANS, LABEL)
    sh.text(vx, y, value, SANS_B, vsize)
    return vx + width_mm(value, SANS_B, vsize)


def _wrapped(
    sh: Sheet, x: float, y: float, value: str, width: float, size: float = 6.3, step: float = 3.0
) -> float:
    size, lines = _fit(value, width, 2)
    for line in lines:
        sh.text(x, y, line, SANS_B, size)
        y += step
    return y


def _dmy(iso_date: str) -> str:
    y, m, d = iso_date.split("-")
    return f"{d}/{m}/{y}"


def _ascii(s: str) -> str:
    s = s.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)).upper()


def _mrz_check(s: str) -> str:
    values = {**{str(i): i for i in range(10)}, "<": 0, **{chr(65 + i): 10 + i for i in range(26)}}
    return str(sum(values[c] * (7, 3, 1)[i % 3] for i, c in enumerate(s)) % 10)


def mrz(pid: str, name: str, dob: str, sex: str, expiry: str | None) -> list[str]:
    """Three 30-character TD1 lines of the machine-readable zone."""
    doc = pid[3:]
    l1 = f"IDVNM{doc}{_mrz_check(doc)}{pid}<<"
    l1 = (l1 + _mrz_check(l1))[:30]
    b = dob[2:4] + dob[5:7] + dob[8:10]
    e = (expiry[2:4] + expiry[5:7] + expiry[8:10]) if expiry else "<<<<<<"
    l2 = f"{b}{_mrz_check(b)}{'M' if sex == 'male' else 'F'}{e}{_mrz_check(e)}VNM"
    l2 = (l2 + "<" * 30)[:29]
    l2 += _mrz_check(l2)
    parts = _ascii(name).split()
    l3 = (parts[0] + "<<" + "<".join(parts[1:]) + "<" * 30)[:30]
    return [l1, l2, l3]


def front_2021(sh: Sheet, f, rng: random.Random, style: Style) -> None:
    _card_face(sh, rng)
    emblem(sh, 9, 9.5, 6.2)
    cx = 47
    sh.text(cx, 5.5, style.national, SANS_B, 5.4, "center")
    sh.text(cx, 8.7, "Độc lập - Tự do - Hạnh phúc", SANS_B, 5.4, "center")
    sh.text(cx, 11.7, "SOCIALIST REPUBLIC OF VIET NAM", SANS, 4.3, "center")
    sh.text(cx, 14.3, "Independence - Freedom - Happiness", SANS, 4.3, "center")
    sh.text(cx, 18.6, "CĂN CƯỚC CÔNG DÂN", SANS_B, 8.8, "center", (175, 30, 40))
    sh.text(cx, 21.3, "Citizen Identity Card", SANS, 4.8, "center")
    qr(sh, 73, 2.5, 10.5, rng)
    photo(sh, 3.5, 20.5, 18.5, 23.5, rng)
    x = 24.5
    y = 25.4
    if v := f("personal_id"):
        _lv(sh, x, y, "Số / No.:", v, 9.0)
    if v := f("full_name"):
        sh.text(x, y + 2.9, "Họ và tên / Full name:", SANS, LABEL)
        sh.text(x + 4, y + 6.2, v.upper(), SANS_B, 7.6)
    y += 9.4
    if v := f("date_of_birth"):
        _lv(sh, x, y, "Ngày sinh / Date of birth:", _dmy(v))
    y += 3.1
    if v := f("sex"):
        _lv(sh, x, y, "Giới tính / Sex:", "Nam" if v == "male" else "Nữ")
    if v := f("nationality"):
        _lv(sh, x + 25, y, "Quốc tịch / Nationality:", v)
    width = CARD_W - x - 2.5
    if v := f("place_of_origin"):
        sh.text(x, y + 3.1, "Quê quán / Place of origin:", SANS, LABEL)
        size, lines = _fit(v, width, 2)
        y += 3.1
        for line in lines:
            y += 2.8
            sh.text(x + 2, y, line, SANS_B, size)
    if v := f("place_of_residence"):
        y += 3.0
        label = "Nơi thường trú / Place of residence:"
        sh.text(x, y, label, SANS, LABEL)
        size, lines = _fit(v, width, max(1, round((53.0 - y) / 2.8)))
        for line in lines:
            y += 2.7
            sh.text(x + 2, y, line, SANS_B, size)
    if v := f("expiry_date"):
        sh.text(3.5, 46.8, "Có giá trị đến:", SANS, 4.3)
        sh.text(3.5, 49.2, "Date of expiry", SANS, 4.3)
        sh.text(3.5, 52.2, _dmy(v), SANS_B, 5.6)


def _fit(value: str, width: float, max_lines: int) -> tuple[float, list[str]]:
    """The largest card text size at which ``value`` fits in ``max_lines`` lines of ``width`` mm."""
    for size in (6.0, 5.6, 5.2, 4.8, 4.4):
        lines = ["".join(t for t, _ in ln) for ln in wrap_runs([(value, SANS_B)], size, width)]
        if len(lines) <= max_lines:
            return size, lines
    return 4.4, lines


def back_2021(sh: Sheet, f, rng: random.Random, style: Style, officer: str) -> None:
    _card_face(sh, rng)
    sh.text(4, 5.5, "Đặc điểm nhân dạng / Personal identification:", SANS, LABEL)
    sh.text(
        6,
        9.0,
        rng.choice(
            [
                "Nốt ruồi C:1cm trên sau đuôi mắt trái",
                "Sẹo chấm C:2cm dưới trước mép phải",
                "Nốt ruồi C:1,5cm dưới cánh mũi phải",
            ]
        ),
        SANS_B,
        6.0,
    )
    if v := f("issue_date"):
        _lv(sh, 4, 14.5, "Ngày, tháng, năm / Date, month, year:", _dmy(v), 6.3)
    sh.text(24, 19.0, "CỤC TRƯỞNG CỤC CẢNH SÁT", SANS_B, 5.0, "center")
    sh.text(24, 21.8, "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", SANS_B, 5.0, "center")
    seal(sh, 17, 28.5, 5.8, "BỘ CÔNG AN", ("CỤC C06",), style)
    scribble(sh, 20, 28.5, 10, rng)
    sh.text(24, 36.5, officer, SANS_B, 6.0, "center")
    for i, (vi, en) in enumerate(
        [("Ngón trỏ trái", "Left index finger"), ("Ngón trỏ phải", "Right index finger")]
    ):
        bx = 50 + i * 17.5
        sh.rect(bx, 12.5, 16, 22, outline=(150, 150, 150), fill=(246, 246, 246), width=0.2)
        for k in range(7):
            sh.ellipse(bx + 8, 24, 1 + k * 0.9, 1.5 + k * 1.2, outline=(110, 110, 110), width=0.15)
        sh.text(bx + 8, 6.5, vi, SANS, 4.0, "center")
        sh.text(bx + 8, 9.2, en, SANS, 3.8, "center")
    sh.rect(5, 25.5, 9, 7, outline=(150, 120, 40), fill=(214, 180, 90), width=0.2, radius=1)
    pid, name, dob, sex = f.peek("personal_id"), f.peek("full_name"), f.peek("date_of_birth"), f.peek("sex")
    if pid and name and dob and sex:
        for i, line in enumerate(mrz(pid, name, dob, sex, f.peek("expiry_date"))):
            sh.text(4, 43.0 + i * 4.0, line, MONO, 7.6)


def front_2024(sh: Sheet, f, rng: random.Random, style: Style) -> None:
    _card_face(sh, rng)
    emblem(sh, 9, 9.5, 6.2)
    cx = 47
    sh.text(cx, 6.2, style.national, SANS_B, 5.4, "center")
    sh.text(cx, 9.4, "SOCIALIST REPUBLIC OF VIET NAM", SANS, 4.3, "center")
    sh.text(cx, 16.5, "CĂN CƯỚC", SANS_B, 10, "center", (175, 30, 40))
    sh.text(cx, 19.8, "IDENTITY CARD", SANS, 4.8, "center")
    qr(sh, 73, 2.5, 10.5, rng)
    photo(sh, 3.5, 22.5, 18.5, 23.5, rng)
    x = 24.5
    if v := f("personal_id"):
        sh.text(x, 25.0, "Số định danh cá nhân / Personal identification number", SANS, 4.3)
        sh.text(x + 4, 29.2, v, SANS_B, 9.0)
    if v := f("full_name"):
        sh.text(x, 33.0, "Họ, chữ đệm và tên khai sinh / Full name", SANS, 4.3)
        sh.text(x + 4, 36.8, v.upper(), SANS_B, 7.6)
    if v := f("date_of_birth"):
        _lv(sh, x, 41.0, "Ngày, tháng, năm sinh / Date of birth:", _dmy(v))
    if v := f("sex"):
        _lv(sh, x, 45.2, "Giới tính / Sex:", "Nam" if v == "male" else "Nữ")
    if v := f("nationality"):
        _lv(sh, x + 25, 45.2, "Quốc tịch / Nationality:", v)


def back_2024(sh: Sheet, f, rng: random.Random, style: Style) -> None:
    _card_face(sh, rng)
    y = 5.5
    if v := f("place_of_residence"):
        sh.text(4, y, "Nơi cư trú / Place of residence:", SANS, LABEL)
        y = _wrapped(sh, 6, y + 3.4, v, 58, 6.0, 3.0) + 0.6
    if v := f("place_of_origin"):
        sh.text(4, y, "Nơi đăng ký khai sinh / Place of birth:", SANS, LABEL)
        y = _wrapped(sh, 6, y + 3.4, v, 58, 6.0, 3.0) + 0.6
    if v := f("issue_date"):
        _lv(sh, 4, y + 0.5, "Ngày, tháng, năm cấp / Date of issue:", _dmy(v), 6.3)
        y += 3.8
    if v := f("expiry_date"):
        _lv(sh, 4, y + 0.5, "Ngày, tháng, năm hết hạn / Date of expiry:", _dmy(v), 6.3)
    sh.text(75, 8, "BỘ CÔNG AN", SANS_B, 5.0, "center")
    sh.text(75, 10.6, "MINISTRY OF PUBLIC SECURITY", SANS, 3.6, "center")
    seal(sh, 75, 21, 6.2, "BỘ CÔNG AN", ("C06",), style)
    sh.rect(66, 30, 9, 7, outline=(150, 120, 40), fill=(214, 180, 90), width=0.2, radius=1)
    pid, name, dob, sex = f.peek("personal_id"), f.peek("full_name"), f.peek("date_of_birth"), f.peek("sex")
    if pid and name and dob and sex:
        for i, line in enumerate(mrz(pid, name, dob, sex, f.peek("expiry_date"))):
            sh.text(4, 43.0 + i * 4.0, line, MONO, 7.6)


def citizen_id_pages(f, rng: random.Random, style: Style, layout: int) -> list[Page]:
    """0: CCCD 2021 both sides enlarged on A4; 1: CCCD 2021 front only on a small scan; 2: Căn cước 2024 both sides."""
    officer = rng.choice(["Nguyễn Văn Long", "Trần Quốc Hùng", "Lê Minh Tuấn", "Phạm Đức Thắng"])
    if layout == 1:
        page = Page(128, 86, background=(246, 246, 244))
        sheet = Sheet(page).sub(rng.uniform(8, 14), rng.uniform(8, 12), 1.25)
        front_2021(sheet, f, rng, style)
        return [page]
    page = Page(210, 297, background=(252, 252, 252))
    scale = rng.choice([1.5, 1.6, 1.75])
    x = (210 - CARD_W * scale) / 2 + rng.uniform(-8, 8)
    front, back = (
        Sheet(page).sub(x, rng.uniform(22, 32), scale),
        Sheet(page).sub(x, 150 + rng.uniform(-5, 8), scale),
    )
    if layout == 2:
        front_2024(front, f, rng, style)
        back_2024(back, f, rng, style)
    else:
        front_2021(front, f, rng, style)
        back_2021(back, f, rng, style, officer)
    return [page]
