"""Does a value look like what its field holds? Lowers the confidence of values that were read from the
wrong place or only in part (a wrapped address cut after its first line, lines read out of order, the next
label swallowed), so that such a value goes to a person instead of passing silently.

OCR slips that the value's own spelling gives away lower it the same way: a comma lost between two units
of an address, a speck read as a letter, a word Vietnamese spelling does not allow (``syllables``).

These are not validation errors (the value may be right: an address without its province exists), so they do
not go to ``Field.problems``; they cap the confidence below the review threshold (``IMPLAUSIBLE``), which sends
the document to review. ``implausible(key, value)`` says why in plain words.
"""

from __future__ import annotations

import re

from extractors.classify import LABELS
from extractors.fields.syllables import bad_marked_syllable, first_bad_syllable, stop_tone_problem
from extractors.fields.values import REPAIRED, SURNAMES
from extractors.normalize import clean_text, fold, fold_words
from extractors.vn_codes import PROVINCE_CODES
from pipelines.model import Field

IMPLAUSIBLE = 0.7  # confidence cap: below the review threshold 0.80
SHORT_NAME = 0.78  # two-word names exist but a third word is more often lost by OCR

ADDRESSES = {
    "place_of_residence",
    "place_of_origin",
    "head_office_address",
    "site_address",
    "parcel_address",
    "address",
    "place_of_birth",
    "issuing_authority",
}
ORGANISATIONS = {"issuing_body", "receiving_unit", "addressee", "company_name"}
NAMES = {
    "full_name",
    "applicant_name",
    "husband_name",
    "wife_name",
    "mother_name",
    "father_name",
    "holder_name",
    "legal_representative",
    "signer_name",
    "investor_name",
}
PHRASES = {"procedure_name", "request", "subject", "land_use_purpose", "land_use_term", "signer_title"}
SHORT_TEXTS = {"nationality", "ethnicity"}  # a word or two, never a lone letter ("Việt N Nam")

_PROVINCES = sorted(
    {fold(p) for p in PROVINCE_CODES.values()} | {"ho chi minh", "hue"}, key=len, reverse=True
)
_ORG_WORDS = ("cong ty", "doanh nghiep", "hop tac xa", "chi nhanh", "tap doan")
# Words that cannot end a name of a place, a body or a phrase: a value ending with one was cut short.
_DANGLING = {
    *("và", "của", "để", "cho", "các", "những", "với", "tại", "về", "theo", "từ", "đến", "thành", "phố"),
    *("tỉnh", "quận", "huyện", "xã", "phường", "trấn", "số", "đường", "ủy", "thủ", "xác", "giấy"),
    *("đăng", "làm", "trách", "hành", "tình"),
}
# An address may start in lower case with the smallest unit ("xã Thủy Thanh, ..."), nothing else may.
_ADDRESS_START = {
    "xã",
    "phường",
    "thị",
    "thôn",
    "ấp",
    "tổ",
    "khu",
    "khóm",
    "xóm",
    "bản",
    "số",
    "đường",
    "quận",
}
_ADDRESS_START |= {"huyện", "thành", "tỉnh", "trạm", "bệnh", "trung", "ủy"}
# Labels of every type, and phrases printed next to values: a value containing one swallowed a label.
_LABEL_PHRASES = sorted(
    {" ".join(fold_words(label)) for labels in LABELS.values() for label in labels if len(label) >= 8}
    | {
        "toi cam doan",
        "thanh phan ho so",
        "viet bang tieng nuoc ngoai",
        "quan he voi nguoi",
        "cot nen",
        "ho va ten",
        "ten nguoi yeu cau",
        "so dinh danh",
        "ngay thang nam",
    }
)
_SURNAMES = {fold(s) for s in SURNAMES}


def _ends_with_province(folded_words: list[str]) -> bool:
    tail = " ".join(folded_words[-5:])
    return any(tail.endswith(p) for p in _PROVINCES)


def _contains_label(folded: str, key: str) -> bool:
    own = {" ".join(fold_words(k.replace("_", " "))) for k in (key,)}
    return any(f" {p} " in f" {folded} " for p in _LABEL_PHRASES if p not in own)


def _mixed_case(value: str) -> bool:
    """An upper-case name with lower-case words in it (a word from another line slipped in)."""
    words = [w for w in value.split() if any(c.isalpha() for c in w)]
    upper = sum(w.isupper() for w in words)
    return len(words) >= 3 and upper >= 0.6 * len(words) and upper < len(words)


