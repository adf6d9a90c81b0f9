"""Export of the fields of every document of one type, to CSV or JSON, for other systems.

One row per document: ``document_id``, ``dossier_code``, ``status``, ``source``, then one column per field key
of the type as in document-types.md (a missing field is empty in CSV, null in JSON). A type the spec does not
list gets the keys its documents have, sorted.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from pipelines.errors import BadInputError
from storage.access_log import record_access
from storage.db.models import Document, Dossier, FieldValue

# The field keys of each document type, in the order of document-types.md.
SPEC_FIELDS: dict[str, tuple[str, ...]] = {
    "citizen_id": (
        "personal_id",
        "full_name",
        "date_of_birth",
        "sex",
        "nationality",
        "place_of_origin",
        "place_of_residence",
        "issue_date",
        "expiry_date",
    ),
    "birth_certificate": (
        "registration_number",
        "full_name",
        "sex",
        "date_of_birth",
        "place_of_birth",
        "ethnicity",
        "nationality",
        "personal_id",
        "mother_name",
        "father_name",
        "registration_date",
        "issuing_authority",
    ),
    "marriage_certificate": (
        "registration_number",
        "husband_name",
        "wife_name",
        "husband_date_of_birth",
        "wife_date_of_birth",
        "husband_id",
        "wife_id",
        "registration_date",
        "issuing_authority",
    ),
    "land_use_certificate": (
        "serial_number",
        "register_number",
        "holder_name",
        "holder_id",
        "parcel_number",
        "map_sheet_number",
        "parcel_address",
        "area_m2",
        "land_use_purpose",
        "land_use_term",
        "issue_date",
    ),
    "business_registration": (
        "enterprise_code",
        "company_name",
        "head_office_address",
        "legal_representative",
        "charter_capital_vnd",
        "first_registration_date",
    ),
    "building_permit": (
        "permit_number",
        "investor_name",
        "site_address",
        "construction_area_m2",
        "floors",
        "issue_date",
    ),
    "dossier_receipt": (
        "dossier_code",
        "applicant_name",
        "applicant_id",
        "procedure_name",
        "received_date",
        "due_date",
        "receiving_unit",
    ),
    "decision": (
        "document_number",
        "issuing_body",
        "issue_place",
        "issue_date",
        "subject",
        "signer_name",
        "signer_title",
    ),
    "application_form": (
        "addressee",
        "applicant_name",
        "date_of_birth",
        "applicant_id",
        "address",
        "request",
        "signed_date",
    ),
}
DOCUMENT_COLUMNS = ("document_id", "dossier_code", "status", "source")
FORMATS = ("csv", "json")
_CHUNK = 500


def _field_keys(s: Session, doc_type: str) -> tuple[str, ...]:
    if doc_type in SPEC_FIELDS:
        return SPEC_FIELDS[doc_type]
    keys = s.scalars(
        sa.select(FieldValue.key)
        .join(Document, Document.id == FieldValue.document_id)
        .where(Document.doc_type == doc_type)
        .distinct()
    )
    return tuple(sorted(k for k in keys if k not in DOCUMENT_COLUMNS))


def _rows(s: Session, doc_type: str, keys: tuple[str, ...]) -> Iterator[dict[str, str | None]]:
    docs = s.execute(
        sa.select(Document.id, Dossier.code, Document.status, Document.source)
        .outerjoin(Dossier, Dossier.id == Document.dossier_id)
        .where(Document.doc_type == doc_type)
        .order_by(Document.id)
    ).all()
    for start in range(0, len(docs), _CHUNK):
        chunk = docs[start : start + _CHUNK]
        values: dict[str, dict[str, str]] = {}
        for doc_id, key, value in s.execute(
            sa.select(FieldValue.document_id, FieldValue.key, FieldValue.value).where(
                FieldValue.document_id.in_([d[0] for d in chunk]), FieldValue.key.in_(keys)
            )
        ):
            values.setdefault(doc_id, {})[key] = value
        for doc_id, code, status, source in chunk:
            fields = values.get(doc_id, {})
            yield {
                "document_id": doc_id,
                "dossier_code": code,
                "status": status,
                "source": source,
                **{k: fields.get(k) for k in keys},
            }


def export_fields(
    s: Session,
    doc_type: str,
    fmt: str,
    out: IO[str],
    *,
    actor: str | None = None,
    purpose: str | None = None,
) -> int:
    """Write the documents of ``doc_type`` to ``out`` as ``fmt`` ("csv" or "json"); return how many rows.

    With ``actor`` the export is recorded in the access log (exports carry personal data)."""
    if fmt not in FORMATS:
        raise BadInputError(f"export format {fmt!r} is not supported: use csv or json")
    keys = _field_keys(s, doc_type)
    columns = [*DOCUMENT_COLUMNS, *keys]
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in _rows(s, doc_type, keys):
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
            count += 1
    else:
        out.write("[")
        for row in _rows(s, doc_type, keys):
            out.write(("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
    if actor is not None:
        detail: dict[str, Any] = {"format": fmt, "rows": count}
        record_access(
            s,
            actor=actor,
            action="export",
            subject_kind="doc_type",
            subject_id=doc_type,
            purpose=purpose,
            detail=detail,
        )
    return count
