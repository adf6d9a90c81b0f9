"""The scanning room's batch report: console text and a printable PDF with Vietnamese text."""

from __future__ import annotations

import pypdfium2 as pdfium

from pipelines.batch_report import batch_report_pdf, batch_report_text
from pipelines.inventory import Inventory, InventoryEntry, reconcile

REPORT = {
    "batch_id": "lo-2024-07",
    "source": "hop-01.pdf",
    "started_at": "2024-07-01T08:00:00+07:00",
    "finished_at": "2024-07-01T08:30:00+07:00",
    "documents": [
        {
            "source": "hop-01.pdf#HS-1/1",
            "dossier_code": "HS-1",
            "status": "archived",
            "pages": 2,
            "to_rescan": [],
        },
        {
            "source": "hop-01.pdf#HS-1/2",
            "dossier_code": "HS-1",
            "status": "review",
            "pages": 1,
            "to_rescan": ["page 1 is hard to read (OCR confidence 41 %, below 60 %)"],
            "rescan_as": "H31.01.05-241105-0001/001-hop.p2-2.rescan-p1.pdf",
        },
        {
            "source": "hop-01.pdf#HS-3/1",
            "dossier_code": "HS-3",
            "status": "archived",
            "pages": 1,
            "to_rescan": [],
        },
    ],
    "summary": {"documents": 3, "pages": 4},
    "flags": ["page 9: a large square code on a white page (a separator sheet?) that cannot be read"],
}


def _recon():
    inv = Inventory(
        [
            InventoryEntry("HS-1", "Hồ sơ đăng ký khai sinh Nguyễn Thị Ánh", expected=3),
            InventoryEntry("HS-2", "Quyết định khen thưởng", expected=5),
        ]
    )
    return reconcile(inv, {"HS-1": 3, "HS-3": 1})


def test_text_report_lists_rescans_reconciliation_and_flags() -> None:
    text = batch_report_text(REPORT, _recon())
    assert "HS-2: in the inventory (5 sheets) but not in the scan" in text
    assert "HS-3: scanned (1 sheets) but not in the inventory" in text
    assert "rescan: page 1 is hard to read" in text
    assert "scan as H31.01.05-241105-0001/001-hop.p2-2.rescan-p1.pdf" in text
    assert "page 9: a large square code" in text
    assert "Pages to rescan: 1" in text
    assert batch_report_text(REPORT, None).startswith("Batch lo-2024-07")


def test_pdf_report_renders_vietnamese_and_a_signature_line() -> None:
    pdf = batch_report_pdf(REPORT, _recon())
    doc = pdfium.PdfDocument(pdf)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "BÁO CÁO LÔ SỐ HÓA" in text
    assert "Trưởng nhóm số hóa (ký, ghi rõ họ tên)" in text
    assert "HS-2: in the inventory" in text
    assert "page 1 is hard to read" in text
