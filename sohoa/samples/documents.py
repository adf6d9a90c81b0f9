"""One layout function per document type: ground-truth fields in, pages of drawing operations out."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from .blocks import Doc, emblem, national_heading, qr, ruled_header, scribble, signature_block, title
from .cards import _ascii, citizen_id_pages
from .content import OFFICIALS_TITLES
from .people import date_words, full_name, money_words, ngay_thang_nam, vn_number
from .render import RED, Page, width_mm, wrap_runs
from .style import Style


class FieldReader:
    """Gives layouts the ground-truth values and remembers which ones were printed."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields
        self.printed: set[str] = set()

    def __call__(self, key: str) -> str | None:
        v = self.fields.get(key)
        if v:
            self.printed.add(key)
        return v or None

    def peek(self, key: str) -> str | None:
        return self.fields.get(key) or None


Layout = Callable[[FieldReader, random.Random, Style, int], list[Page]]


def _sex(v: str) -> str:
    return "Nam" if v == "male" else "Nữ"


def _title_lines(title_text: str) -> tuple[str, ...]:
    for t in OFFICIALS_TITLES:
        if " ".join(t) == title_text:
            return t
    return (title_text,)


def _body_lines(body: str) -> list[str]:
    """ "ỦY BAN NHÂN DÂN THÀNH PHỐ HUẾ" -> ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HUẾ"] (two header lines)."""
    head = "ỦY BAN NHÂN DÂN"
    if body.upper().startswith(head) and len(body) > len(head):
        return [head, body[len(head) :].strip().upper()]
    return [body.upper()]


def _authority_parts(authority: str) -> tuple[str, str]:
    """ "Ủy ban nhân dân phường Phú Hội, thành phố Huế, ..." -> ("ỦY BAN NHÂN DÂN", "PHƯỜNG PHÚ HỘI")"""
    first = authority.split(",")[0]
    rest = first[len("Ủy ban nhân dân") :].strip() if first.lower().startswith("ủy ban nhân dân") else first
    return "ỦY BAN NHÂN DÂN", rest.upper()


def _place_of(authority: str) -> str:
    parts = [p.strip() for p in authority.split(",")]
    for p in parts[1:]:
        for kind in ("thành phố ", "thị xã ", "huyện ", "quận "):
            if p.startswith(kind) and not p[len(kind) :].isdigit():
                return p[len(kind) :]
    return parts[-1].split(" ", 1)[-1] if parts else ""


def _place_name(addressee: str) -> str:
    """ "Ủy ban nhân dân phường Phú Bài" -> "Phú Bài" (the place name of papers written there)."""
    rest = addressee.split(",")[0]
    for prefix in ("Ủy ban nhân dân ", "UBND "):
        rest = rest.removeprefix(prefix)
    for kind in ("thị trấn ", "phường ", "xã ", "thành phố ", "thị xã ", "huyện ", "quận ", "tỉnh "):
        if rest.startswith(kind) and not rest[len(kind) :].isdigit():
            return rest[len(kind) :]
    return rest or "Hà Nội"


def _someone(rng: random.Random) -> str:
    return full_name(rng, rng.choice(["male", "female"]))


def _id_like(rng: random.Random) -> str:
    return (
        rng.choice(["046", "001", "079", "048"])
        + rng.choice("0123")
        + f"{rng.randint(60, 99):02d}"
        + f"{rng.randint(0, 999999):06d}"
    )


# ---------------------------------------------------------------------------------------------- birth


def birth_certificate(f: FieldReader, rng: random.Random, st: Style, layout: int) -> list[Page]:
    doc = Doc(st)
    authority = f.peek("issuing_authority") or "Ủy ban nhân dân"
    head, ward = _authority_parts(authority)
    number = f("registration_number")
    ruled_header(doc, None, [head, ward] if layout == 1 else [], number, None)
    if layout != 1:
        doc.sheet.text(
            st.margin_left + 2, doc.top + 20, f"Quyển số: 01/{rng.randint(2016, 2025)}", st.font, 12.5
        )
    title(doc, ["GIẤY KHAI SINH"], size=17)
    doc.flow.runs([("(Bản chính)", st.italic())], align="center")
    doc.flow.gap(3)
    if v := f("full_name"):
        doc.field(st.label("full_name"), st.name(v), value_style="bold")
    if v := f("date_of_birth"):
        doc.field(st.label("date_of_birth"), st.date(v))
        doc.flow.runs(
            [("Ghi bằng chữ: " + date_words(date.fromisoformat(v)), st.italic())],
            first_indent=8,
            indent=8,
            size=st.size - 1,
        )
    sex, eth, nat = f("sex"), f("ethnicity"), f("nationality")
    pairs = [
        (lab, val)
        for lab, val in [("Giới tính", _sex(sex) if sex else None), ("Dân tộc", eth), ("Quốc tịch", nat)]
        if val
    ]
    if layout == 0 and not st.next_line:
        doc.flow.fields_inline(pairs)
    else:
        for lab, val in pairs:
            doc.field(lab, val)
    if v := f("place_of_birth"):
        doc.field(st.label("place_of_birth"), v)
    if v := f("personal_id"):
        doc.field(st.label("personal_id"), v, value_style="bold")
    for key, label in (("mother_name", st.label("mother")), ("father_name", st.label("father"))):
        if v := f(key):
            doc.flow.gap(1.5)
            doc.field(label, st.name(v))
            doc.flow.fields_inline(
                [("Năm sinh", str(rng.randint(1970, 2000))), ("Dân tộc", "Kinh"), ("Quốc tịch", "Việt Nam")],
                size=st.size - 0.5,
            )
    doc.flow.gap(1.5)
    doc.field("Người đi khai sinh", st.name(f.peek("mother_name") or _someone(rng)))
    doc.flow.runs([(f"Giấy tờ tùy thân: Căn cước công dân số {_id_like(rng)}", st.font)], size=st.size - 0.5)
    if v := f("issuing_authority"):
        doc.field("Nơi đăng ký khai sinh", v)
    if v := f("registration_date"):
        doc.field("Ngày, tháng, năm đăng ký", st.date(v))
    cx = doc.size[0] - st.margin_right - 45
    signature_block(
        doc,
        cx,
        ["NGƯỜI KÝ GIẤY KHAI SINH"],
        _someone(rng),
        rng,
        hint="(Ký, ghi rõ họ, chữ đệm, tên, chức vụ, đóng dấu)",
        seal_text=f"{head} {ward}",
        seal_centre=[ward[:18]],
    )
    return doc.pages


