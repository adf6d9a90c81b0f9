"""Prefect tasks for one document: a task per stage, composed by ``process_document``.

The stage functions live in pipelines/, extractors/, signing/ and storage/; these wrappers only add
retries, logging context and the database/storage edges.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from prefect import task
from prefect.cache_policies import NO_CACHE

from extractors.classify import classify
from extractors.fields import extract_fields
from flows.runtime import Runtime, get_runtime
from pipelines.errors import (
    BadInputError,
    IntegrityError,
    NotFoundError,
    QuarantineError,
    SohoaError,
    StorageError,
)
from pipelines.identity import document_id, sha256_hex
from pipelines.logs import get_logger, log_context
from pipelines.model import (
    ArchiveRecord,
    DocumentResult,
    DossierInfo,
    PageText,
    SignatureInfo,
    SourceFile,
    Status,
    StoredObject,
)
from pipelines.pdfa import PdfMetadata, write_pdfa
from pipelines.read import PageSpool, read_pages
from pipelines.rescan import pages_to_rescan
from pipelines.review import review_reasons
from storage import claims
from storage import repository as repo
from storage.package import build_dossier_package
from storage.people import link_document
from storage.retention import schedule_from_settings, with_dossier

log = get_logger("sohoa.document")
TRANSIENT = dict(retries=3, retry_delay_seconds=[1, 5, 15], cache_policy=NO_CACHE)


@dataclass
class DocumentJob:
    """Everything the document flow needs to know about one input file (plain, serialisable values)."""

    batch_id: str
    file: SourceFile
    dossier: DossierInfo | None
    sequence: int  # 1-based position of the document in its dossier (archive file name)
    replace: bool = False  # a rescan: it replaces the dossier's document of the same name (or some pages)


@task(name="store-original", **TRANSIENT)
def store_original(data: bytes, sha256: str, filename: str) -> StoredObject:
    return get_runtime().store.put_original(data, sha256, filename=filename)


@dataclass
class Rejected:
    """A file the pipeline cannot read: an outcome of the stage (the document ends failed or quarantined),
    not a task failure to retry or alarm about."""

    status: str
    message: str


@task(name="read-pages", cache_policy=NO_CACHE)
def read_pages_task(data: bytes, name: str, spool: PageSpool | None = None) -> list[PageText] | Rejected:
    """The pages; with ``spool``, each page's PDF is written there as soon as it is read (bounded memory)."""
    rt = get_runtime()
    try:
        return read_pages(
            data, name, lang=rt.settings.ocr_lang, pool=rt.pool, workers=rt.settings.workers, spool=spool
        )
    except BadInputError as exc:
        return Rejected(exc.status, str(exc))


@task(name="classify", cache_policy=NO_CACHE)
def classify_task(pages: list[PageText]):
    return classify(pages, scorer=get_runtime().scorer)


@task(name="extract-fields", cache_policy=NO_CACHE)
def extract_task(doc_type: str, pages: list[PageText], data: bytes | None = None, name: str = ""):
    """The fields; with the file's bytes a numeric field that fails validation is read again, digits only,
    from its page (``extractors.reread``) before it goes to review."""
    from extractors.reread import Rereader

    reread = Rereader(data, name) if data is not None else None
    try:
        return extract_fields(doc_type, pages, reread=reread)
    finally:
        if reread is not None:
            reread.close()


@task(name="make-pdfa", cache_policy=NO_CACHE)
def pdfa_task(
    pages: list[PageText], original: bytes | None, title: str, doc_id: str, spool: PageSpool
) -> tuple[StoredObject, Path]:
    """The PDF/A, written to the document's spool (never held in memory whole), kept in the derived bucket
    (for review and approval) and returned as that file for signing now."""
    rt = get_runtime()
    meta = PdfMetadata(title=title, author=rt.settings.agency_name, keywords=["sohoa", doc_id])
    pdf = spool.file("pdfa.pdf")
    write_pdfa(pages, original, meta, pdf, part=rt.settings.pdfa_part, workdir=spool.path)
    return rt.store.put_derived(f"pdfa/{doc_id}.pdf", pdf), pdf


