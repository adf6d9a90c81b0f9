"""Search across OCR page text and field values, ignoring diacritics and case.

``search(s, "nguyen thi anh")`` finds ``Nguyễn Thị Ánh``. The words of the query must appear together, in
order (a phrase). PostgreSQL: GIN full-text indexes over ``sohoa_search_vector(text)`` (the words of
``sohoa_fold(text)``: ``unaccent`` + ``lower``);
SQLite: the FTS5 table ``search_fts`` of the folded text, kept in step by triggers (migration 0002).
Matching fields come before matching pages.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def query_words(query: str) -> list[str]:
    """The folded words of a query: what both backends match on."""
    return _WORD.findall(fold(query))


def snippet(text: str, words: list[str]) -> str:
    """The passage of ``text`` around the first place the words appear, as written."""
    folded = fold(text)  # same length as the NFC text: positions carry over
    m = re.search(r"\W+".join(re.escape(w) for w in words), folded) if words else None
    start, end = (m.start(), m.end()) if m else (0, 0)
    lo, hi = max(0, start - SNIPPET_CONTEXT), min(len(text), end + SNIPPET_CONTEXT)
    passage = " ".join(text[lo:hi].split())
    return ("…" if lo > 0 else "") + passage + ("…" if hi < len(text) else "")


def _postgres_ids(s: Session, words: list[str], limit: int) -> tuple[list[int], list[int]]:
    q = sa.func.phraseto_tsquery(sa.literal_column("'simple'::regconfig"), " ".join(words))

    def matching(column: Any) -> Any:
        return sa.func.sohoa_search_vector(column).op("@@")(q)

    field_ids = list(s.scalars(sa.select(FieldValue.id).where(matching(FieldValue.value)).limit(limit)))
    page_ids = list(s.scalars(sa.select(Page.id).where(matching(Page.text)).limit(limit)))
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


def search(
    s: Session, query: str, *, limit: int = 20, actor: str | None = None, purpose: str | None = None
) -> list[SearchHit]:
    """Documents whose fields or page text contain the query's words (any case, any diacritics).

    With ``actor`` the search is recorded in the access log (search results show personal data)."""
    words = query_words(query)
    if actor is not None:
        record_access(
            s, actor=actor, action="search", subject_kind="query", subject_id=query[:200], purpose=purpose
        )
    if not words or limit <= 0:
        return []
    finder = _postgres_ids if s.get_bind().dialect.name == "postgresql" else _sqlite_ids
    field_ids, page_ids = finder(s, words, limit)
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
    found = found[:limit]
    docs = {
        d.id: (d, code)
        for d, code in s.execute(
            sa.select(Document, Dossier.code)
            .outerjoin(Dossier, Dossier.id == Document.dossier_id)
            .where(Document.id.in_({h[0] for h in found}))
        )
    }
    hits = []
    for doc_id, key, page, text in found:
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
            )
        )
    return hits
