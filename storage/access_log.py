"""The access log: every read of a person's or a company's data, with who, when, what and why.

Rows are written in the reader's own session, so a read and its record commit together. This is the audit
trail the law asks for (Nghị định 356/2025); it is not an application log, which never carries ID numbers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from pipelines.errors import BadInputError
from storage.db.models import AccessLogEntry


def checked_actor(actor: str | None) -> str:
    """Who reads, as recorded; refused when not said."""
    if not actor or not actor.strip():
        raise BadInputError("say who is reading personal data (actor): every read is recorded")
    return actor.strip()


def record_access(
    s: Session,
    *,
    actor: str,
    action: str,
    subject_kind: str,
    subject_id: str | None,
    purpose: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write one access-log row. ``actor`` (the officer or system reading) is required."""
    s.add(
        AccessLogEntry(
            at=datetime.now(UTC),
            actor=checked_actor(actor),
            action=action,
            subject_kind=subject_kind,
            subject_id=subject_id,
            purpose=purpose,
            detail=detail,
        )
    )
    s.flush()


def list_access(
    s: Session,
    *,
    subject_kind: str | None = None,
    subject_id: str | None = None,
    actor: str | None = None,
    limit: int = 100,
) -> list[AccessLogEntry]:
    """Newest first."""
    q = sa.select(AccessLogEntry).order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc()).limit(limit)
    if subject_kind is not None:
        q = q.where(AccessLogEntry.subject_kind == subject_kind)
    if subject_id is not None:
        q = q.where(AccessLogEntry.subject_id == subject_id)
    if actor is not None:
        q = q.where(AccessLogEntry.actor == actor)
    return list(s.scalars(q))
