"""Archiving throughput against a bare ``minio`` put, and fixity-checking throughput, on one local server.

    .venv/bin/python benchmarks/bench_archive.py [--objects 24] [--mib 4] [--rounds 3]

A SeaweedFS server of its own (127.0.0.1, free ports, temporary data dir) is started and stopped.

1. Archiving: the same ``--objects`` PDFs of ``--mib`` MiB are written by ``ObjectStore.put_archive`` (SHA-256,
   idempotency check, object lock, server-verified checksum) and by a bare ``Minio.put_object`` with the
   same COMPLIANCE retention, to the same bucket, alternately object by object; best of ``--rounds``.
   Target: put_archive throughput >= 0.8 x the bare put.
2. Fixity: ``storage.fixity.check_fixity`` over those archived documents recorded in a SQLite database
   (stream, SHA-256, compare, record). Target >= 100 MB/s.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from minio.retention import Retention  # noqa: E402

from storage.db.database import Database  # noqa: E402
from storage.db.models import Document  # noqa: E402
from storage.fixity import check_fixity  # noqa: E402
from storage.objects import ObjectStore  # noqa: E402
from storage.seaweed import LocalSeaweed, find_free_port_block  # noqa: E402


def _archive_round(store: ObjectStore, blobs: list[bytes], tag: str) -> tuple[float, float, list]:
    bucket = store.buckets.archive
    bare_s = ours_s = 0.0
    records = []
    for i, data in enumerate(blobs):
        until = datetime.now(UTC) + timedelta(days=1)
        t = time.perf_counter()
        store.client.put_object(
            bucket,
            f"bare/{tag}/{i:04d}.pdf",
            io.BytesIO(data),
            len(data),
            content_type="application/pdf",
            retention=Retention("COMPLIANCE", until),
        )
        bare_s += time.perf_counter() - t
        t = time.perf_counter()
        records.append(
            store.put_archive(
                f"ours/{tag}/{i:04d}.pdf", data, retention_days=1, metadata={"sohoa-document-id": f"d{i}"}
            )
        )
        ours_s += time.perf_counter() - t
    return bare_s, ours_s, records


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--objects", type=int, default=24)
    ap.add_argument("--mib", type=float, default=4.0)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    size = int(args.mib * 1024 * 1024)
    total_mb = args.objects * size / 1e6
    print(
        f"command: .venv/bin/python benchmarks/bench_archive.py --objects {args.objects} --mib {args.mib} "
        f"--rounds {args.rounds}"
    )
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-archive-") as tmp:
        server = LocalSeaweed(Path(tmp) / "weed", find_free_port_block(), volume_size_limit_mb=1024)
        creds = server.start()
        try:
            store = ObjectStore(creds.endpoint, creds.access_key, creds.secret_key)
            store.ensure_buckets(retention_days=1)
            blobs = [b"%PDF-1.7\n" + os.urandom(size - 9) for _ in range(args.objects)]
            _archive_round(store, blobs[:2], "warm")
            best_bare = best_ours = float("inf")
            records = []
            for r in range(args.rounds):
                bare_s, ours_s, records = _archive_round(store, blobs, f"r{r}")
                best_bare, best_ours = min(best_bare, bare_s), min(best_ours, ours_s)
            bare_mbs, ours_mbs = total_mb / best_bare, total_mb / best_ours
            print(f"archiving {args.objects} x {args.mib:g} MiB ({total_mb:.0f} MB), best of {args.rounds}:")
            print(f"  bare minio put_object      {bare_mbs:8.1f} MB/s")
            print(f"  ObjectStore.put_archive    {ours_mbs:8.1f} MB/s")
            ratio = ours_mbs / bare_mbs
            print(
                f"  ratio                      {ratio:8.2f}  (target >= 0.80: {'PASS' if ratio >= 0.8 else 'FAIL'})"
            )

            db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
            db.migrate()
            with db.session() as s:
                for i, rec in enumerate(records):
                    s.add(
                        Document(
                            id=f"doc-{i:04d}",
                            source=f"{i}.pdf",
                            sha256="0" * 64,
                            status="archived",
                            page_count=1,
                            review_reasons=[],
                            to_rescan=[],
                            archive_bucket=rec.bucket,
                            archive_key=rec.key,
                            archive_version_id=rec.version_id,
                            archive_sha256=rec.sha256,
                        )
                    )
            report = check_fixity(db, store)
            assert report.ok and report.checked == len(records), report.summary()
            print(
                f"fixity: {report.checked} objects, {report.bytes_read / 1e6:.0f} MB in {report.seconds:.2f} s"
            )
            ok = report.mb_per_s >= 100
            print(
                f"  check_fixity               {report.mb_per_s:8.1f} MB/s  (target >= 100: {'PASS' if ok else 'FAIL'})"
            )
            db.dispose()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
