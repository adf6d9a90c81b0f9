"""What the pages and the REST API do, as plain functions over the runtime: one implementation for both."""

from __future__ import annotations

import json
import re
import threading
import traceback
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from flows.runtime import Runtime
from pipelines.errors import BadInputError, NotFoundError
from pipelines.logs import get_logger
from pipelines.model import DocumentResult, Status
from sohoa.web.models import ReviewAction, WebEvent
from storage import repository as repo
from storage.db.models import Document, Dossier, Page

log = get_logger("sohoa.web")

SUPPORTED_UPLOADS = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def record_event(rt: Runtime, actor: str, action: str, target: str | None = None, detail: str = "") -> None:
    with rt.db.session() as s:
        s.add(WebEvent(actor=actor, action=action, target=target, detail=detail or None))


# ------------------------------------------------------------------------------------------------ queue


@dataclass
class QueueRow:
    id: str
    source: str
    doc_type: str | None
    status: str
    dossier_code: str | None
    received_date: date | None
    due_date: date | None
    overdue: bool
    reasons: list[str]
    decision: str | None  # "reject" / "rescan" when someone already decided

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "doc_type": self.doc_type,
            "status": self.status,
            "dossier_code": self.dossier_code,
            "received_date": self.received_date.isoformat() if self.received_date else None,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "overdue": self.overdue,
            "review_reasons": self.reasons,
            "decision": self.decision,
        }


def _decisions(s: sa.orm.Session, ids: list[str]) -> dict[str, ReviewAction]:
    if not ids:
        return {}
    rows = s.scalars(
        sa.select(ReviewAction).where(ReviewAction.document_id.in_(ids)).order_by(ReviewAction.at)
    )
    return {r.document_id: r for r in rows}  # the latest wins


def queue(
    rt: Runtime, status: str = "review", *, today: date | None = None, limit: int = 500
) -> list[QueueRow]:
    """Documents with this status, overdue first, then by due date (none last), then most recent."""
    today = today or date.today()
    with rt.db.session(readonly=True) as s:
        rows = s.execute(
            sa.select(Document, Dossier)
            .outerjoin(Dossier, Dossier.id == Document.dossier_id)
            .where(Document.status == status)
            .order_by(Document.updated_at.desc())
            .limit(limit)
        ).all()
        decided = _decisions(s, [d.id for d, _ in rows])
        out = [
            QueueRow(
                id=d.id,
                source=d.source,
                doc_type=d.doc_type,
                status=d.status,
                dossier_code=dos.code if dos is not None else None,
                received_date=dos.received_date if dos is not None else None,
                due_date=dos.due_date if dos is not None else None,
                overdue=bool(dos is not None and dos.due_date and dos.due_date < today),
                reasons=list(d.review_reasons or []),
                decision=decided[d.id].action if d.id in decided else None,
            )
            for d, dos in rows
        ]
    return sorted(out, key=lambda r: (not r.overdue, r.due_date is None, r.due_date or date.max))


def on_time_share(rows: list[QueueRow]) -> float | None:
    dated = [r for r in rows if r.due_date is not None]
    return None if not dated else sum(not r.overdue for r in dated) / len(dated)


# ------------------------------------------------------------------------------------------------ review


@dataclass
class PageInfo:
    index: int
    width: int
    height: int
    dpi: int
    source: str


@dataclass
class ReviewData:
    result: DocumentResult
    pages: list[PageInfo]
    history: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    due_date: date | None = None
    notes: list[str] = field(default_factory=list)


def load_review(rt: Runtime, doc_id: str) -> ReviewData:
    with rt.db.session(readonly=True) as s:
        result = repo.load_result(s, doc_id)
        if result is None:
            raise NotFoundError(f"no document with id {doc_id}")
        pages = [
            PageInfo(p.index, p.width, p.height, p.dpi, p.source)
            for p in s.scalars(sa.select(Page).where(Page.document_id == doc_id).order_by(Page.index))
        ]
        history = [
            {
                "key": h.key,
                "old_value": h.old_value,
                "new_value": h.new_value,
                "changed_by": h.changed_by,
                "changed_at": h.changed_at.isoformat() if h.changed_at else None,
                "reason": h.reason,
            }
            for h in repo.field_history(s, doc_id)
        ]
        decisions = [
            {"action": a.action, "reason": a.reason, "actor": a.actor, "at": a.at.isoformat()}
            for a in s.scalars(
                sa.select(ReviewAction).where(ReviewAction.document_id == doc_id).order_by(ReviewAction.at)
            )
        ]
        due = s.scalar(
            sa.select(Dossier.due_date)
            .join(Document, Document.dossier_id == Dossier.id)
            .where(Document.id == doc_id)
        )
    return ReviewData(result, pages, history, decisions, due)