@task(name="save-document", **TRANSIENT)
def save_task(
    result: DocumentResult,
    batch_id: str,
    dossier: DossierInfo | None,
    pages: list[PageText],
    original: StoredObject | None,
    derived: StoredObject | None,
) -> list[str]:
    """Record the document and link the people and organisations it names. Returns the facts that
    contradict what the database already knew (they send the document to review)."""
    with get_runtime().db.session() as s:
        dossier_id = repo.upsert_dossier(s, dossier) if dossier else None
        repo.save_document(
            s,
            result,
            batch_id=batch_id,
            dossier_id=dossier_id,
            pages=pages,
            original=original,
            derived_pdf=derived,
        )
        if result.status in (Status.FAILED, Status.QUARANTINED):
            return []
        mismatches = link_document(s, result.id)
        if mismatches and result.status == Status.PENDING:
            repo.send_to_review(s, result.id, mismatches)
        return mismatches


@task(name="sign", cache_policy=NO_CACHE)
def sign_task(pdf: Path) -> tuple[Path, SignatureInfo]:
    """Sign the PDF/A file ``pdf`` into ``<name>.signed.pdf`` beside it (file to file: bounded memory)."""
    rt = get_runtime()
    signer = rt.signer()
    signed = pdf.with_name(f"{pdf.stem}.signed.pdf")
    with rt.sign_lock:
        return signed, signer.sign_file(pdf, signed)


@task(name="archive", **TRANSIENT)
def archive_task(key: str, data: bytes | Path, result: DocumentResult, info: SignatureInfo) -> ArchiveRecord:
    rt = get_runtime()
    meta = {
        "sohoa-document-id": result.id,
        "sohoa-original-sha256": result.sha256,
        "sohoa-doc-type": result.doc_type or "other",
        "sohoa-dossier-code": quote(result.dossier_code or "", safe=""),
        "sohoa-signed-at": info.signed_at.isoformat(),
        "sohoa-signature-level": info.level,
        "sohoa-signer": info.signer,
    }
    with rt.db.session(readonly=True) as s:
        dossier = repo.dossier_info_of(s, result.id)
    days, mode = retention_for(rt, result.doc_type, dossier.retention if dossier else None)
    return rt.store.put_archive(key, data, retention_days=days, retention_mode=mode, metadata=meta)


def retention_for(rt: Runtime, doc_type: str | None, dossier_retention: str | None = None) -> tuple[int, str]:
    """The retention schedule's period for the type (or the dossier's, from the archive's inventory, when
    longer), unless one period was set for everything."""
    if "archive_retention_days" in rt.settings.model_fields_set:
        return rt.settings.archive_retention_days, rt.settings.archive_retention_mode
    rule = with_dossier(schedule_from_settings(rt.settings).for_type(doc_type or "other"), dossier_retention)
    return rule.days, rule.mode


def archive_key(result: DocumentResult) -> str:
    """``<dossier code>/<dossier code>.<sequence>.pdf`` (archives naming rule), or by document id."""
    if result.dossier_code and result.sequence:
        return f"{result.dossier_code}/{result.dossier_code}.{result.sequence:03d}.pdf"
    return f"documents/{result.id}.pdf"


def sign_and_archive(
    rt: Runtime, result: DocumentResult, pdf: Path, *, as_tasks: bool = True, approved_by: str | None = None
) -> DocumentResult:
    """Sign the PDF/A file ``pdf`` and put the signed copy (a file beside it) in the archive bucket; record
    both. Used by ingest (as Prefect tasks) and by approve (plain calls, no orchestration needed for one
    document)."""
    key = archive_key(result)
    adopted = already_archived(rt, key, result)
    if adopted is not None:  # a run that died after the upload and before the database write
        record, info = adopted
        log.info("adopting the signed copy already archived at %s", key)
    else:
        sign = sign_task if as_tasks else sign_task.fn
        archive = archive_task if as_tasks else archive_task.fn
        signed, info = sign(pdf)
        record = archive(key, signed, result, info)
    with rt.db.session() as s:
        repo.mark_archived(s, result.id, record, info, approved_by=approved_by)
    result.archive, result.signature, result.status = record, info, Status.ARCHIVED
    if approved_by is not None:
        result.approved_by = approved_by
    return result


