"""Classification and extraction on generated sample documents read by the real OCR (Tesseract vie)."""

import random
import unicodedata

import pytest

from extractors.classify import classify
from extractors.fields import extract_fields
from extractors.ocr import ocr_page
from sohoa.samples.content import sample_fields
from sohoa.samples.documents import build
from sohoa.samples.render import rasterize
from sohoa.samples.style import STANDARD


def _norm(value: str) -> str:
    return unicodedata.normalize("NFC", value).casefold()


@pytest.mark.slow
# Share of printed fields read exactly: a card's small print is harder for Tesseract than an A4 form.
@pytest.mark.parametrize(
    ("doc_type", "minimum"), [("citizen_id", 0.6), ("dossier_receipt", 0.8), ("decision", 0.7)]
)
def test_real_ocr_of_generated_documents(doc_type: str, minimum: float) -> None:
    rng = random.Random(7)
    truth = sample_fields(doc_type, rng)
    pages, printed = build(doc_type, truth, rng, 0, STANDARD)
    texts = [ocr_page(rasterize(page, 300), index=i, dpi=300) for i, page in enumerate(pages)]
    result = classify(texts)
    assert result.doc_type == doc_type and result.confidence >= 0.8
    fields = extract_fields(doc_type, texts)
    expected = {k: v for k, v in truth.items() if k in printed}
    right = [k for k, v in expected.items() if k in fields and _norm(fields[k].value) == _norm(v)]
    assert len(right) >= minimum * len(expected), {
        k: (v, fields[k].value if k in fields else None) for k, v in expected.items()
    }
