"""The web tables come from the Alembic history (0006_web_tables), on SQLite and PostgreSQL; a database whose
web tables were made by ``create_all`` (session-1 deployments) upgrades without losing its accounts."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from sohoa.web.auth import add_user, authenticate
from sohoa.web.models import WEB_TABLES, WebBase
from storage.db.database import Database, alembic_config
from storage.db.models import Base, include_name

PASSWORD = "mật-khẩu-đủ-dài-1"


def _diff(db: Database) -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        return compare_metadata(context, [Base.metadata, WebBase.metadata])


def test_migration_creates_exactly_the_web_tables(database: Database) -> None:
    with database.engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    assert {t.name for t in WEB_TABLES} <= tables
    assert _diff(database) == []
    with database.session() as s:
        add_user(s, "Nguyễn-Thị-Ánh", PASSWORD, ["officer"])
    with database.session() as s:
        assert authenticate(s, "Nguyễn-Thị-Ánh", PASSWORD) is not None


def test_session_one_database_with_create_all_tables_upgrades(db_url: str) -> None:
    db = Database(db_url)
    try:
        with db.engine.connect() as conn:  # the schema as session 1 left it: 0005, then create_all
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0005_inventory_rescans")
            conn.commit()
        WebBase.metadata.create_all(db.engine, tables=WEB_TABLES)
        with db.session() as s:
            add_user(s, "can-bo", PASSWORD, ["officer"])
        db.migrate()
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert db.current_revision() == head
        assert _diff(db) == []
        with db.session() as s:
            assert authenticate(s, "can-bo", PASSWORD) is not None  # the account survived
        db.migrate()  # and again: a no-op
    finally:
        db.dispose()


def test_downgrade_removes_the_web_tables(db_url: str) -> None:
    db = Database(db_url)
    try:
        db.migrate()
        with db.engine.connect() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0005_inventory_rescans")
            conn.commit()
            assert not {t.name for t in WEB_TABLES} & set(sa.inspect(conn).get_table_names())
        db.migrate()
        assert _diff(db) == []
    finally:
        db.dispose()
