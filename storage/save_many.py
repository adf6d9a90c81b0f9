"""Saving many pipeline results in one transaction, in a few multi-row statements: the batched write path.

``save_results(s, items, batch_id=...)`` does for a list of documents what ``repository.save_document``
followed by ``people.link_document`` does for one (dossiers upserted, documents upserted, pages replaced,
fields merged with their history, an officer's correction kept, a replaced document set aside, parties
and facts linked) with one ``INSERT ... ON CONFLICT`` per table instead of one round trip per row. Documents
are written in id order and every key of a unique constraint is inserted sorted, so two workers saving
overlapping batches wait on each other instead of deadlocking or duplicating; ``Database.run`` retries the
rare deadlock left.

This is the only place that maps a result to its rows: ``repository.save_document`` is a batch of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from pipelines.model import DocumentResult, DossierInfo, PageText, Status, StoredObject
from storage import repository as repo
from storage.db.models import Document, FieldHistory, FieldValue, Page
from storage.db.types import nfc
from storage.people import insert_many, link_documents

# Columns a rerun always rewrites; the groups below only when the result carries them (save_document).
_ALWAYS = (
    "dossier_id",
    "batch_id",
    "source",
    "sha256",
    "status",
    "error",
    "page_count",
    "doc_type",
    "doc_type_confidence",
    "review_reasons",
    "to_rescan",
    "updated_at",
)
_GROUPS = {  # the column that is set exactly when the group is given -> the group's columns
    "original_key": ("original_bucket", "original_key", "original_version", "original_size"),
    "derived_key": ("derived_bucket", "derived_key", "derived_version", "derived_sha256", "derived_size"),
    "archive_key": (
        "archive_bucket",
        "archive_key",
        "archive_version_id",
        "archive_sha256",
        "archive_retain_until",
    ),
    "signed_at": ("signature_level", "signed_at", "signer"),
}
NOT_LINKED = (Status.FAILED, Status.QUARANTINED)  # nothing reliable to link (as the pipeline does)


@dataclass(frozen=True)
class ToSave:
    """One document for ``save_results``: what ``save_document`` takes, and its dossier: ``dossier`` (upserted
    with the batch) or the row id of a dossier already upserted (``dossier_id``)."""

    result: DocumentResult
    pages: Sequence[PageText]
    dossier: DossierInfo | None = None
    original: StoredObject | None = None
    derived_pdf: StoredObject | None = None
    dossier_id: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _document_row(item: ToSave, batch_id: str, dossier_id: str | None, now: datetime) -> dict[str, Any]:
    r = item.result
    row: dict[str, Any] = {
        "id": r.id,
        "dossier_id": dossier_id,
        "batch_id": batch_id,
        "source": r.source,
        "sha256": r.sha256,
        "status": str(r.status),
        "error": r.error,
        "page_count": r.pages or len(item.pages),
        "doc_type": r.doc_type,
        "doc_type_confidence": r.doc_type_confidence,
        "review_reasons": [nfc(x) or "" for x in r.review_reasons],
        "to_rescan": [nfc(x) or "" for x in r.to_rescan],
        "sequence": r.sequence,
        "replaces": r.replaces or None,
        "created_at": now,
        "updated_at": now,
    }
    for columns in _GROUPS.values():
        row.update(dict.fromkeys(columns))
    if item.original is not None:
        o = item.original
        row.update(original_bucket=o.bucket, original_key=o.key, original_version=o.version_id)
        row["original_size"] = o.size
    if item.derived_pdf is not None:
        d = item.derived_pdf
        row.update(derived_bucket=d.bucket, derived_key=d.key, derived_version=d.version_id)
        row.update(derived_sha256=d.sha256, derived_size=d.size)
    if r.archive is not None:
        a = r.archive
        row.update(archive_bucket=a.bucket, archive_key=a.key, archive_version_id=a.version_id)
        row.update(archive_sha256=a.sha256, archive_retain_until=a.retain_until)
    if r.signature is not None:
        sig = r.signature
        row.update(signature_level=sig.level, signed_at=sig.signed_at, signer=sig.signer)
    return row


def _upsert_documents(s: Session, rows: list[dict[str, Any]]) -> None:
    table = Document.__table__

    def conflict(stmt: Any) -> Any:
        new = stmt.excluded
        set_: dict[str, Any] = {c: new[c] for c in _ALWAYS}
        set_["sequence"] = sa.func.coalesce(new.sequence, table.c.sequence)
        set_["replaces"] = sa.func.coalesce(new.replaces, table.c.replaces)
        for marker, columns in _GROUPS.items():
            for c in columns:
                set_[c] = sa.case((new[marker].is_not(None), new[c]), else_=table.c[c])
        return stmt.on_conflict_do_update(index_elements=["id"], set_=set_)

    insert_many(s, table, rows, conflict)


def _replace_pages(s: Session, items: list[ToSave]) -> None:
    s.execute(sa.delete(Page).where(Page.document_id.in_([i.result.id for i in items])))
    rows = [
        {
            "document_id": i.result.id,
            "index": p.index,
            "source": p.source,
            "width": p.width,
            "height": p.height,
            "dpi": p.dpi,
            "mean_confidence": p.mean_confidence,
            "blank": p.blank,
            "text": p.text,
            "notes": [nfc(x) or "" for x in p.notes],
        }
        for i in items
        for p in i.pages
    ]
    insert_many(s, Page, rows)


def _merge_fields(s: Session, items: list[ToSave], batch_id: str, now: datetime) -> None:
    """save_document's field merge for every document at once: changed and removed values go to the
    history, a field an officer corrected is left as it is."""
    ids = [i.result.id for i in items]
    existing: dict[tuple[str, str], Any] = {
        (row.document_id, row.key): row
        for row in s.execute(
            sa.select(
                FieldValue.id, FieldValue.document_id, FieldValue.key, FieldValue.value, FieldValue.source
            ).where(FieldValue.document_id.in_(ids))
        )
    }
    reason = f"batch {batch_id}"
    upserts, history, removed = [], [], []
    for item in items:
        doc_id = item.result.id
        for key, f in item.result.fields.items():
            row = existing.pop((doc_id, key), None)
            if row is not None and row.source == "officer":
                continue  # an officer's correction outlives reruns
            if row is not None and row.value != nfc(f.value):
                history.append((doc_id, key, row.value, f.value))
            upserts.append(
                {
                    "document_id": doc_id,
                    "key": key,
                    "value": f.value,
                    "confidence": f.confidence,
                    "raw": f.raw,
                    "page": f.page,
                    "bbox": list(f.bbox) if f.bbox else None,
                    "source": f.source,
                    "problems": [nfc(x) or "" for x in f.problems],
                    "updated_at": now,
                }
            )
    for (doc_id, key), row in existing.items():
        if row.source != "officer":
            history.append((doc_id, key, row.value, None))
            removed.append(row.id)
    if removed:
        s.execute(sa.delete(FieldValue).where(FieldValue.id.in_(removed)))
    if upserts:
        changed = ("value", "confidence", "raw", "page", "bbox", "source", "problems", "updated_at")
        insert_many(
            s,
            FieldValue,
            upserts,
            lambda stmt: stmt.on_conflict_do_update(
                index_elements=["document_id", "key"],
                set_={c: stmt.excluded[c] for c in changed},
                where=FieldValue.__table__.c.source != "officer",
            ),
        )
    if history:
        insert_many(
            s,
            FieldHistory,
            [
                {
                    "document_id": doc_id,
                    "key": key,
                    "old_value": old,
                    "new_value": new,
                    "changed_by": repo.PIPELINE,
                    "changed_at": now,
                    "reason": reason,
                }
                for doc_id, key, old, new in history
            ],
        )


def save_results(
    s: Session, items: Sequence[ToSave], *, batch_id: str, link: bool = True
) -> dict[str, list[str]]:
    """Save many documents with their dossiers, pages and fields, and (``link``) link the people and
    companies they name, in the caller's transaction. Returns, per document id, the facts that contradict
    what was known (empty for documents not linked: failed or quarantined ones).

    A document given twice is saved once, as given last."""
    by_id = {i.result.id: i for i in items}
    ordered = [by_id[doc_id] for doc_id in sorted(by_id)]
    if not ordered:
        return {}
    s.flush()
    dossiers: dict[str, str] = {}
    for item in ordered:
        if item.dossier is not None and repr(item.dossier) not in dossiers:
            dossiers[repr(item.dossier)] = repo.upsert_dossier(s, item.dossier)
    now = _now()
    rows = [
        _document_row(i, batch_id, dossiers[repr(i.dossier)] if i.dossier is not None else i.dossier_id, now)
        for i in ordered
    ]
    _upsert_documents(s, rows)
    s.expire_all()  # the session's copies of these rows, if any, are stale now
    for item in ordered:
        if item.result.replaces:
            repo.supersede_unarchived(s, item.result)
    s.flush()
    _replace_pages(s, ordered)
    _merge_fields(s, ordered, batch_id, now)
    s.expire_all()
    mismatches: dict[str, list[str]] = {doc_id: [] for doc_id in by_id}
    if link:
        in_order = dict.fromkeys(i.result.id for i in items)
        to_link = [doc_id for doc_id in in_order if by_id[doc_id].result.status not in NOT_LINKED]
        mismatches.update(link_documents(s, to_link))
    return mismatches
