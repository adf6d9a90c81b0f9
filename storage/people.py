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

import json
import re
from collections.abc import Callable
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


def insert_many(
    s: Session, model: Any, rows: list[dict[str, Any]], conflict: Callable[[Any], Any] | None = None
) -> None:
    """INSERT many rows (all with the same keys) in one statement, ``conflict(stmt)`` adding its ON CONFLICT
    clause. PostgreSQL: ``INSERT ... SELECT FROM unnest(<one array per column>)``: a short statement with one
    parameter a column, whatever the number of rows; SQLite: ``executemany`` of one prepared statement."""
    if not rows:
        return
    table = getattr(model, "__table__", model)
    if s.get_bind().dialect.name != "postgresql":
        stmt = sqlite.insert(table)
        s.execute(conflict(stmt) if conflict else stmt, rows)
        return
    names = list(rows[0])
    arrays = []
    for c in names:
        values, kind = [r[c] for r in rows], table.c[c].type
        if isinstance(kind, sa.JSON):  # as JSON text: a list of lists would be taken for a 2-D array
            values, kind = (
                [None if v is None else json.dumps(v, ensure_ascii=False) for v in values],
                sa.Text(),
            )
        array = sa.bindparam(f"many_{c}", values, type_=postgresql.ARRAY(kind))
        arrays.append(sa.cast(sa.cast(array, postgresql.ARRAY(kind)), postgresql.ARRAY(table.c[c].type)))
    values = sa.func.unnest(*arrays).table_valued(*names).render_derived(name="many")
    source = sa.select(*(values.c[c] for c in names))
    stmt = postgresql.insert(table).from_select(names, source)
    s.execute(conflict(stmt) if conflict else stmt)


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


# ---------------------------------------------------------------- linking many documents at once


@dataclass(eq=False)
class _Party:
    """One party of one document as ``link_document`` reads it; ``skip``: named too vaguely to link."""

    doc_id: str
    spec: PartySpec
    name: str | None
    code: str | None = None  # enterprise code (org) or personal ID (person), when valid
    key: str | None = None  # name_key of a person
    dob: str | None = None
    skip: bool = False
    owner: int | None = None  # the person's or organisation's row id, once resolved
    messages: list[str] = field(default_factory=list)


def _iso_date(value: str | None) -> str | None:
    return value.strip() if value and ISO_DATE.match(value.strip()) else None


def _parties_of(doc_id: str, doc_type: str | None, fields: dict) -> list[_Party]:
    out = []
    for spec in PARTIES.get(doc_type or "", ()):
        name_field = fields.get(spec.name_field)
        name = name_field.value.strip() if name_field is not None and name_field.value else None
        raw_id = _clean_id(fields[spec.id_field].value) if spec.id_field and spec.id_field in fields else ""
        party = _Party(doc_id, spec, name)
        out.append(party)
        if spec.kind == "org":
            if ENTERPRISE_CODE.match(raw_id):
                party.code = raw_id
            else:
                if raw_id:
                    party.messages.append("the enterprise code is not valid: the company is not linked")
                party.skip = name is None
            continue
        party.code = raw_id if PERSONAL_ID.match(raw_id) else None
        if raw_id and party.code is None:
            party.messages.append(
                f"the {_who(spec)}'s ID number is not valid: matched by name and birth date"
            )
        dob_field = fields.get(spec.dob_field) if spec.dob_field else None
        party.dob = dob_field.value if dob_field is not None else None
        party.key = name_key(name, party.dob)
        party.skip = party.code is None and name is None
    return out


def _resolve_orgs(s: Session, parties: list[_Party]) -> None:
    wanted: dict[str, str | None] = {}
    for p in parties:
        if p.spec.kind == "org" and p.code:
            wanted.setdefault(p.code, p.name)
    if not wanted:
        return
    codes = sorted(wanted)  # one order for every worker: two batches never wait on each other in a cycle
    now = _now()
    insert_many(
        s,
        Organisation,
        [{"enterprise_code": c, "name": wanted[c], "created_at": now, "updated_at": now} for c in codes],
        lambda stmt: stmt.on_conflict_do_nothing(index_elements=["enterprise_code"]),
    )
    known = s.execute(
        sa.select(Organisation.id, Organisation.enterprise_code, Organisation.name).where(
            Organisation.enterprise_code.in_(codes)
        )
    ).all()
    ids = {code: org_id for org_id, code, _ in known}
    for org_id, code, name in known:
        if name is None and wanted[code]:
            s.execute(
                sa.update(Organisation)
                .where(Organisation.id == org_id, Organisation.name.is_(None))
                .values(name=wanted[code], updated_at=now)
            )
    for p in parties:
        if p.spec.kind == "org" and p.code:
            p.owner = ids[p.code]


