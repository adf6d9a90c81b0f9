"""Identity resolution: who a document is about, linked to one person or organisation, with the facts it states.

``link_document(s, doc_id)`` is called by the pipeline right after ``save_document``, in the same session. It
maps the document's fields to parties by role (document-types.md), finds or creates each person by personal ID
(or, without one, by folded name + birth date) and each organisation by enterprise code, records what the
document says about them as facts, and returns the mismatches with what was known before, in plain words.

Every write is an ``INSERT ... ON CONFLICT`` against a unique constraint: concurrent workers never create the
same person, organisation, fact or link twice, whatever the interleaving. Rerunning it replaces the document's
own links and facts (idempotent). Nothing here logs an ID number or a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pipelines.errors import NotFoundError
from pipelines.logs import get_logger
from storage.db.fold import fold_key
from storage.db.models import Document, DocumentParty, FieldValue, Organisation, OrgFact, Person, PersonFact

log = get_logger(__name__)

PERSONAL_ID = re.compile(r"^(\d{12}|\d{9})$")  # CCCD / personal ID, or the old 9-digit CMND
ENTERPRISE_CODE = re.compile(r"^\d{10}(-\d{3})?$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class PartySpec:
    """Where one party of a document type is in its fields. ``facts`` maps a fact key to a field key."""

    role: str
    kind: str  # "person" | "org"
    name_field: str
    id_field: str | None = None
    dob_field: str | None = None
    facts: dict[str, str] = field(default_factory=dict)


def _person(role: str, name: str, pid: str | None = None, dob: str | None = None, **facts: str) -> PartySpec:
    all_facts = {"full_name": name, **({"date_of_birth": dob} if dob else {}), **facts}
    return PartySpec(role, "person", name, pid, dob, all_facts)


PARTIES: dict[str, tuple[PartySpec, ...]] = {
    "citizen_id": (
        _person(
            "holder",
            "full_name",
            "personal_id",
            "date_of_birth",
            sex="sex",
            nationality="nationality",
            place_of_origin="place_of_origin",
            place_of_residence="place_of_residence",
        ),
    ),
    "birth_certificate": (
        _person(
            "holder",
            "full_name",
            "personal_id",
            "date_of_birth",
            sex="sex",
            place_of_birth="place_of_birth",
            ethnicity="ethnicity",
            nationality="nationality",
        ),
        _person("mother", "mother_name"),
        _person("father", "father_name"),
    ),
    "marriage_certificate": (
        _person("husband", "husband_name", "husband_id", "husband_date_of_birth"),
        _person("wife", "wife_name", "wife_id", "wife_date_of_birth"),
    ),
    "land_use_certificate": (_person("holder", "holder_name", "holder_id"),),
    "business_registration": (
        PartySpec(
            "holder",
            "org",
            "company_name",
            "enterprise_code",
            facts={
                "company_name": "company_name",
                "head_office_address": "head_office_address",
                "legal_representative": "legal_representative",
                "charter_capital_vnd": "charter_capital_vnd",
                "first_registration_date": "first_registration_date",
            },
        ),
        _person("legal_representative", "legal_representative"),
    ),
    "building_permit": (_person("investor", "investor_name"),),
    "dossier_receipt": (_person("applicant", "applicant_name", "applicant_id"),),
    "application_form": (
        _person("applicant", "applicant_name", "applicant_id", "date_of_birth", place_of_residence="address"),
    ),
    "decision": (_person("signer", "signer_name"),),
}


def _now() -> datetime:
    return datetime.now(UTC)


def _insert(s: Session, model: type) -> Any:
    """The dialect's INSERT (both have ``on_conflict_do_nothing`` / ``on_conflict_do_update``)."""
    return (postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert)(model)


def _clean_id(value: str | None) -> str:
    return re.sub(r"[\s.]", "", value or "")


def name_key(name: str | None, dob: str | None) -> str | None:
    """``fold(name)|YYYY-MM-DD``: how a person without an ID is recognised; None without both."""
    folded = fold_key(name)
    if not folded or not dob or not ISO_DATE.match(dob.strip()):
        return None
    return f"{folded}|{dob.strip()}"


# ---------------------------------------------------------------- persons and organisations


def _person_by_id(s: Session, pid: str) -> int | None:
    return s.scalar(sa.select(Person.id).where(Person.personal_id == pid))


