"""``sohoa serve``: a long-running worker for a machine of the digitisation centre.

It serves the Prefect deployments (ingest on demand, fixity on a schedule) so that runs started from the
Prefect UI or API execute here, and optionally watches a scanner's hot folder. Run one per machine, every
machine pointing at the same Prefect server, PostgreSQL and S3.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from sohoa.settings import Settings


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from prefect import serve

    from flows.ingest import ingest_batch
    from flows.maintenance import fixity_flow, renew_flow
    from sohoa.cli import _runtime, _say_defaults

    _runtime(settings)
    _say_defaults(settings)
    if args.watch:
        from sohoa.cli import cmd_watch

        watch_args = argparse.Namespace(folder=args.watch, interval=5.0, settle=args.settle, reports=None)
        threading.Thread(
            target=cmd_watch, args=(watch_args, settings), daemon=True, name="hot-folder"
        ).start()
    deployments = [
        ingest_batch.to_deployment(name="ingest"),
        fixity_flow.to_deployment(name="fixity", cron=args.fixity_cron, concurrency_limit=1),
    ]
    if settings.tsa_url:
        deployments.append(renew_flow.to_deployment(name="renew", cron=args.renew_cron, concurrency_limit=1))
    print(
        "sohoa serve: deployments ingest-batch/ingest (on demand) and fixity-check/fixity "
        f"(cron {args.fixity_cron!r}); Ctrl-C to stop",
        file=sys.stderr,
    )
    serve(*deployments, limit=args.limit)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("serve", help="run this machine as a worker: Prefect deployments, hot folder")
    s.add_argument("--watch", type=Path, help="also watch this hot folder")
    s.add_argument(
        "--settle", type=float, default=10.0, help="hot folder: seconds without change (default 10)"
    )
    s.add_argument("--fixity-cron", default="0 2 * * *", help="when to check fixity (cron, server time zone)")
    s.add_argument("--renew-cron", default="0 3 * * 0", help="with a TSA: when to renew timestamps (cron)")
    s.add_argument("--limit", type=int, default=2, help="flow runs at once on this machine (default 2)")
    s.set_defaults(func=cmd_serve)
