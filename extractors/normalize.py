"""Vietnamese text normalisation: NFC for stored values, folding for matching only.

``fold`` removes diacritics and maps ``đ`` to ``d``: it is a *matching key* (labels, titles, search)
and is never stored as a value.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE_RE = re.compile(r"\s+")
# Leading/trailing characters that are not part of a value: punctuation, dot leaders, dashes, brackets.
_EDGE_PUNCT = " \t\n\r.,;:!?-–—_/\\|*•·…\"'“”‘’()[]{}<>"
# OCR of scanned text occasionally yields characters that are look-alikes of Vietnamese letters.
_TRANSLATE = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u200b": "", "\ufeff": "", "\u0110": "Đ"})
# Letters commonly misread as digits inside a number (only applied to tokens that are mostly digits).
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "S": "5", "B": "8"})
_DIGITISH_RE = re.compile(r"^[0-9OoIl|SB]+$")
# A run of digits and look-alikes that is not part of a longer word.
_DIGIT_RUN_RE = re.compile(r"(?<![^\W\d_])[0-9OoIl|SB]+(?![^\W\d_])")


def nfc(text: str) -> str:
    """The NFC form of ``text`` (both ``HÒA`` and ``HOÀ`` spellings stay as typed, composed)."""
    return unicodedata.normalize("NFC", text)


def clean_text(text: str) -> str:
    """NFC, whitespace collapsed, leading and trailing punctuation stripped (the spec "text" convention)."""
    out = _SPACE_RE.sub(" ", nfc(text).translate(_TRANSLATE)).strip(_EDGE_PUNCT)
    # A closing bracket that belongs to the value ("Quận 1 (cũ)") is kept when it is balanced.
    if out and out.count("(") > out.count(")") and text.rstrip(_EDGE_PUNCT.replace(")", "")).endswith(")"):
        out += ")"
    return out


def fold(text: str) -> str:
    """Lower case, diacritics removed, ``đ`` -> ``d``: a key for matching labels and searching."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def fold_words(text: str) -> list[str]:
    """Folded alphanumeric words of ``text``, punctuation dropped: ``"Họ, chữ đệm và tên:"`` ->
    ``["ho", "chu", "dem", "va", "ten"]``."""
    return re.findall(r"[a-z0-9]+", fold(text))


def fix_digits(token: str) -> str:
    """Replace letters misread for digits (O->0, I/l->1, S->5, B->8) in a token that is a digit string.

    A token qualifies when it consists only of digits and look-alikes and at least half of it is real digits,
    so words such as ``SO`` or ``BIS`` are left alone.
    """
    if not token or not _DIGITISH_RE.match(token):
        return token
    digits = sum(c.isdigit() for c in token)
    if digits * 2 < len(token):
        return token
    return token.translate(_DIGIT_LOOKALIKES)


def fix_digits_in_text(text: str) -> str:
    """``fix_digits`` applied to every run of digits and look-alikes between separators."""
    return _DIGIT_RUN_RE.sub(lambda m: fix_digits(m.group(0)), text)