def already_archived(
    rt: Runtime, key: str, result: DocumentResult
) -> tuple[ArchiveRecord, SignatureInfo] | None:
    """The signed copy of this very document (same id, same original bytes) at key, if one is there.
    Signing again would make different bytes and a second locked version; adopting it keeps one."""
    bucket = rt.store.buckets.archive
    versions = rt.store.versions(bucket, key)
    if not versions:
        return None
    meta = rt.store.user_metadata(bucket, key, versions[0])
    if meta.get("sohoa-document-id") != result.id or meta.get("sohoa-original-sha256") != result.sha256:
        return None
    held = rt.store.retention(bucket, key, versions[0])
    try:
        signed_at = datetime.fromisoformat(meta["sohoa-signed-at"])
        record = ArchiveRecord(bucket, key, versions[0], meta["sha256"], held[1] if held else None)
    except (KeyError, ValueError):
        return None
    info = SignatureInfo(
        meta.get("sohoa-signature-level", "PAdES-BASELINE-B"), signed_at, meta.get("sohoa-signer", "")
    )
    return record, info


def _title(file: SourceFile, doc_type: str | None) -> str:
    from extractors.vn_codes import DOC_TYPES

    return f"{DOC_TYPES.get(doc_type or 'other', 'Tài liệu')} — {file.rel}"


@task(name="process-document", cache_policy=NO_CACHE)
def process_document(job: DocumentJob, wait: bool = True) -> DocumentResult | None:
    """Run every stage of one document. Bad input ends the document, never the batch. Returns None when
    another worker holds it and ``wait`` is False (the batch comes back to it at the end)."""
    rt = get_runtime()
    file = job.file
    data = Path(file.path).read_bytes()
    dossier_key = (job.dossier.code or job.dossier.folder) if job.dossier else None
    code = job.dossier.code if job.dossier else None
    replaces, sequence, problem = None, job.sequence, None
    if job.replace:
        try:
            data, replaces, sequence = resolve_rescan(rt, job, data)
        except (BadInputError, StorageError, IntegrityError) as exc:
            problem = exc
    sha = sha256_hex(data)
    if not job.replace:
        problem = same_name_held(rt, job, sha)
    doc_id = document_id(sha, dossier_key)
    result = DocumentResult(
        id=doc_id,
        source=file.rel,
        sha256=sha,
        dossier_code=code,
        status=Status.PENDING,
        sequence=sequence,
        replaces=replaces if replaces != doc_id else None,
    )
    with log_context(batch_id=job.batch_id, document_id=doc_id):
        if problem is not None:
            return _refused(job, result, problem)
        try:
            done = wait_for_claim(rt, result, wait=wait)
        except HeldElsewhere:
            log.info("held by another worker: deferred to the end of the batch")
            return None
        if done is not None:
            done.source = file.rel
            return done
        log.info("claimed by %s", rt.worker_id)
        rt.hold(doc_id)
        try:
            return run_stages(rt, job, result, data)
        finally:
            rt.let_go(doc_id)
            with rt.db.session() as s:
                claims.release(s, doc_id, worker=rt.worker_id)


# An earlier document in one of these states holds its place (and archive name) in the dossier.
_HOLDS_PLACE = (Status.ARCHIVED, Status.REVIEW, Status.PENDING, Status.RESCAN)


