"""Stage 0: find the documents of a source folder and what the reception desk knows about each dossier."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from pipelines.errors import BadInputError
from pipelines.model import DossierInfo, SourceFile

DOSSIER_FILE = "dossier.json"
IGNORED_NAMES = {DOSSIER_FILE, ".DS_Store", "Thumbs.db", "desktop.ini"}


def discover(source: Path) -> list[SourceFile]:
    """Every file of SOURCE is a document (even unsupported ones: they are reported, not skipped silently).

    Files directly in SOURCE belong to no dossier; a sub-folder (at any depth) is one dossier, named by its
    path relative to SOURCE. Hidden files and ``dossier.json`` are not documents.
    """
    if not source.exists():
        raise BadInputError(f"source folder {source} does not exist")
    if source.is_file():
        return [SourceFile(path=source, rel=_nfc(source.name), dossier=None)]
    out: list[SourceFile] = []
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name in IGNORED_NAMES or path.name.startswith("."):
            continue
        rel_parts = path.relative_to(source).parts
        if any(p.startswith(".") for p in rel_parts):
            continue
        rel = _nfc("/".join(rel_parts))
        dossier = _nfc("/".join(rel_parts[:-1])) if len(rel_parts) > 1 else None
        out.append(SourceFile(path=path, rel=rel, dossier=dossier))
    return out


def dossier_folders(files: list[SourceFile]) -> list[str]:
    return sorted({f.dossier for f in files if f.dossier is not None})


def read_dossier_info(source: Path, folder: str) -> DossierInfo:
    """Merge ``dossier.json`` (if any) with the folder name. A malformed file is an error a person can fix."""
    info = DossierInfo(folder=folder)
    path = source / folder / DOSSIER_FILE
    if not path.exists():
        return info
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(f"{folder}/{DOSSIER_FILE} is not valid UTF-8 JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise BadInputError(f"{folder}/{DOSSIER_FILE} must hold a JSON object")

    def get(*keys: str) -> str | None:
        for k in keys:
            v = data.get(k)
            if v not in (None, ""):
                return _nfc(str(v).strip())
        return None

    applicant = data.get("applicant") if isinstance(data.get("applicant"), dict) else {}
    info.code = get("dossier_code", "code")
    info.title = get("title")
    info.procedure = get("procedure", "procedure_name")
    info.applicant_name = get("applicant_name") or _opt(applicant.get("name"))
    info.applicant_id = get("applicant_id") or _opt(applicant.get("id"))
    info.received_date = get("received_date")
    info.due_date = get("due_date")
    info.start_date = get("start_date")
    info.end_date = get("end_date")
    info.retention = get("retention", "retention_period")
    info.access_mode = get("access_mode")
    info.original_code = get("original_code", "original_dossier_code")
    return info


def _opt(v: object) -> str | None:
    return _nfc(str(v).strip()) if v not in (None, "") else None


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)
