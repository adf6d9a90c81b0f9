import unicodedata

import pytest

from extractors.fields import extract_fields
from tests.extractors.textpages import DOCUMENTS, HEADING, page_from_lines, page_with_values_below

EXPECTED: dict[str, dict[str, str]] = {
    "citizen_id": {
        "personal_id": "001303001234",
        "full_name": "NGUYỄN THỊ ÁNH",
        "date_of_birth": "2003-03-15",
        "sex": "female",
        "nationality": "Việt Nam",
        "place_of_origin": "Xã Tiên Phong, Huyện Duy Tiên, Hà Nam",
        "place_of_residence": "Số 12 Lê Lợi, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
        "issue_date": "2021-05-10",
        "expiry_date": "2028-03-15",
    },
    "birth_certificate": {
        "registration_number": "125",
        "full_name": "NGUYỄN THỊ ÁNH",
        "date_of_birth": "2024-03-15",
        "sex": "female",
        "place_of_birth": "Bệnh viện Từ Dũ, Thành phố Hồ Chí Minh",
        "ethnicity": "Kinh",
        "nationality": "Việt Nam",
        "personal_id": "079324001234",
        "mother_name": "TRẦN THỊ BÌNH",
        "father_name": "NGUYỄN VĂN AN",
        "registration_date": "2024-03-20",
        "issuing_authority": "Ủy ban nhân dân phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
    },
    "marriage_certificate": {
        "registration_number": "87",
        "husband_name": "NGUYỄN VĂN AN",
        "wife_name": "TRẦN THỊ BÌNH",
        "husband_date_of_birth": "1992-09-02",
        "wife_date_of_birth": "1995-02-14",
        "husband_id": "001092001234",
        "wife_id": "024195005678",
        "registration_date": "2023-06-05",
        "issuing_authority": "Ủy ban nhân dân phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
    },
    "land_use_certificate": {
        "serial_number": "AB12345678",
        "register_number": "CS01234",
        "holder_name": "Nguyễn Văn An",
        "holder_id": "079080001234",
        "parcel_number": "123",
        "map_sheet_number": "45",
        "parcel_address": "Phường Thảo Điền, thành phố Thủ Đức, Thành phố Hồ Chí Minh",
        "area_m2": "1234.5",
        "land_use_purpose": "Đất ở tại đô thị",
        "land_use_term": "Lâu dài",
        "issue_date": "2024-09-12",
    },
    "business_registration": {
        "enterprise_code": "0100109106",
        "company_name": "CÔNG TY TNHH THƯƠNG MẠI ÁNH DƯƠNG",
        "head_office_address": "Số 12 Lê Lợi, phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
        "legal_representative": "NGUYỄN THỊ ÁNH",
        "charter_capital_vnd": "5000000000",
        "first_registration_date": "2020-03-15",
    },
    "building_permit": {
        "permit_number": "45/GPXD",
        "investor_name": "Nguyễn Văn An",
        "site_address": "Số 34 Nguyễn Huệ, phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
        "construction_area_m2": "85.5",
        "floors": "4",
        "issue_date": "2024-04-10",
    },
    "dossier_receipt": {
        "dossier_code": "H31.01.05-240315-0042",
        "applicant_name": "Nguyễn Thị Ánh",
        "applicant_id": "079303001234",
        "procedure_name": "Đăng ký khai sinh",
        "received_date": "2024-03-15",
        "due_date": "2024-03-20",
        "receiving_unit": "Trung tâm Phục vụ hành chính công Thành phố Hồ Chí Minh",
    },
    "decision": {
        "document_number": "12/QĐ-UBND",
        "issuing_body": "ỦY BAN NHÂN DÂN QUẬN 1",
        "issue_place": "Hồ Chí Minh",
        "issue_date": "2024-03-05",
        "subject": "Về việc cấp Giấy phép xây dựng nhà ở riêng lẻ cho bà Nguyễn Thị Ánh",
        "signer_name": "Lê Văn Hùng",
        "signer_title": "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH",
    },
    "application_form": {
        "addressee": "Ủy ban nhân dân phường Bến Nghé",
        "applicant_name": "Nguyễn Thị Ánh",
        "date_of_birth": "1990-03-15",
        "applicant_id": "079190001234",
        "address": "Số 12 Lê Lợi, phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
        "request": "Đăng ký khai sinh cho cháu Nguyễn Minh Khang",
        "signed_date": "2024-03-20",
    },
}


def values(fields):  # noqa: ANN001, ANN201
    return {k: f.value for k, f in fields.items()}