def _resolve_persons_by_id(s: Session, parties: list[_Party]) -> None:
    """Persons named with a valid ID. New IDs without an ID-less namesake are inserted in one statement; the
    rare cases (a namesake to adopt or absorb, a row to fill in) go through ``resolve_person`` in order."""
    with_id = [p for p in parties if p.spec.kind == "person" and p.code]
    if not with_id:
        return
    pids = sorted({p.code for p in with_id if p.code})
    keys = sorted({p.key for p in with_id if p.key})
    existing = dict(
        s.execute(sa.select(Person.personal_id, Person.name_key).where(Person.personal_id.in_(pids))).all()
    )
    unidentified = set()
    if keys:
        unidentified = set(
            s.scalars(
                sa.select(Person.name_key).where(Person.name_key.in_(keys), Person.personal_id.is_(None))
            )
        )
    new: dict[str, _Party] = {}
    slow: set[int] = set()
    for p in with_id:
        if p.key in unidentified or (p.code in existing and existing[p.code] is None and p.key):
            slow.add(id(p))
        elif p.code not in existing:
            new.setdefault(p.code, p)  # type: ignore[arg-type]
    if new:
        now = _now()
        rows = [
            {
                "personal_id": pid,
                "name_key": new[pid].key,
                "full_name": new[pid].name,
                "date_of_birth": _iso_date(new[pid].dob),
                "created_at": now,
                "updated_at": now,
            }
            for pid in sorted(new)
        ]
        insert_many(s, Person, rows, lambda stmt: stmt.on_conflict_do_nothing(index_elements=["personal_id"]))
    ids = dict(s.execute(sa.select(Person.personal_id, Person.id).where(Person.personal_id.in_(pids))).all())
    for p in with_id:
        if id(p) in slow:
            ids[p.code], _ = resolve_person(s, p.code, p.name, p.dob)  # type: ignore[index,assignment]
        p.owner = ids.get(p.code)  # type: ignore[arg-type]


def _resolve_persons_by_name(s: Session, parties: list[_Party]) -> None:
    """Persons named without an ID: the one person with that folded name and birth date; several: ambiguous,
    not linked; none: an ID-less person is created (one statement for the batch)."""
    by_name = [p for p in parties if p.spec.kind == "person" and not p.code and p.key and not p.skip]
    if not by_name:
        return
    keys = sorted({p.key for p in by_name if p.key})
    found: dict[str, list[int]] = {}
    for person_id, key in s.execute(
        sa.select(Person.id, Person.name_key).where(Person.name_key.in_(keys)).order_by(Person.id)
    ):
        found.setdefault(key, []).append(person_id)
    new = {p.key: p for p in reversed(by_name) if p.key not in found}  # the first party of each key wins
    if new:
        now = _now()
        rows = [
            {
                "name_key": key,
                "full_name": new[key].name,
                "date_of_birth": (new[key].dob or "").strip(),
                "created_at": now,
                "updated_at": now,
            }
            for key in sorted(new)  # type: ignore[type-var]
        ]
        insert_many(
            s,
            Person,
            rows,
            lambda stmt: stmt.on_conflict_do_nothing(
                index_elements=["name_key"], index_where=sa.text("personal_id IS NULL")
            ),
        )
        for person_id, key in s.execute(
            sa.select(Person.id, Person.name_key).where(
                Person.name_key.in_(list(new)), Person.personal_id.is_(None)
            )
        ):
            found[key] = [person_id]
    for p in by_name:
        ids = found.get(p.key, [])  # type: ignore[arg-type]
        if len(ids) == 1:
            p.owner = ids[0]
        elif len(ids) > 1:
            p.messages.append(
                f"the {_who(p.spec)} has the name and birth date of several known persons: not linked"
            )


