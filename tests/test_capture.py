"""A scanning room's stack through ``sohoa capture``: split at separator sheets, ingested, reconciled with
the inventory (one dossier not scanned, one page short), and a printable batch report."""

from __future__ import annotations

import json
import subprocess

import pdfplumber
import pytest
import sqlalchemy as sa

from sohoa.samples.stacks import generate_stack
from storage.db.database import Database
from storage.db.models import Dossier
from tests.helpers import SOHOA, cli_env, make_settings


@pytest.mark.slow
def test_capture_a_stack_with_an_inventory(tmp_path, seaweed, prefect_api):
    stack = generate_stack(seed=4, dossiers=3, docs_per_dossier=(1, 1), missing_dossier=2, missing_page=0)
    stack_pdf = tmp_path / "hop-01.pdf"
    stack_pdf.write_bytes(stack.to_pdf())
    inventory = stack.write_inventory_csv(tmp_path / "muc-luc.csv")
    settings = make_settings(tmp_path, seaweed, f"sqlite:///{tmp_path / 'capture.db'}")
    env = cli_env(settings, prefect_api)

    p = subprocess.run(
        [SOHOA, "separators", "--inventory", str(inventory), "-o", str(tmp_path / "sep.pdf")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    with pdfplumber.open(tmp_path / "sep.pdf") as pdf:
        assert len(pdf.pages) == 3

    report_path = tmp_path / "report.json"
    p = subprocess.run(
        [SOHOA, "capture", str(stack_pdf), "--inventory", str(inventory), "--report", str(report_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert p.returncode == 1, p.stdout + p.stderr  # the inventory does not match: the team must look
    report = json.loads(report_path.read_text(encoding="utf-8"))
    recon = report["reconciliation"]
    assert len(recon["missing"]) == 1 and not recon["ok"]
    assert recon["pages_short"] or any(d["difference"] for d in recon["dossiers"])
    assert len(report["split"]["dossiers"]) == 2
    assert report["documents"] and all(d["status"] in ("archived", "review") for d in report["documents"])
    assert report_path.with_suffix(".pdf").read_bytes().startswith(b"%PDF")

    # The inventory's metadata reached each captured dossier (it fills the archive package's metadata).
    rows = {r["Mã hồ sơ"]: r for r in stack.inventory_rows()}
    with Database(settings.db_url).session(readonly=True) as s:
        captured = [d for d in s.scalars(sa.select(Dossier)) if d.code in rows]
    assert len(captured) == 2
    for d in captured:
        row = rows[d.code]
        assert d.title == row["Tiêu đề hồ sơ"] and d.retention == row["Thời hạn bảo quản"]
        assert d.start_date.strftime("%d/%m/%Y") == row["Ngày bắt đầu"]
        assert d.end_date.strftime("%d/%m/%Y") == row["Ngày kết thúc"]
