"""Uploads of files and folders: one folder is one dossier, relative paths are kept, bad files are refused with
their reason while the rest is kept for ingest (the ingest itself runs in tests/web/test_browser.py)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from sohoa.web import create_app
from sohoa.web.auth import new_token
from tests.web.conftest import ROLE_USERS, csrf_of, login

PDF = b"%PDF-1.7\n% a test body\n"
JPEG = b"\xff\xd8\xff\xe0 a jpeg"


def _folder(web_runtime, location: str):  # noqa: ANN001, ANN202
    upload_id = location.rsplit("/", 1)[-1]
    return upload_id, web_runtime.settings.data_dir / "uploads" / upload_id


def test_folder_upload_keeps_the_folders_and_refuses_bad_files(client_for, web_runtime):
    client, token = client_for("operator")
    files = [
        ("files", ("a.pdf", PDF, "application/pdf")),
        ("files", ("b.jpg", JPEG, "image/jpeg")),
        (
            "files",
            ("dossier.json", json.dumps({"dossier_code": "H31.01.05-240315-0099"}).encode(), "text/json"),
        ),
        ("files", ("c.pdf", PDF, "application/pdf")),
        ("files", ("evil.pdf", PDF, "application/pdf")),
        ("files", ("empty.pdf", b"", "application/pdf")),
        ("files", ("notes.docx", b"PK\x03\x04", "application/msword")),
        ("files", ("fake.pdf", b"MZ\x90\x00", "application/pdf")),
        ("files", ("big.pdf", PDF + b"x" * 3000, "application/pdf")),
        ("files", (".DS_Store", b"\x00\x00", "application/octet-stream")),
    ]
    paths = [
        "HS-Nguyễn Thị Ánh/giấy khai sinh.pdf",
        "HS-Nguyễn Thị Ánh/cccd.jpg",
        "HS-002/dossier.json",
        "HS-002/Quyết định.pdf",
        "../x.pdf",
        "HS-002/empty.pdf",
        "HS-002/notes.docx",
        "HS-002/fake.pdf",
        "HS-002/big.pdf",
        "HS-002/.DS_Store",
    ]
    app = create_app(
        web_runtime.settings,
        runtime=web_runtime,
        secure_cookies=False,
        ingest_uploads=False,
        max_upload_bytes=2048,
    )
    with TestClient(app, follow_redirects=False) as c:
        token = login(c, ROLE_USERS["operator"])
        r = c.post(
            "/upload", data={"csrf_token": token, "paths": paths, "due_date": "2030-01-31"}, files=files
        )
        assert r.status_code == 303, r.text[:500]
        upload_id, root = _folder(web_runtime, r.headers["location"])
        got = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
        assert got == [
            "HS-002/Quyết định.pdf",
            "HS-002/dossier.json",
            "HS-Nguyễn Thị Ánh/cccd.jpg",
            "HS-Nguyễn Thị Ánh/dossier.json",
            "HS-Nguyễn Thị Ánh/giấy khai sinh.pdf",
        ]
        assert not (root.parent / "x.pdf").exists()
        # The uploaded dossier.json wins; a folder without one gets the form's dates.
        assert (
            json.loads((root / "HS-002/dossier.json").read_text())["dossier_code"] == "H31.01.05-240315-0099"
        )
        made = json.loads((root / "HS-Nguyễn Thị Ánh/dossier.json").read_text(encoding="utf-8"))
        assert made["due_date"] == "2030-01-31" and made["dossier_code"] is None
        page = c.get(r.headers["location"]).text
        for message in (
            "../x.pdf: a file name may not point outside its folder",
            "HS-002/empty.pdf: the file is empty",
            "HS-002/notes.docx: only PDF, PNG, JPEG and TIFF files",
            "HS-002/fake.pdf: the content is not a PDF file",
            "HS-002/big.pdf: larger than",
            "HS-002/.DS_Store: a hidden or system file",
        ):
            assert message in page, message
        assert "3 tệp trong 2 hồ sơ" in page


def test_upload_of_nothing_good_is_refused_with_every_reason(client_for):
    client, token = client_for("operator")
    r = client.post(
        "/upload",
        data={"csrf_token": token, "paths": ["../../etc/passwd.pdf", "/abs.pdf"]},
        files=[("files", ("a.pdf", PDF, "application/pdf")), ("files", ("b.pdf", PDF, "application/pdf"))],
    )
    assert r.status_code == 400
    assert "nothing was uploaded" in r.text and "outside its folder" in r.text and "absolute path" in r.text
    r = client.post("/upload", data={"csrf_token": token})
    assert r.status_code == 400 and "choose at least one file or a folder" in r.text
    r = client.post(
        "/upload",
        data={"csrf_token": token, "due_date": "31/01/2030"},
        files=[("files", ("a.pdf", PDF, "application/pdf"))],
    )
    assert r.status_code == 400 and "YYYY-MM-DD" in r.text
    # A dossier code names one dossier: not two folders at once.
    r = client.post(
        "/upload",
        data={"csrf_token": token, "dossier_code": "H31.01.05-240315-0042", "paths": ["A/a.pdf", "B/b.pdf"]},
        files=[("files", ("a.pdf", PDF, "application/pdf")), ("files", ("b.pdf", PDF, "application/pdf"))],
    )
    assert r.status_code == 400 and "is for one dossier" in r.text


def test_loose_files_make_one_dossier_named_by_its_code(client_for, web_runtime):
    client, token = client_for("operator")
    r = client.post(
        "/upload",
        data={"csrf_token": token, "dossier_code": "H31.01.05-240315-0042", "title": "Đăng ký khai sinh"},
        files=[("files", ("giấy khai sinh.pdf", PDF, "application/pdf")), ("files", ("", b"", "x"))],
    )
    assert r.status_code == 303
    _, root = _folder(web_runtime, r.headers["location"])
    assert sorted(p.name for p in (root / "H31.01.05-240315-0042").iterdir()) == [
        "dossier.json",
        "giấy khai sinh.pdf",
    ]
    info = json.loads((root / "H31.01.05-240315-0042" / "dossier.json").read_text(encoding="utf-8"))
    assert info["dossier_code"] == "H31.01.05-240315-0042" and info["title"] == "Đăng ký khai sinh"


def test_api_upload_with_paths(web_app, web_runtime):
    with web_runtime.db.session() as s:
        op, officer = new_token(s, ROLE_USERS["operator"], "up"), new_token(s, ROLE_USERS["officer"], "up")
    with TestClient(web_app) as c:
        files = [("files", ("a.pdf", PDF, "application/pdf")), ("files", ("b.pdf", b"", "application/pdf"))]
        data = {"paths": ["HS-API/a.pdf", "HS-API/b.pdf"]}
        r = c.post("/api/uploads", data=data, files=files, headers={"Authorization": f"Bearer {officer}"})
        assert r.status_code == 403
        r = c.post("/api/uploads", data=data, files=files, headers={"Authorization": f"Bearer {op}"})
        assert r.status_code == 202, r.text
        body = r.json()
        assert body["files"] == ["HS-API/a.pdf"] and body["dossiers"] == ["HS-API"]
        assert body["refused"] == [{"name": "HS-API/b.pdf", "error": "HS-API/b.pdf: the file is empty"}]
        again = c.get(f"/api/uploads/{body['id']}", headers={"Authorization": f"Bearer {op}"}).json()
        assert again["files"] == ["HS-API/a.pdf"]


def test_upload_page_offers_folders_and_drag_and_drop(client_for):
    client, _ = client_for("operator")
    html = client.get("/upload").text
    assert "webkitdirectory" in html and 'id="drop"' in html and "Mỗi thư mục là một hồ sơ" in html
    assert csrf_of(html)
