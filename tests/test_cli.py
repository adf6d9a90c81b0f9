"""The CLI as a user types it: usage errors, the embedded object store's lifecycle, OCR of a file."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from storage.seaweed import find_free_port_block
from tests.helpers import SOHOA  # noqa: E402


def run(*args: str, env: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    return subprocess.run(
        [SOHOA, *args], capture_output=True, text=True, env={**base, **(env or {})}, timeout=timeout
    )


def test_usage_errors_exit_2(tmp_path):
    env = {"SOHOA_DATA_DIR": str(tmp_path)}
    assert run(env=env).returncode == 2
    assert run("frobnicate", env=env).returncode == 2
    p = run("ingest", str(tmp_path / "does-not-exist"), env=env)
    assert p.returncode == 2 and "does not exist" in p.stderr
    p = run("verify", str(tmp_path / "nothing.pdf"), env=env)
    assert p.returncode == 2


def test_services_start_status_stop(tmp_path):
    port = find_free_port_block()
    env = {
        "SOHOA_DATA_DIR": str(tmp_path),
        "SOHOA_S3_LOCAL_PORT": str(port),
        "SOHOA_PREFECT_LOCAL_PORT": str(find_free_port_block()),
    }
    try:
        p = run("services", "start", env=env)
        assert p.returncode == 0, p.stderr
        assert f"127.0.0.1:{port}" in p.stdout
        p = run("services", "status", "--json", env=env)
        st = json.loads(p.stdout)["object_store"]
        assert st["running"] is True and st["pid"]
        # A second start reuses the running server.
        p2 = run("services", "start", env=env)
        assert p2.returncode == 0
        assert (
            json.loads(run("services", "status", "--json", env=env).stdout)["object_store"]["pid"]
            == st["pid"]
        )
        # The Prefect server answers and ingest will use it.
        pf = json.loads(run("services", "status", "--json", env=env).stdout)["prefect"]
        assert pf["running"] is True and pf["api_url"].startswith("http://127.0.0.1:")
        creds = tmp_path / "seaweedfs" / "s3.json"
        assert creds.exists() and (creds.stat().st_mode & 0o077) == 0
    finally:
        p = run("services", "stop", env=env)
    assert p.returncode == 0 and "stopped" in p.stdout
    assert json.loads(run("services", "status", "--json", env=env).stdout)["object_store"]["running"] is False


def test_ocr_prints_vietnamese_text(tmp_path):
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf", 50)
    img = Image.new("RGB", (2480, 900), "white")
    d = ImageDraw.Draw(img)
    for i, line in enumerate(
        ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Quyết định", "Họ và tên: Nguyễn Thị Ánh"]
    ):
        d.text((200, 150 + i * 120), line, font=font, fill="black")
    page = tmp_path / "trang.png"
    img.save(page, dpi=(300, 300))
    p = run("ocr", str(page), env={"SOHOA_DATA_DIR": str(tmp_path)})
    assert p.returncode == 0, p.stderr
    assert "Nguyễn Thị Ánh" in p.stdout and "Quyết định" in p.stdout


@pytest.mark.parametrize("bad", ["empty.pdf"])
def test_ocr_of_a_bad_file_is_a_clear_error(tmp_path, bad):
    (tmp_path / bad).write_bytes(b"")
    p = run("ocr", str(tmp_path / bad), env={"SOHOA_DATA_DIR": str(tmp_path)})
    assert p.returncode == 1
    assert "empty file" in p.stderr and "Traceback" not in p.stderr
