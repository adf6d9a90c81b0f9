"""Is a word a syllable Vietnamese spelling allows? Catches diacritics OCR put where none can be.

A Vietnamese syllable is an initial consonant, a vowel group and a final consonant, with at most one tone
mark, placed on a vowel of the group. Spelling rules that OCR slips break:

- one tone mark at most (``NGUYỄÑ``, ``TRẦÀN`` are misreads);
- a syllable ending in ``p``, ``t``, ``c``, ``ch`` only takes the acute or the dot below (``TẦT``, ``PHÂT``);
- ``ă``, ``â``, ``iê``, ``yê``, ``uô``, ``ươ`` need a final (``VÂ``, ``HUÔ``), ``ia``, ``ua``, ``ưa`` take none;
- a tone goes on a vowel of the group, on the one with a hat, breve or horn when there is one (``TÙÂN``).

``syllable_problem(word)`` says what is wrong in plain words, None for a well-formed syllable. Only words of
letters are checked; minority-language names (``Ksor``, ``H'Hen``) are not Vietnamese syllables and are
reported as such: callers lower confidence, they never reject a value for this.
"""

from __future__ import annotations

import unicodedata

_TONE_MARKS = {"\u0300": "grave", "\u0301": "acute", "\u0303": "tilde", "\u0309": "hook", "\u0323": "dot"}
_STOP_TONES = {"acute", "dot"}
_INITIALS = sorted(
    [
        *("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr"),
        *("b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x"),
    ],
    key=len,
    reverse=True,
)
_FINALS = ("ch", "ng", "nh", "c", "m", "n", "p", "t")
_STOP_FINALS = {"p", "t", "c", "ch", "k"}
_VOWELS = set("aăâeêioôơuưy")
_MODIFIED = set("ăâêôơư")
# Vowel groups (glides included) of Vietnamese syllables.
_GROUPS = {
    *("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"),
    *("ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "oo", "ôi"),
    *("ơi", "ua", "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi", "ươ", "ưu", "yê"),
    *("iêu", "oai", "oao", "oay", "oeo", "uây", "uôi", "uya", "uyê", "uyu", "ươi", "ươu", "yêu", "uêu"),
}
_NEED_FINAL = {"ă", "â", "oă", "uâ", "iê", "yê", "uô", "ươ", "uyê"}
_NO_FINAL = {"ia", "ua", "ưa", "uya", "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "iu", "oi", "ôi", "ơi"}
_NO_FINAL |= {"ui", "ưi", "ưu", "iêu", "oai", "oao", "oay", "oeo", "uây", "uôi", "uyu", "ươi", "ươu", "yêu"}


def _letters_and_tones(word: str) -> tuple[str, list[tuple[int, str]]]:
    """The word lower-cased without tone marks (hats, breves and horns kept), and its tone marks as
    (index of the letter carrying it, tone)."""
    letters: list[str] = []
    tones: list[tuple[int, str]] = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        tone = _TONE_MARKS.get(ch)
        if tone is not None:
            tones.append((len(letters) - 1, tone))
        elif unicodedata.combining(ch) and letters:
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + ch)
        else:
            letters.append(ch)
    return "".join(letters), tones


def _is_word(word: str) -> bool:
    return bool(word) and word[0].isalpha() and all(c.isalpha() or unicodedata.combining(c) for c in word)


def syllable_problem(word: str, *, place: bool = False) -> str | None:
    """Why ``word`` (letters only) is not a well-formed Vietnamese syllable, or None when it is.

    ``place``: a place name, where the Central Highlands' names add initial clusters and a final k
    (``Krông Búk``, ``Đắk Lắk``, ``Kon Plông``)."""
    if not _is_word(word):
        return None
    base, tones = _letters_and_tones(word)
    if len(tones) > 1:
        return "two tone marks on one syllable"
    initial = next((i for i in _INITIALS if base.startswith(i)), "")
    if place:
        cluster = len(base) - len(base.lstrip("bcdđghklmnprstvx"))
        initial = base[:cluster] if cluster > len(initial) else initial
    rest = base[len(initial) :]
    if initial == "gi" and (not rest or rest[0] not in _VOWELS):
        initial, rest = "g", base[1:]  # "gì", "gìn"
    finals = (*_FINALS, "k") if place else _FINALS
    final = next((f for f in finals if rest.endswith(f) and len(rest) > len(f)), "")
    group = rest[: len(rest) - len(final)]
    if initial == "qu" and not group:
        return "no vowel"
    if not group or any(c not in _VOWELS for c in group):
        return "not a Vietnamese syllable"
    if group not in _GROUPS:
        return f"the vowels '{group}' do not form a Vietnamese syllable"
    if final and group in _NO_FINAL:
        return f"'{group}' takes no final consonant"
    if not final and group in _NEED_FINAL:
        return f"'{group}' needs a final consonant"
    tone = tones[0] if tones else None
    if final in _STOP_FINALS and (tone is None or tone[1] not in _STOP_TONES):
        return f"a syllable ending in '{final}' takes only the acute or the dot below"
    if tone is not None:
        start = len(initial)
        at = tone[0] - start
        if not 0 <= at < len(group):
            return "a tone mark outside the vowels"
        modified = [i for i, c in enumerate(group) if c in _MODIFIED]
        if modified and at not in modified:
            return "the tone mark is not on the vowel with a hat, breve or horn"
    return None


def first_bad_syllable(text: str) -> str | None:
    """The first word of ``text`` that is not a well-formed syllable, with the reason, or None."""
    for raw in text.split():
        word = raw.strip(".,;:()\"'“”")
        problem = syllable_problem(word)
        if problem is not None:
            return f"'{word}': {problem}"
    return None


_VIETNAMESE_MARKS = set("ăâđêôơư")


def has_vietnamese_marks(word: str) -> bool:
    """A tone mark, or a letter only Vietnamese uses (ă â đ ê ô ơ ư): the word is meant as a syllable."""
    base, tones = _letters_and_tones(word)
    return bool(tones) or any(c in _VIETNAMESE_MARKS for c in base)


def bad_marked_syllable(text: str, *, place: bool = False) -> str | None:
    """The first word of ``text`` that carries Vietnamese marks but is not a well-formed syllable ("ĐẠTT",
    "NGUYỆPT"): words without marks (abbreviations, foreign brand names) are not judged."""
    for raw in text.split():
        word = raw.strip(".,;:()\"'“”")
        if not _is_word(word) or not has_vietnamese_marks(word):
            continue
        problem = syllable_problem(word, place=place)
        if problem is not None:
            return f"'{word}': {problem}"
    return None


def stop_tone_problem(text: str) -> str | None:
    """The first word of ``text`` breaking the two rules that hold for place and organisation names too
    (which borrow syllables like ``Đắk``, ``Krông``): one tone mark at most, and only the acute or the dot
    below on a syllable ending in p, t, c, ch (``Xô Viet``). Upper-case words in plain Latin letters are
    left alone: companies name themselves in English or without diacritics (``ABC TECH``, ``VIET NHAT``)."""
    for raw in text.split():
        word = raw.strip(".,;:()\"'“”")
        if not _is_word(word):
            continue
        base, tones = _letters_and_tones(word)
        if len(tones) > 1:
            return f"'{word}': two tone marks on one syllable"
        if word.isupper() and not has_vietnamese_marks(word):
            continue  # "ABC TECH", "VIET NHAT": an upper-case name in plain Latin letters
        final = next((f for f in ("ch", "p", "t", "c") if base.endswith(f)), "")
        if not final or len(base) <= len(final) or base[-len(final) - 1] not in _VOWELS:
            continue
        if not tones or tones[0][1] not in _STOP_TONES:
            return f"'{word}': a syllable ending in '{final}' takes only the acute or the dot below"
    return None
