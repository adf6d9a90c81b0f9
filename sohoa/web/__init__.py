"""The web application for officers and auditors (FastAPI, server-rendered pages, REST API under /api)."""

from sohoa.web.app import create_app, create_token, create_user, serve

__all__ = ["create_app", "create_token", "create_user", "serve"]
