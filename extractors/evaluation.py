"""Evaluation of classification and field extraction on a labelled data set (``sohoa eval DATASET``).

A data set is a folder with ``manifest.jsonl``: one JSON object per line, ``{"file": ..., "doc_type": ...,
"fields": {...}}`` (ground truth in the conventions of document-types.md). Every file is read by the real
pipeline path (``pipelines.read.read_pages``: text layer or prepare + Tesseract), classified, and its fields
extracted *for the type the classifier chose* (a misclassified document loses its fields, as in production).

Values are compared as the spec says: NFC, whitespace collapsed, case-insensitive, leading and trailing
punctuation ignored; codes compare with spaces removed. Reported: type accuracy, per type field precision /
recall / F1, precision of the fields reported with high confidence (>= the review threshold), and the worst
misses (values are shown: the report is for the people who tune the extractors, not for logs).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from extractors.classify import Scorer, classify
from extractors.fields import extract_fields
from extractors.normalize import clean_text
from extractors.reread import Rereader
from pipelines.errors import BadInputError
from pipelines.model import Field, PageText

REVIEW_THRESHOLD = 0.80  # sohoa.settings review_threshold: below it a field goes to a person
_SPACE_RE = re.compile(r"\s+")
_CODE_KEYS = {
    "personal_id",
    "husband_id",
    "wife_id",
    "holder_id",
    "applicant_id",
    "enterprise_code",
    "serial_number",
    "dossier_code",
}


@dataclass(frozen=True)
class ManifestEntry:
    file: str
    doc_type: str
    fields: dict[str, str]


def read_manifest(dataset_dir: Path) -> list[ManifestEntry]:
    path = dataset_dir / "manifest.jsonl"
    if not path.is_file():
        raise BadInputError(f"no manifest.jsonl in {dataset_dir}: a data set is a folder with a manifest")
    out: list[ManifestEntry] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            out.append(ManifestEntry(str(obj["file"]), str(obj["doc_type"]), dict(obj.get("fields") or {})))
        except (ValueError, KeyError, TypeError) as exc:
            raise BadInputError(f"manifest.jsonl line {n} is not a valid entry: {exc}") from exc
    return out


def comparable(key: str, value: str) -> str:
    """The comparison form of a value: NFC, whitespace collapsed, case folded, edge punctuation dropped."""
    text = clean_text(value).casefold()
    if key in _CODE_KEYS:
        text = _SPACE_RE.sub("", text)
    return text


def same_value(key: str, expected: str, got: str) -> bool:
    return comparable(key, expected) == comparable(key, got)


@dataclass
class Counts:
    expected: int = 0  # ground-truth fields
    reported: int = 0  # fields the extractor returned
    correct: int = 0  # reported and equal to the truth
    confident: int = 0  # reported with confidence >= threshold
    confident_correct: int = 0

    def add(self, other: Counts) -> None:
        for k in ("expected", "reported", "correct", "confident", "confident_correct"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    @property
    def precision(self) -> float:
        return self.correct / self.reported if self.reported else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def confident_precision(self) -> float:
        return self.confident_correct / self.confident if self.confident else 1.0

    @property
    def coverage(self) -> float:
        """Share of the ground-truth fields filled in with high confidence and right (no review needed)."""
        return self.confident_correct / self.expected if self.expected else 1.0


@dataclass
class Miss:
    file: str
    doc_type: str
    key: str
    expected: str | None  # None: the field is not in the ground truth (an extra field)
    got: str | None  # None: not found
    confidence: float | None

    @property
    def severity(self) -> float:
        """Wrong values reported confidently are the worst; then wrong values; then missing ones."""
        if self.got is None:
            return 0.5
        return 1.0 + (self.confidence or 0.0)


@dataclass
class DocumentOutcome:
    file: str
    doc_type: str
    predicted: str
    type_confidence: float
    counts: Counts
    misses: list[Miss]
    error: str | None = None
    seconds: float = 0.0


@dataclass
class EvalReport:
    dataset: str
    documents: list[DocumentOutcome] = field(default_factory=list)
    threshold: float = REVIEW_THRESHOLD
    seconds: float = 0.0
    rereads: int = 0  # boxes read again digit-only (numeric fields that failed validation)

    # --- aggregates --------------------------------------------------------------------------------------

    @property
    def type_accuracy(self) -> float:
        docs = self.documents
        return sum(d.predicted == d.doc_type for d in docs) / len(docs) if docs else 1.0

    def per_type(self) -> dict[str, tuple[int, int, Counts]]:
        """doc_type -> (documents, correctly typed, field counts)."""
        out: dict[str, tuple[int, int, Counts]] = {}
        for d in self.documents:
            n, ok, counts = out.get(d.doc_type, (0, 0, Counts()))
            counts.add(d.counts)
            out[d.doc_type] = (n + 1, ok + (d.predicted == d.doc_type), counts)
        return dict(sorted(out.items()))

    def total(self) -> Counts:
        total = Counts()
        for d in self.documents:
            total.add(d.counts)
        return total

    def worst_misses(self, limit: int = 15) -> list[Miss]:
        misses = [m for d in self.documents for m in d.misses]
        return sorted(misses, key=lambda m: -m.severity)[:limit]

    # --- output ------------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        total = self.total()
        return {
            "dataset": self.dataset,
            "documents": len(self.documents),
            "seconds": round(self.seconds, 1),
            "threshold": self.threshold,
            "rereads": self.rereads,
            "type_accuracy": round(self.type_accuracy, 4),
            "fields": _counts_dict(total),
            "per_type": {
                t: {"documents": n, "type_accuracy": round(ok / n, 4), **_counts_dict(c)}
                for t, (n, ok, c) in self.per_type().items()
            },
            "errors": [{"file": d.file, "error": d.error} for d in self.documents if d.error],
            "worst_misses": [asdict(m) for m in self.worst_misses()],
        }

    def to_text(self) -> str:
        total = self.total()
        lines = [
            f"Data set {self.dataset}: {len(self.documents)} documents in {self.seconds:.0f} s",
            f"Type accuracy {self.type_accuracy:.1%}   fields: P {total.precision:.3f} R {total.recall:.3f} "
            f"F1 {total.f1:.3f}   high-confidence (>= {self.threshold:.2f}) precision "
            f"{total.confident_precision:.3f} on {total.confident} fields, "
            f"{total.coverage:.1%} of all fields need no review; {self.rereads} digit-only re-read(s)",
            "",
            f"{'type':<24}{'docs':>5}{'type ok':>9}{'P':>7}{'R':>7}{'F1':>7}{'conf P':>8}{'no-review':>10}",
        ]
        for t, (n, ok, c) in self.per_type().items():
            lines.append(
                f"{t:<24}{n:>5}{ok / n:>9.0%}{c.precision:>7.3f}{c.recall:>7.3f}{c.f1:>7.3f}"
                f"{c.confident_precision:>8.3f}{c.coverage:>10.1%}"
            )
        errors = [d for d in self.documents if d.error]
        if errors:
            lines += ["", "Unreadable files:"] + [f"  {d.file}: {d.error}" for d in errors]
        misses = self.worst_misses()
        if misses:
            lines += ["", "Worst misses (file, field: expected -> got [confidence]):"]
            for m in misses:
                conf = f"{m.confidence:.2f}" if m.confidence is not None else "-"
                lines.append(f"  {m.file} {m.key}: {m.expected!r} -> {m.got!r} [{conf}]")
        return "\n".join(lines)


def _counts_dict(c: Counts) -> dict[str, float | int]:
    return {
        "expected": c.expected,
        "reported": c.reported,
        "correct": c.correct,
        "precision": round(c.precision, 4),
        "recall": round(c.recall, 4),
        "f1": round(c.f1, 4),
        "confident": c.confident,
        "confident_precision": round(c.confident_precision, 4),
        "no_review": round(c.coverage, 4),
    }


def score_document(
    entry: ManifestEntry,
    predicted: str,
    type_confidence: float,
    fields: dict[str, Field],
    threshold: float = REVIEW_THRESHOLD,
) -> DocumentOutcome:
    """Compare the extracted fields of one document with its ground truth."""
    counts = Counts(expected=len(entry.fields), reported=len(fields))
    misses: list[Miss] = []
    for key, f in fields.items():
        confident = f.confidence >= threshold
        counts.confident += confident
        expected = entry.fields.get(key)
        if expected is not None and same_value(key, expected, f.value):
            counts.correct += 1
            counts.confident_correct += confident
        else:
            misses.append(Miss(entry.file, entry.doc_type, key, expected, f.value, f.confidence))
    for key, expected in entry.fields.items():
        if key not in fields:
            misses.append(Miss(entry.file, entry.doc_type, key, expected, None, None))
    return DocumentOutcome(entry.file, entry.doc_type, predicted, type_confidence, counts, misses)


PageReader = Callable[[ManifestEntry], list[PageText]]


def pipeline_reader(
    dataset_dir: Path, *, lang: str = "vie", workers: int = 2
) -> tuple[PageReader, ThreadPoolExecutor]:
    """Read a manifest entry's file as ``sohoa ingest`` does. The caller shuts the pool down."""
    from pipelines.read import read_pages

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    pool = ThreadPoolExecutor(max(1, workers))

    def read(entry: ManifestEntry) -> list[PageText]:
        path = dataset_dir / entry.file
        return read_pages(path.read_bytes(), path.name, lang=lang, pool=pool, workers=workers)

    return read, pool


