"""Reading and writing pipeline results: plain functions over a Session and the dataclasses of pipelines/model.py.

Every write is an upsert keyed by a unique column, so a rerun of the same batch never duplicates a row.
The caller owns the transaction (``Database.session()``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from pipelines.errors import NotFoundError
from pipelines.logs import get_logger
from pipelines.model import (
    ArchiveRecord,
    DocumentResult,
    DossierInfo,
    Field,
    PageText,
    SignatureInfo,
    Status,
    StoredObject,
)
from pipelines.rescan import base_stem, pages_to_rescan
from storage.db.models import Agency, Batch, Document, Dossier, FieldHistory, FieldValue
from storage.db.types import nfc

log = get_logger(__name__)

PIPELINE = "pipeline"  # changed_by of the history rows written by a rerun


def _now() -> datetime:
    return datetime.now(UTC)


def _nfc_list(items: Sequence[str]) -> list[str]:
    return [nfc(x) or "" for x in items]


# ---------------------------------------------------------------- batches


def record_batch_start(s: Session, batch_id: str, source: str, started_at: datetime) -> None:
    batch = s.get(Batch, batch_id)
    if batch is None:
        s.add(Batch(id=batch_id, source=source, started_at=started_at))
    else:
        batch.source, batch.started_at, batch.finished_at = source, started_at, None
    s.flush()


def record_batch_end(s: Session, batch_id: str, finished_at: datetime, summary: dict[str, Any]) -> None:
    batch = s.get(Batch, batch_id)
    if batch is None:
        raise NotFoundError(f"batch {batch_id} was never started")
    batch.finished_at, batch.summary = finished_at, summary
    s.flush()


# ---------------------------------------------------------------- agencies

# A dossier code starts with the agency's e-ID: a capital letter A-Y, two digits, dot-separated groups.
_AGENCY_IN_CODE = re.compile(r"^([A-Y]\d{2}(?:\.[0-9A-Z]+)*)-\d{6}-\d{4,}$")


def agency_code_of(dossier_code: str | None) -> str | None:
    """``H31.01.05`` of ``H31.01.05-240315-0042``; None when the code does not have that form."""
    m = _AGENCY_IN_CODE.match((dossier_code or "").strip())
    return m.group(1) if m else None


def upsert_agency(s: Session, code: str, name: str | None = None) -> int:
    """The agency's row id, created if new (INSERT ... ON CONFLICT); a known name is kept unless missing."""
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(Agency).values(code=code, name=nfc(name), created_at=_now())
    stmt = (
        stmt.on_conflict_do_update(
            index_elements=["code"], set_={"name": sa.func.coalesce(Agency.name, stmt.excluded.name)}
        )
        if name
        else stmt.on_conflict_do_nothing(index_elements=["code"])
    )
    agency_id = s.execute(stmt.returning(Agency.id)).scalar()
    if agency_id is None:
        agency_id = s.scalar(sa.select(Agency.id).where(Agency.code == code))
    return agency_id  # type: ignore[return-value]


# ---------------------------------------------------------------- dossiers