def _record_facts_many(
    s: Session, parties: list[_Party], fields_of: dict[str, dict], order: dict[str, int]
) -> None:
    """Insert the facts of every linked party (one statement per table) and add to each party the fact keys
    that differ from what was known: facts of other documents and of the documents before it in the batch,
    as ``link_document`` called for one document after the other would have seen them."""
    for kind, model, owner_col in (("person", PersonFact, "person_id"), ("org", OrgFact, "org_id")):
        rows: dict[tuple[int, str, str], dict] = {}
        stated: list[tuple[_Party, list[str]]] = []
        for p in parties:
            if p.spec.kind != kind or p.owner is None:
                continue
            fields = fields_of[p.doc_id]
            keys = []
            for fact_key, field_key in p.spec.facts.items():
                f = fields.get(field_key)
                if f is None or not (f.value or "").strip():
                    continue
                keys.append(fact_key)
                rows[(p.owner, p.doc_id, fact_key)] = {
                    owner_col: p.owner,
                    "key": fact_key,
                    "value": f.value.strip(),
                    "value_key": fold_key(f.value),
                    "document_id": p.doc_id,
                    "field_key": field_key,
                    "confidence": f.confidence,
                    "observed_at": _now(),
                }
            if keys:
                stated.append((p, keys))
        if not rows:
            continue
        insert_many(
            s,
            model,
            [rows[k] for k in sorted(rows)],
            lambda stmt, owner_col=owner_col: stmt.on_conflict_do_update(
                index_elements=[owner_col, "document_id", "key"],
                set_={
                    c: stmt.excluded[c]
                    for c in ("value", "value_key", "field_key", "confidence", "observed_at")
                },
            ),
        )
        owner = getattr(model, owner_col)
        # What other documents say: each distinct value with the number of sources giving it.
        known: dict[tuple[int, str], dict[str, int]] = {}
        for owner_id, key, value_key, n in s.execute(
            sa.select(owner, model.key, model.value_key, sa.func.count())
            .where(
                owner.in_(sorted({k[0] for k in rows})),
                model.key.in_(sorted({k[2] for k in rows})),
                model.document_id.not_in(list(order)),
            )
            .group_by(owner, model.key, model.value_key)
        ):
            known.setdefault((owner_id, key), {})[value_key] = n
        # What the batch's own documents say, in batch order.
        said: dict[tuple[int, str], list[tuple[int, str]]] = {}
        for (owner_id, doc_id, key), row in rows.items():
            said.setdefault((owner_id, key), []).append((order[doc_id], row["value_key"]))
        for p, keys in stated:
            position = order[p.doc_id]
            for key in keys:
                values = dict(known.get((p.owner, key), {}))  # type: ignore[arg-type]
                for pos, value_key in said[(p.owner, key)]:  # type: ignore[index]
                    if pos <= position:
                        values[value_key] = values.get(value_key, 0) + 1
                if len(values) > 1:
                    who = "company" if kind == "org" else _who(p.spec)
                    p.messages.append(
                        f"{who}: {key} differs from what is known ({sum(values.values())} sources)"
                    )


def link_documents(s: Session, doc_ids: list[str]) -> dict[str, list[str]]:
    """``link_document`` for many documents in a few statements: what batched writes call.

    The same links, persons, organisations, facts and messages as ``link_document`` called for each document
    in the order given. Every write is still an ``INSERT ... ON CONFLICT`` against a unique constraint, with
    keys in sorted order, so concurrent batches never duplicate a person, organisation, fact or link."""
    order = {doc_id: i for i, doc_id in enumerate(dict.fromkeys(doc_ids))}
    if not order:
        return {}
    ids = list(order)
    doc_types = dict(s.execute(sa.select(Document.id, Document.doc_type).where(Document.id.in_(ids))).all())
    missing = [d for d in ids if d not in doc_types]
    if missing:
        raise NotFoundError(f"{len(missing)} document(s) are not in the database, e.g. {missing[0]}")
    for model in (DocumentParty, PersonFact, OrgFact):
        s.execute(sa.delete(model).where(model.document_id.in_(ids)))
    fields_of: dict[str, dict] = {doc_id: {} for doc_id in ids}
    with_parties = [d for d in ids if PARTIES.get(doc_types[d] or "")]
    if with_parties:
        for row in s.execute(
            sa.select(FieldValue.document_id, FieldValue.key, FieldValue.value, FieldValue.confidence).where(
                FieldValue.document_id.in_(with_parties)
            )
        ):
            fields_of[row.document_id][row.key] = row
    parties = [
        p for doc_id in with_parties for p in _parties_of(doc_id, doc_types[doc_id], fields_of[doc_id])
    ]
    _resolve_orgs(s, parties)
    _resolve_persons_by_id(s, parties)
    _resolve_persons_by_name(s, parties)
    _record_facts_many(s, parties, fields_of, order)
    now = _now()
    links = {
        (p.doc_id, p.spec.role): {
            "document_id": p.doc_id,
            "role": p.spec.role,
            "person_id": p.owner if p.spec.kind == "person" else None,
            "org_id": p.owner if p.spec.kind == "org" else None,
            "name": p.name,
            "created_at": now,
        }
        for p in parties
        if not p.skip
    }
    if links:
        insert_many(
            s,
            DocumentParty,
            [links[k] for k in sorted(links)],
            lambda stmt: stmt.on_conflict_do_update(
                index_elements=["document_id", "role"],
                set_={c: stmt.excluded[c] for c in ("person_id", "org_id", "name")},
            ),
        )
    messages: dict[str, list[str]] = {doc_id: [] for doc_id in ids}
    for p in parties:
        messages[p.doc_id].extend(p.messages)
    mismatched = sum(1 for m in messages.values() if m)
    if mismatched:
        log.info("%d of %d linked documents have mismatches against known facts", mismatched, len(ids))
    return messages
