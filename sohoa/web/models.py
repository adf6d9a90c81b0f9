"""The web application's own tables (accounts, API tokens, review decisions, web events), prefixed ``web_``.

They live on the same database as storage/db and are created by its Alembic history (revision
``0006_web_tables``), like every other table: ``Database.migrate()`` brings them up to date. The migration
must create exactly these tables (tests/web/test_web_migration.py compares the two).
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class WebBase(DeclarativeBase):
    pass


class Account(WebBase):
    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(sa.String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    roles: Mapped[str] = mapped_column(sa.String(200))  # comma-separated role names
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class ApiToken(WebBase):
    __tablename__ = "web_api_tokens"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)  # the token itself is never stored
    username: Mapped[str] = mapped_column(sa.String(100), index=True)
    label: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class ReviewAction(WebBase):
    """An officer's or operator's decision that is not an approval: reject, or send back to the scanner."""

    __tablename__ = "web_review_actions"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    action: Mapped[str] = mapped_column(sa.String(16))  # "reject" | "rescan"
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    actor: Mapped[str] = mapped_column(sa.String(100))
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class WebEvent(WebBase):
    """What people did through the web application (logins, corrections, approvals, uploads, checks)."""

    __tablename__ = "web_events"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(sa.String(100), index=True)
    action: Mapped[str] = mapped_column(sa.String(32))
    target: Mapped[str | None] = mapped_column(sa.String(200))
    detail: Mapped[str | None] = mapped_column(sa.Text)


WEB_TABLES = [Account.__table__, ApiToken.__table__, ReviewAction.__table__, WebEvent.__table__]
