"""Turning the text read after a label into a value in the conventions of document-types.md.

Each converter takes the raw value text and returns ``(value, quality)`` or None when the text holds no
such value; ``quality`` (0..1) is lowered when the value had to be repaired (OCR digit look-alikes).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rapidfuzz import fuzz

from extractors.dates import parse_date
from extractors.normalize import clean_text, fix_digits_in_text, fold

Converted = tuple[str, float] | None
REPAIRED = 0.9  # quality of a value whose digits had to be repaired

_HONORIFIC_RE = re.compile(
    r"^(?:ông\s*/\s*bà|ông|bà|anh|chị|cụ|mr\.?|mrs\.?|ms\.?)\s*[:.]?\s+", re.IGNORECASE
)
_LOOKALIKE_DIGITS = str.maketrans("OoIlSB", "001158")
_NUMBER_RE = re.compile(r"\d[\d., ]*\d|\d")


def repair(text: str) -> tuple[str, float]:
    fixed = fix_digits_in_text(text)
    return fixed, (1.0 if fixed == text else REPAIRED)


def to_text(raw: str) -> Converted:
    value = clean_text(raw)
    return (value, 1.0) if value else None


def to_name(raw: str) -> Converted:
    """A person's name: honorific (Ông/Bà) dropped, cut at the first comma ("Nguyễn Văn An, sinh năm 1980")."""
    text = clean_text(raw)
    text = _HONORIFIC_RE.sub("", text)
    text = clean_text(text.split(",")[0].split(";")[0])
    if not text or sum(c.isdigit() for c in text) > 0:
        return None
    return fix_surname(text)


# Common surnames: a first word that folds to one of these but is spelled otherwise is an OCR slip of the
# diacritics ("NGUYÊN" -> "NGUYỄN", "Vu" -> "Vũ").
SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Lương",
    "Trịnh",
    "Đoàn",
    "Lâm",
    "Mai",
    "Trương",
    "Tạ",
    "Cao",
    "Hà",
    "Đào",
    "Chu",
    "Lưu",
    "Tô",
    "Vương",
    "Thái",
    "Quách",
    "Kiều",
    "Triệu",
    "Đàm",
    "Lại",
    "Phùng",
    "Tăng",
    "Thân",
    "Khúc",
    "Nghiêm",
    "Âu",
    "Doãn",
    "Tiêu",
    "Tôn",  # Tôn Nữ, Tôn Thất
]
_SURNAME_BY_FOLD = {fold(s): s for s in SURNAMES}


def fix_surname(name: str) -> tuple[str, float]:
    first, _, rest = name.partition(" ")
    if not rest or first.casefold() in (s.casefold() for s in SURNAMES):
        return name, 1.0
    known = _SURNAME_BY_FOLD.get(fold(first))
    if known is None:
        return name, 1.0
    fixed = known.upper() if first.isupper() else known
    return f"{fixed} {rest}", REPAIRED


def to_sentence(raw: str) -> Converted:
    """The first sentence of a text."""
    text = clean_text(raw)
    m = re.search(r"[.;](\s|$)", text)
    return to_text(text[: m.start()] if m else text)


def to_date(raw: str) -> Converted:
    fixed, quality = repair(raw)
    iso = parse_date(fixed)
    return (iso, quality) if iso else None


def to_sex(raw: str) -> Converted:
    words = fold(clean_text(raw)).replace("/", " ").split()
    if not words:
        return None
    first = words[0].strip(".,:;")
    if first in ("nam", "male", "m"):
        return "male", 1.0
    if first in ("nu", "female", "f"):
        return "female", 1.0
    best = max(("male", fuzz.ratio(first, "nam")), ("female", fuzz.ratio(first, "nu")), key=lambda t: t[1])
    if best[1] >= 66 and len(first) <= 4:
        return best[0], 0.8
    return None


def _parse_number(text: str) -> str | None:
    """``1.234,5`` -> ``1234.5``; ``5.000.000.000`` -> ``5000000000``; ``120,50`` -> ``120.50``;
    ``1,234.5`` -> ``1234.5``."""
    s = text.replace(" ", "")
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        s = s.replace(thousands, "").replace(decimal, ".")
    elif "," in s:
        parts = s.split(",")
        s = s.replace(",", "") if len(parts) > 2 else s.replace(",", ".")
    elif "." in s:
        parts = s.split(".")
        if len(parts) > 2 or len(parts[1]) == 3:
            s = s.replace(".", "")
    if not re.fullmatch(r"\d+(\.\d+)?", s):
        return None
    return s


