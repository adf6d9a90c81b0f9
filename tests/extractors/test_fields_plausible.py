"""Classes of OCR slips that must not pass silently: lost commas between address units, a speck read as a
letter in front of an address, a diacritic Vietnamese spelling does not allow in a name."""

import pytest

from extractors.fields import extract_fields
from extractors.fields.plausible import drop_stray_letters, implausible, unseparated_units
from extractors.fields.syllables import first_bad_syllable, stop_tone_problem, syllable_problem
from extractors.fields.values import SURNAMES
from tests.extractors.textpages import page_from_lines

REVIEW_THRESHOLD = 0.80

GOOD_NAME_WORDS = (
    *SURNAMES,
    *(
        "Văn",
        "Thị",
        "Hữu",
        "Ngọc",
        "Xuân",
        "Quốc",
        "Bích",
        "Khánh",
        "Mỹ",
        "Thu",
        "Hoài",
        "Phương",
        "Tôn",
        "Nữ",
    ),
    *("Hùng", "Dũng", "Tuấn", "Đức", "Khoa", "Phúc", "Hiếu", "Thắng", "Cường", "Việt", "Lộc", "Tùng", "Huy"),
    *("Ánh", "Hương", "Thảo", "Quỳnh", "Hạnh", "Yến", "Oanh", "Uyên", "Khuê", "Thủy", "Thuý", "Hòa", "Hoà"),
    *("Giang", "Gìn", "Quyết", "Quyên", "Nguyệt", "Tuyết", "Thoa", "Loan", "Khang", "Nghĩa", "Ngoan", "Kiệt"),
)


@pytest.mark.parametrize("word", GOOD_NAME_WORDS)
def test_real_name_syllables_are_well_formed(word: str) -> None:
    assert syllable_problem(word) is None
    assert syllable_problem(word.upper()) is None


@pytest.mark.parametrize(
    "word",
    [
        "TẦT",  # a stop final takes only the acute or the dot below (Â read as Ầ in TẤT)
        "PHẦT",
        "Việc̀",
        "TÙÂN",  # the tone belongs on the vowel with the hat
        "NGUYỄÑ",  # a tilde on a consonant
        "VÂ",  # â needs a final consonant
        "Hiă",
    ],
)
def test_misread_syllables_are_caught(word: str) -> None:
    assert syllable_problem(word) is not None


def test_a_misread_tone_in_a_name_lowers_its_confidence() -> None:
    page = page_from_lines(["CĂN CƯỚC", "Họ và tên: NGUYỄN VĂN TẦT", "Ngày sinh: 15/03/2003"])
    name = extract_fields("citizen_id", [page])["full_name"]
    assert name.value == "NGUYỄN VĂN TẦT"
    assert name.confidence < REVIEW_THRESHOLD
    assert first_bad_syllable(name.value) is not None
    good = extract_fields("citizen_id", [page_from_lines(["CĂN CƯỚC", "Họ và tên: NGUYỄN VĂN TẤT"])])
    assert good["full_name"].confidence >= REVIEW_THRESHOLD


def test_place_names_keep_their_borrowed_syllables() -> None:
    assert stop_tone_problem("xã Ea Tu, thành phố Buôn Ma Thuột, tỉnh Đắk Lắk") is None
    assert stop_tone_problem("huyện Krông Pắc, tỉnh Đắk Lắk") is None
    assert stop_tone_problem("xã Tân Lâp, huyện Mộc Châu") is not None  # "Lập" lost its dot


@pytest.mark.parametrize(
    "address",
    [
        "phường Cát Dài, quận Lê Chân, thành phố Hải Phòng",
        "Số 96, đường Bạch Đằng, phường Hải Châu 1, quận Hải Châu, thành phố Đà Nẵng",
        "Ủy ban nhân dân phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
        "Trạm Y tế xã Tiên Phong, huyện Duy Tiên, tỉnh Hà Nam",
        "Số 12 Xã Đàn, phường Nam Đồng, quận Đống Đa, thành phố Hà Nội",
        "Số 5 Tỉnh lộ 10, xã Tân Phú, huyện Đức Hòa, tỉnh Long An",
        "Thôn 3, xã Hòa Phú, thị xã Buôn Hồ, tỉnh Đắk Lắk",
    ],
)
def test_addresses_with_their_units_separated_pass(address: str) -> None:
    assert unseparated_units(address) is None
    assert implausible("place_of_residence", address) is None


