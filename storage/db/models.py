"""The shared database: batches, dossiers, documents, pages, fields and the history of field values; agencies,
persons, organisations, the facts known about them, their links to documents, and the access log.

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


# Where a field value comes from: read by OCR, taken from the PDF's text layer, typed or corrected by an
# officer, or given by the dossier's reception record.
FIELD_SOURCES = ("ocr", "text_layer", "officer", "dossier")

# Objects of the search index that the models do not describe: the SQLite FTS5 table (with its shadow
# tables) and the PostgreSQL expression indexes. Alembic's comparison must skip them (``include_name``).
SEARCH_OBJECT_PREFIXES = ("search_fts", "ix_pages_search", "ix_fields_search")


def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    """For Alembic's ``include_name``: everything but the search index objects."""
    return not (name and name.startswith(SEARCH_OBJECT_PREFIXES))


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
    # The agency e-ID at the head of the dossier code (``H31.01.05`` of ``H31.01.05-240315-0042``).
    agency_code: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    # What the archive's inventory (mục lục hồ sơ) says of the dossier: Thông tư 05/2025/TT-BNV metadata.
    start_date: Mapped[date | None] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    retention: Mapped[str | None] = mapped_column(NFCText)  # as written: "Vĩnh viễn", "20 năm"
    access_mode: Mapped[str | None] = mapped_column(NFCText)
    original_code: Mapped[str | None] = mapped_column(NFCString(64))  # code of the paper dossier

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
    # Which worker is processing the document, until when (a lease: a crashed worker's claim expires).
    claimed_by: Mapped[str | None] = mapped_column(sa.String(128))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A rescan fed with ``sohoa ingest --replace``: the new document names the one it replaces, which
    # becomes ``superseded`` and keeps its original and archived versions in storage.
    replaces: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    replaced_by: Mapped[str | None] = mapped_column(sa.String(64))

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
    source: Mapped[str] = mapped_column(sa.String(16))  # one of FIELD_SOURCES
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


# ---------------------------------------------------------------- who the documents are about


