"""Reuse of what is known: ``sohoa lookup``, ``sohoa search``, ``sohoa export``."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import sys
from pathlib import Path

from sohoa.settings import Settings


def _actor(args: argparse.Namespace) -> str:
    return args.actor or getpass.getuser()


def cmd_lookup(args: argparse.Namespace, settings: Settings) -> int:
    from sohoa.cli import _runtime
    from storage.lookup import lookup_org, lookup_person

    rt = _runtime(settings)
    with rt.db.session() as s:
        fn = lookup_person if args.kind == "person" else lookup_org
        view = fn(s, args.key, actor=_actor(args), purpose=args.purpose)
        data = view.to_dict()
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    return 0 if data.get("found", True) else 1


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from sohoa.cli import _runtime
    from storage.search import search

    rt = _runtime(settings)
    with rt.db.session() as s:
        hits = search(s, " ".join(args.query), limit=args.limit, actor=_actor(args))
        rows = [h.to_dict() for h in hits]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    for h in rows if not args.json else []:
        print(
            f"{h['document_id']}  {h['status']:<9} {h['doc_type'] or '-':<22} {h['where']:<22} {h['snippet']}"
        )
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from sohoa.cli import _runtime
    from storage.export import export_fields

    rt = _runtime(settings)
    with contextlib.ExitStack() as stack:
        out = sys.stdout
        if args.output not in (None, "-"):
            out = stack.enter_context(Path(args.output).open("w", encoding="utf-8", newline=""))
        with rt.db.session() as s:
            n = export_fields(s, args.doc_type, args.format, out, actor=_actor(args))
    print(f"{n} document(s) exported", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser(
        "lookup", help="what is known about a person (personal ID) or a company (enterprise code)"
    )
    s.add_argument("kind", choices=["person", "org"])
    s.add_argument("key", help="the 12-digit personal ID, or the enterprise code")
    s.add_argument("--purpose", help="why you look (recorded in the access log)")
    s.add_argument("--as", dest="actor", help="who looks (default: the login name)")
    s.set_defaults(func=cmd_lookup)

    s = sub.add_parser("search", help="search OCR text and fields, ignoring diacritics and case")
    s.add_argument("query", nargs="+")
    s.add_argument("--limit", type=int, default=20)
    s.add_argument("--json", action="store_true")
    s.add_argument("--as", dest="actor", help="who searches (default: the login name)")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("export", help="the fields of one document type as CSV or JSON")
    s.add_argument("doc_type")
    s.add_argument("--format", choices=["csv", "json"], default="csv")
    s.add_argument("-o", "--output", help="file (default: standard output)")
    s.add_argument("--as", dest="actor", help="who exports (default: the login name)")
    s.set_defaults(func=cmd_export)
