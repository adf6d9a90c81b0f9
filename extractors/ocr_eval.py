"""OCR character accuracy on a generated data set (``sohoa.samples.generate_dataset``), page by page.

Character accuracy = 1 - Levenshtein(truth, read) / len(truth), over NFC text with runs of white space made
one space. Both sides are put in the same geometric reading order (lines top to bottom, pieces of a line
left to right) so that a two-column heading read column by column is not counted as errors. Overall
accuracy sums the edits and the characters of every page (long pages weigh more).
"""

from __future__ import annotations

import json
import statistics
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from pipelines.errors import BadInputError
from pipelines.model import PageText, Word
from pipelines.read import read_pages


@dataclass
class PageAccuracy:
    file: str
    page: int  # 1-based
    source: str  # "ocr" or "text_layer"
    chars: int  # characters of the truth
    errors: int  # Levenshtein edits
    accuracy: float
    confidence: float
    notes: list[str] = field(default_factory=list)


@dataclass
class OcrEvalReport:
    dataset: str
    lang: str
    workers: int
    seconds: float
    pages: list[PageAccuracy]

    @property
    def chars(self) -> int:
        return sum(p.chars for p in self.pages)

    @property
    def errors(self) -> int:
        return sum(p.errors for p in self.pages)

    @property
    def accuracy(self) -> float:
        return 1.0 - self.errors / self.chars if self.chars else 1.0

    @property
    def pages_per_minute(self) -> float:
        return len(self.pages) / self.seconds * 60 if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "lang": self.lang,
            "workers": self.workers,
            "pages": [asdict(p) for p in self.pages],
            "overall": {
                "pages": len(self.pages),
                "chars": self.chars,
                "errors": self.errors,
                "accuracy": round(self.accuracy, 5),
                "worst_page_accuracy": round(min((p.accuracy for p in self.pages), default=1.0), 5),
                "median_page_accuracy": round(statistics.median(p.accuracy for p in self.pages), 5)
                if self.pages
                else 1.0,
                "seconds": round(self.seconds, 2),
                "pages_per_minute": round(self.pages_per_minute, 1),
            },
        }

    def to_text(self) -> str:
        rows = [f"{'file':<40} {'page':>4} {'source':<10} {'chars':>6} {'errors':>6} {'accuracy':>9}  notes"]
        for p in self.pages:
            rows.append(
                f"{p.file:<40} {p.page:>4} {p.source:<10} {p.chars:>6} {p.errors:>6} "
                f"{p.accuracy * 100:>8.2f}%  {'; '.join(p.notes)}"
            )
        rows.append(
            f"overall: {len(self.pages)} pages, {self.chars} characters, {self.errors} errors, "
            f"character accuracy {self.accuracy * 100:.2f} %, {self.pages_per_minute:.1f} pages/min "
            f"({self.workers} workers, {self.seconds:.1f} s)"
        )
        return "\n".join(rows)


def normalise(text: str) -> str:
    """NFC, white space runs made one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def char_errors(truth: str, read: str) -> tuple[int, int]:
    """(Levenshtein edits, characters of the truth) after ``normalise``."""
    t, r = normalise(truth), normalise(read)
    return Levenshtein.distance(t, r), len(t)


def char_accuracy(truth: str, read: str) -> float:
    """1 - edits / len(truth), floored at 0 (1.0 when both are empty)."""
    errors, chars = char_errors(truth, read)
    if chars == 0:
        return 1.0 if not normalise(read) else 0.0
    return max(0.0, 1.0 - errors / chars)


def reading_order_text(page: PageText) -> str:
    """The page's words in geometric order: Tesseract lines clustered by height on the page, left to right."""
    lines: dict[int, list[Word]] = {}
    for w in page.words:
        lines.setdefault(w.line, []).append(w)
    boxes = []
    for words in lines.values():
        top = min(w.bbox[1] for w in words)
        bottom = max(w.bbox[3] for w in words)
        left = min(w.bbox[0] for w in words)
        boxes.append((top, bottom, left, " ".join(w.text for w in sorted(words, key=lambda w: w.bbox[0]))))
    rows: list[list[tuple[int, int, int, str]]] = []
    for box in sorted(boxes, key=lambda b: ((b[0] + b[1]) / 2, b[2])):
        if rows:
            last = rows[-1][0]
            centre, height = (box[0] + box[1]) / 2, max(1, last[1] - last[0])
            if abs(centre - (last[0] + last[1]) / 2) <= 0.5 * height:
                rows[-1].append(box)
                continue
        rows.append([box])
    return "\n".join(" ".join(b[3] for b in sorted(row, key=lambda b: b[2])) for row in rows)


def load_manifest(dataset_dir: Path) -> list[dict[str, Any]]:
    path = dataset_dir / "manifest.jsonl"
    if not path.is_file():
        raise BadInputError(f"{dataset_dir} has no manifest.jsonl: generate the data set with sohoa.samples")
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if any("texts" not in e for e in entries):
        raise BadInputError(
            f"the manifest of {dataset_dir} has no page texts: generate the data set again with this version"
        )
    return entries


def evaluate_ocr(dataset_dir: Path, *, lang: str = "vie", workers: int = 2) -> OcrEvalReport:
    """Read every document of the data set with sohoa's page path and compare each page with its truth.

    Documents run in parallel on ``workers`` threads (one single-threaded Tesseract each).
    """
    dataset_dir = Path(dataset_dir)
    entries = load_manifest(dataset_dir)

    def one(entry: dict[str, Any]) -> list[PageAccuracy]:
        data = (dataset_dir / entry["file"]).read_bytes()
        pages = read_pages(data, entry["file"], lang=lang)
        out = []
        for page, truth in zip(pages, entry["texts"], strict=False):
            errors, chars = char_errors(truth, reading_order_text(page))
            out.append(
                PageAccuracy(
                    file=entry["file"],
                    page=page.index + 1,
                    source=page.source,
                    chars=chars,
                    errors=errors,
                    accuracy=max(0.0, 1.0 - errors / chars) if chars else 1.0,
                    confidence=round(page.mean_confidence, 3),
                    notes=list(page.notes),
                )
            )
        return out

    start = time.perf_counter()
    with ThreadPoolExecutor(max(1, workers)) as pool:
        results = list(pool.map(one, entries))
    seconds = time.perf_counter() - start
    return OcrEvalReport(
        dataset=str(dataset_dir),
        lang=lang,
        workers=workers,
        seconds=seconds,
        pages=[p for r in results for p in r],
    )
