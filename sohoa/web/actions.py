"""What the pages and the REST API do, as plain functions over the runtime: one implementation for both."""

from __future__ import annotations

import re
import unicodedata
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

# The tabs of the documents page, in the order shown (every document status but "pending").
QUEUE_STATUSES = ("review", "rescan", "rejected", "failed", "quarantined", "archived", "pending")


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
    error: str | None = None  # why it failed, or why it was rejected
    to_rescan: list[str] = field(default_factory=list)

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
            "error": self.error,
            "to_rescan": self.to_rescan,
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
                error=d.error,
                to_rescan=list(d.to_rescan or []),
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


def parse_pages(text: str) -> list[int]:
    """``"2, 4-5"`` -> [2, 4, 5] (1-based page numbers); empty -> [] (every page)."""
    pages: list[int] = []
    for part in filter(None, (p.strip() for p in re.split(r"[,;\s]+", text or ""))):
        m = re.fullmatch(r"(\d{1,4})(?:-(\d{1,4}))?", part)
        if m is None or (m.group(2) and int(m.group(2)) < int(m.group(1))):
            raise BadInputError(f"{part!r} is not a page number or a range such as 2-4")
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        pages.extend(range(lo, hi + 1))
    return pages


def decide(
    rt: Runtime, doc_id: str, action: str, *, actor: str, reason: str, pages: str | list[int] = ""
) -> None:
    """Reject a document (status ``rejected``, the reason in its error) or send it back to the scanner
    (status ``rescan``, the pages and reason in ``to_rescan``). The decision is also kept with its author."""
    if action not in ("reject", "rescan"):
        raise BadInputError("the decision must be reject or rescan")
    if not reason.strip():
        raise BadInputError("say why, in a few words")
    numbers = parse_pages(pages) if isinstance(pages, str) else list(pages)
    if numbers and action == "reject":
        raise BadInputError("pages are for a rescan; a rejection is for the whole document")
    why = _nfc(reason)
    with rt.db.session() as s:
        if action == "reject":
            repo.reject_document(s, doc_id, why)
        else:
            repo.send_to_rescan(s, doc_id, why, numbers)
        detail = why if not numbers else f"{why} (pages {', '.join(map(str, numbers))})"
        s.add(ReviewAction(document_id=doc_id, action=action, reason=detail, actor=actor))
    record_event(rt, actor, action, doc_id, why)


def signed_pdf(rt: Runtime, doc_id: str) -> tuple[str, bytes]:
    """The archived, signed PDF, checked against the database record. Returns (file name, bytes)."""
    from flows.document import fetch_signed

    result, data = fetch_signed(rt, doc_id)
    return result.archive.key.rsplit("/", 1)[-1], data


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


# ------------------------------------------------------------------------------------------------ parties


@dataclass(frozen=True)
class Party:
    """Who a document names: a person (by personal ID) or a company (by enterprise code), and as what."""

    role: str
    kind: str  # "person" | "org"
    key: str | None  # personal ID / enterprise code; None when the document does not tell them apart
    name: str | None


def parties_of(rt: Runtime, doc_ids: list[str]) -> dict[str, list[Party]]:
    """The persons and companies each document is linked to (storage.people), companies first."""
    from storage.db.models import DocumentParty, Organisation, Person

    if not doc_ids:
        return {}
    out: dict[str, list[Party]] = {}
    with rt.db.session(readonly=True) as s:
        rows = s.execute(
            sa.select(DocumentParty, Person.personal_id, Organisation.enterprise_code, Organisation.name)
            .outerjoin(Person, Person.id == DocumentParty.person_id)
            .outerjoin(Organisation, Organisation.id == DocumentParty.org_id)
            .where(DocumentParty.document_id.in_(doc_ids))
            .order_by(DocumentParty.document_id, DocumentParty.org_id.is_(None), DocumentParty.role)
        )
        for p, pid, code, org_name in rows:
            kind = "org" if p.org_id is not None else "person"
            party = Party(p.role, kind, code if kind == "org" else pid, org_name or p.name)
            out.setdefault(p.document_id, []).append(party)
    return out


ENTERPRISE_CODE = re.compile(r"\d{10}(?:-\d{3})?")


def company_links(result: DocumentResult, parties: list[Party]) -> list[Party]:
    """The companies a document names: its linked organisations, and an ``enterprise_code`` field that is
    not linked (yet) to one."""
    out = [p for p in parties if p.kind == "org" and p.key]
    field_code = result.fields.get("enterprise_code")
    if field_code is not None:
        code = re.sub(r"\s", "", field_code.value)
        if ENTERPRISE_CODE.fullmatch(code) and code not in {p.key for p in out}:
            name = result.fields.get("company_name")
            out.append(Party("enterprise_code", "org", code, name.value if name else None))
    return out
