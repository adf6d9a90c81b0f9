"""The archive's own checks: ``sohoa fixity``, ``sohoa reconcile``, ``sohoa package``."""

from __future__ import annotations

import argparse
import json

from sohoa.settings import Settings


def cmd_fixity(args: argparse.Namespace, settings: Settings) -> int:
    from sohoa.cli import _runtime
    from storage.fixity import check_fixity

    rt = _runtime(settings)
    report = check_fixity(rt.db, rt.store, limit=args.limit, workers=settings.workers)
    print(json.dumps(report.summary(), ensure_ascii=False, indent=2, default=str))
    for r in [*report.mismatches, *report.missing, *report.errors]:
        print(f"  {r}")
    return 0 if report.ok else 1


def cmd_reconcile(args: argparse.Namespace, settings: Settings) -> int:
    from sohoa.cli import _runtime
    from storage.reconcile import reconcile

    rt = _runtime(settings)
    report = reconcile(rt.db, rt.store, repair=args.repair)
    print(json.dumps(report.summary(), ensure_ascii=False, indent=2, default=str))
    return 0 if not report.unresolved else 1


def cmd_package(args: argparse.Namespace, settings: Settings) -> int:
    from flows.document import package_dossier
    from pipelines.errors import NotFoundError
    from sohoa.cli import _runtime
    from storage import repository as repo

    rt = _runtime(settings)
    with rt.db.session() as s:
        info = repo.dossier_info_by_code(s, args.dossier_code)
    if info is None:
        raise NotFoundError(f"no dossier with code {args.dossier_code}")
    rec = package_dossier(rt, info)
    if rec is None:
        print(
            f"{args.dossier_code}: not every document is archived yet; approve those waiting for review first"
        )
        return 1
    print(json.dumps(rec, ensure_ascii=False, indent=2))
    return 0


def cmd_renew(args: argparse.Namespace, settings: Settings) -> int:
    from flows.maintenance import renew_timestamps
    from sohoa.cli import _runtime

    out = renew_timestamps(_runtime(settings), horizon_days=args.horizon_days, limit=args.limit)
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 1 if out["failed"] else 0


def cmd_pdfa_check(args: argparse.Namespace, settings: Settings) -> int:
    """PDF/A conformance of files: structural checks, and Apache PDFBox Preflight for PDF/A-1 (one JVM)."""
    from pathlib import Path

    from pipelines.pdfa_check import check_files

    results = check_files([Path(f) for f in args.files], preflight=args.preflight)
    if args.json:
        print(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(r.to_text())
    return 0 if all(r.valid for r in results) else 1


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("fixity", help="re-read archived objects and compare their SHA-256 with the records")
    s.add_argument("--limit", type=int, help="check at most N objects (least recently checked first)")
    s.set_defaults(func=cmd_fixity)

    s = sub.add_parser("reconcile", help="find objects without records and records without objects")
    s.add_argument("--repair", action="store_true", help="repair what can be repaired safely")
    s.set_defaults(func=cmd_reconcile)

    s = sub.add_parser("archive", help="archive maintenance")
    archive_sub = s.add_subparsers(dest="archive_command", required=True)
    r = archive_sub.add_parser(
        "renew-timestamps", help="re-timestamp signed copies whose TSA certificate nears expiry"
    )
    r.add_argument("--horizon-days", type=int, default=365)
    r.add_argument("--limit", type=int)
    r.set_defaults(func=cmd_renew)

    s = sub.add_parser("pdfa-check", help="check PDF/A conformance (PDFBox Preflight for PDF/A-1)")
    s.add_argument("files", nargs="+")
    s.add_argument("--json", action="store_true")
    s.add_argument(
        "--preflight",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run Apache PDFBox Preflight (default: for files that claim PDF/A-1)",
    )
    s.set_defaults(func=cmd_pdfa_check)

    s = sub.add_parser("package", help="(re)build the archive package (BagIt) of a dossier")
    s.add_argument("dossier_code")
    s.set_defaults(func=cmd_package)