# ---------------------------------------------------------------------------------------------- marriage


def marriage_certificate(f: FieldReader, rng: random.Random, st: Style, layout: int) -> list[Page]:
    doc = Doc(st)
    authority = f.peek("issuing_authority") or "Ủy ban nhân dân"
    head, ward = _authority_parts(authority)
    ruled_header(doc, None, [head, ward], f("registration_number"), None)
    title(doc, ["GIẤY CHỨNG NHẬN KẾT HÔN"], size=17)
    doc.flow.gap(2)
    people = [("husband", "chồng", "Chồng"), ("wife", "vợ", "Vợ")]
    if layout == 0:
        _marriage_table(doc, f, rng, st, people)
    else:
        for key, low, _ in people:
            if v := f(f"{key}_name"):
                doc.field(f"Họ, chữ đệm, tên {low}", st.name(v), value_style="bold")
            if v := f(f"{key}_date_of_birth"):
                doc.field("Ngày, tháng, năm sinh", st.date(v))
            doc.flow.fields_inline([("Dân tộc", "Kinh"), ("Quốc tịch", "Việt Nam")])
            doc.field(
                "Nơi cư trú",
                f"{rng.choice(['Tổ', 'Thôn'])} {rng.randint(1, 12)}, {authority.split(',', 1)[-1].strip()}",
            )
            if v := f(f"{key}_id"):
                doc.field("Giấy tờ tùy thân", f"Căn cước công dân số {v}")
            doc.flow.gap(2)
    if v := f("issuing_authority"):
        doc.field("Nơi đăng ký", v)
    if v := f("registration_date"):
        doc.field("Ngày, tháng, năm đăng ký", st.date(v))
    doc.need(70)
    y = doc.flow.y + 10
    for i, (key, _, cap) in enumerate(people):
        cx = st.margin_left + 18 + i * 45
        doc.sheet.text(cx, y, cap.upper(), st.bold(), 12.5, "center")
        doc.sheet.text(cx, y + 5.5, "(Ký, ghi rõ họ tên)", st.italic(), 11, "center")
        scribble(doc.sheet, cx - 10, y + 17, 20, rng)
        doc.sheet.text(cx, y + 33, f.peek(f"{key}_name") or "", st.font, 12, "center")
    signature_block(
        doc,
        doc.size[0] - st.margin_right - 32,
        ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
        _someone(rng),
        rng,
        seal_text=f"{head} {ward}",
        seal_centre=[ward[:18]],
        y=y,
    )
    return doc.pages


def _marriage_table(doc: Doc, f: FieldReader, rng: random.Random, st: Style, people) -> None:
    x0, x3 = doc.flow.x0, doc.flow.x1
    x1 = x0 + 44
    x2 = x1 + (x3 - x1) / 2
    size = st.size - 1
    lh = size * 0.45
    authority = f.peek("issuing_authority") or ""
    rows: list[tuple[str, str, str, str]] = [("", "Thông tin của chồng", "Thông tin của vợ", "bold")]
    names = [f(f"{k}_name") for k, _, _ in people]
    rows.append(("Họ, chữ đệm, tên", *(st.name(n or "") for n in names), "bold"))
    dobs = [f(f"{k}_date_of_birth") for k, _, _ in people]
    rows.append(("Ngày, tháng, năm sinh", *(st.date(d) if d else "" for d in dobs), "regular"))
    rows.append(("Dân tộc", "Kinh", "Kinh", "regular"))
    rows.append(("Quốc tịch", "Việt Nam", "Việt Nam", "regular"))
    tail = authority.split(",", 1)[-1].strip()
    rows.append(
        ("Nơi cư trú", f"Thôn {rng.randint(1, 9)}, {tail}", f"Tổ {rng.randint(1, 20)}, {tail}", "regular")
    )
    ids = [f(f"{k}_id") for k, _, _ in people]
    rows.append(("Giấy tờ tùy thân", *(f"CCCD số {i}" if i else "" for i in ids), "regular"))
    y = doc.flow.y + 3
    sh = doc.sheet
    sh.line(x0, y, x3, y, 0.3)
    for label, a, b, style_name in rows:
        font = st.font.with_style(style_name)
        cells = [(label, x0, x1, st.font), (a, x1, x2, font), (b, x2, x3, font)]
        wrapped = [wrap_runs([(t, fn)], size, r - lft - 4) for t, lft, r, fn in cells]
        n = max(1, *(len(w) for w in wrapped))
        for (_, left, _, fn), lines in zip(cells, wrapped, strict=True):
            for i, line in enumerate(lines):
                sh.text(left + 2, y + 5.2 + i * lh * 1.25, "".join(t for t, _ in line), fn, size)
        y += 3 + n * lh * 1.25 + 1.5
        sh.line(x0, y, x3, y, 0.3)
    top = doc.flow.y + 3
    for x in (x0, x1, x2, x3):
        sh.line(x, top, x, y, 0.3)
    doc.flow.y = y + 2


