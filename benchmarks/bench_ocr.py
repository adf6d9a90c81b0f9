"""OCR throughput: sohoa's page path against raw ``tesseract PAGE out -l vie pdf tsv`` on the same pages,
with the same number of parallel processes, in the same run (and OCRmyPDF when it is installed).

    .venv/bin/python benchmarks/bench_ocr.py --pages 20 --workers 2 --level clean
    .venv/bin/python benchmarks/bench_ocr.py --pages 20 --workers 2 --level scan --ocrmypdf \
        [--ocrmypdf-exe /path/to/venv/bin/ocrmypdf]

Pages are generated with ``sohoa.samples`` (one file per page, as a scanning room delivers them): clean
pages as 300 dpi PNG, degraded ones as the scanner's JPEG. Each path reads every page file once; the order
raw, sohoa, sohoa without line recovery, raw is used and the two raw runs are averaged, so load from other processes hits both sides.

OCRmyPDF (``pip install -e .[bench]``: ocrmypdf >= 17.13, which needs no Ghostscript: ``--pdfa-backend
internal --rasterizer pypdfium``) runs twice, both times ``--output-type pdfa -l vie``: once per page file
(``--jobs 1``, ``--workers`` files at once: what a per-file hot folder costs it) and once on one PDF of all
the pages (images embedded untouched) with ``--jobs N``, its own page parallelism: the peer's best case,
the one the sohoa/OCRmyPDF ratio is given for.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.ocr import read_page  # noqa: E402
from extractors.pages import open_document  # noqa: E402
from pipelines.image_pdf import jpeg_page, lossless_page, save  # noqa: E402
from pipelines.read import page_pdf_bytes, read_pages  # noqa: E402
from sohoa.samples import degrade_page, render_pages  # noqa: E402
from sohoa.samples.content import sample_fields  # noqa: E402

TYPES = ["decision", "birth_certificate", "application_form", "dossier_receipt", "building_permit"]


def make_pages(folder: Path, n: int, level: str, seed: int = 42) -> list[Path]:
    rng = random.Random(seed)
    out: list[Path] = []
    while len(out) < n:
        doc_type = TYPES[len(out) % len(TYPES)]
        for img in render_pages(doc_type, sample_fields(doc_type, rng), rng=rng):
            if level == "clean":
                p = folder / f"p{len(out):03d}.png"
                img.save(p, dpi=(300, 300))
            else:
                img, dpi = degrade_page(img, rng=rng, level=level)
                p = folder / f"p{len(out):03d}.jpg"
                img.save(p, "JPEG", quality=85, dpi=(dpi, dpi))
            out.append(p)
            if len(out) == n:
                break
    return out


def raw_tesseract(pages: list[Path], workers: int, outdir: Path) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(p: Path) -> None:
        cmd = ["tesseract", str(p), str(outdir / p.stem), "-l", "vie", "pdf", "tsv"]
        subprocess.run(cmd, check=True, capture_output=True, env=env)

    t = time.perf_counter()
    with ThreadPoolExecutor(workers) as ex:
        list(ex.map(one, pages))
    return time.perf_counter() - t


def sohoa_path(pages: list[Path], workers: int) -> tuple[float, int]:
    """Seconds, and bytes of the page PDFs made."""
    t = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        docs = list(pool.map(lambda p: read_pages(p.read_bytes(), p.name), pages))
    seconds = time.perf_counter() - t
    return seconds, sum(len(page_pdf_bytes(page) or b"") for doc in docs for page in doc)


def sohoa_without_recovery(pages: list[Path], workers: int) -> float:
    """sohoa's path with the re-reading of dropped lines switched off: what that step costs."""

    def one(p: Path) -> None:
        with open_document(p.read_bytes(), p.name) as doc:
            for page in doc.pages():
                read_page(page, recover=False)

    t = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, pages))
    return time.perf_counter() - t


def _ocrmypdf_command(exe: str | None) -> list[str] | None:
    """``ocrmypdf --output-type pdfa -l vie -q``, without Ghostscript when there is none (OCRmyPDF >= 17.13:
    PDFium renders, pikepdf makes the PDF/A, JPEGs pass through, as sohoa does); None when not installed."""
    exe = exe or shutil.which("ocrmypdf") or str(Path(sys.executable).with_name("ocrmypdf"))
    if not Path(exe).exists() and not shutil.which(exe):
        return None
    no_gs = [] if shutil.which("gs") else ["--pdfa-backend", "internal", "--rasterizer", "pypdfium"]
    return [exe, "--output-type", "pdfa", *no_gs, "-l", "vie", "-q"]


def ocrmypdf_path(pages: list[Path], workers: int, outdir: Path, exe: str | None = None) -> float | None:
    """OCRmyPDF on each page file (``--jobs 1``), ``workers`` files at once."""
    cmd = _ocrmypdf_command(exe)
    if cmd is None:
        return None
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(p: Path) -> None:
        args = [*cmd, "--jobs", "1", "--image-dpi", "300", str(p), str(outdir / f"{p.stem}.ocrmypdf.pdf")]
        subprocess.run(args, check=True, env=env)

    t = time.perf_counter()
    with ThreadPoolExecutor(workers) as ex:
        list(ex.map(one, pages))
    return time.perf_counter() - t


