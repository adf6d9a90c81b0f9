"""The embedded SeaweedFS server: start, reuse, status, stop, and object_store_from_settings."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from pipelines.errors import StorageError
from sohoa.settings import Settings
from storage.objects import ObjectStore
from storage.seaweed import LocalSeaweed, S3Credentials, find_free_port_block, object_store_from_settings


@pytest.mark.slow
def test_local_server_started_once_reused_then_stopped(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, s3_endpoint=None, s3_local_port=find_free_port_block())
    server = LocalSeaweed(tmp_path / "seaweedfs", settings.s3_local_port)
    try:
        store = object_store_from_settings(settings)  # starts the local server, as the first CLI run would
        first = server.status()
        assert first["running"] and first["endpoint"] == store.endpoint == server.endpoint
        creds = server.start()  # a second run reuses it
        assert server.status()["pid"] == first["pid"]
        assert creds == server.credentials() and creds.endpoint == store.endpoint
        assert stat.S_IMODE(os.stat(server.config_file).st_mode) == 0o600
        store.ping()
    finally:
        stopped = server.stop()
    assert stopped
    assert server.status() | {"log": None} == {
        "running": False,
        "pid": None,
        "endpoint": server.endpoint,
        "data_dir": str(server.data_dir),
        "log": None,
    }
    assert not server.pid_file.exists()
    assert server.stop() is False


@pytest.mark.slow
def test_objects_survive_a_restart_on_the_same_port(tmp_path: Path) -> None:
    server = LocalSeaweed(tmp_path / "sw", find_free_port_block())
    try:
        creds = server.start()
        store = ObjectStore(creds.endpoint, creds.access_key, creds.secret_key)
        store.ensure_buckets(retention_days=1)
        rec = store.put_archive("Quyết định.pdf", b"%PDF-1.7\n", retention_days=1)
        assert server.stop()
        assert server.start() == creds  # same port right after a stop, same credentials
        assert store.get(rec.bucket, rec.key, rec.version_id) == b"%PDF-1.7\n"
        assert store.retention(rec.bucket, rec.key, rec.version_id) == ("COMPLIANCE", rec.retain_until)
    finally:
        server.stop()


def test_start_refuses_ports_taken_by_another_server(tmp_path: Path, seaweed_server: LocalSeaweed) -> None:
    other = LocalSeaweed(tmp_path / "other", seaweed_server.port)
    with pytest.raises(StorageError, match="ports in use"):
        other.start(timeout=5)
    assert seaweed_server.status()["running"]


def test_object_store_from_settings_with_an_endpoint(seaweed: S3Credentials, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        s3_endpoint=seaweed.endpoint,
        s3_access_key=seaweed.access_key,
        s3_secret_key=seaweed.secret_key,
        bucket_originals="settings-orig",
        bucket_derived="settings-derived",
        bucket_archive="settings-archive",
        archive_retention_days=1,
    )
    store = object_store_from_settings(settings)
    assert store.endpoint == seaweed.endpoint
    rec = store.put_archive("a.pdf", b"%PDF-1.7\n", retention_days=1)
    assert store.retention(rec.bucket, rec.key, rec.version_id)[0] == "COMPLIANCE"  # type: ignore[index]
    assert not (tmp_path / "seaweedfs").exists()  # nothing local was started
