"""The application factory and the server entry point (``sohoa web``)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from flows.runtime import Runtime, set_runtime
from pipelines.errors import BadInputError, IntegrityError, NotFoundError, SohoaError, StorageError
from pipelines.logs import get_logger
from sohoa.settings import Settings
from sohoa.web import api, pages
from sohoa.web.auth import LoginLimiter, add_user, new_token
from sohoa.web.deps import LANG_COOKIE, LoginRequired, WebState, render
from sohoa.web.i18n import LANGUAGES
from sohoa.web.uploads import MAX_UPLOAD_BYTES

log = get_logger("sohoa.web")
HERE = Path(__file__).parent
SESSION_COOKIE = "sohoa_session"
SESSION_HOURS = 8


def session_secret(settings: Settings) -> str:
    """SOHOA_WEB_SECRET, else a random secret kept in data_dir/web-secret (mode 600)."""
    if os.environ.get("SOHOA_WEB_SECRET"):
        return os.environ["SOHOA_WEB_SECRET"]
    path = settings.data_dir / "web-secret"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _status_of(exc: SohoaError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, BadInputError):
        return 400
    if isinstance(exc, StorageError):
        return 503
    if isinstance(exc, IntegrityError):
        return 500
    return 409


def create_app(
    settings: Settings,
    *,
    runtime: Runtime | None = None,
    secure_cookies: bool = True,
    ingest_uploads: bool = True,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
) -> FastAPI:
    """The web application. ``secure_cookies=False`` only for plain HTTP on the loopback interface."""
    rt = runtime or Runtime.open(settings)
    set_runtime(rt)  # the ingest flow started by uploads finds its resources here
    # The web tables come with the rest of the schema: Runtime.open ran the migrations (0006_web_tables).
    app = FastAPI(
        title="sohoa",
        summary="Digitised administrative dossiers: review, approval, signing, verification",
        version="0.1.0",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.web = WebState(
        rt=rt,
        templates=Jinja2Templates(directory=str(HERE / "templates")),
        limiter=LoginLimiter(),
        secure_cookies=secure_cookies,
        ingest_uploads=ingest_uploads,
        max_upload_bytes=max_upload_bytes,
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=secure_cookies,
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # noqa: ANN001, ANN202
        response: Response = await call_next(request)
        lang = request.query_params.get("lang")
        if lang in LANGUAGES:
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", secure=secure_cookies)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/api/docs"):
            response.headers.setdefault(
                "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'"
            )
        return response

    def _is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        return render(request, "error.html", exc.status_code, message=str(exc.detail), code=exc.status_code)

    @app.exception_handler(SohoaError)
    async def sohoa_error(request: Request, exc: SohoaError) -> Response:
        code = _status_of(exc)
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, code)
        return render(request, "error.html", code, message=str(exc), code=code)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": jsonable(exc.errors())}, 422)
        return render(request, "error.html", 400, message="invalid form", code=400)

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    return app


def jsonable(errors: object) -> object:
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(errors, custom_encoder={Exception: str})


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Run the web application with uvicorn. Plain HTTP is only for the loopback interface; anywhere else put
    it behind a TLS proxy (cookies are then marked Secure)."""
    import uvicorn

    loopback = host in ("127.0.0.1", "localhost", "::1")
    app = create_app(settings, secure_cookies=not loopback)
    # No access log: its URLs carry personal ID numbers (/persons/<id>); the audit log records who saw what.
    uvicorn.run(app, host=host, port=port, proxy_headers=not loopback, log_level="info", access_log=False)


def create_user(settings: Settings, username: str, password: str, roles: list[str] | tuple[str, ...]) -> None:
    """Create an account (or reset its password and roles), for the CLI."""
    from storage.db.database import Database

    db = Database(settings.db_url)
    try:
        db.migrate()
        with db.session() as s:
            add_user(s, username, password, list(roles))
    finally:
        db.dispose()


def create_token(settings: Settings, username: str, label: str = "") -> str:
    """A new API token for an account (shown once; only its hash is stored), for the CLI."""
    from storage.db.database import Database

    db = Database(settings.db_url)
    try:
        db.migrate()
        with db.session() as s:
            return new_token(s, username, label)
    finally:
        db.dispose()