def resolve_person(s: Session, pid: str | None, name: str | None, dob: str | None) -> tuple[int | None, str]:
    """The person's row id, and how it was found: "id", "name_dob", "ambiguous" (several persons share the
    name and birth date: none is chosen) or "unknown" (too little to tell anyone apart)."""
    key = name_key(name, dob)
    full_name = name.strip() if name else None
    dob = dob.strip() if dob and ISO_DATE.match(dob.strip()) else None
    if pid:
        person_id = _person_by_id(s, pid)
        unidentified = key and s.scalar(
            sa.select(Person.id).where(Person.name_key == key, Person.personal_id.is_(None))
        )
        if person_id is None and unidentified:
            person_id = _adopt(s, pid, key)  # type: ignore[arg-type]
        if person_id is None:
            stmt = (
                _insert(s, Person)
                .values(
                    personal_id=pid,
                    name_key=key,
                    full_name=full_name,
                    date_of_birth=dob,
                    created_at=_now(),
                    updated_at=_now(),
                )
                .on_conflict_do_nothing(index_elements=["personal_id"])
                .returning(Person.id)
            )
            person_id = s.execute(stmt).scalar() or _person_by_id(s, pid)
        else:
            _fill_in(s, person_id, key, full_name, dob)
        if unidentified and unidentified != person_id:
            _absorb_unidentified(s, person_id, unidentified)  # type: ignore[arg-type]
        return person_id, "id"
    if key is None:
        return None, "unknown"
    ids = list(s.scalars(sa.select(Person.id).where(Person.name_key == key).order_by(Person.id).limit(3)))
    if len(ids) == 1:
        return ids[0], "name_dob"
    if len(ids) > 1:
        return None, "ambiguous"
    stmt = (
        _insert(s, Person)
        .values(name_key=key, full_name=full_name, date_of_birth=dob, created_at=_now(), updated_at=_now())
        .on_conflict_do_nothing(index_elements=["name_key"], index_where=sa.text("personal_id IS NULL"))
        .returning(Person.id)
    )
    person_id = s.execute(stmt).scalar()
    if person_id is None:
        person_id = s.scalar(sa.select(Person.id).where(Person.name_key == key, Person.personal_id.is_(None)))
    return person_id, "name_dob"


def _adopt(s: Session, pid: str, key: str) -> int | None:
    """A person known so far only by name and birth date learns their ID."""
    try:
        with s.begin_nested():
            return s.execute(
                sa.update(Person)
                .where(Person.personal_id.is_(None), Person.name_key == key)
                .values(personal_id=pid, updated_at=_now())
                .returning(Person.id)
            ).scalar()
    except sa.exc.IntegrityError:
        return None  # another worker gave the ID to a new person just now: use that one


def _fill_in(s: Session, person_id: int, key: str | None, name: str | None, dob: str | None) -> None:
    """What a person's row lacked (first values seen), without touching a row that has it."""
    if key:
        s.execute(
            sa.update(Person)
            .where(Person.id == person_id, Person.name_key.is_(None))
            .values(
                name_key=key,
                full_name=sa.func.coalesce(Person.full_name, name),
                date_of_birth=sa.func.coalesce(Person.date_of_birth, dob),
            )
        )


def _absorb_unidentified(s: Session, person_id: int, other: int) -> None:
    """An ID-less person with the same name and birth date, created while the ID was not yet known (by a
    worker running at the same time), is the same person: their facts and links move over."""
    try:
        with s.begin_nested():
            s.execute(sa.update(PersonFact).where(PersonFact.person_id == other).values(person_id=person_id))
            s.execute(
                sa.update(DocumentParty).where(DocumentParty.person_id == other).values(person_id=person_id)
            )
            s.execute(sa.delete(Person).where(Person.id == other))
    except sa.exc.IntegrityError:
        log.info("an unidentified person record could not be merged yet; it stays as it is")


def resolve_org(s: Session, code: str, name: str | None) -> int:
    stmt = (
        _insert(s, Organisation)
        .values(
            enterprise_code=code, name=name.strip() if name else None, created_at=_now(), updated_at=_now()
        )
        .on_conflict_do_nothing(index_elements=["enterprise_code"])
        .returning(Organisation.id)
    )
    org_id = s.execute(stmt).scalar()
    if org_id is None:
        org_id = s.scalar(sa.select(Organisation.id).where(Organisation.enterprise_code == code))
        s.execute(
            sa.update(Organisation)
            .where(Organisation.id == org_id, Organisation.name.is_(None))
            .values(name=name, updated_at=_now())
        )
    return org_id  # type: ignore[return-value]


