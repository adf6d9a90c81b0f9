"""Batched writes (``storage.save_many.save_results``) leave the database exactly as saving and linking the
same documents one by one does: persons, organisations, facts, conflicts, links, fields and their history,
officer corrections. Concurrent batches never duplicate anything. Both backends."""

from __future__ import annotations

import threading
import unicodedata
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import psycopg
import pytest
import sqlalchemy as sa

from pipelines.model import DocumentResult, DossierInfo, Field, PageText, Status
from storage import repository as repo
from storage.db.database import Database
from storage.db.models import (
    Document,
    DocumentParty,
    FieldHistory,
    FieldValue,
    Organisation,
    OrgFact,
    Page,
    Person,
    PersonFact,
)
from storage.people import link_document
from storage.save_many import ToSave, save_results
from storage.search import search
from tests.fixtures.storage import PG_ADMIN_DSN

PID1, PID2, PID3 = "001190012345", "001085000111", "079192000222"
ANH = {"personal_id": PID1, "full_name": "NGUYỄN THỊ ÁNH", "date_of_birth": "1990-05-12", "sex": "female"}
CODE = "H31.01.05-240315-0042"


@pytest.fixture
def twin(db_url: str, tmp_path) -> Iterator[Database]:  # noqa: ANN001
    """A second, empty database on the same backend as ``database``."""
    url = sa.engine.make_url(db_url)
    schema = None
    if url.get_backend_name() == "sqlite":
        other = f"sqlite:///{tmp_path / 'twin' / 'sohoa.db'}"
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        dsn = PG_ADMIN_DSN.replace("dbname=test", f"dbname={url.database}")
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        other = db_url.split("?")[0] + f"?options=-csearch_path%3D{schema}"
    db = Database(other)
    db.migrate()
    try:
        yield db
    finally:
        db.dispose()
        if schema:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _item(doc_id: str, doc_type: str, fields: dict[str, str], **kw: object) -> ToSave:
    result = DocumentResult(
        id=doc_id,
        source=f"hồ sơ/{doc_id}.pdf",
        sha256=uuid.uuid5(uuid.NAMESPACE_URL, doc_id).hex * 2,
        dossier_code=CODE if kw.get("dossier") else None,
        status=kw.get("status", Status.REVIEW),  # type: ignore[arg-type]
        pages=1,
        doc_type=doc_type,
        doc_type_confidence=0.95,
        fields={k: Field(k, v, 0.9, page=0, bbox=(1, 2, 3, 4)) for k, v in fields.items()},
    )
    page = PageText(0, 2480, 3508, 300, "ocr", [], "\n".join(fields.values()), 0.9)
    dossier = DossierInfo(folder=CODE, code=CODE) if kw.get("dossier") else None
    return ToSave(result, [page], dossier=dossier)


STEP1 = [
    _item("don-1", "application_form", {"applicant_name": "Trần Thị Ánh", "date_of_birth": "1990-05-12"}),
    _item("cccd-1", "citizen_id", ANH, dossier=True),
    _item(
        "ks-1",
        "birth_certificate",
        {
            "personal_id": PID1,
            "full_name": "Nguyễn Thị Ánh",
            "date_of_birth": "1990-05-21",  # contradicts cccd-1 in the same batch
            "mother_name": "Trần Thị Bình",
            "father_name": "Nguyễn Văn Cường",
        },
        dossier=True,
    ),
    _item(
        "kh-1",
        "marriage_certificate",
        {
            "husband_name": "Lê Văn Đức",
            "husband_id": PID2,
            "husband_date_of_birth": "1985-01-01",
            "wife_name": "Nguyễn Thị Ánh",
            "wife_id": "12345",  # not valid: matched by name and birth date, to cccd-1's holder
            "wife_date_of_birth": "1990-05-12",
        },
    ),
    _item(
        "dkdn-1",
        "business_registration",
        {
            "enterprise_code": "0101234567",
            "company_name": "Công ty TNHH Hòa Bình",
            "legal_representative": "Lê Văn Bình",
        },
    ),
    _item("dkdn-2", "business_registration", {"enterprise_code": "12", "company_name": "Công ty Sai Mã"}),
    _item("qd-1", "decision", {"signer_name": "Phạm Văn Sơn", "subject": "Quyết định cấp phép"}),
    _item("fail-1", "citizen_id", {"personal_id": "001099999999"}, status=Status.FAILED),
]
STEP2 = [
    _item(
        "cccd-2",
        "citizen_id",
        {"personal_id": PID3, "full_name": "Trần Thị Ánh", "date_of_birth": "1990-05-12"},
    ),
    _item(
        "cccd-1", "citizen_id", {**{k: v for k, v in ANH.items() if k != "sex"}, "place_of_residence": "Huế"}
    ),
    _item(
        "dkdn-3", "business_registration", {"enterprise_code": "0101234567", "company_name": "Công ty Khác"}
    ),
]


