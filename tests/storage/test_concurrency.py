"""Four workers writing at once never create duplicate persons, organisations, documents, fields or links
(unique constraints and INSERT ... ON CONFLICT, not checks in Python). Run on both backends."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import sqlalchemy as sa

from pipelines.model import DocumentResult, Field, PageText, Status
from storage import repository as repo
from storage.db.database import Database
from storage.db.models import Document, DocumentParty, FieldValue, Organisation, Person, PersonFact
from storage.people import link_document

WORKERS = 4
PERSONS = 6


def _doc(doc_id: str, n: int) -> tuple[DocumentResult, list[PageText]]:
    if n % 3 == 2:  # a company's registration, the same company for every worker
        doc_type = "business_registration"
        fields = {"enterprise_code": "0101234567", "company_name": "Công ty TNHH Hòa Bình"}
    elif n % 3 == 1:  # a form without ID: the person is known by name + birth date only
        doc_type = "application_form"
        fields = {"applicant_name": f"Trần Thị Ánh {n % PERSONS}", "date_of_birth": "1990-05-12"}
    else:
        doc_type = "citizen_id"
        fields = {
            "personal_id": f"0011900{n % PERSONS:05d}",
            "full_name": f"Nguyễn Văn Đức {n % PERSONS}",
            "date_of_birth": "1990-01-01",
        }
    result = DocumentResult(
        id=doc_id,
        source=f"{doc_id}.jpg",
        sha256="e" * 64,
        dossier_code=None,
        status=Status.REVIEW,
        pages=1,
        doc_type=doc_type,
        doc_type_confidence=0.9,
        fields={k: Field(k, v, 0.9) for k, v in fields.items()},
    )
    page = PageText(0, 100, 100, 300, "ocr", [], " ".join(fields.values()), 0.9)
    return result, [page]


def _count(db: Database, model: type) -> int:
    with db.session(readonly=True) as s:
        return s.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_concurrent_writers_create_no_duplicates(database: Database) -> None:
    barrier = threading.Barrier(WORKERS)
    with database.session() as s:
        repo.record_batch_start(s, "b", "/scans", datetime.now(UTC))

    def work(worker: int) -> None:
        barrier.wait()
        for n in range(12):
            # Every worker writes the same 12 documents (a batch rerun on 4 machines at once) and 12 of its own.
            for doc_id in (f"shared-{n}", f"w{worker}-{n}"):
                result, pages = _doc(doc_id, n)
                with database.session() as s:
                    repo.save_document(
                        s, result, batch_id="b", dossier_id=None, pages=pages, original=None, derived_pdf=None
                    )
                    link_document(s, doc_id)

    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(work, range(WORKERS)))

    docs = 12 * (WORKERS + 1)
    assert _count(database, Document) == docs
    assert _count(database, Organisation) == 1
    with_id = len({n % PERSONS for n in range(12) if n % 3 == 0})
    id_less = len({n % PERSONS for n in range(12) if n % 3 == 1})
    assert _count(database, Person) == with_id + id_less
    assert _count(database, DocumentParty) == docs
    with database.session(readonly=True) as s:
        per_doc_key = s.execute(
            sa.select(FieldValue.document_id, FieldValue.key, sa.func.count())
            .group_by(FieldValue.document_id, FieldValue.key)
            .having(sa.func.count() > 1)
        ).all()
        people_ids = s.scalars(sa.select(Person.personal_id).where(Person.personal_id.is_not(None))).all()
        facts = s.scalar(sa.select(sa.func.count()).select_from(PersonFact))
    assert per_doc_key == []
    assert len(people_ids) == len(set(people_ids))
    # citizen_id docs carry 2 facts (name, birth date) and forms 2 (name, birth date).
    assert facts == 2 * (docs - docs // 3)
