import unicodedata

from extractors.dates import find_dates, parse_date
from extractors.normalize import clean_text, fix_digits, fix_digits_in_text, fold, fold_words, nfc


def test_nfc_composes_decomposed_vietnamese() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert decomposed != "Nguyễn Thị Ánh"
    assert nfc(decomposed) == "Nguyễn Thị Ánh"


def test_clean_text_collapses_whitespace_and_strips_punctuation() -> None:
    assert clean_text("  Quyết   định\tsố 12,  ") == "Quyết định số 12"
    assert clean_text("....NGUYỄN THỊ ÁNH;") == "NGUYỄN THỊ ÁNH"
    assert clean_text(": Hồ Chí Minh.") == "Hồ Chí Minh"
    assert clean_text(unicodedata.normalize("NFD", "Hồ Chí Minh")) == "Hồ Chí Minh"


def test_clean_text_keeps_a_balanced_closing_bracket() -> None:
    assert clean_text("Quận 1 (cũ).") == "Quận 1 (cũ)"


def test_fold_removes_diacritics_and_maps_d_bar() -> None:
    assert fold("Đặng Thị Ánh") == "dang thi anh"
    assert fold("CỘNG HÒA") == fold("CỘNG HOÀ") == "cong hoa"
    assert fold(unicodedata.normalize("NFD", "Quyết định")) == "quyet dinh"
    assert fold_words("Họ, chữ đệm và tên:") == ["ho", "chu", "dem", "va", "ten"]


def test_digit_lookalikes_are_fixed_only_inside_digit_strings() -> None:
    assert fix_digits("O793O3OO1234") == "079303001234"
    assert fix_digits("1S") == "15"
    assert fix_digits("SO") == "SO"  # a word, not a number
    assert fix_digits_in_text("Số: l25, ngày 1S/O3/2O24") == "Số: 125, ngày 15/03/2024"
    assert fix_digits_in_text("BIS Sơn La") == "BIS Sơn La"


def test_dates_in_every_printed_form() -> None:
    for text in ("15/03/2024", "15-3-2024", "15.03.2024", "15 / 03 / 2024", "ngày 15 tháng 3 năm 2024"):
        assert parse_date(text) == "2024-03-15", text
    assert parse_date("Hồ Chí Minh, ngày 05 tháng 03 năm 2024") == "2024-03-05"
    assert parse_date("ngay 5 thang 3 nam 2024") == "2024-03-05"
    assert parse_date("1S/O3/2O24") == "2024-03-15"
    assert parse_date("31/02/2024") is None
    assert parse_date("Việt Nam") is None
    assert [d.iso for d in find_dates("từ 01/02/2024 đến ngày 03 tháng 04 năm 2025")] == [
        "2024-02-01",
        "2025-04-03",
    ]
