"""The one diacritic- and case-insensitive fold used for matching names and searching text.

``fold("Nguyễn Thị Ánh") == "nguyen thi anh"``; ``đ``/``Đ`` become ``d``. Every character folds to exactly
one character (or is kept), so positions in the folded text are positions in the original NFC text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    if c in "đĐ":
        return "d"
    base = "".join(ch for ch in unicodedata.normalize("NFD", c) if not unicodedata.combining(ch))
    low = (base or c).lower()
    return low[0] if low else c


def fold(text: str | None) -> str:
    """Lower-case, accents removed, ``đ`` -> ``d``; same length as the NFC form of ``text``."""
    if not text:
        return ""
    return "".join(_fold_char(c) for c in unicodedata.normalize("NFC", text))


def fold_key(text: str | None) -> str:
    """``fold`` with whitespace collapsed and trimmed: the key two spellings of one name share."""
    return _SPACES.sub(" ", fold(text)).strip()
