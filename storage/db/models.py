"""The shared database: batches, dossiers, documents, pages, fields and the history of field values.

The schema itself is created by the Alembic revisions in ``storage/db/migrations``; these models must match
them (``tests/storage/test_migrations.py`` compares the two).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.db.types import JSONType, NFCString, NFCText, UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Batch(Base):
    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    source: Mapped[str] = mapped_column(NFCText)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class Dossier(Base):
    """A hồ sơ. ``lookup_key`` is the code when there is one, else ``folder:<folder>``: unique, so that
    parallel workers never create the same dossier twice."""

    __tablename__ = "dossiers"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    lookup_key: Mapped[str] = mapped_column(NFCString(600), unique=True)
    folder: Mapped[str] = mapped_column(NFCText)
    code: Mapped[str | None] = mapped_column(NFCString(64), unique=True)
    title: Mapped[str | None] = mapped_column(NFCText)
    procedure: Mapped[str | None] = mapped_column(NFCText)
    applicant_name: Mapped[str | None] = mapped_column(NFCText)
    applicant_id: Mapped[str | None] = mapped_column(NFCString(32), index=True)
    received_date: Mapped[date | None] = mapped_column(sa.Date)
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    documents: Mapped[list[Document]] = relationship(back_populates="dossier")


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # the pipeline's stable document id
    dossier_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("dossiers.id", ondelete="SET NULL"), index=True
    )
    batch_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)  # batch of the last run
    source: Mapped[str] = mapped_column(NFCText)  # path relative to the batch SOURCE
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)  # of the original bytes

    original_bucket: Mapped[str | None] = mapped_column(sa.String(63))
    original_key: Mapped[str | None] = mapped_column(sa.String(1024))
    original_version: Mapped[str | None] = mapped_column(sa.String(128))
    original_size: Mapped[int | None] = mapped_column(sa.BigInteger)

    # The unsigned PDF/A kept for review and approval.
    derived_bucket: Mapped[str | None] = mapped_column(sa.String(63))
    derived_key: Mapped[str | None] = mapped_column(sa.String(1024))
    derived_version: Mapped[str | None] = mapped_column(sa.String(128))
    derived_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    derived_size: Mapped[int | None] = mapped_column(sa.BigInteger)

    status: Mapped[str] = mapped_column(sa.String(20), index=True)
    error: Mapped[str | None] = mapped_column(NFCText)
    page_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    doc_type: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    doc_type_confidence: Mapped[float | None] = mapped_column(sa.Float)
    review_reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    to_rescan: Mapped[list[str]] = mapped_column(JSONType, default=list)

    archive_bucket: Mapped[str | None] = mapped_column(sa.String(63))
    archive_key: Mapped[str | None] = mapped_column(sa.String(1024))
    archive_version_id: Mapped[str | None] = mapped_column(sa.String(128))
    archive_sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    archive_retain_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sequence: Mapped[int | None] = mapped_column(sa.Integer)  # position in the dossier (archive file name)
    approved_by: Mapped[str | None] = mapped_column(NFCText)  # who approved a reviewed document
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    signature_level: Mapped[str | None] = mapped_column(sa.String(32))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signer: Mapped[str | None] = mapped_column(NFCText)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    dossier: Mapped[Dossier | None] = relationship(back_populates="documents")
    pages: Mapped[list[Page]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Page.index"
    )
    fields: Mapped[list[FieldValue]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="FieldValue.key"
    )


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (sa.UniqueConstraint("document_id", "index"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column(sa.Integer)  # 0-based
    source: Mapped[str] = mapped_column(sa.String(16))  # "ocr" | "text_layer"
    width: Mapped[int] = mapped_column(sa.Integer)
    height: Mapped[int] = mapped_column(sa.Integer)
    dpi: Mapped[int] = mapped_column(sa.Integer)
    mean_confidence: Mapped[float] = mapped_column(sa.Float)
    blank: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    text: Mapped[str] = mapped_column(NFCText, default="")
    notes: Mapped[list[str]] = mapped_column(JSONType, default=list)

    document: Mapped[Document] = relationship(back_populates="pages")


class FieldValue(Base):
    """One extracted (or officer-corrected) field of a document; ``Field`` in pipelines/model.py."""

    __tablename__ = "fields"
    __table_args__ = (sa.UniqueConstraint("document_id", "key"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(64), index=True)
    value: Mapped[str] = mapped_column(NFCText)
    confidence: Mapped[float] = mapped_column(sa.Float)
    raw: Mapped[str] = mapped_column(NFCText, default="")
    page: Mapped[int | None] = mapped_column(sa.Integer)
    bbox: Mapped[list[int] | None] = mapped_column(JSONType)
    source: Mapped[str] = mapped_column(sa.String(16))  # "ocr" | "text_layer" | "officer" | "dossier"
    problems: Mapped[list[str]] = mapped_column(JSONType, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    document: Mapped[Document] = relationship(back_populates="fields")


class FieldHistory(Base):
    """Every change of a field's value after it was first recorded (reruns and officer corrections)."""

    __tablename__ = "field_history"
    __table_args__ = (sa.Index("ix_field_history_document_id_key", "document_id", "key"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(64))
    old_value: Mapped[str | None] = mapped_column(NFCText)  # None: the field did not exist
    new_value: Mapped[str | None] = mapped_column(NFCText)  # None: the field was removed
    changed_by: Mapped[str] = mapped_column(NFCString(200))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(NFCText)
