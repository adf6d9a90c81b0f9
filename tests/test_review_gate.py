"""The review gate: what sends a document to a person, whatever the review threshold is set to."""

from __future__ import annotations

from extractors.fields.retry import REREAD_NOTE, REREAD_UNVERIFIED
from pipelines.model import Classification, Field, PageText, Word
from pipelines.review import review_reasons


def _page() -> PageText:
    word = Word(text="Nguyễn", bbox=(10, 10, 90, 30), confidence=0.95, line=0)
    return PageText(
        index=0,
        width=100,
        height=100,
        dpi=300,
        source="ocr",
        words=[word],
        text="Nguyễn",
        mean_confidence=0.95,
    )


def _fields(confidence: float, raw: str) -> dict[str, Field]:
    return {
        "personal_id": Field("personal_id", "001090012345", confidence, raw=raw),
        "full_name": Field("full_name", "Nguyễn Thị Ánh", 0.95, raw="NGUYỄN THỊ ÁNH"),
        "date_of_birth": Field("date_of_birth", "1990-03-15", 0.95, raw="15/03/1990"),
    }


def test_a_digit_only_re_read_is_confirmed_by_a_person_even_under_a_lower_threshold() -> None:
    cls = Classification("citizen_id", 0.97)
    reread = _fields(REREAD_UNVERIFIED, f"001090012345 [{REREAD_NOTE}; first read '00109OO12345']")
    for threshold in (0.8, 0.5):
        reasons = review_reasons(cls, reread, [_page()], threshold=threshold)
        assert any(r.startswith("personal_id:") for r in reasons), (threshold, reasons)
        assert all("001090012345" not in r for r in reasons)  # reasons never carry the ID itself
    read_once = _fields(0.95, "001090012345")
    assert review_reasons(cls, read_once, [_page()], threshold=0.5) == []
