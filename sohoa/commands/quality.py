"""Measuring and teaching the machine: ``sohoa eval``, ``sohoa eval-ocr``, ``sohoa train``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sohoa.settings import Settings


def model_path(settings: Settings) -> Path:
    return settings.data_dir / "models" / "doctype.pkl"


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from extractors.evaluation import evaluate
    from extractors.model import load_scorer

    report = evaluate(
        Path(args.dataset),
        lang=settings.ocr_lang,
        workers=settings.workers,
        scorer=load_scorer(model_path(settings)),
        threshold=settings.review_threshold,
    )
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if args.json else report.to_text())
    return 0


def cmd_eval_ocr(args: argparse.Namespace, settings: Settings) -> int:
    from extractors.ocr_eval import evaluate_ocr

    report = evaluate_ocr(Path(args.dataset), lang=settings.ocr_lang, workers=settings.workers)
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if args.json else report.to_text())
    return 0


def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    """From a labelled data set, or from what officers confirmed (archived documents) in the database."""
    from extractors.model import train

    if args.dataset:
        from concurrent.futures import ThreadPoolExecutor

        from extractors.evaluation import read_manifest
        from pipelines.read import read_pages

        root = Path(args.dataset)
        with ThreadPoolExecutor(settings.workers) as pool:
            examples = [
                (
                    read_pages(
                        (root / item.file).read_bytes(), item.file, pool=pool, workers=settings.workers
                    ),
                    item.doc_type,
                )
                for item in read_manifest(root)
            ]
    else:
        from sohoa.cli import _runtime
        from storage import repository as repo

        rt = _runtime(settings)
        with rt.db.session() as s:
            examples = repo.confirmed_examples(s)
    report = train(examples, model_path(settings))
    print(report.to_text())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("eval", help="type accuracy and field precision/recall/F1 on a labelled data set")
    s.add_argument("dataset", help="a folder with manifest.jsonl")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser("eval-ocr", help="character accuracy of the OCR on a data set with ground-truth text")
    s.add_argument("dataset", help="a folder with manifest.jsonl carrying page texts (sohoa.samples)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_eval_ocr)

    s = sub.add_parser("train", help="retrain the document-type model (stored in DATA_DIR/models)")
    s.add_argument(
        "dataset", nargs="?", help="a labelled data set; default: documents confirmed in the database"
    )
    s.set_defaults(func=cmd_train)
