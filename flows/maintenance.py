"""Scheduled work on the archive: fixity checks (and, with a TSA, timestamp renewal)."""

from __future__ import annotations

from typing import Any

from prefect import flow
from prefect.artifacts import create_table_artifact

from flows.runtime import get_runtime
from pipelines.logs import get_logger

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