def _parse_date(value: str | None, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        log.warning("dossier %s is not an ISO date (YYYY-MM-DD); it is not stored", what)
        return None


def _dossier_lookup_key(info: DossierInfo) -> str:
    return nfc(info.code) if info.code else f"folder:{nfc(info.folder)}"  # type: ignore[return-value]


def _find_dossier(s: Session, info: DossierInfo) -> Dossier | None:
    if info.code:
        found = s.scalar(sa.select(Dossier).where(Dossier.code == nfc(info.code)))
        if found is not None:
            return found
    # A dossier first seen without a code is adopted once its code becomes known.
    return s.scalar(sa.select(Dossier).where(Dossier.lookup_key == f"folder:{nfc(info.folder)}"))


def dossier_id_for(s: Session, info: DossierInfo) -> str | None:
    """The id of the dossier ``info`` names, None when the database does not know it yet."""
    found = _find_dossier(s, info)
    return found.id if found is not None else None


def upsert_dossier(s: Session, info: DossierInfo) -> str:
    """Create or update a dossier, keyed by its code when there is one, else by its folder. Returns its id."""
    dossier = _find_dossier(s, info)
    if dossier is None:
        candidate = Dossier(id=str(uuid.uuid4()), lookup_key=_dossier_lookup_key(info), folder=info.folder)
        try:
            with s.begin_nested():
                s.add(candidate)
                _apply_dossier(candidate, info)
            _link_agency(s, candidate)
            return candidate.id
        except sa.exc.IntegrityError:
            # Another worker created it in the meantime.
            dossier = _find_dossier(s, info)
            if dossier is None:
                raise
    _apply_dossier(dossier, info)
    _link_agency(s, dossier)
    s.flush()
    return dossier.id


def _link_agency(s: Session, d: Dossier) -> None:
    code = agency_code_of(d.code)
    if code is not None and d.agency_code != code:
        upsert_agency(s, code)
        d.agency_code = code


def _apply_dossier(d: Dossier, info: DossierInfo) -> None:
    d.folder = info.folder
    d.lookup_key = _dossier_lookup_key(info)
    # What the reception desk wrote wins; what is missing this time does not erase what was known.
    for attr in ("code", "title", "procedure", "applicant_name", "applicant_id", "retention", "access_mode"):
        value = getattr(info, attr)
        if value:
            setattr(d, attr, value)
    received = _parse_date(info.received_date, "received_date")
    due = _parse_date(info.due_date, "due_date")
    if received:
        d.received_date = received
    if due:
        d.due_date = due
    for attr in ("start_date", "end_date"):
        value = _parse_date(getattr(info, attr), attr)
        if value:
            setattr(d, attr, value)
    if info.original_code:
        d.original_code = info.original_code


# ---------------------------------------------------------------- documents


def _doc_query() -> sa.Select[tuple[Document]]:
    return sa.select(Document).options(selectinload(Document.fields), selectinload(Document.dossier))


def _to_field(f: FieldValue) -> Field:
    return Field(
        key=f.key,
        value=f.value,
        confidence=f.confidence,
        raw=f.raw,
        page=f.page,
        bbox=tuple(f.bbox) if f.bbox else None,  # type: ignore[arg-type]
        source=f.source,  # type: ignore[arg-type]
        problems=list(f.problems or []),
    )


def _to_result(d: Document) -> DocumentResult:
    archive = None
    if d.archive_key and d.archive_bucket and d.archive_sha256:
        archive = ArchiveRecord(
            bucket=d.archive_bucket,
            key=d.archive_key,
            version_id=d.archive_version_id,
            sha256=d.archive_sha256,
            retain_until=d.archive_retain_until,
        )
    signature = None
    if d.signature_level and d.signed_at:
        signature = SignatureInfo(level=d.signature_level, signed_at=d.signed_at, signer=d.signer or "")
    return DocumentResult(
        id=d.id,
        source=d.source,
        sha256=d.sha256,
        dossier_code=d.dossier.code if d.dossier is not None else None,
        status=Status(d.status),
        error=d.error,
        pages=d.page_count,
        doc_type=d.doc_type,
        doc_type_confidence=d.doc_type_confidence,
        fields={f.key: _to_field(f) for f in d.fields},
        archive=archive,
        signature=signature,
        review_reasons=list(d.review_reasons or []),
        to_rescan=list(d.to_rescan or []),
        rescan_pages=pages_to_rescan(d.to_rescan or []),
        sequence=d.sequence,
        approved_by=d.approved_by,
        replaces=d.replaces,
    )


def load_result(s: Session, doc_id: str) -> DocumentResult | None:
    """The report row of a document as the database knows it, or None for an unknown id."""
    d = s.scalar(_doc_query().where(Document.id == doc_id))
    return None if d is None else _to_result(d)


def list_documents(s: Session, *, status: str | None = None, limit: int = 100) -> list[DocumentResult]:
    """Most recently updated first."""
    q = _doc_query().order_by(Document.updated_at.desc(), Document.id).limit(limit)
    if status is not None:
        q = q.where(Document.status == str(status))
    return [_to_result(d) for d in s.scalars(q)]


def save_document(
    s: Session,
    result: DocumentResult,
    *,
    batch_id: str,
    dossier_id: str | None,
    pages: Sequence[PageText],
    original: StoredObject | None,
    derived_pdf: StoredObject | None,
) -> None:
    """Upsert a document with its pages and fields: ``save_many.save_results`` for a batch of one, without
    linking (the caller links with ``people.link_document``, or calls ``save_results`` to do both).

    Pages are replaced. Fields are merged by key: a changed value keeps its old value in field_history, a
    field no longer found is removed (with history), and a field an officer corrected is kept as corrected.
    Archive and signature columns are only written when the result carries them: a rerun never forgets
    where a signed copy was archived. A rescan (``result.replaces``) sets aside the document it replaces
    when that one was never archived (``supersede_unarchived``).
    """
    from storage.save_many import ToSave, save_results  # save_many builds on this module

    item = ToSave(result, pages, original=original, derived_pdf=derived_pdf, dossier_id=dossier_id)
    save_results(s, [item], batch_id=batch_id, link=False)


def _history(
    doc_id: str, key: str, old: str | None, new: str | None, by: str, reason: str | None
) -> FieldHistory:
    return FieldHistory(
        document_id=doc_id,
        key=key,
        old_value=old,
        new_value=new,
        changed_by=by,
        changed_at=_now(),
        reason=reason,
    )


def _apply_archive(d: Document, a: ArchiveRecord) -> None:
    d.archive_bucket, d.archive_key, d.archive_version_id = a.bucket, a.key, a.version_id
    d.archive_sha256, d.archive_retain_until = a.sha256, a.retain_until


def _apply_signature(d: Document, sig: SignatureInfo) -> None:
    d.signature_level, d.signed_at, d.signer = sig.level, sig.signed_at, sig.signer


def _get_document(s: Session, doc_id: str) -> Document:
    d = s.get(Document, doc_id)
    if d is None:
        raise NotFoundError(f"document {doc_id} is not in the database")
    return d


def mark_archived(
    s: Session,
    doc_id: str,
    archive: ArchiveRecord,
    signature: SignatureInfo,
    *,
    approved_by: str | None = None,
) -> None:
    d = _get_document(s, doc_id)
    if approved_by is not None:
        d.approved_by, d.approved_at = approved_by, _now()
    _apply_archive(d, archive)
    _apply_signature(d, signature)
    d.status = str(Status.ARCHIVED)
    d.error = None
    d.updated_at = _now()
    if d.replaces:
        _supersede(s, d.replaces, by=d.id)
    s.flush()


def _supersede(s: Session, old_id: str, *, by: str) -> None:
    """The rescan ``by`` is archived: the document it replaces steps aside (its rows and stored versions
    stay, for the record)."""
    seen = {by}
    while old_id and old_id not in seen:  # a rescan of a rescan still waiting: the whole chain steps aside
        seen.add(old_id)
        old = s.get(Document, old_id, with_for_update=True)
        if old is None:
            return
        if old.status != str(Status.SUPERSEDED):
            old.status, old.replaced_by, old.updated_at = str(Status.SUPERSEDED), by, _now()
            old.claimed_by = old.claimed_until = None
        old_id = old.replaces


def supersede_unarchived(s: Session, result: DocumentResult) -> None:
    """A replaced document that was never archived (waiting for review or a rescan, failed) steps aside as
    soon as its rescan is read; an archived one only once the rescan is archived in its place."""
    if result.status in (Status.FAILED, Status.QUARANTINED) or not result.replaces:
        return
    old = s.get(Document, result.replaces)
    if old is not None and old.status != str(Status.ARCHIVED):
        _supersede(s, result.replaces, by=result.id)


def find_replaceable(s: Session, dossier_id: str | None, folder: str, stem: str) -> Document | None:
    """The current document a rescan replaces: in the same dossier (or among loose files in the same
    folder), with the same file name stem, not itself superseded, its original stored (a file refused before
    any work holds no place). The most recently updated one wins."""
    q = sa.select(Document).where(
        Document.status != str(Status.SUPERSEDED),
        Document.replaced_by.is_(None),
        Document.original_key.is_not(None),
    )
    q = q.where(Document.dossier_id == dossier_id) if dossier_id else q.where(Document.dossier_id.is_(None))
    for d in s.scalars(q.order_by(Document.updated_at.desc(), Document.id)):
        parent = d.source.rsplit("/", 1)[0] if "/" in d.source else ""
        if base_stem(d.source) == stem and (dossier_id or parent == folder):
            return d
    return None


def get_derived_pdf(s: Session, doc_id: str) -> StoredObject | None:
    """The unsigned PDF/A kept for review, or None when the document is unknown or has none."""
    d = s.get(Document, doc_id)
    if d is None or not (d.derived_bucket and d.derived_key):
        return None
    return StoredObject(
        bucket=d.derived_bucket,
        key=d.derived_key,
        version_id=d.derived_version,
        sha256=d.derived_sha256 or "",
        size=d.derived_size or 0,
    )


def get_original(s: Session, doc_id: str) -> StoredObject | None:
    """Where the original bytes of a document are stored, or None when the document is unknown or has none."""
    d = s.get(Document, doc_id)
    if d is None or not (d.original_bucket and d.original_key):
        return None
    return StoredObject(
        bucket=d.original_bucket,
        key=d.original_key,
        version_id=d.original_version,
        sha256=d.sha256,
        size=d.original_size or 0,
    )


def find_archived_by_sha256(s: Session, sha256: str) -> dict[str, str | None] | None:
    """The archived record whose signed bytes have this SHA-256 (for the auditor's report), or None."""
    d = s.scalar(
        sa.select(Document)
        .options(selectinload(Document.dossier))
        .where(Document.archive_sha256 == sha256.lower())
        .order_by(Document.updated_at.desc())
        .limit(1)
    )
    if d is None:
        return None
    return {
        "document_id": d.id,
        "source": d.source,
        "dossier_code": d.dossier.code if d.dossier is not None else None,
        "status": d.status,
        "bucket": d.archive_bucket,
        "key": d.archive_key,
        "version_id": d.archive_version_id,
        "sha256": d.archive_sha256,
        "retain_until": d.archive_retain_until.isoformat() if d.archive_retain_until else None,
        "signed_at": d.signed_at.isoformat() if d.signed_at else None,
        "signer": d.signer,
    }


def set_field(
    s: Session, doc_id: str, key: str, value: str, *, changed_by: str, reason: str | None = None
) -> None:
    """An officer's correction: source "officer", confidence 1.0, no problems left, and a history row."""
    d = _get_document(s, doc_id)
    row = s.scalar(sa.select(FieldValue).where(FieldValue.document_id == d.id, FieldValue.key == key))
    old = None
    if row is None:
        row = FieldValue(document_id=d.id, key=key, raw="", page=None, bbox=None)
        s.add(row)
    else:
        old = row.value
    row.value = value
    row.confidence = 1.0
    row.source = "officer"
    row.problems = []
    row.updated_at = _now()
    s.add(_history(d.id, key, old, value, changed_by, reason))
    d.updated_at = _now()
    s.flush()


def field_history(s: Session, doc_id: str, key: str | None = None) -> list[FieldHistory]:
    """The changes of a document's fields, oldest first."""
    q = sa.select(FieldHistory).where(FieldHistory.document_id == doc_id)
    if key is not None:
        q = q.where(FieldHistory.key == key)
    return list(s.scalars(q.order_by(FieldHistory.changed_at, FieldHistory.id)))


def send_to_review(s: Session, doc_id: str, reasons: Sequence[str]) -> None:
    """Hold a document for a person, adding ``reasons`` (e.g. facts that contradict what is known)."""
    d = _get_document(s, doc_id)
    d.status = str(Status.REVIEW)
    d.review_reasons = _nfc_list(
        [*(d.review_reasons or []), *[r for r in reasons if r not in (d.review_reasons or [])]]
    )
    d.updated_at = _now()
    s.flush()


def dossier_complete(s: Session, dossier_id: str) -> bool:
    """True when the dossier has documents and every one of them is archived."""
    rows = s.execute(
        sa.select(Document.status, Document.replaces).where(Document.dossier_id == dossier_id)
    ).all()
    current = [st for st, replaces in rows if holds_dossier(st, replaces)]
    return bool(current) and all(st == str(Status.ARCHIVED) for st in current)


# Documents that are no longer part of their dossier: replaced by a rescan, or refused by an officer.
SET_ASIDE = (str(Status.SUPERSEDED), str(Status.REJECTED))
_FAILED = (str(Status.FAILED), str(Status.QUARANTINED))


def holds_dossier(status: str, replaces: str | None) -> bool:
    """Whether a document counts for its dossier's completeness: not set aside, and not a rescan that
    failed (the document it was to replace still stands)."""
    return status not in SET_ASIDE and not (replaces and status in _FAILED)


def holds_dossier_sql() -> sa.ColumnElement[bool]:
    """``holds_dossier`` as a SQL condition on ``documents``."""
    return sa.and_(
        Document.status.not_in(SET_ASIDE),
        sa.not_(sa.and_(Document.replaces.is_not(None), Document.status.in_(_FAILED))),
    )


def dossier_info_of(s: Session, doc_id: str) -> DossierInfo | None:
    """What the database knows of a document's dossier, as the pipeline's DossierInfo."""
    d = s.get(Document, doc_id)
    if d is None or d.dossier is None:
        return None
    x = d.dossier
    return DossierInfo(
        folder=x.folder or "",
        code=x.code,
        title=x.title,
        procedure=x.procedure,
        applicant_name=x.applicant_name,
        applicant_id=x.applicant_id,
        received_date=x.received_date.isoformat() if x.received_date else None,
        due_date=x.due_date.isoformat() if x.due_date else None,
        start_date=x.start_date.isoformat() if x.start_date else None,
        end_date=x.end_date.isoformat() if x.end_date else None,
        retention=x.retention,
        access_mode=x.access_mode,
        original_code=x.original_code,
    )


def dossier_info_by_code(s: Session, code: str) -> DossierInfo | None:
    d = s.scalar(sa.select(Document).join(Document.dossier).where(Dossier.code == code).limit(1))
    return dossier_info_of(s, d.id) if d is not None else None


def confirmed_examples(s: Session, *, limit: int = 5000) -> list[tuple[list[PageText], str]]:
    """(pages, doc_type) of archived documents — typed by the machine and confirmed by signing, or approved by
    an officer — to retrain the document-type model. Pages carry their stored text (no word boxes)."""
    docs = s.scalars(
        sa.select(Document)
        .options(selectinload(Document.pages))
        .where(Document.status == str(Status.ARCHIVED), Document.doc_type.is_not(None))
        .order_by(Document.updated_at.desc())
        .limit(limit)
    ).all()
    out = []
    for d in docs:
        pages = [
            PageText(
                index=p.index,
                width=p.width or 0,
                height=p.height or 0,
                dpi=p.dpi or 0,
                source=p.source,
                words=[],
                text=p.text or "",
                mean_confidence=p.mean_confidence or 0.0,
            )
            for p in d.pages
        ]
        if any(p.text for p in pages):
            out.append((pages, d.doc_type))
    return out


# ---------------------------------------------------------------- a person's decision (web application)

# A person may reject a document or send it back to the scanner while it waits for them or has failed;
# not while a worker processes it (pending), nor once it is signed, rejected or waiting for its rescan.
DECIDABLE = (str(Status.REVIEW), str(Status.FAILED), str(Status.QUARANTINED))


def _decidable(s: Session, doc_id: str) -> Document:
    from pipelines.errors import BadInputError

    d = s.get(Document, doc_id, with_for_update=True)  # a worker saving it at the same time waits, or we do
    if d is None:
        raise NotFoundError(f"document {doc_id} is not in the database")
    if d.status not in DECIDABLE:
        raise BadInputError(
            f"document {doc_id} is {d.status}: only a document waiting for review or that failed can be "
            "rejected or sent to rescan"
        )
    return d


def reject_document(s: Session, doc_id: str, reason: str) -> None:
    """A person refuses the document for good: status ``rejected``, the reason in ``error``."""
    d = _decidable(s, doc_id)
    d.status = str(Status.REJECTED)
    d.error = nfc(reason.strip())
    d.updated_at = _now()
    s.flush()


def send_to_rescan(s: Session, doc_id: str, reason: str, pages: Sequence[int] = ()) -> None:
    """A person sends the document back to the scanner: status ``rescan``; ``to_rescan`` gets one line per
    page named (1-based), or one for the whole document."""
    from pipelines.errors import BadInputError

    d = _decidable(s, doc_id)
    why = nfc(reason.strip())
    bad = [p for p in pages if not 1 <= p <= max(d.page_count, 1)]
    if bad:
        raise BadInputError(f"page {bad[0]} does not exist: document {doc_id} has {d.page_count} page(s)")
    lines = [f"page {p}: {why}" for p in sorted(set(pages))] or [f"every page: {why}"]
    d.to_rescan = _nfc_list([*(d.to_rescan or []), *[x for x in lines if x not in (d.to_rescan or [])]])
    d.status = str(Status.RESCAN)
    d.updated_at = _now()
    s.flush()
