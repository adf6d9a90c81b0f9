"""Stable identifiers: the same document gets the same id on every rerun."""

from __future__ import annotations

import hashlib
import uuid

_NAMESPACE = uuid.UUID("6f1c7a52-7d0e-4d53-9a55-2f0f5f3c50a1")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_id(sha256: str, dossier_key: str | None) -> str:
    """A document is its bytes within its dossier: the same scan handed in for two dossiers is two documents
    (each dossier is archived whole), the same scan in the same dossier is one."""
    return str(uuid.uuid5(_NAMESPACE, f"{dossier_key or ''}\n{sha256}"))


def batch_id_for(source: str, started_at_iso: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"batch\n{source}\n{started_at_iso}"))
