"""The batch flow: ``sohoa ingest SOURCE`` — every document of a source folder through every stage."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from flows.document import DocumentJob, package_task, process_document
from flows.runtime import get_runtime
from pipelines.discover import discover, dossier_folders, read_dossier_info
from pipelines.errors import BadInputError
from pipelines.identity import batch_id_for
from pipelines.logs import get_logger, log_context
from pipelines.model import DocumentResult, DossierInfo, Status
from pipelines.report import build_report, now_vn, write_report
from storage import repository as repo

log = get_logger("sohoa.batch")
Progress = Callable[[int, int, DocumentResult], None]


def plan_jobs(
    source: Path, batch_id: str, only: list[str] | None = None, *, replace: bool = False
) -> tuple[list[DocumentJob], list[str]]:
    """One job per file, and the warnings a person should read: a dossier whose dossier.json is broken
    still gets its documents processed, without what the file would have told.
    ``only``: restrict to these dossier folders ("" for the loose files), as the hot folder does."""
    files = discover(source)
    if only is not None:
        files = [f for f in files if (f.dossier or "") in only]
    dossiers: dict[str, DossierInfo] = {}
    warnings: list[str] = []
    for folder in dossier_folders(files):
        try:
            dossiers[folder] = read_dossier_info(source, folder)
        except BadInputError as exc:
            warnings.append(f"{exc}; its documents were processed without it")
            log.warning("a dossier.json could not be read; its documents are processed without it")
            dossiers[folder] = DossierInfo(folder=folder)
    seq: dict[str | None, int] = {}
    jobs = []
    for f in files:
        seq[f.dossier] = seq.get(f.dossier, 0) + 1
        dossier = dossiers.get(f.dossier) if f.dossier else None
        jobs.append(DocumentJob(batch_id, f, dossier, seq[f.dossier], replace=replace))
    return jobs, warnings


@task(name="record-batch", retries=3, retry_delay_seconds=[1, 5, 15], cache_policy=NO_CACHE)
def record_batch(batch_id: str, source: str, started_at, finished_at=None, summary=None) -> None:
    with get_runtime().db.session() as s:
        if finished_at is None:
            repo.record_batch_start(s, batch_id, source, started_at)
        else:
            repo.record_batch_end(s, batch_id, finished_at, summary or {})


def documents_in_flight(workers: int) -> int:
    """Documents processed at once for ``workers`` OCR processes: enough that while some are in their later
    stages (fields, PDF/A, signing, archive: no Tesseract), the pages of others keep every OCR worker fed.
    With ``workers + 1`` the Tesseract slots were busy only 72 % of the time (``bench_ingest.py``)."""
    return 2 * workers + 2


@flow(
    name="ingest-batch",
    log_prints=False,
    task_runner=ThreadPoolTaskRunner(max_workers=documents_in_flight(os.cpu_count() or 1)),
)
def ingest_batch(
    source: str,
    report_path: str | None = None,
    progress: bool = True,
    dossiers: list[str] | None = None,
    replace: bool = False,
) -> dict[str, Any]:
    """Ingest every document of SOURCE (or of some of its dossiers). Returns the report of interfaces.md
    (and writes it if asked). ``replace``: the files are rescans that replace earlier documents."""
    started = now_vn()
    batch_id = batch_id_for(str(Path(source).resolve()), started.isoformat())
    with log_context(batch_id=batch_id):
        jobs, warnings = plan_jobs(Path(source), batch_id, dossiers, replace=replace)
        record_batch(batch_id, source, started)
        total = len(jobs)
        if progress:
            _say(f"sohoa: batch {batch_id}: {total} document(s) in {source}")
            for w in warnings:
                _say(f"sohoa: warning: {w}")
        results: list[DocumentResult | None] = [None] * total
        pages = 0
        done = 0
        # First pass: what no other worker holds; second pass: wait for what they held.
        for wait, todo in ((False, list(range(total))), (True, None)):
            if todo is None:
                todo = [i for i, r in enumerate(results) if r is None]
            futures = {process_document.submit(jobs[i], wait=wait): i for i in todo}
            for fut in as_completed(list(futures)):
                r = fut.result()
                if r is None:
                    continue
                results[futures[fut]] = r
                done += 1
                pages += r.pages
                if progress:
                    _say(_progress_line(done, total, pages, started, r))
        final = [r for r in results if r is not None]
        packages = [
            p
            for p in (
                package_task(info)
                for info in {j.dossier.folder: j.dossier for j in jobs if j.dossier}.values()
            )
            if p
        ]
        finished = now_vn()
        report = build_report(
            batch_id=batch_id, source=source, started_at=started, finished_at=finished, results=final
        )
        report["packages"] = packages
        report["warnings"] = warnings
        report["summary"]["packages"] = len(packages)
        record_batch(batch_id, source, started, finished, report["summary"])
        publish_artifact(report)
        if report_path:
            write_report(report, Path(report_path))
        return report


def ingest_flow(workers: int):  # -> the ingest_batch flow sized for ``workers`` OCR processes
    return ingest_batch.with_options(
        task_runner=ThreadPoolTaskRunner(max_workers=documents_in_flight(workers))
    )


def publish_artifact(report: dict[str, Any]) -> None:
    """The batch as a table in the Prefect UI: every document, its status, and the pages to rescan."""
    s = report["summary"]
    rows = [
        {
            "source": d["source"],
            "status": d["status"],
            "type": d["doc_type"] or "",
            "pages": d["pages"],
            "reason": d["error"] or "; ".join(d["review_reasons"][:2]),
            "to rescan": "; ".join(d["to_rescan"]),
            "id": d["id"],
        }
        for d in report["documents"]
    ]
    create_table_artifact(
        key=f"batch-{report['batch_id'][:8]}",
        table=rows,
        description=(
            f"{s['documents']} documents, {s['pages']} pages in {s['seconds']} s: archived {s['archived']}, "
            f"review {s['review']}, failed {s['failed']}, quarantined {s['quarantined']}, "
            f"pages to rescan {s['to_rescan']}"
        ),
    )


def _progress_line(done: int, total: int, pages: int, started, r: DocumentResult) -> str:
    elapsed = max((now_vn() - started).total_seconds(), 1e-6)
    ppm = pages / elapsed * 60
    eta = (total - done) * elapsed / done
    what = r.doc_type or "-"
    extra = f" — {r.error}" if r.error else ""
    if r.status == Status.REVIEW and r.review_reasons:
        extra = f" — review: {r.review_reasons[0]}" + (
            f" (+{len(r.review_reasons) - 1})" if len(r.review_reasons) > 1 else ""
        )
    return (
        f"[{done}/{total}] {r.source}: {r.status} ({what}, {r.pages} page(s)){extra}"
        f"  | {ppm:.1f} pages/min, ~{eta:.0f}s left"
    )


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