def ocrmypdf_document(pages: list[Path], workers: int, outdir: Path, exe: str | None = None) -> float | None:
    """OCRmyPDF on one PDF of all ``pages`` (each image embedded as it is: JPEG untouched, PNG lossless)
    with ``--jobs workers``. The time to make that PDF is not counted."""
    cmd = _ocrmypdf_command(exe)
    if cmd is None:
        return None
    import pikepdf
    from PIL import Image

    pdf = pikepdf.new()
    for p in pages:
        with Image.open(p) as img:
            dpi = float(img.info.get("dpi", (300, 300))[0]) or 300.0
            if img.format == "JPEG":
                pdf.pages.append(jpeg_page(pdf, p.read_bytes(), dpi))
            else:
                pdf.pages.append(lossless_page(pdf, img, dpi))
    source = outdir / "all-pages.pdf"
    source.write_bytes(save(pdf))
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    t = time.perf_counter()
    args = [*cmd, "--jobs", str(workers), str(source), str(outdir / "all-pages.ocrmypdf.pdf")]
    subprocess.run(args, check=True, env=env)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--level", default="clean", choices=["clean", "scan", "hard"])
    ap.add_argument(
        "--rounds", type=int, default=1, help="repeat, rotating the order; the medians are compared"
    )
    ap.add_argument("--ocrmypdf", action="store_true", help="also run OCRmyPDF as the peer")
    ap.add_argument("--ocrmypdf-exe", help="the ocrmypdf program (default: on PATH or beside this Python)")
    a = ap.parse_args()
    times: dict[str, list[float]] = {"raw": [], "sohoa": [], "plain": []}
    pdf_bytes = 0
    with tempfile.TemporaryDirectory() as td:
        folder = Path(td)
        pages = make_pages(folder, a.pages, a.level)
        input_bytes = sum(p.stat().st_size for p in pages)

        def run_ours() -> None:
            nonlocal pdf_bytes
            seconds, pdf_bytes = sohoa_path(pages, a.workers)
            times["sohoa"].append(seconds)

        paths = {
            "raw": lambda: times["raw"].append(raw_tesseract(pages, a.workers, folder)),
            "sohoa": run_ours,
            "plain": lambda: times["plain"].append(sohoa_without_recovery(pages, a.workers)),
        }
        order = ["raw", "sohoa", "plain"]
        for r in range(a.rounds):
            for name in order[r % 3 :] + order[: r % 3]:
                paths[name]()
        paths["raw"]()  # raw first and last: load from other processes hits both sides
        peer = ocrmypdf_document(pages, a.workers, folder, a.ocrmypdf_exe) if a.ocrmypdf else None
        per_file = ocrmypdf_path(pages, a.workers, folder, a.ocrmypdf_exe) if a.ocrmypdf else None
    raw, ours, plain = (statistics.median(times[k]) for k in ("raw", "sohoa", "plain"))
    ppm_raw, ppm_ours = a.pages / raw * 60, a.pages / ours * 60

    def runs(key: str) -> str:
        return " / ".join(f"{t:.1f}" for t in times[key])

    print(
        f"pages={a.pages} workers={a.workers} level={a.level} rounds={a.rounds} (medians; every run in brackets)"
    )
    print(f"raw tesseract: {raw:.1f} s ({runs('raw')})  {ppm_raw:.1f} pages/min")
    print(
        f"sohoa OCR:     {ours:.1f} s ({runs('sohoa')})  {ppm_ours:.1f} pages/min  ratio {ppm_ours / ppm_raw:.2f}x"
    )
    print(
        f"sohoa without line recovery: {plain:.1f} s ({runs('plain')})  {a.pages / plain * 60:.1f} pages/min  "
        f"ratio {raw / plain:.2f}x (recovery costs {ours / plain:.2f}x the time)"
    )
    print(f"page PDFs: {pdf_bytes / input_bytes:.2f}x the input bytes ({pdf_bytes} / {input_bytes})")
    if peer is not None:
        ppm_peer = a.pages / peer * 60
        print(
            f"OCRmyPDF --jobs {a.workers} (one PDF): {peer:.1f} s  {ppm_peer:.1f} pages/min  "
            f"sohoa/OCRmyPDF {ppm_ours / ppm_peer:.2f}x  raw/OCRmyPDF {ppm_raw / ppm_peer:.2f}x"
        )
    if per_file is not None:
        ppm_file = a.pages / per_file * 60
        print(
            f"OCRmyPDF per page file ({a.workers} at once, --jobs 1): {per_file:.1f} s  {ppm_file:.1f} pages/min  "
            f"sohoa/OCRmyPDF {ppm_ours / ppm_file:.2f}x"
        )


if __name__ == "__main__":
    main()
