"""Inventory metadata on dossiers (Thông tư 05/2025/TT-BNV) and rescans that replace a document.

Revision ID: 0005_inventory_rescans
Revises: 0004_claims
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_inventory_rescans"
down_revision = "0004_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("start_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("end_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("retention", sa.Text(), nullable=True))
        batch.add_column(sa.Column("access_mode", sa.Text(), nullable=True))
        batch.add_column(sa.Column("original_code", sa.String(64), nullable=True))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("replaces", sa.String(64), nullable=True))
        batch.add_column(sa.Column("replaced_by", sa.String(64), nullable=True))
        batch.create_index("ix_documents_replaces", ["replaces"])


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_replaces")
        batch.drop_column("replaced_by")
        batch.drop_column("replaces")
    with op.batch_alter_table("dossiers") as batch:
        for c in ("original_code", "access_mode", "retention", "end_date", "start_date"):
            batch.drop_column(c)
