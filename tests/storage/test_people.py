"""Identity resolution: documents naming the same person or company are linked to one record; conflicting
facts are kept side by side; reruns change nothing."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from storage.db.database import Database
from storage.db.models import DocumentParty, Organisation, OrgFact, Person, PersonFact
from storage.people import link_document, name_key

PID = "001190012345"
CCCD = {
    "personal_id": PID,
    "full_name": "NGUYỄN THỊ ÁNH",
    "date_of_birth": "1990-05-12",
    "sex": "female",
    "place_of_residence": "Số 5 phố Huế, Hai Bà Trưng, Hà Nội",
}


def _count(db: Database, model: type, *where: object) -> int:
    with db.session(readonly=True) as s:
        return s.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


def _parties(db: Database, doc_id: str) -> dict[str, tuple[int | None, int | None, str | None]]:
    with db.session(readonly=True) as s:
        rows = s.scalars(sa.select(DocumentParty).where(DocumentParty.document_id == doc_id))
        return {p.role: (p.person_id, p.org_id, p.name) for p in rows}


def test_name_key_folds_case_diacritics_and_spaces() -> None:
    assert name_key("NGUYỄN  THỊ ÁNH", "1990-05-12") == "nguyen thi anh|1990-05-12"
    assert name_key("Đặng Văn Đức", "1990-05-12") == "dang van duc|1990-05-12"
    assert name_key("Nguyễn Thị Ánh", "12/05/1990") is None
    assert name_key(None, "1990-05-12") is None


def test_documents_with_the_same_id_link_to_one_person(database: Database, store_document) -> None:  # noqa: ANN001
    assert store_document("cccd-1", "citizen_id", CCCD) == []
    assert store_document("cccd-1", "citizen_id", CCCD) == []  # a rerun: idempotent
    birth = {
        "personal_id": PID,
        "full_name": "Nguyễn Thị Ánh",
        "date_of_birth": "1990-05-12",
        "mother_name": "Trần Thị Bình",
        "father_name": "Nguyễn Văn Cường",
    }
    assert store_document("ks-1", "birth_certificate", birth) == []
    assert _count(database, Person) == 1
    parties = _parties(database, "ks-1")
    holder = _parties(database, "cccd-1")["holder"][0]
    assert parties["holder"][0] == holder is not None
    # A parent named without ID or birth date is linked by name only: never guessed to be someone.
    assert parties["mother"] == (None, None, "Trần Thị Bình")
    assert parties["father"] == (None, None, "Nguyễn Văn Cường")
    assert _count(database, PersonFact, PersonFact.document_id == "cccd-1") == 4
    assert _count(database, DocumentParty) == 4


def test_conflicting_birth_dates_are_kept_side_by_side_and_reported(
    database: Database,
    store_document,  # noqa: ANN001
) -> None:
    store_document("cccd-1", "citizen_id", CCCD)
    form = {"applicant_id": PID, "applicant_name": "Nguyễn Thị Ánh", "date_of_birth": "1990-05-21"}
    mismatches = store_document("don-1", "application_form", form)
    assert mismatches == ["applicant: date_of_birth differs from what is known (2 sources)"]
    with database.session(readonly=True) as s:
        dobs = s.execute(
            sa.select(PersonFact.value, PersonFact.document_id).where(PersonFact.key == "date_of_birth")
        ).all()
    assert sorted(dobs) == [("1990-05-12", "cccd-1"), ("1990-05-21", "don-1")]
    # Names differing only in case and diacritics' encoding are the same fact.
    assert "full_name" not in " ".join(mismatches)
    # The officer corrects the form: the conflict goes away on relinking.
    form["date_of_birth"] = "1990-05-12"
    assert store_document("don-1", "application_form", form) == []
    assert _count(database, PersonFact, PersonFact.key == "date_of_birth") == 2


def test_person_without_id_is_found_by_name_and_birth_date(database: Database, store_document) -> None:  # noqa: ANN001
    form = {"applicant_name": "nguyen thi anh", "date_of_birth": "1990-05-12", "address": "Hà Nội"}
    store_document("don-0", "application_form", form)  # first seen without ID: an unidentified person
    with database.session(readonly=True) as s:
        person = s.scalars(sa.select(Person)).one()
    assert person.personal_id is None and person.name_key == "nguyen thi anh|1990-05-12"
    # The ID card arrives: the same person learns their ID (no second record).
    store_document("cccd-1", "citizen_id", CCCD)
    # Another ID-less form with the name written with diacritics links to them too.
    form2 = {"applicant_name": "Nguyễn Thị Ánh", "date_of_birth": "1990-05-12"}
    store_document("don-2", "application_form", form2)
    with database.session(readonly=True) as s:
        persons = s.scalars(sa.select(Person)).all()
    assert [(p.id, p.personal_id) for p in persons] == [(person.id, PID)]
    assert {r[0] for r in (_parties(database, d)["applicant"] for d in ("don-0", "don-2"))} == {person.id}


def test_invalid_id_number_falls_back_to_name_and_birth_date(database: Database, store_document) -> None:  # noqa: ANN001
    store_document("cccd-1", "citizen_id", CCCD)
    form = {"applicant_id": "00119001234", "applicant_name": "Nguyễn Thị Ánh", "date_of_birth": "1990-05-12"}
    assert store_document("don-1", "application_form", form) == [
        "the applicant's ID number is not valid: matched by name and birth date"
    ]
    assert _parties(database, "don-1")["applicant"][0] == _parties(database, "cccd-1")["holder"][0]
    assert _count(database, Person) == 1


def test_same_name_and_birth_date_of_two_known_persons_is_not_guessed(
    database: Database,
    store_document,  # noqa: ANN001
) -> None:
    store_document("cccd-1", "citizen_id", CCCD)
    store_document("cccd-2", "citizen_id", {**CCCD, "personal_id": "001190099999"})
    form = {"applicant_name": "Nguyễn Thị Ánh", "date_of_birth": "1990-05-12"}
    assert store_document("don-1", "application_form", form) == [
        "the applicant has the name and birth date of several known persons: not linked"
    ]
    assert _parties(database, "don-1")["applicant"] == (None, None, "Nguyễn Thị Ánh")


def test_marriage_links_husband_and_wife(database: Database, store_document) -> None:  # noqa: ANN001
    store_document("cccd-1", "citizen_id", CCCD)
    marriage = {
        "husband_name": "Lê Văn Bình",
        "husband_id": "001088054321",
        "husband_date_of_birth": "1988-02-01",
        "wife_name": "Nguyễn Thị Ánh",
        "wife_id": PID,
        "wife_date_of_birth": "1990-05-12",
        "registration_number": "12",
    }
    assert store_document("kh-1", "marriage_certificate", marriage) == []
    parties = _parties(database, "kh-1")
    assert parties["wife"][0] == _parties(database, "cccd-1")["holder"][0]
    assert parties["husband"][0] not in (None, parties["wife"][0])
    assert _count(database, Person) == 2


def test_business_registration_links_the_company(database: Database, store_document) -> None:  # noqa: ANN001
    reg = {
        "enterprise_code": "0101234567",
        "company_name": "Công ty TNHH Hòa Bình",
        "legal_representative": "Trần Văn Đức",
        "head_office_address": "Số 1 Tràng Tiền, Hà Nội",
    }
    assert store_document("dkdn-1", "business_registration", reg) == []
    reg2 = {**reg, "head_office_address": "Số 9 Lý Thái Tổ, Hà Nội"}
    assert store_document("dkdn-2", "business_registration", reg2) == [
        "company: head_office_address differs from what is known (2 sources)"
    ]
    with database.session(readonly=True) as s:
        org = s.scalars(sa.select(Organisation)).one()
    assert (org.enterprise_code, org.name) == ("0101234567", "Công ty TNHH Hòa Bình")
    assert _parties(database, "dkdn-2")["holder"] == (None, org.id, "Công ty TNHH Hòa Bình")
    assert _parties(database, "dkdn-2")["legal_representative"] == (None, None, "Trần Văn Đức")
    assert _count(database, OrgFact, OrgFact.key == "head_office_address") == 2


def test_untyped_document_has_no_parties_and_relinking_clears_old_links(
    database: Database,
    store_document,  # noqa: ANN001
) -> None:
    store_document("x-1", "citizen_id", CCCD)
    assert _count(database, DocumentParty) == 1
    store_document("x-1", "other", CCCD)  # reclassified: its old links and facts go
    assert _count(database, DocumentParty) == 0 and _count(database, PersonFact) == 0


def test_no_id_number_or_name_in_logs(database: Database, store_document, caplog) -> None:  # noqa: ANN001
    caplog.set_level(logging.DEBUG)
    store_document("cccd-1", "citizen_id", CCCD)
    store_document("don-1", "application_form", {"applicant_id": PID, "date_of_birth": "1991-01-01"})
    with database.session() as s:
        link_document(s, "don-1")
    text = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert PID not in text and "Ánh" not in text and "ÁNH" not in text
