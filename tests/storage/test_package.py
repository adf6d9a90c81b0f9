"""Archive packages: a BagIt bag per dossier in the archive bucket, validated by the bagit library."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import bagit
import pytest

from pipelines.errors import BadInputError, IntegrityError
from storage.db.database import Database
from storage.db.models import Document
from storage.objects import ObjectStore
from storage.package import build_dossier_package, latest_package, validate_package, validate_package_bytes
from tests.storage.archive_data import Doc, archive_dossier, signed_pdf

CODE = "H31.01.05-250310-0042"
DOCS = [
    Doc(
        "application_form",
        {
            "applicant_name": "Nguyễn Thị Ánh",
            "request": "Cấp giấy phép xây dựng nhà ở",
            "signed_date": "2025-03-10",
            "addressee": "UBND xã Hòa Bình",
        },
    ),
    Doc(
        "decision",
        {
            "document_number": "12/QĐ-UBND",
            "issuing_body": "UBND xã Hòa Bình",
            "issue_date": "2025-03-14",
            "subject": "Về việc cấp giấy phép xây dựng",
        },
        pages=2,
    ),
]


def test_package_holds_every_signed_copy_and_the_tt05_metadata(
    database: Database,
    object_store: ObjectStore,
    tmp_path,  # noqa: ANN001
) -> None:
    dossier_id, ids = archive_dossier(database, object_store, CODE, DOCS)
    with database.session() as s:
        rec = build_dossier_package(s, object_store, dossier_id, original_code="HS-GIAY-2025/42")
    assert rec.key == f"{CODE}/{CODE}.bag.tar" and rec.document_ids == ids
    for seq, doc_id in enumerate(ids, start=1):
        assert rec.files[f"data/{CODE}.{seq:03d}.pdf"] == hashlib.sha256(signed_pdf(doc_id)).hexdigest()
    assert "data/metadata/ho-so.json" in rec.files

    # Read back from object storage and validate with bagit, independently of our helpers.
    data = object_store.get(rec.bucket, rec.key, rec.version_id)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(tmp_path, filter="data")
    bag = bagit.Bag(str(tmp_path / CODE))
    assert bag.is_valid() and set(bag.algorithms) == {"sha256"}
    assert bag.info["Ma-Ho-So"] == CODE and bag.info["Muc-Do-Tin-Cay"] == "Số hóa"
    assert bag.info["Thoi-Han-Bao-Quan"] == "70 năm"  # the decision is kept longest
    meta = json.loads((tmp_path / CODE / "data/metadata/ho-so.json").read_text(encoding="utf-8"))
    d = meta["dossier"]
    assert meta["standard"] == "Thông tư 05/2025/TT-BNV"
    assert d["dossier_code"] == CODE and d["title"] == "Hồ sơ cấp giấy phép"
    assert (d["start_date"], d["end_date"]) == ("2025-03-10", "2025-03-14")
    assert d["page_count"] == 3 and d["confidence_level"] == "Số hóa" and d["access_mode"] == "Hạn chế"
    assert d["original_dossier_code"] == "HS-GIAY-2025/42" and d["retention_period"] == "70 năm"
    decision = meta["documents"][1]
    assert decision["file"] == f"{CODE}.002.pdf" and decision["number_and_symbol"] == "12/QĐ-UBND"
    assert decision["issuing_body"] == "UBND xã Hòa Bình" and decision["issue_date"] == "2025-03-14"
    assert decision["subject"] == "Về việc cấp giấy phép xây dựng" and decision["page_count"] == 2
    assert meta["documents"][0]["type"] == "application_form"

    # The package is locked as long as its longest-kept document, and recorded.
    mode, until = object_store.retention(rec.bucket, rec.key, rec.version_id)  # type: ignore[misc]
    assert mode == "COMPLIANCE" and until.year >= 2090
    with database.session(readonly=True) as s:
        row = latest_package(s, dossier_id)
        assert row is not None and row.id == rec.package_id and row.manifest == rec.files

    # Building again from the same records gives the same bytes: no second locked version.
    with database.session() as s:
        again = build_dossier_package(s, object_store, dossier_id, original_code="HS-GIAY-2025/42")
    assert (again.version_id, again.sha256, again.package_id) == (rec.version_id, rec.sha256, rec.package_id)
    assert validate_package(object_store, rec) == rec.files


def test_the_inventory_fills_the_dossier_metadata_and_keeps_it_longer(
    database: Database, object_store: ObjectStore
) -> None:
    """What the archive's inventory (mục lục hồ sơ) says wins: dates of the paper dossier, its retention
    (here permanent, longer than any document type's), access mode and the code of the paper dossier."""
    code = "H31.01.05-250311-0043"
    inventory = {
        "start_date": "1998-04-02",
        "end_date": "2001-12-28",
        "retention": "Vĩnh viễn",
        "access_mode": "Công khai",
        "original_code": "HS-1998/17",
    }
    dossier_id, _ = archive_dossier(
        database,
        object_store,
        code,
        DOCS[:1],
        title="Hồ sơ xây dựng trụ sở UBND xã Hòa Bình",
        inventory=inventory,
    )
    with database.session() as s:
        rec = build_dossier_package(s, object_store, dossier_id)
    meta = json.loads(
        _member(object_store.get(rec.bucket, rec.key, rec.version_id), "data/metadata/ho-so.json")
    )
    d = meta["dossier"]
    assert d["title"] == "Hồ sơ xây dựng trụ sở UBND xã Hòa Bình"
    assert (d["start_date"], d["end_date"]) == ("1998-04-02", "2001-12-28")
    assert d["retention_period"] == "Vĩnh viễn" and d["retention_years"] is None
    assert d["access_mode"] == "Công khai" and d["original_dossier_code"] == "HS-1998/17"
    _, until = object_store.retention(rec.bucket, rec.key, rec.version_id)  # type: ignore[misc]
    assert until.year >= 2200  # permanent: locked for 200 years


def _member(tar_bytes: bytes, suffix: str) -> str:
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        (name,) = [n for n in tar.getnames() if n.endswith(suffix)]
        return tar.extractfile(name).read().decode("utf-8")  # type: ignore[union-attr]


def test_a_tampered_bag_fails_validation(database: Database, object_store: ObjectStore) -> None:
    dossier_id, _ = archive_dossier(database, object_store, "H31.01.05-250310-0043", DOCS[:1])
    with database.session() as s:
        rec = build_dossier_package(s, object_store, dossier_id)
    data = bytearray(object_store.get(rec.bucket, rec.key, rec.version_id))
    at = data.index(b"Quy\xe1\xba\xbft")  # inside the signed PDF
    data[at] ^= 0x01
    with pytest.raises(IntegrityError, match="not a valid BagIt bag"):
        validate_package_bytes(bytes(data))


def test_package_refuses_a_copy_that_differs_from_its_record(
    database: Database, object_store: ObjectStore
) -> None:
    dossier_id, ids = archive_dossier(database, object_store, "H31.01.05-250310-0044", DOCS)
    with database.session() as s:
        s.get(Document, ids[1]).archive_sha256 = "0" * 64  # type: ignore[union-attr]
    with database.session() as s, pytest.raises(IntegrityError, match="does not match its database record"):
        build_dossier_package(s, object_store, dossier_id)


def test_dossier_without_archived_documents_has_no_package(
    database: Database, object_store: ObjectStore
) -> None:
    from pipelines.model import DossierInfo
    from storage import repository as repo

    with database.session() as s:
        dossier_id = repo.upsert_dossier(s, DossierInfo(folder="trống", code="H31.01.05-250310-0045"))
    with database.session() as s, pytest.raises(BadInputError, match="no archived document"):
        build_dossier_package(s, object_store, dossier_id)
