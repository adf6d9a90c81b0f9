"""Cross-document checks inside one dossier: the same person must read the same everywhere.

Every document contributes the people it names (the card holder, the applicant, the child, the husband and
the wife, the land user, ...) with their name, date of birth and personal ID where printed. Two mentions are
the same person when their IDs are equal, or when neither ID contradicts and their names are equal or nearly
equal (an OCR slip). For the same person the name, the birth date and the ID must agree; every disagreement
is one plain-words line for the review screen. Values appear in these lines: they are for the officer's
screen, never for the logs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from extractors.normalize import clean_text, fold
from pipelines.model import Field

# doc_type -> [(role in plain words, name key, date-of-birth key, ID key)]
PEOPLE: dict[str, list[tuple[str, str, str | None, str | None]]] = {
    "citizen_id": [("card holder", "full_name", "date_of_birth", "personal_id")],
    "birth_certificate": [
        ("child", "full_name", "date_of_birth", "personal_id"),
        ("mother", "mother_name", None, None),
        ("father", "father_name", None, None),
    ],
    "marriage_certificate": [
        ("husband", "husband_name", "husband_date_of_birth", "husband_id"),
        ("wife", "wife_name", "wife_date_of_birth", "wife_id"),
    ],
    "land_use_certificate": [("land user", "holder_name", None, "holder_id")],
    "business_registration": [("legal representative", "legal_representative", None, None)],
    "building_permit": [("investor", "investor_name", None, None)],
    "dossier_receipt": [("applicant", "applicant_name", None, "applicant_id")],
    "application_form": [("applicant", "applicant_name", "date_of_birth", "applicant_id")],
}
NEAR_NAME = 88  # rapidfuzz ratio of folded names above which two different spellings are one person


@dataclass(frozen=True)
class Mention:
    doc_id: str
    doc_type: str
    role: str
    name: str | None
    birth: str | None
    pid: str | None

    @property
    def where(self) -> str:
        return f"the {self.role} on {self.doc_type.replace('_', ' ')} {self.doc_id}"


def _value(fields: dict[str, Field], key: str | None) -> str | None:
    if key is None or key not in fields:
        return None
    value = clean_text(fields[key].value)
    return value or None


def _name_key(name: str) -> str:
    return clean_text(name).casefold()


def mentions(documents: Sequence[tuple[str, str, dict[str, Field]]]) -> list[Mention]:
    out: list[Mention] = []
    for doc_id, doc_type, fields in documents:
        for role, name_key, birth_key, id_key in PEOPLE.get(doc_type, []):
            m = Mention(
                doc_id,
                doc_type,
                role,
                _value(fields, name_key),
                _value(fields, birth_key),
                (_value(fields, id_key) or "").replace(" ", "") or None,
            )
            if m.name or m.pid:
                out.append(m)
    return out


def _same_person(a: Mention, b: Mention) -> bool:
    if a.pid and b.pid and a.pid == b.pid:
        return True
    if not (a.name and b.name):
        return False
    if a.birth and b.birth and a.birth != b.birth and a.pid and b.pid and a.pid != b.pid:
        return False  # two namesakes: nothing of theirs agrees
    return _name_key(a.name) == _name_key(b.name) or fuzz.ratio(fold(a.name), fold(b.name)) >= NEAR_NAME


def _disagreements(a: Mention, b: Mention) -> list[str]:
    out: list[str] = []
    if a.name and b.name and _name_key(a.name) != _name_key(b.name):
        out.append(f"The name of {a.where} is '{a.name}' but {b.where} reads '{b.name}'.")
    who = a.name or b.name or "the same person"
    if a.birth and b.birth and a.birth != b.birth:
        out.append(f"The date of birth of {who} is {a.birth} on {a.where} but {b.birth} on {b.where}.")
    if a.pid and b.pid and a.pid != b.pid:
        out.append(f"The personal ID of {who} is {a.pid} on {a.where} but {b.pid} on {b.where}.")
    return out


def crosscheck(documents: Sequence[tuple[str, str, dict[str, Field]]]) -> list[str]:
    """Disagreements between the documents of one dossier, as plain-words lines for the review screen.

    ``documents``: ``(document id, doc_type, fields)`` for every document of the dossier. Pairs of mentions of
    one person within the same document are not compared (a husband and a wife are two people)."""
    people = mentions(documents)
    out: list[str] = []
    for i, a in enumerate(people):
        for b in people[i + 1 :]:
            if a.doc_id == b.doc_id or not _same_person(a, b):
                continue
            for line in _disagreements(a, b):
                if line not in out:
                    out.append(line)
    return out
