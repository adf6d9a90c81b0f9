"""Field extraction: one module per document type over a shared label -> value engine.

``extract_fields(doc_type, pages)`` returns every field found (absent when not found), in the value
conventions of document-types.md, validated (``extractors.validators.validate_fields``). With ``reread``
(``extractors.reread.Rereader``) a numeric field that failed validation is read again digits-only before the
extractor gives up (``extractors.fields.retry``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from extractors.fields import (
    application_form,
    birth_certificate,
    building_permit,
    business_registration,
    citizen_id,
    decision,
    dossier_receipt,
    land_use_certificate,
    marriage_certificate,
    plausible,
)
from extractors.fields.layout import VisualLine, document_lines
from extractors.fields.retry import DigitReader, retry_invalid
from extractors.validators import validate_fields
from pipelines.model import Field, PageText

Extractor = Callable[[Sequence[VisualLine]], dict[str, Field]]

EXTRACTORS: dict[str, Extractor] = {
    "citizen_id": citizen_id.extract,
    "birth_certificate": birth_certificate.extract,
    "marriage_certificate": marriage_certificate.extract,
    "land_use_certificate": land_use_certificate.extract,
    "business_registration": business_registration.extract,
    "building_permit": building_permit.extract,
    "dossier_receipt": dossier_receipt.extract,
    "decision": decision.extract,
    "application_form": application_form.extract,
}


def extract_fields(
    doc_type: str, pages: Sequence[PageText], reread: DigitReader | None = None
) -> dict[str, Field]:
    """The fields of a document of type ``doc_type`` (``other`` and unknown types give none)."""
    extractor = EXTRACTORS.get(doc_type)
    if extractor is None:
        return {}
    lines = document_lines(pages)
    if not lines:
        return {}
    fields = extractor(lines)
    before = {k: f.confidence for k, f in fields.items()}
    validate_fields(doc_type, fields)
    if reread is not None:
        fields = retry_invalid(doc_type, fields, before, lines, pages, reread)
    plausible.apply(fields)
    return fields


__all__ = ["EXTRACTORS", "extract_fields"]
