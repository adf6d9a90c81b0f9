"""Request plumbing shared by the pages and the API: the runtime, the signed-in user, roles, CSRF, language."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.templating import Jinja2Templates

from flows.runtime import Runtime
from sohoa.web import auth
from sohoa.web.i18n import pick_language, translator

LANG_COOKIE = "sohoa_lang"
MAX_FORM_FILES = 10_000  # files (and their paths) of one folder upload


@dataclass
class WebState:
    rt: Runtime
    templates: Jinja2Templates
    limiter: auth.LoginLimiter
    secure_cookies: bool
    ingest_uploads: bool = True  # False: uploads are only saved (a separate `sohoa ingest` takes them)
    max_upload_bytes: int = 200 * 1024 * 1024  # per file


class LoginRequired(Exception):
    """A page was asked for without a session: the handler redirects to the login page."""


def state(request: Request) -> WebState:
    return request.app.state.web


def language(request: Request) -> str:
    return pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def check_csrf(request: Request) -> None:
    """Every form post carries the session's token (synchronizer token pattern)."""
    form = await request.form(max_files=MAX_FORM_FILES, max_fields=MAX_FORM_FILES)  # read once, then cached
    sent = form.get("csrf_token")
    expected = request.session.get("csrf")
    if not expected or not isinstance(sent, str) or not secrets.compare_digest(sent, expected):
        raise HTTPException(403, "the form has expired or did not come from this site; reload the page")


def session_user(request: Request) -> auth.User | None:
    name = request.session.get("user")
    if not name:
        return None
    with state(request).rt.db.session(readonly=True) as s:
        return auth.get_user(s, name)


def page_user(permission: str) -> Any:
    """A page dependency: the signed-in user holding ``permission``; else login (no session) or 403."""

    def dependency(request: Request) -> auth.User:
        user = session_user(request)
        if user is None:
            raise LoginRequired()
        if not user.can(permission):
            raise HTTPException(403, "your role does not allow this")
        return user

    return Depends(dependency)


_bearer = HTTPBearer(auto_error=False, description="An API token made with sohoa.web.create_token")


def api_user(permission: str | None) -> Any:
    """An API dependency: the account of a bearer token holding ``permission``; else 401 or 403."""

    def dependency(
        request: Request, creds: HTTPAuthorizationCredentials | None = Depends(_bearer)
    ) -> auth.User:
        user = None
        if creds is not None and creds.scheme.lower() == "bearer":
            with state(request).rt.db.session() as s:
                user = auth.user_for_token(s, creds.credentials)
        if user is None:
            raise HTTPException(401, "a valid API token is needed", headers={"WWW-Authenticate": "Bearer"})
        if permission is not None and not user.can(permission):
            raise HTTPException(403, "the role of this token does not allow this")
        return user

    return Depends(dependency)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Any:
    lang = language(request)
    user = context.pop("user", None) or session_user(request)
    response = state(request).templates.TemplateResponse(
        request,
        template,
        {"_": translator(lang), "lang": lang, "user": user, "csrf": csrf_token(request), **context},
        status_code=status_code,
    )
    return response
