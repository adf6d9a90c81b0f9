"""Reject and send to rescan change the document's status in the shared database; approval is then refused."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sohoa.web.auth import new_token
from storage import repository as repo
from tests.web.conftest import ROLE_USERS, seed_review_document


def _status(web_runtime, doc: str):  # noqa: ANN001, ANN202
    with web_runtime.db.session(readonly=True) as s:
        return repo.load_result(s, doc)


def test_officer_rejects_and_the_document_is_rejected(client_for, web_runtime):
    doc = seed_review_document(web_runtime, "reject")
    officer, token = client_for("officer")
    r = officer.post(
        f"/documents/{doc}/decision",
        data={"csrf_token": token, "action": "reject", "reason": "Hồ sơ không đúng thủ tục"},
    )
    assert r.status_code == 303 and "decided=rejected" in r.headers["location"]
    result = _status(web_runtime, doc)
    assert result.status == "rejected" and result.error == "Hồ sơ không đúng thủ tục"
    # It left the review queue and shows on the "rejected" tab, with its reason, in both languages.
    assert doc not in officer.get("/documents").text
    page = officer.get("/documents?status=rejected").text
    assert doc in page and "Hồ sơ không đúng thủ tục" in page and "Đã từ chối" in page
    assert "Rejected" in officer.get("/documents?status=rejected&lang=en").text
    review = officer.get(f"/documents/{doc}?lang=vi").text
    assert 'id="rejected"' in review and 'id="approve"' not in review
    # The signer cannot approve it: a clear refusal, nothing signed.
    signer, stoken = client_for("signer")
    r = signer.post(f"/documents/{doc}/approve", data={"csrf_token": stoken})
    assert r.status_code == 409 and "rejected" in r.text
    assert _status(web_runtime, doc).archive is None
    # Nor can it be decided again.
    r = officer.post(
        f"/documents/{doc}/decision", data={"csrf_token": token, "action": "rescan", "reason": "x"}
    )
    assert r.status_code == 400 and "only a document waiting for review" in r.text


def test_operator_sends_pages_to_rescan(client_for, web_runtime):
    doc = seed_review_document(web_runtime, "rescan")
    operator, token = client_for("operator")
    # Bad page numbers are refused with a clear message, and nothing changes.
    for pages, message in (
        ("2-1", "not a page number"),
        ("hai", "not a page number"),
        ("9", "does not exist"),
    ):
        r = operator.post(
            f"/documents/{doc}/decision",
            data={"csrf_token": token, "action": "rescan", "reason": "mờ", "pages": pages},
        )
        assert r.status_code == 400 and message in r.text, (pages, r.text[:300])
    assert _status(web_runtime, doc).status == "review"
    r = operator.post(
        f"/documents/{doc}/decision",
        data={"csrf_token": token, "action": "rescan", "reason": "trang bị mờ", "pages": "1"},
    )
    assert r.status_code == 303
    result = _status(web_runtime, doc)
    assert result.status == "rescan" and result.to_rescan == ["page 1: trang bị mờ"]
    page = operator.get("/documents?status=rescan").text
    assert "giay-khai-sinh-rescan.pdf" in page and "page 1: trang bị mờ" in page
    # The batches page counts it among the pages to rescan.
    assert "cần quét lại: " in operator.get("/batches").text
    # Who decided and why is kept, and in the audit log.
    auditor, _ = client_for("auditor")
    assert "trang bị mờ" in auditor.get("/audit").text
    signer, stoken = client_for("signer")
    assert signer.post(f"/documents/{doc}/approve", data={"csrf_token": stoken}).status_code == 409


def test_decisions_need_a_reason_and_the_role(client_for, web_runtime):
    doc = seed_review_document(web_runtime, "norole")
    officer, token = client_for("officer")
    r = officer.post(
        f"/documents/{doc}/decision", data={"csrf_token": token, "action": "reject", "reason": " "}
    )
    assert r.status_code == 400 and "say why" in r.text
    r = officer.post(
        f"/documents/{doc}/decision",
        data={"csrf_token": token, "action": "reject", "reason": "x", "pages": "1"},
    )
    assert r.status_code == 400 and "pages are for a rescan" in r.text
    r = officer.post(
        "/documents/nope/decision", data={"csrf_token": token, "action": "reject", "reason": "x"}
    )
    assert r.status_code == 404
    for role in ("signer", "auditor", "admin"):
        client, tok = client_for(role)
        r = client.post(
            f"/documents/{doc}/decision", data={"csrf_token": tok, "action": "rescan", "reason": "x"}
        )
        assert r.status_code == 403, role
    operator, otoken = client_for("operator")
    r = operator.post(
        f"/documents/{doc}/decision", data={"csrf_token": otoken, "action": "reject", "reason": "x"}
    )
    assert r.status_code == 403
    assert _status(web_runtime, doc).status == "review"


def test_api_decisions_change_the_status(web_app, web_runtime):
    doc, other = (
        seed_review_document(web_runtime, "api-reject"),
        seed_review_document(web_runtime, "api-rescan"),
    )
    with web_runtime.db.session() as s:
        tokens = {role: new_token(s, name, "decisions") for role, name in ROLE_USERS.items()}
    h = {role: {"Authorization": f"Bearer {t}"} for role, t in tokens.items()}
    with TestClient(web_app) as c:
        body = {"action": "reject", "reason": "Sai thủ tục"}
        assert c.post(f"/api/documents/{doc}/decision", json=body, headers=h["operator"]).status_code == 403
        assert c.post(f"/api/documents/{doc}/decision", json=body, headers=h["officer"]).status_code == 204
        assert c.get(f"/api/documents/{doc}", headers=h["officer"]).json()["status"] == "rejected"
        r = c.post(f"/api/documents/{doc}/approve", headers=h["signer"])
        assert r.status_code == 409 and "rejected" in r.json()["detail"]
        body = {"action": "rescan", "reason": "thiếu trang", "pages": [1]}
        assert c.post(f"/api/documents/{other}/decision", json=body, headers=h["operator"]).status_code == 204
        listed = c.get("/api/documents?status=rescan", headers=h["operator"]).json()
        assert [d["to_rescan"] for d in listed if d["id"] == other] == [["page 1: thiếu trang"]]
        rejected = c.get("/api/documents?status=rejected", headers=h["officer"]).json()
        assert [d["error"] for d in rejected if d["id"] == doc] == ["Sai thủ tục"]
