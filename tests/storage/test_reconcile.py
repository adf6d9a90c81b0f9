"""Reconciling the database with object storage: find both kinds of orphans, repair only what is safe."""

from __future__ import annotations

from storage.db.database import Database
from storage.db.models import Document
from storage.objects import ObjectStore
from storage.reconcile import reconcile
from tests.storage.archive_data import Doc, archive_dossier

CODE = "H31.01.05-250312-0015"
DOCS = [
    Doc("marriage_certificate", {"husband_name": "Lê Văn Cường", "wife_name": "Phạm Thị Hòa"}),
    Doc("decision", {"document_number": "3/QĐ-UBND"}),
]


def test_consistent_archive_has_nothing_to_report(database: Database, object_store: ObjectStore) -> None:
    archive_dossier(database, object_store, CODE, DOCS)
    report = reconcile(database, object_store, repair=False)
    assert report.consistent and report.objects_seen == 2 and report.rows_seen == 2


def test_lost_archive_location_is_recorded_again_from_object_metadata(
    database: Database, object_store: ObjectStore
) -> None:
    """A run that died after the upload and before the database write: the row has no archive location."""
    _, ids = archive_dossier(database, object_store, CODE, DOCS)
    with database.session() as s:
        d = s.get(Document, ids[0])
        assert d is not None
        expected = (d.archive_key, d.archive_version_id, d.archive_sha256, d.signer)
        d.archive_bucket = d.archive_key = d.archive_version_id = d.archive_sha256 = None
        d.archive_retain_until, d.status, d.sequence = None, "review", None

    dry = reconcile(database, object_store, repair=False)
    assert [(i.kind, i.document_id, i.repaired) for i in dry.issues] == [
        ("object_without_row", ids[0], False)
    ]
    with database.session(readonly=True) as s:
        assert s.get(Document, ids[0]).archive_key is None  # type: ignore[union-attr]

    fixed = reconcile(database, object_store, repair=True)
    assert [i.document_id for i in fixed.repaired] == [ids[0]] and not fixed.unresolved
    with database.session(readonly=True) as s:
        d = s.get(Document, ids[0])
        assert d is not None
        assert (d.archive_key, d.archive_version_id, d.archive_sha256, d.signer) == expected
        assert d.status == "archived" and d.sequence == 1 and d.archive_retain_until is not None
    assert reconcile(database, object_store, repair=False).consistent


def test_unknown_objects_and_missing_objects_are_reported_not_repaired(
    database: Database, object_store: ObjectStore
) -> None:
    _, ids = archive_dossier(database, object_store, CODE, DOCS)
    stray = object_store.put_archive(
        "lạc/không-rõ.pdf", b"%PDF stray", retention_days=1, metadata={"sohoa-document-id": "không-có"}
    )
    with database.session() as s:
        d = s.get(Document, ids[1])
        assert d is not None
        d.archive_key = f"{CODE}/{CODE}.777.pdf"
    report = reconcile(database, object_store, repair=True)
    kinds = {(i.kind, i.key): i for i in report.issues}
    assert not report.repaired
    assert kinds[("object_without_row", stray.key)].detail == "no document in the database has this id"
    assert ("object_without_row", f"{CODE}/{CODE}.002.pdf") in kinds  # the real object, now unreferenced
    missing = kinds[("row_without_object", f"{CODE}/{CODE}.777.pdf")]
    assert missing.document_id == ids[1] and "restore" in missing.detail


def test_wrong_version_id_is_corrected_when_the_same_bytes_are_there(
    database: Database, object_store: ObjectStore
) -> None:
    _, ids = archive_dossier(database, object_store, CODE, DOCS[:1])
    with database.session() as s:
        d = s.get(Document, ids[0])
        assert d is not None
        right, d.archive_version_id = d.archive_version_id, "no-such-version"
    report = reconcile(database, object_store, repair=True)
    assert [(i.kind, i.repaired) for i in report.issues if i.kind == "row_without_object"] == [
        ("row_without_object", True)
    ]
    with database.session(readonly=True) as s:
        assert s.get(Document, ids[0]).archive_version_id == right  # type: ignore[union-attr]