# ---------------------------------------------------------------------------------------------- land


def land_use_certificate(f: FieldReader, rng: random.Random, st: Style, layout: int) -> list[Page]:
    serial = f.peek("serial_number") or ""
    new_form = len(serial) == 10
    doc = Doc(st, background=(255, 255, 255) if new_form else (253, 244, 244))
    sh = doc.sheet
    cx = doc.mid()
    national_heading(sh, cx, doc.top + 5, st)
    red = RED if st.colour else (60, 60, 60)
    if new_form:
        qr(sh, st.margin_left, doc.top + 1, 20, rng)
        doc.flow.y = doc.top + 28
        doc.flow.runs([("GIẤY CHỨNG NHẬN", st.bold())], align="center", size=18, color=red)
        doc.flow.runs(
            [("QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU TÀI SẢN GẮN LIỀN VỚI ĐẤT", st.bold())],
            align="center",
            size=13,
            color=red,
        )
        if v := f("serial_number"):
            doc.flow.runs([("Số phát hành: ", st.font), (f"{v[:2]} {v[2:]}", st.bold())], align="right")
    else:
        emblem(sh, cx, doc.top + 26, 9)
        doc.flow.y = doc.top + 40
        doc.flow.runs([("GIẤY CHỨNG NHẬN", st.bold())], align="center", size=20, color=red)
        doc.flow.runs([("QUYỀN SỬ DỤNG ĐẤT", st.bold())], align="center", size=14, color=red)
        doc.flow.runs(
            [("QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT", st.bold())],
            align="center",
            size=13,
            color=red,
        )
    doc.flow.gap(5)
    doc.flow.runs(
        [
            (
                "I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất"
                if not new_form
                else "1. Người sử dụng đất, chủ sở hữu tài sản gắn liền với đất",
                st.bold(),
            )
        ]
    )
    if v := f("holder_name"):
        doc.field(rng.choice(["Ông", "Bà", "Ông/Bà"]), st.name(v), value_style="bold")
    doc.flow.runs([(f"Năm sinh: {rng.randint(1950, 1995)}", st.font)], first_indent=8)
    if v := f("holder_id"):
        doc.field("Số định danh cá nhân" if new_form else "CCCD số", v, indent=8)
    doc.field("Địa chỉ thường trú", "như địa chỉ thửa đất", indent=8)
    if not new_form:
        if v := f("serial_number"):
            doc.sheet.text(
                doc.size[0] - st.margin_right,
                doc.size[1] - 28,
                f"{v[:2]} {v[2:]}",
                st.bold(),
                16,
                "right",
                red,
            )
        doc.new_page()
        doc.flow.sheet, doc.flow.y = doc.sheet, doc.top + 6
        doc.flow.runs([("II. Thửa đất, nhà ở và tài sản khác gắn liền với đất", st.bold())])
        doc.flow.runs([("1. Thửa đất:", st.bold())])
    else:
        doc.flow.gap(2)
        doc.flow.runs([("2. Thông tin thửa đất:", st.bold())])
    items = []
    if v := f("parcel_number"):
        items.append(("a) Thửa đất số", v))
    if v := f("map_sheet_number"):
        items.append(("b) Tờ bản đồ số", v))
    if layout == 0 and not st.next_line and len(items) == 2:
        doc.flow.fields_inline(items, indent=6)
    else:
        for lab, v in items:
            doc.field(lab, v, indent=6)
    if v := f("parcel_address"):
        doc.field("c) Địa chỉ", v, indent=6)
    if v := f("area_m2"):
        area = float(v)
        doc.field("d) Diện tích", f"{vn_number(area)} m²", indent=6)
        whole, _, frac = v.partition(".")
        words = money_words(int(whole)).replace(" đồng", "")
        words += f" phẩy {' '.join(_digit_words(frac))}" if frac else ""
        doc.flow.runs([(f"(Bằng chữ: {words} mét vuông)", st.italic())], first_indent=14, indent=14)
    doc.field("đ) Hình thức sử dụng", rng.choice(["Sử dụng riêng", "Sử dụng chung"]), indent=6)
    if v := f("land_use_purpose"):
        doc.field("e) Mục đích sử dụng", v, indent=6)
    if v := f("land_use_term"):
        doc.field("g) Thời hạn sử dụng", v, indent=6)
    doc.field(
        "h) Nguồn gốc sử dụng",
        rng.choice(
            [
                "Nhà nước công nhận quyền sử dụng đất",
                "Nhận chuyển nhượng đất được công nhận quyền sử dụng đất",
                "Nhà nước giao đất có thu tiền sử dụng đất",
            ]
        ),
        indent=6,
    )
    more = (
        ["2. Nhà ở: -/-", "3. Công trình xây dựng khác: -/-", "4. Ghi chú: -/-"]
        if not new_form
        else ["3. Thông tin tài sản gắn liền với đất: -/-", "4. Ghi chú: -/-"]
    )
    for line in more:
        doc.flow.runs([(line, st.font)])
    province_place = _place_of(f.peek("parcel_address") or "") or "Huế"
    if v := f("issue_date"):
        doc.flow.gap(3)
        doc.flow.runs(
            [(f"{province_place}, {ngay_thang_nam(date.fromisoformat(v))}", st.italic())], align="right"
        )
    cx = doc.size[0] - st.margin_right - 45
    end = signature_block(
        doc,
        cx,
        _title_lines(rng.choice([" ".join(t) for t in OFFICIALS_TITLES[:3]])),
        _someone(rng),
        rng,
        seal_text=f"ỦY BAN NHÂN DÂN {province_place.upper()}",
        seal_centre=["UBND"],
    )
    if v := f("register_number"):
        doc.sheet.text(st.margin_left, end + 10, f"Số vào sổ cấp GCN: {v}", st.bold(), 12.5)
    return doc.pages