class Agency(Base):
    """An agency (cơ quan) by its e-ID code, e.g. ``H31.01.05``."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str | None] = mapped_column(NFCText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Person(Base):
    """A citizen. Keyed by the personal ID when known; a person known only by name and birth date has no
    ``personal_id`` and is unique by ``name_key`` (folded name ``|`` birth date) among such persons.
    ``full_name`` / ``date_of_birth`` are the first values seen; the facts are the record."""

    __tablename__ = "persons"
    __table_args__ = (
        sa.Index(
            "uq_persons_name_key_unidentified",
            "name_key",
            unique=True,
            sqlite_where=sa.text("personal_id IS NULL"),
            postgresql_where=sa.text("personal_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    personal_id: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    name_key: Mapped[str | None] = mapped_column(sa.String(400), index=True)
    full_name: Mapped[str | None] = mapped_column(NFCText)
    date_of_birth: Mapped[str | None] = mapped_column(sa.String(10))  # ISO, as the fields carry it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Organisation(Base):
    """A company or other organisation, keyed by its enterprise code (mã số doanh nghiệp)."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    enterprise_code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str | None] = mapped_column(NFCText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PersonFact(Base):
    """One thing one document says about a person. Facts are never overwritten: two documents that disagree
    give two rows, side by side, each with its source (a conflict is two ``value_key`` for one ``key``)."""

    __tablename__ = "person_facts"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "document_id", "key"),
        sa.Index("ix_person_facts_person_id_key", "person_id", "key"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(64))  # full_name, date_of_birth, sex, place_of_residence, ...
    value: Mapped[str] = mapped_column(NFCText)
    value_key: Mapped[str] = mapped_column(NFCText)  # folded value: what comparisons use
    document_id: Mapped[str] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    field_key: Mapped[str] = mapped_column(sa.String(64))  # the document field it was read from
    confidence: Mapped[float] = mapped_column(sa.Float)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrgFact(Base):
    """One thing one document says about an organisation (see PersonFact)."""

    __tablename__ = "org_facts"
    __table_args__ = (
        sa.UniqueConstraint("org_id", "document_id", "key"),
        sa.Index("ix_org_facts_org_id_key", "org_id", "key"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(64))
    value: Mapped[str] = mapped_column(NFCText)
    value_key: Mapped[str] = mapped_column(NFCText)
    document_id: Mapped[str] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    field_key: Mapped[str] = mapped_column(sa.String(64))
    confidence: Mapped[float] = mapped_column(sa.Float)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


PARTY_ROLES = (
    "holder",
    "applicant",
    "mother",
    "father",
    "husband",
    "wife",
    "legal_representative",
    "investor",
    "signer",
)


class DocumentParty(Base):
    """Who a document is about, and as what. ``person_id`` / ``org_id`` is None when the document names
    someone who cannot be told apart from others (a parent's name alone); ``name`` is as written."""

    __tablename__ = "document_parties"
    __table_args__ = (sa.UniqueConstraint("document_id", "role"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(sa.String(32))  # one of PARTY_ROLES
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(NFCText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AccessLogEntry(Base):
    """A read of personal data: who, when, what, why. Written in the reader's own transaction."""

    __tablename__ = "access_log"
    __table_args__ = (sa.Index("ix_access_log_subject_kind_subject_id", "subject_kind", "subject_id"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(NFCString(200), index=True)
    action: Mapped[str] = mapped_column(sa.String(32))  # lookup_person, lookup_org, search, export
    subject_kind: Mapped[str] = mapped_column(sa.String(16))  # person, org, query, doc_type
    subject_id: Mapped[str | None] = mapped_column(NFCString(200))  # what was asked for
    purpose: Mapped[str | None] = mapped_column(NFCText)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


# ---------------------------------------------------------------- the archive: packages and fixity


class ArchivePackage(Base):
    """A BagIt package of a dossier (``storage.package``) written to the archive bucket; ``manifest`` is its
    payload manifest (path in the bag -> SHA-256), kept so that fixity can compare without reading the tar."""

    __tablename__ = "archive_packages"
    __table_args__ = (sa.UniqueConstraint("bucket", "key", "version_id"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    dossier_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("dossiers.id", ondelete="SET NULL"), index=True
    )
    dossier_code: Mapped[str] = mapped_column(NFCString(64), index=True)
    bucket: Mapped[str] = mapped_column(sa.String(63))
    key: Mapped[str] = mapped_column(sa.String(1024))
    version_id: Mapped[str | None] = mapped_column(sa.String(128))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    manifest: Mapped[dict[str, str]] = mapped_column(JSONType)
    retain_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


FIXITY_OUTCOMES = ("ok", "mismatch", "missing", "error")


class FixityCheck(Base):
    """One re-reading of one archived object version: what was expected, what was found."""

    __tablename__ = "fixity_checks"
    __table_args__ = (sa.Index("ix_fixity_checks_bucket_key", "bucket", "key"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    document_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    package_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("archive_packages.id", ondelete="SET NULL"), index=True
    )
    bucket: Mapped[str] = mapped_column(sa.String(63))
    key: Mapped[str] = mapped_column(sa.String(1024))
    version_id: Mapped[str | None] = mapped_column(sa.String(128))
    expected_sha256: Mapped[str | None] = mapped_column(sa.String(64))  # the database's record
    manifest_sha256: Mapped[str | None] = mapped_column(sa.String(64))  # the package manifest's, if any
    actual_sha256: Mapped[str | None] = mapped_column(sa.String(64))  # recomputed from the stored bytes
    size: Mapped[int | None] = mapped_column(sa.BigInteger)
    outcome: Mapped[str] = mapped_column(sa.String(16), index=True)  # one of FIXITY_OUTCOMES
    detail: Mapped[str | None] = mapped_column(NFCText)
