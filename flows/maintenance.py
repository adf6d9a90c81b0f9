"""Scheduled work on the archive: fixity checks (and, with a TSA, timestamp renewal)."""

from __future__ import annotations

from typing import Any

from prefect import flow
from prefect.artifacts import create_table_artifact

from flows.runtime import Runtime, get_runtime
from pipelines.errors import ConfigurationError, SohoaError
from pipelines.logs import get_logger, log_context

log = get_logger("sohoa.maintenance")


@flow(name="fixity-check", log_prints=False)
def fixity_flow(limit: int | None = None) -> dict[str, Any]:
    """Re-read archived objects, recompute SHA-256, compare with the records; every result is kept."""
    from storage.fixity import check_fixity

    rt = get_runtime()
    report = check_fixity(rt.db, rt.store, limit=limit, workers=rt.settings.workers)
    summary = report.summary()
    bad = [*report.mismatches, *report.missing, *report.errors]
    create_table_artifact(
        key="fixity",
        table=[{"object": str(r)} for r in bad] or [{"object": "all objects intact"}],
        description=f"fixity: {summary}",
    )
    if bad:
        log.error("fixity: %d problem(s) found", len(bad))
    return summary


def renew_timestamps(rt: Runtime, *, horizon_days: int = 365, limit: int | None = None) -> dict[str, Any]:
    """Add a fresh document timestamp to archived results whose last timestamp certificate expires within
    ``horizon_days``; the renewed file is a new locked version at the same key, and the record follows it."""
    from flows.document import fetch_signed, retention_for
    from signing.renew import needs_renewal, renew_timestamp
    from storage import repository as repo

    if not rt.settings.tsa_url:
        raise ConfigurationError("timestamp renewal needs a timestamp authority: set SOHOA_TSA_URL")
    with rt.db.session(readonly=True) as s:
        docs = repo.list_documents(s, status="archived", limit=limit or 1_000_000)
    checked = renewed = 0
    failures: list[str] = []
    for doc in docs:
        checked += 1
        with log_context(document_id=doc.id):
            try:
                result, pdf = fetch_signed(rt, doc.id)
                if not needs_renewal(pdf, horizon_days=horizon_days):
                    continue
                new = renew_timestamp(pdf, tsa_url=rt.settings.tsa_url, trust_roots=rt.settings.trust_anchors)
                days, mode = retention_for(rt, result.doc_type)
                meta = rt.store.user_metadata(
                    result.archive.bucket, result.archive.key, result.archive.version_id
                )
                record = rt.store.put_archive(
                    result.archive.key, new, retention_days=days, retention_mode=mode, metadata=meta
                )
                with rt.db.session() as s:
                    repo.mark_archived(s, doc.id, record, result.signature)
                renewed += 1
                log.info("timestamp renewed: new version %s", record.version_id)
            except SohoaError as exc:
                failures.append(f"{doc.id}: {exc}")
                log.error("timestamp renewal failed: %s", exc)
    return {"checked": checked, "renewed": renewed, "failed": failures}


@flow(name="renew-timestamps", log_prints=False)
def renew_flow(horizon_days: int = 365) -> dict[str, Any]:
    return renew_timestamps(get_runtime(), horizon_days=horizon_days)
