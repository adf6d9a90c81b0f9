"""The ``sohoa`` command. Usage errors exit 2; a person-actionable failure prints its message and exits 1."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from pipelines.errors import SohoaError
from pipelines.model import Status
from sohoa.settings import Settings, get_settings

LOGGERS = ("sohoa", "pipelines", "extractors", "signing", "storage", "flows")


def _setup_logging(settings: Settings, verbose: bool) -> None:
    """JSON lines with batch and document ids to DATA_DIR/sohoa.log (and stderr with -v); the console shows
    sohoa's own progress lines, not Prefect's or the libraries' chatter."""
    from pipelines.logs import ContextFilter, JsonFormatter

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    handlers: list[logging.Handler] = [logging.FileHandler(settings.data_dir / "sohoa.log", encoding="utf-8")]
    if verbose:
        handlers.append(logging.StreamHandler(sys.stderr))
    for h in handlers:
        h.setFormatter(JsonFormatter())
        h.addFilter(ContextFilter())
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # not through Prefect's console handler
        for h in handlers:
            logger.addHandler(h)
    logging.getLogger("pyhanko").setLevel(logging.ERROR)  # chain-building tracebacks at WARNING


def _runtime(settings: Settings):
    from flows.runtime import Runtime, set_runtime

    rt = Runtime.open(settings)
    set_runtime(rt)
    return rt


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    source = Path(args.source)
    if not source.exists():
        print(f"sohoa: {source} does not exist", file=sys.stderr)
        return 2
    report = run_ingest(settings, source, args.report, replace=args.replace)
    _print_summary(report, args.report)
    return exit_status_from_report(report)


def run_ingest(
    settings: Settings,
    source: Path,
    report_path: str | None,
    dossiers: list[str] | None = None,
    *,
    replace: bool = False,
) -> dict:
    from flows.ingest import ingest_flow

    _runtime(settings)
    _say_defaults(settings)
    flow = ingest_flow(settings.workers)
    return flow(source=str(source), report_path=report_path, dossiers=dossiers, replace=replace)


def exit_status_from_report(report: dict) -> int:
    bad = report["summary"].get("failed", 0) + report["summary"].get("quarantined", 0)
    return 1 if bad else 0


def _say_defaults(settings: Settings) -> None:
    if settings.uses_local_s3:
        print(
            f"sohoa: object storage: local SeaweedFS on 127.0.0.1:{settings.s3_local_port} "
            f"(data in {settings.data_dir / 'seaweedfs'}; set SOHOA_S3_ENDPOINT for MinIO)",
            file=sys.stderr,
        )
    if not settings.signing_pkcs12:
        print(
            f"sohoa: signing with the local TEST PKI in {settings.data_dir / 'pki'} — NOT a legal signature; "
            "set SOHOA_SIGNING_PKCS12 for the agency's key",
            file=sys.stderr,
        )
    if not settings.tsa_url:
        print(
            "sohoa: no timestamp authority (SOHOA_TSA_URL): signatures are PAdES-BASELINE-B", file=sys.stderr
        )


def _print_summary(report: dict, report_path: str | None) -> None:
    s = report["summary"]
    minutes = max(s["seconds"], 1e-6) / 60
    print(
        f"\n{s['documents']} document(s), {s['pages']} page(s) in {s['seconds']:.1f} s "
        f"({s['pages'] / minutes:.1f} pages/min): archived {s['archived']}, review {s['review']}, "
        f"failed {s['failed']}, quarantined {s['quarantined']}"
    )
    for d in report["documents"]:
        if d["status"] in ("failed", "quarantined"):
            print(f"  {d['status']}: {d['source']}: {d['error']}")
    for d in report["documents"]:
        if d["status"] == "review":
            print(f"  review: {d['source']} (id {d['id']}): {'; '.join(d['review_reasons'][:3])}")
    rescan = [d for d in report["documents"] if d.get("to_rescan")]
    if rescan:
        print("  to rescan (feed the new scans back with `sohoa ingest --replace`):")
        for d in rescan:
            for reason in d["to_rescan"]:
                print(f"    {d['source']}: {reason}")
            if d.get("rescan_as"):
                print(f"      -> scan as {d['rescan_as']}")
    replaced = [d for d in report["documents"] if d.get("replaces")]
    if replaced:
        print(f"  replaced {len(replaced)} earlier document(s); their stored versions are kept")
    if report_path:
        print(f"report: {report_path}")


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from sohoa.samples import generate_demo

    out = Path(args.out) if args.out else settings.data_dir / "demo"
    source = out / "input"
    docs = generate_demo(source, seed=args.seed)
    manifest = source / "manifest.jsonl"  # the ground truth is not a document to ingest
    if manifest.exists():
        manifest.replace(out / "manifest.jsonl")
    print(f"sohoa demo: generated {len(docs)} sample document(s) in {source}", file=sys.stderr)
    report_path = str(out / "report.json")
    report = run_ingest(settings, source, report_path)
    _print_summary(report, report_path)
    archived = [d for d in report["documents"] if d["status"] == "archived"]
    print("\nWhere the results are:")
    print(f"  database:        {settings.db_url}")
    print(
        f"  object storage:  {settings.s3_endpoint or f'127.0.0.1:{settings.s3_local_port}'} buckets "
        f"{settings.bucket_originals} (originals), {settings.bucket_derived} (PDF/A), "
        f"{settings.bucket_archive} (signed, object lock)"
    )
    print(f"  report:          {report_path}")
    if archived:
        d = archived[0]
        exe = sys.argv[0] if sys.argv and sys.argv[0].endswith("sohoa") else "sohoa"
        print(f"  try:             {exe} download {d['id']} -o signed.pdf && {exe} verify signed.pdf")
    # The demo includes documents meant for review; only failures are errors.
    return exit_status_from_report(report)