@pytest.mark.parametrize("doc_type", sorted(EXPECTED))
@pytest.mark.parametrize("below", [False, True], ids=["same-line", "value-below"])
def test_every_field_of_every_type(doc_type: str, below: bool) -> None:
    page = page_from_lines(DOCUMENTS[doc_type], below=below)
    fields = extract_fields(doc_type, [page])
    assert values(fields) == EXPECTED[doc_type]
    for f in fields.values():
        assert f.valid, f.problems
        assert 0.85 <= f.confidence <= 1.0
        assert f.page == 0 and f.source == "ocr" and f.bbox is not None
        assert unicodedata.is_normalized("NFC", f.value)


def test_value_box_is_the_union_of_its_words() -> None:
    page = page_from_lines(DOCUMENTS["citizen_id"])
    name = extract_fields("citizen_id", [page])["full_name"]
    words = [w for w in page.words if w.text in ("NGUYỄN", "THỊ", "ÁNH")]
    assert name.bbox == (
        min(w.bbox[0] for w in words),
        min(w.bbox[1] for w in words),
        max(w.bbox[2] for w in words),
        max(w.bbox[3] for w in words),
    )
    assert name.raw == "NGUYỄN THỊ ÁNH"


def test_label_variants() -> None:
    for label in ("Họ và tên", "Họ, chữ đệm và tên", "Họ, chữ đệm, tên", "Họ, chữ đệm và tên khai sinh"):
        fields = extract_fields("citizen_id", [page_from_lines(["CĂN CƯỚC", f"{label}: Nguyễn Thị Ánh"])])
        assert fields["full_name"].value == "Nguyễn Thị Ánh", label
    for label in ("Ngày sinh", "Ngày, tháng, năm sinh"):
        fields = extract_fields("citizen_id", [page_from_lines(["CĂN CƯỚC", f"{label}: 15-3-2003"])])
        assert fields["date_of_birth"].value == "2003-03-15", label
    for label in ("Số định danh cá nhân", "Số CCCD", "Số"):
        fields = extract_fields("citizen_id", [page_from_lines(["CĂN CƯỚC", f"{label}: 079303001234"])])
        assert fields["personal_id"].value == "079303001234", label


def test_ocr_noise_in_labels() -> None:
    lines = [
        "CAN CUOC CONG DAN",
        "Ho va ten: NGUYỄN THỊ ÁNH",
        "Ngày sjnh: 15.03.2003",
        "Gioi tinh: Nu",
        "Quốc tich: Việt Nam",
        "Nơi thưởng trú: Số 12 Lê Lợi, Quận 1",
    ]
    fields = values(extract_fields("citizen_id", [page_from_lines(lines)]))
    assert fields == {
        "full_name": "NGUYỄN THỊ ÁNH",
        "date_of_birth": "2003-03-15",
        "sex": "female",
        "nationality": "Việt Nam",
        "place_of_residence": "Số 12 Lê Lợi, Quận 1",
    }


def test_digit_lookalikes_are_repaired_with_lower_confidence() -> None:
    lines = ["CĂN CƯỚC", "Số định danh cá nhân: O793O3OOl234", "Ngày sinh: 1S/O3/2OO3", "Giới tính: Nữ"]
    fields = extract_fields("citizen_id", [page_from_lines(lines)])
    assert fields["personal_id"].value == "079303001234"
    assert fields["personal_id"].raw == "O793O3OOl234"
    assert fields["date_of_birth"].value == "2003-03-15"
    clean = extract_fields("citizen_id", [page_from_lines(["Số định danh cá nhân: 079303001234"])])
    assert fields["personal_id"].confidence < clean["personal_id"].confidence
    assert fields["personal_id"].valid


def test_spaces_in_codes_and_quantities() -> None:
    lines = [
        "GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP",
        "Mã số doanh nghiệp: 0100 109 106",
        "Vốn điều lệ: 1.500.000.000 đồng (Một tỷ năm trăm triệu đồng)",
    ]
    fields = values(extract_fields("business_registration", [page_from_lines(lines)]))
    assert fields == {"enterprise_code": "0100109106", "charter_capital_vnd": "1500000000"}
    land = ["Số phát hành: CĐ 123456", "d) Diện tích: 120,50 m²", "Diện tích xây dựng: 1.234,5m2"]
    assert extract_fields("land_use_certificate", [page_from_lines(land)])["area_m2"].value == "120.50"


