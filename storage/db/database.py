"""Connecting to the shared database (SQLite file or PostgreSQL) and bringing its schema up to date."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from pipelines.errors import ConfigurationError, StorageError
from storage.db.fold import fold

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# pg_advisory_lock key so that workers starting together run the migrations one after the other.
_PG_MIGRATION_LOCK = 0x50_48_4F_41  # "SOHOA"-ish, any constant will do
# PostgreSQL aborts one of two transactions that wait on each other (deadlock_detected) or that could not
# be serialised: running the work again is the remedy.
RETRY_SQLSTATES = frozenset({"40P01", "40001"})

T = TypeVar("T")


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config built in code (no alembic.ini): usable with ``alembic.command``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class Database:
    """One engine per process. ``session()`` is a unit of work: committed on success, rolled back on error."""

    def __init__(self, url: str) -> None:
        try:
            self.url: URL = make_url(url)
        except sa.exc.ArgumentError as e:
            raise ConfigurationError(f"the database URL {url!r} is not valid: {e}") from e
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            self.engine = self._sqlite_engine()
        else:
            self.engine = sa.create_engine(self.url, pool_pre_ping=True, json_serializer=_json_dumps)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            self.engine.execution_options(sqlite_deferred=True), expire_on_commit=False
        )

    @property
    def display_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    def _sqlite_engine(self) -> Engine:
        db = self.url.database
        if db and db != ":memory:" and not db.startswith("file:"):
            Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            self.url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            json_serializer=_json_dumps,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (savepoints work).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
            # The search index triggers fold text with the same function as Python (storage.db.fold).
            dbapi_conn.create_function("sohoa_fold", 1, fold, deterministic=True)

        @event.listens_for(engine, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            # Writers take the write lock up front: a deferred transaction that reads and then writes can fail
            # at once with SQLITE_BUSY when another process committed in between, whatever the busy timeout.
            deferred = conn.get_execution_options().get("sqlite_deferred", False)
            conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")

        return engine

    def migrate(self) -> None:
        """Bring the schema to the newest revision (``alembic upgrade head``). Safe to call on every start."""
        try:
            with self.engine.connect() as conn:
                if not self.is_sqlite:
                    conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
                    conn.commit()
                try:
                    cfg = alembic_config()
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                    conn.commit()
                finally:
                    if not self.is_sqlite:
                        conn.rollback()
                        conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK})
                        conn.commit()
        except sa.exc.OperationalError as e:
            raise StorageError(f"the database at {self.display_url} is unreachable: {_reason(e)}") from e

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    @contextmanager
    def session(self, *, readonly: bool = False) -> Iterator[Session]:
        """A unit of work. ``readonly=True`` lets SQLite readers run alongside a writer."""
        s = (self._read_sessions if readonly else self._sessions)()
        try:
            yield s
            if not readonly:
                s.commit()
            # A read-only session is just closed: its objects stay readable after the block.
        except sa.exc.OperationalError as e:
            s.rollback()
            raise StorageError(f"the database at {self.display_url} failed: {_reason(e)}") from e
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def run(self, work: Callable[[Session], T], *, attempts: int = 3) -> T:
        """``work(session)`` in one unit of work (``session()``), run again from the start when PostgreSQL
        aborted the transaction for a deadlock or a serialization failure (at most ``attempts`` times)."""
        for attempt in range(1, attempts + 1):
            try:
                with self.session() as s:
                    return work(s)
            except StorageError as e:
                orig = getattr(e.__cause__, "orig", None)
                if attempt == attempts or getattr(orig, "sqlstate", None) not in RETRY_SQLSTATES:
                    raise
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()


def _reason(e: sa.exc.DBAPIError) -> str:
    return str(e.orig).strip().splitlines()[0] if e.orig is not None else str(e)
