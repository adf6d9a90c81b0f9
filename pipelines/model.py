"""The domain model shared by every stage.

Coordinates: a page's pixel grid at ``PageText.dpi``; a box is ``(x0, y0, x1, y1)`` with the origin at
the top left. Text-layer pages use the same convention at 72 dpi (PDF points).
All text is Unicode NFC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Literal

BBox = tuple[int, int, int, int]


class Status(StrEnum):
    PENDING = "pending"
    ARCHIVED = "archived"
    REVIEW = "review"
    FAILED = "failed"
    QUARANTINED = "quarantined"
    # Decisions of a person in the web application (sohoa/web): refused for good, or waiting for a new scan.
    REJECTED = "rejected"
    RESCAN = "rescan"
    # Replaced by a rescan (``sohoa ingest --replace``); its original and archived versions stay in storage.
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class SourceFile:
    """One input file of a batch."""

    path: Path  # where the bytes are read from
    rel: str  # path relative to SOURCE, '/' separators (the report's ``source``)
    dossier: str | None  # the dossier folder (relative to SOURCE), None for loose files


@dataclass
class DossierInfo:
    """What the reception desk knows about a dossier (``dossier.json``), merged with the folder name."""

    folder: str
    code: str | None = None
    title: str | None = None
    procedure: str | None = None
    applicant_name: str | None = None
    applicant_id: str | None = None
    received_date: str | None = None  # ISO date
    due_date: str | None = None  # ISO date
    # From the archive's inventory (mục lục hồ sơ), for the archive metadata of Thông tư 05/2025/TT-BNV.
    start_date: str | None = None  # ISO date
    end_date: str | None = None  # ISO date
    retention: str | None = None  # as written: "Vĩnh viễn", "20 năm"
    access_mode: str | None = None  # "Công khai", "Hạn chế" ...
    original_code: str | None = None  # code of the paper dossier, when it differs


@dataclass
class Word:
    text: str
    confidence: float  # 0..1
    bbox: BBox
    line: int  # line number within the page, reading order, 0-based
    block: int = 0


@dataclass
class PageText:
    """The text of one page, from OCR or from a PDF text layer."""

    index: int  # 0-based page number in the document
    width: int
    height: int
    dpi: int
    source: Literal["ocr", "text_layer"]
    words: list[Word]
    text: str  # NFC, lines separated by '\n'
    mean_confidence: float  # 0..1; 1.0 for a text layer
    # One-page searchable PDF (image + invisible text) made by the same OCR pass: its bytes, or the file
    # holding them once the ingest spilled it to the document's spool (pipelines.read.PageSpool).
    # pipelines.read.page_pdf_bytes reads either.
    pdf: bytes | Path | None = None
    blank: bool = False
    notes: list[str] = field(default_factory=list)  # what preparation did, quality remarks
    rescan: list[str] = field(default_factory=list)  # why this sheet should go back on the scanner

    def lines(self) -> list[list[Word]]:
        """Words grouped by line, in reading order."""
        out: dict[int, list[Word]] = {}
        for w in self.words:
            out.setdefault(w.line, []).append(w)
        return [sorted(ws, key=lambda w: w.bbox[0]) for _, ws in sorted(out.items())]


@dataclass
class Classification:
    doc_type: str  # a key of document-types.md, or "other"
    confidence: float  # 0..1
    scores: dict[str, float] = field(default_factory=dict)


@dataclass
class Field:
    key: str
    value: str  # in the conventions of document-types.md
    confidence: float  # 0..1; a value that failed validation is never confident
    raw: str = ""  # the text as read
    page: int | None = None
    bbox: BBox | None = None
    source: Literal["ocr", "text_layer", "officer", "dossier"] = "ocr"
    problems: list[str] = field(default_factory=list)  # validation messages in plain words

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass
class ArchiveRecord:
    bucket: str
    key: str
    version_id: str | None
    sha256: str  # of the signed PDF
    retain_until: datetime | None = None


@dataclass
class StoredObject:
    bucket: str
    key: str
    version_id: str | None
    sha256: str
    size: int


@dataclass
class SignatureInfo:
    level: str  # e.g. "PAdES-BASELINE-B"
    signed_at: datetime
    signer: str  # subject common name of the signing certificate


@dataclass
class DocumentResult:
    """One row of the batch report (interfaces.md)."""

    id: str
    source: str
    sha256: str
    dossier_code: str | None
    status: Status
    error: str | None = None
    pages: int = 0
    doc_type: str | None = None
    doc_type_confidence: float | None = None
    fields: dict[str, Field] = field(default_factory=dict)
    archive: ArchiveRecord | None = None
    signature: SignatureInfo | None = None
    review_reasons: list[str] = field(default_factory=list)
    to_rescan: list[str] = field(default_factory=list)
    sequence: int | None = (
        None  # 1-based position in its dossier: the archive file name <code>.<sequence>.pdf
    )
    approved_by: str | None = None  # the officer who approved a reviewed document for signing
    replaces: str | None = None  # the document this rescan replaces (``sohoa ingest --replace``)
    rescan_pages: list[int] = field(default_factory=list)  # 1-based pages listed in ``to_rescan``
