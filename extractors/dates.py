"""Dates as Vietnamese papers print them, to ISO ``YYYY-MM-DD``.

Understood: ``15/03/2024``, ``15-3-2024``, ``15.03.2024``, ``15 / 03 / 2024``, ``ngày 15 tháng 3 năm 2024``
(also ``15 tháng 03 năm 2024`` and the diacritic-less ``ngay 15 thang 3 nam 2024``). OCR look-alikes inside
the digits are fixed first; impossible dates (``31/02/2024``) are not dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from extractors.normalize import fix_digits_in_text, fold

_NUMERIC_RE = re.compile(r"(?<!\d)(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4})(?!\d)")
_WORDS_RE = re.compile(r"(?:ngay\s*)?(?<!\d)(\d{1,2})\s*,?\s*thang\s*(\d{1,2})\s*,?\s*nam\s*(\d{4})(?!\d)")


@dataclass(frozen=True)
class FoundDate:
    iso: str
    start: int  # character offsets in the text that was searched
    end: int


def _iso(day: str, month: str, year: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def find_dates(text: str) -> list[FoundDate]:
    """Every well-formed date in ``text``, in order of appearance."""
    fixed = fix_digits_in_text(text)
    folded = fold(fixed)
    # fold() keeps one character per character of NFC text except for combining marks; offsets below refer
    # to the folded text, which is what callers use for ordering only.
    found: list[FoundDate] = []
    for m in _NUMERIC_RE.finditer(folded):
        iso = _iso(m.group(1), m.group(3), m.group(4))
        if iso:
            found.append(FoundDate(iso, m.start(), m.end()))
    for m in _WORDS_RE.finditer(folded):
        iso = _iso(m.group(1), m.group(2), m.group(3))
        if iso and not any(f.start <= m.start() < f.end for f in found):
            found.append(FoundDate(iso, m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ISO ``YYYY-MM-DD``, or None."""
    found = find_dates(text)
    return found[0].iso if found else None
