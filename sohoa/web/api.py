"""The REST API for integrations (OpenAPI at /api/openapi.json): bearer tokens, the same roles as the pages."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from sohoa.web import actions, auth, overview, uploads
from sohoa.web.deps import api_user, state

router = APIRouter(prefix="/api", tags=["sohoa"])
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad input"},
    401: {"description": "No valid token"},
    403: {"description": "Role not allowed"},
    404: {"description": "Not found"},
    409: {"description": "Not in a state that allows this"},
}


class FieldOut(BaseModel):
    value: str
    confidence: float
    source: str
    page: int | None
    bbox: list[int] | None
    problems: list[str]


class DocumentOut(BaseModel):
    id: str
    source: str
    status: str
    doc_type: str | None
    doc_type_confidence: float | None
    dossier_code: str | None
    pages: int
    review_reasons: list[str]
    fields: dict[str, FieldOut]
    archive: dict[str, Any] | None
    signature: dict[str, Any] | None
    approved_by: str | None
    history: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []


class FieldIn(BaseModel):
    value: str = Field(max_length=2000)
    reason: str | None = Field(default=None, max_length=500)


class DecisionIn(BaseModel):
    action: Literal["reject", "rescan"]
    reason: str = Field(min_length=1, max_length=500)
    pages: list[int] = Field(default=[], max_length=500, description="1-based pages to rescan; none: all")


class Me(BaseModel):
    username: str
    roles: list[str]


def _doc(rt: Any, doc_id: str) -> DocumentOut:
    data = actions.load_review(rt, doc_id)
    r = data.result
    return DocumentOut(
        id=r.id,
        source=r.source,
        status=str(r.status),
        doc_type=r.doc_type,
        doc_type_confidence=r.doc_type_confidence,
        dossier_code=r.dossier_code,
        pages=r.pages,
        review_reasons=r.review_reasons,
        fields={
            k: FieldOut(
                value=f.value,
                confidence=f.confidence,
                source=f.source,
                page=f.page,
                bbox=list(f.bbox) if f.bbox else None,
                problems=f.problems,
            )
            for k, f in r.fields.items()
        },
        archive=None
        if r.archive is None
        else {
            "bucket": r.archive.bucket,
            "key": r.archive.key,
            "version_id": r.archive.version_id,
            "sha256": r.archive.sha256,
        },
        signature=None
        if r.signature is None
        else {
            "level": r.signature.level,
            "signed_at": r.signature.signed_at.isoformat(),
            "signer": r.signature.signer,
        },
        approved_by=r.approved_by,
        history=data.history,
        decisions=data.decisions,
    )


@router.get("/me", response_model=Me, responses=ERRORS)
def me(user: auth.User = api_user(None)) -> Me:
    return Me(username=user.username, roles=sorted(user.roles))


@router.get("/documents", responses=ERRORS)
def list_documents(
    request: Request,
    status: Literal[
        "review", "rescan", "rejected", "failed", "quarantined", "archived", "pending"
    ] = "review",
    user: auth.User = api_user("queue"),
) -> list[dict[str, Any]]:
    """Documents with a status, overdue first (dossier due dates)."""
    return [r.to_dict() for r in actions.queue(state(request).rt, status)]


@router.get("/documents/{doc_id}", response_model=DocumentOut, responses=ERRORS)
def get_document(request: Request, doc_id: str, user: auth.User = api_user("view")) -> DocumentOut:
    rt = state(request).rt
    out = _doc(rt, doc_id)
    actions.record_view(rt, user.username, doc_id, "api")
    return out


@router.put("/documents/{doc_id}/fields/{key}", response_model=DocumentOut, responses=ERRORS)
def correct_field(
    request: Request, doc_id: str, key: str, body: FieldIn, user: auth.User = api_user("correct")
) -> DocumentOut:
    rt = state(request).rt
    actions.save_fields(rt, doc_id, {key: body.value}, actor=user.username, reason=body.reason)
    return _doc(rt, doc_id)


@router.post("/documents/{doc_id}/approve", response_model=DocumentOut, responses=ERRORS)
def approve(request: Request, doc_id: str, user: auth.User = api_user("approve")) -> DocumentOut:
    rt = state(request).rt
    actions.approve(rt, doc_id, actor=user.username)
    return _doc(rt, doc_id)


@router.post("/documents/{doc_id}/decision", status_code=204, responses=ERRORS)
def decision(
    request: Request, doc_id: str, body: DecisionIn, user: auth.User = api_user("queue")
) -> Response:
    if not user.can(body.action):
        raise HTTPException(403, "the role of this token does not allow this")
    actions.decide(
        state(request).rt, doc_id, body.action, actor=user.username, reason=body.reason, pages=body.pages
    )
    return Response(status_code=204)


@router.get("/overview", responses=ERRORS)
def batches_and_dossiers(request: Request, user: auth.User = api_user("queue")) -> dict[str, Any]:
    """Batches (documents, pages, statuses, pages to rescan) and dossiers (overdue first), with the share of
    completed dossiers signed by their due date and the number overdue now."""
    return overview.overview(state(request).rt).to_dict()


@router.get(
    "/documents/{doc_id}/signed.pdf",
    responses={**ERRORS, 200: {"content": {"application/pdf": {}}, "description": "The signed PDF"}},
    response_class=Response,
)
def signed_pdf(request: Request, doc_id: str, user: auth.User = api_user("download_signed")) -> Response:
    name, data = actions.signed_pdf(state(request).rt, doc_id)
    return Response(
        data, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.post("/uploads", status_code=202, responses=ERRORS)
def upload(
    request: Request,
    files: list[UploadFile] = File(...),
    paths: list[str] = Form(default=[], description="the relative path of each file (folders), in order"),
    dossier_code: str = Form(""),
    title: str = Form(""),
    due_date: str = Form(""),
    user: auth.User = api_user("upload"),
) -> dict[str, Any]:
    """The files of one dossier, or folders (one folder = one dossier, ``paths`` gives each file's path);
    ingest starts in the background. Refused files are listed with their reason. Poll GET /api/uploads/{id}."""
    st = state(request)
    job = uploads.save_upload(
        st.rt,
        uploads.upload_pairs(files, paths),
        actor=user.username,
        dossier_code=dossier_code,
        title=title,
        due_date=due_date or None,
        max_bytes=st.max_upload_bytes,
    )
    if st.ingest_uploads:
        uploads.start_ingest(job)
    return job.to_dict()


@router.get("/uploads/{upload_id}", responses=ERRORS)
def upload_status(request: Request, upload_id: str, user: auth.User = api_user("upload")) -> dict[str, Any]:
    return uploads.upload_job(state(request).rt, upload_id).to_dict()


@router.post("/verify", responses=ERRORS)
async def verify(
    request: Request, file: UploadFile = File(...), user: auth.User = api_user("verify")
) -> dict[str, Any]:
    """The auditor's verification report of a signed PDF (as ``sohoa verify --json``)."""
    data = await file.read()
    report = await run_in_threadpool(actions.verify, state(request).rt, data, actor=user.username)
    return report.to_dict()


@router.get("/audit", responses=ERRORS)
def audit(request: Request, user: auth.User = api_user("audit")) -> dict[str, list[dict[str, Any]]]:
    return actions.audit_entries(state(request).rt)


@router.get("/search", responses=ERRORS)
def search(request: Request, q: str, user: auth.User = api_user("search")) -> list[dict[str, Any]]:
    from storage.search import search as run_search

    with state(request).rt.db.session() as s:
        return [h.to_dict() for h in run_search(s, q, limit=50, actor=user.username, purpose="api search")]


@router.get("/persons/{personal_id}", responses=ERRORS)
def person(request: Request, personal_id: str, user: auth.User = api_user("search")) -> dict[str, Any]:
    from storage.lookup import lookup_person

    with state(request).rt.db.session() as s:
        return lookup_person(s, personal_id, actor=user.username, purpose="api").to_dict()


@router.get("/organisations/{enterprise_code}", responses=ERRORS)
def organisation(
    request: Request, enterprise_code: str, user: auth.User = api_user("search")
) -> dict[str, Any]:
    """Every document of a company (with its archive location) and the known facts with their sources."""
    from storage.lookup import lookup_org

    with state(request).rt.db.session() as s:
        return lookup_org(s, enterprise_code, actor=user.username, purpose="api").to_dict()
