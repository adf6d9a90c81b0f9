"""End to end in headless Chromium (Debian's, driven by Playwright; no browser download): sign in, review,
correct a field, approve as signer, see it archived, verify it as auditor. With SOHOA_SCREENSHOTS=1 it
refreshes the README's docs/screenshots/*.png; otherwise the screenshots go to the test's tmp folder."""

from __future__ import annotations

import io
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
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
def server(web_app) -> Iterator[str]:  # noqa: ANN001
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(web_app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
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


@pytest.mark.slow
def test_review_approve_verify_in_chromium(server, web_runtime, review_docs, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    doc = seed_review_document(web_runtime, "browser")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.goto(f"{server}/login")
            assert "Đăng nhập" in page.content()
            _shot(page, "login")

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
