"""Stage 5: the review gate — what a person must look at before the document is signed."""

from __future__ import annotations

from collections.abc import Sequence

from extractors.fields.retry import REREAD_NOTE, REREAD_UNVERIFIED
from pipelines.model import Classification, Field, PageText

# Without these a document of the type is of little use: missing one sends it to a person.
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "citizen_id": ("personal_id", "full_name", "date_of_birth"),
    "birth_certificate": ("full_name", "date_of_birth"),
    "marriage_certificate": ("husband_name", "wife_name"),
    "land_use_certificate": ("serial_number", "holder_name"),
    "business_registration": ("enterprise_code", "company_name"),
    "building_permit": ("permit_number", "investor_name"),
    "dossier_receipt": ("dossier_code", "applicant_name"),
    "decision": ("document_number", "issue_date"),
    "application_form": ("applicant_name",),
}


def review_reasons(
    classification: Classification,
    fields: dict[str, Field],
    pages: Sequence[PageText],
    *,
    threshold: float,
) -> list[str]:
    """Plain-words reasons; empty means the machine is sure enough to sign. Never includes field values."""
    reasons: list[str] = []
    if not any(p.words for p in pages):
        reasons.append("no text was found on any page")
    if classification.doc_type == "other":
        reasons.append("unknown document type")
    elif classification.confidence < threshold:
        reasons.append(
            f"document type {classification.doc_type} is uncertain ({classification.confidence:.2f})"
        )
    for key in KEY_FIELDS.get(classification.doc_type, ()):
        if key not in fields:
            reasons.append(f"{key} not found")
    for key, f in sorted(fields.items()):
        if f.problems:
            reasons.append(f"{key}: " + "; ".join(f.problems))
        elif f.confidence < threshold:
            reasons.append(f"{key}: low confidence ({f.confidence:.2f})")
        elif REREAD_NOTE in f.raw and f.confidence <= REREAD_UNVERIFIED:  # whatever the threshold is set to
            reasons.append(f"{key}: read a second time, digits only; a person confirms it")
    return reasons
