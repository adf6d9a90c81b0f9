"""Finding printed labels in a visual line: fuzzy over OCR noise, insensitive to diacritics.

A label is compared, folded (``fold``), with windows of one token fewer to one token more than its own word
count, both with and without spaces (OCR splits and merges words). Overlapping candidates are resolved in
favour of the one explaining the most characters, so ``Họ, chữ đệm, tên người mẹ`` wins over
``Họ, chữ đệm, tên`` on the mother's line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from extractors.fields.layout import Token, VisualLine
from extractors.normalize import fold_words

# English halves of bilingual labels ("Họ và tên / Full name:") skipped after the Vietnamese label.
ENGLISH_LABEL_WORDS = frozenset(
    [
        "no",
        "full",
        "name",
        "surname",
        "middle",
        "and",
        "given",
        "date",
        "of",
        "birth",
        "sex",
        "nationality",
        "place",
        "origin",
        "residence",
        "expiry",
        "issue",
        "personal",
        "identification",
        "number",
        "id",
        "card",
        "good",
        "thru",
        "until",
        "ethnicity",
        "religion",
    ]
)


@dataclass(frozen=True)
class Label:
    key: str  # field key, or "" for a label that only ends the value before it
    text: str  # as printed, e.g. "Họ, chữ đệm và tên"
    start_only: bool = (
        False  # a short generic label ("Số:") that counts only at the start of a column, with ':'
    )

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(fold_words(self.text))

    @property
    def compact(self) -> str:
        return "".join(self.words)


@dataclass(frozen=True)
class LabelMatch:
    label: Label
    line: VisualLine
    start: int  # first token of the label (list markers in front included)
    end: int  # index after the last token of the label
    score: float  # 0..1
    confirmed: bool  # followed by ":" or "/", or ends the line: it is certainly a label

    @property
    def key(self) -> str:
        return self.label.key

    @property
    def at_start(self) -> bool:
        return _at_segment_start(self.line, self.start)


def _threshold(compact_len: int) -> float:
    if compact_len <= 4:
        return 100.0
    if compact_len <= 8:
        return 84.0
    return 80.0


def _at_segment_start(line: VisualLine, i: int) -> bool:
    start = line.segment_start(i)
    return all(t.is_enumerator or not t.key for t in line.tokens[start:i])


def _confirmed(line: VisualLine, end: int) -> bool:
    last = line.tokens[end - 1]
    if last.text.endswith(":"):
        return True
    if end >= len(line.tokens) or end in line.segment_starts:
        return True
    nxt = line.tokens[end].text
    return last.text.endswith("/") or nxt.startswith((":", "/")) or nxt in (".", "…")


def _score(window: Sequence[Token], label: Label) -> float:
    words = " ".join(t.key for t in window if t.key)
    if not words:
        return 0.0
    if words.split()[0][:1] != label.words[0][:1]:
        return 0.0  # a label never starts with a misread first letter often enough to be worth the noise
    spaced = fuzz.ratio(words, " ".join(label.words))
    compact = fuzz.ratio(words.replace(" ", ""), label.compact)
    return max(spaced, compact)


def find_labels(line: VisualLine, labels: Sequence[Label]) -> list[LabelMatch]:
    """Non-overlapping label matches in a line, left to right."""
    candidates: list[LabelMatch] = []
    toks = line.tokens
    for label in labels:
        n = len(label.words)
        if n == 0:
            continue
        threshold = _threshold(len(label.compact))
        for i, tok in enumerate(toks):
            if not tok.key:
                continue
            for k in sorted({max(1, n - 1), n, n + 1}):
                end = i + k
                if end > len(toks):
                    break
                window = toks[i:end]
                if any(j in line.segment_starts for j in range(i + 1, end)):
                    break
                if any(t.text.endswith(":") for t in window[:-1]):
                    break  # a label does not run over its colon
                score = _score(window, label)
                if score < threshold:
                    continue
                start = i
                while start > 0 and toks[start - 1].is_enumerator and start not in line.segment_starts:
                    start -= 1
                match = LabelMatch(label, line, start, end, score / 100.0, _confirmed(line, end))
                if label.start_only and not (match.at_start and match.confirmed):
                    continue
                if not (match.confirmed or match.at_start):
                    continue
                candidates.append(match)
    chosen: list[LabelMatch] = []
    for cand in sorted(candidates, key=lambda m: (-(m.score**4) * len(m.label.compact), m.start)):
        if all(cand.end <= c.start or cand.start >= c.end for c in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda m: m.start)


def value_start(line: VisualLine, match: LabelMatch) -> int:
    """Index of the first value token after a label: skips ':' and the English half of a bilingual label."""
    toks = line.tokens
    i = match.end
    bilingual = toks[i - 1].text.endswith("/") or (i < len(toks) and toks[i].text.startswith("/"))
    if bilingual:
        j = i
        while j < len(toks) and j - i < 6:
            word = toks[j].key
            if toks[j].text.endswith(":"):
                return j + 1
            if word and not all(w in ENGLISH_LABEL_WORDS for w in word.split()):
                break
            j += 1
        i = j
    while i < len(toks) and (toks[i].is_leader or toks[i].text in ("/", "-")):
        i += 1
    return i
