"""Saving and loading pipeline results in the shared database (SQLite and PostgreSQL)."""

from __future__ import annotations

import socket
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from pipelines.errors import NotFoundError, StorageError
from pipelines.model import (
    ArchiveRecord,
    DocumentResult,
    DossierInfo,
    Field,
    PageText,
    SignatureInfo,
    Status,
    StoredObject,
)
from storage import repository as repo
from storage.db.database import Database
from storage.db.models import Batch, Document, Dossier, FieldHistory, FieldValue, Page

NAME = "Nguyễn Thị Ánh"
NAME_NFD = unicodedata.normalize("NFD", NAME)
ICT = timezone(timedelta(hours=7))


def _pages(n: int = 2) -> list[PageText]:
    return [
        PageText(
            index=i,
            width=2480,
            height=3508,
            dpi=300,
            source="ocr",
            words=[],
            text=f"Quyết định số {i}\nNguyễn Thị Ánh",
            mean_confidence=0.93,
            notes=["đã xoay 90°"],
        )
        for i in range(n)
    ]


def _result(**overrides: object) -> DocumentResult:
    values: dict[str, object] = {
        "id": "doc-0001",
        "source": "hồ sơ 7/cccd.jpg",
        "sha256": "a" * 64,
        "dossier_code": "H31.01.05-240315-0042",
        "status": Status.REVIEW,
        "pages": 2,
        "doc_type": "citizen_id",
        "doc_type_confidence": 0.97,
        "fields": {
            "full_name": Field(
                "full_name", NAME_NFD, 0.91, raw="NGUYỄN THỊ ÁNH", page=0, bbox=(10, 20, 300, 60)
            ),
            "personal_id": Field("personal_id", "001203001234", 0.98, page=0, bbox=(5, 5, 50, 20)),
            "place_of_origin": Field(
                "place_of_origin", "Xã Hòa Bình, Huyện Đông Hòa", 0.6, problems=["khó đọc"]
            ),
        },
        "review_reasons": ["trường place_of_origin có độ tin cậy thấp"],
        "to_rescan": [],
    }
    values.update(overrides)
    return DocumentResult(**values)  # type: ignore[arg-type]


ORIGINAL = StoredObject("sohoa-originals", "sha256/aa/" + "a" * 64, "v1", "a" * 64, 1234)
DERIVED = StoredObject("sohoa-derived", "doc-0001.pdf", None, "b" * 64, 4321)


def _save(db: Database, result: DocumentResult, batch_id: str = "batch-1") -> None:
    with db.session() as s:
        repo.record_batch_start(s, batch_id, "/scans/đợt 1", datetime.now(UTC))
        dossier_id = repo.upsert_dossier(
            s, DossierInfo(folder="hồ sơ 7", code=result.dossier_code, applicant_name=NAME_NFD)
        )
        repo.save_document(
            s,
            result,
            batch_id=batch_id,
            dossier_id=dossier_id,
            pages=_pages(),
            original=ORIGINAL,
            derived_pdf=DERIVED,
        )


def _count(db: Database, model: type) -> int:
    with db.session(readonly=True) as s:
        return s.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_save_twice_does_not_duplicate_rows(database: Database) -> None:
    _save(database, _result())
    _save(database, _result(), batch_id="batch-2")
    assert _count(database, Document) == 1
    assert _count(database, Dossier) == 1
    assert _count(database, Page) == 2
    assert _count(database, FieldValue) == 3
    assert _count(database, FieldHistory) == 0  # same values: nothing changed
    assert _count(database, Batch) == 2
    with database.session(readonly=True) as s:
        assert s.get(Document, "doc-0001").batch_id == "batch-2"


def test_load_result_round_trip_in_nfc(database: Database) -> None:
    _save(database, _result())
    with database.session(readonly=True) as s:
        got = repo.load_result(s, "doc-0001")
        page = s.scalars(sa.select(Page).order_by(Page.index)).first()
        dossier = s.scalars(sa.select(Dossier)).one()
    assert got is not None
    assert got.status is Status.REVIEW
    assert got.source == "hồ sơ 7/cccd.jpg"
    assert got.dossier_code == "H31.01.05-240315-0042"
    assert got.pages == 2 and got.doc_type == "citizen_id" and got.doc_type_confidence == pytest.approx(0.97)
    name = got.fields["full_name"]
    assert name.value == NAME and unicodedata.is_normalized("NFC", name.value)
    assert name.raw == "NGUYỄN THỊ ÁNH" and name.page == 0 and name.bbox == (10, 20, 300, 60)
    assert got.fields["place_of_origin"].problems == ["khó đọc"]
    assert got.review_reasons == ["trường place_of_origin có độ tin cậy thấp"]
    assert got.archive is None and got.signature is None
    assert page.text.startswith("Quyết định số 0") and page.notes == ["đã xoay 90°"]
    assert dossier.applicant_name == NAME
    with database.session(readonly=True) as s:
        assert repo.load_result(s, "no-such-document") is None


