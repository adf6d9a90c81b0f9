"""Evaluation reports: scoring against a manifest, and a real run over generated files read by Tesseract."""

import json
from pathlib import Path

import pytest

from extractors.evaluation import ManifestEntry, evaluate, evaluate_pages, read_manifest, same_value
from pipelines.errors import BadInputError
from sohoa.samples import generate_dataset
from tests.extractors.textpages import DOCUMENTS, page_from_lines

RECEIPT_TRUTH = {
    "dossier_code": "H31.01.05-240315-0042",
    "applicant_name": "Nguyễn Thị Ánh",
    "applicant_id": "079303001234",
    "procedure_name": "Đăng ký khai sinh",
    "received_date": "2024-03-15",
    "due_date": "2024-03-20",
    "receiving_unit": "Trung tâm Phục vụ hành chính công Thành phố Hồ Chí Minh",
}


def test_values_compare_by_the_spec_conventions() -> None:
    assert same_value("full_name", "Nguyễn Thị Ánh", "NGUYỄN  THỊ ÁNH.")
    assert same_value("personal_id", "079303001234", "0793 0300 1234")
    assert not same_value("full_name", "Nguyễn Thị Ánh", "Nguyễn Thị Anh")


def test_scores_types_fields_and_confident_precision() -> None:
    receipt = page_from_lines(DOCUMENTS["dossier_receipt"])
    wrong = dict(RECEIPT_TRUTH, due_date="2024-03-21", procedure_name="Đăng ký kết hôn")
    items = [
        (ManifestEntry("a.png", "dossier_receipt", RECEIPT_TRUTH), [receipt]),
        (ManifestEntry("b.png", "dossier_receipt", wrong), [receipt]),
        (ManifestEntry("c.png", "decision", {"document_number": "12/QĐ-UBND"}), [receipt]),
        (ManifestEntry("d.png", "decision", {}), BadInputError("encrypted PDF: a password is needed")),
    ]
    report = evaluate_pages("unit", items)
    assert report.type_accuracy == 0.5
    per_type = report.per_type()
    n, typed, counts = per_type["dossier_receipt"]
    assert (n, typed, counts.expected, counts.correct) == (2, 2, 14, 12)
    assert counts.precision == pytest.approx(12 / 14)
    assert counts.confident_precision < 1.0  # the two wrong values were read confidently (truth was wrong)
    worst = report.worst_misses()
    assert {m.key for m in worst[:2]} == {"due_date", "procedure_name"}
    data = report.to_dict()
    json.dumps(data, ensure_ascii=False)
    assert data["errors"] == [{"file": "d.png", "error": "encrypted PDF: a password is needed"}]
    text = report.to_text()
    assert "dossier_receipt" in text and "Type accuracy 50.0%" in text and "encrypted PDF" in text


def test_a_folder_without_a_manifest_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="manifest"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.jsonl").write_text('{"file": "a.png"}\n', encoding="utf-8")
    with pytest.raises(BadInputError, match="line 1"):
        read_manifest(tmp_path)


@pytest.mark.slow
def test_evaluate_reads_generated_files_with_the_real_pipeline(tmp_path: Path) -> None:
    generate_dataset(
        tmp_path, n=2, seed=3, types=["dossier_receipt", "business_registration"], degrade="clean"
    )
    report = evaluate(tmp_path, workers=2)
    assert len(report.documents) == 2 and not any(d.error for d in report.documents)
    assert report.type_accuracy == 1.0
    total = report.total()
    assert total.f1 >= 0.8, report.to_text()
    assert total.confident_precision >= 0.9, report.to_text()
