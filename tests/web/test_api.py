"""The REST API: bearer tokens, roles, corrections with history, and schemathesis over its OpenAPI."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sohoa.web.auth import new_token
from tests.web.conftest import ROLE_USERS


@pytest.fixture(scope="module")
def tokens(web_app, web_runtime) -> dict[str, str]:  # noqa: ANN001
    with web_runtime.db.session() as s:
        return {role: new_token(s, name, "tests") for role, name in ROLE_USERS.items()}


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_api_needs_a_token_and_the_role(web_app, tokens, review_docs):
    doc = review_docs["later"]
    with TestClient(web_app) as c:
        assert c.get("/api/documents").status_code == 401
        assert c.get("/api/documents", headers=_h("sohoa_not-a-token")).status_code == 401
        assert c.get("/api/me", headers=_h(tokens["auditor"])).json()["roles"] == ["auditor"]
        assert c.get(f"/api/documents/{doc}", headers=_h(tokens["operator"])).status_code == 403
        put = {"value": "NGUYỄN THỊ ÁNH"}
        for role in ("operator", "signer", "auditor", "admin"):
            assert (
                c.put(
                    f"/api/documents/{doc}/fields/full_name", json=put, headers=_h(tokens[role])
                ).status_code
                == 403
            )
        for role in ("operator", "officer", "auditor", "admin"):
            assert c.post(f"/api/documents/{doc}/approve", headers=_h(tokens[role])).status_code == 403
        assert (
            c.post(
                "/api/verify", files={"file": ("a.pdf", b"%PDF")}, headers=_h(tokens["officer"])
            ).status_code
            == 403
        )
        assert c.get("/api/audit", headers=_h(tokens["signer"])).status_code == 403


def test_api_correction_is_recorded(web_app, tokens, review_docs):
    doc = review_docs["later"]
    with TestClient(web_app) as c:
        listed = c.get("/api/documents?status=review", headers=_h(tokens["officer"])).json()
        assert [d["id"] for d in listed].index(review_docs["overdue"]) == 0  # overdue first
        r = c.put(
            f"/api/documents/{doc}/fields/father_name",
            json={"value": "NGUYỄN VĂN BÌNH", "reason": "theo CCCD"},
            headers=_h(tokens["officer"]),
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["fields"]["father_name"] == {
            **body["fields"]["father_name"],
            "value": "NGUYỄN VĂN BÌNH",
            "source": "officer",
        }
        assert any(h["key"] == "father_name" and h["changed_by"] == "can-bo" for h in body["history"])
        assert c.get("/api/documents/nope", headers=_h(tokens["officer"])).status_code == 404
