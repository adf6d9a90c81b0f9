"""Lines Tesseract's page layout drops are found and read again; noise lines are left out (real Tesseract)."""

from __future__ import annotations

import io
import json
import random
import unicodedata
from pathlib import Path

import pdfplumber
from PIL import ImageDraw, ImageFont

from extractors.img_missed_lines import erase_leaders, find_leaders, missed_lines
from extractors.ocr import (
    _take_marks,
    add_trailing_dots,
    drop_noise_lines,
    drop_noise_words,
    ocr_page,
    read_page,
)
from extractors.ocr_eval import char_errors, reading_order_text
from extractors.pages import PageInput, open_document
from extractors.prepare import find_seal_rings, prepare_page
from pipelines.model import Word
from sohoa.samples import generate_dataset
from tests.extractors.test_pages import FONT, VIETNAMESE_LINES, render_text_page


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


def test_dot_leaders_are_read_apart_and_given_back_with_their_dots_and_space() -> None:
    """Tesseract loses the space before a leader and miscounts its dots; sohoa reads the page without them."""
    lines = [
        "Nơi cư trú: Thừa Thiên Huế ..........",
        "Số:............",
        "Quyết định... chỉ đạo",
        "Họ tên:........ ngày ......",
    ]
    page = render_text_page(lines, dpi=300)
    draw = ImageDraw.Draw(page)
    for x in range(400, 700, 5):  # specks of scanner noise in a row, too small and too close for dots
        draw.point((x, 2000), fill=(0, 0, 0))
    leaders = find_leaders(page, 300)
    assert sorted(leader.count for leader in leaders) == [6, 8, 10, 12]  # "..." is an ellipsis, text
    assert all(leader.blank < leader.pitch for leader in leaders)
    erased = erase_leaders(page, leaders)
    assert find_leaders(erased, 300) == []
    left, top, right, bottom = leaders[0].box
    assert min(erased.crop((left, top, right, bottom)).getdata()) > 200  # painted over in paper white
    text = ocr_page(page, index=0, dpi=300).text
    assert text.splitlines() == lines


def test_a_name_printed_across_a_grey_seal_is_read_and_the_seal_text_is_not() -> None:
    """A black-and-white copy: the grey seal's ring crosses the signer's name (Tesseract drops the line)."""
    page = render_text_page(["CHỦ TỊCH", "", "", "", "Phan Hoài Loan"], dpi=300)
    draw = ImageDraw.Draw(page)
    name_top = 300 + 4 * round(14 * 1.8 * 300 / 72) + 12  # the name's cap height starts here
    cx, cy, r = 420, name_top - 178, 183  # a 31 mm seal whose ring runs through the tops of "Ph"
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(90, 90, 90), width=8)
    draw.ellipse((cx - 130, cy - 130, cx + 130, cy + 130), outline=(90, 90, 90), width=5)
    font = ImageFont.truetype(FONT, 40)
    draw.text((cx - 90, cy - 20), "UBND XÃ", font=font, fill=(90, 90, 90))
    rings = find_seal_rings(page.convert("L"), 300)
    assert len(rings) == 2 and abs(rings[0][2] - r) < 8  # the outer ring, and the inner one
    prepared = prepare_page(page, 300)
    assert "seal ring lifted for OCR" in prepared.notes
    text = read_page(PageInput(index=0, image=page, dpi=300)).text
    assert text.splitlines() == ["CHỦ TỊCH", "Phan Hoài Loan"]


def test_a_word_read_twice_and_a_stray_mark_are_left_out() -> None:
    words = [
        Word("Số:", 0.97, (650, 294, 712, 332), 0),
        Word("269", 0.97, (732, 296, 806, 332), 0),
        Word("°", 0.31, (678, 306, 700, 332), 1),  # the mark of "ố" read again as a word of its own
        Word("GIẤY", 0.86, (964, 594, 1137, 688), 2),
        Word("NHẬN", 0.86, (1161, 593, 1688, 688), 2),
        Word(".", 0.44, (1897, 682, 1906, 688), 2),  # a mark of the next line's letters
        Word("-", 0.93, (1176, 748, 1190, 755), 3),  # a dash between words is text
        Word("Độc", 0.96, (962, 724, 1061, 777), 3),
        Word("lập", 0.93, (1200, 724, 1258, 779), 3),
        Word("này.", 0.97, (962, 824, 1061, 877), 4),
    ]
    kept = drop_noise_words(words)
    assert [(w.text, w.line) for w in kept] == [
        ("Số:", 0),
        ("269", 0),
        ("GIẤY", 1),
        ("NHẬN", 1),
        ("-", 2),
        ("Độc", 2),
        ("lập", 2),
        ("này.", 3),
    ]


def test_a_mark_cut_off_a_capital_is_taken_from_the_second_reading_only() -> None:
    def word() -> Word:
        return Word("NGUYÊN", 0.9, (100, 100, 300, 150), 4)

    first = word()
    _take_marks(first, [Word("NGUYỄN", 0.8, (2, 10, 200, 60), 0)])
    assert (first.text, first.line, first.bbox) == ("NGUYỄN", 4, (100, 100, 300, 150))
    for reading in (
        [Word("NGUYỆT", 0.9, (2, 10, 200, 60), 0)],  # other letters
        [Word("NGUYEN", 0.9, (2, 10, 200, 60), 0)],  # fewer marks
        [Word("NGUY", 0.9, (2, 10, 90, 60), 0), Word("ỄN", 0.9, (100, 10, 200, 60), 0)],  # two words
        [],
    ):
        other = word()
        _take_marks(other, reading)
        assert other.text == "NGUYÊN"


def test_square_metres_are_given_back_only_where_the_two_is_raised() -> None:
    """Tesseract vie has no "²": "m²" reads "m2"; a "m2" printed on the line stays "m2"."""
    page = render_text_page(
        ["Diện tích: 105,5 m² (Bằng chữ: Một trăm)", "Tổng diện tích sàn: 309,3 m2 đã ghi"]
    )
    assert ocr_page(page, index=0, dpi=300).text.splitlines() == [
        "Diện tích: 105,5 m² (Bằng chữ: Một trăm)",
        "Tổng diện tích sàn: 309,3 m2 đã ghi",
    ]


def test_a_qr_code_is_not_read_as_letters() -> None:
    page = render_text_page(["Độc lập - Tự do - Hạnh phúc"])
    draw = ImageDraw.Draw(page)
    rng = random.Random(1)
    for i in range(25):  # a 21 mm QR code beside the heading
        for j in range(25):
            if rng.random() < 0.5:
                draw.rectangle((300 + 10 * j, 1200 + 10 * i, 309 + 10 * j, 1209 + 10 * i), fill=(20, 20, 20))
    draw.text(
        (700, 1300), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", fill=(0, 0, 0), font=ImageFont.truetype(FONT, 58)
    )
    assert "picture lifted for OCR" in prepare_page(page, 300).notes
    text = read_page(PageInput(index=0, image=page, dpi=300)).text
    assert text.splitlines() == ["Độc lập - Tự do - Hạnh phúc", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
