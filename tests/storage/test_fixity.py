"""Fixity: archived objects re-read and compared with the database and the package manifest; history kept."""

from __future__ import annotations

from storage.db.database import Database
from storage.db.models import Document
from storage.fixity import check_fixity, failed_checks, fixity_history
from storage.objects import ObjectStore
from storage.package import build_dossier_package
from tests.storage.archive_data import Doc, archive_dossier

CODE = "H31.01.05-250311-0007"
DOCS = [
    Doc("citizen_id", {"full_name": "Nguyễn Thị Ánh", "issue_date": "2021-04-01"}),
    Doc("birth_certificate", {"full_name": "Trần Văn Bình", "registration_date": "2019-06-02"}),
    Doc("decision", {"document_number": "7/QĐ-UBND", "issue_date": "2025-03-11"}),
]


def test_intact_archive_passes_and_history_is_kept(database: Database, object_store: ObjectStore) -> None:
    dossier_id, ids = archive_dossier(database, object_store, CODE, DOCS)
    with database.session() as s:
        build_dossier_package(s, object_store, dossier_id)
    first = check_fixity(database, object_store)
    assert first.ok and first.checked == 4  # three documents and the package
    assert first.bytes_read > 0 and not first.mismatches and not first.missing
    check_fixity(database, object_store)
    with database.session(readonly=True) as s:
        history = fixity_history(s, ids[0])
        assert [h.outcome for h in history] == ["ok", "ok"]
        assert history[0].actual_sha256 == history[0].expected_sha256 == history[0].manifest_sha256
        assert history[0].run_id != history[1].run_id


def test_mismatch_and_missing_objects_are_reported(database: Database, object_store: ObjectStore) -> None:
    dossier_id, ids = archive_dossier(database, object_store, CODE, DOCS)
    with database.session() as s:
        build_dossier_package(s, object_store, dossier_id)
        # The record of document 2 says other bytes; document 3 points at a version that does not exist.
        s.get(Document, ids[1]).archive_sha256 = "f" * 64  # type: ignore[union-attr]
        s.get(Document, ids[2]).archive_key = f"{CODE}/{CODE}.099.pdf"  # type: ignore[union-attr]
    report = check_fixity(database, object_store)
    assert not report.ok
    assert [r.target.document_id for r in report.mismatches] == [ids[1]]
    assert "database record" in (report.mismatches[0].detail or "")
    assert "package manifest" not in (report.mismatches[0].detail or "")  # the bytes still match the manifest
    assert [r.target.document_id for r in report.missing] == [ids[2]]
    summary = report.summary()
    assert summary["mismatch"] == 1 and summary["missing"] == 1 and len(summary["problems"]) == 2  # type: ignore[arg-type]
    with database.session(readonly=True) as s:
        assert {c.document_id for c in failed_checks(s, report.run_id)} == {ids[1], ids[2]}


def test_bytes_that_differ_from_the_manifest_are_caught(
    database: Database, object_store: ObjectStore
) -> None:
    """A later version written under the same key (what a writer with the rights could do) is not what the
    package says: the row pointing at the new version disagrees with the manifest."""
    dossier_id, ids = archive_dossier(database, object_store, CODE, DOCS[:1])
    with database.session() as s:
        build_dossier_package(s, object_store, dossier_id)
    other = object_store.put_archive(f"{CODE}/{CODE}.001.pdf", b"%PDF another copy", retention_days=1)
    with database.session() as s:
        d = s.get(Document, ids[0])
        assert d is not None
        d.archive_version_id, d.archive_sha256 = other.version_id, other.sha256
    report = check_fixity(database, object_store)
    assert [r.target.document_id for r in report.mismatches] == [ids[0]]
    assert report.mismatches[0].detail == "the stored bytes differ from the package manifest"


def test_limit_checks_the_least_recently_checked_first(database: Database, object_store: ObjectStore) -> None:
    _, ids = archive_dossier(database, object_store, CODE, DOCS)
    seen: list[str | None] = []
    for _ in range(3):
        report = check_fixity(database, object_store, limit=1)
        assert report.checked == 1 and report.ok
        seen.append(report.results[0].target.document_id)
    assert sorted(seen) == sorted(ids)  # type: ignore[type-var]