def _digit_words(digits: str) -> list[str]:
    names = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
    return [names[int(d)] for d in digits]


# ---------------------------------------------------------------------------------------------- business


def business_registration(f: FieldReader, rng: random.Random, st: Style, layout: int) -> list[Page]:
    doc = Doc(st)
    addr = f.peek("head_office_address") or ""
    province = addr.split(",")[-1].strip() if addr else "thành phố Hà Nội"
    ruled_header(doc, f"SỞ KẾ HOẠCH VÀ ĐẦU TƯ\n{province.upper()}", ["PHÒNG ĐĂNG KÝ KINH DOANH"], None, None)
    name = f.peek("company_name") or "CÔNG TY TNHH"
    kind = (
        "CÔNG TY CỔ PHẦN"
        if "CỔ PHẦN" in name
        else (
            "CÔNG TY TRÁCH NHIỆM HỮU HẠN MỘT THÀNH VIÊN"
            if "MỘT THÀNH VIÊN" in name
            else "CÔNG TY TRÁCH NHIỆM HỮU HẠN HAI THÀNH VIÊN TRỞ LÊN"
        )
    )
    title(doc, ["GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP"], [kind], size=15)
    if v := f("enterprise_code"):
        doc.flow.runs([("Mã số doanh nghiệp: ", st.bold()), (v, st.bold())], align="center")
    if v := f("first_registration_date"):
        d = date.fromisoformat(v)
        doc.flow.runs([(f"Đăng ký lần đầu: {ngay_thang_nam(d)}", st.font)], align="center")
        if layout == 1:
            later = date(min(d.year + rng.randint(1, 4), 2025), rng.randint(1, 12), rng.randint(1, 28))
            doc.flow.runs(
                [(f"Đăng ký thay đổi lần thứ: {rng.randint(1, 5)}, {ngay_thang_nam(later)}", st.font)],
                align="center",
            )
    doc.flow.gap(3)
    doc.flow.runs([("1. Tên công ty", st.bold())])
    if v := f("company_name"):
        doc.field("Tên công ty viết bằng tiếng Việt", v, value_style="bold")
    foreign, short = _foreign_name(name)
    doc.field("Tên công ty viết bằng tiếng nước ngoài", foreign)
    doc.field("Tên công ty viết tắt", short)
    sections: list[Callable[[], None]] = []

    def office() -> None:
        doc.flow.runs([("2. Địa chỉ trụ sở chính", st.bold())])
        if v := f("head_office_address"):
            doc.para(v)
        doc.flow.fields_inline(
            [("Điện thoại", f"0{rng.randint(200, 299)} {rng.randint(3000000, 3999999)}"), ("Fax", "")][:1]
        )

    def capital() -> None:
        doc.flow.runs([("3. Vốn điều lệ", st.bold())])
        if v := f("charter_capital_vnd"):
            doc.field("Vốn điều lệ", f"{vn_number(float(v), 0)} đồng")
            doc.field("Bằng chữ", money_words(int(v)))

    def representative() -> None:
        doc.flow.runs([("4. Người đại diện theo pháp luật của công ty", st.bold())])
        if v := f("legal_representative"):
            doc.flow.fields_inline(
                [("* Họ và tên", st.name(v)), ("Giới tính", rng.choice(["Nam", "Nữ"]))], value_style="bold"
            )
        doc.field("Chức danh", rng.choice(["Giám đốc", "Tổng giám đốc", "Chủ tịch công ty"]))
        doc.flow.fields_inline(
            [
                ("Sinh ngày", f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1960, 1998)}"),
                ("Dân tộc", "Kinh"),
                ("Quốc tịch", "Việt Nam"),
            ]
        )
        doc.field("Loại giấy tờ pháp lý của cá nhân", "Căn cước công dân")
        doc.field("Số giấy tờ pháp lý của cá nhân", _id_like(rng))
        doc.field("Địa chỉ thường trú", addr or "")

    sections = [office, capital, representative]
    for section in sections:
        doc.need(30)
        section()
        doc.flow.gap(2)
    signature_block(
        doc,
        doc.size[0] - st.margin_right - 40,
        ["TRƯỞNG PHÒNG"],
        _someone(rng),
        rng,
        seal_text="PHÒNG ĐĂNG KÝ KINH DOANH",
        seal_centre=["SỞ KH&ĐT"],
    )
    return doc.pages


ENGLISH = {
    "THƯƠNG MẠI": "TRADING",
    "DỊCH VỤ": "SERVICES",
    "XÂY DỰNG": "CONSTRUCTION",
    "ĐẦU TƯ": "INVESTMENT",
    "CÔNG NGHỆ": "TECHNOLOGY",
    "DU LỊCH": "TRAVEL",
    "VẬN TẢI": "TRANSPORT",
    "SẢN XUẤT": "MANUFACTURING",
    "XUẤT NHẬP KHẨU": "IMPORT EXPORT",
    "TƯ VẤN": "CONSULTING",
}
KINDS = [
    ("CÔNG TY TNHH MỘT THÀNH VIÊN", "ONE MEMBER COMPANY LIMITED", "CO., LTD"),
    ("CÔNG TY TRÁCH NHIỆM HỮU HẠN", "COMPANY LIMITED", "CO., LTD"),
    ("CÔNG TY TNHH", "COMPANY LIMITED", "CO., LTD"),
    ("CÔNG TY CỔ PHẦN", "JOINT STOCK COMPANY", "JSC"),
]