@pytest.mark.parametrize(
    "address",
    [
        "phường Cát Dài, quận Lê Chân thành phố Hải Phòng",
        "Số 5 Trần Hưng Đạo phường Phạm Ngũ Lão, Quận 1, Thành phố Hồ Chí Minh",
        "Ủy ban nhân dân xã Tiên Phong huyện Duy Tiên, tỉnh Hà Nam",
        "xã Hòa Phú thị xã Buôn Hồ, tỉnh Đắk Lắk",
    ],
)
def test_a_lost_comma_between_units_is_implausible(address: str) -> None:
    assert unseparated_units(address) is not None
    assert implausible("place_of_residence", address) is not None


def test_a_lost_comma_sends_the_address_to_review() -> None:
    lines = ["CĂN CƯỚC", "Nơi thường trú: phường Cát Dài, quận Lê Chân thành phố Hải Phòng"]
    field = extract_fields("citizen_id", [page_from_lines(lines)])["place_of_residence"]
    assert field.confidence < REVIEW_THRESHOLD
    lines = ["CĂN CƯỚC", "Nơi thường trú: phường Cát Dài, quận Lê Chân, thành phố Hải Phòng"]
    assert extract_fields("citizen_id", [page_from_lines(lines)])["place_of_residence"].confidence >= 0.85


def test_a_speck_letter_before_an_address_unit_is_dropped() -> None:
    assert drop_stray_letters("L thị trấn Phong Điền, huyện Phong Điền, tỉnh Thừa Thiên Huế") == (
        "thị trấn Phong Điền, huyện Phong Điền, tỉnh Thừa Thiên Huế"
    )
    assert drop_stray_letters("Khu A, phường Bến Nghé, Quận 1") == "Khu A, phường Bến Nghé, Quận 1"
    lines = ["CĂN CƯỚC", "Quê quán: L thị trấn Phong Điền, huyện Phong Điền, tỉnh Thừa Thiên Huế"]
    field = extract_fields("citizen_id", [page_from_lines(lines)])["place_of_origin"]
    assert field.value == "thị trấn Phong Điền, huyện Phong Điền, tỉnh Thừa Thiên Huế"
    clean = ["CĂN CƯỚC", "Quê quán: thị trấn Phong Điền, huyện Phong Điền, tỉnh Thừa Thiên Huế"]
    assert (
        field.confidence
        < extract_fields("citizen_id", [page_from_lines(clean)])["place_of_origin"].confidence
    )


def test_a_card_number_split_by_ocr_and_glued_to_its_label_is_found() -> None:
    page = page_from_lines(["CĂN CƯỚC CÔNG DÂN", "sø/No.038182 766701", "Họ và tên: NGUYỄN THỊ ÁNH"])
    field = extract_fields("citizen_id", [page])["personal_id"]
    assert field.value == "038182766701"
    assert field.raw == "sø/No.038182 766701"


def test_words_with_vietnamese_marks_must_be_syllables_plain_latin_names_are_left_alone() -> None:
    assert implausible("company_name", "CÔNG TY CỔ PHẦN XÂY DỰNG THÀNH ĐẠTT") is not None
    assert implausible("company_name", "CÔNG TY CỔ PHẦN XÂY DỰNG THÀNH ĐẠT") is None
    assert implausible("company_name", "CÔNG TY TNHH ABC TECH VIET NHAT") is None
    assert implausible(
        "place_of_residence", "Số 9 đường Xô Viet Nghệ Tĩnh, phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh"
    )
    assert implausible("place_of_residence", "xã Ea Tu, thành phố Buôn Ma Thuột, tỉnh Đắk Lắk") is None


def test_lone_letters_in_short_texts_and_titles_are_implausible() -> None:
    assert implausible("nationality", "Việt N Nam") is not None
    assert implausible("nationality", "Việt Nam") is None
    assert implausible("ethnicity", "Ê Đê") is None
    assert implausible("signer_title", "U Y A B Y Ủ N Ơ H") is not None
    assert implausible("signer_title", "KT. CHỦ TỊCH PHÓ CHỦ TỊCH") is None
    assert (
        implausible("place_of_origin", "phường Hòa Cường g Bắc, quận Hải Châu, thành phố Đà Nẵng") is not None
    )