def evaluate_pages(
    dataset: str,
    items: Iterable[tuple[ManifestEntry, list[PageText] | Exception]],
    *,
    scorer: Scorer | None = None,
    threshold: float = REVIEW_THRESHOLD,
    dataset_dir: Path | None = None,
) -> EvalReport:
    """Classify and extract already-read documents and score them (the OCR-free half of ``evaluate``).

    With ``dataset_dir`` (where the files are) a numeric field that fails validation is re-read digit-only
    from its file (``extractors.reread``), as in production."""
    report = EvalReport(dataset, threshold=threshold)
    for entry, pages in items:
        if isinstance(pages, Exception):
            outcome = score_document(entry, "other", 0.0, {}, threshold)
            outcome.error = str(pages)
        else:
            started = time.perf_counter()
            result = classify(pages, scorer=scorer)
            reread = _rereader(dataset_dir, entry)
            try:
                fields = extract_fields(result.doc_type, pages, reread=reread)
            finally:
                if reread is not None:
                    report.rereads += reread.count
                    reread.close()
            outcome = score_document(entry, result.doc_type, result.confidence, fields, threshold)
            outcome.seconds = time.perf_counter() - started
        report.documents.append(outcome)
    return report


def _rereader(dataset_dir: Path | None, entry: ManifestEntry) -> Rereader | None:
    if dataset_dir is None:
        return None
    path = dataset_dir / entry.file
    return Rereader(path.read_bytes(), path.name) if path.is_file() else None