def _foreign_name(name: str) -> tuple[str, str]:
    """The company's English name and abbreviation, as registered next to the Vietnamese one."""
    kind = next((k for k in KINDS if name.startswith(k[0])), KINDS[1])
    rest = name[len(kind[0]) :].strip()
    trades: list[str] = []
    for vi, en in ENGLISH.items():
        if vi in rest:
            trades.append(en)
            rest = rest.replace(vi, " ")
    brand = _ascii(" ".join(w for w in rest.split() if w != "VÀ"))
    return f"{brand} {' AND '.join(trades)} {kind[1]}".strip(), f"{brand} {kind[2]}"


# ---------------------------------------------------------------------------------------------- permit


def building_permit(f: FieldReader, rng: random.Random, st: Style, layout: int) -> list[Page]:
    doc = Doc(st)
    site = f.peek("site_address") or ""
    place = _place_of(site) or "Huế"
    body = ["ỦY BAN NHÂN DÂN", place.upper()] if layout == 0 else ["SỞ XÂY DỰNG"]
    parent = None if layout == 0 else f"UBND {site.split(',')[-1].strip().upper()}"
    issued = f("issue_date")
    pd = f"{place}, {ngay_thang_nam(date.fromisoformat(issued))}" if issued else None
    number = f("permit_number")
    ruled_header(doc, parent, body, number, pd)
    title(doc, ["GIẤY PHÉP XÂY DỰNG"], [f"Số: {number}"] if number else [], size=16)
    doc.flow.runs([("(Sử dụng cho nhà ở riêng lẻ)", st.italic())], align="center")
    doc.flow.gap(3)
    doc.flow.runs([("1. Cấp cho: ", st.bold())])
    if v := f("investor_name"):
        doc.field("Ông/Bà", st.name(v), value_style="bold", indent=5)
    doc.field("Địa chỉ", f"Tổ {rng.randint(1, 20)}, {site.split(',', 1)[-1].strip()}", indent=5)
    doc.flow.runs([("2. Được phép xây dựng công trình: ", st.bold()), ("Nhà ở riêng lẻ", st.font)])
    doc.para(
        f"- Theo thiết kế: do Công ty TNHH Tư vấn thiết kế {rng.choice(['Á Đông', 'Kiến Việt', 'Nhà Xanh'])} "
        "lập.",
        first_indent=5,
    )
    doc.para("- Gồm các nội dung sau:", first_indent=5)
    lines: list[tuple[str, str | None]] = [
        ("+ Vị trí xây dựng", f"Thửa đất số {rng.randint(1, 900)}, tờ bản đồ số {rng.randint(1, 80)}"),
        ("+ Địa điểm xây dựng", f("site_address")),
        ("+ Cốt nền xây dựng công trình", f"+{vn_number(rng.uniform(0.2, 0.9), 2)} m so với cốt vỉa hè"),
        ("+ Mật độ xây dựng", f"{rng.choice([70, 75, 80, 85, 90])}%"),
    ]
    area = f("construction_area_m2")
    floors = f("floors")
    if area:
        label = "+ Diện tích xây dựng tầng 1 (tầng trệt)" if layout == 0 else "+ Diện tích xây dựng"
        lines.append((label, f"{vn_number(float(area))} m²"))
        total = float(area) * max(1, int(floors or 1)) * rng.uniform(0.9, 1.0)
        lines.append(("+ Tổng diện tích sàn", f"{vn_number(total)} m² (bao gồm cả tầng hầm và tầng lửng)"))
    lines.append(("+ Chiều cao công trình", f"{vn_number(3.6 * int(floors or 1) + 1.2)} m"))
    if floors:
        lines.append(("+ Số tầng", floors))
    for lab, v in lines:
        if v:
            doc.field(lab, v, indent=5)
    doc.para(
        "3. Giấy tờ về quyền sử dụng đất: Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản "
        f"khác gắn liền với đất số {rng.choice(['BX', 'CS', 'DA'])} {rng.randint(100000, 999999)}."
    )
    doc.para(
        "4. Giấy phép này có hiệu lực khởi công xây dựng trong thời hạn 12 tháng kể từ ngày được cấp; quá "
        "thời hạn trên thì phải đề nghị gia hạn giấy phép xây dựng.",
        justify=True,
    )
    y = _noi_nhan(doc, ["Như trên;", "Lưu: VT, QLĐT."])
    signature_block(
        doc,
        doc.size[0] - st.margin_right - 40,
        _title_lines(rng.choice([" ".join(t) for t in OFFICIALS_TITLES[1:3]])),
        _someone(rng),
        rng,
        seal_text=" ".join(body),
        seal_centre=["UBND"],
        y=y,
    )
    if layout == 0:
        doc.new_page()
        doc.flow.sheet, doc.flow.y = doc.sheet, doc.top + 8
        doc.flow.runs([("CHỦ ĐẦU TƯ PHẢI THỰC HIỆN CÁC NỘI DUNG SAU ĐÂY:", st.bold())], align="center")
        for i, text in enumerate(
            [
                "Phải hoàn toàn chịu trách nhiệm trước pháp luật nếu xâm phạm các quyền hợp pháp của các chủ sở hữu "
                "liền kề.",
                "Phải thực hiện đúng các quy định của pháp luật về đất đai, về đầu tư xây dựng và Giấy phép xây dựng "
                "này.",
                "Thực hiện thông báo khởi công xây dựng công trình theo quy định.",
                "Xuất trình Giấy phép xây dựng cho cơ quan có thẩm quyền khi được yêu cầu theo quy định của pháp luật "
                "và treo biển báo tại địa điểm xây dựng theo quy định.",
                "Khi điều chỉnh thiết kế làm thay đổi một trong các nội dung quy định tại khoản 1 Điều 98 Luật Xây "
                "dựng năm 2014 thì phải đề nghị điều chỉnh giấy phép xây dựng và chờ quyết định của cơ quan cấp "
                "giấy phép.",
            ],
            start=1,
        ):
            doc.para(f"{i}. {text}", justify=True, first_indent=5)
    return doc.pages


