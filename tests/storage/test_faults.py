"""Faults at the ObjectStore level: the S3 server (a real SeaweedFS of this test) stops in the middle of a
sequence of uploads and comes back; uploads retry with backoff and complete, nothing is half-written."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.objects import Buckets, ObjectStore, RetryPolicy, StorageUnavailable
from storage.seaweed import LocalSeaweed, find_free_port_block

MIB = 1024 * 1024
PATIENT = RetryPolicy(attempts=60, base_delay=0.1, max_delay=1.0, deadline=90)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSeaweed]:
    """A server of this module only: its tests stop and start it."""
    srv = LocalSeaweed(
        tmp_path_factory.mktemp("weed"), find_free_port_block(), volume_size_limit_mb=16, volume_max=50
    )
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def _store(srv: LocalSeaweed, **kw: object) -> ObjectStore:
    c = srv.credentials()
    store = ObjectStore(c.endpoint, c.access_key, c.secret_key, buckets=Buckets(), **kw)  # type: ignore[arg-type]
    store.ensure_buckets(retention_days=1)
    return store


def _outage(srv: LocalSeaweed, down_for: float = 1.5) -> threading.Thread:
    """Stop the server now; start it again from another thread a moment later."""
    srv.stop()
    t = threading.Thread(target=lambda: (time.sleep(down_for), srv.start()), daemon=True)
    t.start()
    return t


def _pdf(i: int) -> bytes:
    return f"%PDF-1.7\n% Quyết định số {i}/QĐ-UBND — Nguyễn Thị Ánh\n".encode() + os.urandom(4096)


def test_puts_retry_through_an_outage_and_each_lands_once(server: LocalSeaweed) -> None:
    store = _store(server, retry=PATIENT)
    docs = {f"H31.01.05-250314-0001/H31.01.05-250314-0001.{i:03d}.pdf": _pdf(i) for i in range(1, 11)}
    restarted = None
    for n, (key, data) in enumerate(docs.items()):
        if n == 4:
            restarted = _outage(server)
        rec = store.put_archive(key, data, retention_days=1, metadata={"sohoa-document-id": f"doc-{n}"})
        assert rec.sha256 == hashlib.sha256(data).hexdigest()
    assert restarted is not None
    restarted.join()
    for key, data in docs.items():
        versions = store.versions(store.buckets.archive, key)
        assert len(versions) == 1, key
        assert store.get(store.buckets.archive, key, versions[0]) == data


def test_multipart_upload_survives_an_outage_between_parts(server: LocalSeaweed, tmp_path: Path) -> None:
    store = _store(server, retry=PATIENT, multipart_threshold=5 * MIB, part_size=5 * MIB)
    data = os.urandom(12 * MIB)
    path = tmp_path / "bản đồ địa chính.pdf"
    path.write_bytes(data)
    outages: list[threading.Thread] = []
    store._after_part = lambda n: outages.append(_outage(server)) if n == 1 else None
    rec = store.put_archive("H31/map.pdf", path, retention_days=1)
    outages[0].join()
    assert store.versions(rec.bucket, rec.key) == [rec.version_id]
    assert store.sha256_of(rec.bucket, rec.key, rec.version_id) == (
        hashlib.sha256(data).hexdigest(),
        len(data),
    )


def test_storage_that_stays_down_gives_up_with_nothing_written(server: LocalSeaweed) -> None:
    store = _store(server, retry=RetryPolicy(attempts=3, base_delay=0.05, max_delay=0.1, deadline=10))
    server.stop()
    try:
        with pytest.raises(StorageUnavailable, match="unreachable.*gave up"):
            store.put_archive("H31/never.pdf", _pdf(0), retention_days=1)
    finally:
        server.start()
    assert store.versions(store.buckets.archive, "H31/never.pdf") == []
