"""A numeric field that failed validation is read again, digits only, before the extractor gives up.

``retry_invalid(doc_type, fields, ...)`` takes the fields after ``validate_fields``. For every field with
digit structure (personal IDs, the enterprise code, dates, the land-use serial) that has a problem, the
tokens of its value that hold digits are read again by a ``DigitReader`` (``extractors.reread.Rereader``:
Tesseract restricted to digits on the page image), the value is converted again, and the new value is kept
only if it validates and leaves fewer problems in the document than before. When a personal ID disagrees
with the date of birth, or two dates are out of order, the other field of the pair is tried too.

A re-read value is a single reading of a damaged spot: it is kept below the review threshold
(``REREAD_UNVERIFIED``) unless a check digit verifies it (the enterprise code) and it agrees with every
digit the first reading saw. ``Field.raw`` records the re-read: ``<new text> [digit-only re-read; first
read '<old text>']``; a field whose re-read did not help gets a problem saying so.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Sequence
from typing import Protocol

from extractors.fields.layout import Token, VisualLine
from extractors.fields.values import Converted, to_date, to_digits, to_enterprise_code, to_serial
from extractors.normalize import fix_digits
from extractors.validators import DATE_FIELDS, PERSON_ID_FIELDS, validate_fields
from pipelines.model import BBox, Field, PageText

REREAD_UNVERIFIED = 0.79  # below the review threshold 0.80: a person confirms a value read twice differently
REREAD_DISAGREES = 0.6  # the re-read changed a digit the first reading saw clearly
REREAD_NOTE = "digit-only re-read"
_DIGITS = "0123456789"
_GLUED_RE = re.compile(r"\d[0-9OoIl|SB./,;:'-]*$")  # a number at the end of a token, with OCR junk in it

# key -> (converter, characters Tesseract may read, verified by a check digit)
_KINDS: dict[str, tuple[Callable[[str], Converted], str, bool]] = {
    **{k: (to_digits, _DIGITS, False) for k in PERSON_ID_FIELDS},
    **{k: (to_date, _DIGITS + "/.-", False) for k in DATE_FIELDS},
    "enterprise_code": (to_enterprise_code, _DIGITS + "-", True),
    "serial_number": (to_serial, _DIGITS, False),
}
# The other field of a cross-field check: when the check fails the error may be in either.
_PARTNERS: dict[str, tuple[str, ...]] = {
    "personal_id": ("date_of_birth",),
    "applicant_id": ("date_of_birth",),
    "husband_id": ("husband_date_of_birth",),
    "wife_id": ("wife_date_of_birth",),
    "issue_date": ("date_of_birth",),
    "registration_date": ("date_of_birth", "husband_date_of_birth", "wife_date_of_birth"),
    "signed_date": ("date_of_birth",),
    "expiry_date": ("issue_date",),
    "due_date": ("received_date",),
}


class DigitReader(Protocol):
    def read(self, page: PageText, box: BBox, chars: str = _DIGITS) -> _Reading | None: ...


class _Reading(Protocol):
    text: str
    confidence: float


def retry_invalid(
    doc_type: str,
    fields: dict[str, Field],
    before: dict[str, float],
    lines: Sequence[VisualLine],
    pages: Sequence[PageText],
    reader: DigitReader,
) -> dict[str, Field]:
    """The fields with invalid numeric values re-read where that makes them valid (see the module doc).
    ``before``: each field's confidence before validation capped it."""
    failing = [k for k, f in fields.items() if f.problems and k in _KINDS]
    if not failing:
        return fields
    partners = [p for k in failing for p in _PARTNERS.get(k, ()) if p in fields and p not in failing]
    by_index = {p.index: p for p in pages}
    base = dict(before)
    tried: set[str] = set()
    unhelped: set[str] = set()  # failing fields the re-read did not make valid
    for key in [*failing, *dict.fromkeys(partners)]:
        if key in tried or key not in fields:
            continue
        tried.add(key)
        if key in failing and fields[key].valid:
            continue  # an earlier re-read fixed it
        field = fields[key]
        page = by_index.get(field.page) if field.page is not None else None
        if page is None or page.source != "ocr" or field.bbox is None:
            continue
        candidate = _reread(field, base.get(key, field.confidence), page, lines, reader)
        trial = None
        if candidate is not None:
            trial = _revalidate(doc_type, {**fields, key: candidate}, {**base, key: candidate.confidence})
        if candidate is not None and trial is not None and _better(trial, fields, key):
            fields, base[key] = trial, candidate.confidence
        elif key in failing:
            unhelped.add(key)
    for key in unhelped:
        if fields[key].problems:
            message = f"{key}: a {REREAD_NOTE} gave no valid value either"
            if message not in fields[key].problems:
                fields[key].problems.append(message)
    return fields


