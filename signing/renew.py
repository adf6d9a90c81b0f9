"""Renewal of the archive timestamp chain of a signed PDF (PAdES-LTA, ETSI EN 319 142-1 § 5.5).

A document timestamp proves that everything it covers existed at its time, but only as long as its TSA's
certificate can be validated. Before that certificate expires, ``renew_timestamp`` puts the validation data
of the latest timestamp (the TSA's certificates, CRLs and OCSP responses, fetched now from the addresses in
the certificates) into the DSS and adds a fresh document timestamp over everything, in incremental updates:
the bytes of every earlier revision, and so every earlier signature, stay as they are.

A file with a signature timestamp but no document timestamp yet (PAdES-T or -LT) first gets the validation
data of its signatures and their timestamps, so the result is PAdES-LTA.

``sohoa archive renew-timestamps`` calls ``needs_renewal`` for each archived result and ``renew_timestamp``
for those whose last timestamp certificate expires within the horizon, and stores the new version.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.general import extract_certificate_info
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko.sign.validation.dss import async_add_validation_info
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathError, RevokedError
from pyhanko_certvalidator.errors import ValidationError as CertValidationError
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

from pipelines.errors import SigningError
from pipelines.logs import get_logger
from signing.pades import TIMESTAMP_FIELD
from signing.verify import load_certificates

log = get_logger(__name__)


def _reader(pdf: bytes) -> PdfFileReader:
    try:
        return PdfFileReader(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise SigningError(f"the PDF cannot be read: {exc}") from exc


def _signature_timestamp_cert(sig: EmbeddedPdfSignature) -> asn1_x509.Certificate | None:
    """The TSA certificate of the RFC 3161 timestamp embedded in a signature (PAdES-T), if any."""
    try:
        unsigned = sig.signer_info["unsigned_attrs"]
        if not unsigned or unsigned.native is None:
            return None
        for attr in unsigned:
            if attr["type"].native == "signature_time_stamp_token":
                token: cms.ContentInfo = attr["values"][0]
                return extract_certificate_info(token["content"]).signer_cert
    except (KeyError, ValueError, TypeError, IndexError):
        return None
    return None


def last_timestamp_expiry(pdf: bytes) -> datetime | None:
    """When the TSA certificate of the latest timestamp expires: the latest document timestamp, else the
    latest signature timestamp. None when the file has no timestamp at all (PAdES-B or unsigned)."""
    reader = _reader(pdf)
    try:
        doc_timestamps = sorted(reader.embedded_timestamp_signatures, key=lambda t: t.signed_revision)
        if doc_timestamps:
            return doc_timestamps[-1].signer_cert.not_valid_after
        signatures = sorted(reader.embedded_regular_signatures, key=lambda s: s.signed_revision)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise SigningError(f"the signatures of the PDF cannot be read: {exc}") from exc
    for sig in reversed(signatures):
        cert = _signature_timestamp_cert(sig)
        if cert is not None:
            return cert.not_valid_after
    return None


def needs_renewal(pdf: bytes, *, horizon_days: int = 365, now: datetime | None = None) -> bool:
    """True when the latest timestamp's TSA certificate expires within ``horizon_days`` of ``now`` (default:
    the current time), or has expired already. A file without any timestamp has nothing to renew: False."""
    expiry = last_timestamp_expiry(pdf)
    if expiry is None:
        return False
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return expiry - now <= timedelta(days=horizon_days)


def _validation_context(roots: list[asn1_x509.Certificate]) -> ValidationContext:
    """Online, hard-fail: the renewal must embed the revocation data of the timestamps it builds on."""
    return ValidationContext(
        trust_roots=roots,
        allow_fetching=True,
        revocation_mode="hard-fail",
        fetcher_backend=RequestsFetcherBackend(per_request_timeout=30),
    )


def _roots(trust_roots: Sequence[Path | asn1_x509.Certificate]) -> list[asn1_x509.Certificate]:
    out: list[asn1_x509.Certificate] = []
    for item in trust_roots:
        if isinstance(item, asn1_x509.Certificate):
            out.append(item)
            continue
        try:
            out.extend(load_certificates(Path(item)))
        except (OSError, ValueError) as exc:
            raise SigningError(f"the trust anchor {item} cannot be read: {exc}") from exc
    return out


def _field_name(reader: PdfFileReader) -> str:
    """A signature field name not yet used in the file: SohoaArchiveTimestamp2, 3, ..."""
    used = {str(s.field_name) for s in reader.embedded_signatures}
    n = 2
    while f"{TIMESTAMP_FIELD}{n}" in used:
        n += 1
    return f"{TIMESTAMP_FIELD}{n}"


async def _add_signature_validation_data(pdf: bytes, roots: list[asn1_x509.Certificate]) -> bytes:
    """PAdES-T/-LT to -LT: validation data of every signature and its signature timestamp in the DSS."""
    for index in range(len(_reader(pdf).embedded_regular_signatures)):
        sig = _reader(pdf).embedded_regular_signatures[index]
        vc = _validation_context(roots)
        try:
            out = await async_add_validation_info(sig, vc, add_vri_entry=False)
        finally:
            await vc.aclose()
        pdf = out.getvalue()
    return pdf


async def _renew(pdf: bytes, tsa_url: str, roots: list[asn1_x509.Certificate]) -> bytes:
    reader = _reader(pdf)
    if not reader.embedded_regular_signatures:
        raise SigningError("the PDF has no signature: there is no timestamp chain to renew")
    if not reader.embedded_timestamp_signatures:
        pdf = await _add_signature_validation_data(pdf, roots)
        reader = _reader(pdf)
    stamper = PdfTimeStamper(RequestsHTTPTimeStamper(tsa_url, timeout=30), field_name=_field_name(reader))
    vc = _validation_context(roots)
    try:
        out = await stamper.async_update_archival_timestamp_chain(reader, vc, in_place=False)
    finally:
        await vc.aclose()
    return out.getvalue()


def renew_timestamp(
    pdf: bytes, *, tsa_url: str, trust_roots: Sequence[Path | asn1_x509.Certificate] = ()
) -> bytes:
    """Add the validation data of the existing timestamps and a fresh document timestamp from ``tsa_url``
    (incremental updates). ``trust_roots``: the CAs of the TSAs (and, for a file without document timestamp
    yet, of the signer); nothing else is trusted."""
    roots = _roots(trust_roots)
    if not roots:
        raise SigningError(
            "renewing a timestamp needs the root certificates of the TSA's CA: give them in "
            "SOHOA_TRUST_ANCHORS"
        )
    try:
        data = asyncio.run(_renew(pdf, tsa_url, roots))
    except SigningError:
        raise
    except TimestampRequestError as exc:
        raise SigningError(f"the time-stamping authority {tsa_url} did not give a timestamp: {exc}") from exc
    except (PathError, CertValidationError) as exc:
        raise _plain(exc) from exc
    except PdfError as exc:
        raise SigningError(f"the timestamp of the PDF could not be renewed: {exc}") from exc
    except OSError as exc:
        raise SigningError(f"the time-stamping authority {tsa_url} cannot be reached: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 (pyHanko wraps validation errors in its own types)
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, (PathError, CertValidationError)):
            cause = cause.__cause__
        if cause is None:
            raise SigningError(f"the timestamp of the PDF could not be renewed: {exc}") from exc
        raise _plain(cause) from exc
    log.info("renewed the archive timestamp of a PDF (%d -> %d bytes)", len(pdf), len(data))
    return data


def _plain(exc: BaseException) -> SigningError:
    if isinstance(exc, RevokedError):
        return SigningError(f"a certificate of the timestamp chain or of the signer is revoked: {exc}")
    if isinstance(exc, PathBuildingError):
        return SigningError(
            "no chain from the TSA's (or signer's) certificate to a trusted root: add the CA's root to "
            "SOHOA_TRUST_ANCHORS"
        )
    return SigningError(
        f"the existing timestamps could not be validated: {exc}. Check that the CA's OCSP/CRL services can "
        "be reached"
    )
