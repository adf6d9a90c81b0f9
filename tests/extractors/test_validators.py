from datetime import date, timedelta

from extractors.validators import (
    validate_date,
    validate_document_number,
    validate_dossier_code,
    validate_enterprise_code,
    validate_fields,
    validate_personal_id,
)
from pipelines.model import Field


def test_valid_personal_id() -> None:
    assert validate_personal_id("079303001234") == []
    assert validate_personal_id("079303001234", sex="female", date_of_birth="2003-03-15") == []
    assert validate_personal_id("001092001234", sex="male", date_of_birth="1992-09-02") == []


def test_personal_id_problems() -> None:
    assert validate_personal_id("999303001234") == ["province code 999 does not exist"]
    assert "12 digits" in validate_personal_id("07930300123")[0]
    assert "only digits" in validate_personal_id("0793O300123A")[0]
    assert validate_personal_id("079803001234")[0].startswith("century-and-sex digit 8")
    (sex_problem,) = validate_personal_id("079303001234", sex="male")
    assert "female" in sex_problem and "male" in sex_problem
    (year_problem,) = validate_personal_id("079303001234", date_of_birth="2004-03-15")
    assert "2003" in year_problem


def test_old_identity_card_number_only_where_allowed() -> None:
    assert validate_personal_id("025123456", allow_old_id=True) == []
    assert validate_personal_id("025123456") != []


def test_enterprise_code() -> None:
    assert validate_enterprise_code("0100109106") == []
    assert validate_enterprise_code("0100109106-001") == []
    assert validate_enterprise_code("0100109107") == ["check digit of 0100109107 is wrong"]
    assert validate_enterprise_code("01001091") != []


def test_dates() -> None:
    assert validate_date("2024-03-15") == []
    assert validate_date("2024-02-30") == ["'2024-02-30' is not a valid date"]
    future = (date.today() + timedelta(days=40)).isoformat()
    assert validate_date(future, not_after=date.today()) == [f"{future} is in the future"]
    assert validate_date("1890-01-01", not_before=date(1900, 1, 1)) == [
        "1890-01-01 is earlier than 1900-01-01"
    ]


def test_dossier_code() -> None:
    assert validate_dossier_code("H31.01.05-240315-0042") == []
    assert validate_dossier_code("G01.19-231231-12345") == []
    assert validate_dossier_code("Z31.01.05-240315-0042") != []  # Z is not an agency letter
    assert "YYMMDD" in validate_dossier_code("H31.01.05-241315-0042")[0]
    assert validate_dossier_code("H31.01.05-240315-42") != []


def test_document_number() -> None:
    for ok in ("12/QĐ-UBND", "1234/QĐ-BTNMT", "05/2024/NĐ-CP", "45/GPXD", "15/TTr-UBND", "123/UBND-VP"):
        assert validate_document_number(ok) == [], ok
    for bad in ("QĐ-UBND", "12-QĐ-UBND", "12/"):
        assert validate_document_number(bad) != [], bad


def _f(key: str, value: str, confidence: float = 0.95) -> Field:
    return Field(key=key, value=value, confidence=confidence)


def test_validate_fields_cross_checks_lower_confidence() -> None:
    fields = {
        "personal_id": _f("personal_id", "079303001234"),
        "sex": _f("sex", "male"),
        "date_of_birth": _f("date_of_birth", "2003-03-15"),
        "issue_date": _f("issue_date", "2001-01-01"),
        "expiry_date": _f("expiry_date", "2028-03-15"),
    }
    validate_fields("citizen_id", fields)
    assert fields["personal_id"].problems and fields["personal_id"].confidence <= 0.5
    assert fields["personal_id"].problems[0].startswith("personal_id: ")
    assert fields["issue_date"].problems == [
        "issue_date: issue date 2001-01-01 is before the date of birth 2003-03-15"
    ]
    assert fields["issue_date"].confidence <= 0.5
    assert fields["date_of_birth"].valid and fields["date_of_birth"].confidence == 0.95
    assert fields["expiry_date"].valid
    validate_fields("citizen_id", fields)  # idempotent
    assert len(fields["issue_date"].problems) == 1


def test_validate_fields_flags_future_issue_and_bad_codes() -> None:
    future = (date.today() + timedelta(days=3)).isoformat()
    fields = {
        "enterprise_code": _f("enterprise_code", "0100109107"),
        "first_registration_date": _f("first_registration_date", future),
    }
    validate_fields("business_registration", fields)
    assert fields["enterprise_code"].problems == ["enterprise_code: check digit of 0100109107 is wrong"]
    assert fields["first_registration_date"].problems == [
        f"first_registration_date: {future} is in the future"
    ]
    assert all(f.confidence <= 0.5 for f in fields.values())


def test_marriage_ids_agree_with_the_spouses() -> None:
    fields = {
        "husband_id": _f("husband_id", "001192001234"),  # a woman's ID digit
        "wife_id": _f("wife_id", "025123456"),  # an old 9-digit CMND is accepted
        "husband_date_of_birth": _f("husband_date_of_birth", "1992-09-02"),
    }
    validate_fields("marriage_certificate", fields)
    assert fields["husband_id"].problems and fields["wife_id"].valid
