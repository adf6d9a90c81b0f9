"""End-to-end ``sohoa ingest`` throughput against raw Tesseract on the same pages, in the same run.

    .venv/bin/python benchmarks/bench_ingest.py --docs 60 --workers 2

1. Generates a batch of scanned documents (the sample generator, degrade "scan") and, from the mixed
   set, born-digital PDFs (no OCR: they measure the flow's own overhead per document).
2. Baseline: ``tesseract PAGE out -l vie pdf tsv`` on every page (image-only PDF pages rendered to PNG
   first, untimed), ``--workers`` processes at once, OMP_THREAD_LIMIT=1.
3. sohoa: the Prefect ingest flow on the same files (local SeaweedFS and SQLite, already started),
   then on the born-digital set. Prints pages/min of both, the ratio, overhead per document, peak RSS.

The baseline runs before AND after sohoa and the two are averaged, so load from other processes on a shared
machine hits both sides; the CPU seconds per page (user + system, Tesseract included; SeaweedFS not) are
printed too: unlike pages/min they hardly depend on that load. So is the share of the Tesseract slots kept
busy on each side (``TesseractMeter``): where sohoa's is lower, cores wait on the pipeline.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"
_HOME = tempfile.mkdtemp(prefix="bench-prefect-")
os.environ.setdefault("PREFECT_HOME", _HOME)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")


def baseline_inputs(source: Path, out: Path) -> list[Path]:
    import pypdfium2

    pages: list[Path] = []
    for f in sorted(source.rglob("*")):
        if f.suffix.lower() in (".jpg", ".jpeg", ".png", ".tif", ".tiff"):
            pages.append(f)
        elif f.suffix.lower() == ".pdf":
            pdf = pypdfium2.PdfDocument(str(f))
            for i in range(len(pdf)):
                img = pdf[i].render(scale=300 / 72).to_pil()
                p = out / f"{f.stem}-{i}.png"
                img.save(p, dpi=(300, 300))
                pages.append(p)
            pdf.close()
    return pages


def raw_tesseract(pages: list[Path], workers: int, out: Path) -> float:
    def one(p: Path) -> None:
        subprocess.run(
            ["tesseract", str(p), str(out / p.stem), "-l", "vie", "pdf", "tsv"],
            check=True,
            capture_output=True,
        )

    t = time.perf_counter()
    with ThreadPoolExecutor(workers) as ex:
        list(ex.map(one, pages))
    return time.perf_counter() - t


class TesseractMeter:
    """Samples, every 50 ms, how many Tesseract processes this process has running: the share of the
    ``workers`` slots kept busy (1.0 = a Tesseract on every slot all the time). Below the baseline's share,
    the pipeline leaves cores without OCR (waiting on Python work, the GIL, or the end of a document)."""

    def __init__(self, workers: int) -> None:
        self.workers, self.samples, self._stop = workers, [], threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TesseractMeter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def busy(self) -> float:
        return sum(min(n, self.workers) for n in self.samples) / max(len(self.samples), 1) / self.workers

    def _run(self) -> None:
        me = str(os.getpid())
        while not self._stop.wait(0.05):
            running = 0
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
                        fields = f.read().rsplit(")", 1)
                    if fields[0].endswith("(tesseract") and fields[1].split()[1] == me:
                        running += 1
                except OSError:
                    continue
            self.samples.append(running)


def cpu_seconds() -> tuple[float, float]:
    """User + system CPU seconds used so far by this process, and by its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def start_runtime(work: Path, workers: int):  # -> LocalSeaweed (started; stop it when done)
    """Local SeaweedFS and SQLite under ``work``, set as the flows' runtime with ``workers`` OCR workers."""
    from flows.runtime import Runtime, set_runtime
    from sohoa.settings import Settings
    from storage.seaweed import LocalSeaweed, find_free_port_block

    sw = LocalSeaweed(work / "seaweed", find_free_port_block())
    creds = sw.start()
    suffix = uuid.uuid4().hex[:6]
    settings = Settings(
        data_dir=work / "data",
        database_url=f"sqlite:///{work / 'bench.db'}",
        s3_endpoint=creds.endpoint,
        s3_access_key=creds.access_key,
        s3_secret_key=creds.secret_key,
        bucket_originals=f"o-{suffix}",
        bucket_derived=f"d-{suffix}",
        bucket_archive=f"a-{suffix}",
        archive_retention_days=1,
        workers=workers,
    )
    set_runtime(Runtime.open(settings))
    return sw


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=60)
    ap.add_argument("--overhead-docs", type=int, default=20)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()

    from flows.ingest import ingest_flow
    from flows.runtime import set_runtime
    from sohoa.samples import generate_dataset

    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    scans, digital = work / "scans", work / "digital"
    docs = generate_dataset(scans, n=a.docs, seed=a.seed, degrade="scan")
    (scans / "manifest.jsonl").unlink()
    mixed = generate_dataset(work / "mixed", n=a.overhead_docs * 7, seed=a.seed + 1, degrade="mixed")
    (work / "mixed" / "manifest.jsonl").unlink()
    digital.mkdir()
    for d in [d for d in mixed if d.born_digital][: a.overhead_docs]:
        shutil.copy(work / "mixed" / d.rel, digital / Path(d.rel).name)
    n_digital = len(list(digital.iterdir()))
    (work / "raw-in").mkdir()
    pages_in = baseline_inputs(scans, work / "raw-in")
    n_pages = sum(d.pages for d in docs)
    print(f"batch: {len(docs)} documents, {n_pages} pages (scan quality); {n_digital} born-digital PDFs")

    raw_out = work / "raw-out"
    raw_out.mkdir()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    cpu0 = cpu_seconds()
    with TesseractMeter(a.workers) as raw_meter:
        raw_first = raw_tesseract(pages_in, a.workers, raw_out)
    raw_cpu = cpu_seconds()[1] - cpu0[1]

    sw = start_runtime(work, a.workers)
    flow = ingest_flow(a.workers)
    try:
        flow(source=str(work / "mixed"), report_path=None, progress=False)  # warm-up: server, signer, fonts
        cpu0, t = cpu_seconds(), time.perf_counter()
        with TesseractMeter(a.workers) as our_meter:
            report = flow(source=str(scans), report_path=None, progress=False)
        ours = time.perf_counter() - t
        ours_cpu = sum(cpu_seconds()) - sum(cpu0)
        cpu0 = cpu_seconds()
        raw_second = raw_tesseract(pages_in, a.workers, raw_out)
        raw_cpu = (raw_cpu + cpu_seconds()[1] - cpu0[1]) / 2
        t = time.perf_counter()
        flow(source=str(digital), report_path=None, progress=False)
        overhead = (time.perf_counter() - t) / max(n_digital, 1)
    finally:
        set_runtime(None)
        sw.stop()
    s = report["summary"]
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    raw = (raw_first + raw_second) / 2
    ppm_raw, ppm_ours = n_pages / raw * 60, s["pages"] / ours * 60
    print(
        f"raw tesseract ({a.workers} processes): {raw:.1f} s (runs {raw_first:.1f} s before, "
        f"{raw_second:.1f} s after sohoa), {ppm_raw:.1f} pages/min, {raw_cpu / n_pages:.2f} CPU s/page"
    )
    print(
        f"sohoa ingest  ({a.workers} workers):   {ours:.1f} s, {ppm_ours:.1f} pages/min, "
        f"{ours_cpu / s['pages']:.2f} CPU s/page, ratio {ppm_ours / ppm_raw:.2f}x "
        f"(CPU ratio {raw_cpu / n_pages / (ours_cpu / s['pages']):.2f}x)  (archived {s['archived']}, "
        f"review {s['review']}, failed {s['failed']}, quarantined {s['quarantined']})"
    )
    print(f"Tesseract slots busy: raw {raw_meter.busy:.0%}, sohoa {our_meter.busy:.0%}")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    print(f"flow overhead per born-digital document (no OCR): {overhead:.2f} s")
    print(f"peak RSS: sohoa process {rss_self:.0f} MB, largest child (tesseract/weed) {rss_child:.0f} MB")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
