"""The batch report of interfaces.md: JSON other tools depend on. Extend, never break."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pipelines.model import DocumentResult, Status
from pipelines.rescan import rescan_file_name

VN_TZ = timezone(timedelta(hours=7), "ICT")


def now_vn() -> datetime:
    return datetime.now(VN_TZ)


def iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(VN_TZ).isoformat(timespec="seconds")


def document_to_dict(r: DocumentResult) -> dict[str, Any]:
    return {
        "id": r.id,
        "source": r.source,
        "sha256": r.sha256,
        "dossier_code": r.dossier_code,
        "status": str(r.status),
        "error": r.error,
        "pages": r.pages,
        "doc_type": r.doc_type,
        "doc_type_confidence": None if r.doc_type_confidence is None else round(r.doc_type_confidence, 3),
        "fields": {
            k: {
                "value": f.value,
                "confidence": round(f.confidence, 3),
                **({"problems": f.problems} if f.problems else {}),
            }
            for k, f in sorted(r.fields.items())
        },
        "archive": None
        if r.archive is None
        else {
            "bucket": r.archive.bucket,
            "key": r.archive.key,
            "version_id": r.archive.version_id,
            "sha256": r.archive.sha256,
            "retain_until": iso(r.archive.retain_until),
        },
        "signature": None
        if r.signature is None
        else {
            "level": r.signature.level,
            "signed_at": iso(r.signature.signed_at),
            "signer": r.signature.signer,
        },
        "review_reasons": r.review_reasons,
        "to_rescan": r.to_rescan,
        # sohoa's extensions: the rescan to feed back with ``sohoa ingest --replace``, and what it replaced.
        **({"rescan_as": rescan_file_name(r.source, r.rescan_pages)} if r.rescan_pages else {}),
        **({"replaces": r.replaces} if r.replaces else {}),
    }


_NOT_COUNTED = (Status.PENDING, Status.SUPERSEDED)


def summarize(results: Sequence[DocumentResult], seconds: float) -> dict[str, Any]:
    counts = {s: sum(1 for r in results if r.status == s) for s in Status if s not in _NOT_COUNTED}
    return {
        "documents": len(results),
        "pages": sum(r.pages for r in results),
        **{str(s): n for s, n in counts.items()},
        "to_rescan": sum(len(r.to_rescan) for r in results),
        "replaced": sum(1 for r in results if r.replaces),
        "seconds": round(seconds, 2),
    }


def build_report(
    *,
    batch_id: str,
    source: str,
    started_at: datetime,
    finished_at: datetime,
    results: Sequence[DocumentResult],
) -> dict[str, Any]:
    return {
        "batch_id": batch_id,
        "source": source,
        "started_at": iso(started_at),
        "finished_at": iso(finished_at),
        "documents": [document_to_dict(r) for r in results],
        "summary": summarize(results, (finished_at - started_at).total_seconds()),
    }


def write_report(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def exit_status(results: Sequence[DocumentResult]) -> int:
    """0 when every document ended archived or review; 1 when any failed or was quarantined."""
    return 1 if any(r.status in (Status.FAILED, Status.QUARANTINED) for r in results) else 0
