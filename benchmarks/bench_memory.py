"""Peak memory of ``sohoa ingest`` on one long scanned PDF (issue 3: 300 pages under 1.5 GB).

    .venv/bin/python benchmarks/bench_memory.py --pages 300 --workers 2

1. Builds an image-only PDF of ``--pages`` pages from the sample generator (``--distinct`` rendered and
   degraded pages, "scan" level, each a JPEG as a scanner writes it, repeated in turn: the memory a page
   needs does not depend on its words, and rendering 300 different pages would take longer than reading
   them).
2. Ingests it with the Prefect ingest flow (local SeaweedFS and SQLite, as ``bench_ingest.py``) in a child
   process, which reports its own peak RSS (``ru_maxrss``) and, separately, the largest of its children
   (Tesseract, SeaweedFS; a child forked from this process starts with its size). The parent's memory
   (which built the PDF) is not counted.
3. A document sent to review is then approved (``flows.document.approve``: the PDF/A fetched, signed,
   archived) in the same process, so that signing and archiving the long file are in the peak too.

Measured (2 workers, 2 shared cores, load 8-14), peak RSS of the sohoa process:

- before the page PDFs were spooled to disk: 30 pages 0.72-0.79 GB, 300 pages 1.85 GB (~4 MB more a page:
  page PDFs, the PDF/A, its signed copy and upload buffers all in memory);
- with ``pipelines.read.PageSpool`` (page PDFs on disk, PDF/A assembled by qpdf from the files, signed
  and uploaded file to file): 30 pages 0.60 GB, 300 pages 0.99-1.01 GB, approval of the 300-page document
  included (the rest of the slope, ~1.5 MB a page, is mostly the source file's bytes, held by
  ``flows.document.process_document`` for the whole document: 0.72 MB a page here).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

LIMIT_MB = 1536


def build_pdf(path: Path, pages: int, distinct: int, seed: int) -> None:
    from sohoa.samples.long_scan import long_scan_pdf

    path.write_bytes(long_scan_pdf(pages, distinct, seed))


def ingest(source: Path, work: Path, workers: int) -> None:
    """In the child: ingest ``source`` and print one JSON line with the time and peak RSS."""
    from bench_ingest import start_runtime
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.document import approve
    from flows.ingest import ingest_batch
    from flows.runtime import get_runtime, set_runtime

    sw = start_runtime(work, workers)
    flow = ingest_batch.with_options(task_runner=ThreadPoolTaskRunner(max_workers=workers + 1))
    try:
        t = time.perf_counter()
        report = flow(source=str(source), report_path=None, progress=False)
        seconds = time.perf_counter() - t
        ingest_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        approved = 0
        for doc in report["documents"]:
            if doc["status"] == "review":
                approve(get_runtime(), doc["id"], approved_by="bench")
                approved += 1
    finally:
        set_runtime(None)
        sw.stop()
    result = {
        "seconds": round(seconds, 1),
        "summary": report["summary"],
        "ingest_peak_rss_mb": round(ingest_peak / 1024),
        "approved": approved,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "largest_child_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }
    print("RESULT " + json.dumps(result))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--distinct", type=int, default=12)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--ingest", type=Path, help=argparse.SUPPRESS)  # the child's job
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.ingest:
        ingest(a.ingest, a.work, a.workers)
        return
    work = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    try:
        source = work / "source"
        source.mkdir()
        pdf = source / f"scan-{a.pages}-pages.pdf"
        build_pdf(pdf, a.pages, a.distinct, a.seed)
        print(f"input: one image-only PDF, {a.pages} pages, {pdf.stat().st_size / 1e6:.0f} MB")
        env = {**os.environ, "PREFECT_HOME": str(work / "prefect"), "PREFECT_LOGGING_LEVEL": "ERROR"}
        env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--ingest",
                str(source),
                "--work",
                str(work),
                "--workers",
                str(a.workers),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        lines = [line for line in child.stdout.splitlines() if line.startswith("RESULT ")]
        if child.returncode != 0 or not lines:
            sys.exit(f"the ingest failed:\n{child.stdout[-3000:]}\n{child.stderr[-3000:]}")
        r = json.loads(lines[-1][len("RESULT ") :])
        s = r["summary"]
        print(
            f"sohoa ingest ({a.workers} workers): {r['seconds']} s, {s['pages']} pages "
            f"(archived {s['archived']}, review {s['review']}, failed {s['failed']})"
        )
        verdict = "under" if r["peak_rss_mb"] < LIMIT_MB else "OVER"
        print(f"peak RSS of the sohoa process during the ingest: {r['ingest_peak_rss_mb']} MB")
        print(
            f"peak RSS of the sohoa process, ingest and approval of {r['approved']} reviewed document(s): "
            f"{r['peak_rss_mb']} MB ({verdict} the {LIMIT_MB} MB limit)"
        )
        print(f"largest child process (Tesseract or SeaweedFS): {r['largest_child_mb']} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
