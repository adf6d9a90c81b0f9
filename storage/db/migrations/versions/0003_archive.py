"""The archive: BagIt packages of dossiers and the fixity history of every archived object.

Revision ID: 0003_archive
Revises: 0002_people
Create Date: 2026-01-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_archive"
down_revision = "0002_people"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "archive_packages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dossier_id", sa.String(36), nullable=True),
        sa.Column("dossier_code", sa.String(64), nullable=False),
        sa.Column("bucket", sa.String(63), nullable=False),
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("version_id", sa.String(128), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("manifest", JSON, nullable=False),
        _ts("retain_until", nullable=True),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_archive_packages"),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name="fk_archive_packages_dossier_id_dossiers",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("bucket", "key", "version_id", name="uq_archive_packages_bucket_key_version_id"),
    )
    op.create_index("ix_archive_packages_dossier_id", "archive_packages", ["dossier_id"])
    op.create_index("ix_archive_packages_dossier_code", "archive_packages", ["dossier_code"])

    op.create_table(
        "fixity_checks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(36), nullable=False),
        _ts("checked_at"),
        sa.Column("document_id", sa.String(64), nullable=True),
        sa.Column("package_id", sa.Integer(), nullable=True),
        sa.Column("bucket", sa.String(63), nullable=False),
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("version_id", sa.String(128), nullable=True),
        sa.Column("expected_sha256", sa.String(64), nullable=True),
        sa.Column("manifest_sha256", sa.String(64), nullable=True),
        sa.Column("actual_sha256", sa.String(64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_fixity_checks"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name="fk_fixity_checks_document_id_documents",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["archive_packages.id"],
            name="fk_fixity_checks_package_id_archive_packages",
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_fixity_checks_run_id", "fixity_checks", ["run_id"])
    op.create_index("ix_fixity_checks_checked_at", "fixity_checks", ["checked_at"])
    op.create_index("ix_fixity_checks_document_id", "fixity_checks", ["document_id"])
    op.create_index("ix_fixity_checks_package_id", "fixity_checks", ["package_id"])
    op.create_index("ix_fixity_checks_outcome", "fixity_checks", ["outcome"])
    op.create_index("ix_fixity_checks_bucket_key", "fixity_checks", ["bucket", "key"])


def downgrade() -> None:
    op.drop_table("fixity_checks")
    op.drop_table("archive_packages")
