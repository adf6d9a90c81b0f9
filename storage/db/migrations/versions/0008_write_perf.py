"""Cheaper writes at scale: ``sohoa_search_vector(text)`` in PL/pgSQL, with the same lexemes.

PostgreSQL computes ``sohoa_search_vector`` for every page and field written (the GIN full-text indexes are
over it) and for every row a phrase search rechecks. The SQL function of 0007 is not inlined, and its pairs of
neighbouring words came from regular expressions with capture groups: about 90 µs a field value and 500 µs a
page, most of the server's time when saving documents. The same words and pairs built by a loop over the words
cost about 13 µs and 160 µs. The lexemes are exactly those of 0007 (the words with their positions; each pair
of neighbouring words, stripped of positions; a lone last word of 0007's pairs was already among the words), so
the indexes stay valid: nothing is rebuilt, either way.

SQLite: nothing changes (FTS5 tables).

Revision ID: 0008_write_perf
Revises: 0007_search_perf
"""

from __future__ import annotations

from alembic import op

revision = "0008_write_perf"
down_revision = "0007_search_perf"
branch_labels = None
depends_on = None

_SEARCH_VECTOR = (
    "CREATE OR REPLACE FUNCTION sohoa_search_vector(text) RETURNS tsvector LANGUAGE plpgsql IMMUTABLE"
    " PARALLEL SAFE STRICT AS $f$"
    " DECLARE"
    "  t text := btrim(regexp_replace(sohoa_fold($1), '[^[:alnum:]]+', ' ', 'g'));"
    "  w text[] := string_to_array(t, ' ');"
    "  pairs text := '';"
    " BEGIN"
    "  FOR i IN 1 .. cardinality(w) - 1 LOOP"
    "   pairs := pairs || w[i] || w[i + 1] || ' ';"
    "  END LOOP;"
    "  RETURN to_tsvector('simple'::regconfig, t) || strip(to_tsvector('simple'::regconfig, pairs));"
    " END $f$"
)
# 0007's definition, for the downgrade.
_SEARCH_VECTOR_0007 = (
    "CREATE OR REPLACE FUNCTION sohoa_search_vector(text) RETURNS tsvector LANGUAGE sql IMMUTABLE"
    " PARALLEL SAFE STRICT AS $f$ SELECT to_tsvector('simple'::regconfig, t)"
    " || strip(to_tsvector('simple'::regconfig, regexp_replace(t, '(\\S+) (\\S+)', '\\1\\2', 'g') || ' '"
    " || regexp_replace(regexp_replace(t, '^\\S+ ?', ''), '(\\S+) (\\S+)', '\\1\\2', 'g')))"
    " FROM (SELECT btrim(regexp_replace(sohoa_fold($1), '[^[:alnum:]]+', ' ', 'g')) AS t) words $f$"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_SEARCH_VECTOR)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_SEARCH_VECTOR_0007)
