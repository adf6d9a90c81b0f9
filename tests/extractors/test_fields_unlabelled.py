"""Values found without their label when OCR mangled it: reported, but never confident."""

from extractors.fields import extract_fields
from tests.extractors.textpages import page_from_lines

REVIEW_THRESHOLD = 0.80


def test_the_only_personal_id_of_a_receipt_is_found_without_its_label() -> None:
    lines = [
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Tiếp nhận hồ sơ của:",
        "TRẦN MỸ THU NGÂN",
        "B0DC CC);",  # "Số CCCD:" as OCR read it
        "048185938806",
        "Số điện thoại:",
        "0952353499",
    ]
    field = extract_fields("dossier_receipt", [page_from_lines(lines)])["applicant_id"]
    assert field.value == "048185938806"
    assert field.valid
    assert field.confidence < REVIEW_THRESHOLD


def test_no_unlabelled_id_when_two_numbers_could_be_it() -> None:
    lines = [
        "Bà:",
        "TRẦN THANH NGÂN",
        "GẸCCĐ số:",
        "038185221963",
        "Ông:",
        "LÊ VĂN AN",
        "GẸCCĐ số:",
        "001080001234",
    ]
    assert "holder_id" not in extract_fields("land_use_certificate", [page_from_lines(lines)])


def test_a_number_without_the_structure_of_an_id_is_not_taken() -> None:
    lines = [
        "Tiếp nhận hồ sơ của:",
        "TRẦN MỸ THU NGÂN",
        "Mã vạch:",
        "999185938806",
    ]  # province 999 does not exist
    assert "applicant_id" not in extract_fields("dossier_receipt", [page_from_lines(lines)])
