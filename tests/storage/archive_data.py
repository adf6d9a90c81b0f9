"""Archived dossiers for the archive tests: documents saved through the repository, their signed copies put in
the real archive bucket with the metadata the archive step writes (see flows/document.py ``archive_task``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from pipelines.model import DocumentResult, DossierInfo, Field, PageText, SignatureInfo, Status
from storage import repository as repo
from storage.db.database import Database
from storage.objects import ObjectStore

SIGNED_AT = datetime(2025, 3, 15, 9, 30, tzinfo=UTC)


@dataclass
class Doc:
    doc_type: str
    fields: dict[str, str]
    pages: int = 1


def signed_pdf(doc_id: str, size: int = 2000) -> bytes:
    body = f"%PDF-1.7\n% {doc_id} Quyết định — Nguyễn Thị Ánh\n".encode()
    filler = hashlib.sha256(doc_id.encode()).digest() * (size // 32 + 1)
    return body + filler[: max(0, size - len(body))] + b"\n%%EOF\n"


def page(i: int) -> PageText:
    return PageText(
        index=i, width=2480, height=3508, dpi=300, source="ocr", words=[], text="", mean_confidence=0.9
    )


def archive_dossier(
    database: Database,
    store: ObjectStore,
    code: str,
    docs: list[Doc],
    *,
    title: str = "Hồ sơ cấp giấy phép",
    inventory: dict[str, str] | None = None,
) -> tuple[str, list[str]]:
    """Save and archive the documents of one dossier; returns (dossier id, document ids in sequence).
    ``inventory``: what the archive's inventory says of the dossier (DossierInfo fields)."""
    ids: list[str] = []
    with database.session() as s:
        repo.record_batch_start(s, "batch-a", "/scans", SIGNED_AT)
        info = DossierInfo(
            folder=code, code=code, title=title, received_date="2025-03-10", **(inventory or {})
        )
        dossier_id = repo.upsert_dossier(s, info)
    for seq, d in enumerate(docs, start=1):
        doc_id = f"{code}-{seq}"
        original = f"original of {doc_id}".encode()
        result = DocumentResult(
            id=doc_id,
            source=f"{code}/{seq}.pdf",
            sha256=hashlib.sha256(original).hexdigest(),
            dossier_code=code,
            status=Status.REVIEW,
            pages=d.pages,
            doc_type=d.doc_type,
            doc_type_confidence=0.97,
            fields={k: Field(k, v, 0.95, page=0) for k, v in d.fields.items()},
            sequence=seq,
        )
        with database.session() as s:
            repo.save_document(
                s,
                result,
                batch_id="batch-a",
                dossier_id=dossier_id,
                pages=[page(i) for i in range(d.pages)],
                original=None,
                derived_pdf=None,
            )
        info = SignatureInfo("PAdES-BASELINE-B", SIGNED_AT, "UBND xã Hòa Bình")
        record = store.put_archive(
            f"{code}/{code}.{seq:03d}.pdf",
            signed_pdf(doc_id),
            retention_days=1,
            metadata={
                "sohoa-document-id": doc_id,
                "sohoa-original-sha256": result.sha256,
                "sohoa-doc-type": d.doc_type,
                "sohoa-dossier-code": quote(code, safe=""),
                "sohoa-signed-at": info.signed_at.isoformat(),
                "sohoa-signature-level": info.level,
                "sohoa-signer": info.signer,
            },
        )
        with database.session() as s:
            repo.mark_archived(s, doc_id, record, info)
        ids.append(doc_id)
    return dossier_id, ids