def test_invalid_values_are_flagged_with_low_confidence() -> None:
    lines = [
        "CĂN CƯỚC CÔNG DÂN",
        "Số định danh cá nhân: 999303001234",
        "Họ và tên: NGUYỄN VĂN AN",
        "Ngày sinh: 15/03/2003",
        "Giới tính: Nam",
    ]
    fields = extract_fields("citizen_id", [page_from_lines(lines)])
    pid = fields["personal_id"]
    assert pid.value == "999303001234"
    assert "personal_id: province code 999 does not exist" in pid.problems
    assert any("female" in p for p in pid.problems)  # 3 = a woman born in the 2000s, but the card says Nam
    assert pid.confidence <= 0.5
    assert fields["full_name"].valid and fields["full_name"].confidence > 0.9

    business = ["Mã số doanh nghiệp: 0100109107", "Đăng ký lần đầu: ngày 30 tháng 2 năm 2020"]
    fields = extract_fields("business_registration", [page_from_lines(business)])
    assert fields["enterprise_code"].problems == ["enterprise_code: check digit of 0100109107 is wrong"]
    assert fields["enterprise_code"].confidence <= 0.5
    assert "first_registration_date" not in fields  # 30 February is no date: not found, not invented


def test_decomposed_input_gives_composed_values() -> None:
    lines = [unicodedata.normalize("NFD", line) for line in DOCUMENTS["birth_certificate"]]
    fields = extract_fields("birth_certificate", [page_from_lines(lines)])
    assert fields["full_name"].value == "NGUYỄN THỊ ÁNH"
    assert fields["issuing_authority"].value == EXPECTED["birth_certificate"]["issuing_authority"]
    assert all(unicodedata.is_normalized("NFC", f.value) for f in fields.values())


def test_missing_fields_are_absent_and_other_types_give_nothing() -> None:
    fields = extract_fields(
        "citizen_id", [page_from_lines(["CĂN CƯỚC", "Họ và tên: NGUYỄN THỊ ÁNH", "Giới tính:"])]
    )
    assert set(fields) == {"full_name"}
    assert extract_fields("other", [page_from_lines(DOCUMENTS["citizen_id"])]) == {}
    assert extract_fields("citizen_id", []) == {}


def test_ocr_confidence_and_source_carry_into_fields() -> None:
    weak = extract_fields("citizen_id", [page_from_lines(DOCUMENTS["citizen_id"], confidence=0.6)])
    assert all(f.confidence <= 0.6 for f in weak.values())
    layer = extract_fields(
        "citizen_id", [page_from_lines(DOCUMENTS["citizen_id"], confidence=1.0, source="text_layer")]
    )
    assert all(f.source == "text_layer" and f.confidence >= 0.95 for f in layer.values())


def test_fields_on_a_second_page() -> None:
    front = page_from_lines([*HEADING, "CĂN CƯỚC CÔNG DÂN", "Họ và tên: NGUYỄN THỊ ÁNH"], index=0)
    back = page_from_lines(["Ngày cấp: 10/05/2021", "Có giá trị đến: 15/03/2028"], index=1)
    fields = extract_fields("citizen_id", [front, back])
    assert fields["full_name"].page == 0
    assert fields["issue_date"].page == 1 and fields["issue_date"].value == "2021-05-10"


def test_the_helper_puts_values_below_labels() -> None:
    page = page_with_values_below(["Họ và tên: NGUYỄN THỊ ÁNH"])
    assert page.text.splitlines()[0] == "Họ và tên:"
    assert extract_fields("citizen_id", [page])["full_name"].value == "NGUYỄN THỊ ÁNH"


def test_marriage_certificate_as_a_two_column_table() -> None:
    lines = [
        "GIẤY CHỨNG NHẬN KẾT HÔN",
        "Thông tin của chồng   Thông tin của vợ",
        "Họ, chữ đệm, tên   NGUYỄN NGỌC HUY   ĐỖ THỊ LOAN",
        "Ngày, tháng, năm ngày 30 tháng 3 năm 1989 | ngày 19 tháng 3 năm 1992",
        "sinh",
        "Dân tộc   Kinh   Kinh",
        "Giấy tờ tùy thân   CCCD số 052089698559   CCCD số 049192491252",
    ]
    fields = values(extract_fields("marriage_certificate", [page_from_lines(lines)]))
    assert fields == {
        "husband_name": "NGUYỄN NGỌC HUY",
        "wife_name": "ĐỖ THỊ LOAN",
        "husband_date_of_birth": "1989-03-30",
        "wife_date_of_birth": "1992-03-19",
        "husband_id": "052089698559",
        "wife_id": "049192491252",
    }


