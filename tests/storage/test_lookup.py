"""Reuse: a person's or a company's documents and known facts, every read recorded in the access log."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pipelines.errors import BadInputError
from pipelines.model import ArchiveRecord, SignatureInfo, Status
from storage import repository as repo
from storage.access_log import list_access
from storage.db.database import Database
from storage.lookup import lookup_org, lookup_person

PID = "001190012345"
CCCD = {"personal_id": PID, "full_name": "Nguyễn Thị Ánh", "date_of_birth": "1990-05-12", "sex": "female"}
OFFICER = "cán bộ Lê Văn Bình"


def test_lookup_person_lists_documents_facts_and_conflicts(database: Database, store_document) -> None:  # noqa: ANN001
    store_document("cccd-1", "citizen_id", CCCD, dossier_code="H31.01.05-240315-0042")
    store_document(
        "don-1",
        "application_form",
        {"applicant_id": PID, "applicant_name": "NGUYỄN THỊ ÁNH", "date_of_birth": "1990-05-21"},
    )
    signed_at = datetime(2024, 3, 15, 2, 30, tzinfo=UTC)
    archive = ArchiveRecord("sohoa-archive", "H31/cccd-1.pdf", "v-7", "c" * 64, None)
    with database.session() as s:
        repo.mark_archived(s, "cccd-1", archive, SignatureInfo("PAdES-BASELINE-B", signed_at, "UBND"))
    with database.session() as s:
        view = lookup_person(s, " 0011 9001 2345 ", actor=OFFICER, purpose="thủ tục cấp GCN")
    assert view.found and view.personal_id == PID
    assert (view.full_name, view.date_of_birth) == ("Nguyễn Thị Ánh", "1990-05-12")
    first = view.documents[0]  # signed first
    assert (first.document_id, first.role, first.doc_type, first.status) == (
        "cccd-1",
        "holder",
        "citizen_id",
        Status.ARCHIVED,
    )
    assert (first.dossier_code, first.archive_bucket, first.archive_key, first.archive_version_id) == (
        "H31.01.05-240315-0042",
        "sohoa-archive",
        "H31/cccd-1.pdf",
        "v-7",
    )
    assert first.signed and first.signed_at == signed_at
    assert [(d.document_id, d.role, d.signed) for d in view.documents[1:]] == [("don-1", "applicant", False)]
    assert view.conflicts == ["date_of_birth"]
    dob = sorted((f.value, f.document_id, f.conflicting) for f in view.facts if f.key == "date_of_birth")
    assert dob == [("1990-05-12", "cccd-1", True), ("1990-05-21", "don-1", True)]
    names = [f for f in view.facts if f.key == "full_name"]
    assert len(names) == 2 and not any(f.conflicting for f in names)
    plain = view.to_dict()
    assert json.loads(json.dumps(plain))["documents"][0]["signed_at"] == signed_at.isoformat()
    assert plain["documents"][0]["signed"] is True

    with database.session(readonly=True) as s:
        log = list_access(s, subject_kind="person")
    assert [(e.actor, e.action, e.subject_id, e.purpose) for e in log] == [
        (OFFICER, "lookup_person", PID, "thủ tục cấp GCN")
    ]
    assert log[0].at.tzinfo is not None and log[0].detail == {"found": True, "documents": 2}


def test_unknown_person_is_not_found_and_still_logged(database: Database) -> None:
    with database.session() as s:
        view = lookup_person(s, "079200000001", actor=OFFICER)
    assert not view.found and view.documents == [] and view.facts == []
    with database.session(readonly=True) as s:
        log = list_access(s, actor=OFFICER)
    assert [(e.action, e.subject_id, e.detail) for e in log] == [
        ("lookup_person", "079200000001", {"found": False, "documents": 0})
    ]
    with database.session() as s, pytest.raises(BadInputError):
        lookup_person(s, PID, actor=" ")


def test_lookup_org(database: Database, store_document) -> None:  # noqa: ANN001
    reg = {"enterprise_code": "0101234567", "company_name": "Công ty TNHH Hòa Bình"}
    store_document("dkdn-1", "business_registration", reg, dossier_code="H31.01.05-240316-0001")
    with database.session() as s:
        view = lookup_org(s, "0101234567", actor=OFFICER)
        missing = lookup_org(s, "0109999999", actor=OFFICER)
    assert view.found and view.name == "Công ty TNHH Hòa Bình"
    assert [(d.document_id, d.role, d.dossier_code) for d in view.documents] == [
        ("dkdn-1", "holder", "H31.01.05-240316-0001")
    ]
    assert [(f.key, f.value) for f in view.facts] == [("company_name", "Công ty TNHH Hòa Bình")]
    assert view.to_dict()["enterprise_code"] == "0101234567"
    assert not missing.found
    with database.session(readonly=True) as s:
        assert [e.subject_id for e in list_access(s, subject_kind="org")] == ["0109999999", "0101234567"]


def test_one_statement_reads_what_the_two_queries_read(database: Database, store_document) -> None:  # noqa: ANN001
    """PostgreSQL reads a person or a company, and records the read, in one statement: the same view, in the
    same order, and the same access-log row as the two queries SQLite runs."""
    if database.is_sqlite:
        pytest.skip("the single statement is PostgreSQL's (JSON aggregates, a data-modifying CTE)")
    from storage import lookup
    from storage.db.models import DocumentParty, Organisation, OrgFact, Person, PersonFact

    store_document("cccd-1", "citizen_id", CCCD, dossier_code="H31.01.05-240315-0042")
    store_document("ks-1", "birth_certificate", {**CCCD, "date_of_birth": "1990-05-21", "sex": "nữ"})
    store_document("don-1", "application_form", {"applicant_id": PID, "applicant_name": "Nguyễn Thị Ánh"})
    reg = {"enterprise_code": "0101234567", "company_name": "Công ty TNHH Hòa Bình"}
    store_document("dkdn-1", "business_registration", reg)
    signed_at = datetime(2024, 3, 15, 2, 30, 0, 123456, tzinfo=UTC)
    with database.session() as s:
        archive = ArchiveRecord("sohoa-archive", "H31/ks-1.pdf", "v-1", "c" * 64, None)
        repo.mark_archived(s, "ks-1", archive, SignatureInfo("PAdES-BASELINE-B", signed_at, "UBND"))
    person = {
        "owner": Person,
        "columns": (Person.id.label("owner_id"), Person.full_name, Person.date_of_birth),
        "link": DocumentParty.person_id,
        "fact_model": PersonFact,
        "fact_owner": PersonFact.person_id,
    }
    org = {
        "owner": Organisation,
        "columns": (Organisation.id.label("owner_id"), Organisation.name),
        "link": DocumentParty.org_id,
        "fact_model": OrgFact,
        "fact_owner": OrgFact.org_id,
    }
    asked = [
        ("person", PID, {**person, "key_column": Person.personal_id}),
        ("org", "0101234567", {**org, "key_column": Organisation.enterprise_code}),
        ("person", "079200000001", {**person, "key_column": Person.personal_id}),
    ]
    reads = {}
    for kind, key, how in asked:
        both = []
        for one in (True, False):
            with database.session() as s:
                both.append(
                    lookup._lookup(
                        s,
                        kind,
                        key,
                        actor=OFFICER,
                        purpose="đối chiếu",
                        one_statement=one,
                        **how,
                    )
                )
        assert both[0] == both[1]
        reads[key] = both[0]
    owner, documents, facts, conflicts = reads[PID]
    assert owner is not None and owner["full_name"] == "Nguyễn Thị Ánh"
    assert [d.document_id for d in documents] == ["ks-1", "don-1", "cccd-1"]  # signed first, then newest
    assert documents[0].signed_at == signed_at and conflicts == ["date_of_birth", "sex"]
    assert [d.document_id for d in reads["0101234567"][1]] == ["dkdn-1"]
    assert reads["079200000001"] == (None, [], [], [])
    with database.session(readonly=True) as s:
        log = [(e.actor, e.action, e.subject_id, e.purpose, e.detail) for e in list_access(s)]
    assert log == [
        (OFFICER, f"lookup_{kind}", key, "đối chiếu", {"found": found, "documents": n})
        for kind, key, found, n in (
            ("person", "079200000001", False, 0),
            ("org", "0101234567", True, 1),
            ("person", PID, True, 3),
        )
        for _ in (1, 2)
    ]
