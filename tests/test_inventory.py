"""Inventory import (CSV, XLSX) and reconciliation against a generated scanned stack."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from pipelines.errors import BadInputError
from pipelines.inventory import load_inventory, reconcile, retention_years
from pipelines.split import scan_page, split_stack
from sohoa.samples.stacks import generate_stack


def test_missing_dossier_and_short_page_are_caught(tmp_path) -> None:
    stack = generate_stack(seed=21, dossiers=3, docs_per_dossier=(1, 2), missing_dossier=1, missing_page=2)
    inventory = load_inventory(stack.write_inventory_csv(tmp_path / "mục lục.csv"))
    assert inventory.unit == "sheets" and len(inventory.entries) == 3
    assert inventory.entries[0].title == stack.dossiers[0].title
    pages = [scan_page(i, img, stack.dpi) for i, img in enumerate(stack.images())]
    result = split_stack(pages)
    recon = reconcile(inventory, result.captured(inventory.unit))
    assert recon.missing == [stack.dossiers[1].code]
    assert recon.short == [stack.dossiers[2].code]
    assert recon.pages_short == 1
    assert recon.unexpected == [] and not recon.ok
    assert recon.dossiers[0].status == "ok"
    assert any("1 sheets missing" in p for p in recon.problems())


def test_xlsx_with_title_row_and_english_headers(tmp_path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["MỤC LỤC HỒ SƠ — Phông UBND phường Phú Hội"])
    ws.append(["Dossier code", "Title", "Start date", "End date", "Retention", "Expected pages"])
    ws.append(
        ["HS-2024-001", "Hồ sơ khen thưởng Nguyễn Thị Ánh", "05/01/2024", "2024-03-01", "Vĩnh viễn", 12]
    )
    ws.append(["HS-2024-002", "Quyết định về việc cấp phép", None, None, "10 năm", 3])
    path = tmp_path / "inventory.xlsx"
    wb.save(path)
    inv = load_inventory(path)
    assert inv.unit == "pages"
    first = inv.entries[0]
    assert (first.code, first.start_date, first.end_date, first.expected) == (
        "HS-2024-001",
        "2024-01-05",
        "2024-03-01",
        12,
    )
    recon = reconcile(inv, {"hs-2024-001": 12, "HS-2024-009": 4})
    assert recon.missing == ["HS-2024-002"] and recon.unexpected == ["HS-2024-009"]
    assert recon.to_dict()["dossiers"][0]["status"] == "ok"


def test_bad_inventories_are_explained(tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Tiêu đề hồ sơ;Số tờ\nA;3\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="dossier code"):
        load_inventory(path)
    path.write_text("Mã hồ sơ;Số tờ\nA;ba\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="row 2"):
        load_inventory(path)
    path.write_text("Mã hồ sơ,Số tờ\nA,1\na,2\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="twice"):
        load_inventory(path)


def test_retention_access_mode_and_paper_code_are_read(tmp_path) -> None:
    path = tmp_path / "muc-luc.csv"
    path.write_text(
        "Mã hồ sơ;Tiêu đề hồ sơ;Thời hạn bảo quản;Chế độ sử dụng;Mã hồ sơ gốc giấy\n"
        "H31.01.05-250311-0043;Hồ sơ xây dựng trụ sở;Vĩnh viễn;Công khai;HS-1998/17\n"
        "H31.01.05-250311-0044;Hồ sơ cấp phép;20 năm;;\n",
        encoding="utf-8",
    )
    first, second = load_inventory(path).entries
    assert (first.retention, first.access_mode, first.original_code) == (
        "Vĩnh viễn",
        "Công khai",
        "HS-1998/17",
    )
    assert second.retention == "20 năm" and second.access_mode is None
    assert (retention_years("Vĩnh viễn"), retention_years("20 năm"), retention_years("20 years")) == (
        None,
        20,
        20,
    )

    path.write_text("Mã hồ sơ;Thời hạn bảo quản\nA;mười năm\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="row 2: retention 'mười năm' is not a period"):
        load_inventory(path)
