"""Leases on documents so that several workers (processes, machines) sharing the database can work on one
batch: each document is processed by exactly one of them, and a crashed worker's lease runs out.

The database decides (an insert that does nothing on conflict, a conditional update), never a check in
Python followed by a write.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.db.models import Document

FINAL = ("archived", "review")


def _now() -> datetime:
    return datetime.now(UTC)


def worker_id() -> str:
    """``host:pid:nonce`` — the host and pid let a restarted worker see that a claim's holder is dead."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _dead_on_this_host(holder: str | None) -> bool:
    if not holder:
        return False
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def claim(s: Session, doc_id: str, *, worker: str, source: str, sha256: str, lease_seconds: float) -> bool:
    """True if ``worker`` now holds the document: it was unknown, or not finished and its lease is free,
    expired, already ours, or held by a process of this host that has died (taken over at once).
    False if a live worker holds it or it is finished."""
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
    if res.rowcount == 1:
        return True
    _, held_by, _ = holder(s, doc_id)
    if not _dead_on_this_host(held_by):
        return False
    res = s.execute(  # compare-and-swap: only if the dead process still holds it
        sa.update(Document)
        .where(Document.id == doc_id, Document.status.not_in(FINAL), Document.claimed_by == held_by)
        .values(claimed_by=worker, claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    return res.rowcount == 1


def renew(s: Session, doc_ids: Iterable[str], *, worker: str, lease_seconds: float) -> int:
    """Extend this worker's leases (the heartbeat of a live worker); returns how many were extended."""
    ids = list(doc_ids)
    if not ids:
        return 0
    res = s.execute(
        sa.update(Document)
        .where(Document.id.in_(ids), Document.claimed_by == worker)
        .values(claimed_until=_now() + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False)
    )
    return res.rowcount


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
