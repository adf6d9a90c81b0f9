"""The batches and dossiers page and its REST endpoint: overdue first, on-time share, batch counts."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient

from pipelines.model import ArchiveRecord, DocumentResult, DossierInfo, SignatureInfo, Status
from sohoa.web.auth import new_token
from storage import repository as repo
from tests.web.conftest import ROLE_USERS


def _dossier(
    rt, code: str, *, due: date, signed: list[datetime | str | None], procedure: str = "Cấp giấy phép"
) -> None:  # noqa: ANN001
    """A dossier with one document per entry of ``signed``: archived at that time, waiting for review (None),
    or rejected by an officer ("rejected")."""
    batch = f"overview-{code}"
    with rt.db.session() as s:
        repo.record_batch_start(s, batch, "/uploads/overview", datetime.now(UTC))
        dossier_id = repo.upsert_dossier(
            s,
            DossierInfo(
                folder=code,
                code=code,
                procedure=procedure,
                applicant_name="Nguyễn Thị Ánh",
                received_date=(due - timedelta(days=15)).isoformat(),
                due_date=due.isoformat(),
            ),
        )
        for i, at in enumerate(signed):
            doc_id = f"ov-{code}-{i}"
            result = DocumentResult(
                id=doc_id,
                source=f"{code}/{i}.pdf",
                sha256=uuid.uuid5(uuid.NAMESPACE_URL, doc_id).hex * 2,
                dossier_code=code,
                status=Status.REVIEW,
                pages=2,
                to_rescan=["page 2 is blank"] if i == 0 else [],
            )
            repo.save_document(
                s, result, batch_id=batch, dossier_id=dossier_id, pages=[], original=None, derived_pdf=None
            )
            if at == "rejected":
                repo.reject_document(s, doc_id, "không thuộc hồ sơ")
            elif at is not None:
                record = ArchiveRecord("archive", f"{code}/{i}.pdf", "v1", "ab" * 32)
                repo.mark_archived(s, doc_id, record, SignatureInfo("PAdES-BASELINE-B", at, "Sở Nội vụ"))


def test_dossiers_overdue_first_with_the_on_time_share(web_app, web_runtime):
    with web_runtime.db.session() as s:
        tokens = {role: new_token(s, name, "overview") for role, name in ROLE_USERS.items()}
    today = date.today()
    noon = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=5)  # 12:00 in Vietnam
    tag = uuid.uuid4().hex[:4].upper()
    with TestClient(web_app) as c:
        h = {"Authorization": f"Bearer {tokens['operator']}"}
        before = c.get("/api/overview", headers=h).json()
        _dossier(
            web_runtime, f"OT-{tag}", due=today - timedelta(days=3), signed=[noon - timedelta(days=4)] * 2
        )
        _dossier(
            web_runtime, f"LATE-{tag}", due=today - timedelta(days=10), signed=[noon - timedelta(days=9)]
        )
        _dossier(
            web_runtime, f"OVER-{tag}", due=today - timedelta(days=2), signed=[noon - timedelta(days=5), None]
        )
        _dossier(web_runtime, f"LATER-{tag}", due=today + timedelta(days=5), signed=[None])
        # A rejected document is set aside: the dossier is completed by its other document.
        _dossier(
            web_runtime,
            f"REJ-{tag}",
            due=today - timedelta(days=1),
            signed=[noon - timedelta(days=2), "rejected"],
        )
        after = c.get("/api/overview", headers=h).json()
        assert after["completed"] - before["completed"] == 3
        assert after["completed_on_time"] - before["completed_on_time"] == 2
        assert after["overdue_now"] - before["overdue_now"] == 1
        rows = {d["code"]: d for d in after["dossiers"]}
        assert rows[f"OT-{tag}"]["status"] == "archived" and rows[f"OT-{tag}"]["on_time"] is True
        assert rows[f"LATE-{tag}"]["on_time"] is False and not rows[f"LATE-{tag}"]["overdue"]
        assert rows[f"OVER-{tag}"]["status"] == "review" and rows[f"OVER-{tag}"]["overdue"]
        assert rows[f"LATER-{tag}"]["overdue"] is False
        assert rows[f"REJ-{tag}"]["status"] == "archived" and rows[f"REJ-{tag}"]["documents"] == 1
        codes = [d["code"] for d in after["dossiers"]]
        assert codes.index(f"OVER-{tag}") < codes.index(f"LATER-{tag}")
        assert all(d["overdue"] for d in after["dossiers"][: after["overdue_now"]])  # overdue first
        batch = next(b for b in after["batches"] if b["id"] == f"overview-OT-{tag}")
        assert (batch["documents"], batch["pages"], batch["to_rescan"]) == (2, 4, 1)
        assert batch["statuses"] == {"archived": 2}
        assert c.get("/api/overview").status_code == 401
        assert (
            c.get("/api/overview", headers={"Authorization": f"Bearer {tokens['admin']}"}).status_code == 403
        )


def test_batches_page_in_vietnamese_and_english(client_for, web_runtime):
    code = f"PAGE-{uuid.uuid4().hex[:4].upper()}"
    _dossier(
        web_runtime, code, due=date.today() - timedelta(days=1), signed=[None], procedure="Đăng ký khai sinh"
    )
    client, _ = client_for("operator")
    html = client.get("/batches").text
    assert 'href="/batches"' in html  # in the navigation
    assert "Lô và hồ sơ" in html and "Đang quá hạn" in html and "Đăng ký khai sinh" in html
    assert "Nguyễn Thị Ánh" in html and f'data-dossier="{code}"' in html
    row = html[html.index(f'data-dossier="{code}"') :]
    assert "quá hạn" in row[: row.index("</tr>")]
    english = client.get("/batches?lang=en").text
    assert "Batches and dossiers" in english and "Overdue now" in english and "Pages to rescan" in english
    admin, _ = client_for("admin")
    assert admin.get("/batches").status_code == 403
