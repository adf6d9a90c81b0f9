"""Agencies, persons, organisations, their facts and links to documents, the access log, the search index.

Search index: on PostgreSQL a ``sohoa_fold(text)`` function (``unaccent`` when the extension is there or may be
created, else a ``translate`` over the Vietnamese letters), ``sohoa_search_vector(text)`` (its words as a
``tsvector``) and GIN full-text indexes of it over page text and field values; on SQLite an FTS5 table of the folded text, kept in step with ``pages`` and ``fields`` by
triggers (``sohoa_fold`` is registered on every connection by ``storage.db.database``).

Revision ID: 0002_people
Revises: 0001_initial
Create Date: 2026-01-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from storage.db.fold import fold

revision = "0002_people"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# Every Vietnamese letter with a mark (both cases) and what it folds to: the fallback without unaccent.
_VN_LOWER = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
_VN_MARKED = _VN_LOWER + _VN_LOWER.upper()
_VN_PLAIN = "".join(fold(c) for c in _VN_MARKED)


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fact_table(name: str, owner: str, owner_table: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column(owner, sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("value_key", sa.Text(), nullable=False),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("field_key", sa.String(64), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        _ts("observed_at"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
        sa.ForeignKeyConstraint(
            [owner], [f"{owner_table}.id"], name=f"fk_{name}_{owner}_{owner_table}", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=f"fk_{name}_document_id_documents", ondelete="CASCADE"
        ),
        sa.UniqueConstraint(owner, "document_id", "key", name=f"uq_{name}_{owner}_document_id_key"),
    )
    op.create_index(f"ix_{name}_{owner}_key", name, [owner, "key"])
    op.create_index(f"ix_{name}_document_id", name, ["document_id"])


def upgrade() -> None:
    op.add_column("dossiers", sa.Column("agency_code", sa.String(64), nullable=True))
    op.create_index("ix_dossiers_agency_code", "dossiers", ["agency_code"])

    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_agencies"),
        sa.UniqueConstraint("code", name="uq_agencies_code"),
    )

    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("personal_id", sa.String(32), nullable=True),
        sa.Column("name_key", sa.String(400), nullable=True),
        sa.Column("full_name", sa.Text(), nullable=True),
        sa.Column("date_of_birth", sa.String(10), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_persons"),
        sa.UniqueConstraint("personal_id", name="uq_persons_personal_id"),
    )
    op.create_index("ix_persons_name_key", "persons", ["name_key"])
    op.create_index(
        "uq_persons_name_key_unidentified",
        "persons",
        ["name_key"],
        unique=True,
        sqlite_where=sa.text("personal_id IS NULL"),
        postgresql_where=sa.text("personal_id IS NULL"),
    )

    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_code", sa.String(32), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_organisations"),
        sa.UniqueConstraint("enterprise_code", name="uq_organisations_enterprise_code"),
    )

    _fact_table("person_facts", "person_id", "persons")
    _fact_table("org_facts", "org_id", "organisations")

    op.create_table(
        "document_parties",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_document_parties"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name="fk_document_parties_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name="fk_document_parties_person_id_persons", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name="fk_document_parties_org_id_organisations",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("document_id", "role", name="uq_document_parties_document_id_role"),
    )
    op.create_index("ix_document_parties_person_id", "document_parties", ["person_id"])
    op.create_index("ix_document_parties_org_id", "document_parties", ["org_id"])

    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _ts("at"),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(200), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("detail", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_access_log"),
    )
    op.create_index("ix_access_log_at", "access_log", ["at"])
    op.create_index("ix_access_log_actor", "access_log", ["actor"])
    op.create_index("ix_access_log_subject_kind_subject_id", "access_log", ["subject_kind", "subject_id"])

    if op.get_bind().dialect.name == "postgresql":
        _postgres_search_index()
    else:
        _sqlite_search_index()


# ---------------------------------------------------------------- search index


def _unaccent_schema(bind: sa.Connection) -> str | None:
    """The schema of the ``unaccent`` extension, creating it in ``public`` when allowed; None if neither."""
    q = sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'unaccent'"
    )
    schema = bind.execute(q).scalar()
    if schema is None:
        try:
            with bind.begin_nested():
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public"))
        except sa.exc.DBAPIError:
            return None  # not installed on the server, or no right to create it: the fallback does
        schema = bind.execute(q).scalar()
    return schema


def _postgres_search_index() -> None:
    bind = op.get_bind()
    schema = _unaccent_schema(bind)
    if schema is not None:
        body = f'SELECT lower("{schema}".unaccent(\'"{schema}".unaccent\'::regdictionary, $1))'
    else:
        body = f"SELECT lower(translate($1, '{_VN_MARKED}', '{_VN_PLAIN}'))"
    # IMMUTABLE so that it may be used in an index (unaccent itself is only STABLE: its dictionary is fixed).
    op.execute(
        f"CREATE OR REPLACE FUNCTION sohoa_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE"
        f" STRICT AS $f$ {body} $f$"
    )
    # The words of the folded text, split like Python's \w+ and FTS5's unicode61 (``12/QĐ-UBND`` is three
    # words, not one path token as the default parser would have it).
    op.execute(
        "CREATE OR REPLACE FUNCTION sohoa_search_vector(text) RETURNS tsvector LANGUAGE sql IMMUTABLE"
        " PARALLEL SAFE STRICT AS $f$ SELECT to_tsvector('simple'::regconfig,"
        " regexp_replace(sohoa_fold($1), '[^[:alnum:]]+', ' ', 'g')) $f$"
    )
    op.execute("CREATE INDEX ix_pages_search ON pages USING gin (sohoa_search_vector(text))")
    op.execute("CREATE INDEX ix_fields_search ON fields USING gin (sohoa_search_vector(value))")


def _sqlite_search_index() -> None:
    bind = op.get_bind()
    # The connections of storage.db.database have it already; a bare Alembic run gets it here.
    bind.connection.driver_connection.create_function("sohoa_fold", 1, fold, deterministic=True)
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5("
        "body, document_id UNINDEXED, ref UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')"
    )
    # rowid: 2 * pages.id for a page, 2 * fields.id + 1 for a field.
    for table, column, offset, ref in (
        ("pages", "text", 0, "'page:' || new.\"index\""),
        ("fields", "value", 1, "'field:' || new.key"),
    ):
        op.execute(
            f"CREATE TRIGGER search_fts_{table}_ai AFTER INSERT ON {table} BEGIN"
            f" INSERT INTO search_fts(rowid, body, document_id, ref)"
            f" VALUES (new.id * 2 + {offset}, sohoa_fold(new.{column}), new.document_id, {ref}); END"
        )
        op.execute(
            f"CREATE TRIGGER search_fts_{table}_ad AFTER DELETE ON {table} BEGIN"
            f" DELETE FROM search_fts WHERE rowid = old.id * 2 + {offset}; END"
        )
        op.execute(
            f"CREATE TRIGGER search_fts_{table}_au AFTER UPDATE OF {column} ON {table} BEGIN"
            f" UPDATE search_fts SET body = sohoa_fold(new.{column}) WHERE rowid = new.id * 2 + {offset}; END"
        )
    op.execute(
        "INSERT INTO search_fts(rowid, body, document_id, ref)"
        " SELECT id * 2, sohoa_fold(text), document_id, 'page:' || \"index\" FROM pages"
    )
    op.execute(
        "INSERT INTO search_fts(rowid, body, document_id, ref)"
        " SELECT id * 2 + 1, sohoa_fold(value), document_id, 'field:' || key FROM fields"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_fields_search")
        op.execute("DROP INDEX IF EXISTS ix_pages_search")
        op.execute("DROP FUNCTION IF EXISTS sohoa_search_vector(text)")
        op.execute("DROP FUNCTION IF EXISTS sohoa_fold(text)")
    else:
        for table in ("pages", "fields"):
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS search_fts_{table}_{suffix}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("access_log")
    op.drop_table("document_parties")
    op.drop_table("org_facts")
    op.drop_table("person_facts")
    op.drop_table("organisations")
    op.drop_table("persons")
    op.drop_table("agencies")
    op.drop_index("ix_dossiers_agency_code", table_name="dossiers")
    op.drop_column("dossiers", "agency_code")  # SQLite >= 3.35 drops a column in place
