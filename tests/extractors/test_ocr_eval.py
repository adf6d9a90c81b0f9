"""Character accuracy: the measure itself, and the evaluation of a generated data set with real Tesseract."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from extractors.ocr_eval import char_accuracy, char_errors, evaluate_ocr, reading_order_text
from pipelines.errors import BadInputError
from pipelines.model import PageText, Word
from sohoa.samples import generate_dataset


def test_accuracy_is_one_minus_edits_over_truth_length_in_nfc() -> None:
    truth = "Nguyễn Thị Ánh"
    assert char_accuracy(truth, unicodedata.normalize("NFD", truth)) == 1.0
    assert char_errors(truth, "Nguyên Thị Ánh") == (1, 14)  # one wrong diacritic is one error
    assert char_accuracy("Quyết  định\nsố 15", "Quyết định số 15") == 1.0  # white space runs are one space
    assert char_accuracy("abc", "") == 0.0 and char_accuracy("", "") == 1.0
    assert char_accuracy("ab", "xxxxxxxx") == 0.0  # floored


def test_reading_order_puts_side_by_side_columns_on_one_line() -> None:
    def w(text: str, x: int, y: int, line: int) -> Word:
        return Word(text=text, confidence=0.9, bbox=(x, y, x + 80, y + 40), line=line)

    words = [w("CỘNG", 1200, 100, 0), w("HÒA", 1300, 100, 0), w("ỦY", 100, 104, 1), w("BAN", 200, 104, 1)]
    words += [w("Quyết", 100, 300, 2), w("định", 200, 302, 2)]
    page = PageText(0, 2480, 3508, 300, "ocr", words, "", 0.9)
    assert reading_order_text(page) == "ỦY BAN CỘNG HÒA\nQuyết định"


def test_data_set_without_page_texts_is_refused(tmp_path: Path) -> None:
    (tmp_path / "manifest.jsonl").write_text('{"file": "a.png"}\n', encoding="utf-8")
    with pytest.raises(BadInputError, match="page texts"):
        evaluate_ocr(tmp_path)


@pytest.fixture(scope="module")
def clean_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ocr-eval")
    generate_dataset(out, n=1, seed=5, types=["dossier_receipt"], degrade="clean", layouts="standard")
    return out


def test_evaluation_of_a_clean_page_reports_per_page_and_overall(clean_set: Path) -> None:
    report = evaluate_ocr(clean_set, workers=1)
    assert len(report.pages) == 1
    page = report.pages[0]
    assert page.file.endswith((".png", ".tif")) and page.page == 1 and page.source == "ocr"
    assert page.chars > 500 and report.accuracy >= 0.98
    data = report.to_dict()
    assert data["overall"]["pages"] == 1 and data["overall"]["accuracy"] == round(report.accuracy, 5)
    assert data["pages"][0]["file"] == page.file
    text = report.to_text()
    assert page.file in text and "character accuracy" in text