def test_rerun_with_changed_value_keeps_history_and_removes_lost_fields(database: Database) -> None:
    _save(database, _result())
    changed = _result()
    changed.fields["personal_id"] = Field("personal_id", "001203009999", 0.99)
    del changed.fields["place_of_origin"]
    _save(database, changed, batch_id="batch-2")
    with database.session(readonly=True) as s:
        got = repo.load_result(s, "doc-0001")
        history = repo.field_history(s, "doc-0001")
    assert got is not None
    assert got.fields["personal_id"].value == "001203009999"
    assert "place_of_origin" not in got.fields
    assert {(h.key, h.old_value, h.new_value) for h in history} == {
        ("personal_id", "001203001234", "001203009999"),
        ("place_of_origin", "Xã Hòa Bình, Huyện Đông Hòa", None),
    }
    assert {h.changed_by for h in history} == {"pipeline"}


def test_set_field_writes_history_and_survives_rerun(database: Database) -> None:
    _save(database, _result())
    with database.session() as s:
        repo.set_field(
            s,
            "doc-0001",
            "full_name",
            "Nguyễn Thị Ánh Hồng",
            changed_by="cán bộ Lê Văn Bình",
            reason="sai tên",
        )
        repo.set_field(s, "doc-0001", "sex", "female", changed_by="cán bộ Lê Văn Bình")
    _save(database, _result(), batch_id="batch-2")  # a rerun must not undo the officer's work
    with database.session(readonly=True) as s:
        got = repo.load_result(s, "doc-0001")
        history = repo.field_history(s, "doc-0001")
    assert got is not None
    name = got.fields["full_name"]
    assert (name.value, name.source, name.confidence, name.problems) == (
        "Nguyễn Thị Ánh Hồng",
        "officer",
        1.0,
        [],
    )
    assert got.fields["sex"].value == "female"
    assert [(h.key, h.old_value, h.new_value, h.reason) for h in history] == [
        ("full_name", NAME, "Nguyễn Thị Ánh Hồng", "sai tên"),
        ("sex", None, "female", None),
    ]
    assert history[0].changed_by == "cán bộ Lê Văn Bình"
    assert history[0].changed_at.tzinfo is not None
    with database.session() as s, pytest.raises(NotFoundError):
        repo.set_field(s, "no-such-document", "full_name", "x", changed_by="someone")


def test_mark_archived_and_list_documents(database: Database) -> None:
    _save(database, _result())
    signed_at = datetime(2024, 3, 15, 9, 30, tzinfo=ICT)
    retain = datetime(2034, 3, 15, 2, 30, tzinfo=UTC)
    archive = ArchiveRecord("sohoa-archive", "H31/doc-0001.pdf", "ver-1", "c" * 64, retain)
    signature = SignatureInfo("PAdES-BASELINE-B", signed_at, "Trung tâm Phục vụ hành chính công")
    with database.session() as s:
        repo.mark_archived(s, "doc-0001", archive, signature)
    _save(database, _result(status=Status.REVIEW), batch_id="batch-2")  # archive pointer is not forgotten
    with database.session(readonly=True) as s:
        got = repo.load_result(s, "doc-0001")
        reviews = repo.list_documents(s, status="review")
        archived = repo.list_documents(s, status=Status.ARCHIVED)
        derived = repo.get_derived_pdf(s, "doc-0001")
        assert repo.get_derived_pdf(s, "unknown") is None
        original = repo.get_original(s, "doc-0001")
    assert got is not None and got.archive == archive
    assert got.signature is not None and got.signature.signed_at == signed_at
    assert got.signature.signer == "Trung tâm Phục vụ hành chính công"
    assert [r.id for r in reviews] == ["doc-0001"] and archived == []
    assert derived == DERIVED and original == ORIGINAL
    with database.session(readonly=True) as s:
        match = repo.find_archived_by_sha256(s, "C" * 64)
        assert repo.find_archived_by_sha256(s, "d" * 64) is None
    assert match is not None
    assert (match["document_id"], match["key"], match["version_id"]) == (
        "doc-0001",
        "H31/doc-0001.pdf",
        "ver-1",
    )
    assert match["dossier_code"] == "H31.01.05-240315-0042" and match["signer"] == signature.signer
    with database.session() as s:
        repo.mark_archived(s, "doc-0001", archive, signature)
        assert [r.status for r in repo.list_documents(s)] == [Status.ARCHIVED]
        with pytest.raises(NotFoundError):
            repo.mark_archived(s, "unknown", archive, signature)


