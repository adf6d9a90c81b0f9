"""The web application: ``sohoa web``, ``sohoa create-user``, ``sohoa create-token``."""

from __future__ import annotations

import argparse
import getpass

from sohoa.settings import Settings


def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    from sohoa.web import serve

    serve(settings, host=args.host, port=args.port)
    return 0


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    from sohoa.web import create_user

    password = args.password or getpass.getpass(f"password for {args.username}: ")
    create_user(settings, args.username, password, args.role)
    print(f"{args.username}: {', '.join(args.role)}")
    return 0


def cmd_create_token(args: argparse.Namespace, settings: Settings) -> int:
    from sohoa.web import create_token

    print(create_token(settings, args.username, args.label or ""))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("web", help="the web application for officers and auditors")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.set_defaults(func=cmd_web)

    s = sub.add_parser("create-user", help="create a web account (or reset its password and roles)")
    s.add_argument("username")
    s.add_argument(
        "--role",
        action="append",
        required=True,
        choices=["operator", "officer", "signer", "auditor", "admin"],
    )
    s.add_argument("--password", help="default: asked for")
    s.set_defaults(func=cmd_create_user)

    s = sub.add_parser("create-token", help="an API token for an account (shown once)")
    s.add_argument("username")
    s.add_argument("--label")
    s.set_defaults(func=cmd_create_token)
