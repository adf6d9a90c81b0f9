"""Validation of extracted values: format rules of document-types.md and cross-field checks.

Each ``validate_*`` function returns a list of problems in plain words (empty when the value is fine).
``validate_fields`` applies them to a document's fields: a field with a problem gets it in ``Field.problems``
(prefixed with the field key) and a confidence of at most 0.5.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.vn import mst

from extractors.vn_codes import CENTURY_SEX_DIGIT, PROVINCE_CODES
from pipelines.model import Field

MAX_CONFIDENCE_WHEN_INVALID = 0.5
EARLIEST_DATE = date(1900, 1, 1)

_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DOSSIER_RE = re.compile(r"^([A-Y]\d{2}(?:\.[0-9A-Z]+)*)-(\d{6})-(\d{4,})$")
_DOCNUM_RE = re.compile(r"^\d+[a-z]?/(?:\d{4}/)?([A-ZĐ][A-Za-zĐđ]*)(?:-[A-ZĐ0-9][A-Za-zĐđ0-9.]*)*$")
_SERIAL_RE = re.compile(r"^[A-Z]{2}(\d{6}|\d{8})$")
_SEXES = ("male", "female")


def _parse_iso(value: str) -> date | None:
    if not _ISO_RE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def validate_personal_id(
    value: str, *, sex: str | None = None, date_of_birth: str | None = None, allow_old_id: bool = False
) -> list[str]:
    """A 12-digit personal ID (số định danh cá nhân): province code, century-and-sex digit vs sex and
    birth year. With ``allow_old_id`` a 9-digit identity card number (CMND) is accepted as is."""
    if allow_old_id and len(value) == 9 and value.isdigit():
        return []
    if not value.isdigit():
        return [f"must contain only digits, not '{value}'"]
    if len(value) != 12:
        expected = "12 digits (or 9 for an old identity card)" if allow_old_id else "12 digits"
        return [f"has {len(value)} digits instead of {expected}"]
    problems: list[str] = []
    province = value[:3]
    if province not in PROVINCE_CODES:
        problems.append(f"province code {province} does not exist")
    century_sex = CENTURY_SEX_DIGIT.get(value[3])
    if century_sex is None:
        problems.append(f"century-and-sex digit {value[3]} is not one of 0-5")
        return problems
    century, id_sex = century_sex
    if sex in _SEXES and sex != id_sex:
        problems.append(f"the ID number is that of a {id_sex} person but sex is {sex}")
    born = _parse_iso(date_of_birth) if date_of_birth else None
    if born is not None:
        id_year = century + int(value[4:6])
        if id_year != born.year:
            problems.append(
                f"the ID number gives birth year {id_year} but the date of birth is {born.isoformat()}"
            )
    return problems


def validate_enterprise_code(value: str) -> list[str]:
    """An enterprise / tax code: 10 digits with the check digit, optionally ``-NNN`` for a branch."""
    if not re.fullmatch(r"\d{10}(-\d{3})?", value):
        return [f"'{value}' is not 10 digits (optionally followed by -NNN for a branch)"]
    try:
        mst.validate(value)
    except StdnumValidationError:
        return [f"check digit of {value[:10]} is wrong"]
    return []


def validate_date(value: str, *, not_after: date | None = None, not_before: date | None = None) -> list[str]:
    """An ISO date ``YYYY-MM-DD`` that exists, optionally within bounds."""
    parsed = _parse_iso(value)
    if parsed is None:
        return [f"'{value}' is not a valid date"]
    if not_after is not None and parsed > not_after:
        if not_after == date.today():
            return [f"{value} is in the future"]
        return [f"{value} is later than {not_after.isoformat()}"]
    if not_before is not None and parsed < not_before:
        return [f"{value} is earlier than {not_before.isoformat()}"]
    return []


def validate_dossier_code(value: str) -> list[str]:
    """A dossier code ``<agency e-ID>-<YYMMDD>-<sequence>``, e.g. ``H31.01.05-240315-0042``."""
    m = _DOSSIER_RE.match(value)
    if not m:
        return [f"'{value}' is not a dossier code like H31.01.05-240315-0042"]
    ymd = m.group(2)
    try:
        date(2000 + int(ymd[:2]), int(ymd[2:4]), int(ymd[4:]))
    except ValueError:
        return [f"the date part {ymd} of '{value}' is not a valid YYMMDD date"]
    return []


def validate_document_number(value: str) -> list[str]:
    """A document number ``number/symbol``, e.g. ``12/QĐ-UBND``, ``05/2024/NĐ-CP``, ``45/GPXD``."""
    if not _DOCNUM_RE.match(value):
        return [f"'{value}' is not a document number like 12/QĐ-UBND"]
    return []


def validate_serial(value: str) -> list[str]:
    """A land-use certificate serial: 2 capital letters and 6 (old form) or 8 digits."""
    if not _SERIAL_RE.match(value):
        return [f"'{value}' is not 2 capital letters followed by 6 or 8 digits"]
    return []


def validate_sex(value: str) -> list[str]:
    return [] if value in _SEXES else [f"'{value}' is not male or female"]


def validate_integer(value: str) -> list[str]:
    return [] if value.isdigit() and int(value) > 0 else [f"'{value}' is not a positive whole number"]


def validate_quantity(value: str) -> list[str]:
    if not re.fullmatch(r"\d+(\.\d+)?", value) or float(value) <= 0:
        return [f"'{value}' is not a positive number"]
    return []


# --- applying the rules to a document's fields -------------------------------------------------------------

_PAST_DATES = {
    "date_of_birth",
    "issue_date",
    "registration_date",
    "husband_date_of_birth",
    "wife_date_of_birth",
    "first_registration_date",
    "received_date",
    "signed_date",
}
_FUTURE_OK_DATES = {"expiry_date", "due_date"}
DATE_FIELDS = frozenset(_PAST_DATES | _FUTURE_OK_DATES)  # every date key the validators check
_INTEGERS = {"parcel_number", "map_sheet_number", "floors"}
_QUANTITIES = {"area_m2", "charter_capital_vnd", "construction_area_m2"}
# Person-ID fields: (key, key of the sex it must agree with or a fixed sex, key of the date of birth).
_PERSON_IDS: dict[str, tuple[str | None, str | None]] = {
    "personal_id": ("sex", "date_of_birth"),
    "applicant_id": (None, "date_of_birth"),
    "holder_id": (None, None),
    "husband_id": ("=male", "husband_date_of_birth"),
    "wife_id": ("=female", "wife_date_of_birth"),
}
PERSON_ID_FIELDS = frozenset(_PERSON_IDS)  # every personal ID key the validators check
# Pairs (earlier, later) that must be in order.
_ORDER = [
    ("date_of_birth", "issue_date"),
    ("date_of_birth", "registration_date"),
    ("date_of_birth", "signed_date"),
    ("issue_date", "expiry_date"),
    ("received_date", "due_date"),
    ("husband_date_of_birth", "registration_date"),
    ("wife_date_of_birth", "registration_date"),
]
_LABEL = {
    "date_of_birth": "date of birth",
    "issue_date": "issue date",
    "registration_date": "registration date",
    "signed_date": "signing date",
    "expiry_date": "expiry date",
    "received_date": "date received",
    "due_date": "due date",
    "husband_date_of_birth": "husband's date of birth",
    "wife_date_of_birth": "wife's date of birth",
}


def flag(field: Field, problem: str) -> None:
    """Record a problem on a field (once) and cap its confidence."""
    message = f"{field.key}: {problem}"
    if message not in field.problems:
        field.problems.append(message)
    field.confidence = min(field.confidence, MAX_CONFIDENCE_WHEN_INVALID)


def _value(fields: dict[str, Field], key: str | None) -> str | None:
    if key is None:
        return None
    if key.startswith("="):
        return key[1:]
    f = fields.get(key)
    return f.value if f is not None and f.valid else None


def _single_field_rules(doc_type: str) -> dict[str, Callable[[str], list[str]]]:
    today = date.today()
    rules: dict[str, Callable[[str], list[str]]] = {
        "enterprise_code": validate_enterprise_code,
        "dossier_code": validate_dossier_code,
        "document_number": validate_document_number,
        "permit_number": validate_document_number,
        "serial_number": validate_serial,
        "sex": validate_sex,
    }
    for key in _PAST_DATES:
        rules[key] = lambda v: validate_date(v, not_after=today, not_before=EARLIEST_DATE)
    for key in _FUTURE_OK_DATES:
        rules[key] = lambda v: validate_date(v, not_before=EARLIEST_DATE)
    for key in _INTEGERS:
        rules[key] = validate_integer
    for key in _QUANTITIES:
        rules[key] = validate_quantity
    if doc_type == "decision":
        rules["issue_date"] = lambda v: validate_date(v, not_after=today, not_before=EARLIEST_DATE)
    return rules


def validate_fields(doc_type: str, fields: dict[str, Field]) -> None:
    """Check every field and the agreements between fields; problems go to ``Field.problems`` and cap the
    field's confidence at 0.5. Safe to call more than once."""
    rules = _single_field_rules(doc_type)
    for key, field in fields.items():
        rule = rules.get(key)
        if rule is not None:
            for problem in rule(field.value):
                flag(field, problem)
    for key, (sex_key, dob_key) in _PERSON_IDS.items():
        field = fields.get(key)
        if field is None:
            continue
        allow_old = doc_type in ("marriage_certificate", "land_use_certificate") or key == "holder_id"
        for problem in validate_personal_id(
            field.value,
            sex=_value(fields, sex_key),
            date_of_birth=_value(fields, dob_key),
            allow_old_id=allow_old,
        ):
            flag(field, problem)
    for earlier, later in _ORDER:
        a, b = fields.get(earlier), fields.get(later)
        if a is None or b is None:
            continue
        da, db = _parse_iso(a.value), _parse_iso(b.value)
        if da is not None and db is not None and db < da:
            flag(b, f"{_LABEL[later]} {b.value} is before the {_LABEL[earlier]} {a.value}")