def test_card_layouts_english_captions_and_unlabelled_id() -> None:
    lines = [
        "CĂN CƯỚC CÔNG DÂN",
        "ss:xo. 040158836960",  # the small "Số / No.:" was misread
        "Họ và tên / Full name:",
        "LƯƠNG KHÁNH TRANG",
        "Có giá trị đến:",
        "Date of expiry",
        "23/11/2033",
    ]
    fields = extract_fields("citizen_id", [page_from_lines(lines)])
    assert values(fields) == {
        "personal_id": "040158836960",
        "full_name": "LƯƠNG KHÁNH TRANG",
        "expiry_date": "2033-11-23",
    }
    assert fields["personal_id"].confidence < fields["full_name"].confidence


def test_surname_diacritics_misread_by_ocr_are_restored() -> None:
    lines = ["GIẤY PHÉP XÂY DỰNG", "1. Cấp cho:", "Ông/Bà: NGUYÊN VĂN ĐỨC TRUNG"]
    investor = extract_fields("building_permit", [page_from_lines(lines)])["investor_name"]
    assert investor.value == "NGUYỄN VĂN ĐỨC TRUNG" and investor.raw == "NGUYÊN VĂN ĐỨC TRUNG"
    lines = ["ỦY BAN NHÂN DÂN", "Số: 12/QĐ-UBND", "QUYẾT ĐỊNH", "   CHỦ TỊCH", "   Vu Hữu Minh"]
    assert extract_fields("decision", [page_from_lines(lines)])["signer_name"].value == "Vũ Hữu Minh"


def test_a_sentence_after_a_label_that_is_not_the_value_falls_back_to_the_line_below() -> None:
    lines = [
        "GIẤY TIẾP NHẬN HỒ SƠ",
        "5. Thời gian trả kết quả giải quyết hồ sơ:",
        "15 giờ 00 phút, ngày 27/02/2023",
    ]
    assert extract_fields("dossier_receipt", [page_from_lines(lines)])["due_date"].value == "2023-02-27"


# --- plausibility: partial or misplaced values are never confident ------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (
            "place_of_residence",
            "Số 57, đường Trần Phú, phường Vĩnh Hải, thành phố",
        ),  # cut after the first line
        ("place_of_residence", "Số 31/20 Lê Lai, thị trấn Bút Sơn, huyện Hoằng Hóa"),  # province line lost
        ("issuing_authority", "ban nhân dân phường Quan Hoa, quận Cầu Giấy, thành phố Hà Nội Ủy"),
        ("site_address", "Cái Răng, thành phố Cần Thơ Phú, quận"),
        ("addressee", "và tên người yêu cầu: Trần Bích Trang"),
        ("procedure_name", "Đăng ký khai sinh Thành phần hồ sơ và số lượng mỗi loại giấy tờ gồm"),
        ("issuing_body", "PHƯỜNG HIỆP PHÚ"),
        ("company_name", "CÔNG TY TNHH MỘT THÀNH VIÊN DỊCH VỤ VÀ ty ĐẦU TƯ KIM CƯƠNG"),
        ("applicant_name", "NGUYỄN"),
        ("signer_title", "PHÓ CHỦ TỊCH"),
        ("subject", "Tổ công tác rà soát thủ tục hành chính năm 2024 Về việc thành lập"),
    ],
)
def test_implausible_values_are_recognised(key: str, value: str) -> None:
    from extractors.fields.plausible import implausible

    assert implausible(key, value) is not None


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("place_of_residence", "Số 12 Lê Lợi, phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh"),
        ("place_of_origin", "xã Thủy Thanh, thị xã Hương Thủy, tỉnh Thừa Thiên Huế"),
        ("issuing_body", "ỦY BAN NHÂN DÂN PHƯỜNG 8"),
        ("company_name", "CÔNG TY TNHH THƯƠNG MẠI ÁNH DƯƠNG"),
        ("full_name", "NGUYỄN THỊ ÁNH"),
        ("signer_title", "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH"),
        ("subject", "Về việc cấp Giấy phép xây dựng nhà ở riêng lẻ"),
    ],
)
def test_plausible_values_pass(key: str, value: str) -> None:
    from extractors.fields.plausible import implausible

    assert implausible(key, value) is None


def test_a_cut_address_is_extracted_but_not_confident() -> None:
    lines = [line for line in DOCUMENTS["citizen_id"] if line != "Quận 1, Thành phố Hồ Chí Minh"]
    fields = extract_fields("citizen_id", [page_from_lines(lines)])
    assert fields["place_of_residence"].value.endswith("Bến Nghé")
    assert fields["place_of_residence"].confidence < 0.8
    assert fields["full_name"].confidence >= 0.8
