"""Scanning rooms: ``sohoa separators`` prints separator sheets; ``sohoa capture`` ingests a whole stack."""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from sohoa.settings import Settings


def cmd_separators(args: argparse.Namespace, settings: Settings) -> int:
    from extractors.separators import SeparatorSpec, make_separator_sheets
    from pipelines.inventory import load_inventory

    specs: list[SeparatorSpec] = []
    if args.inventory:
        specs += [SeparatorSpec("dossier", e.code, e.title) for e in load_inventory(args.inventory).entries]
    specs += [SeparatorSpec("dossier", code) for code in args.codes]
    specs += [SeparatorSpec("document")] * args.next_document
    if not specs:
        print("sohoa: name dossier codes, --inventory, or --next-document N", file=sys.stderr)
        return 2
    Path(args.output).write_bytes(make_separator_sheets(specs))
    print(f"{args.output}: {len(specs)} separator sheet(s); print them single-sided")
    return 0


def cmd_capture(args: argparse.Namespace, settings: Settings) -> int:
    """Split the stack into dossiers and documents, ingest them, reconcile with the inventory, and write
    the batch report (JSON, console, printable PDF)."""
    from pipelines.batch_report import batch_report_pdf, batch_report_text
    from pipelines.inventory import load_inventory, reconcile
    from pipelines.report import write_report
    from pipelines.stack import explode_stack
    from sohoa.cli import _print_summary, exit_status_from_report, run_ingest

    stack = Path(args.stack)
    if not stack.is_file():
        print(f"sohoa: {stack} is not a file", file=sys.stderr)
        return 2
    inventory = load_inventory(args.inventory) if args.inventory else None
    digest = hashlib.sha256(stack.read_bytes()).hexdigest()[:12]
    folder = settings.data_dir / "stacks" / f"{stack.stem}-{digest}"
    split = explode_stack(stack, folder, mode=args.split, count=args.count, inventory=inventory)
    print(f"sohoa capture: {len(split.dossiers)} dossier(s) in {stack} (files in {folder})", file=sys.stderr)
    report_path = Path(args.report) if args.report else folder.with_suffix(".report.json")
    report = run_ingest(settings, folder, None)
    report["source"] = str(stack)
    report["split"] = split.to_dict()
    recon = reconcile(inventory, split.captured(inventory.unit)) if inventory else None
    if recon is not None:
        report["reconciliation"] = recon.to_dict()
    write_report(report, report_path)
    pdf_path = Path(args.batch_report) if args.batch_report else report_path.with_suffix(".pdf")
    pdf_path.write_bytes(batch_report_pdf(report, recon))
    _print_summary(report, str(report_path))
    print(batch_report_text(report, recon))
    print(f"batch report to sign off: {pdf_path}")
    problems = bool(split.flags) or (recon is not None and not recon.ok)
    return max(exit_status_from_report(report), 1 if problems else 0)


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("separators", help="print separator sheets (QR codes) to put between dossiers")
    s.add_argument("codes", nargs="*", help="dossier codes, one sheet each")
    s.add_argument("--inventory", help="one sheet per dossier of this inventory (CSV/XLSX)")
    s.add_argument("--next-document", type=int, default=0, metavar="N", help="N 'next document' sheets")
    s.add_argument("-o", "--output", default="separators.pdf")
    s.set_defaults(func=cmd_separators)

    s = sub.add_parser("capture", help="ingest a scanned stack: split at separators, reconcile, report")
    s.add_argument("stack", help="the scanned stack (PDF or multi-page TIFF)")
    s.add_argument("--split", choices=["separators", "blank", "count"], default="separators")
    s.add_argument("--count", type=int, help="with --split count: pages per document")
    s.add_argument("--inventory", help="the archive's inventory (mục lục hồ sơ), CSV or XLSX")
    s.add_argument("--report", help="the JSON report (default: next to the split files)")
    s.add_argument("--batch-report", help="the printable PDF report (default: the report with .pdf)")
    s.set_defaults(func=cmd_capture)