def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    """The hot folder: ingest each dossier once a scanner has stopped writing it."""
    from flows.hotfolder import watch
    from pipelines.report import now_vn

    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"sohoa: {folder} is not a folder", file=sys.stderr)
        return 2
    reports = Path(args.reports) if args.reports else settings.data_dir / "reports"
    reports.mkdir(parents=True, exist_ok=True)

    def ingest(dossiers: list[str]) -> None:
        names = ", ".join(d or "(loose files)" for d in dossiers)
        print(f"sohoa watch: ingesting {names}", file=sys.stderr)
        path = reports / f"{now_vn():%Y%m%dT%H%M%S}.json"
        report = run_ingest(settings, folder, str(path), dossiers=dossiers)
        _print_summary(report, str(path))

    print(
        f"sohoa watch: watching {folder} (a dossier is ingested {args.settle:.0f} s after its last change)",
        file=sys.stderr,
    )
    watch(folder, ingest, interval=args.interval, settle=args.settle)
    return 0


def cmd_ocr(args: argparse.Namespace, settings: Settings) -> int:
    from extractors.ocr import ocr_text

    path = Path(args.file)
    if not path.is_file():
        print(f"sohoa: {path} is not a file", file=sys.stderr)
        return 2
    sys.stdout.write(ocr_text(path.read_bytes(), path.name, lang=args.lang or settings.ocr_lang))
    sys.stdout.write("\n")
    return 0


def cmd_download(args: argparse.Namespace, settings: Settings) -> int:
    from flows.document import fetch_signed

    rt = _runtime(settings)
    result, data = fetch_signed(rt, args.document_id)
    a = result.archive
    out = Path(args.output)
    out.write_bytes(data)
    print(
        f"{out}: {len(data)} bytes, SHA-256 {a.sha256} matches the archive record ({a.bucket}/{a.key} {a.version_id})"
    )
    return 0


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    from signing.verify import verify_pdf

    path = Path(args.file)
    if not path.is_file():
        print(f"sohoa: {path} is not a file", file=sys.stderr)
        return 2
    data = path.read_bytes()
    trust = [Path(t) for t in args.trust] or _default_trust(settings)
    report = verify_pdf(data, trust, validation_time=args.at)
    report.archive_match = _archive_match(settings, report.file_sha256)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.to_text())
    return 0 if report.passed else 1


def _default_trust(settings: Settings) -> list[Path]:
    out = list(settings.trust_anchors)
    test_root = settings.data_dir / "pki" / "root.pem"
    if test_root.exists():
        out.append(test_root)
    return out


def _archive_match(settings: Settings, sha256: str) -> dict | None:
    """Where the local database is reachable, say whether the file is the archived record. Offline: None."""
    try:
        from storage import repository as repo
        from storage.db.database import Database

        db = Database(settings.db_url)
        try:
            with db.session() as s:
                return repo.find_archived_by_sha256(s, sha256)
        finally:
            db.dispose()
    except Exception:  # noqa: BLE001 - verification stays offline-capable
        return None


def cmd_approve(args: argparse.Namespace, settings: Settings) -> int:
    from flows.document import approve

    rt = _runtime(settings)
    r = approve(rt, args.document_id, approved_by=args.by)
    print(
        f"{r.id}: {r.status} ({r.archive.bucket}/{r.archive.key} {r.archive.version_id})"
        if r.archive
        else r.id
    )
    return 0


def cmd_documents(args: argparse.Namespace, settings: Settings) -> int:
    from storage import repository as repo

    rt = _runtime(settings)
    with rt.db.session() as s:
        rows = repo.list_documents(s, status=args.status, limit=args.limit)
    for r in rows:
        conf = f"{r.doc_type_confidence:.2f}" if r.doc_type_confidence is not None else "-"
        print(f"{r.id}  {r.status:<11} {r.doc_type or '-':<22} {conf:>5}  {r.source}")
    return 0