def same_name_held(rt: Runtime, job: DocumentJob, sha: str) -> BadInputError | None:
    """A file fed without ``--replace`` under the name of a different document its dossier already holds:
    refused, since both would claim one place in the dossier and one archive name. (Loose files, outside
    any dossier, are archived by document id: the same name in two folders is no conflict.)"""
    from pipelines.rescan import rescan_target

    if job.dossier is None or not job.dossier.code:
        return None
    target = rescan_target(job.file.rel)
    with rt.db.session(readonly=True) as s:
        dossier_id = repo.dossier_id_for(s, job.dossier)
        if dossier_id is None:
            return None  # a dossier seen for the first time holds nothing yet
        old = repo.find_replaceable(s, dossier_id, target.folder, target.stem)
        if old is None or old.sha256 == sha or old.status not in _HOLDS_PLACE:
            return None
        status = old.status
    return BadInputError(
        f"{job.file.rel}: dossier {job.dossier.code} already holds a different scan named '{target.stem}' "
        f"({status}); "
        "to replace it with this one, run `sohoa ingest --replace`; to keep both, rename this file"
    )


def resolve_rescan(rt: Runtime, job: DocumentJob, data: bytes) -> tuple[bytes, str | None, int]:
    """For ``--replace``: the bytes of the new version (the rescanned pages put into the earlier original),
    the id of the document it replaces (None when there is none: a new document), and its sequence."""
    from pipelines.rescan import merge_pages, rescan_target

    target = rescan_target(job.file.rel)
    with rt.db.session(readonly=True) as s:
        dossier_id = repo.dossier_id_for(s, job.dossier) if job.dossier else None
        old = None
        if dossier_id is not None or job.dossier is None:
            old = repo.find_replaceable(s, dossier_id, target.folder, target.stem)
            if target.pages and old is not None and old.source == job.file.rel and old.replaces:
                old = s.get(type(old), old.replaces)  # this very rescan was applied before: redo it the same
        snapshot = None
        if old is not None:
            snapshot = (old.id, old.sequence, old.source, old.sha256)
            where = (old.original_bucket, old.original_key, old.original_version)
    if snapshot is None:
        if target.pages:
            place = f"dossier {job.dossier.code or job.dossier.folder}" if job.dossier else "this folder"
            raise BadInputError(
                f"{job.file.rel}: {place} has no document '{target.stem}' to put the rescanned page(s) "
                "into; feed the whole document instead"
            )
        log.info("--replace: nothing of that name yet, ingested as a new document")
        return data, None, job.sequence
    old_id, old_sequence, old_source, old_sha = snapshot
    sequence = old_sequence or job.sequence
    if not target.pages:
        return data, old_id, sequence
    bucket, key, version = where
    if not (bucket and key):
        raise BadInputError(f"{job.file.rel}: the original of the document it replaces was never stored")
    old_bytes = rt.store.get(bucket, key, version)
    if sha256_hex(old_bytes) != old_sha:
        raise IntegrityError(
            f"{job.file.rel}: the stored original it would replace pages of does not match its record; "
            "run `sohoa fixity`"
        )
    merged = merge_pages(old_bytes, old_source, data, job.file.rel, target.pages)
    log.info("--replace: %d rescanned page(s) put into the earlier original", len(target.pages))
    return merged, old_id, sequence


def redact(message: str, source: str) -> str:
    """``message`` without the file's path or folder names: scanning teams may name folders after citizens,
    and logs must not carry names (the report, kept with the batch, has the full message)."""
    parts = [source, *source.split("/")]
    for part in sorted({p for p in parts if len(p) > 2}, key=len, reverse=True):
        message = message.replace(part, "<file>" if part == source else "<…>")
    return message


def _refused(job: DocumentJob, result: DocumentResult, exc: Exception) -> DocumentResult:
    """A rescan that cannot be applied, or a file that would take the place of another document, ends failed
    with the reason; the earlier document stays as it was. It is recorded outside the dossier, so that it
    does not hold the dossier's archive package."""
    result.status, result.error = Status.FAILED, str(exc)
    result.replaces = None
    what = "rescan not applied" if job.replace else "refused: the name of a different document"
    log.warning("%s (%s); the report says why", what, type(exc).__name__)
    try:
        save_task(result, job.batch_id, None, [], None, None)
    except Exception:  # noqa: BLE001 - the report still carries the result
        log.error("could not record the failure: %s", traceback.format_exc())
    return result