def _noi_nhan(doc: Doc, items: list[str]) -> float:
    """ "Nơi nhận:" at the left, starting a new page if the signature block would not fit; returns its y."""
    st = doc.style
    doc.need(70)
    y = doc.flow.y + 12
    doc.sheet.text(st.margin_left, y, "Nơi nhận:", st.font.with_style("bolditalic"), 12)
    for i, item in enumerate(items):
        doc.sheet.text(st.margin_left, y + 5 + i * 4.6, f"- {item}", st.font, 11)
    doc.flow.y = y
    return y


def _sentence_body(body: str) -> str:
    """ "ỦY BAN NHÂN DÂN PHƯỜNG PHÚ BÀI" -> "Ủy ban nhân dân phường Phú Bài" """
    words = body.split()
    out = []
    for i, w in enumerate(words):
        low = w.lower()
        if i < 3 or low in ("phường", "xã", "thị", "trấn", "huyện", "quận", "thành", "phố", "tỉnh"):
            out.append(low)
        else:
            out.append(low[:1].upper() + low[1:])
    s = " ".join(out)
    return s[:1].upper() + s[1:]


# ---------------------------------------------------------------------------------------------- receipt

RECEIPT_PAPERS = {
    "khai sinh": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Giấy chứng nhận kết hôn của cha, mẹ"],
    "xây dựng": [
        "Đơn đề nghị cấp giấy phép xây dựng",
        "Bản sao Giấy chứng nhận quyền sử dụng đất",
        "Bản vẽ thiết kế xây dựng",
    ],
    "kết hôn": ["Tờ khai đăng ký kết hôn", "Giấy xác nhận tình trạng hôn nhân"],
    "doanh nghiệp": ["Giấy đề nghị đăng ký doanh nghiệp", "Điều lệ công ty", "Danh sách thành viên"],
}


def dossier_receipt(f: FieldReader, rng: random.Random, st: Style, layout: int) -> list[Page]:
    doc = Doc(st)
    unit = f.peek("receiving_unit") or "Bộ phận Một cửa"
    if unit.startswith("Trung tâm"):
        tail = unit.split("công", 1)[-1].strip()
        parent, body = f"UBND {tail.upper()}", ["TRUNG TÂM PHỤC VỤ", "HÀNH CHÍNH CÔNG"]
        place = tail.split(" ", 1)[-1]
    else:
        ward = unit.split("dân", 1)[-1].strip()
        parent, body, place = None, ["ỦY BAN NHÂN DÂN", ward.upper()], ward.split(" ", 1)[-1]
    received = f.peek("received_date")
    pd = f"{place}, {ngay_thang_nam(date.fromisoformat(received))}" if received else None
    ruled_header(doc, parent, body, f"{rng.randint(1, 9999)}/TNHS", pd)
    title(doc, ["GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"], size=14.5)
    if v := f("dossier_code"):
        doc.flow.runs([("Mã hồ sơ: ", st.bold()), (v, st.bold())], align="center")
        doc.flow.gap(2)
    if v := f("receiving_unit"):
        doc.field("Bộ phận tiếp nhận và trả kết quả", v)
    if v := f("applicant_name"):
        doc.field("Tiếp nhận hồ sơ của", st.name(v), value_style="bold")
    if v := f("applicant_id"):
        doc.field(st.label("personal_id"), v)
    doc.field("Số điện thoại", f"09{rng.randint(0, 9)}{rng.randint(1000000, 9999999)}")
    procedure = f("procedure_name")
    if procedure:
        doc.field("Nội dung yêu cầu giải quyết", procedure)
    doc.flow.runs([("1. Thành phần hồ sơ và số lượng mỗi loại giấy tờ gồm:", st.font)])
    key = next((k for k in RECEIPT_PAPERS if procedure and k in procedure.lower()), None)
    papers = RECEIPT_PAPERS.get(key or "", ["Đơn đề nghị", "Bản sao giấy tờ có liên quan"])
    for i, p in enumerate(papers, start=1):
        doc.flow.runs([(f"{i}) {p}: 01 bản {rng.choice(['chính', 'sao'])}", st.font)], first_indent=8)
    doc.flow.runs([("2. Số lượng hồ sơ: 01 (bộ)", st.font)])
    due = f.peek("due_date")
    if received and due:
        days = (date.fromisoformat(due) - date.fromisoformat(received)).days
        doc.flow.runs(
            [(f"3. Thời gian giải quyết hồ sơ theo quy định là: {days:02d} ngày làm việc", st.font)]
        )
    if v := f("received_date"):
        doc.field(
            "4. Thời gian nhận hồ sơ",
            f"{rng.randint(7, 11):02d} giờ {rng.choice([0, 15, 30, 45]):02d} phút, "
            f"ngày {st.date(v) if st.date_style != 1 else _dmy(v)}",
        )
    if v := f("due_date"):
        doc.field(
            "5. Thời gian trả kết quả giải quyết hồ sơ",
            f"{rng.randint(13, 16):02d} giờ 00 phút, ngày {st.date(v) if st.date_style != 1 else _dmy(v)}",
        )
    doc.flow.runs(
        [
            ("6. Đăng ký nhận kết quả tại: ", st.font),
            (rng.choice(["Bộ phận Một cửa", "Dịch vụ bưu chính công ích"]), st.font),
        ]
    )
    doc.flow.runs(
        [
            (
                f"Vào Sổ theo dõi hồ sơ, Quyển số: {rng.randint(1, 5):02d}, Số thứ tự: {rng.randint(1, 999)}",
                st.italic(),
            )
        ]
    )
    doc.need(60)
    y = doc.flow.y + 10
    left_cx = st.margin_left + 35
    doc.sheet.text(left_cx, y, "NGƯỜI NỘP HỒ SƠ", st.bold(), 12.5, "center")
    doc.sheet.text(left_cx, y + 5.5, "(Ký và ghi rõ họ tên)", st.italic(), 11, "center")
    scribble(doc.sheet, left_cx - 12, y + 18, 24, rng)
    doc.sheet.text(left_cx, y + 34, f.peek("applicant_name") or "", st.font, 12.5, "center")
    signature_block(
        doc,
        doc.size[0] - st.margin_right - 38,
        ["NGƯỜI TIẾP NHẬN HỒ SƠ"],
        _someone(rng),
        rng,
        hint="(Ký và ghi rõ họ tên)",
        y=y,
    )
    return doc.pages


