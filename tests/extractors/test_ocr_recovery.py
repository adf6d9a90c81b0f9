"""Lines Tesseract's page layout drops are found and read again; noise lines are left out (real Tesseract)."""

from __future__ import annotations

import io
import json
import unicodedata
from pathlib import Path

import pdfplumber
from PIL import ImageDraw

from extractors.img_missed_lines import missed_lines
from extractors.ocr import add_trailing_dots, drop_noise_lines, ocr_page
from extractors.ocr_eval import char_errors, reading_order_text
from extractors.pages import open_document
from pipelines.model import Word
from sohoa.samples import generate_dataset
from tests.extractors.test_pages import VIETNAMESE_LINES, render_text_page


def _word(text: str, line: int, confidence: float, x: int = 100) -> Word:
    return Word(text=text, confidence=confidence, bbox=(x, 100 * line, x + 80, 100 * line + 40), line=line)


def test_a_line_without_recognised_words_is_found_and_dot_leaders_and_rules_are_not() -> None:
    page = render_text_page(VIETNAMESE_LINES, dpi=300)
    draw = ImageDraw.Draw(page)
    draw.line((300, 3000, 2000, 3000), fill=(0, 0, 0), width=3)  # a rule
    for x in range(300, 2000, 25):  # a dot leader on its own
        draw.ellipse((x, 3200, x + 5, 3205), fill=(0, 0, 0))
    first = ocr_page(page, index=0, dpi=300, recover=False)
    lines = first.lines()
    kept = [w for line in lines if line is not lines[2] for w in line]  # as if line 3 had been dropped
    strips = missed_lines(page, 300, [w.bbox for w in kept])
    assert len(strips) == 1
    left, top, right, bottom = strips[0].box
    dropped = lines[2]
    assert top <= min(w.bbox[1] for w in dropped) and bottom >= max(w.bbox[3] for w in dropped)
    assert left <= min(w.bbox[0] for w in dropped) and right >= max(w.bbox[2] for w in dropped)
    assert missed_lines(page, 300, [w.bbox for w in first.words]) == []


def test_noise_lines_are_left_out_and_unsure_vietnamese_and_dot_leaders_kept() -> None:
    words = [
        _word("Nguyễn", 0, 0.95),
        _word("—==—.ccoa,g", 1, 0.31),
        _word("@ØW%", 2, 0.40),
        _word("Quyết", 3, 0.45),  # unsure but a word
        _word("định……", 3, 0.50),
        _word("Bản", 4, 0.55),
        _word("thân..........", 4, 0.40),
        _word("DỤ", 5, 0.36),  # the dark edge of a scanner lid
        _word("MMWWWWWWWWWWWWWWW", 5, 0.42),
    ]
    kept = drop_noise_lines(words)
    assert [(w.text, w.line) for w in kept] == [
        ("Nguyễn", 0),
        ("Quyết", 1),
        ("định……", 1),
        ("Bản", 2),
        ("thân..........", 2),
    ]


def test_a_page_number_left_out_by_the_page_layout_is_read_and_searchable(tmp_path: Path) -> None:
    """Tesseract's layout (psm 3) leaves out the lone page number "2" of this generated certificate."""
    generate_dataset(tmp_path, n=3, seed=5, types=["land_use_certificate"], degrade="clean")
    entry = json.loads((tmp_path / "manifest.jsonl").read_text(encoding="utf-8").splitlines()[2])
    with open_document((tmp_path / entry["file"]).read_bytes(), entry["file"]) as document:
        page_input = list(document.pages())[1]
    assert page_input.image is not None
    truth = entry["texts"][1]
    plain = ocr_page(page_input.image, index=1, dpi=page_input.dpi, recover=False)
    page = ocr_page(page_input.image, index=1, dpi=page_input.dpi)
    assert truth.splitlines()[0] == "2"
    assert plain.text.splitlines()[0] != "2"  # what this test is about: psm 3 leaves it out
    assert page.text.splitlines()[0] == "2"  # recovered, and first in reading order
    assert char_errors(truth, reading_order_text(page))[0] < char_errors(truth, reading_order_text(plain))[0]
    assert [w.line for w in page.words] == sorted(w.line for w in page.words)
    number = page.lines()[0][0]
    assert number.bbox[1] < page.height / 8 and 0.4 < number.bbox[0] / page.width < 0.6  # top centre
    assert page.pdf is not None
    with pdfplumber.open(io.BytesIO(page.pdf)) as pdf:
        hidden = unicodedata.normalize("NFC", pdf.pages[0].extract_text())
        assert len(pdf.pages) == 1 and abs(pdf.pages[0].width - 595.3) < 2
    assert hidden.splitlines()[0].strip() == "2"  # searchable in the archive copy too


def test_a_dot_leader_cut_off_a_line_is_given_back_with_its_dots_counted() -> None:
    page = render_text_page(["Nơi cư trú: Thừa Thiên Huế", "Quan hệ với người được cấp: Bản thân"], dpi=300)
    words = ocr_page(page, index=0, dpi=300).words
    first = [w for w in words if w.line == 0]
    right, bottom = max(w.bbox[2] for w in first), max(w.bbox[3] for w in first if w.text != "Huế")
    draw = ImageDraw.Draw(page)
    for i in range(14):  # "Huế ..............": 14 full stops on the baseline, 1 mm apart
        x = right + 20 + 12 * i
        draw.rectangle((x, bottom - 5, x + 4, bottom - 1), fill=(0, 0, 0))
    with_dots = add_trailing_dots(page, 300, list(words))
    added = [w for w in with_dots if w not in words]
    assert [(w.text, w.line) for w in added] == [("." * 14, 0)]
    assert with_dots.index(added[0]) == len(first)  # right after the line's last word
    assert add_trailing_dots(page, 300, added) == added  # no line of text: nothing more