def _better(trial: dict[str, Field], fields: dict[str, Field], key: str) -> bool:
    """The re-read value is valid and the document has fewer fields with problems than before."""
    return trial[key].valid and _problems(trial) < _problems(fields)


def _problems(fields: dict[str, Field]) -> int:
    return sum(1 for f in fields.values() if f.problems)


def _revalidate(doc_type: str, fields: dict[str, Field], confidence: dict[str, float]) -> dict[str, Field]:
    """Fresh copies of the fields, validated again from their confidence before validation."""
    out = {
        k: dataclasses.replace(f, problems=[], confidence=confidence.get(k, f.confidence))
        for k, f in fields.items()
    }
    validate_fields(doc_type, out)
    return out


def value_tokens(field: Field, lines: Sequence[VisualLine]) -> list[Token]:
    """The tokens of a field's value (those inside its box on its page, in reading order), or [] when they
    do not spell its raw text."""
    assert field.bbox is not None
    x0, y0, x1, y1 = field.bbox
    tokens = [
        t
        for line in lines
        if line.page == field.page
        for t in line.tokens
        if t.bbox[0] >= x0 and t.bbox[1] >= y0 and t.bbox[2] <= x1 and t.bbox[3] <= y1
    ]
    return tokens if " ".join(t.text for t in tokens) == field.raw else []


def _has_digits(token: Token) -> bool:
    text = token.text.strip(".,:;")
    return any(c.isdigit() for c in text) or (len(text) >= 2 and fix_digits(text) != text)


def _runs(tokens: list[Token]) -> list[tuple[int, int]]:
    """(first, stop) index ranges of consecutive digit-holding tokens on one visual row."""
    runs: list[tuple[int, int]] = []
    for i, tok in enumerate(tokens):
        if not _has_digits(tok):
            continue
        if runs and runs[-1][1] == i and _same_row(tokens[i - 1], tok):
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


def _same_row(a: Token, b: Token) -> bool:
    return min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1]) > 0.5 * min(
        a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1]
    )


def _agrees(first: str, second: str) -> bool:
    """The second reading keeps every digit the first one saw: it only fills in what was not a digit."""
    a = "".join(fix_digits(w) for w in first.split())
    b = second.replace(" ", "")
    for op, i1, i2, _, _ in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("replace", "delete") and any(c.isdigit() for c in a[i1:i2]):
            return False
    return True


def _reread(
    field: Field, first_read: float, page: PageText, lines: Sequence[VisualLine], reader: DigitReader
) -> Field | None:
    """The field with its digit tokens read again, or None when that gives nothing new. ``first_read``: its
    confidence before validation (the first reading's OCR confidence and label match)."""
    converter, chars, checked = _KINDS[field.key]
    tokens = value_tokens(field, lines)
    runs = _runs(tokens)
    if not runs:
        return None
    texts = [t.text for t in tokens]
    agree = True
    for first, stop in reversed(runs):
        run = tokens[first:stop]
        box = (
            min(t.bbox[0] for t in run),
            min(t.bbox[1] for t in run),
            max(t.bbox[2] for t in run),
            max(t.bbox[3] for t in run),
        )
        old = " ".join(t.text for t in run)
        prefix, allowed = "", chars
        glued = _GLUED_RE.search(old) if len(run) == 1 else None
        if glued is not None and glued.start() > 0:
            # "sø/No.038182766701": a label glued to the number. Its letters are allowed too, so that they are
            # not read as digits, and the number is what follows them (punctuation stays forbidden: a damaged
            # digit must not be read as the label's '/').
            prefix, old = old[: glued.start()], old[glued.start() :]
            allowed = chars + "".join(sorted({c for c in prefix if c.isascii() and c.isalpha()}))
        reading = reader.read(page, box, allowed)
        if reading is None:
            return None
        text = reading.text
        if prefix:
            number = _GLUED_RE.search(text)
            if number is None:
                return None
            text = number.group(0)
        agree = agree and _agrees(old, text)
        texts[first:stop] = [prefix + text]
    raw = " ".join(texts)
    converted = converter(raw)
    if converted is None or converted[0] == field.value:
        return None
    # Tesseract's confidence under a character whitelist says little (a clean "02/03/1982" next to a ':' it
    # may not read scores 0), so the first reading's confidence stays the base; the caps decide.
    confidence = first_read * converted[1]
    if not agree:
        confidence = min(confidence, REREAD_DISAGREES)
    elif not checked:
        confidence = min(confidence, REREAD_UNVERIFIED)
    return dataclasses.replace(
        field,
        value=converted[0],
        confidence=round(confidence, 3),
        raw=f"{raw} [{REREAD_NOTE}; first read '{field.raw}']",
        problems=[],
    )
