"""Reuse: everything already digitised about a citizen or a company, so that nothing is asked for twice.

``lookup_person`` / ``lookup_org`` return every document linked to the person or company (with its archive
location and signing time when archived) and the known facts with their sources, conflicting values side by
side and flagged. Each call is recorded in the access log, found or not.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from storage.access_log import record_access
from storage.db.models import Document, DocumentParty, Dossier, Organisation, OrgFact, Person, PersonFact


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


def _owner_and_documents(
    s: Session, owner: Any, columns: tuple[Any, ...], link: Any, condition: Any
) -> tuple[Any, list[DocumentRef]]:
    """The person's or company's row (``columns``, None when unknown) and their documents, signed first, in one
    query: the columns needed, not whole rows."""
    rows = s.execute(
        sa.select(
            *columns,
            DocumentParty.role,
            Document.id.label("document_id"),
            Document.doc_type,
            Document.status,
            Document.source,
            Dossier.code,
            Document.archive_bucket,
            Document.archive_key,
            Document.archive_version_id,
            Document.signed_at,
        )
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
            dossier_code=r.code,
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
    values: dict[str, set[str]] = {}
    for row in rows:
        values.setdefault(row.key, set()).add(row.value_key)
    conflicts = sorted(k for k, v in values.items() if len(v) > 1)
    facts = [
        FactView(
            key=f.key,
            value=f.value,
            document_id=f.document_id,
            doc_type=f.doc_type,
            field_key=f.field_key,
            confidence=f.confidence,
            observed_at=f.observed_at,
            conflicting=f.key in conflicts,
        )
        for f in rows
    ]
    return facts, conflicts


ViewT = TypeVar("ViewT", PersonView, OrgView)


def _logged(s: Session, view: ViewT, kind: str, key: str, *, actor: str, purpose: str | None) -> ViewT:
    """Every read of a person's or company's data is recorded (who, when, what, why) before it is shown."""
    record_access(
        s,
        actor=actor,
        action=f"lookup_{kind}",
        subject_kind=kind,
        subject_id=key,
        purpose=purpose,
        detail={"found": view.found, "documents": len(view.documents)},
    )
    return view


def lookup_person(s: Session, personal_id: str, *, actor: str, purpose: str | None = None) -> PersonView:
    """What is known about the citizen with this personal ID. ``found`` is False for an unknown ID."""
    pid = re.sub(r"\s", "", personal_id)
    columns = (Person.id.label("owner_id"), Person.full_name, Person.date_of_birth)
    person, documents = _owner_and_documents(
        s, Person, columns, DocumentParty.person_id, Person.personal_id == pid
    )
    if person is None:
        view = PersonView(personal_id=pid, found=False)
    else:
        facts, conflicts = _facts(s, PersonFact, PersonFact.person_id, person.owner_id)
        view = PersonView(
            personal_id=pid,
            found=True,
            full_name=person.full_name,
            date_of_birth=person.date_of_birth,
            documents=documents,
            facts=facts,
            conflicts=conflicts,
        )
    return _logged(s, view, "person", pid, actor=actor, purpose=purpose)


def lookup_org(s: Session, enterprise_code: str, *, actor: str, purpose: str | None = None) -> OrgView:
    """What is known about the company with this enterprise code. ``found`` is False for an unknown code."""
    code = re.sub(r"\s", "", enterprise_code)
    columns = (Organisation.id.label("owner_id"), Organisation.name)
    org, documents = _owner_and_documents(
        s, Organisation, columns, DocumentParty.org_id, Organisation.enterprise_code == code
    )
    if org is None:
        view = OrgView(enterprise_code=code, found=False)
    else:
        facts, conflicts = _facts(s, OrgFact, OrgFact.org_id, org.owner_id)
        view = OrgView(
            enterprise_code=code,
            found=True,
            name=org.name,
            documents=documents,
            facts=facts,
            conflicts=conflicts,
        )
    return _logged(s, view, "org", code, actor=actor, purpose=purpose)
