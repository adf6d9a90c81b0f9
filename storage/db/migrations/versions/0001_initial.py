"""Initial schema: batches, dossiers, documents, pages, fields, field_history.

Revision ID: 0001_initial
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        sa.Column("summary", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_batches"),
    )

    op.create_table(
        "dossiers",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("lookup_key", sa.String(600), nullable=False),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("code", sa.String(64), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("procedure", sa.Text(), nullable=True),
        sa.Column("applicant_name", sa.Text(), nullable=True),
        sa.Column("applicant_id", sa.String(32), nullable=True),
        sa.Column("received_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_dossiers"),
        sa.UniqueConstraint("lookup_key", name="uq_dossiers_lookup_key"),
        sa.UniqueConstraint("code", name="uq_dossiers_code"),
    )
    op.create_index("ix_dossiers_applicant_id", "dossiers", ["applicant_id"])

    op.create_table(
        "documents",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("dossier_id", sa.String(36), nullable=True),
        sa.Column("batch_id", sa.String(64), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("original_bucket", sa.String(63), nullable=True),
        sa.Column("original_key", sa.String(1024), nullable=True),
        sa.Column("original_version", sa.String(128), nullable=True),
        sa.Column("original_size", sa.BigInteger(), nullable=True),
        sa.Column("derived_bucket", sa.String(63), nullable=True),
        sa.Column("derived_key", sa.String(1024), nullable=True),
        sa.Column("derived_version", sa.String(128), nullable=True),
        sa.Column("derived_sha256", sa.String(64), nullable=True),
        sa.Column("derived_size", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(64), nullable=True),
        sa.Column("doc_type_confidence", sa.Float(), nullable=True),
        sa.Column("review_reasons", JSON, nullable=False),
        sa.Column("to_rescan", JSON, nullable=False),
        sa.Column("archive_bucket", sa.String(63), nullable=True),
        sa.Column("archive_key", sa.String(1024), nullable=True),
        sa.Column("archive_version_id", sa.String(128), nullable=True),
        sa.Column("archive_sha256", sa.String(64), nullable=True),
        _ts("archive_retain_until", nullable=True),
        sa.Column("signature_level", sa.String(32), nullable=True),
        _ts("signed_at", nullable=True),
        sa.Column("signer", sa.Text(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=True),
        sa.Column("approved_by", sa.Text(), nullable=True),
        _ts("approved_at", nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name="fk_documents_dossier_id_dossiers", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_documents_dossier_id", "documents", ["dossier_id"])
    op.create_index("ix_documents_batch_id", "documents", ["batch_id"])
    op.create_index("ix_documents_sha256", "documents", ["sha256"])
    op.create_index("ix_documents_status", "documents", ["status"])
    op.create_index("ix_documents_doc_type", "documents", ["doc_type"])
    op.create_index("ix_documents_updated_at", "documents", ["updated_at"])
    op.create_index("ix_documents_archive_sha256", "documents", ["archive_sha256"])

    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("dpi", sa.Integer(), nullable=False),
        sa.Column("mean_confidence", sa.Float(), nullable=False),
        sa.Column("blank", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("notes", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pages"),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name="fk_pages_document_id_documents", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("document_id", "index", name="uq_pages_document_id_index"),
    )

    op.create_table(
        "fields",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("bbox", JSON, nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("problems", JSON, nullable=False),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_fields"),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name="fk_fields_document_id_documents", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("document_id", "key", name="uq_fields_document_id_key"),
    )
    op.create_index("ix_fields_key", "fields", ["key"])

    op.create_table(
        "field_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(200), nullable=False),
        _ts("changed_at"),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_field_history"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name="fk_field_history_document_id_documents",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_field_history_document_id_key", "field_history", ["document_id", "key"])


def downgrade() -> None:
    op.drop_table("field_history")
    op.drop_table("fields")
    op.drop_table("pages")
    op.drop_table("documents")
    op.drop_table("dossiers")
    op.drop_table("batches")
