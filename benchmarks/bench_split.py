"""Cost of batch capture (separator detection + split + reconciliation) against OCR, on a generated stack.

    OMP_THREAD_LIMIT=1 .venv/bin/python benchmarks/bench_split.py [--pages 200] [--ocr-sample 6]

OCR is measured on a sample of content pages (the real read_pages, one worker) and extrapolated to the
stack; the target is batch capture < 5 % of the OCR time.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from pipelines.inventory import load_inventory, reconcile  # noqa: E402
from pipelines.read import read_pages  # noqa: E402
from pipelines.split import scan_page, slice_stack, split_stack  # noqa: E402
from sohoa.samples.stacks import generate_stack  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--ocr-sample", type=int, default=6)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    t0 = time.perf_counter()
    stack = generate_stack(seed=args.seed, dossiers=10_000, docs_per_dossier=(1, 3), max_pages=args.pages)
    print(
        f"generated {len(stack)} pages ({len(stack.scanned())} dossiers) in {time.perf_counter() - t0:.0f} s"
    )
    data = stack.to_pdf()
    with tempfile.TemporaryDirectory() as tmp:
        inv_path = stack.write_inventory_csv(Path(tmp) / "inventory.csv")
        images = list(stack.images())  # decoding is part of reading the stack anyway: not counted
        t1 = time.perf_counter()
        pages = [scan_page(i, img, stack.dpi) for i, img in enumerate(images)]
        t2 = time.perf_counter()
        inventory = load_inventory(inv_path)
        result = split_stack(pages, inventory=inventory)
        recon = reconcile(inventory, result.captured(inventory.unit))
        t3 = time.perf_counter()
    content = [p for d in result.dossiers for doc in d.documents for p in doc.pages]
    sample = content[:: max(1, len(content) // args.ocr_sample)][: args.ocr_sample]
    piece, name = slice_stack(data, "stack.pdf", sample)
    t4 = time.perf_counter()
    read_pages(piece, name)
    ocr_per_page = (time.perf_counter() - t4) / len(sample)
    ocr_total = ocr_per_page * len(content)
    capture = t3 - t1
    print(f"separator + blank detection: {t2 - t1:.2f} s ({(t2 - t1) / len(stack) * 1000:.0f} ms/page)")
    print(
        f"split + inventory + reconcile: {(t3 - t2) * 1000:.1f} ms; flags: {len(result.flags)}; ok: {recon.ok}"
    )
    print(
        f"OCR: {ocr_per_page:.2f} s/page on {len(sample)} pages -> {ocr_total:.0f} s for {len(content)} pages"
    )
    print(f"batch capture = {100 * capture / ocr_total:.2f} % of the OCR time (target < 5 %)")


if __name__ == "__main__":
    main()
