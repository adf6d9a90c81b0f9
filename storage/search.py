"""Search across OCR page text and field values, ignoring diacritics and case.

``search(s, "nguyen thi anh")`` finds ``Nguyễn Thị Ánh``. The words of the query must appear together, in
order (a phrase). PostgreSQL: GIN full-text indexes over ``sohoa_search_vector(text)`` (the words of
``sohoa_fold(text)``: ``unaccent`` + ``lower``);
SQLite: the FTS5 table ``search_fts`` of the folded text, kept in step by triggers (migration 0002).
Matching fields come before matching pages.

When whole words find nothing (or, with ``parts=True``, fewer hits than asked for), parts of words do
(``match == "part"``): ``0011900`` finds the ID ``001190012345``, ``thi an`` finds ``Nguyễn Thị Ánh``. PostgreSQL: a regular
expression over ``sohoa_fold``, served by the GIN trigram indexes (migration 0007); SQLite: the trigram FTS5
table ``search_fts_trigram``. A query whose words are all shorter than three letters matches whole words only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from storage.access_log import record_access
from storage.db.fold import fold
from storage.db.models import Document, Dossier, FieldValue, Page

SNIPPET_CONTEXT = 60
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class SearchHit:
    document_id: str
    doc_type: str | None
    status: str
    dossier_code: str | None
    where: str  # "field full_name" | "page 1" (1-based)
    field_key: str | None
    page: int | None  # 0-based page index
    snippet: str  # the matching passage, as written (NFC)
    match: str = "word"  # "word": the query's words as whole words; "part": inside longer words

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def query_words(query: str) -> list[str]:
    """The folded words of a query: what both backends match on."""
    return _WORD.findall(fold(query))


def _pattern(words: list[str]) -> str:
    """The words in order, separated by anything but letters and digits (POSIX and Python alike)."""
    return "[^[:alnum:]]+".join(words)


def _matches(text: str, words: list[str]) -> bool:
    return re.search(r"[\W_]+".join(re.escape(w) for w in words), fold(text)) is not None


def snippet(text: str, words: list[str]) -> str:
    """The passage of ``text`` around the first place the words appear, as written."""
    folded = fold(text)  # same length as the NFC text: positions carry over
    m = re.search(r"\W+".join(re.escape(w) for w in words), folded) if words else None
    start, end = (m.start(), m.end()) if m else (0, 0)
    lo, hi = max(0, start - SNIPPET_CONTEXT), min(len(text), end + SNIPPET_CONTEXT)
    passage = " ".join(text[lo:hi].split())
    return ("…" if lo > 0 else "") + passage + ("…" if hi < len(text) else "")


@contextmanager
def _through_indexes(s: Session) -> Iterator[None]:
    """PostgreSQL only, for the queries inside: no sequential scan. The planner misjudges how many rows a phrase
    matches and may read the whole table, the search function on every row, hoping to reach LIMIT early
    (1.5 s instead of 20 ms on 3 million pages); the GIN indexes are always the way."""
    before = s.execute(
        sa.text("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
    ).scalar()
    try:
        yield
    finally:
        s.execute(sa.text("SELECT set_config('enable_seqscan', :v, true)"), {"v": before})


def _postgres_ids(s: Session, words: list[str], limit: int) -> tuple[list[int], list[int]]:
    q = sa.func.phraseto_tsquery(sa.literal_column("'simple'::regconfig"), " ".join(words))
    # Each pair of neighbouring words is a lexeme of the index (migration 0007): asking for them lets the index
    # find the rows where the words stand side by side, instead of checking the phrase on every row with all
    # of them (words such as "cong", "hoa", "nam" or "do" are on every page's heading).
    parts = [p for w in words for p in re.findall(r"[^\W_]+", w)]
    pairs = [f"'{a}{b}'" for a, b in zip(parts, parts[1:], strict=False)]
    if pairs:
        q = q.op("&&")(sa.cast(" & ".join(pairs), postgresql.TSQUERY))

    def matching(column: Any) -> Any:
        return sa.func.sohoa_search_vector(column).op("@@")(q)

    field_ids = list(s.scalars(sa.select(FieldValue.id).where(matching(FieldValue.value)).limit(limit)))
    if len(field_ids) >= limit:  # fields come first: pages would not be shown
        return field_ids, []
    page_ids = list(s.scalars(sa.select(Page.id).where(matching(Page.text)).limit(limit - len(field_ids))))
    return field_ids, page_ids


def _sqlite_ids(s: Session, words: list[str], limit: int) -> tuple[list[int], list[int]]:
    phrase = '"' + " ".join(words) + '"'
    rowids = s.execute(
        sa.text("SELECT rowid FROM search_fts WHERE search_fts MATCH :q ORDER BY rank LIMIT :n"),
        {"q": phrase, "n": 2 * limit},
    ).scalars()
    field_ids: list[int] = []
    page_ids: list[int] = []
    for rowid in rowids:
        (field_ids if rowid % 2 else page_ids).append(rowid // 2)
    return field_ids[:limit], page_ids[:limit]


def _postgres_part_ids(
    s: Session, words: list[str], limit: int, seen: tuple[list[int], list[int]]
) -> tuple[list[int], list[int]]:
    rx = _pattern(words)
    out: list[list[int]] = []
    for model, column, skip in ((FieldValue, FieldValue.value, seen[0]), (Page, Page.text, seen[1])):
        q = sa.select(model.id).where(sa.func.sohoa_fold(column).op("~")(rx)).limit(limit)
        if skip:
            q = q.where(model.id.not_in(skip))
        out.append(list(s.scalars(q)))
        limit -= len(out[-1])
        if limit <= 0:
            out.append([])
            break
    return out[0], out[1]


def _sqlite_part_ids(
    s: Session, words: list[str], limit: int, seen: tuple[list[int], list[int]]
) -> tuple[list[int], list[int]]:
    terms = " AND ".join(f'"{w}"' for w in words if len(w) >= 3)
    rowids = s.execute(
        sa.text("SELECT rowid FROM search_fts_trigram WHERE search_fts_trigram MATCH :q LIMIT :n"),
        {"q": terms, "n": 10 * limit + len(seen[0]) + len(seen[1])},
    ).scalars()
    skip = {2 * i + 1 for i in seen[0]} | {2 * i for i in seen[1]}
    field_ids: list[int] = []
    page_ids: list[int] = []
    for rowid in sorted(set(rowids) - skip, key=lambda r: (r % 2 == 0, r)):  # fields first
        (field_ids if rowid % 2 else page_ids).append(rowid // 2)
    return field_ids, page_ids  # candidates: search() keeps those where the words follow each other


def _rows(
    s: Session, field_ids: list[int], page_ids: list[int]
) -> list[tuple[str, str | None, int | None, str]]:
    """(document id, field key, page index, text) of the fields, then the pages, in the order given."""
    found: list[tuple[str, str | None, int | None, str]] = []
    if field_ids:
        fields = sorted(
            s.scalars(sa.select(FieldValue).where(FieldValue.id.in_(field_ids))),
            key=lambda f: field_ids.index(f.id),
        )
        found.extend((f.document_id, f.key, None, f.value) for f in fields)
    if page_ids:
        pages = sorted(
            s.scalars(sa.select(Page).where(Page.id.in_(page_ids))), key=lambda p: page_ids.index(p.id)
        )
        found.extend((p.document_id, None, p.index, p.text) for p in pages)
    return found


def search(
    s: Session,
    query: str,
    *,
    limit: int = 20,
    actor: str | None = None,
    purpose: str | None = None,
    parts: bool | None = None,
) -> list[SearchHit]:
    """Documents whose fields or page text contain the query's words (any case, any diacritics); then those
    that contain them inside longer words: when whole words found nothing (``parts=None``), to fill the room
    left (``parts=True``), or never (``parts=False``). Parts cost more: on millions of rows, a trigram search
    for common syllables reads large parts of the indexes.

    With ``actor`` the search is recorded in the access log (search results show personal data)."""
    words = query_words(query)
    if actor is not None:
        record_access(
            s, actor=actor, action="search", subject_kind="query", subject_id=query[:200], purpose=purpose
        )
    if not words or limit <= 0:
        return []
    postgres = s.get_bind().dialect.name == "postgresql"
    with _through_indexes(s) if postgres else nullcontext():
        field_ids, page_ids = (_postgres_ids if postgres else _sqlite_ids)(s, words, limit)
        found = [(*row, "word") for row in _rows(s, field_ids, page_ids)][:limit]
        wanted = (not found) if parts is None else (parts and len(found) < limit)
        if wanted and max(len(w) for w in words) >= 3:
            part_finder = _postgres_part_ids if postgres else _sqlite_part_ids
            more = _rows(s, *part_finder(s, words, limit - len(found), (field_ids, page_ids)))
            found += [(*row, "part") for row in more if _matches(row[3], words)][: limit - len(found)]
    docs = {
        d.id: (d, code)
        for d, code in s.execute(
            sa.select(Document, Dossier.code)
            .outerjoin(Dossier, Dossier.id == Document.dossier_id)
            .where(Document.id.in_({h[0] for h in found}))
        )
    }
    hits = []
    for doc_id, key, page, text, match in found:
        d, code = docs[doc_id]
        hits.append(
            SearchHit(
                document_id=doc_id,
                doc_type=d.doc_type,
                status=d.status,
                dossier_code=code,
                where=f"field {key}" if key is not None else f"page {page + 1}",  # type: ignore[operator]
                field_key=key,
                page=page,
                snippet=snippet(text, words),
                match=match,
            )
        )
    return hits
