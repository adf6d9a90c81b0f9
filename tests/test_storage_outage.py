"""The object store goes down in the middle of a batch and comes back: the batch finishes, every document
is stored once, nothing is lost or half-written (the flow-level half of tests/storage/test_faults.py)."""

from __future__ import annotations

import threading
import time

import pytest

from flows.runtime import Runtime, set_runtime
from sohoa.samples import generate_demo
from storage import repository as repo
from storage.seaweed import LocalSeaweed, find_free_port_block
from tests.helpers import make_settings


@pytest.mark.slow
def test_batch_survives_an_object_store_outage(tmp_path, prefect_api):
    from flows.ingest import ingest_batch

    source = tmp_path / "in"
    generate_demo(source, seed=13)
    (source / "manifest.jsonl").unlink()
    server = LocalSeaweed(tmp_path / "weed", find_free_port_block(), volume_max=50)
    creds = server.start()
    settings = make_settings(tmp_path, creds, f"sqlite:///{tmp_path / 'outage.db'}")
    rt = Runtime.open(settings)
    set_runtime(rt)
    outage_done = threading.Event()

    def outage() -> None:
        """Once the first documents are in, stop the server for a few seconds, then start it again."""
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            with rt.db.session(readonly=True) as s:
                if len(repo.list_documents(s, limit=100)) >= 2:
                    break
            time.sleep(0.2)
        server.stop()
        time.sleep(4)
        server.start()
        outage_done.set()

    t = threading.Thread(target=outage, daemon=True)
    t.start()
    try:
        report = ingest_batch(source=str(source), report_path=None, progress=False)
        t.join(timeout=120)
        assert outage_done.is_set(), "the outage never happened"
        statuses = {d["source"]: (d["status"], d["error"]) for d in report["documents"]}
        assert all(st in ("archived", "review") for st, _ in statuses.values()), statuses
        for d in report["documents"]:
            key = f"sha256/{d['sha256'][:2]}/{d['sha256']}"
            assert (
                rt.store.versions(settings.bucket_originals, key)
                and len(rt.store.versions(settings.bucket_originals, key)) == 1
            )
            if d["archive"]:
                a = d["archive"]
                assert rt.store.versions(a["bucket"], a["key"]) == [a["version_id"]]
    finally:
        set_runtime(None)
        server.stop()