def _one_by_one(db: Database, items: list[ToSave]) -> dict[str, list[str]]:
    out = {}
    for item in items:
        with db.session() as s:
            dossier_id = repo.upsert_dossier(s, item.dossier) if item.dossier else None
            repo.save_document(
                s,
                item.result,
                batch_id="b",
                dossier_id=dossier_id,
                pages=item.pages,
                original=None,
                derived_pdf=None,
            )
            linked = item.result.status not in (Status.FAILED, Status.QUARANTINED)
            out[item.result.id] = link_document(s, item.result.id) if linked else []
    return out


def _batched(db: Database, items: list[ToSave]) -> dict[str, list[str]]:
    return db.run(lambda s: save_results(s, items, batch_id="b"))


def _correct(db: Database) -> None:
    with db.session() as s:
        repo.set_field(s, "cccd-1", "full_name", "Nguyễn Thị Ánh", changed_by="cán bộ")


def _state(db: Database) -> dict[str, object]:
    with db.session(readonly=True) as s:
        people = {p.id: p.personal_id or p.name_key for p in s.scalars(sa.select(Person))}
        orgs = {o.id: o.enterprise_code for o in s.scalars(sa.select(Organisation))}
        return {
            "persons": sorted(
                (p.personal_id or "", p.name_key or "", p.full_name, p.date_of_birth)
                for p in s.scalars(sa.select(Person))
            ),
            "orgs": sorted((o.enterprise_code, o.name) for o in s.scalars(sa.select(Organisation))),
            "parties": sorted(
                (p.document_id, p.role, people.get(p.person_id), orgs.get(p.org_id), p.name)  # type: ignore[arg-type]
                for p in s.scalars(sa.select(DocumentParty))
            ),
            "facts": sorted(
                (people[f.person_id], f.key, f.value, f.value_key, f.document_id, f.field_key)
                for f in s.scalars(sa.select(PersonFact))
            ),
            "org_facts": sorted(
                (orgs[f.org_id], f.key, f.value, f.document_id) for f in s.scalars(sa.select(OrgFact))
            ),
            "fields": sorted(
                (f.document_id, f.key, f.value, f.source, f.confidence, tuple(f.bbox or ()))
                for f in s.scalars(sa.select(FieldValue))
            ),
            "history": sorted(
                (h.document_id, h.key, h.old_value or "", h.new_value or "", h.changed_by)
                for h in s.scalars(sa.select(FieldHistory))
            ),
            "pages": sorted((p.document_id, p.index, p.text) for p in s.scalars(sa.select(Page))),
            "documents": sorted(
                (d.id, d.status, d.doc_type, d.page_count, d.dossier.code if d.dossier else None, d.batch_id)
                for d in s.scalars(sa.select(Document))
            ),
        }


def test_batch_leaves_the_database_as_one_by_one(database: Database, twin: Database) -> None:
    first = _one_by_one(database, STEP1)
    assert _batched(twin, STEP1) == first
    assert first["kh-1"] == [
        "the wife's ID number is not valid: matched by name and birth date",
        "wife: date_of_birth differs from what is known (3 sources)",
    ]
    assert first["ks-1"] == ["holder: date_of_birth differs from what is known (2 sources)"]
    assert first["dkdn-2"] == ["the enterprise code is not valid: the company is not linked"]
    assert _state(twin) == _state(database)

    _correct(database)
    _correct(twin)
    second = _one_by_one(database, STEP2)
    assert _batched(twin, STEP2) == second
    assert second["dkdn-3"] == ["company: company_name differs from what is known (2 sources)"]
    state = _state(twin)
    assert state == _state(database)
    # The ID-less applicant of don-1 learnt her ID from cccd-2: one person, both documents.
    assert [p for p in state["parties"] if p[0] in ("don-1", "cccd-2")] == [  # type: ignore[union-attr]
        ("cccd-2", "holder", PID3, None, "Trần Thị Ánh"),
        ("don-1", "applicant", PID3, None, "Trần Thị Ánh"),
    ]
    # The officer's correction outlived the rerun; the lost field and the changed one have their history.
    assert [f[2:4] for f in state["fields"] if f[:2] == ("cccd-1", "full_name")] == [
        ("Nguyễn Thị Ánh", "officer")
    ]  # type: ignore[union-attr,index]
    assert ("cccd-1", "sex", "female", "", "pipeline") in state["history"]  # type: ignore[operator]