# ---------------------------------------------------------------- linking a document


def _record_facts(
    s: Session, model: type, owner_col: str, owner_id: int, doc_id: str, spec: PartySpec, fields: dict
) -> list[str]:
    """Insert the facts the document states; return the fact keys whose value differs from another source."""
    rows = []
    for fact_key, field_key in spec.facts.items():
        f = fields.get(field_key)
        if f is None or not (f.value or "").strip():
            continue
        rows.append(
            {
                owner_col: owner_id,
                "key": fact_key,
                "value": f.value.strip(),
                "value_key": fold_key(f.value),
                "document_id": doc_id,
                "field_key": field_key,
                "confidence": f.confidence,
                "observed_at": _now(),
            }
        )
    if not rows:
        return []
    stmt = _insert(s, model)
    stmt = stmt.on_conflict_do_update(
        index_elements=[owner_col, "document_id", "key"],
        set_={c: stmt.excluded[c] for c in ("value", "value_key", "field_key", "confidence", "observed_at")},
    )
    s.execute(stmt, rows)
    owner = getattr(model, owner_col)
    differing = s.execute(
        sa.select(model.key, sa.func.count(sa.distinct(model.value_key)), sa.func.count())
        .where(owner == owner_id, model.key.in_([r["key"] for r in rows]))
        .group_by(model.key)
        .having(sa.func.count(sa.distinct(model.value_key)) > 1)
    ).all()
    return [f"{key} differs from what is known ({sources} sources)" for key, _values, sources in differing]


def _who(spec: PartySpec) -> str:
    return spec.role.replace("_", " ")


def link_document(s: Session, doc_id: str) -> list[str]:
    """Link a saved document to the persons and organisations it names; return mismatches in plain words.

    Idempotent: the document's previous links and facts are replaced. A person is found by ID, else by folded
    name + birth date; a party named without either (a parent, a signer) is linked by name only."""
    doc = s.get(Document, doc_id)
    if doc is None:
        raise NotFoundError(f"document {doc_id} is not in the database")
    s.execute(sa.delete(DocumentParty).where(DocumentParty.document_id == doc_id))
    s.execute(sa.delete(PersonFact).where(PersonFact.document_id == doc_id))
    s.execute(sa.delete(OrgFact).where(OrgFact.document_id == doc_id))
    specs = PARTIES.get(doc.doc_type or "", ())
    if not specs:
        return []
    fields = {f.key: f for f in s.scalars(sa.select(FieldValue).where(FieldValue.document_id == doc_id))}
    messages: list[str] = []
    for spec in specs:
        name_field = fields.get(spec.name_field)
        name = name_field.value.strip() if name_field is not None and name_field.value else None
        raw_id = _clean_id(fields[spec.id_field].value) if spec.id_field and spec.id_field in fields else ""
        person_id = org_id = None
        if spec.kind == "org":
            if not ENTERPRISE_CODE.match(raw_id):
                if raw_id:
                    messages.append("the enterprise code is not valid: the company is not linked")
                if name is None:
                    continue
            else:
                org_id = resolve_org(s, raw_id, name)
                for fact in _record_facts(s, OrgFact, "org_id", org_id, doc_id, spec, fields):
                    messages.append(f"company: {fact}")
        else:
            pid = raw_id if PERSONAL_ID.match(raw_id) else None
            if raw_id and pid is None:
                messages.append(f"the {_who(spec)}'s ID number is not valid: matched by name and birth date")
            dob_field = fields.get(spec.dob_field) if spec.dob_field else None
            dob = dob_field.value if dob_field is not None else None
            if pid is None and name is None:
                continue
            person_id, how = resolve_person(s, pid, name, dob)
            if how == "ambiguous":
                messages.append(
                    f"the {_who(spec)} has the name and birth date of several known persons: not linked"
                )
            if person_id is not None:
                for fact in _record_facts(s, PersonFact, "person_id", person_id, doc_id, spec, fields):
                    messages.append(f"{_who(spec)}: {fact}")
        stmt = _insert(s, DocumentParty).values(
            document_id=doc_id,
            role=spec.role,
            person_id=person_id,
            org_id=org_id,
            name=name,
            created_at=_now(),
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["document_id", "role"],
            set_={"person_id": person_id, "org_id": org_id, "name": name},
        )
        s.execute(stmt)
    s.flush()
    if messages:
        log.info("document linked with %d mismatch(es) against known facts", len(messages))
    return messages
