"""Consistency between the database and object storage: archived objects without a row, rows without an object.

Repairs (``repair=True``) are only those that cannot lose or invent anything:

- an archived version whose metadata names a document (``sohoa-document-id``) with the same original bytes
  (``sohoa-original-sha256``) while that document has no archive location (a run that died between the upload
  and the database write): the location, checksum, retention and signature are recorded from the object;
- a row whose archived version id is unknown to the storage while another version at the same key has exactly
  the recorded SHA-256: the version id is corrected.

Everything else is reported for a person to decide: objects of unknown documents, rows whose object is gone
(restore from a replica), packages without a row, originals without a document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote

import sqlalchemy as sa

from pipelines.errors import NotFoundError
from pipelines.logs import get_logger
from storage.db.database import Database
from storage.db.models import ArchivePackage, Document
from storage.objects import ObjectStore, VersionEntry

log = get_logger(__name__)


@dataclass
class Issue:
    kind: str  # object_without_row | row_without_object | package_without_row | original_without_row ...
    bucket: str
    key: str
    version_id: str | None = None
    document_id: str | None = None
    detail: str = ""
    repaired: bool = False


@dataclass
class ReconcileReport:
    objects_seen: int = 0
    rows_seen: int = 0
    issues: list[Issue] = field(default_factory=list)

    @property
    def objects_without_rows(self) -> list[Issue]:
        return [i for i in self.issues if i.kind in ("object_without_row", "package_without_row")]

    @property
    def rows_without_objects(self) -> list[Issue]:
        return [i for i in self.issues if i.kind in ("row_without_object", "original_missing")]

    @property
    def repaired(self) -> list[Issue]:
        return [i for i in self.issues if i.repaired]

    @property
    def unresolved(self) -> list[Issue]:
        return [i for i in self.issues if not i.repaired]

    @property
    def consistent(self) -> bool:
        return not self.unresolved

    def summary(self) -> dict[str, object]:
        return {
            "objects": self.objects_seen,
            "rows": self.rows_seen,
            "repaired": len(self.repaired),
            "unresolved": len(self.unresolved),
            "issues": [i.__dict__ for i in self.issues],
        }


def _vid(v: str | None) -> str | None:
    return None if v in (None, "", "null") else v


def reconcile(db: Database, store: ObjectStore, *, repair: bool) -> ReconcileReport:
    report = ReconcileReport()
    archive = store.buckets.archive
    objects = store.list_versions(archive)
    report.objects_seen = len(objects)
    by_key: dict[str, list[VersionEntry]] = {}
    for o in objects:
        by_key.setdefault(o.key, []).append(o)
    with db.session(readonly=True) as s:
        docs = list(s.scalars(sa.select(Document)))
        packages = list(s.scalars(sa.select(ArchivePackage)))
    report.rows_seen = len(docs) + len(packages)
    known = {(d.archive_key, _vid(d.archive_version_id)) for d in docs if d.archive_key}
    known |= {(p.key, _vid(p.version_id)) for p in packages}
    docs_by_id = {d.id: d for d in docs}

    for o in objects:
        if (o.key, _vid(o.version_id)) in known:
            continue
        if o.key.endswith(".bag.tar"):
            report.issues.append(
                Issue("package_without_row", archive, o.key, o.version_id, detail="rebuild the package")
            )
            continue
        report.issues.append(_object_without_row(db, store, o, docs_by_id, repair=repair))

    for d in docs:
        if not d.archive_key or d.archive_bucket not in (None, archive):
            continue
        present = {_vid(v.version_id) for v in by_key.get(d.archive_key, [])}
        if _vid(d.archive_version_id) in present:
            continue
        report.issues.append(_row_without_object(db, store, d, by_key.get(d.archive_key, []), repair=repair))

    _check_originals(store, docs, report)
    for i in report.issues:
        log.warning("reconcile %s %s/%s: %s%s", i.kind, i.bucket, i.key, i.detail, " (repaired)" * i.repaired)
    return report


def _object_without_row(
    db: Database, store: ObjectStore, o: VersionEntry, docs: dict[str, Document], *, repair: bool
) -> Issue:
    bucket = store.buckets.archive
    issue = Issue("object_without_row", bucket, o.key, o.version_id)
    try:
        meta = store.user_metadata(bucket, o.key, o.version_id)
    except NotFoundError:
        issue.detail = "vanished while reconciling"
        return issue
    doc_id = meta.get("sohoa-document-id")
    issue.document_id = doc_id
    doc = docs.get(doc_id or "")
    if doc is None:
        issue.detail = "no document in the database has this id" if doc_id else "no sohoa-document-id"
        return issue
    if doc.archive_key:
        issue.detail = f"the document is recorded with another archived version ({doc.archive_key})"
        return issue
    if meta.get("sohoa-original-sha256") != doc.sha256 or not meta.get("sha256"):
        issue.detail = "the object was made from other original bytes than the document's"
        return issue
    issue.detail = "the document has no archive location; the object names it"
    if repair:
        held = store.retention(bucket, o.key, o.version_id)
        with db.session() as s:
            row = s.get(Document, doc.id)
            if row is not None and not row.archive_key:  # nobody recorded it in between
                row.archive_bucket, row.archive_key, row.archive_version_id = bucket, o.key, o.version_id
                row.archive_sha256 = meta["sha256"]
                row.archive_retain_until = held[1] if held else None
                row.signature_level = meta.get("sohoa-signature-level") or row.signature_level
                row.signer = meta.get("sohoa-signer") or row.signer
                if meta.get("sohoa-signed-at"):
                    row.signed_at = datetime.fromisoformat(meta["sohoa-signed-at"])
                row.status = "archived"
                if not row.sequence:
                    row.sequence = _sequence_from_key(o.key, meta.get("sohoa-dossier-code"))
                issue.repaired = True
    return issue


def _sequence_from_key(key: str, code: str | None) -> int | None:
    """``<code>/<code>.012.pdf`` -> 12."""
    name = key.rsplit("/", 1)[-1]
    code = unquote(code or "")
    if code and name.startswith(code + ".") and name.endswith(".pdf"):
        middle = name[len(code) + 1 : -4]
        if middle.isdigit():
            return int(middle)
    return None


def _row_without_object(
    db: Database, store: ObjectStore, d: Document, versions: list[VersionEntry], *, repair: bool
) -> Issue:
    bucket = store.buckets.archive
    issue = Issue("row_without_object", bucket, d.archive_key or "", d.archive_version_id, d.id)
    for v in versions:
        try:
            sha = store.user_metadata(bucket, v.key, v.version_id).get("sha256")
        except NotFoundError:
            continue
        if sha and sha == d.archive_sha256:
            issue.detail = f"the same bytes are stored as version {v.version_id}"
            if repair:
                with db.session() as s:
                    row = s.get(Document, d.id)
                    if row is not None and row.archive_version_id == d.archive_version_id:
                        row.archive_version_id = v.version_id
                        issue.repaired = True
            return issue
    issue.detail = "the archived object is missing: restore it from a replica or backup"
    return issue


def _check_originals(store: ObjectStore, docs: list[Document], report: ReconcileReport) -> None:
    bucket = store.buckets.originals
    objects = store.list_versions(bucket, "sha256/")
    report.objects_seen += len(objects)
    stored = {(o.key, _vid(o.version_id)) for o in objects}
    stored_keys = {o.key for o in objects}
    referenced = set()
    for d in docs:
        if not d.original_key or d.original_bucket not in (None, bucket):
            continue
        referenced.add(d.original_key)
        if (d.original_key, _vid(d.original_version)) not in stored and d.original_key not in stored_keys:
            report.issues.append(
                Issue(
                    "original_missing", bucket, d.original_key, d.original_version, d.id, "rescan or restore"
                )
            )
    for key in sorted(stored_keys - referenced):
        report.issues.append(
            Issue("original_without_row", bucket, key, detail="an original no document refers to (kept)")
        )
