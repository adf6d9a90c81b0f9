"""OCR throughput: sohoa's page path against raw ``tesseract PAGE out -l vie pdf tsv`` on the same pages,
with the same number of parallel processes, in the same run.

    .venv/bin/python benchmarks/bench_ocr.py --pages 20 --workers 2 [--level clean|scan]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"

from sohoa.samples.generate import random_fields  # noqa: E402

from pipelines.read import read_pages  # noqa: E402
from sohoa.samples import degrade_page, render_pages  # noqa: E402

TYPES = ["decision", "birth_certificate", "application_form", "dossier_receipt", "building_permit"]


def make_pages(folder: Path, n: int, level: str) -> list[Path]:
    rng = random.Random(42)
    out: list[Path] = []
    while len(out) < n:
        doc_type = TYPES[len(out) % len(TYPES)]
        for img in render_pages(doc_type, random_fields(doc_type, rng), rng=rng):
            if level != "clean":
                img, dpi = degrade_page(img, rng=rng, level=level)
            else:
                dpi = 300
            p = folder / f"p{len(out):03d}.png"
            img.save(p, dpi=(dpi, dpi))
            out.append(p)
            if len(out) == n:
                break
    return out


def raw_tesseract(pages: list[Path], workers: int, outdir: Path) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(p: Path) -> None:
        subprocess.run(
            ["tesseract", str(p), str(outdir / p.stem), "-l", "vie", "pdf", "tsv"],
            check=True,
            capture_output=True,
            env=env,
        )

    t = time.perf_counter()
    with ThreadPoolExecutor(workers) as ex:
        list(ex.map(one, pages))
    return time.perf_counter() - t


def sohoa_path(pages: list[Path], workers: int) -> float:
    t = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        for p in pages:  # one document per page, as a scanning room delivers them
            read_pages(p.read_bytes(), p.name, pool=pool, workers=workers)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--level", default="clean")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as td:
        folder = Path(td)
        pages = make_pages(folder, a.pages, a.level)
        raw = raw_tesseract(pages, a.workers, folder)
        ours = sohoa_path(pages, a.workers)
    ppm_raw, ppm_ours = a.pages / raw * 60, a.pages / ours * 60
    print(f"pages={a.pages} workers={a.workers} level={a.level}")
    print(f"raw tesseract: {raw:.1f} s  {ppm_raw:.1f} pages/min")
    print(f"sohoa OCR:     {ours:.1f} s  {ppm_ours:.1f} pages/min  ratio {ppm_ours / ppm_raw:.2f}x")


if __name__ == "__main__":
    main()
