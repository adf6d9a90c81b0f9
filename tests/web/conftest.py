"""The web application on real components: SeaweedFS, SQLite, the local test PKI, and review documents made by
the real stages (a born-digital sample read from its text layer, classified, extracted, made PDF/A)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from extractors.classify import classify
from extractors.fields import extract_fields
from flows.runtime import Runtime, set_runtime
from pipelines.identity import sha256_hex
from pipelines.model import DocumentResult, DossierInfo, Status
from pipelines.pdfa import PdfMetadata, build_pdfa
from pipelines.read import read_pages
from sohoa.samples import content
from sohoa.samples.documents import build
from sohoa.samples.render import pages_to_pdf
from sohoa.samples.style import STANDARD
from sohoa.web import create_app
from sohoa.web.auth import add_user
from storage import repository as repo
from tests.helpers import make_settings

PASSWORD = "mật-khẩu-đủ-dài-1"
ROLE_USERS = {
    "operator": "op",
    "officer": "can-bo",
    "signer": "nguoi-ky",
    "auditor": "kiem-tra",
    "admin": "quan-tri",
}


def seed_review_document(
    rt: Runtime,
    seed: str,
    *,
    due: date | None = None,
    doc_type: str = "birth_certificate",
    link: bool = False,
) -> str:
    """A document (a birth certificate unless told) waiting for review, saved the way the pipeline saves it
    (``link``: and linked to the persons and companies it names). Returns its id."""
    rng = random.Random(f"web:{seed}")
    truth = content.sample_fields(doc_type, rng)
    sheets, _ = build(doc_type, truth, rng, 0, STANDARD)
    original = pages_to_pdf(sheets, title="Giấy khai sinh")
    pages = read_pages(original, f"{seed}.pdf")
    cls = classify(pages)
    fields = extract_fields(cls.doc_type, pages)
    # The reviewer's situation: one field read with little confidence and a validation message.
    if "date_of_birth" in fields:
        weak = fields["date_of_birth"]
        weak.confidence, weak.problems = 0.41, ["ngày sinh không đọc rõ"]
    sha = sha256_hex(original)
    doc_id = f"web-{seed}-{sha[:12]}"
    code = f"H31.01.05-240315-{abs(hash(seed)) % 10000:04d}"
    result = DocumentResult(
        id=doc_id,
        source=f"{code}/giay-khai-sinh-{seed}.pdf",
        sha256=sha,
        dossier_code=code,
        status=Status.REVIEW,
        pages=len(pages),
        doc_type=cls.doc_type,
        doc_type_confidence=cls.confidence,
        fields=fields,
        review_reasons=[
            "date_of_birth is uncertain (0.41)" if "date_of_birth" in fields else "low confidence"
        ],
        sequence=1,
    )
    stored = rt.store.put_original(original, sha, filename=result.source)
    pdfa = build_pdfa(pages, original, PdfMetadata(title="Giấy khai sinh", author="sohoa", keywords=[doc_id]))
    derived = rt.store.put_derived(f"pdfa/{doc_id}.pdf", pdfa)
    with rt.db.session() as s:
        repo.record_batch_start(s, "web-tests", "/uploads", datetime.now(UTC))
        received = date.today() - timedelta(days=10)
        dossier_id = repo.upsert_dossier(
            s,
            DossierInfo(
                folder=code,
                code=code,
                title="Đăng ký khai sinh",
                received_date=received.isoformat(),
                due_date=due.isoformat() if due else None,
            ),
        )
        repo.save_document(
            s,
            result,
            batch_id="web-tests",
            dossier_id=dossier_id,
            pages=pages,
            original=stored,
            derived_pdf=derived,
        )
        if link:
            from storage.people import link_document

            link_document(s, doc_id)
    return doc_id


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def web_backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database URL of the web tests: each runs on SQLite and on PostgreSQL (a database of its own).
    The browser test picks SQLite only (``@pytest.mark.parametrize("web_backend", ["sqlite"], indirect=True)``).
    """
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('web-db') / 'sohoa.db'}"
    from tests.fixtures.storage import PG_URL

    return PG_URL.format(db=request.getfixturevalue("postgres_database"))


@pytest.fixture(scope="session")
def web_runtime(tmp_path_factory: pytest.TempPathFactory, seaweed, web_backend: str) -> Iterator[Runtime]:
    tmp = tmp_path_factory.mktemp("web")
    settings = make_settings(tmp, seaweed, web_backend)
    rt = Runtime.open(settings)
    set_runtime(rt)
    try:
        yield rt
    finally:
        set_runtime(None)
        rt.close()


@pytest.fixture(scope="session")
def web_app(web_runtime: Runtime):  # noqa: ANN201
    app = create_app(web_runtime.settings, runtime=web_runtime, secure_cookies=False, ingest_uploads=False)
    with web_runtime.db.session() as s:
        for role, name in ROLE_USERS.items():
            add_user(s, name, PASSWORD, [role])
    return app


@pytest.fixture(scope="session")
def review_docs(web_runtime: Runtime) -> dict[str, str]:
    """Two documents waiting for review: one overdue, one due later."""
    today = date.today()
    return {
        "later": seed_review_document(web_runtime, "later", due=today + timedelta(days=5)),
        "overdue": seed_review_document(web_runtime, "overdue", due=today - timedelta(days=2)),
    }


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert r.status_code == 303, r.text[:500]
    return csrf_of(client.get("/documents" if username != ROLE_USERS["admin"] else "/admin/users").text)


@pytest.fixture
def client_for(web_app) -> Iterator:  # noqa: ANN001
    clients: list[TestClient] = []

    def make(role: str | None = None) -> tuple[TestClient, str]:
        c = TestClient(web_app, follow_redirects=False)
        clients.append(c)
        token = login(c, ROLE_USERS[role]) if role else ""
        return c, token

    yield make
    for c in clients:
        c.close()


def signed_pdf_path(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    return path