def record_view(rt: Runtime, actor: str, doc_id: str, purpose: str) -> None:
    """The access log (Nghị định 356/2025): who opened which document's personal data."""
    from storage.access_log import record_access

    with rt.db.session() as s:
        record_access(
            s,
            actor=actor,
            action="view_document",
            subject_kind="document",
            subject_id=doc_id,
            purpose=purpose,
        )


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def save_fields(
    rt: Runtime, doc_id: str, values: dict[str, str], *, actor: str, reason: str | None
) -> list[str]:
    """Record the officer's corrections (only values that changed). Returns the keys changed."""
    changed: list[str] = []
    with rt.db.session() as s:
        current = repo.load_result(s, doc_id)
        if current is None:
            raise NotFoundError(f"no document with id {doc_id}")
        if current.status == Status.ARCHIVED:
            raise BadInputError(
                "this document is already signed and archived; its fields can no longer change"
            )
        for key, value in values.items():
            new = _nfc(value)
            old = current.fields.get(key)
            if old is not None and old.value == new:
                continue
            if old is None and not new:
                continue
            if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", key):
                raise BadInputError(f"{key!r} is not a field name")
            repo.set_field(s, doc_id, key, new, changed_by=actor, reason=_nfc(reason or "") or None)
            changed.append(key)
    if changed:
        record_event(rt, actor, "correct", doc_id, ", ".join(changed))
    return changed


def approve(rt: Runtime, doc_id: str, *, actor: str) -> DocumentResult:
    from flows.document import approve as approve_document

    result = approve_document(rt, doc_id, approved_by=actor)
    record_event(rt, actor, "approve", doc_id, result.archive.key if result.archive else "")
    return result


def decide(rt: Runtime, doc_id: str, action: str, *, actor: str, reason: str) -> None:
    """Reject a document or send it back to the scanner (recorded; the document leaves the review queue
    view as 'decided' until it is ingested again)."""
    if action not in ("reject", "rescan"):
        raise BadInputError("the decision must be reject or rescan")
    if not reason.strip():
        raise BadInputError("say why, in a few words")
    with rt.db.session() as s:
        if repo.load_result(s, doc_id) is None:
            raise NotFoundError(f"no document with id {doc_id}")
        s.add(ReviewAction(document_id=doc_id, action=action, reason=_nfc(reason), actor=actor))
    record_event(rt, actor, action, doc_id, _nfc(reason))


def signed_pdf(rt: Runtime, doc_id: str) -> tuple[str, bytes]:
    """The archived, signed PDF, checked against the database record. Returns (file name, bytes)."""
    from flows.document import fetch_signed

    result, data = fetch_signed(rt, doc_id)
    return result.archive.key.rsplit("/", 1)[-1], data


# ------------------------------------------------------------------------------------------------ upload


@dataclass
class UploadJob:
    id: str
    folder: Path
    files: list[str]
    actor: str
    state: str = "queued"  # queued | running | done | failed
    error: str | None = None
    summary: dict[str, Any] | None = None
    documents: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "files": self.files,
            "error": self.error,
            "summary": self.summary,
            "documents": [
                {k: d.get(k) for k in ("id", "source", "status", "doc_type", "error")} for d in self.documents
            ],
        }


_jobs: dict[str, UploadJob] = {}
_jobs_lock = threading.Lock()
_ingest_lock = threading.Lock()  # one batch at a time per server process


def _safe_name(name: str) -> str:
    base = _nfc(Path(name.replace("\\", "/")).name)
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .")
    if not base or not base.lower().endswith(SUPPORTED_UPLOADS):
        raise BadInputError(f"{name or 'a file'}: only PDF, PNG, JPEG and TIFF files can be uploaded")
    return base


