"""Archive-side object storage against a real SeaweedFS: multipart uploads with server-checked checksums,
presigned downloads, legal hold, the retention schedule."""

from __future__ import annotations

import hashlib
import json
import os
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from pipelines.errors import ConfigurationError, StorageError
from pipelines.model import ArchiveRecord
from storage.objects import ObjectStore
from storage.retention import (
    PERMANENT_YEARS,
    load_schedule,
    place_legal_hold,
    release_legal_hold,
    under_legal_hold,
)
from storage.seaweed import S3Credentials

MIB = 1024 * 1024


@pytest.fixture
def small_parts(object_store: ObjectStore, seaweed: S3Credentials) -> ObjectStore:
    """The same buckets, with 5 MiB parts from 5 MiB on (the smallest S3 allows)."""
    return ObjectStore(
        seaweed.endpoint,
        seaweed.access_key,
        seaweed.secret_key,
        buckets=object_store.buckets,
        multipart_threshold=5 * MIB,
        part_size=5 * MIB,
    )


def test_large_archive_goes_in_parts_and_reads_back_whole(small_parts: ObjectStore, tmp_path) -> None:  # noqa: ANN001
    data = os.urandom(11 * MIB + 123)
    path = tmp_path / "Hồ sơ lớn.pdf"
    path.write_bytes(data)
    rec = small_parts.put_archive("H31.01.05-240315-0042/big.pdf", path, retention_days=1)
    assert rec.sha256 == hashlib.sha256(data).hexdigest()
    info = small_parts.stat(rec.bucket, rec.key, rec.version_id)
    assert info.size == len(data) and info.sha256 == rec.sha256
    assert info.etag.endswith("-3")  # three parts, assembled by the server
    assert small_parts.sha256_of(rec.bucket, rec.key, rec.version_id) == (rec.sha256, len(data))
    mode, until = small_parts.retention(rec.bucket, rec.key, rec.version_id)  # type: ignore[misc]
    assert mode == "COMPLIANCE" and until == rec.retain_until
    # Same bytes again (as bytes this time): no second locked version.
    again = small_parts.put_archive("H31.01.05-240315-0042/big.pdf", data, retention_days=1)
    assert again.version_id == rec.version_id
    assert small_parts.versions(rec.bucket, rec.key) == [rec.version_id]


def test_server_refuses_bytes_that_do_not_match_their_checksum(object_store: ObjectStore) -> None:
    data = b"signed PDF/A of Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b \xc3\x81nh"
    wrong = hashlib.sha256(b"other bytes").hexdigest()
    with pytest.raises(StorageError, match="BadDigest"):
        object_store._call(
            "store",
            "x",
            lambda: object_store._upload(
                object_store.buckets.derived,
                "x.pdf",
                data,
                len(data),
                wrong,
                content_type="application/pdf",
                metadata={},
            ),
        )
    assert object_store.versions(object_store.buckets.derived, "x.pdf") == []


def test_presigned_link_downloads_that_version_only(object_store: ObjectStore) -> None:
    first = object_store.put_archive("H31/a.pdf", b"%PDF first", retention_days=1)
    object_store.put_archive("H31/a.pdf", b"%PDF second", retention_days=1)
    url = object_store.presigned_get(
        first.bucket, first.key, first.version_id, expires=timedelta(minutes=2), filename="Quyết định.pdf"
    )
    with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - our own local server
        assert resp.read() == b"%PDF first"
        assert "filename*=UTF-8''Quy%E1%BA%BFt" in resp.headers["Content-Disposition"]
    assert "X-Amz-Expires=120" in url
    with pytest.raises(ValueError, match="one hour"):
        object_store.presigned_get(first.bucket, first.key, expires=timedelta(days=2))


def test_legal_hold_can_be_placed_and_released(object_store: ObjectStore) -> None:
    rec = object_store.put_archive("H31/held.pdf", b"%PDF held", retention_days=1, legal_hold=True)
    assert under_legal_hold(object_store, rec)
    release_legal_hold(object_store, rec)
    assert not under_legal_hold(object_store, rec)
    place_legal_hold(object_store, rec)
    assert under_legal_hold(object_store, rec)
    with pytest.raises(StorageError, match="refused to delete"):
        object_store.delete(rec.bucket, rec.key, rec.version_id)
    release_legal_hold(object_store, rec)  # let the one-day retention expire the test object


def test_permanent_retention_locks_for_centuries(object_store: ObjectStore) -> None:
    rule = load_schedule().for_type("birth_certificate")
    assert rule.permanent and rule.label == "Vĩnh viễn"
    rec: ArchiveRecord = object_store.put_archive("H31/khai-sinh.pdf", b"%PDF ks", retention_days=rule.days)
    _, until = object_store.retention(rec.bucket, rec.key, rec.version_id)  # type: ignore[misc]
    assert until.year >= datetime.now(UTC).year + PERMANENT_YEARS - 1


def test_retention_schedule_defaults_and_files(tmp_path) -> None:  # noqa: ANN001
    default = load_schedule()
    assert default.for_type("decision").years == 70 and default.for_type("decision").label == "70 năm"
    assert default.for_type("application_form").years == 10
    assert default.for_type("citizen_id").permanent and default.for_type("land_use_certificate").permanent
    assert default.for_type("not-a-type").years == 20
    assert default.for_types(["application_form", "decision"]).years == 70
    assert default.for_types(["decision", "marriage_certificate"]).permanent

    toml = tmp_path / "retention.toml"
    toml.write_text(
        '[retention]\ndefault = 15\ndecision = "permanent"\napplication_form = 5\n', encoding="utf-8"
    )
    s = load_schedule(toml)
    assert s.for_type("decision").permanent and s.for_type("application_form").days == 5 * 365 + 1 + 1
    assert s.for_type("unknown").years == 15 and s.for_type("citizen_id").permanent

    js = tmp_path / "retention.json"
    js.write_text(json.dumps({"mode": "governance", "building_permit": 30}), encoding="utf-8")
    s = load_schedule(js)
    assert s.for_type("building_permit").years == 30 and s.for_type("building_permit").mode == "GOVERNANCE"

    with pytest.raises(ConfigurationError, match="permanent"):
        load_schedule({"decision": "forever"})
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_schedule(tmp_path / "missing.toml")
