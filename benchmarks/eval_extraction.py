"""Classification and field extraction measured on generated documents read by the real OCR.

Seeds >= 10_000 are the held-out split (never tuned on); use seeds below it while developing.

    .venv/bin/python benchmarks/eval_extraction.py --n 45 --seed 10000 --degrade scan [--model FILE] [--json]

The data set is generated under ``--work`` (default /tmp/sohoa-eval/<degrade>-<seed>-<n>) and the OCR'd pages
are cached there (``pages.pkl``) so that tuning the extractors does not pay for OCR again; ``--fresh`` re-reads.
Numeric fields that fail validation are re-read digit-only from the files (``extractors.reread``), as in
production, unless ``--no-reread``.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractors.evaluation import ManifestEntry, evaluate_pages, read_all, read_manifest  # noqa: E402
from pipelines.model import PageText  # noqa: E402
from sohoa.samples import generate_dataset  # noqa: E402


def load_pages(
    work: Path, entries: list[ManifestEntry], workers: int, fresh: bool
) -> list[tuple[ManifestEntry, list[PageText] | Exception]]:
    cache = work / "pages.pkl"
    if cache.is_file() and not fresh:
        with cache.open("rb") as fh:
            by_file: dict[str, list[PageText] | Exception] = pickle.load(fh)
        if all(e.file in by_file for e in entries):
            return [(e, by_file[e.file]) for e in entries]
    items = read_all(work, entries, workers=workers)
    with cache.open("wb") as fh:
        pickle.dump({e.file: p for e, p in items}, fh)
    return items


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=45)
    ap.add_argument("--seed", type=int, default=10_000)
    ap.add_argument("--degrade", default="scan", choices=["clean", "scan", "hard", "mixed"])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--work", type=Path)
    ap.add_argument("--model", type=Path, help="a classifier trained by extractors.model.train")
    ap.add_argument("--fresh", action="store_true", help="read the files again instead of the cached pages")
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--no-reread",
        action="store_true",
        help="no digit-only re-read of numeric fields that fail validation",
    )
    args = ap.parse_args()
    work = args.work or Path("/tmp/sohoa-eval") / f"{args.degrade}-{args.seed}-{args.n}"
    if not (work / "manifest.jsonl").is_file():
        generate_dataset(work, n=args.n, seed=args.seed, degrade=args.degrade)
    entries = read_manifest(work)
    started = time.perf_counter()
    items = load_pages(work, entries, args.workers, args.fresh)
    ocr_seconds = time.perf_counter() - started
    scorer = None
    if args.model:
        from extractors.model import load_scorer

        scorer = load_scorer(args.model)
    report = evaluate_pages(str(work), items, scorer=scorer, dataset_dir=None if args.no_reread else work)
    report.seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.to_text())
        print(f"\n(reading pages: {ocr_seconds:.0f} s; held-out: {'yes' if args.seed >= 10_000 else 'NO'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