def test_a_rescan_sets_aside_the_document_it_replaces(database: Database) -> None:
    """Never archived: set aside as soon as its rescan is saved (by save_document or in a batch), the chain of
    rescans included; archived: only once the rescan is archived in its place. A rerun without ``replaces``
    keeps it."""
    from storage.save_many import ToSave, save_results

    _save(database, _result(id="scan-1"))
    _save(database, _result(id="scan-2", replaces="scan-1"))
    _save(database, _result(id="scan-2"), batch_id="batch-2")  # a rerun that does not say it
    with database.session() as s:
        save_results(s, [ToSave(_result(id="scan-3", replaces="scan-2"), _pages())], batch_id="b", link=False)
    _save(database, _result(id="signed-1"))
    signature = SignatureInfo("PAdES-BASELINE-B", datetime.now(UTC), "Trung tâm Phục vụ hành chính công")
    with database.session() as s:
        repo.mark_archived(
            s, "signed-1", ArchiveRecord("a", "H31/signed-1.pdf", "v1", "c" * 64, None), signature
        )
    _save(database, _result(id="signed-2", replaces="signed-1"))

    def states() -> dict[str, tuple[str, str | None, str | None]]:
        with database.session(readonly=True) as s:
            return {d.id: (d.status, d.replaces, d.replaced_by) for d in s.scalars(sa.select(Document))}

    assert states() == {
        "scan-1": ("superseded", None, "scan-2"),
        "scan-2": ("superseded", "scan-1", "scan-3"),
        "scan-3": ("review", "scan-2", None),
        "signed-1": ("archived", None, None),
        "signed-2": ("review", "signed-1", None),
    }
    with database.session() as s:
        repo.mark_archived(
            s, "signed-2", ArchiveRecord("a", "H31/signed-2.pdf", "v1", "d" * 64, None), signature
        )
    assert states()["signed-1"] == ("superseded", None, "signed-2")


def test_dossier_keyed_by_code_else_folder(database: Database) -> None:
    with database.session() as s:
        by_folder = repo.upsert_dossier(s, DossierInfo(folder="hồ sơ 8"))
        again = repo.upsert_dossier(s, DossierInfo(folder="hồ sơ 8", title="Đăng ký khai sinh"))
        adopted = repo.upsert_dossier(
            s, DossierInfo(folder="hồ sơ 8", code="H31.01-0043", due_date="2024-04-01")
        )
        moved = repo.upsert_dossier(s, DossierInfo(folder="hồ sơ 8 (bản quét lại)", code="H31.01-0043"))
        other = repo.upsert_dossier(s, DossierInfo(folder="hồ sơ 9", received_date="15/03/2024"))
        dossiers = {d.id: d for d in s.scalars(sa.select(Dossier))}
    assert by_folder == again == adopted == moved != other
    d = dossiers[by_folder]
    assert (d.code, d.title, d.folder, str(d.due_date)) == (
        "H31.01-0043",
        "Đăng ký khai sinh",
        "hồ sơ 8 (bản quét lại)",
        "2024-04-01",
    )
    assert dossiers[other].received_date is None  # not an ISO date: not stored
    assert len(dossiers) == 2


def test_batch_start_and_end(database: Database) -> None:
    started = datetime(2024, 3, 15, 8, 0, tzinfo=ICT)
    with database.session() as s:
        repo.record_batch_start(s, "batch-9", "/scans/Quyết định", started)
        repo.record_batch_end(s, "batch-9", started + timedelta(minutes=5), {"documents": 3, "archived": 3})
    with database.session(readonly=True) as s:
        b = s.get(Batch, "batch-9")
        assert b.started_at == started and b.finished_at == started + timedelta(minutes=5)
        assert b.summary == {"documents": 3, "archived": 3} and b.source == "/scans/Quyết định"
    with database.session() as s, pytest.raises(NotFoundError):
        repo.record_batch_end(s, "never-started", started, {})


def test_session_rolls_back_on_error(database: Database) -> None:
    with pytest.raises(RuntimeError), database.session() as s:
        repo.record_batch_start(s, "batch-x", "/x", datetime.now(UTC))
        raise RuntimeError("boom")
    assert _count(database, Batch) == 0


def test_parallel_workers_create_one_dossier(database: Database) -> None:
    """Documents of one dossier are processed in parallel; each upserts the dossier."""
    barrier = threading.Barrier(4)

    def work(i: int) -> str:
        barrier.wait()
        with database.session() as s:
            return repo.upsert_dossier(
                s, DossierInfo(folder="hồ sơ 10", code="H31.01-0100", title=f"lần {i}")
            )

    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(work, range(4)))
    assert len(set(ids)) == 1
    assert _count(database, Dossier) == 1


def test_unreachable_database_gives_a_clear_storage_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    db = Database(f"postgresql+psycopg://sohoa:secret@127.0.0.1:{port}/sohoa")
    try:
        with pytest.raises(StorageError) as err:
            db.migrate()
    finally:
        db.dispose()
    assert str(err.value).startswith(
        f"the database at postgresql+psycopg://sohoa:***@127.0.0.1:{port}/sohoa is"
    )
    assert "secret" not in str(err.value)
