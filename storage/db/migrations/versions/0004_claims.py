"""Document claims: several workers share one batch, each document is processed by one of them.

Revision ID: 0004_claims
Revises: 0003_archive
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_claims"
down_revision = "0003_archive"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(128), nullable=True))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
