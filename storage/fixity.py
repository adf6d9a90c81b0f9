"""Fixity: re-read archived objects, recompute their SHA-256 while streaming, compare with the database record
and with the package manifest, and keep every result in ``fixity_checks`` (the auditor's history).

Objects checked: every archived document version (``documents.archive_*``) and every archive package
(``archive_packages``). With ``limit`` only that many are read, least recently checked first, so a scheduled
run with a limit walks through the whole archive over several runs.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from pipelines.errors import NotFoundError, StorageError
from pipelines.logs import get_logger
from storage.db.database import Database
from storage.db.models import ArchivePackage, Document, FixityCheck
from storage.objects import ObjectStore
from storage.package import archive_file_name

log = get_logger(__name__)


@dataclass
class FixityTarget:
    bucket: str
    key: str
    version_id: str | None
    expected_sha256: str | None
    manifest_sha256: str | None = None
    document_id: str | None = None
    package_id: int | None = None


@dataclass
class FixityResult:
    target: FixityTarget
    outcome: str  # ok | mismatch | missing | error
    actual_sha256: str | None = None
    size: int | None = None
    detail: str | None = None


@dataclass
class FixityReport:
    run_id: str
    started_at: datetime
    seconds: float = 0.0
    bytes_read: int = 0
    results: list[FixityResult] = field(default_factory=list)

    def _of(self, outcome: str) -> list[FixityResult]:
        return [r for r in self.results if r.outcome == outcome]

    @property
    def checked(self) -> int:
        return len(self.results)

    @property
    def ok(self) -> bool:
        return all(r.outcome == "ok" for r in self.results)

    @property
    def mismatches(self) -> list[FixityResult]:
        return self._of("mismatch")

    @property
    def missing(self) -> list[FixityResult]:
        return self._of("missing")

    @property
    def errors(self) -> list[FixityResult]:
        return self._of("error")

    @property
    def mb_per_s(self) -> float:
        return self.bytes_read / 1e6 / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "checked": self.checked,
            "ok": len(self._of("ok")),
            "mismatch": len(self.mismatches),
            "missing": len(self.missing),
            "error": len(self.errors),
            "bytes": self.bytes_read,
            "seconds": round(self.seconds, 2),
            "mb_per_s": round(self.mb_per_s, 1),
            "problems": [
                {
                    "outcome": r.outcome,
                    "document_id": r.target.document_id,
                    "package_id": r.target.package_id,
                    "key": r.target.key,
                    "version_id": r.target.version_id,
                    "detail": r.detail,
                }
                for r in self.results
                if r.outcome != "ok"
            ],
        }


def _targets(s: Session) -> list[FixityTarget]:
    packages = list(s.scalars(sa.select(ArchivePackage).order_by(ArchivePackage.id)))
    newest: dict[str, ArchivePackage] = {}
    for p in packages:  # ids grow with time: the last one of a dossier is its current package
        if p.dossier_id:
            newest[p.dossier_id] = p
    out: list[FixityTarget] = []
    docs = s.scalars(sa.select(Document).where(Document.archive_key.is_not(None)).order_by(Document.id)).all()
    for d in docs:
        manifest = None
        pkg = newest.get(d.dossier_id or "")
        if pkg is not None and d.sequence:
            manifest = pkg.manifest.get(f"data/{archive_file_name(pkg.dossier_code, d.sequence)}")
        out.append(
            FixityTarget(
                d.archive_bucket or "",
                d.archive_key or "",
                d.archive_version_id,
                d.archive_sha256,
                manifest,
                document_id=d.id,
            )
        )
    out += [FixityTarget(p.bucket, p.key, p.version_id, p.sha256, package_id=p.id) for p in packages]
    return out


def _last_checked(s: Session) -> dict[tuple[str, str, str | None], datetime]:
    q = sa.select(
        FixityCheck.bucket, FixityCheck.key, FixityCheck.version_id, sa.func.max(FixityCheck.checked_at)
    ).group_by(FixityCheck.bucket, FixityCheck.key, FixityCheck.version_id)
    return {(b, k, v): at for b, k, v, at in s.execute(q)}


def _check(store: ObjectStore, t: FixityTarget) -> FixityResult:
    try:
        actual, size = store.sha256_of(t.bucket, t.key, t.version_id)
    except NotFoundError:
        return FixityResult(t, "missing", detail="the object version is not in object storage")
    except StorageError as e:
        return FixityResult(t, "error", detail=str(e))
    problems = []
    if t.expected_sha256 and actual != t.expected_sha256:
        problems.append("the stored bytes differ from the database record")
    if t.manifest_sha256 and actual != t.manifest_sha256:
        problems.append("the stored bytes differ from the package manifest")
    if not t.expected_sha256:
        problems.append("the database has no checksum for this object")
    outcome = "mismatch" if problems else "ok"
    return FixityResult(t, outcome, actual, size, "; ".join(problems) or None)


def check_fixity(
    db: Database, store: ObjectStore, *, limit: int | None = None, workers: int = 2
) -> FixityReport:
    """Check archived objects (all, or ``limit`` least recently checked) and record every result."""
    report = FixityReport(str(uuid.uuid4()), datetime.now(UTC))
    with db.session(readonly=True) as s:
        targets = _targets(s)
        seen = _last_checked(s)
    never = datetime.min.replace(tzinfo=UTC)
    targets.sort(key=lambda t: seen.get((t.bucket, t.key, t.version_id), never))
    if limit is not None:
        targets = targets[: max(0, limit)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        report.results = list(pool.map(lambda t: _check(store, t), targets))
    report.seconds = time.perf_counter() - started
    report.bytes_read = sum(r.size or 0 for r in report.results)
    _record(db, report)
    for r in report.results:
        if r.outcome != "ok":
            log.error("fixity %s: %s %s: %s", r.outcome, r.target.bucket, r.target.key, r.detail)
    log.info(
        "fixity run %s: %s", report.run_id, {k: v for k, v in report.summary().items() if k != "problems"}
    )
    return report


def _record(db: Database, report: FixityReport) -> None:
    with db.session() as s:
        for r in report.results:
            t = r.target
            s.add(
                FixityCheck(
                    run_id=report.run_id,
                    checked_at=report.started_at,
                    document_id=t.document_id,
                    package_id=t.package_id,
                    bucket=t.bucket,
                    key=t.key,
                    version_id=t.version_id,
                    expected_sha256=t.expected_sha256,
                    manifest_sha256=t.manifest_sha256,
                    actual_sha256=r.actual_sha256,
                    size=r.size,
                    outcome=r.outcome,
                    detail=r.detail,
                )
            )


def fixity_history(s: Session, document_id: str, *, limit: int = 100) -> list[FixityCheck]:
    """The fixity checks of a document's archived copy, newest first (what an auditor asks for)."""
    q = (
        sa.select(FixityCheck)
        .where(FixityCheck.document_id == document_id)
        .order_by(FixityCheck.checked_at.desc(), FixityCheck.id.desc())
        .limit(limit)
    )
    return list(s.scalars(q))


def failed_checks(s: Session, run_id: str | None = None) -> Iterable[FixityCheck]:
    q = sa.select(FixityCheck).where(FixityCheck.outcome != "ok").order_by(FixityCheck.id)
    if run_id:
        q = q.where(FixityCheck.run_id == run_id)
    return list(s.scalars(q))
