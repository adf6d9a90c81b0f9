"""The server-rendered pages (Jinja2). Every route names the permission it needs (auth.PERMISSIONS)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from extractors.vn_codes import DOC_TYPES
from pipelines.errors import SohoaError
from sohoa.web import actions, auth
from sohoa.web.deps import check_csrf, page_user, render, state
from sohoa.web.page_image import page_png

router = APIRouter(include_in_schema=False)
CSRF = Depends(check_csrf)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


# ------------------------------------------------------------------------------------------ sign in / out


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:  # noqa: A002
    return render(request, "login.html", next=next if next.startswith("/") else "/", error=None)


@router.post("/login", dependencies=[CSRF])
def login(
    request: Request,
    username: str = Form(...),
    password: str = Form(...),
    next: str = Form("/"),  # noqa: A002
) -> Response:
    st = state(request)
    user_key, ip_key = f"user:{username.strip().lower()}", f"ip:{_client(request)}"
    if st.limiter.blocked(user_key, ip_key):
        actions.record_event(st.rt, username[:100], "login_blocked", _client(request))
        return render(request, "login.html", 429, next=next, error="too_many")
    with st.rt.db.session() as s:
        user = auth.authenticate(s, username, password)
    if user is None:
        st.limiter.failed(user_key, ip_key)
        actions.record_event(st.rt, username[:100], "login_failed", _client(request))
        return render(request, "login.html", 401, next=next, error="bad_password")
    st.limiter.succeeded(user_key)
    request.session.clear()  # a new session (and a new CSRF token) at every sign-in
    request.session["user"] = user.username
    actions.record_event(st.rt, user.username, "login", _client(request))
    return _see_other(next if next.startswith("/") and not next.startswith("//") else "/")


@router.post("/logout", dependencies=[CSRF])
def logout(request: Request) -> Response:
    request.session.clear()
    return _see_other("/login")


@router.get("/")
def home(request: Request, user: auth.User = page_user("queue")) -> Response:
    return _see_other("/documents")


# ------------------------------------------------------------------------------------------ documents


@router.get("/documents")
def documents(request: Request, status: str = "review", user: auth.User = page_user("queue")) -> Response:
    if status not in ("review", "archived", "failed", "quarantined", "pending"):
        raise HTTPException(400, "unknown status")
    rows = actions.queue(state(request).rt, status)
    return render(
        request,
        "queue.html",
        user=user,
        rows=rows,
        status=status,
        on_time=actions.on_time_share(rows),
        doc_types=DOC_TYPES,
    )


@router.get("/documents/{doc_id}")
def review(request: Request, doc_id: str, user: auth.User = page_user("view")) -> Response:
    rt = state(request).rt
    data = actions.load_review(rt, doc_id)
    actions.record_view(rt, user.username, doc_id, "review")
    show_images = data.result.doc_type != "citizen_id" or user.can("id_images")
    return render(
        request, "review.html", user=user, d=data, r=data.result, show_images=show_images, doc_types=DOC_TYPES
    )


@router.get("/documents/{doc_id}/pages/{index}.png")
def page_image(request: Request, doc_id: str, index: int, user: auth.User = page_user("view")) -> Response:
    rt = state(request).rt
    data = actions.load_review(rt, doc_id)
    if data.result.doc_type == "citizen_id" and not user.can("id_images"):
        raise HTTPException(403, "citizen ID card images are shown only to officers and signers")
    return Response(page_png(rt, doc_id, index), media_type="image/png", headers={"Cache-Control": "private"})


@router.post("/documents/{doc_id}/fields", dependencies=[CSRF])
async def save_fields(request: Request, doc_id: str, user: auth.User = page_user("correct")) -> Response:
    form = await request.form()
    values = {k[len("field__") :]: str(v) for k, v in form.items() if k.startswith("field__")}
    new_key, new_value = str(form.get("new_key") or "").strip(), str(form.get("new_value") or "")
    if new_key:
        values[new_key] = new_value
    actions.save_fields(
        state(request).rt, doc_id, values, actor=user.username, reason=str(form.get("reason") or "")
    )
    return _see_other(f"/documents/{quote(doc_id)}?saved=1")


@router.post("/documents/{doc_id}/approve", dependencies=[CSRF])
def approve(request: Request, doc_id: str, user: auth.User = page_user("approve")) -> Response:
    actions.approve(state(request).rt, doc_id, actor=user.username)
    return _see_other(f"/documents/{quote(doc_id)}?approved=1")


@router.post("/documents/{doc_id}/decision", dependencies=[CSRF])
def decision(
    request: Request,
    doc_id: str,
    action: str = Form(...),
    reason: str = Form(""),
    user: auth.User = page_user("queue"),
) -> Response:
    if action not in ("reject", "rescan") or not user.can(action):
        raise HTTPException(403, "your role does not allow this")
    actions.decide(state(request).rt, doc_id, action, actor=user.username, reason=reason)
    return _see_other("/documents")


@router.get("/documents/{doc_id}/signed.pdf")
def signed(request: Request, doc_id: str, user: auth.User = page_user("download_signed")) -> Response:
    name, data = actions.signed_pdf(state(request).rt, doc_id)
    actions.record_event(state(request).rt, user.username, "download", doc_id)
    return Response(
        data, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


# ------------------------------------------------------------------------------------------ upload


@router.get("/upload")
def upload_form(request: Request, user: auth.User = page_user("upload")) -> Response:
    return render(request, "upload.html", user=user, error=None)


@router.post("/upload", dependencies=[CSRF])
async def upload(
    request: Request,
    files: list[UploadFile],
    dossier_code: str = Form(""),
    title: str = Form(""),
    due_date: str = Form(""),
    user: auth.User = page_user("upload"),
) -> Response:
    rt = state(request).rt
    blobs = [(f.filename or "", await f.read()) for f in files if f.filename]
    try:
        job = actions.save_upload(
            rt, blobs, actor=user.username, dossier_code=dossier_code, title=title, due_date=due_date or None
        )
    except SohoaError as e:
        return render(request, "upload.html", 400, user=user, error=str(e))
    if state(request).ingest_uploads:
        actions.start_ingest(job)
    return _see_other(f"/uploads/{job.id}")


@router.get("/uploads/{upload_id}")
def upload_status(request: Request, upload_id: str, user: auth.User = page_user("upload")) -> Response:
    job = actions.upload_job(state(request).rt, upload_id)
    return render(request, "upload_status.html", user=user, job=job)


# ------------------------------------------------------------------------------------------ auditors


@router.get("/verify")
def verify_form(request: Request, user: auth.User = page_user("verify")) -> Response:
    return render(request, "verify.html", user=user, report=None, error=None)


@router.post("/verify", dependencies=[CSRF])
async def verify(request: Request, file: UploadFile, user: auth.User = page_user("verify")) -> Response:
    try:
        data = await file.read()
        report = await run_in_threadpool(actions.verify, state(request).rt, data, actor=user.username)
    except SohoaError as e:
        return render(request, "verify.html", 400, user=user, report=None, error=str(e))
    return render(request, "verify.html", user=user, report=report, name=file.filename, error=None)


@router.get("/audit")
def audit(request: Request, user: auth.User = page_user("audit")) -> Response:
    return render(request, "audit.html", user=user, log=actions.audit_entries(state(request).rt))


# ------------------------------------------------------------------------------------------ search, people


@router.get("/search")
def search(request: Request, q: str = "", user: auth.User = page_user("search")) -> Response:
    from storage.search import search as run_search

    hits = []
    if q.strip():
        with state(request).rt.db.session() as s:
            hits = run_search(s, q, limit=50, actor=user.username, purpose="web search")
    return render(request, "search.html", user=user, q=q, hits=hits, doc_types=DOC_TYPES)


@router.get("/persons/{personal_id}")
def person(request: Request, personal_id: str, user: auth.User = page_user("search")) -> Response:
    from storage.lookup import lookup_person

    with state(request).rt.db.session() as s:
        view = lookup_person(s, personal_id, actor=user.username, purpose="web person page")
    return render(request, "person.html", user=user, p=view, doc_types=DOC_TYPES)


# ------------------------------------------------------------------------------------------ admin


@router.get("/admin/users")
def users(request: Request, user: auth.User = page_user("users")) -> Response:
    with state(request).rt.db.session(readonly=True) as s:
        accounts = auth.list_users(s)
    return render(request, "users.html", user=user, accounts=accounts, roles=auth.ROLES, error=None)


@router.post("/admin/users", dependencies=[CSRF])
async def add_user(request: Request, user: auth.User = page_user("users")) -> Response:
    form = await request.form()
    roles = [str(r) for r in form.getlist("roles")]
    rt = state(request).rt
    try:
        with rt.db.session() as s:
            auth.add_user(s, str(form.get("username") or ""), str(form.get("password") or ""), roles)
    except SohoaError as e:
        with rt.db.session(readonly=True) as s:
            accounts = auth.list_users(s)
        return render(
            request, "users.html", 400, user=user, accounts=accounts, roles=auth.ROLES, error=str(e)
        )
    actions.record_event(rt, user.username, "add_user", str(form.get("username")), ",".join(roles))
    return _see_other("/admin/users")