def test_batch_rerun_changes_nothing_and_search_sees_it(database: Database) -> None:
    assert _batched(database, STEP1)["cccd-1"] == []
    before = _state(database)
    _batched(database, STEP1)
    assert _state(database) == before
    with database.session(readonly=True) as s:
        hits = search(s, "tran thi binh")
    assert [(h.document_id, h.where) for h in hits] == [("ks-1", "field mother_name"), ("ks-1", "page 1")]


def test_concurrent_batches_create_no_duplicates(database: Database) -> None:
    workers = 4
    barrier = threading.Barrier(workers)
    with database.session() as s:
        repo.record_batch_start(s, "b", "/scans", datetime.now(UTC))

    def work(worker: int) -> None:
        barrier.wait()
        for round_ in range(3):
            items = []
            for n in range(8):
                # The same documents in every worker (a rerun on four machines) and documents of its own,
                # naming the same few persons (with and without ID) and the same company.
                for doc_id in (f"shared-{round_}-{n}", f"w{worker}-{round_}-{n}"):
                    if n % 3 == 0:
                        items.append(
                            _item(
                                doc_id,
                                "citizen_id",
                                {
                                    "personal_id": f"0011900{n:05d}",
                                    "full_name": f"Nguyễn Văn Đức {n}",
                                    "date_of_birth": "1990-01-01",
                                },
                            )
                        )
                    elif n % 3 == 1:
                        items.append(
                            _item(
                                doc_id,
                                "application_form",
                                {"applicant_name": f"Trần Thị Ánh {n}", "date_of_birth": "1990-05-12"},
                            )
                        )
                    else:
                        items.append(
                            _item(
                                doc_id,
                                "business_registration",
                                {"enterprise_code": "0101234567", "company_name": "Công ty TNHH Hòa Bình"},
                            )
                        )
            items.reverse() if worker % 2 else None  # noqa: B018 - another order in half the workers
            _batched(database, items)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(work, range(workers)))

    docs = 3 * 8 * (workers + 1)
    with database.session(readonly=True) as s:
        count = lambda model: s.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
        assert count(Document) == docs
        assert count(DocumentParty) == docs
        assert count(Organisation) == 1
        assert count(Person) == len({n for n in range(8) if n % 3 != 2})
        assert count(PersonFact) == 2 * len([n for n in range(8) if n % 3 != 2]) * 3 * (workers + 1)
        dup_fields = s.execute(
            sa.select(FieldValue.document_id, FieldValue.key)
            .group_by(FieldValue.document_id, FieldValue.key)
            .having(sa.func.count() > 1)
        ).all()
    assert dup_fields == []


def test_batched_text_is_stored_nfc(database: Database) -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    item = _item(
        "cccd-9", "citizen_id", {"personal_id": PID1, "full_name": nfd, "date_of_birth": "1990-05-12"}
    )
    item.result.review_reasons.append(unicodedata.normalize("NFD", "ảnh mờ"))
    _batched(database, [item])
    with database.session(readonly=True) as s:
        stored = [
            s.scalar(sa.select(FieldValue.value).where(FieldValue.key == "full_name")),
            s.scalar(sa.select(Person.full_name)),
            s.scalar(sa.select(PersonFact.value).where(PersonFact.key == "full_name")),
            s.scalar(sa.select(Page.text)).split("\n")[1],
            s.scalar(sa.select(Document.review_reasons))[0],
        ]
    assert stored == ["Nguyễn Thị Ánh"] * 4 + ["ảnh mờ"]
    assert all(unicodedata.is_normalized("NFC", x) for x in stored)


def test_run_retries_a_deadlocked_unit_of_work(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite writers take the database lock up front: they never deadlock")
    with database.session() as s:
        for batch_id in ("x", "y"):
            repo.record_batch_start(s, batch_id, "/scans", datetime.now(UTC))
    barrier = threading.Barrier(2)
    attempts = {"xy": 0, "yx": 0}

    def work(order: str) -> None:
        def unit(s: sa.orm.Session) -> None:
            attempts[order] += 1
            for i, batch_id in enumerate(order):
                s.execute(
                    sa.text("UPDATE batches SET source = :o WHERE id = :b"), {"o": order, "b": batch_id}
                )
                if i == 0 and attempts[order] == 1:
                    barrier.wait()  # both hold their first row: one of them is chosen as the deadlock victim

        database.run(unit)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(work, ("xy", "yx")))
    assert sorted(attempts.values()) == [1, 2], attempts
