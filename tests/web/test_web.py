"""The web application through FastAPI's TestClient: roles, CSRF, login rate limiting, review and approval."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sohoa.web import create_app
from sohoa.web.auth import PERMISSIONS
from storage import repository as repo
from tests.web.conftest import PASSWORD, ROLE_USERS, csrf_of, seed_review_document

# (method, path template, permission): every page that does something, and who may.
PAGES = [
    ("GET", "/documents", "queue"),
    ("GET", "/documents/{doc}", "view"),
    ("GET", "/documents/{doc}/pages/0.png", "view"),
    ("POST", "/documents/{doc}/fields", "correct"),
    ("POST", "/documents/{doc}/approve", "approve"),
    ("GET", "/upload", "upload"),
    ("GET", "/verify", "verify"),
    ("GET", "/audit", "audit"),
    ("GET", "/search?q=nguyen", "search"),
    ("GET", "/batches", "queue"),
    ("GET", "/organisations/0100109106", "search"),
    ("POST", "/upload", "upload"),
    ("GET", "/admin/users", "users"),
]


def test_every_role_is_refused_what_it_must_not_do(client_for, web_runtime):
    doc = seed_review_document(web_runtime, "roles")
    for role in ROLE_USERS:
        client, token = client_for(role)
        for method, path, permission in PAGES:
            if role in PERMISSIONS[permission]:
                continue
            url = path.format(doc=doc)
            data = {"csrf_token": token, "field__full_name": "Sai"} if method == "POST" else None
            r = client.request(method, url, data=data)
            assert r.status_code == 403, (role, method, url, r.status_code)
        # Reject is for officers, rescan for operators and officers.
        r = client.post(
            f"/documents/{doc}/decision", data={"csrf_token": token, "action": "reject", "reason": "x"}
        )
        assert (r.status_code == 403) == (role != "officer"), (role, r.status_code)
    with repo_session(client_for) as s:
        assert repo.load_result(s, doc).status == "rejected"  # by the officer, the only one allowed
        assert "Sai" not in [f.value for f in repo.load_result(s, doc).fields.values()]


def repo_session(client_for):  # noqa: ANN001, ANN201
    client, _ = client_for()
    return client.app.state.web.rt.db.session()


def test_pages_need_a_session(client_for, review_docs):
    client, _ = client_for()
    for path in ("/documents", f"/documents/{review_docs['later']}", "/verify", "/admin/users"):
        r = client.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path


def test_forms_without_the_csrf_token_are_refused(client_for, review_docs):
    doc = review_docs["later"]
    client, token = client_for("officer")
    r = client.post(f"/documents/{doc}/fields", data={"field__full_name": "NGUYỄN THỊ ÁNH"})
    assert r.status_code == 403
    r = client.post(
        f"/documents/{doc}/fields", data={"field__full_name": "NGUYỄN THỊ ÁNH", "csrf_token": "x" + token}
    )
    assert r.status_code == 403
    # Another session's token does not work either.
    _, other = client_for("officer")
    r = client.post(
        f"/documents/{doc}/fields", data={"field__full_name": "NGUYỄN THỊ ÁNH", "csrf_token": other}
    )
    assert r.status_code == 403
    with repo_session(client_for) as s:
        assert repo.load_result(s, doc).fields["full_name"].value != "NGUYỄN THỊ ÁNH"
    # Signing in needs the token too.
    anon = TestClient(client.app, follow_redirects=False)
    assert anon.post("/login", data={"username": "can-bo", "password": PASSWORD}).status_code == 403


def test_login_is_rate_limited(web_runtime):
    app = create_app(web_runtime.settings, runtime=web_runtime, secure_cookies=False)  # a limiter of its own
    with TestClient(app, follow_redirects=False) as c:
        for _ in range(5):
            token = csrf_of(c.get("/login").text)
            r = c.post(
                "/login", data={"username": "can-bo", "password": "wrong-password", "csrf_token": token}
            )
            assert r.status_code == 401
        token = csrf_of(c.get("/login").text)
        r = c.post("/login", data={"username": "can-bo", "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 429  # even the right password, until the window has passed
        assert "15" in r.text


def test_session_cookie_is_httponly_and_samesite(web_runtime):
    app = create_app(web_runtime.settings, runtime=web_runtime, secure_cookies=True)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        r = c.get("/login")
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie


def test_officer_corrects_a_field_with_history(client_for, review_docs):
    doc = review_docs["later"]
    client, token = client_for("officer")
    page = client.get(f"/documents/{doc}")
    assert page.status_code == 200
    assert 'data-field="date_of_birth"' in page.text and "ngày sinh không đọc rõ" in page.text
    assert "<rect" in page.text  # the boxes of the fields over the page image
    png = client.get(f"/documents/{doc}/pages/0.png")
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    r = client.post(
        f"/documents/{doc}/fields",
        data={"csrf_token": token, "field__mother_name": "NGUYỄN THỊ ÁNH", "reason": "đối chiếu bản gốc"},
    )
    assert r.status_code == 303
    with repo_session(client_for) as s:
        f = repo.load_result(s, doc).fields["mother_name"]
        assert (f.value, f.source, f.confidence) == ("NGUYỄN THỊ ÁNH", "officer", 1.0)
        hist = repo.field_history(s, doc, "mother_name")
        assert hist[-1].changed_by == "can-bo" and hist[-1].new_value == "NGUYỄN THỊ ÁNH"
        assert hist[-1].reason == "đối chiếu bản gốc"
    assert "NGUYỄN THỊ ÁNH" in client.get(f"/documents/{doc}").text
    # The view was recorded in the access log, which auditors read.
    auditor, _ = client_for("auditor")
    audit = auditor.get("/audit").text
    assert "view_document" in audit and f"document:{doc}" in audit


def test_queue_is_overdue_first_in_vietnamese_or_english(client_for, review_docs):
    client, _ = client_for("officer")
    html = client.get("/documents").text
    assert "Chờ kiểm tra" in html and "quá hạn" in html
    assert html.index(review_docs["overdue"]) < html.index(review_docs["later"])
    english = client.get("/documents?lang=en")
    assert "Waiting for review" in english.text and "overdue" in english.text
    assert "Waiting for review" in client.get("/documents").text  # the choice is kept in a cookie


def test_signer_approves_and_auditor_verifies(client_for, web_runtime):
    doc = seed_review_document(web_runtime, "approve")
    signer, token = client_for("signer")
    r = signer.post(f"/documents/{doc}/approve", data={"csrf_token": token})
    assert r.status_code == 303, r.text[:300]
    page = signer.get(f"/documents/{doc}").text
    assert 'id="archived"' in page and "nguoi-ky" in page
    pdf = signer.get(f"/documents/{doc}/signed.pdf").content
    auditor, atoken = client_for("auditor")
    report = auditor.post(
        "/verify", data={"csrf_token": atoken}, files={"file": ("signed.pdf", pdf, "application/pdf")}
    )
    assert report.status_code == 200
    assert "TOTAL_PASSED" in report.text and doc in report.text  # passed, and matched to the archive record
    # The archived document can no longer be changed.
    officer, otoken = client_for("officer")
    r = officer.post(f"/documents/{doc}/fields", data={"csrf_token": otoken, "field__full_name": "X"})
    assert r.status_code == 400


def test_operator_upload_is_saved_for_ingest(client_for, web_runtime):
    # The app under test saves uploads without starting ingest (ingest_uploads=False): the flow itself is
    # tested in tests/test_end_to_end.py; here, that the files land where it reads them.
    client, token = client_for("operator")
    r = client.post(
        "/upload",
        data={"csrf_token": token, "dossier_code": "H31.01.05-240315-0042", "due_date": "2030-01-31"},
        files=[
            ("files", ("giấy khai sinh.pdf", b"%PDF-1.7 test", "application/pdf")),
            ("files", ("cccd.jpg", b"\xff\xd8", "image/jpeg")),
        ],
    )
    assert r.status_code == 303
    upload_id = r.headers["location"].rsplit("/", 1)[-1]
    assert client.get(r.headers["location"]).status_code == 200
    folder = web_runtime.settings.data_dir / "uploads" / upload_id / "H31.01.05-240315-0042"
    assert sorted(p.name for p in folder.iterdir()) == ["cccd.jpg", "dossier.json", "giấy khai sinh.pdf"]
    bad = client.post(
        "/upload", data={"csrf_token": token}, files=[("files", ("virus.exe", b"MZ", "application/x"))]
    )
    assert bad.status_code == 400
