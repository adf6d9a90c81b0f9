"""Character accuracy of sohoa's OCR path on generated pages, per degradation level.

    .venv/bin/python benchmarks/eval_ocr.py --docs 16 --levels clean scan hard [--workers 2] [--json FILE]

Generates ``--docs`` documents per level with ``sohoa.samples.generate_dataset`` (A4 document types; the
citizen ID card's small print is measured separately by the classification tests), reads them with the same
path as ``sohoa ingest`` and prints per-page and overall accuracy (``extractors.ocr_eval``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.ocr_eval import evaluate_ocr  # noqa: E402
from sohoa.samples import DOC_TYPES, generate_dataset  # noqa: E402

A4_TYPES = [t for t in DOC_TYPES if t != "citizen_id"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=16)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--levels", nargs="+", default=["clean", "scan", "hard"])
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", type=Path, help="write every report here")
    a = ap.parse_args()
    reports = {}
    with tempfile.TemporaryDirectory() as td:
        for level in a.levels:
            folder = Path(td) / level
            generate_dataset(folder, n=a.docs, seed=a.seed, types=A4_TYPES, degrade=level)
            report = evaluate_ocr(folder, workers=a.workers)
            reports[level] = report.to_dict()
            print(f"== {level}")
            print(report.to_text())
    print("== summary")
    for level, data in reports.items():
        o = data["overall"]
        print(
            f"{level:>6}: {o['accuracy'] * 100:.2f} % over {o['pages']} pages, {o['pages_per_minute']} pages/min"
        )
    if a.json:
        a.json.write_text(json.dumps(reports, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
