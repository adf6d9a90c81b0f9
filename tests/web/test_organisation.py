"""The company page: every document of an enterprise code with its archive location, and the known facts with
their sources; linked from the documents that name the company and from search results."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sohoa.web.auth import new_token
from storage import repository as repo
from tests.web.conftest import ROLE_USERS, seed_review_document


def test_company_page_with_signed_documents_and_facts(client_for, web_app, web_runtime):
    doc = seed_review_document(web_runtime, "company", doc_type="business_registration", link=True)
    with web_runtime.db.session(readonly=True) as s:
        fields = repo.load_result(s, doc).fields
    code, name = fields["enterprise_code"].value, fields["company_name"].value
    signer, stoken = client_for("signer")
    assert signer.post(f"/documents/{doc}/approve", data={"csrf_token": stoken}).status_code == 303

    officer, _ = client_for("officer")
    review = officer.get(f"/documents/{doc}").text
    assert f'href="/organisations/{code}"' in review  # the document links to its company
    page = officer.get(f"/organisations/{code}")
    assert page.status_code == 200
    html = page.text
    assert name in html and code in html and f'href="/documents/{doc}"' in html
    with web_runtime.db.session(readonly=True) as s:
        archived = repo.load_result(s, doc).archive
    assert archived.key in html  # where the signed copy is archived
    facts = html[html.index('id="org-facts"') :]
    assert "company_name" in facts and "head_office_address" in facts

    # Search: by the company's name (without diacritics) and by its code.
    hits = officer.get("/search", params={"q": name.split()[-1]}).text
    assert f'href="/organisations/{code}"' in hits
    assert 'id="company-page"' in officer.get("/search", params={"q": code}).text

    # Every look-up is in the access log; an unknown code says so; the role is checked.
    auditor, _ = client_for("auditor")
    assert f"org:{code}" in auditor.get("/audit").text
    unknown = officer.get("/organisations/0100109106-999").text
    assert "Chưa có thông tin nào về doanh nghiệp này." in unknown
    operator, _ = client_for("operator")
    assert operator.get(f"/organisations/{code}").status_code == 403

    with web_runtime.db.session() as s:
        tokens = {role: new_token(s, n, "org") for role, n in ROLE_USERS.items()}
    with TestClient(web_app) as c:
        r = c.get(f"/api/organisations/{code}", headers={"Authorization": f"Bearer {tokens['auditor']}"})
        assert r.status_code == 200
        body = r.json()
        assert body["found"] and body["name"] == name
        assert [d["archive_key"] for d in body["documents"] if d["document_id"] == doc] == [archived.key]
        r = c.get(f"/api/organisations/{code}", headers={"Authorization": f"Bearer {tokens['operator']}"})
        assert r.status_code == 403
