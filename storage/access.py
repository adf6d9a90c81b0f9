"""Officers download archived documents through short-lived presigned URLs; every download is recorded.

The application never streams archive bytes to an officer itself: it issues a URL valid for a few minutes for
exactly one object version, and writes an ``access_log`` row (action ``download``) in the same transaction.
No link, no download; no record, no link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from pipelines.errors import BadInputError, NotFoundError
from storage.access_log import list_access, record_access
from storage.db.models import AccessLogEntry, Document
from storage.objects import ObjectStore

DEFAULT_LINK_LIFETIME = timedelta(minutes=5)
MAX_LINK_LIFETIME = timedelta(minutes=15)


@dataclass
class DownloadLink:
    url: str
    expires_at: datetime
    document_id: str
    bucket: str
    key: str
    version_id: str | None
    sha256: str | None
    filename: str


def download_link(
    s: Session,
    store: ObjectStore,
    document_id: str,
    *,
    actor: str,
    purpose: str | None = None,
    which: str = "archive",
    lifetime: timedelta = DEFAULT_LINK_LIFETIME,
) -> DownloadLink:
    """A presigned GET for the archived (``which="archive"``) or original (``"original"``) copy of a document,
    recorded in the access log under ``actor``."""
    if not timedelta(seconds=1) <= lifetime <= MAX_LINK_LIFETIME:
        raise BadInputError("a download link lives between one second and 15 minutes")
    doc = s.get(Document, document_id)
    if doc is None:
        raise NotFoundError(f"document {document_id} is not in the database")
    if which == "archive":
        bucket, key, version, sha = (
            doc.archive_bucket,
            doc.archive_key,
            doc.archive_version_id,
            doc.archive_sha256,
        )
        if not key:
            raise NotFoundError(f"document {document_id} is not archived yet")
    elif which == "original":
        bucket, key, version, sha = doc.original_bucket, doc.original_key, doc.original_version, doc.sha256
        if not key:
            raise NotFoundError(f"the original of document {document_id} is not in object storage")
    else:
        raise BadInputError(f"which copy: 'archive' or 'original', not {which!r}")
    bucket = bucket or (store.buckets.archive if which == "archive" else store.buckets.originals)
    filename = key.rsplit("/", 1)[-1] if which == "archive" else doc.source.rsplit("/", 1)[-1]
    expires_at = datetime.now(UTC) + lifetime
    record_access(  # first: a link is never handed out unrecorded
        s,
        actor=actor,
        action="download",
        subject_kind="document",
        subject_id=document_id,
        purpose=purpose,
        detail={
            "copy": which,
            "bucket": bucket,
            "key": key,
            "version_id": version,
            "sha256": sha,
            "expires_at": expires_at.isoformat(),
        },
    )
    url = store.presigned_get(bucket, key, version, expires=lifetime, filename=filename)
    return DownloadLink(url, expires_at, document_id, bucket, key, version, sha, filename)


def downloads_of(s: Session, document_id: str, *, limit: int = 100) -> list[AccessLogEntry]:
    """Who was given a download link for this document, newest first."""
    rows = list_access(s, subject_kind="document", subject_id=document_id, limit=limit)
    return [r for r in rows if r.action == "download"]