# A document in one of these states needs nothing more from ingest: feeding the same bytes again leaves it
# there (a person decided to reject it or to wait for a rescan; a rescan replaced it).
_SETTLED = (Status.ARCHIVED, Status.REVIEW, Status.REJECTED, Status.RESCAN, Status.SUPERSEDED)


class HeldElsewhere(Exception):
    """Another worker holds the document; come back to it after the rest of the batch."""


def wait_for_claim(
    rt: Runtime, result: DocumentResult, *, wait: bool, poll: float = 2.0
) -> DocumentResult | None:
    """None once this worker holds the document; its finished result when it is (or becomes) finished.
    While another worker holds it: raise HeldElsewhere, or (``wait``) wait — its lease ends when it
    finishes or dies. Deferring first keeps two workers from walking the batch in lock-step."""
    waited = False
    while True:
        with rt.db.session() as s:
            done = repo.load_result(s, result.id)
            if done is not None and done.status in _SETTLED:
                log.info("already %s, nothing to redo", done.status)
                return done
            if waited and done is not None and done.status in (Status.FAILED, Status.QUARANTINED):
                return done  # the other worker finished it with an error; the report says why
            if claims.claim(
                s,
                result.id,
                worker=rt.worker_id,
                source=result.source,
                sha256=result.sha256,
                lease_seconds=rt.settings.claim_lease_seconds,
            ):
                return None
        if not wait:
            raise HeldElsewhere(result.id)
        if not waited:
            log.info("another worker is processing this document; waiting for it")
        waited = True
        time.sleep(poll)


def run_stages(rt: Runtime, job: DocumentJob, result: DocumentResult, data: bytes) -> DocumentResult:
    """Every stage of one claimed document, in order."""
    file, doc_id = job.file, result.id
    original: StoredObject | None = None
    pages: list[PageText] = []
    derived: StoredObject | None = None
    spool = PageSpool(rt.spool_dir)  # the page PDFs, PDF/A and signed copy on disk, removed at the end
    try:
        original = store_original(data, result.sha256, file.rel)
        read = read_pages_task(data, file.path.name, spool)
        if isinstance(read, Rejected):
            raise (QuarantineError if read.status == Status.QUARANTINED else BadInputError)(read.message)
        pages = read
        result.pages = len(pages)
        result.to_rescan = [r for p in pages for r in p.rescan]
        result.rescan_pages = pages_to_rescan(result.to_rescan)
        cls = classify_task(pages)
        result.doc_type, result.doc_type_confidence = cls.doc_type, cls.confidence
        result.fields = (
            extract_task(cls.doc_type, pages, data, file.path.name) if cls.doc_type != "other" else {}
        )
        result.review_reasons = review_reasons(
            cls, result.fields, pages, threshold=rt.settings.review_threshold
        )
        is_pdf = data[:5] == b"%PDF-"
        derived, pdf = pdfa_task(pages, data if is_pdf else None, _title(file, cls.doc_type), doc_id, spool)
        result.status = Status.REVIEW if result.review_reasons else Status.PENDING
        mismatches = save_task(result, job.batch_id, job.dossier, pages, original, derived)
        if mismatches and result.status == Status.PENDING:
            result.status = Status.REVIEW
            result.review_reasons += [m for m in mismatches if m not in result.review_reasons]
        if result.status == Status.REVIEW:
            log.info("sent to review: %d reason(s)", len(result.review_reasons))
            return result
        sign_and_archive(rt, result, pdf)
        log.info("archived %s", result.archive.key if result.archive else "")
    except BadInputError as exc:
        result.status = Status(exc.status)
        result.error = str(exc)
        log.warning("%s: %s", result.status, redact(str(exc), file.rel))
    except SohoaError as exc:
        result.status = Status.FAILED
        result.error = str(exc)
        log.error("failed: %s", redact(str(exc), file.rel))
    except Exception as exc:  # a bug must not stop the batch; the log keeps the traceback
        result.status = Status.FAILED
        result.error = f"internal error ({type(exc).__name__}); the log has the details"
        log.error("internal error: %s", traceback.format_exc())
    finally:
        spool.close()
    if result.status in (Status.FAILED, Status.QUARANTINED):
        try:
            save_task(result, job.batch_id, job.dossier, pages, original, derived)
        except Exception:  # noqa: BLE001 - the report still carries the result
            log.error("could not record the failure: %s", traceback.format_exc())
    return result


