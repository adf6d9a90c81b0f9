"""Faster phrase search, and search for parts of words (trigram indexes of the folded text).

PostgreSQL phrase search: ``sohoa_search_vector(text)`` now also holds each pair of neighbouring words
(``nguyenthi``, ``thianh``) as a lexeme of its own. A GIN index keeps no word positions, so a phrase is
checked on every row holding all its words; with the pairs in the query the index itself narrows the rows to
those holding the words side by side (a name made of words that every page's heading also has, such as
"Đỗ Công Minh Nam", went from minutes to milliseconds on 3 million pages). The full-text indexes are rebuilt.

PostgreSQL: the ``pg_trgm`` extension (created in ``public`` when allowed) and GIN trigram indexes over
``sohoa_fold(value)`` of fields and ``sohoa_fold(text)`` of pages (``sohoa_fold`` is the IMMUTABLE
``unaccent`` + ``lower`` wrapper of 0002), which serve the regular expressions of ``storage.search``.
Without ``pg_trgm`` no index is made: parts of words are then found by reading every row (slow at scale).
SQLite: a contentless FTS5 table ``search_fts_trigram`` (trigram tokenizer) of the folded text, kept in step
with ``pages`` and ``fields`` by triggers, rowids as in ``search_fts``.

Revision ID: 0007_search_perf
Revises: 0006_web_tables
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.db.fold import fold

revision = "0007_search_perf"
down_revision = "0006_web_tables"
branch_labels = None
depends_on = None

# (table, column, rowid offset) as in search_fts: rowid 2 * pages.id for a page, 2 * fields.id + 1 for a field.
_SOURCES = (("pages", "text", 0), ("fields", "value", 1))


def _trgm_schema(bind: sa.Connection) -> str | None:
    q = sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'pg_trgm'"
    )
    schema = bind.execute(q).scalar()
    if schema is None:
        try:
            with bind.begin_nested():
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        except sa.exc.DBAPIError:
            return None  # not installed on the server, or no right to create it
        schema = bind.execute(q).scalar()
    return schema


# The words of the folded text, split like Python's \w+ and FTS5's unicode61, as in 0002; then, without
# positions, each pair of neighbouring words written together (``nguyenthi``, ``thianh``): the pairs at odd
# and at even places, by two regular expressions (an array of pairs built row by row costs ten times more).
_SEARCH_VECTOR = (
    "CREATE OR REPLACE FUNCTION sohoa_search_vector(text) RETURNS tsvector LANGUAGE sql IMMUTABLE"
    " PARALLEL SAFE STRICT AS $f$ SELECT to_tsvector('simple'::regconfig, t)"
    " || strip(to_tsvector('simple'::regconfig, regexp_replace(t, '(\\S+) (\\S+)', '\\1\\2', 'g') || ' '"
    " || regexp_replace(regexp_replace(t, '^\\S+ ?', ''), '(\\S+) (\\S+)', '\\1\\2', 'g')))"
    " FROM (SELECT btrim(regexp_replace(sohoa_fold($1), '[^[:alnum:]]+', ' ', 'g')) AS t) words $f$"
)
_SEARCH_VECTOR_0002 = (
    "CREATE OR REPLACE FUNCTION sohoa_search_vector(text) RETURNS tsvector LANGUAGE sql IMMUTABLE"
    " PARALLEL SAFE STRICT AS $f$ SELECT to_tsvector('simple'::regconfig,"
    " regexp_replace(sohoa_fold($1), '[^[:alnum:]]+', ' ', 'g')) $f$"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(_SEARCH_VECTOR)
        op.execute("REINDEX INDEX ix_pages_search")
        op.execute("REINDEX INDEX ix_fields_search")
        schema = _trgm_schema(bind)
        if schema is not None:
            for table, column, _ in _SOURCES:
                op.execute(
                    f"CREATE INDEX IF NOT EXISTS ix_{table}_search_trgm ON {table}"
                    f' USING gin (sohoa_fold({column}) "{schema}".gin_trgm_ops)'
                )
        return
    bind.connection.driver_connection.create_function("sohoa_fold", 1, fold, deterministic=True)
    op.execute("CREATE VIRTUAL TABLE search_fts_trigram USING fts5(body, content = '', tokenize = 'trigram')")
    for table, column, offset in _SOURCES:
        insert = f"INSERT INTO search_fts_trigram(rowid, body) VALUES (new.id * 2 + {offset}, sohoa_fold(new.{column}));"
        delete = (
            "INSERT INTO search_fts_trigram(search_fts_trigram, rowid, body)"
            f" VALUES ('delete', old.id * 2 + {offset}, sohoa_fold(old.{column}));"
        )
        op.execute(f"CREATE TRIGGER search_fts_trigram_{table}_ai AFTER INSERT ON {table} BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER search_fts_trigram_{table}_ad AFTER DELETE ON {table} BEGIN {delete} END")
        op.execute(
            f"CREATE TRIGGER search_fts_trigram_{table}_au AFTER UPDATE OF {column} ON {table}"
            f" BEGIN {delete} {insert} END"
        )
        op.execute(
            f"INSERT INTO search_fts_trigram(rowid, body) SELECT id * 2 + {offset}, sohoa_fold({column}) FROM {table}"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, _, _ in _SOURCES:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_trgm")
        op.execute(_SEARCH_VECTOR_0002)
        op.execute("REINDEX INDEX ix_pages_search")
        op.execute("REINDEX INDEX ix_fields_search")
        return
    for table, _, _ in _SOURCES:
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS search_fts_trigram_{table}_{suffix}")
    op.execute("DROP TABLE IF EXISTS search_fts_trigram")