def read_all(
    dataset_dir: Path, entries: Sequence[ManifestEntry], *, lang: str = "vie", workers: int = 2
) -> list[tuple[ManifestEntry, list[PageText] | Exception]]:
    """Every entry's pages (or the error that made its file unreadable)."""
    reader, pool = pipeline_reader(dataset_dir, lang=lang, workers=workers)
    out: list[tuple[ManifestEntry, list[PageText] | Exception]] = []
    try:
        for entry in entries:
            try:
                out.append((entry, reader(entry)))
            except Exception as exc:  # noqa: BLE001 - one unreadable file must not stop an evaluation
                out.append((entry, exc))
    finally:
        pool.shutdown()
    return out


def evaluate(
    dataset_dir: Path,
    *,
    lang: str = "vie",
    workers: int = 2,
    scorer: Scorer | None = None,
    threshold: float = REVIEW_THRESHOLD,
) -> EvalReport:
    """Read every file of the data set with the real pipeline, classify, extract, and compare with the truth."""
    started = time.perf_counter()
    entries = read_manifest(dataset_dir)
    report = evaluate_pages(
        str(dataset_dir),
        read_all(dataset_dir, entries, lang=lang, workers=workers),
        scorer=scorer,
        threshold=threshold,
        dataset_dir=dataset_dir,
    )
    report.seconds = time.perf_counter() - started
    return report