@task(name="package-dossier", **TRANSIENT)
def package_task(info: DossierInfo) -> dict[str, Any] | None:
    return package_dossier(get_runtime(), info)


def package_dossier(rt: Runtime, info: DossierInfo) -> dict[str, Any] | None:
    """The archive package (BagIt, TT 05/2025 metadata) of a dossier whose documents are all archived;
    None while one still waits for review or failed, or when the dossier has no code to name it by."""
    if not info.code:
        return None
    with rt.db.session() as s:
        dossier_id = repo.upsert_dossier(s, info)
        if not repo.dossier_complete(s, dossier_id):
            return None
        rec = build_dossier_package(s, rt.store, dossier_id, schedule=schedule_from_settings(rt.settings))
    log.info("archive package %s (%d documents)", rec.key, len(rec.document_ids))
    return {
        "dossier_code": rec.dossier_code,
        "bucket": rec.bucket,
        "key": rec.key,
        "version_id": rec.version_id,
        "sha256": rec.sha256,
        "documents": len(rec.document_ids),
    }


def fetch_signed(rt: Runtime, doc_id: str) -> tuple[DocumentResult, bytes]:
    """The archived, signed PDF of a document, checked against its database record (download, web)."""
    with rt.db.session(readonly=True) as s:
        result = repo.load_result(s, doc_id)
    if result is None:
        raise NotFoundError(f"no document with id {doc_id}")
    if result.status != Status.ARCHIVED or result.archive is None:
        raise NotFoundError(f"document {doc_id} is not archived yet (status: {result.status})")
    a = result.archive
    data = rt.store.get(a.bucket, a.key, a.version_id)
    got = sha256_hex(data)
    if got != a.sha256:
        raise IntegrityError(
            f"the archived bytes of {doc_id} do not match the database record (expected SHA-256 {a.sha256}, "
            f"got {got}): report this to the archive administrator"
        )
    return result, data


def approve(rt: Runtime, doc_id: str, *, approved_by: str) -> DocumentResult:
    """An officer approves a document waiting for review: sign it and archive it."""
    with rt.db.session() as s:
        result = repo.load_result(s, doc_id)
        derived = repo.get_derived_pdf(s, doc_id)
    if result is None:
        raise NotFoundError(f"no document with id {doc_id}")
    if result.status == Status.ARCHIVED:
        return result
    if result.status != Status.REVIEW:
        raise SohoaError(
            f"document {doc_id} is {result.status}, only documents waiting for review can be approved"
        )
    if derived is None:
        raise StorageError(f"document {doc_id} has no PDF/A copy to sign; ingest it again")
    with PageSpool(rt.spool_dir) as spool, log_context(document_id=doc_id):
        pdf = spool.file("pdfa.pdf")  # streamed to disk and signed from there: bounded memory
        rt.store.download_to(derived.bucket, derived.key, pdf, derived.version_id)
        log.info("approved for signing")
        done = sign_and_archive(rt, result, pdf, as_tasks=False, approved_by=approved_by)
        with rt.db.session() as s:
            info = repo.dossier_info_of(s, doc_id)
        if info is not None:
            package_dossier(rt, info)
        return done
