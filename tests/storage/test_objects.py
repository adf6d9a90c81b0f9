"""Object storage against a real SeaweedFS: versioning, object lock, metadata, errors."""

from __future__ import annotations

import hashlib
import socket
from datetime import UTC, datetime, timedelta

import pytest

from pipelines.errors import ConfigurationError, NotFoundError, StorageError
from storage.objects import Buckets, ObjectStore, original_key
from storage.seaweed import S3Credentials

PDF = b"%PDF-1.7\n% Quy\xe1\xba\xbft \xc4\x91\xe1\xbb\x8bnh\n%%EOF\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_put_original_is_idempotent(object_store: ObjectStore) -> None:
    data = b"scan of a C\xc4\x83n c\xc6\xb0\xe1\xbb\x9bc card" * 100
    first = object_store.put_original(data, _sha(data), filename="cccd.jpg")
    second = object_store.put_original(data, _sha(data), filename="cccd.jpg")
    assert first == second
    assert first.key == original_key(_sha(data)) == f"sha256/{_sha(data)[:2]}/{_sha(data)}"
    assert first.version_id and first.size == len(data)
    assert object_store.versions(first.bucket, first.key) == [first.version_id]
    assert object_store.get(first.bucket, first.key, first.version_id) == data


@pytest.mark.parametrize("mib", [5.5, 7])
def test_originals_between_5_mib_and_the_multipart_threshold(object_store: ObjectStore, mib: float) -> None:
    """A scan of a few MiB (a multi-page TIFF) goes up in one checked PUT, stored exactly once."""
    data = (b"Gi\xe1\xba\xa5y ch\xe1\xbb\xa9ng nh\xe1\xba\xadn " * 70_000)[: int(mib * 1024 * 1024)]
    stored = object_store.put_original(data, _sha(data), filename="giay-chung-nhan-qsdd.tif")
    assert object_store.put_original(data, _sha(data), filename="giay-chung-nhan-qsdd.tif") == stored
    assert object_store.get(stored.bucket, stored.key, stored.version_id) == data


def test_put_original_refuses_a_wrong_checksum(object_store: ObjectStore) -> None:
    with pytest.raises(StorageError, match="SHA-256"):
        object_store.put_original(b"abc", "0" * 64, filename="x.pdf")


def test_vietnamese_filename_metadata_round_trips(object_store: ObjectStore) -> None:
    data = b"tiff bytes"
    name = "Quyết định số 12 - Nguyễn Thị Ánh.tiff"
    stored = object_store.put_original(data, _sha(data), filename=name)
    raw = object_store.client.stat_object(stored.bucket, stored.key).metadata
    assert raw["x-amz-meta-filename"].isascii()
    meta = object_store.user_metadata(stored.bucket, stored.key)
    assert meta == {"filename": name, "sha256": _sha(data)}


def test_put_archive_sets_compliance_retention(object_store: ObjectStore) -> None:
    before = datetime.now(UTC)
    rec = object_store.put_archive(
        "H31.01.05-240315-0042.001.pdf", PDF, retention_days=2, metadata={"agency": "UBND xã Hòa Bình"}
    )
    assert rec.sha256 == _sha(PDF) and rec.version_id and rec.bucket == object_store.buckets.archive
    assert rec.retain_until is not None
    mode, until = object_store.retention(rec.bucket, rec.key, rec.version_id)  # type: ignore[misc]
    assert mode == "COMPLIANCE"
    assert until == rec.retain_until
    assert before + timedelta(days=2) - timedelta(minutes=5) < until < before + timedelta(days=2, minutes=5)
    assert object_store.user_metadata(rec.bucket, rec.key)["agency"] == "UBND xã Hòa Bình"
    assert object_store.get(rec.bucket, rec.key, rec.version_id) == PDF


def test_put_archive_is_idempotent_and_overwrite_makes_a_new_version(object_store: ObjectStore) -> None:
    key = "H31/doc-0001.pdf"
    first = object_store.put_archive(key, PDF, retention_days=1)
    again = object_store.put_archive(key, PDF, retention_days=1)
    assert again == first
    assert object_store.versions(first.bucket, key) == [first.version_id]
    changed = PDF + b"% re-signed\n"
    second = object_store.put_archive(key, changed, retention_days=1)
    assert second.version_id != first.version_id
    assert object_store.versions(first.bucket, key) == [second.version_id, first.version_id]
    assert object_store.get(first.bucket, key, first.version_id) == PDF
    assert object_store.get(first.bucket, key) == changed


def test_deleting_a_locked_version_is_refused(object_store: ObjectStore) -> None:
    rec = object_store.put_archive("locked.pdf", PDF, retention_days=1)
    with pytest.raises(StorageError, match="refused to delete"):
        object_store.delete(rec.bucket, rec.key, rec.version_id)
    assert object_store.get(rec.bucket, rec.key, rec.version_id) == PDF


def test_derived_bucket_is_plain_and_deletable(object_store: ObjectStore) -> None:
    stored = object_store.put_derived("doc-0001.pdf", PDF)
    assert stored.sha256 == _sha(PDF) and stored.size == len(PDF)
    assert object_store.retention(stored.bucket, stored.key) is None
    object_store.delete(stored.bucket, stored.key)
    with pytest.raises(NotFoundError):
        object_store.get(stored.bucket, stored.key)


def test_ensure_buckets_is_idempotent(object_store: ObjectStore) -> None:
    object_store.ensure_buckets(retention_days=1)
    object_store.ensure_buckets(retention_days=3, retention_mode="GOVERNANCE")
    cfg = object_store.client.get_object_lock_config(object_store.buckets.archive)
    assert (cfg.mode, cfg.duration, cfg.duration_unit) == ("GOVERNANCE", 3, "Days")
    assert object_store.client.get_bucket_versioning(object_store.buckets.originals).status == "Enabled"


def test_archive_bucket_without_object_lock_is_refused(
    object_store: ObjectStore, seaweed: S3Credentials
) -> None:
    b = object_store.buckets
    wrong = ObjectStore(
        seaweed.endpoint,
        seaweed.access_key,
        seaweed.secret_key,
        buckets=Buckets(b.originals, b.derived, archive=b.derived),
    )
    with pytest.raises(StorageError, match="without object lock"):
        wrong.ensure_buckets(retention_days=1)


def test_unreachable_endpoint_gives_a_clear_storage_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = ObjectStore(f"127.0.0.1:{port}", "key", "secret")
    with pytest.raises(StorageError) as err:
        store.ping()
    message = str(err.value)
    assert message.startswith(f"object storage at 127.0.0.1:{port} is unreachable: ")
    assert "refused" in message.lower() and "0x" not in message
    with pytest.raises(StorageError, match="unreachable"):
        store.put_derived("x.pdf", PDF)


def test_wrong_credentials_are_refused(seaweed: S3Credentials) -> None:
    store = ObjectStore(seaweed.endpoint, seaweed.access_key, "not-the-secret")
    with pytest.raises(StorageError, match="refused"):
        store.ping()


def test_invalid_bucket_name_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="not a valid bucket name"):
        ObjectStore("127.0.0.1:9", "k", "s", buckets=Buckets(originals="Hồ_Sơ"))
