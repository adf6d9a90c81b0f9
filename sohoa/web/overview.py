"""The batches and dossiers page: what each batch held, and each dossier's state against its due date.

A dossier is *completed* when it has documents and every one of them is signed and archived — documents set
aside do not count: superseded by a rescan, rejected by an officer, or a rescan that failed (the document it
was to replace stands), as in ``storage.repository.dossier_complete``. It was completed *on time* when its last
signature is on or before its due date (Vietnam time). The on-time share is over the completed dossiers that
have a due date.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from flows.runtime import Runtime
from pipelines.report import VN_TZ
from storage.db.models import Batch, Document, Dossier
from storage.repository import holds_dossier, holds_dossier_sql

VN = VN_TZ
# A dossier's state is that of its least advanced document, in this order.
DOSSIER_STATES = ("failed", "quarantined", "rescan", "review", "pending", "archived")


@dataclass
class BatchRow:
    id: str
    source: str
    started_at: datetime
    finished_at: datetime | None
    documents: int = 0
    pages: int = 0
    to_rescan: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["started_at"] = self.started_at.isoformat()
        out["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        return out


@dataclass
class DossierRow:
    id: str
    code: str | None
    folder: str
    title: str | None
    procedure: str | None
    applicant_name: str | None
    received_date: date | None
    due_date: date | None
    status: str
    documents: int
    completed_at: datetime | None  # the last signature, once every document is archived
    overdue: bool  # not completed and past its due date
    on_time: bool | None  # completed: by its due date; None: not completed or no due date

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for k in ("received_date", "due_date", "completed_at"):
            out[k] = out[k].isoformat() if out[k] else None
        return out


@dataclass
class Overview:
    batches: list[BatchRow]
    dossiers: list[DossierRow]
    completed: int  # completed dossiers with a due date
    completed_on_time: int
    overdue_now: int

    @property
    def on_time_share(self) -> float | None:
        return self.completed_on_time / self.completed if self.completed else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "batches": [b.to_dict() for b in self.batches],
            "dossiers": [d.to_dict() for d in self.dossiers],
            "completed": self.completed,
            "completed_on_time": self.completed_on_time,
            "on_time_share": self.on_time_share,
            "overdue_now": self.overdue_now,
        }


def _batches(s: sa.orm.Session, limit: int) -> list[BatchRow]:
    rows = {
        b.id: BatchRow(b.id, b.source, b.started_at, b.finished_at)
        for b in s.scalars(sa.select(Batch).order_by(Batch.started_at.desc()).limit(limit))
    }
    if not rows:
        return []
    docs = s.execute(
        sa.select(Document.batch_id, Document.status, Document.page_count, Document.to_rescan).where(
            Document.batch_id.in_(list(rows))
        )
    )
    for batch_id, status, pages, rescan in docs:
        b = rows[batch_id]
        b.documents += 1
        b.pages += pages or 0
        b.to_rescan += len(rescan or [])
        b.statuses[status] = b.statuses.get(status, 0) + 1
    return list(rows.values())


def _state(statuses: list[str], all_statuses: list[str]) -> str:
    """The least advanced state of the documents that count; "rejected" when every document was rejected."""
    present = set(statuses)
    if not present:
        return "rejected" if "rejected" in all_statuses else "empty"
    return next((st for st in DOSSIER_STATES if st in present), sorted(present)[0])


def _dossiers(s: sa.orm.Session, today: date, limit: int) -> list[DossierRow]:
    dossiers = s.scalars(
        sa.select(Dossier)
        .order_by(Dossier.received_date.desc().nulls_last(), Dossier.created_at.desc())
        .limit(limit)
    ).all()
    docs: dict[str, list[tuple[str, str | None, datetime | None]]] = {}
    if dossiers:
        for dossier_id, status, replaces, signed_at in s.execute(
            sa.select(Document.dossier_id, Document.status, Document.replaces, Document.signed_at).where(
                Document.dossier_id.in_([d.id for d in dossiers])
            )
        ):
            docs.setdefault(dossier_id, []).append((status, replaces, signed_at))
    out = []
    for d in dossiers:
        everything = docs.get(d.id, [])
        mine = [(st, at) for st, rep, at in everything if holds_dossier(st, rep)]
        status = _state([st for st, _ in mine], [st for st, _, _ in everything])
        complete = status == "archived"
        signed = [at for _, at in mine if at is not None]
        completed_at = max(signed) if complete and signed else None
        on_time = None
        if completed_at is not None and d.due_date is not None:
            on_time = completed_at.astimezone(VN).date() <= d.due_date
        out.append(
            DossierRow(
                id=d.id,
                code=d.code,
                folder=d.folder,
                title=d.title,
                procedure=d.procedure,
                applicant_name=d.applicant_name,
                received_date=d.received_date,
                due_date=d.due_date,
                status=status,
                documents=len(mine),
                completed_at=completed_at,
                overdue=not complete and d.due_date is not None and d.due_date < today,
                on_time=on_time,
            )
        )
    # Overdue first, then the nearest due date (none last), then the most recently received.
    return sorted(out, key=lambda r: (not r.overdue, r.due_date is None, r.due_date or date.max))


def _totals(s: sa.orm.Session, today: date) -> tuple[int, int, int]:
    """(completed with a due date, of which on time, overdue now) over every dossier: one row per dossier."""
    counted = holds_dossier_sql()
    open_docs = sa.func.sum(sa.case((sa.and_(counted, Document.status != "archived"), 1), else_=0))
    rows = s.execute(
        sa.select(
            Dossier.due_date,
            sa.func.count(Document.id).filter(counted),
            open_docs,
            sa.func.max(Document.signed_at).filter(counted),
        )
        .outerjoin(Document, Document.dossier_id == Dossier.id)
        .where(Dossier.due_date.is_not(None))
        .group_by(Dossier.id, Dossier.due_date)
    )
    completed = on_time = overdue = 0
    for due, n, still_open, last_signed in rows:
        if n and not still_open and last_signed is not None:
            completed += 1
            signed = last_signed if last_signed.tzinfo else last_signed.replace(tzinfo=UTC)
            on_time += signed.astimezone(VN).date() <= due
        elif due < today:
            overdue += 1
    return completed, on_time, overdue


def overview(rt: Runtime, *, today: date | None = None, limit: int = 200) -> Overview:
    """The latest ``limit`` batches and dossiers, and the on-time figures over every dossier."""
    today = today or datetime.now(VN).date()
    with rt.db.session(readonly=True) as s:
        batches = _batches(s, limit)
        dossiers = _dossiers(s, today, limit)
        completed, on_time, overdue = _totals(s, today)
    return Overview(
        batches=batches,
        dossiers=dossiers,
        completed=completed,
        completed_on_time=on_time,
        overdue_now=overdue,
    )
