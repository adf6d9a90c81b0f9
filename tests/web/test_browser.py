"""End to end in headless Chromium (Debian's, driven by Playwright; no browser download): an operator uploads a
dossier folder (made by sohoa.samples) and sees it processed on the batches page; an officer corrects a field,
a signer approves, sees it archived, an auditor verifies the signed file. With SOHOA_SCREENSHOTS=1 it
refreshes the README's docs/screenshots/*.png; otherwise the screenshots go to the test's tmp folder."""

from __future__ import annotations

import contextvars
import io
import json
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.web.conftest import PASSWORD, ROLE_USERS, seed_review_document

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
README_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def server(web_app, web_runtime, prefect_api) -> Iterator[str]:  # noqa: ANN001
    """The application with uploads ingested (the Prefect flow, on the test session's Prefect server)."""
    import uvicorn

    from sohoa.web import create_app

    app = create_app(web_runtime.settings, runtime=web_runtime, secure_cookies=False, ingest_uploads=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    # The server thread (and the ingest threads it starts) see the Prefect settings of the test harness.
    thread = threading.Thread(target=contextvars.copy_context().run, args=(srv.run,), daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=30)


SHOTS = (
    README_SHOTS
    if os.environ.get("SOHOA_SCREENSHOTS") == "1"
    else Path(tempfile.mkdtemp(prefix="sohoa-shots-"))
)


def _shot(page, name: str) -> None:  # noqa: ANN001
    """A small PNG (palette, < 150 KB) of the visible page."""
    from PIL import Image

    SHOTS.mkdir(parents=True, exist_ok=True)
    img = Image.open(io.BytesIO(page.screenshot(type="png"))).convert("RGB")
    img.quantize(colors=64).save(SHOTS / f"{name}.png", optimize=True)


def _login(page, base: str, role: str) -> None:  # noqa: ANN001
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", ROLE_USERS[role])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


DROP_FILE = """() => {
  const dt = new DataTransfer();
  dt.items.add(new File(["%PDF-1.7"], "giấy khai sinh.pdf", {type: "application/pdf"}));
  document.getElementById("drop").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
}"""


def _sample_dossier(folder: Path, due: date) -> None:
    """A dossier folder of two scanned documents from the sample generator, and its reception record."""
    from sohoa.samples.generate import generate_dataset

    generate_dataset(
        folder, n=2, seed=9, types=["birth_certificate", "decision"], degrade="clean", layouts="standard"
    )
    info = {
        "dossier_code": "H31.01.05-261122-0901",
        "procedure": "Đăng ký khai sinh",
        "applicant_name": "Nguyễn Thị Ánh",
        "received_date": (due - timedelta(days=7)).isoformat(),
        "due_date": due.isoformat(),
    }
    (folder / "dossier.json").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("web_backend", ["sqlite"], indirect=True)
def test_upload_review_approve_verify_in_chromium(server, web_runtime, review_docs, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    doc = seed_review_document(web_runtime, "browser")
    dossier, due = tmp_path / "HS-Nguyễn Thị Ánh", date.today() + timedelta(days=5)
    _sample_dossier(dossier, due)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.goto(f"{server}/login")
            assert "Đăng nhập" in page.content()
            _shot(page, "login")

            # The operator uploads the dossier folder; the ingest runs; the batches page shows the dossier.
            _login(page, server, "operator")
            page.wait_for_url(f"{server}/documents")
            page.goto(f"{server}/upload")
            # Drag and drop: the dropped files land in the form, with their names listed.
            page.evaluate(DROP_FILE)
            page.wait_for_function(
                "document.getElementById('chosen').innerText.includes('giấy khai sinh.pdf')"
            )
            assert page.evaluate("document.getElementById('files').files.length") == 1
            page.reload()
            page.set_input_files("#folder", str(dossier))
            assert "HS-Nguyễn Thị Ánh/dossier.json" in page.inner_text("#chosen")
            _shot(page, "upload")
            page.click("#upload")
            page.wait_for_selector(
                '#job-state[data-state="done"], #job-state[data-state="failed"]', timeout=300_000
            )
            assert page.get_attribute("#job-state", "data-state") == "done", page.inner_text("main")
            assert "manifest.jsonl" in page.inner_text(
                "#refused"
            )  # the generator's ground truth is not a document
            assert len(page.query_selector_all("#processed tr")) == 2
            page.click("#to-batches")
            page.wait_for_selector("#dossiers")
            row = page.inner_text('tr[data-dossier="H31.01.05-261122-0901"]')
            assert "Đăng ký khai sinh" in row and "Nguyễn Thị Ánh" in row
            assert due.isoformat() in row and "quá hạn" not in row
            _shot(page, "batches")

            _login(page, server, "officer")
            page.wait_for_url(f"{server}/documents")
            assert "Chờ kiểm tra" in page.content()
            _shot(page, "queue")

            page.goto(f"{server}/documents/{doc}")
            page.wait_for_selector("figure.page img")
            page.wait_for_function("document.querySelector('figure.page img').naturalWidth > 0")
            page.fill("#f-mother_name", "NGUYỄN THỊ ÁNH")
            page.fill("#reason", "đối chiếu bản gốc")
            page.focus("#f-date_of_birth")
            _shot(page, "review")
            page.click("#save")
            page.wait_for_selector("#history")
            assert page.input_value("#f-mother_name") == "NGUYỄN THỊ ÁNH"

            _login(page, server, "signer")
            page.goto(f"{server}/documents/{doc}")
            page.click("#approve")
            page.wait_for_selector("#archived")
            assert "đã lưu trữ" in page.inner_text("#doc-status")
            _shot(page, "archived")
            signed = page.request.get(f"{server}/documents/{doc}/signed.pdf")
            assert signed.ok
            pdf = tmp_path / "signed.pdf"
            pdf.write_bytes(signed.body())

            _login(page, server, "auditor")
            page.goto(f"{server}/verify")
            page.set_input_files("#verify-file", str(pdf))
            page.click("#verify")
            page.wait_for_selector("#report")
            assert page.inner_text("#verdict") == "ĐẠT"
            assert doc in page.inner_text("#archive-match")
            _shot(page, "verify")
        finally:
            browser.close()
    for png in SHOTS.glob("*.png"):
        assert png.stat().st_size < 150_000, png