def to_quantity(raw: str) -> Converted:
    fixed, quality = repair(raw)
    m = _NUMBER_RE.search(fixed.replace("m²", " ").replace("m2", " "))
    if not m:
        return None
    number = _parse_number(m.group(0).strip())
    return (number, quality) if number else None


def to_integer(raw: str) -> Converted:
    fixed, quality = repair(raw)
    m = re.search(r"\d+", fixed)
    return (str(int(m.group(0))), quality) if m else None


def to_digits(raw: str) -> Converted:
    """An ID number: the first run of digits (spaces inside it removed), look-alikes repaired."""
    fixed, quality = repair(raw)
    m = re.search(r"\d[\d .]*\d", fixed)
    if not m:
        return None
    digits = re.sub(r"[ .]", "", m.group(0))
    return (digits, quality) if len(digits) >= 6 else None


def to_enterprise_code(raw: str) -> Converted:
    fixed, quality = repair(raw)
    m = re.search(r"\d[\d ]{8,}\d(?:\s*-\s*\d{3})?", fixed)
    if not m:
        return None
    return re.sub(r"\s", "", m.group(0)), quality


def to_serial(raw: str) -> Converted:
    """A land-use certificate serial: 2 letters then digits, ``AB 123456`` -> ``AB123456``."""
    text = clean_text(raw)
    m = re.search(r"([A-ZĐ]{2})\s*([0-9OoIlSB ]{6,})", text)
    if not m:
        return to_code(raw)
    digits, quality = repair(m.group(2).replace(" ", ""))
    return m.group(1) + digits, quality


def to_register_number(raw: str) -> Converted:
    """A register number ``CH 00120`` -> ``CH00120``: letters then digits, spaces removed."""
    m = re.search(r"([A-ZĐ]{1,3})\s*[-.]?\s*([0-9OoIlSB]{3,})", clean_text(raw))
    if not m:
        return to_code(raw)
    digits, quality = repair(m.group(2))
    return m.group(1) + digits, quality


def to_code(raw: str) -> Converted:
    """A code as printed, spaces removed: the first word-like run of the value."""
    text = clean_text(raw)
    if not text:
        return None
    first = text.split()[0] if re.match(r"^[\w./-]+$", text.split()[0]) else text
    value = re.sub(r"\s", "", first)
    return (value, 1.0) if value else None


def to_document_number(raw: str) -> Converted:
    """``12/QĐ-UBND``: spaces removed, digit look-alikes repaired in the number before the first '/'."""
    text = clean_text(raw)
    m = re.search(r"([0-9OoIlSB]{1,5}[a-z]?)\s*/\s*([\wĐđ./-]+(?:\s*-\s*[\wĐđ.]+)*)", text)
    if not m:
        return None
    number, quality = repair(m.group(1))
    if not number[0].isdigit():
        return None
    rest = re.sub(r"\s", "", m.group(2)).rstrip(".,;")
    return f"{number}/{rest}", quality


def to_dossier_code(raw: str) -> Converted:
    """``H31.01.05-240315-0042``: spaces removed, look-alikes repaired after the agency letter."""
    text = re.sub(r"\s*([.-])\s*", r"\1", clean_text(raw))
    m = re.search(r"([A-Z])([0-9OoIlSB]{2}(?:\.[0-9A-Z]+)*-[0-9OoIlSB]{6}-[0-9OoIlSB]{4,})", text)
    if not m:
        return to_code(raw)
    rest = m.group(2).translate(_LOOKALIKE_DIGITS)
    return m.group(1) + rest, (1.0 if rest == m.group(2) else REPAIRED)


CONVERTERS: dict[str, Callable[[str], Converted]] = {
    "text": to_text,
    "name": to_name,
    "sentence": to_sentence,
    "date": to_date,
    "sex": to_sex,
    "quantity": to_quantity,
    "integer": to_integer,
    "digits": to_digits,
    "enterprise_code": to_enterprise_code,
    "serial": to_serial,
    "code": to_code,
    "register_number": to_register_number,
    "document_number": to_document_number,
    "dossier_code": to_dossier_code,
}
