"""Leases on documents so that several workers (processes, machines) sharing the database can work on one
batch: each document is processed by exactly one of them, and a crashed worker's lease runs out.

The database decides (an insert that does nothing on conflict, a conditional update), never a check in
Python followed by a write.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.db.models import Document

FINAL = ("archived", "review")


def _now() -> datetime:
    return datetime.now(UTC)


def claim(s: Session, doc_id: str, *, worker: str, source: str, sha256: str, lease_seconds: float) -> bool:
    """True if ``worker`` now holds the document: it was unknown, or not finished and its lease is free,
    expired or already ours. False if another worker holds it or it is finished."""
    now = _now()
    until = now + timedelta(seconds=lease_seconds)
    dialect = s.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = dict(
        id=doc_id,
        source=source,
        sha256=sha256,
        status="pending",
        page_count=0,
        review_reasons=[],
        to_rescan=[],
        claimed_by=worker,
        claimed_until=until,
        created_at=now,
        updated_at=now,
    )
    res = s.execute(insert(Document).values(**values).on_conflict_do_nothing(index_elements=["id"]))
    if res.rowcount == 1:
        return True
    res = s.execute(
        sa.update(Document)
        .where(
            Document.id == doc_id,
            Document.status.not_in(FINAL),
            sa.or_(
                Document.claimed_until.is_(None),
                Document.claimed_until < now,
                Document.claimed_by == worker,
            ),
        )
        .values(claimed_by=worker, claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    return res.rowcount == 1


def release(s: Session, doc_id: str, *, worker: str) -> None:
    s.execute(
        sa.update(Document)
        .where(Document.id == doc_id, Document.claimed_by == worker)
        .values(claimed_until=None)
        .execution_options(synchronize_session=False)
    )


def holder(s: Session, doc_id: str) -> tuple[str | None, str | None, datetime | None]:
    """(status, claimed_by, claimed_until) of a document, or Nones when it is unknown."""
    row = s.execute(
        sa.select(Document.status, Document.claimed_by, Document.claimed_until).where(Document.id == doc_id)
    ).first()
    return (row[0], row[1], row[2]) if row else (None, None, None)