def _dmy(iso_date: str) -> str:
    y, m, d = iso_date.split("-")
    return f"{d}/{m}/{y}"


# ---------------------------------------------------------------------------------------------- decision

BASES = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung một số điều "
    "của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019;",
    "Căn cứ Luật Xây dựng ngày 18 tháng 6 năm 2014; Luật sửa đổi, bổ sung một số điều của Luật Xây dựng ngày "
    "17 tháng 6 năm 2020;",
    "Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;",
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
    "Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23 tháng 4 năm 2018 của Chính phủ về thực hiện cơ chế một cửa, "
    "một cửa liên thông trong giải quyết thủ tục hành chính;",
]


DECISION_ITEMS = [
    "Phạm vi, đối tượng áp dụng theo đúng hồ sơ đã được cơ quan chuyên môn thẩm định và đề xuất.",
    "Kinh phí thực hiện: từ nguồn ngân sách nhà nước được giao trong dự toán hằng năm và các nguồn hợp pháp "
    "khác theo quy định.",
    "Giao cơ quan chuyên môn hướng dẫn, kiểm tra, đôn đốc việc triển khai thực hiện và báo cáo kết quả định kỳ "
    "theo quy định.",
    "Các nội dung khác thực hiện theo quy định của pháp luật hiện hành và hướng dẫn của cơ quan cấp trên.",
    "Hồ sơ, tài liệu kèm theo được lưu trữ tại cơ quan chuyên môn và số hóa theo quy định về lưu trữ điện tử.",
    "Việc cập nhật thông tin vào cơ sở dữ liệu dùng chung được thực hiện ngay sau khi Quyết định được ban hành.",
    "Người sử dụng đất có trách nhiệm thực hiện đầy đủ nghĩa vụ tài chính theo quy định của pháp luật.",
]
DECISION_DUTIES = [
    "Phòng Tài nguyên và Môi trường chủ trì, phối hợp với các cơ quan liên quan tổ chức triển khai thực hiện; "
    "cập nhật, chỉnh lý hồ sơ địa chính theo quy định.",
    "Văn phòng đăng ký đất đai có trách nhiệm chỉnh lý biến động trong hồ sơ địa chính và cơ sở dữ liệu đất đai.",
    "Bộ phận Một cửa có trách nhiệm thông báo kết quả giải quyết thủ tục hành chính cho tổ chức, cá nhân.",
]


def decision(f: FieldReader, rng: random.Random, st: Style, layout: int) -> list[Page]:
    doc = Doc(st)
    body = f("issuing_body") or "ỦY BAN NHÂN DÂN"
    lines = _body_lines(body)
    issued, place = f("issue_date"), f("issue_place")
    pd = f"{place or ''}, {ngay_thang_nam(date.fromisoformat(issued))}" if issued else None
    ruled_header(doc, None, lines, f("document_number"), pd)
    doc.flow.gap(2)
    doc.flow.runs([("QUYẾT ĐỊNH", st.bold())], align="center", size=15)
    if v := f("subject"):
        doc.flow.runs([(v, st.bold())], align="center", size=14)
        w = min(60.0, width_mm(v, st.bold(), 14) / 2)
        doc.sheet.line(doc.mid() - w / 2, doc.flow.y + 4.2, doc.mid() + w / 2, doc.flow.y + 4.2, 0.3)
    doc.flow.gap(6)
    doc.flow.runs([(f"CHỦ TỊCH {body.upper()}", st.bold())], align="center", size=13.5)
    doc.flow.gap(3)
    for base in rng.sample(BASES, rng.randint(3, 5)):
        doc.para(base, justify=True, first_indent=10, style="italic")
    doc.para(
        f"Xét đề nghị của Trưởng phòng {rng.choice(['Quản lý đô thị', 'Tài nguyên và Môi trường', 'Nội vụ'])} "
        f"tại Tờ trình số {rng.randint(10, 900)}/TTr-{rng.choice(['QLĐT', 'TNMT', 'NV'])}.",
        justify=True,
        first_indent=10,
        style="italic",
    )
    doc.flow.gap(2)
    doc.flow.runs([("QUYẾT ĐỊNH:", st.bold())], align="center", size=14)
    doc.flow.gap(2)
    subject = (f.peek("subject") or "").removeprefix("Về việc ").removeprefix("V/v ")
    doc.need(20)
    doc.flow.runs(
        [("Điều 1. ", st.bold()), (subject[:1].upper() + subject[1:] + ", cụ thể như sau:", st.font)],
        justify=True,
        first_indent=10,
    )
    items = rng.sample(DECISION_ITEMS, rng.randint(4, 6) if layout == 0 else rng.randint(1, 3))
    for i, item in enumerate(items):
        doc.para(f"{i + 1}. {item}", justify=True, first_indent=10)
    if layout == 0:
        doc.para("Điều 2. Tổ chức thực hiện:", first_indent=10)
        for text in rng.sample(DECISION_DUTIES, 2):
            doc.para(f"- {text}", justify=True, first_indent=10)
    n = 3 if layout == 0 else 2
    doc.para(f"Điều {n}. Quyết định này có hiệu lực kể từ ngày ký.", first_indent=10)
    doc.para(
        f"Điều {n + 1}. Chánh Văn phòng {_sentence_body(body)}, Thủ trưởng "
        "các cơ quan, đơn vị và cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này./.",
        justify=True,
        first_indent=10,
    )
    y = _noi_nhan(doc, [f"Như Điều {n + 1};", "Chủ tịch, các PCT;", "Lưu: VT."])
    signer = f("signer_name") or _someone(rng)
    title_lines = _title_lines(f("signer_title") or "CHỦ TỊCH")
    signature_block(
        doc,
        doc.size[0] - st.margin_right - 40,
        title_lines,
        signer,
        rng,
        seal_text=body,
        seal_centre=["UBND"],
        y=y,
    )
    return doc.pages


