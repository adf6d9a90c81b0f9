"""The web application's tables (sohoa/web/models.py): accounts, API tokens, review decisions, web events.

Session-1 deployments created these tables with ``create_all`` when the web application started; a table that
already exists is left as it is (same columns, same index names), so such a database upgrades cleanly.

Revision ID: 0006_web_tables
Revises: 0005_inventory_rescans
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_web_tables"
down_revision = "0005_inventory_rescans"
branch_labels = None
depends_on = None

TABLES = ("web_users", "web_api_tokens", "web_review_actions", "web_events")


def _ts(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True, nullable=False)


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "web_users" not in existing:
        op.create_table(
            "web_users",
            _id(),
            sa.Column("username", sa.String(100), nullable=False, unique=True),
            sa.Column("password_hash", sa.String(200), nullable=False),
            sa.Column("roles", sa.String(200), nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False),
            _ts("created_at"),
        )
    if "web_api_tokens" not in existing:
        op.create_table(
            "web_api_tokens",
            _id(),
            sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
            sa.Column("username", sa.String(100), nullable=False),
            sa.Column("label", sa.String(200), nullable=False),
            _ts("created_at"),
        )
        op.create_index("ix_web_api_tokens_username", "web_api_tokens", ["username"])
    if "web_review_actions" not in existing:
        op.create_table(
            "web_review_actions",
            _id(),
            sa.Column("document_id", sa.String(64), nullable=False),
            sa.Column("action", sa.String(16), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("actor", sa.String(100), nullable=False),
            _ts("at"),
        )
        op.create_index("ix_web_review_actions_document_id", "web_review_actions", ["document_id"])
    if "web_events" not in existing:
        op.create_table(
            "web_events",
            _id(),
            _ts("at"),
            sa.Column("actor", sa.String(100), nullable=False),
            sa.Column("action", sa.String(32), nullable=False),
            sa.Column("target", sa.String(200), nullable=True),
            sa.Column("detail", sa.Text(), nullable=True),
        )
        op.create_index("ix_web_events_at", "web_events", ["at"])
        op.create_index("ix_web_events_actor", "web_events", ["actor"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
