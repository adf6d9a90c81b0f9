"""Reuse: everything already digitised about a citizen or a company, so that nothing is asked for twice.

``lookup_person`` / ``lookup_org`` return every document linked to the person or company (with its archive
location and signing time when archived) and the known facts with their sources, conflicting values side by
side and flagged. Each call is recorded in the access log, found or not.

On PostgreSQL the owner, their documents and facts, and the access-log row are one statement (JSON aggregates and
a data-modifying CTE): one round trip before the commit instead of four. SQLite reads them with two queries.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from storage.access_log import checked_actor, record_access
from storage.db.models import (
    AccessLogEntry,
    Document,
    DocumentParty,
    Dossier,
    Organisation,
    OrgFact,
    Person,
    PersonFact,
)


@dataclass(frozen=True)
class DocumentRef:
    document_id: str
    role: str
    doc_type: str | None
    status: str
    source: str
    dossier_code: str | None
    archive_bucket: str | None
    archive_key: str | None
    archive_version_id: str | None
    signed_at: datetime | None

    @property
    def signed(self) -> bool:
        return self.signed_at is not None and self.archive_key is not None


@dataclass(frozen=True)
class FactView:
    key: str
    value: str
    document_id: str
    doc_type: str | None
    field_key: str
    confidence: float
    observed_at: datetime
    conflicting: bool  # another source gives this key another value


@dataclass(frozen=True)
class PersonView:
    personal_id: str
    found: bool
    full_name: str | None = None
    date_of_birth: str | None = None
    documents: list[DocumentRef] = field(default_factory=list)
    facts: list[FactView] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # fact keys with more than one value

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


@dataclass(frozen=True)
class OrgView:
    enterprise_code: str
    found: bool
    name: str | None = None
    documents: list[DocumentRef] = field(default_factory=list)
    facts: list[FactView] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


def _plain(view: PersonView | OrgView) -> dict[str, Any]:
    out = asdict(view)
    for doc, ref in zip(out["documents"], view.documents, strict=True):
        doc["signed"] = ref.signed
        doc["signed_at"] = ref.signed_at.isoformat() if ref.signed_at else None
    for fact in out["facts"]:
        fact["observed_at"] = fact["observed_at"].isoformat()
    return out


def _document_columns() -> tuple[Any, ...]:
    """What a lookup shows of each document: the same for the two-query path and the single statement."""
    return (
        DocumentParty.role,
        Document.id.label("document_id"),
        Document.doc_type,
        Document.status,
        Document.source,
        Dossier.code.label("dossier_code"),
        Document.archive_bucket,
        Document.archive_key,
        Document.archive_version_id,
        Document.signed_at,
    )


def _owner_and_documents(
    s: Session, owner: Any, columns: tuple[Any, ...], link: Any, condition: Any
) -> tuple[Any, list[DocumentRef]]:
    """The person's or company's row (``columns``, None when unknown) and their documents, signed first, in one
    query: the columns needed, not whole rows."""
    rows = s.execute(
        sa.select(*columns, *_document_columns())
        .select_from(owner)
        .outerjoin(DocumentParty, link == owner.id)
        .outerjoin(Document, Document.id == DocumentParty.document_id)
        .outerjoin(Dossier, Dossier.id == Document.dossier_id)
        .where(condition)
        .order_by(Document.signed_at.desc().nulls_last(), Document.updated_at.desc(), Document.id)
    ).all()
    documents = [
        DocumentRef(
            document_id=r.document_id,
            role=r.role,
            doc_type=r.doc_type,
            status=r.status,
            source=r.source,
            dossier_code=r.dossier_code,
            archive_bucket=r.archive_bucket,
            archive_key=r.archive_key,
            archive_version_id=r.archive_version_id,
            signed_at=r.signed_at,
        )
        for r in rows
        if r.document_id is not None
    ]
    return (rows[0] if rows else None), documents


def _facts(s: Session, model: Any, owner: Any, owner_id: int) -> tuple[list[FactView], list[str]]:
    rows = s.execute(
        sa.select(
            model.key,
            model.value,
            model.value_key,
            model.document_id,
            Document.doc_type,
            model.field_key,
            model.confidence,
            model.observed_at,
        )
        .join(Document, Document.id == model.document_id)
        .where(owner == owner_id)
        .order_by(model.key, model.observed_at, model.id)
    ).all()
    return _fact_views([r._asdict() for r in rows])


def _fact_views(rows: list[dict[str, Any]]) -> tuple[list[FactView], list[str]]:
    """The facts (dicts of ``_FACT_COLUMNS``), each flagged when its key has several values; those keys."""
    values: dict[str, set[str]] = {}
    for row in rows:
        values.setdefault(row["key"], set()).add(row["value_key"])
    conflicts = sorted(k for k, v in values.items() if len(v) > 1)
    facts = [
        FactView(**{c: f[c] for c in _FACT_COLUMNS if c != "value_key"}, conflicting=f["key"] in conflicts)
        for f in rows
    ]
    return facts, conflicts


_DOC_COLUMNS = (
    "role",
    "document_id",
    "doc_type",
    "status",
    "source",
    "dossier_code",
    "archive_bucket",
    "archive_key",
    "archive_version_id",
    "signed_at",
)
_FACT_COLUMNS = (
    "key",
    "value",
    "value_key",
    "document_id",
    "doc_type",
    "field_key",
    "confidence",
    "observed_at",
)


def _json_object(cte: Any, names: tuple[str, ...]) -> Any:
    return sa.func.json_build_object(*(x for n in names for x in (sa.literal(n), cte.c[n])))


def _when(value: str | None) -> datetime | None:
    """A timestamp as ``json_build_object`` writes it, in UTC like ``UTCDateTime``."""
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


_STATEMENTS: dict[str, Any] = {}  # kind -> the single statement, built once (building it costs milliseconds)
_LOG_COLUMNS = ("at", "actor", "action", "subject_kind", "subject_id", "purpose")


def _in_one_statement(
    s: Session,
    kind: str,
    key: str,
    owner: Any,
    columns: tuple[Any, ...],
    link: Any,
    key_column: Any,
    fact_model: Any,
    fact_owner: Any,
    log: dict[str, Any],
) -> tuple[dict[str, Any] | None, list[DocumentRef], list[FactView], list[str]]:
    """PostgreSQL: the owner's row (a dict of ``columns``, None when unknown), their documents, facts and
    conflicting keys, with the access-log row ``log`` written (its ``detail`` computed), in one statement."""
    stmt = _STATEMENTS.get(kind)
    if stmt is None:
        stmt = _STATEMENTS[kind] = _one_statement(owner, columns, link, key_column, fact_model, fact_owner)
    params = {f"log_{k}": v for k, v in {"at": datetime.now(UTC), **log}.items()}
    owner_row, doc_rows, fact_rows, _ = s.execute(stmt, {"owner_key": key, **params}).one()
    documents = [DocumentRef(**{**d, "signed_at": _when(d["signed_at"])}) for d in doc_rows or []]
    facts_seen, conflicts = _fact_views(
        [{**f, "observed_at": _when(f["observed_at"])} for f in fact_rows or []]
    )
    return owner_row, documents, facts_seen, conflicts


def _one_statement(
    owner: Any, columns: tuple[Any, ...], link: Any, key_column: Any, fact_model: Any, fact_owner: Any
) -> Any:
    """The statement of ``_in_one_statement``; parameters ``owner_key`` and ``log_<column>``."""
    condition = key_column == sa.bindparam("owner_key", type_=key_column.type)
    found = sa.select(*columns).select_from(owner).where(condition).cte("found")
    docs = (
        sa.select(*_document_columns(), Document.updated_at)
        .select_from(DocumentParty)
        .join(found, link == found.c.owner_id)
        .join(Document, Document.id == DocumentParty.document_id)
        .outerjoin(Dossier, Dossier.id == Document.dossier_id)
        .cte("docs")
    )
    own = fact_model.__table__.c
    facts = (
        sa.select(*(own[c] for c in _FACT_COLUMNS if c != "doc_type"), own.id, Document.doc_type)
        .select_from(fact_model)
        .join(found, fact_owner == found.c.owner_id)
        .join(Document, Document.id == fact_model.document_id)
        .cte("facts")
    )
    detail = sa.func.jsonb_build_object(
        sa.literal("found"),
        sa.exists(sa.select(found.c.owner_id)),
        sa.literal("documents"),
        sa.select(sa.func.count()).select_from(docs).scalar_subquery(),
    )
    log_columns = AccessLogEntry.__table__.c
    values = [sa.bindparam(f"log_{k}", type_=log_columns[k].type) for k in _LOG_COLUMNS]
    logged = (
        sa.insert(AccessLogEntry)
        .from_select([*_LOG_COLUMNS, "detail"], sa.select(*values, detail))
        .returning(AccessLogEntry.id)
        .cte("logged")
    )
    doc_order = (docs.c.signed_at.desc().nulls_last(), docs.c.updated_at.desc(), docs.c.document_id)
    fact_order = (facts.c.key, facts.c.observed_at, facts.c.id)
    return sa.select(
        sa.select(_json_object(found, tuple(c.key for c in columns))).scalar_subquery(),
        sa.select(
            sa.func.json_agg(postgresql.aggregate_order_by(_json_object(docs, _DOC_COLUMNS), *doc_order))
        ).scalar_subquery(),
        sa.select(
            sa.func.json_agg(postgresql.aggregate_order_by(_json_object(facts, _FACT_COLUMNS), *fact_order))
        ).scalar_subquery(),
        sa.select(logged.c.id).scalar_subquery(),
    )


def _log(kind: str, key: str, actor: str, purpose: str | None) -> dict[str, Any]:
    """The access-log row of a lookup, but its time and detail."""
    return {
        "actor": checked_actor(actor),
        "action": f"lookup_{kind}",
        "subject_kind": kind,
        "subject_id": key,
        "purpose": purpose,
    }


def _lookup(
    s: Session,
    kind: str,
    key: str,
    *,
    actor: str,
    purpose: str | None,
    owner: Any,
    columns: tuple[Any, ...],
    link: Any,
    key_column: Any,
    fact_model: Any,
    fact_owner: Any,
    one_statement: bool | None = None,
) -> tuple[dict[str, Any] | None, list[DocumentRef], list[FactView], list[str]]:
    """The owner's row (None when unknown), documents, facts and conflicting keys; the read is recorded in the
    access log (who, when, what, why) before anything is shown. ``one_statement``: PostgreSQL's single
    statement (the default there) or the two queries of SQLite."""
    log = _log(kind, key, actor, purpose)
    if one_statement is None:
        one_statement = s.get_bind().dialect.name == "postgresql"
    if one_statement:
        return _in_one_statement(s, kind, key, owner, columns, link, key_column, fact_model, fact_owner, log)
    row, documents = _owner_and_documents(s, owner, columns, link, key_column == key)
    facts, conflicts = _facts(s, fact_model, fact_owner, row.owner_id) if row is not None else ([], [])
    record_access(s, **log, detail={"found": row is not None, "documents": len(documents)})
    found = {c.key: getattr(row, c.key) for c in columns} if row is not None else None
    return found, documents, facts, conflicts


def lookup_person(
    s: Session,
    personal_id: str,
    *,
    actor: str,
    purpose: str | None = None,
) -> PersonView:
    """What is known about the citizen with this personal ID. ``found`` is False for an unknown ID."""
    pid = re.sub(r"\s", "", personal_id)
    person, documents, facts, conflicts = _lookup(
        s,
        "person",
        pid,
        actor=actor,
        purpose=purpose,
        owner=Person,
        columns=(Person.id.label("owner_id"), Person.full_name, Person.date_of_birth),
        link=DocumentParty.person_id,
        key_column=Person.personal_id,
        fact_model=PersonFact,
        fact_owner=PersonFact.person_id,
    )
    if person is None:
        return PersonView(personal_id=pid, found=False)
    return PersonView(
        personal_id=pid,
        found=True,
        full_name=person["full_name"],
        date_of_birth=person["date_of_birth"],
        documents=documents,
        facts=facts,
        conflicts=conflicts,
    )


def lookup_org(
    s: Session,
    enterprise_code: str,
    *,
    actor: str,
    purpose: str | None = None,
) -> OrgView:
    """What is known about the company with this enterprise code. ``found`` is False for an unknown code."""
    code = re.sub(r"\s", "", enterprise_code)
    org, documents, facts, conflicts = _lookup(
        s,
        "org",
        code,
        actor=actor,
        purpose=purpose,
        owner=Organisation,
        columns=(Organisation.id.label("owner_id"), Organisation.name),
        link=DocumentParty.org_id,
        key_column=Organisation.enterprise_code,
        fact_model=OrgFact,
        fact_owner=OrgFact.org_id,
    )
    if org is None:
        return OrgView(enterprise_code=code, found=False)
    return OrgView(
        enterprise_code=code,
        found=True,
        name=org["name"],
        documents=documents,
        facts=facts,
        conflicts=conflicts,
    )
