"""Ground-truth field values per document type, in the conventions of document-types.md."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from .people import (
    PROVINCES,
    Person,
    Place,
    Province,
    enterprise_code,
    expiry_for,
    full_name,
    iso,
    nfc,
    person,
    personal_id,
    plain_number,
    random_date,
    random_place,
    street_address,
)

OFFICIALS_TITLES = [
    ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
    ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
    ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
    ("CHỦ TỊCH",),
]


def _clean(fields: dict[str, str]) -> dict[str, str]:
    return {k: nfc(v) for k, v in fields.items() if v}


def ward_authority(place: Place) -> str:
    """ "Ủy ban nhân dân phường Phú Hội, thành phố Huế, tỉnh Thừa Thiên Huế" """
    return f"Ủy ban nhân dân {place.locality()}"


def citizen_id(rng: random.Random, p: Person | None = None, issued: date | None = None) -> dict[str, str]:
    p = p or person(rng, born_between=(1950, 2006))
    first = max(p.date_of_birth + timedelta(days=14 * 365 + 30), date(2021, 1, 1))
    issued = issued or random_date(rng, min(first, date(2025, 6, 1)), date(2025, 6, 30))
    expiry = expiry_for(p.date_of_birth, issued)
    return _clean(
        {
            "personal_id": p.personal_id,
            "full_name": p.full_name,
            "date_of_birth": iso(p.date_of_birth),
            "sex": p.sex,
            "nationality": "Việt Nam",
            "place_of_origin": p.birth_place.locality(),
            "place_of_residence": p.residence,
            "issue_date": iso(issued),
            "expiry_date": iso(expiry) if expiry else "",
        }
    )


def birth_certificate(
    rng: random.Random,
    child: Person | None = None,
    mother: Person | None = None,
    father: Person | None = None,
    registered: date | None = None,
) -> dict[str, str]:
    province = rng.choice(PROVINCES)
    born = random_date(rng, date(2016, 1, 1), date(2025, 5, 1))
    if child is None:
        sex = rng.choice(["male", "female"])
        father = father or person(
            rng, sex="male", born_between=(born.year - 40, born.year - 22), province=province
        )
        surname = father.full_name.split()[0]
        place = random_place(rng, province)
        child = Person(
            full_name(rng, sex, surname),
            sex,
            born,
            personal_id(rng, province, sex, born),
            place,
            father.residence,
            father.ethnicity,
        )
    mother = mother or person(
        rng, sex="female", born_between=(child.date_of_birth.year - 40, child.date_of_birth.year - 20)
    )
    registered = registered or child.date_of_birth + timedelta(days=rng.randint(3, 55))
    hospital = rng.choice(
        ["Bệnh viện Đa khoa", "Bệnh viện Phụ sản", "Trung tâm Y tế", "Bệnh viện Trung ương"]
    )
    pob = f"{hospital} {child.birth_place.province.name}, {child.birth_place.province.label}"
    if rng.random() < 0.3:
        pob = f"Trạm Y tế {child.birth_place.ward}, {child.birth_place.district}, {child.birth_place.province.label}"
    return _clean(
        {
            "registration_number": str(rng.randint(1, 480)),
            "full_name": child.full_name,
            "sex": child.sex,
            "date_of_birth": iso(child.date_of_birth),
            "place_of_birth": pob,
            "ethnicity": child.ethnicity,
            "nationality": "Việt Nam",
            "personal_id": child.personal_id,
            "mother_name": mother.full_name,
            "father_name": father.full_name if father else "",
            "registration_date": iso(registered),
            "issuing_authority": ward_authority(child.birth_place),
        }
    )


def marriage_certificate(
    rng: random.Random, husband: Person | None = None, wife: Person | None = None
) -> dict[str, str]:
    husband = husband or person(rng, sex="male", born_between=(1970, 2003))
    wife = wife or person(rng, sex="female", born_between=(1972, 2005))
    youngest = max(husband.date_of_birth.year + 20, wife.date_of_birth.year + 18, 2010)
    registered = random_date(rng, date(min(youngest, 2024), 1, 1), date(2025, 6, 1))
    place = random_place(rng)
    return _clean(
        {
            "registration_number": str(rng.randint(1, 300)),
            "husband_name": husband.full_name,
            "wife_name": wife.full_name,
            "husband_date_of_birth": iso(husband.date_of_birth),
            "wife_date_of_birth": iso(wife.date_of_birth),
            "husband_id": husband.personal_id,
            "wife_id": wife.personal_id,
            "registration_date": iso(registered),
            "issuing_authority": ward_authority(place),
        }
    )


LAND_PURPOSES = [
    "Đất ở tại đô thị",
    "Đất ở tại nông thôn",
    "Đất trồng cây lâu năm",
    "Đất trồng lúa",
    "Đất thương mại, dịch vụ",
]


def land_use_certificate(
    rng: random.Random, holder: Person | None = None, new_form: bool | None = None, place: Place | None = None
) -> dict[str, str]:
    holder = holder or person(rng, born_between=(1950, 2000))
    new_form = rng.random() < 0.4 if new_form is None else new_form
    issued = (
        random_date(rng, date(2024, 8, 1), date(2025, 6, 1))
        if new_form
        else random_date(rng, date(2010, 1, 1), date(2024, 7, 31))
    )
    letters = "".join(rng.choice("ABCDEGHKLMNPSTXY") for _ in range(2))
    serial = letters + (f"{rng.randint(0, 99999999):08d}" if new_form else f"{rng.randint(0, 999999):06d}")
    purpose = rng.choice(LAND_PURPOSES)
    term = (
        "Lâu dài" if purpose.startswith("Đất ở") else rng.choice(["Đến ngày 15/10/2063", "50 năm", "Lâu dài"])
    )
    place = place or random_place(rng)
    area = rng.choice([rng.randint(45, 400) + rng.choice([0, 0.5, 0.2, 0.8]), float(rng.randint(300, 5000))])
    return _clean(
        {
            "serial_number": serial,
            "register_number": rng.choice(["CH", "CS", "CT"]) + f"{rng.randint(1, 9999):05d}",
            "holder_name": holder.full_name,
            "holder_id": holder.personal_id,
            "parcel_number": str(rng.randint(1, 950)),
            "map_sheet_number": str(rng.randint(1, 85)),
            "parcel_address": street_address(rng, place) if rng.random() < 0.6 else place.locality(),
            "area_m2": plain_number(area),
            "land_use_purpose": purpose,
            "land_use_term": term,
            "issue_date": iso(issued),
        }
    )


COMPANY_WORDS = [
    "Thương mại",
    "Dịch vụ",
    "Xây dựng",
    "Đầu tư",
    "Công nghệ",
    "Du lịch",
    "Vận tải",
    "Sản xuất",
    "Xuất nhập khẩu",
    "Tư vấn",
]
BRANDS = [
    "Minh Anh",
    "Hoàng Long",
    "Phú Hưng",
    "Sông Hương",
    "Thành Đạt",
    "An Phát",
    "Việt Tiến",
    "Hải Âu",
    "Bảo Ngọc",
    "Đại Dương",
    "Kim Cương",
    "Trường Sơn",
    "Ánh Dương",
]


def business_registration(
    rng: random.Random, representative: Person | None = None, province: Province | None = None
) -> dict[str, str]:
    province = province or rng.choice(PROVINCES)
    rep = representative or person(rng, born_between=(1960, 1998), province=province)
    kind = rng.choice(
        ["CÔNG TY TNHH", "CÔNG TY TRÁCH NHIỆM HỮU HẠN", "CÔNG TY CỔ PHẦN", "CÔNG TY TNHH MỘT THÀNH VIÊN"]
    )
    words = rng.sample(COMPANY_WORDS, rng.randint(1, 2))
    name = f"{kind} {' VÀ '.join(words).upper()} {rng.choice(BRANDS).upper()}"
    capital = rng.choice([500, 1000, 1500, 2000, 3000, 5000, 10000, 20000]) * 1_000_000
    return _clean(
        {
            "enterprise_code": enterprise_code(rng, province),
            "company_name": name,
            "head_office_address": street_address(rng, random_place(rng, province)),
            "legal_representative": rep.full_name,
            "charter_capital_vnd": str(capital),
            "first_registration_date": iso(random_date(rng, date(2008, 1, 1), date(2025, 5, 1))),
        }
    )


def building_permit(
    rng: random.Random, investor: Person | None = None, place: Place | None = None, issued: date | None = None
) -> dict[str, str]:
    investor = investor or person(rng, born_between=(1955, 1998))
    place = place or random_place(rng)
    issued = issued or random_date(rng, date(2019, 1, 1), date(2025, 6, 1))
    return _clean(
        {
            "permit_number": f"{rng.randint(1, 2400)}/GPXD",
            "investor_name": investor.full_name,
            "site_address": street_address(rng, place),
            "construction_area_m2": plain_number(rng.randint(40, 250) + rng.choice([0, 0.5, 0.3])),
            "floors": str(rng.randint(1, 6)),
            "issue_date": iso(issued),
        }
    )


PROCEDURES = [
    "Đăng ký khai sinh",
    "Cấp giấy phép xây dựng nhà ở riêng lẻ",
    "Đăng ký kết hôn",
    "Cấp bản sao trích lục hộ tịch",
    "Cấp giấy xác nhận tình trạng hôn nhân",
    "Đăng ký thành lập doanh nghiệp",
    "Đăng ký biến động quyền sử dụng đất",
]


def agency_eid(rng: random.Random) -> str:
    """An agency e-ID: a capital letter A-Y, two digits, then dot-separated groups ("H46.01.05")."""
    letter = rng.choice("ABCDEFGHKLMNPQRSTUVXY")
    groups = [f"{rng.randint(1, 99):02d}" for _ in range(rng.choice([1, 2, 2]))]
    return f"{letter}{rng.randint(1, 99):02d}." + ".".join(groups)


def dossier_code(rng: random.Random, received: date, eid: str | None = None) -> str:
    return f"{eid or agency_eid(rng)}-{received:%y%m%d}-{rng.randint(1, 9999):04d}"


def dossier_receipt(
    rng: random.Random,
    applicant: Person | None = None,
    procedure: str | None = None,
    received: date | None = None,
    province: Province | None = None,
    code: str | None = None,
) -> dict[str, str]:
    applicant = applicant or person(rng)
    province = province or rng.choice(PROVINCES)
    received = received or random_date(rng, date(2023, 1, 1), date(2025, 6, 1))
    due = received + timedelta(days=rng.choice([1, 3, 5, 7, 10, 15]))
    while due.weekday() >= 5:
        due += timedelta(days=1)
    unit = rng.choice(
        [
            f"Trung tâm Phục vụ hành chính công {province.label}",
            f"Bộ phận Một cửa {ward_authority(random_place(rng, province)).split(',')[0]}",
        ]
    )
    return _clean(
        {
            "dossier_code": code or dossier_code(rng, received),
            "applicant_name": applicant.full_name,
            "applicant_id": applicant.personal_id,
            "procedure_name": procedure or rng.choice(PROCEDURES),
            "received_date": iso(received),
            "due_date": iso(due),
            "receiving_unit": unit,
        }
    )


DECISION_SUBJECTS = [
    "Về việc cấp Giấy phép xây dựng nhà ở riêng lẻ cho {hon} {name}",
    "Về việc phê duyệt phương án bồi thường, hỗ trợ khi Nhà nước thu hồi đất",
    "Về việc công nhận quyền sử dụng đất cho hộ {hon} {name}",
    "Về việc thành lập Tổ công tác rà soát thủ tục hành chính năm {year}",
    "Về việc ban hành Kế hoạch chuyển đổi số năm {year}",
    "Về việc khen thưởng thành tích trong công tác cải cách hành chính năm {year}",
]


def decision(
    rng: random.Random,
    place: Place | None = None,
    subject_person: Person | None = None,
    issued: date | None = None,
    subject: str | None = None,
) -> dict[str, str]:
    place = place or random_place(rng)
    issued = issued or random_date(rng, date(2020, 1, 1), date(2025, 6, 1))
    level = rng.choice(["district", "province", "ward"])
    if level == "province":
        body = f"ỦY BAN NHÂN DÂN {place.province.label.upper()}"
        issue_place = place.province.place
    elif level == "district":
        body = f"ỦY BAN NHÂN DÂN {place.district.upper()}"
        issue_place = place.district_name if not place.district.startswith("Quận") else place.province.place
    else:
        body = f"ỦY BAN NHÂN DÂN {place.ward.upper()}"
        issue_place = place.ward_name if not place.ward_name.startswith("Phường") else place.province.place
    p = subject_person or person(rng)
    subject = subject or rng.choice(DECISION_SUBJECTS).format(
        hon=p.honorific.lower(), name=p.full_name, year=issued.year
    )
    signer = person(rng, born_between=(1965, 1985))
    return _clean(
        {
            "document_number": f"{rng.randint(1, 3500)}/QĐ-UBND",
            "issuing_body": body,
            "issue_place": issue_place,
            "issue_date": iso(issued),
            "subject": subject,
            "signer_name": signer.full_name,
            "signer_title": " ".join(rng.choice(OFFICIALS_TITLES)),
        }
    )


REQUESTS = [
    ("Đăng ký khai sinh cho {child_hon} {child}", "khai sinh"),
    ("Cấp Giấy phép xây dựng nhà ở riêng lẻ tại thửa đất số {parcel}, tờ bản đồ số {sheet}", "xây dựng"),
    ("Cấp bản sao trích lục kết hôn", "trích lục"),
    ("Cấp Giấy xác nhận tình trạng hôn nhân để làm thủ tục đăng ký kết hôn", "hôn nhân"),
    ("Đính chính thông tin trên Giấy chứng nhận quyền sử dụng đất đã cấp", "đất"),
]


def application_form(
    rng: random.Random,
    applicant: Person | None = None,
    request: str | None = None,
    signed: date | None = None,
    addressee: str | None = None,
) -> dict[str, str]:
    a = applicant or person(rng, born_between=(1950, 2004))
    if request is None:
        template, _ = rng.choice(REQUESTS)
        child = full_name(rng, rng.choice(["male", "female"]), a.full_name.split()[0])
        request = template.format(
            child_hon="cháu", child=child, parcel=rng.randint(1, 900), sheet=rng.randint(1, 80)
        )
    place = random_place(rng)
    return _clean(
        {
            "addressee": addressee or ward_authority(place).split(",")[0],
            "applicant_name": a.full_name,
            "date_of_birth": iso(a.date_of_birth),
            "applicant_id": a.personal_id,
            "address": a.residence,
            "request": request,
            "signed_date": iso(signed or random_date(rng, date(2022, 1, 1), date(2025, 6, 1))),
        }
    )


GENERATORS: dict[str, Callable[[random.Random], dict[str, str]]] = {
    "citizen_id": citizen_id,
    "birth_certificate": birth_certificate,
    "marriage_certificate": marriage_certificate,
    "land_use_certificate": land_use_certificate,
    "business_registration": business_registration,
    "building_permit": building_permit,
    "dossier_receipt": dossier_receipt,
    "decision": decision,
    "application_form": application_form,
}


def sample_fields(doc_type: str, rng: random.Random) -> dict[str, str]:
    """Random ground truth for one document of ``doc_type``."""
    return GENERATORS[doc_type](rng)
