"""The server-rendered pages (Jinja2). Every route names the permission it needs (auth.PERMISSIONS)."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUploadFile

from extractors.vn_codes import DOC_TYPES
from pipelines.errors import SohoaError
from sohoa.web import actions, auth, overview, uploads
from sohoa.web.deps import MAX_FORM_FILES, check_csrf, page_user, render, state
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
    if status not in actions.QUEUE_STATUSES:
        raise HTTPException(400, f"unknown status {status!r}; one of {', '.join(actions.QUEUE_STATUSES)}")
    rows = actions.queue(state(request).rt, status)
    return render(
        request,
        "queue.html",
        user=user,
        rows=rows,
        status=status,
        on_time=actions.on_time_share(rows),
        doc_types=DOC_TYPES,
        statuses=actions.QUEUE_STATUSES,
    )


@router.get("/batches")
def batches(request: Request, user: auth.User = page_user("queue")) -> Response:
    view = overview.overview(state(request).rt)
    return render(request, "batches.html", user=user, o=view)


@router.get("/documents/{doc_id}")
def review(request: Request, doc_id: str, user: auth.User = page_user("view")) -> Response:
    rt = state(request).rt
    data = actions.load_review(rt, doc_id)
    actions.record_view(rt, user.username, doc_id, "review")
    show_images = data.result.doc_type != "citizen_id" or user.can("id_images")
    parties = actions.parties_of(rt, [doc_id]).get(doc_id, [])
    return render(
        request,
        "review.html",
        user=user,
        d=data,
        r=data.result,
        show_images=show_images,
        doc_types=DOC_TYPES,
        companies=actions.company_links(data.result, parties),
        persons=[p for p in parties if p.kind == "person" and p.key],
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
    pages: str = Form(""),
    back: str = Form("review"),
    user: auth.User = page_user("queue"),
) -> Response:
    if action not in ("reject", "rescan") or not user.can(action):
        raise HTTPException(403, "your role does not allow this")
    actions.decide(state(request).rt, doc_id, action, actor=user.username, reason=reason, pages=pages)
    target = "rejected" if action == "reject" else "rescan"
    back = back if back in actions.QUEUE_STATUSES else "review"
    return _see_other(f"/documents?status={back}&decided={target}")


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
async def upload(request: Request, user: auth.User = page_user("upload")) -> Response:
    """The form is read by hand: a browser sends an empty, nameless part for a file input left empty."""
    st = state(request)
    form = await request.form(max_files=MAX_FORM_FILES, max_fields=MAX_FORM_FILES)
    files = [f for f in form.getlist("files") if isinstance(f, StarletteUploadFile)]
    paths = [str(p) for p in form.getlist("paths")]
    text = {k: str(form.get(k) or "") for k in ("dossier_code", "title", "due_date")}
    try:
        job = await run_in_threadpool(
            uploads.save_upload,
            st.rt,
            uploads.upload_pairs(files, paths),
            actor=user.username,
            dossier_code=text["dossier_code"],
            title=text["title"],
            due_date=text["due_date"] or None,
            max_bytes=st.max_upload_bytes,
        )
    except SohoaError as e:
        return render(request, "upload.html", 400, user=user, error=str(e))
    if st.ingest_uploads:
        uploads.start_ingest(job)
    return _see_other(f"/uploads/{job.id}")


@router.get("/uploads/{upload_id}")
def upload_status(request: Request, upload_id: str, user: auth.User = page_user("upload")) -> Response:
    job = uploads.upload_job(state(request).rt, upload_id)
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
    parties = actions.parties_of(state(request).rt, sorted({h.document_id for h in hits}))
    code = re.sub(r"\s", "", q)
    return render(
        request,
        "search.html",
        user=user,
        q=q,
        hits=hits,
        doc_types=DOC_TYPES,
        parties=parties,
        company_code=code if actions.ENTERPRISE_CODE.fullmatch(code) else None,
    )


@router.get("/persons/{personal_id}")
def person(request: Request, personal_id: str, user: auth.User = page_user("search")) -> Response:
    from storage.lookup import lookup_person

    with state(request).rt.db.session() as s:
        view = lookup_person(s, personal_id, actor=user.username, purpose="web person page")
    return render(request, "person.html", user=user, p=view, doc_types=DOC_TYPES)


@router.get("/organisations/{enterprise_code}")
def organisation(request: Request, enterprise_code: str, user: auth.User = page_user("search")) -> Response:
    from storage.lookup import lookup_org

    with state(request).rt.db.session() as s:
        view = lookup_org(s, enterprise_code, actor=user.username, purpose="web company page")
    return render(request, "organisation.html", user=user, o=view, doc_types=DOC_TYPES)


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