# ---------------------------------------------------------------------------------------------- form

FORM_TITLES = [
    ("khai sinh", "TỜ KHAI ĐĂNG KÝ KHAI SINH"),
    ("xây dựng", "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG"),
    ("trích lục", "TỜ KHAI CẤP BẢN SAO TRÍCH LỤC HỘ TỊCH"),
    ("hôn nhân", "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"),
]


def application_form(f: FieldReader, rng: random.Random, st: Style, layout: int) -> list[Page]:
    doc = Doc(st)
    sh = doc.sheet
    national_heading(sh, doc.mid(), doc.top + 5, st, size=13)
    doc.flow.y = doc.top + 18
    request = f.peek("request") or ""
    form_title = next((t for k, t in FORM_TITLES if k in request.lower()), "ĐƠN ĐỀ NGHỊ")
    title(doc, [form_title], size=15)
    if v := f("addressee"):
        doc.flow.runs(
            [("Kính gửi: ", st.italic()), (v, st.font)],
            align="center" if layout == 0 else "left",
            first_indent=0 if layout == 0 else 25,
        )
        doc.flow.gap(3)
    order = ["applicant_name", "date_of_birth", "applicant_id", "address"]
    if layout == 1:
        order = ["applicant_name", "applicant_id", "date_of_birth", "address"]
    for key in order:
        v = f(key)
        if not v:
            continue
        if key == "applicant_name":
            doc.field(st.label("full_name") + " người yêu cầu", st.name(v), value_style="bold")
        elif key == "date_of_birth":
            doc.field(st.label("date_of_birth"), st.date(v))
        elif key == "applicant_id":
            doc.field(st.label("personal_id"), v)
        else:
            doc.field(st.label("residence"), v)
    if "khai sinh" not in request.lower():
        doc.field("Quan hệ với người được cấp", rng.choice(["Bản thân", "Người được ủy quyền"]))
    if v := f("request"):
        doc.flow.gap(1)
        doc.flow.runs([("Nội dung đề nghị: ", st.font), (v + ".", st.font)], justify=True)
    doc.para(
        "Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật về "
        "cam đoan của mình.",
        justify=True,
        first_indent=10,
    )
    doc.flow.runs(
        [
            (
                f"Kèm theo: {rng.choice(['Bản sao giấy tờ liên quan', 'Giấy chứng sinh', 'Bản vẽ thiết kế'])}.",
                st.italic(),
            )
        ]
    )
    if v := f("signed_date"):
        addressee = f.peek("addressee") or ""
        place = _place_name(addressee)
        doc.flow.gap(3)
        doc.flow.runs([(f"{place}, {ngay_thang_nam(date.fromisoformat(v))}", st.italic())], align="right")
    signature_block(
        doc,
        doc.size[0] - st.margin_right - 38,
        ["NGƯỜI YÊU CẦU"],
        st.name(f.peek("applicant_name") or _someone(rng)),
        rng,
        hint="(Ký, ghi rõ họ, chữ đệm, tên)",
        y=doc.flow.y + 9,
    )
    return doc.pages


# ---------------------------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class LayoutSet:
    render: Layout
    count: int  # number of structural variants


LAYOUTS: dict[str, LayoutSet] = {
    "citizen_id": LayoutSet(citizen_id_pages, 3),
    "birth_certificate": LayoutSet(birth_certificate, 2),
    "marriage_certificate": LayoutSet(marriage_certificate, 2),
    "land_use_certificate": LayoutSet(land_use_certificate, 2),
    "business_registration": LayoutSet(business_registration, 2),
    "building_permit": LayoutSet(building_permit, 2),
    "dossier_receipt": LayoutSet(dossier_receipt, 1),
    "decision": LayoutSet(decision, 2),
    "application_form": LayoutSet(application_form, 2),
}


def build(
    doc_type: str, fields: dict[str, str], rng: random.Random, layout: int, style: Style
) -> tuple[list[Page], set[str]]:
    """Pages for ``fields`` and the keys whose values were actually printed."""
    reader = FieldReader(fields)
    pages = LAYOUTS[doc_type].render(reader, rng, style, layout % LAYOUTS[doc_type].count)
    return pages, reader.printed
