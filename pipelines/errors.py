"""Typed errors a person can act on. Their message is shown as is in the CLI, the report and the web."""

from __future__ import annotations


class SohoaError(Exception):
    """Base class: ``str(error)`` is a plain-words message, never a traceback."""


class BadInputError(SohoaError):
    """The input file cannot be processed; the document ends ``failed`` (or ``quarantined``)."""

    status = "failed"


class QuarantineError(BadInputError):
    """The file is not what it claims to be, or is unsafe to open (empty, wrong content, decompression bomb)."""

    status = "quarantined"


class ConfigurationError(SohoaError):
    """Settings are missing or contradict each other."""


class StorageError(SohoaError):
    """Object storage or database could not be reached or refused an operation (transient, retried)."""


class SigningError(SohoaError):
    """The document could not be signed (key, certificate, timestamp authority)."""


class NotFoundError(SohoaError):
    """A document, object or record that was asked for does not exist."""


class IntegrityError(SohoaError):
    """Bytes do not match their recorded checksum."""
