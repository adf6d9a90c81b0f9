"""The Alembic revisions create exactly the schema of the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from sohoa.web.models import WebBase
from storage.db.database import Database, alembic_config
from storage.db.models import Base, include_name

TABLES = {
    "batches",
    "dossiers",
    "documents",
    "pages",
    "fields",
    "field_history",
    "alembic_version",
    "agencies",
    "persons",
    "organisations",
    "person_facts",
    "org_facts",
    "document_parties",
    "access_log",
}


def test_migrate_creates_schema_matching_models(database: Database) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert database.current_revision() == head
    with database.engine.connect() as conn:
        assert set(sa.inspect(conn).get_table_names()) >= TABLES
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        # The web application's tables (sohoa/web/models.py) are in the same history (0006_web_tables).
        diff = compare_metadata(context, [Base.metadata, WebBase.metadata])
    assert diff == []


def test_migrate_twice_is_a_no_op(database: Database) -> None:
    with database.engine.connect() as conn:
        before = {t: sa.inspect(conn).get_columns(t) for t in TABLES}
    database.migrate()
    database.migrate()
    with database.engine.connect() as conn:
        after = {t: sa.inspect(conn).get_columns(t) for t in TABLES}
        versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    assert len(versions) == 1
    assert [str(c) for c in before.items()] == [str(c) for c in after.items()]


def test_sqlite_file_created_with_wal_and_foreign_keys(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "nested" / "dir" / "sohoa.db"
    db = Database(f"sqlite:///{path}")
    try:
        db.migrate()
        assert path.exists()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.dispose()


def test_search_vector_of_0008_has_the_lexemes_of_0007(database: Database) -> None:
    """0008 rewrote ``sohoa_search_vector`` (PL/pgSQL) without rebuilding the indexes over it: it must give
    exactly the tsvector of 0007's SQL function, whatever the text."""
    if database.is_sqlite:
        return
    import importlib

    old = importlib.import_module("storage.db.migrations.versions.0008_write_perf")._SEARCH_VECTOR_0007
    texts = [
        "",
        "a",
        "--",
        " Ấ  b ",
        "a_b",
        "x1 2y",
        "1e5 3",
        "Nguyễn Thị Ánh, sinh năm 1990 — Số định danh: 001190012345.",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nHọ và tên: ĐỖ CÔNG MINH NAM",
        "ab" * 1100 + " c d",  # a word too long to be indexed, and a pair made with it
        " ".join(f"từ{i}" for i in range(300)),
    ]
    with database.engine.begin() as conn:
        conn.exec_driver_sql(
            old.replace("FUNCTION sohoa_search_vector", "FUNCTION pg_temp.search_vector_0007")
        )
        rows = conn.execute(
            sa.text(
                "SELECT sohoa_search_vector(t)::text, pg_temp.search_vector_0007(t)::text FROM unnest(CAST(:t AS text[])) t"
            ),
            {"t": texts},
        ).all()
    assert len(rows) == len(texts)
    assert [new for new, _ in rows] == [old for _, old in rows]
    assert "'nguyen':1" in rows[7][0] and "'nguyenthi'" in rows[7][0]  # words with positions, pairs