def save_upload(
    rt: Runtime,
    files: list[tuple[str, bytes]],
    *,
    actor: str,
    dossier_code: str | None = None,
    title: str | None = None,
    received_date: str | None = None,
    due_date: str | None = None,
) -> UploadJob:
    """Write the files of one dossier under data_dir/uploads/<id>/<dossier>/ with its dossier.json."""
    if not files:
        raise BadInputError("choose at least one file")
    for d, what in ((received_date, "received date"), (due_date, "due date")):
        if d:
            try:
                date.fromisoformat(d)
            except ValueError as e:
                raise BadInputError(f"the {what} must be a date (YYYY-MM-DD)") from e
    upload_id = uuid.uuid4().hex[:12]
    root = rt.settings.data_dir / "uploads" / upload_id
    folder_name = re.sub(r"[^\w.\-]", "_", _nfc(dossier_code)) if dossier_code else f"HS-{upload_id}"
    folder = root / folder_name
    folder.mkdir(parents=True)
    names: list[str] = []
    for name, data in files:
        if len(data) > MAX_UPLOAD_BYTES:
            raise BadInputError(f"{name} is larger than {MAX_UPLOAD_BYTES // 2**20} MB")
        safe = _safe_name(name)
        while safe in names:
            safe = f"{len(names)}-{safe}"
        (folder / safe).write_bytes(data)
        names.append(safe)
    info = {
        "dossier_code": _nfc(dossier_code or "") or None,
        "title": _nfc(title or "") or None,
        "received_date": received_date or date.today().isoformat(),
        "due_date": due_date or None,
    }
    (folder / "dossier.json").write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    job = UploadJob(upload_id, root, names, actor)
    with _jobs_lock:
        _jobs[upload_id] = job
    record_event(rt, actor, "upload", upload_id, f"{len(names)} file(s)")
    return job


def start_ingest(job: UploadJob) -> threading.Thread:
    """Ingest the uploaded dossier in a background thread (the Prefect flow of ``sohoa ingest``)."""

    def run() -> None:
        from flows.ingest import ingest_batch

        with _ingest_lock:
            job.state = "running"
            try:
                report = ingest_batch(
                    source=str(job.folder), report_path=str(job.folder / "report.json"), progress=False
                )
                job.summary, job.documents, job.state = report["summary"], report["documents"], "done"
            except Exception as exc:  # noqa: BLE001 - shown on the upload page; the log keeps the traceback
                job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
                log.error("upload %s failed: %s", job.id, traceback.format_exc())

    t = threading.Thread(target=run, name=f"ingest-{job.id}", daemon=True)
    t.start()
    return t


def upload_job(rt: Runtime, upload_id: str) -> UploadJob:
    with _jobs_lock:
        job = _jobs.get(upload_id)
    if job is not None:
        return job
    root = rt.settings.data_dir / "uploads" / upload_id
    if not re.fullmatch(r"[0-9a-f]{12}", upload_id) or not root.is_dir():
        raise NotFoundError(f"no upload {upload_id}")
    job = UploadJob(upload_id, root, [], "?", state="queued")
    report = root / "report.json"
    if report.exists():
        data = json.loads(report.read_text(encoding="utf-8"))
        job.state, job.summary, job.documents = "done", data.get("summary"), data.get("documents", [])
    return job


# ------------------------------------------------------------------------------------------------ verify


def trust_roots(rt: Runtime) -> list[Path]:
    out = list(rt.settings.trust_anchors)
    test_root = rt.settings.data_dir / "pki" / "root.pem"
    if test_root.exists():
        out.append(test_root)
    return out


def verify(rt: Runtime, data: bytes, *, actor: str) -> Any:
    """The auditor's report on a signed PDF, with the archive record it matches (if any)."""
    from signing.verify import verify_pdf

    if not data:
        raise BadInputError("choose a PDF file to check")
    report = verify_pdf(data, trust_roots(rt))
    with rt.db.session(readonly=True) as s:
        report.archive_match = repo.find_archived_by_sha256(s, report.file_sha256)
    record_event(rt, actor, "verify", report.file_sha256[:16], "passed" if report.passed else "not passed")
    return report


# ------------------------------------------------------------------------------------------------ audit


def audit_entries(rt: Runtime, limit: int = 200) -> dict[str, list[dict[str, Any]]]:
    from storage.access_log import list_access

    with rt.db.session(readonly=True) as s:
        access = [
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "subject": f"{e.subject_kind}:{e.subject_id or ''}",
                "purpose": e.purpose,
            }
            for e in list_access(s, limit=limit)
        ]
        events = [
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "target": e.target,
                "detail": e.detail,
            }
            for e in s.scalars(
                sa.select(WebEvent).order_by(WebEvent.at.desc(), WebEvent.id.desc()).limit(limit)
            )
        ]
    return {"access": access, "events": events}