# "Đà. Lạt": a full stop between two words of one name. Abbreviations take one ("TP. Hà Nội", "Tp.", "Q. 1",
# "P.8", "TT.", "Tx."), other words do not.
_ABBREVIATIONS = {"tp", "tx", "tt", "q", "p", "h", "x", "ph", "st", "kp", "tdp", "ql", "tl", "dt"}
_WORD_STOP = re.compile(r"(?<![^\s,])(\w+)\.\s+\w")


def _stray_stop(value: str) -> bool:
    return any(
        m.group(1).casefold() not in _ABBREVIATIONS and not m.group(1).isdigit() and not m.group(1).isupper()
        for m in _WORD_STOP.finditer(value)
    )


# Administrative units, as the words that name them. An address lists them from the smallest up, one per
# comma-separated part, each part starting with its unit ("phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh").
_UNITS = (("thị", "trấn"), ("thị", "xã"), ("thành", "phố"), ("xã",), ("phường",), ("quận",), ("huyện",))
_UNITS += (("tỉnh",), ("tp",))
# Words before a unit word that make it part of a name rather than a new unit: streets ("đường Xã Đàn"), roads
# ("Tỉnh lộ 10" follows the unit word), and the body of a place ("Ủy ban nhân dân phường ...", "Trạm Y tế xã").
_STREET_WORDS = {"đường", "phố", "ngõ", "hẻm", "ngách", "kiệt"}
_INSTITUTIONS = (
    *("uy ban", "ubnd", "hoi dong", "benh vien", "tram y te", "trung tam", "cong an", "nha ho sinh"),
    *("phong kham", "chi cuc", "van phong"),
)


def _unit_at(words: list[str], i: int) -> int:
    """Length of the unit name starting at word ``i`` (0 when none does)."""
    for unit in _UNITS:
        if tuple(w.strip(".") for w in words[i : i + len(unit)]) == unit:
            if unit == ("tỉnh",) and i + 1 < len(words) and words[i + 1] == "lộ":
                return 0
            return len(unit)
    return 0


def unseparated_units(value: str) -> str | None:
    """The unit word of an address that is not at the start of its comma-separated part ("quận Lê Chân
    thành phố Hải Phòng": a comma OCR lost, or two lines run together), or None."""
    for n, part in enumerate(value.split(",")):
        printed = part.split()
        words = part.casefold().split()
        institution = fold(part).strip().startswith(_INSTITUTIONS)
        i = 0
        while i < len(words):
            size = _unit_at(words, i)
            if not size:
                i += 1
                continue
            if i == 0:
                i += size
                continue
            # "Số 12 Xã Đàn": a street named after a unit, after the house number.
            street = n == 0 and printed[i][0].isupper() and any(c.isdigit() for c in words[i - 1])
            if words[i - 1] not in _STREET_WORDS and not street:
                if not institution:
                    return " ".join(words[i : i + size])
                institution = False  # the body's own unit; a second one needs its own part
            i += size
    return None


# A speck read as a letter in front of an address part: "L thị trấn Phong Điền, ...".
_STRAY_LETTER_RE = re.compile(
    r"(^|,\s*)[^\W\d_]\s+(?=(?:thị trấn|thị xã|thành phố|xã|phường|quận|huyện|tỉnh)\b)", re.I
)


def _letter_salad(value: str) -> bool:
    """ "U Y A B Y Ủ N Ơ H": most words are one letter."""
    words = [w for w in value.split() if any(c.isalpha() for c in w)]
    return len(words) >= 2 and sum(_plain_letter(w.strip(".,")) for w in words) * 2 >= len(words)


def _plain_letter(word: str) -> bool:
    """A lone Latin letter without Vietnamese marks ("Ê" in "Ê Đê" is a syllable)."""
    return len(word) == 1 and ("a" <= word <= "z" or "A" <= word <= "Z")


def _stray_lower(value: str) -> bool:
    """ "phường Hòa Cường g Bắc": no word of a Vietnamese name or address is a plain lower-case letter ("ở"
    in "nhà ở" is a word)."""
    return any(_plain_letter(w) and w.islower() for w in value.replace(",", " ").split())