def cmd_services(args: argparse.Namespace, settings: Settings) -> int:
    """The embedded services of one machine: the local object store and the Prefect server (UI)."""
    from flows.server import LocalPrefectServer
    from storage.seaweed import LocalSeaweed

    sw = LocalSeaweed(settings.data_dir / "seaweedfs", settings.s3_local_port)
    pf = LocalPrefectServer(settings.data_dir, settings.prefect_local_port)
    local_s3 = settings.uses_local_s3
    if args.action == "start":
        if local_s3:
            print(f"object store: running at {sw.start().endpoint}")
        pf.start()
        print(f"prefect: running, UI at {pf.ui_url}")
    elif args.action == "stop":
        if local_s3:
            print("object store: stopped" if sw.stop() else "object store: was not running")
        print("prefect: stopped" if pf.stop() else "prefect: was not running")
    else:
        st = {
            "object_store": sw.status() if local_s3 else {"external": settings.s3_endpoint},
            "prefect": pf.status(),
        }
        if args.json:
            print(json.dumps(st, indent=2, default=str))
        else:
            print(_fmt_status(st["object_store"], settings))
            p = st["prefect"]
            state = (
                f"running, UI at {p['ui']}"
                if p["running"]
                else "stopped (each run starts a temporary server)"
            )
            print(f"prefect: {state}")
    return 0


def _fmt_status(st: dict, settings: Settings) -> str:
    if settings.s3_endpoint:
        return f"object store: external {settings.s3_endpoint} (local SeaweedFS not used)"
    state = "running" if st.get("running") else "stopped"
    return f"object store: local SeaweedFS {state} (pid {st.get('pid')}, {st.get('endpoint')}, data {st.get('data_dir')})"


def _aware_datetime(text: str):
    from datetime import datetime

    from pipelines.report import VN_TZ

    dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo else dt.replace(tzinfo=VN_TZ)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sohoa", description="Digitise, sign and archive Vietnamese dossiers.")
    p.add_argument("-v", "--verbose", action="store_true", help="also print the structured log to stderr")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("ingest", help="run the whole pipeline on a folder of dossiers")
    s.add_argument("source")
    s.add_argument("--report", help="write the JSON batch report here")
    s.add_argument(
        "--replace",
        action="store_true",
        help="rescans: a file replaces the document of the same name in its dossier, and "
        "NAME.rescan-p3.tif replaces page 3 of NAME; earlier versions stay in storage",
    )
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("demo", help="generate sample dossiers and ingest them")
    s.add_argument("--out", help="folder for the sample input and the report (default: DATA_DIR/demo)")
    s.add_argument("--seed", type=int, default=0)
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("watch", help="hot folder: ingest each dossier when its files stop changing")
    s.add_argument("folder")
    s.add_argument("--interval", type=float, default=5.0, help="seconds between looks (default 5)")
    s.add_argument(
        "--settle", type=float, default=10.0, help="seconds without change before ingest (default 10)"
    )
    s.add_argument("--reports", help="folder for the batch reports (default DATA_DIR/reports)")
    s.set_defaults(func=cmd_watch)

    s = sub.add_parser("ocr", help="print the recognised text of a file")
    s.add_argument("file")
    s.add_argument("--lang", default=None)
    s.set_defaults(func=cmd_ocr)

    s = sub.add_parser("download", help="fetch a signed, archived PDF and check its SHA-256")
    s.add_argument("document_id")
    s.add_argument("-o", "--output", required=True)
    s.set_defaults(func=cmd_download)

    s = sub.add_parser("verify", help="check the signatures of a PDF offline")
    s.add_argument("file")
    s.add_argument("--trust", action="append", default=[], help="a trust anchor (PEM); may be repeated")
    s.add_argument("--json", action="store_true")
    s.add_argument("--at", type=_aware_datetime, help="validate as of this ISO 8601 time (default: now)")
    s.set_defaults(func=cmd_verify)

    s = sub.add_parser("approve", help="approve a document waiting for review: sign and archive it")
    s.add_argument("document_id")
    s.add_argument("--by", default="officer", help="who approves (recorded)")
    s.set_defaults(func=cmd_approve)

    s = sub.add_parser("documents", help="list documents, e.g. those waiting for review")
    s.add_argument("--status", choices=[str(st) for st in Status])
    s.add_argument("--limit", type=int, default=100)
    s.set_defaults(func=cmd_documents)

    s = sub.add_parser("services", help="the embedded services (local object store)")
    s.add_argument("action", choices=["status", "start", "stop"])
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_services)

    from sohoa.commands import archive, capture, data, quality, serve, web

    for module in (capture, data, archive, quality, web, serve):
        module.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = get_settings()
    from sohoa.prefect_env import configure_prefect

    configure_prefect(settings)
    _setup_logging(settings, args.verbose)
    try:
        return args.func(args, settings)
    except SohoaError as exc:
        logging.getLogger("sohoa").exception("command failed")
        print(f"sohoa: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("sohoa: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
