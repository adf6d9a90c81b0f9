"""The digit-only re-read of numeric fields that fail validation, on real pages read by real Tesseract.

A citizen ID card is rendered by the sample generator; the top of one digit of its number is painted over so
that the page's OCR reads it as '/'. The number then fails validation, and the re-read of its box (digits
only) gives it back.
"""

import io
import random
from dataclasses import dataclass

import pytest
from PIL import Image, ImageDraw

from extractors.fields import extract_fields
from extractors.fields.retry import REREAD_NOTE, REREAD_UNVERIFIED, _agrees
from extractors.reread import DIGITS, Rereader
from pipelines.model import PageText, Word
from pipelines.read import read_pages
from sohoa.samples import render_pages
from sohoa.samples.content import citizen_id

NAME = "cccd.png"


@dataclass
class Card:
    truth: dict[str, str]
    data: bytes
    pages: list[PageText]


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", dpi=(300, 300))
    return buf.getvalue()


def _card(truth: dict[str, str]) -> tuple[Image.Image, Card]:
    image = render_pages("citizen_id", truth, rng=random.Random(1), layout=0)[0]
    data = _png(image)
    return image, Card(truth, data, read_pages(data, NAME))


@pytest.fixture(scope="module")
def clean() -> tuple[Image.Image, Card]:
    return _card(citizen_id(random.Random(5)))


@pytest.fixture(scope="module")
def damaged(clean: tuple[Image.Image, Card]) -> Card:
    """The same card with the top half of the 6th digit of its number painted over."""
    image, card = clean
    number = card.truth["personal_id"]
    word = next(w for w in card.pages[0].words if w.text.endswith(number))
    x0, y0, x1, y1 = word.bbox
    width = (x1 - x0) / len(word.text)  # the card prints the number in a monospaced-looking bold face
    i = len(word.text) - len(number) + 5
    damaged = image.copy()
    ImageDraw.Draw(damaged).rectangle(
        [x0 + i * width, y0 - 2, x0 + (i + 1) * width, y0 + 0.45 * (y1 - y0)], fill="white"
    )
    data = _png(damaged)
    return Card(card.truth, data, read_pages(data, NAME))


@pytest.mark.slow
def test_a_damaged_digit_is_read_again_digits_only(damaged: Card) -> None:
    truth = damaged.truth["personal_id"]
    first = extract_fields("citizen_id", damaged.pages)["personal_id"]
    assert first.value != truth and first.problems  # the first reading fails validation, never confident
    reader = Rereader(damaged.data, NAME)
    field = extract_fields("citizen_id", damaged.pages, reread=reader)["personal_id"]
    assert reader.count >= 1
    assert field.value == truth
    assert field.valid
    assert REREAD_NOTE in field.raw and first.raw in field.raw  # the provenance says it was re-read
    # One reading of a damaged spot: right here, but a person confirms it (no check digit on an ID).
    assert field.confidence <= REREAD_UNVERIFIED


@pytest.mark.slow
def test_the_rereader_reads_a_box_where_the_ocr_saw_it(clean: tuple[Image.Image, Card]) -> None:
    _, card = clean
    dob = card.truth["date_of_birth"]  # ISO; the card prints dd/mm/yyyy
    printed = "/".join(reversed(dob.split("-")))
    page = card.pages[0]
    word = next(w for w in page.words if w.text.endswith(printed))
    reading = Rereader(card.data, NAME).read(page, word.bbox, DIGITS + "/")
    assert reading is not None
    assert reading.text.endswith(printed)


@pytest.mark.slow
def test_a_value_the_reread_cannot_make_valid_stays_invalid() -> None:
    truth = citizen_id(random.Random(5))
    number = truth["personal_id"]
    # The card's number says born in another year than its date of birth: re-reading it cannot help.
    truth["personal_id"] = number[:4] + f"{(int(number[4:6]) + 3) % 100:02d}" + number[6:]
    _, card = _card(truth)
    reader = Rereader(card.data, NAME)
    field = extract_fields("citizen_id", card.pages, reread=reader)["personal_id"]
    assert reader.count >= 1
    assert field.value == truth["personal_id"]
    assert any("birth year" in p for p in field.problems)
    assert any(REREAD_NOTE in p for p in field.problems)
    assert field.confidence < 0.8


def test_a_text_layer_page_is_never_reread() -> None:
    page = PageText(
        index=0,
        width=595,
        height=842,
        dpi=72,
        source="text_layer",
        words=[Word("001303001234", 1.0, (100, 100, 200, 112), 0)],
        text="001303001234",
        mean_confidence=1.0,
    )
    assert Rereader(b"%PDF-1.7 not read", "x.pdf").read(page, (100, 100, 200, 112)) is None


def test_a_second_reading_agrees_when_it_only_fills_in_what_was_not_a_digit() -> None:
    assert _agrees("038182/66701", "038182766701")
    assert _agrees("O38182766701", "038182766701")  # look-alikes count as the digits they stand for
    assert not _agrees("0381823/66701", "038182966701")  # a '3' the first reading saw became a '9'
    assert not _agrees("038182766701", "038182766781")