def drop_stray_letters(value: str) -> str:
    """``value`` without single letters standing before a unit word at the start of an address part."""
    return _STRAY_LETTER_RE.sub(lambda m: m.group(1), value)


def implausible(key: str, value: str) -> str | None:
    """Why ``value`` does not look like a ``key`` value, or None when it does."""
    words = fold_words(value)
    if not words:
        return "nothing readable"
    folded = " ".join(words)
    first = value.lstrip("\"'(“")[:1]
    if key in ADDRESSES | ORGANISATIONS | PHRASES | NAMES:
        if ":" in value:
            return "contains a label (':')"
        if _contains_label(folded, key):
            return "contains the text of a label"
        plain = clean_text(value).casefold().split()
        if plain[-1] in _DANGLING:
            return "ends with a word that cannot end it (cut short?)"
        lower_ok = key in ADDRESSES and plain[0] in _ADDRESS_START
        if first and not (first.isupper() or first.isdigit() or lower_ok):
            return "does not start like a name or an address (lines out of order?)"
    if key in ADDRESSES:
        if key == "place_of_birth" and len(words) >= 2 and not _ends_with_province(words):
            return "does not end with a province"
        if key != "place_of_birth" and not _ends_with_province(words):
            return "does not end with a province (cut short or lines out of order?)"
        if sum(folded.count(f" {p}") for p in _PROVINCES if f" {p}" in f" {folded}") > 2:
            return "names several provinces"
        if _stray_stop(value):
            return "a full stop inside a place name (a speck read as '.')"
        unit = unseparated_units(value)
        if unit is not None:
            return f"'{unit}' does not start a part of the address (a comma lost?)"
    if key in ADDRESSES | ORGANISATIONS | NAMES and _stray_lower(value):
        return "a lone lower-case letter inside a name (a speck read as a letter?)"
    if key in ADDRESSES | ORGANISATIONS | PHRASES | SHORT_TEXTS:
        bad = stop_tone_problem(value) or bad_marked_syllable(value, place=key in ADDRESSES)
        if bad is not None:
            return f"a word Vietnamese spelling does not allow ({bad})"
        if _letter_salad(value):
            return "mostly single letters (a seal or a signature read as text?)"
    if key in SHORT_TEXTS and any(_plain_letter(w) for w in value.split()):
        return "a lone letter inside a word list (a speck read as a letter?)"
    if key in ORGANISATIONS:
        if _mixed_case(value):
            return "mixes upper- and lower-case words"
        if key == "company_name" and not folded.startswith(_ORG_WORDS):
            return "does not start like a company name"
        if key == "receiving_unit" and len(words) < 4:
            return "too short for the name of a unit"
        if key == "issuing_body" and not folded.startswith(
            (
                "uy ban",
                "ubnd",
                "so ",
                "bo ",
                "phong",
                "cong an",
                "trung tam",
                "chi cuc",
                "cuc ",
                "tong cuc",
                "ban ",
            )
        ):
            return "does not start like the name of a public body"
    if key in NAMES:
        if folded.startswith(_ORG_WORDS):
            return None
        if len(words) < 2:
            return "a single word is not a full name"
        if words[0] not in _SURNAMES:
            return "does not start with a known surname"
        if len(words) > 6 or _mixed_case(value):
            return "too long for a name"
        bad = first_bad_syllable(value)
        if bad is not None:
            return f"a word Vietnamese spelling does not allow ({bad})"
    if key == "subject" and "ve viec" in folded and not folded.startswith(("ve viec", "v v")):
        return "lines out of order"
    if key == "signer_title" and folded.startswith("pho ") and "kt" not in words:
        return "a deputy signs 'KT.' (on behalf of): the line above was not read"
    if key in PHRASES and words[0].isdigit() and key not in ("land_use_term",):
        return "starts with a number"
    return None


def apply(fields: dict[str, Field]) -> None:
    """Cap the confidence of implausible values (and of two-word names) below the review threshold."""
    for key, field in fields.items():
        if key in ADDRESSES:
            cleaned = drop_stray_letters(field.value)
            if cleaned != field.value:
                field.value = cleaned
                field.confidence = round(field.confidence * REPAIRED, 3)
        reason = implausible(key, field.value)
        if reason is not None:
            field.confidence = min(field.confidence, IMPLAUSIBLE)
        elif key in NAMES and len(field.value.split()) == 2:
            field.confidence = min(field.confidence, SHORT_NAME)
