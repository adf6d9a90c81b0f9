"""The auditor's offline check of a signed PDF, modelled on the simple report of the EU DSS validator.

Offline only: a ValidationContext with the given trust anchors and nothing else (never the system's TLS
roots), ``allow_fetching=False`` (no CRL, OCSP or certificate download), plus whatever validation data the
file itself carries in its DSS.

How results map to indications (ETSI EN 319 102-1 names):

- the document digest does not match (a changed byte) -> TOTAL_FAILED / HASH_FAILURE;
- the signature value is wrong -> TOTAL_FAILED / SIG_CRYPTO_FAILURE;
- the signature is unreadable or does not cover its revision (odd /ByteRange) -> TOTAL_FAILED /
  FORMAT_FAILURE;
- later incremental updates changed the content (pages, fonts, anything beyond form filling, annotations,
  validation data and timestamps) -> TOTAL_FAILED / FORMAT_FAILURE, modifications "content changed";
- no chain to a given trust anchor (no ``--trust``, or another PKI) -> INDETERMINATE /
  NO_CERTIFICATE_CHAIN_FOUND; an expired or not yet valid signer -> INDETERMINATE / OUT_OF_BOUNDS_NO_POE
  (or what pyHanko reports); a revoked signer -> TOTAL_FAILED / REVOKED (INDETERMINATE / REVOKED_NO_POE);
- a signature timestamp that does not verify -> TOTAL_FAILED / HASH_FAILURE; one whose TSA is not trusted
  -> INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND.

Document timestamps (PAdES-LTA) get a report of their own in ``VerificationReport.timestamps``; a file
passes only if every signature and every document timestamp is TOTAL_PASSED.

Levels: B (signature only), T (a signature timestamp, or a later document timestamp), LT (T plus
validation data in the DSS: certificates and, where the certificates declare them, OCSP responses / CRLs),
LTA (LT plus a document timestamp over the DSS).

Validation time and past-signature validation: by default everything is validated now; ``validation_time``
validates as of another moment (tests, or "what will an auditor see in 2040"). A signature followed by a
document timestamp (PAdES-LTA, and T files whose timestamp is a later document timestamp) goes through
pyHanko's AdES LTA validation (ETSI EN 319 102-1 § 5.6.3, past signature validation): the chain of
document timestamps is the evidence record, and what they cover (the signature, the certificates, the OCSP
responses and CRLs in the DSS) is proven to have existed at their times. So a signature whose certificate
expired, or whose CA's revocation data is long stale, still passes if the certificate was valid and not
revoked at the time the first document timestamp proves. Each document timestamp is then checked as of the
time of the next one (its proof of existence), the last one as of the validation time. The last TSA's
revocation data can only be as old as the last timestamp: offline nothing newer can be had, so its age is
accepted (as EU DSS's default policy does) with a warning; renew the timestamp (signing/renew.py) before
the TSA certificate expires. Signatures without a later document timestamp get the basic validation.

Revocation: checking is "soft-fail". A certificate that declares no CRL/OCSP address (the local TEST PKI)
has nothing to check, so a TEST signature with its root given as trust anchor is TOTAL_PASSED. A certificate
that declares an address but whose revocation data is not embedded in the file cannot be checked offline:
the signature can still pass, with a warning that says so.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESStatus
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.diff_analysis.policy_api import DiffResult
from pyhanko.sign.validation import (
    DocumentTimestampStatus,
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.ades import AdESLTAValidationResult, ades_lta_validation
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, FreshnessReqType, RevocationCheckingPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager

from pipelines.logs import get_logger

log = get_logger(__name__)

VN_TZ = timezone(timedelta(hours=7), "+07")

TOTAL_PASSED = "TOTAL_PASSED"
INDETERMINATE = "INDETERMINATE"
TOTAL_FAILED = "TOTAL_FAILED"

COVERAGE_TEXT = {
    SignatureCoverageLevel.ENTIRE_FILE: "entire file",
    SignatureCoverageLevel.ENTIRE_REVISION: "entire revision, later incremental updates",
}
MOD_NONE = "none"
MOD_ALLOWED = "form filling / annotations allowed"
MOD_CHANGED = "content changed"
MOD_UNKNOWN = "unknown"

# The signer must hold one of these (PAdES asks for nonRepudiation; many CAs issue digitalSignature).
_KEY_USAGE = KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"})


@dataclass
class SignatureReport:
    field_name: str
    indication: str  # TOTAL_PASSED | INDETERMINATE | TOTAL_FAILED
    sub_indication: str | None
    signer: str | None
    signing_time: datetime | None
    timestamp_time: datetime | None
    level: str | None  # PAdES-BASELINE-B/T/LT/LTA
    coverage: str  # "entire file" / "entire revision, later incremental updates" / "partial"
    modifications: str  # "none", "form filling / annotations allowed", "content changed"
    chain: list[str]
    errors: list[str]
    warnings: list[str] = field(default_factory=list)  # what did not fail but an auditor should know
    kind: str = "signature"  # "signature" or "document timestamp"
    revocation: str | None = None  # signer's revocation status: "good", "revoked", "not checked"
    best_signature_time: datetime | None = None  # earliest time the signature is proven to have existed
    validation_model: str = "basic"  # "basic" or "LTA (past signature validation)"

    @property
    def passed(self) -> bool:
        return self.indication == TOTAL_PASSED

    def to_dict(self) -> dict[str, Any]:
        return {
            "field_name": self.field_name,
            "indication": self.indication,
            "sub_indication": self.sub_indication,
            "signer": self.signer,
            "signing_time": _iso(self.signing_time),
            "timestamp_time": _iso(self.timestamp_time),
            "level": self.level,
            "coverage": self.coverage,
            "modifications": self.modifications,
            "chain": list(self.chain),
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "kind": self.kind,
            "revocation": self.revocation,
            "best_signature_time": _iso(self.best_signature_time),
            "validation_model": self.validation_model,
        }


@dataclass
class VerificationReport:
    file_sha256: str
    signatures: list[SignatureReport]
    errors: list[str]  # file-level problems, e.g. "no signature in this file", "damaged PDF: ..."
    archive_match: dict | None = None  # filled by the caller (CLI) when the file is known to the archive
    timestamps: list[SignatureReport] = field(default_factory=list)  # document timestamps (PAdES-LTA)
    validation_time: datetime | None = None  # as of when the file was validated

    @property
    def passed(self) -> bool:
        """True only when there is at least one signature and every signature and document timestamp is
        TOTAL_PASSED."""
        return (
            bool(self.signatures)
            and not self.errors
            and all(s.passed for s in self.signatures)
            and all(t.passed for t in self.timestamps)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "file_sha256": self.file_sha256,
            "passed": self.passed,
            "signatures": [s.to_dict() for s in self.signatures],
            "document_timestamps": [t.to_dict() for t in self.timestamps],
            "errors": list(self.errors),
            "archive_match": self.archive_match,
            "validation_time": _iso(self.validation_time),
        }

    def to_text(self) -> str:
        out = [f"File SHA-256: {self.file_sha256}"]
        out.append("Result: PASSED" if self.passed else "Result: NOT PASSED")
        if self.validation_time is not None:
            out.append(f"Validated as of: {_iso(self.validation_time)}")
        out.extend(f"Error: {e}" for e in self.errors)
        for n, sig in enumerate(self.signatures, 1):
            indication = sig.indication + (f" / {sig.sub_indication}" if sig.sub_indication else "")
            out += [
                "",
                f"Signature {n} (field {sig.field_name})",
                f"  Indication:     {indication}",
                f"  Signed by:      {sig.signer or 'unknown'}",
                f"  Signing time:   {_iso(sig.signing_time) or 'not stated'}",
                f"  Timestamp:      {_iso(sig.timestamp_time) or 'none'}",
                f"  Best sig. time: {_iso(sig.best_signature_time) or 'unknown'}",
                f"  Validation:     {sig.validation_model}",
                f"  Level:          {sig.level or 'not PAdES'}",
                f"  Covers:         {sig.coverage}",
                f"  Modifications:  {sig.modifications}",
                f"  Revocation:     {sig.revocation or 'not checked'}",
            ]
            if sig.chain:
                out.append("  Chain:          " + " <- ".join(sig.chain))
            out.extend(f"  Error:          {e}" for e in sig.errors)
            out.extend(f"  Warning:        {w}" for w in sig.warnings)
        for n, ts in enumerate(self.timestamps, 1):
            indication = ts.indication + (f" / {ts.sub_indication}" if ts.sub_indication else "")
            out += [
                "",
                f"Document timestamp {n} (field {ts.field_name})",
                f"  Indication:     {indication}",
                f"  Time-stamped by: {ts.signer or 'unknown'}",
                f"  Time:           {_iso(ts.timestamp_time) or 'unknown'}",
                f"  Covers:         {ts.coverage}",
                f"  Modifications:  {ts.modifications}",
            ]
            if ts.chain:
                out.append("  Chain:          " + " <- ".join(ts.chain))
            out.extend(f"  Error:          {e}" for e in ts.errors)
            out.extend(f"  Warning:        {w}" for w in ts.warnings)
        if self.archive_match is not None:
            out += ["", "Archive:"]
            out.extend(f"  {k}: {v}" for k, v in self.archive_match.items())
        return "\n".join(out) + "\n"


def _iso(ts: datetime | None) -> str | None:
    if ts is None:
        return None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(VN_TZ).isoformat()


# --- trust anchors ---------------------------------------------------------------------------------------


def load_certificates(path: Path) -> list[asn1_x509.Certificate]:
    """Every certificate in a PEM (one or more) or DER file."""
    data = Path(path).read_bytes()
    if pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


def _trust_roots(trust_roots: Sequence[Path | asn1_x509.Certificate]) -> list[asn1_x509.Certificate]:
    out: list[asn1_x509.Certificate] = []
    for item in trust_roots:
        if isinstance(item, asn1_x509.Certificate):
            out.append(item)
        else:
            out.extend(load_certificates(Path(item)))
    return out


# --- one signature ---------------------------------------------------------------------------------------


def _cn(cert: asn1_x509.Certificate) -> str:
    try:
        native = cert.subject.native
        return str(native.get("common_name") or cert.subject.human_friendly)
    except Exception:  # noqa: BLE001 (an odd subject must not break the report)
        return "unreadable name"


def _modifications(status: PdfSignatureStatus) -> str:
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return MOD_NONE
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return MOD_UNKNOWN
    if not isinstance(status.diff_result, DiffResult):
        return MOD_CHANGED  # a SuspiciousModification, or no analysis possible
    level = status.diff_result.modification_level
    if level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES):
        return MOD_NONE
    if level in (ModificationLevel.FORM_FILLING, ModificationLevel.ANNOTATIONS):
        return MOD_ALLOWED
    return MOD_CHANGED


def _level(
    sig: EmbeddedPdfSignature,
    status: PdfSignatureStatus | None,
    doc_timestamps: list[EmbeddedPdfSignature],
    has_ltv_data: bool,
) -> str | None:
    if sig.sig_object.get("/SubFilter") != "/ETSI.CAdES.detached":
        return None
    later_ts = [t for t in doc_timestamps if t.signed_revision > sig.signed_revision]
    if status is not None:
        has_sig_ts = status.timestamp_validity is not None
    else:
        has_sig_ts = "/Contents" in sig.sig_object and _has_signature_timestamp(sig)
    if not (has_sig_ts or later_ts):
        return "PAdES-BASELINE-B"
    if not has_ltv_data:
        return "PAdES-BASELINE-T"
    # LTA: a document timestamp that is not the one standing in for the signature timestamp
    return "PAdES-BASELINE-LTA" if (later_ts and has_sig_ts) or len(later_ts) >= 2 else "PAdES-BASELINE-LT"


def _has_signature_timestamp(sig: EmbeddedPdfSignature) -> bool:
    try:
        unsigned = sig.signer_info["unsigned_attrs"].native or []
    except Exception:  # noqa: BLE001
        return False
    return any(a.get("type") == "signature_time_stamp_token" for a in unsigned)


def _judge(status: PdfSignatureStatus, report: SignatureReport, revoked_at: datetime | None = None) -> None:
    """Fill indication, sub-indication and errors from pyHanko's status (order: worst first)."""
    errors = report.errors
    if not status.intact:
        report.indication, report.sub_indication = TOTAL_FAILED, "HASH_FAILURE"
        errors.append("the document bytes covered by the signature were changed after signing")
        return
    if not status.valid:
        report.indication, report.sub_indication = TOTAL_FAILED, "SIG_CRYPTO_FAILURE"
        errors.append("the signature value does not verify with the signer's public key")
        return
    if status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        report.indication, report.sub_indication = TOTAL_FAILED, "FORMAT_FAILURE"
        errors.append("the signature does not cover the whole file (its /ByteRange leaves parts unsigned)")
        return
    if report.modifications == MOD_CHANGED:
        report.indication, report.sub_indication = TOTAL_FAILED, "FORMAT_FAILURE"
        diff = status.diff_result
        detail = ""
        if diff is not None and not isinstance(diff, DiffResult):
            detail = ": " + " ".join(str(diff).split())[:300]
        errors.append(
            f"the file was changed after signing (an incremental update modified its content){detail}"
        )
        return
    tst = status.timestamp_validity
    if tst is not None and not (tst.intact and tst.valid):
        report.indication, report.sub_indication = TOTAL_FAILED, "HASH_FAILURE"
        errors.append("the signature timestamp does not verify")
        return
    indic = status.trust_problem_indic
    if indic is not None:
        report.indication = TOTAL_FAILED if indic.status.name == "FAILED" else INDETERMINATE
        report.sub_indication = indic.standard_name
        if status.revoked:
            errors.append("the signer's certificate (or a CA above it) is revoked")
            # ETSI EN 319 102-1: a trusted signature timestamp proving the signature was made after the
            # revocation turns "revoked, no proof of existence" into a definite failure.
            if (
                revoked_at is not None
                and tst is not None
                and tst.trusted
                and tst.timestamp is not None
                and tst.timestamp >= revoked_at
            ):
                report.indication, report.sub_indication = TOTAL_FAILED, "REVOKED"
                errors.append(
                    f"the signature timestamp ({_iso(tst.timestamp)}) proves the signature was made after "
                    f"the revocation ({_iso(revoked_at)})"
                )
        elif indic.standard_name == "NO_CERTIFICATE_CHAIN_FOUND":
            errors.append(
                "no chain from the signer's certificate to a trusted root: give the CA with --trust"
            )
        else:
            errors.append(f"the signer's certificate could not be validated ({indic.standard_name})")
        return
    if status.validation_path is None:
        report.indication, report.sub_indication = INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND"
        errors.append("no chain from the signer's certificate to a trusted root: give the CA with --trust")
        return
    if tst is not None and not tst.trusted:
        report.indication, report.sub_indication = INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND"
        errors.append("the timestamp authority is not trusted: give its CA with --trust")
        return
    if status.docmdp_ok is False:
        report.indication, report.sub_indication = TOTAL_FAILED, "FORMAT_FAILURE"
        errors.append("changes after signing break the certification (DocMDP) rules of the signature")
        return
    if not status.seed_value_ok:
        report.indication, report.sub_indication = INDETERMINATE, "SIG_CONSTRAINTS_FAILURE"
        errors.append(f"the signature breaks its field's constraints: {status.seed_value_constraint_error}")
        return
    report.indication, report.sub_indication = TOTAL_PASSED, None


def _revocation_time(cert: asn1_x509.Certificate, vc: ValidationContext) -> datetime | None:
    """When the CRLs / OCSP responses in the validation context say ``cert`` was revoked (earliest)."""
    times: list[datetime] = []
    serial, issuer = cert.serial_number, cert.issuer
    for crl in vc.crls:
        try:
            if crl["tbs_cert_list"]["issuer"] != issuer:
                continue
            for entry in crl["tbs_cert_list"]["revoked_certificates"]:
                if entry["user_certificate"].native == serial:
                    times.append(entry["revocation_date"].native)
        except (KeyError, ValueError, TypeError):
            continue
    for resp in vc.ocsps:
        try:
            basic = resp["response_bytes"]["response"].parsed
            for single in basic["tbs_response_data"]["responses"]:
                status = single["cert_status"]
                if single["cert_id"]["serial_number"].native == serial and status.name == "revoked":
                    times.append(status.chosen["revocation_time"].native)
        except (KeyError, ValueError, TypeError, AttributeError):
            continue
    return min(times) if times else None


def _declares_revocation(cert: asn1_x509.Certificate) -> bool:
    return bool(cert.crl_distribution_points) or bool(cert.ocsp_urls)


def _revocation(status: PdfSignatureStatus, has_revinfo: bool) -> tuple[str, str | None]:
    """The signer's revocation status for the report, and a warning when it could not be checked."""
    if status.revoked:
        return "revoked", None
    if not _declares_revocation(status.signing_cert):
        return "no revocation service declared by the certificate", None
    if not has_revinfo:
        return "not checked", (
            "revocation status not checked: the file carries no revocation data and the check is offline"
        )
    if status.validation_path is None:
        return "not checked", None
    return "not revoked (OCSP/CRL embedded in the file)", None


def _blank_report(sig: EmbeddedPdfSignature, kind: str) -> SignatureReport:
    return SignatureReport(
        field_name=str(sig.field_name),
        indication=INDETERMINATE,
        sub_indication=None,
        signer=None,
        signing_time=None,
        timestamp_time=None,
        level=None,
        coverage="partial",
        modifications=MOD_UNKNOWN,
        chain=[],
        errors=[],
        kind=kind,
    )


_SOFT_FAIL = RevocationCheckingPolicy.from_legacy("soft-fail")
# Revocation data counts as fresh for its own update interval after it was issued (ETSI "max difference
# between revocation issuance and validation time"); past validation slides back to when it was fresh.
_FRESH = CertRevTrustPolicy(_SOFT_FAIL, freshness_req_type=FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION)
# The last TSA's revocation data cannot be newer than the last timestamp when nothing is fetched: accepted
# whatever its age (a warning says so).
_ANY_AGE = CertRevTrustPolicy(
    _SOFT_FAIL,
    freshness=timedelta(days=365 * 200),
    freshness_req_type=FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION,
)


def _lta_spec(roots: list[asn1_x509.Certificate]) -> PdfSignatureValidationSpec:
    trust = SimpleTrustManager.build(trust_roots=roots)
    return PdfSignatureValidationSpec(
        signature_validation_spec=SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(trust_manager=trust, revinfo_policy=_FRESH),
            ts_cert_validation_policy=CertValidationPolicySpec(trust_manager=trust, revinfo_policy=_ANY_AGE),
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
            key_usage_settings=_KEY_USAGE,
        )
    )


def _timing(validation_time: datetime | None) -> ValidationTimingInfo:
    if validation_time is None:
        return ValidationTimingInfo.now(tz=UTC)
    return ValidationTimingInfo(validation_time, validation_time, point_in_time_validation=True)


def _validate_lta(
    sig: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate], validation_time: datetime | None
) -> AdESLTAValidationResult:
    return asyncio.run(ades_lta_validation(sig, _lta_spec(roots), timing_info=_timing(validation_time)))


def _apply_lta(result: AdESLTAValidationResult, report: SignatureReport) -> None:
    """The AdES LTA result decides when the checks of the file itself (_judge) found nothing worse."""
    report.validation_model = "LTA (past signature validation)"
    report.best_signature_time = result.best_signature_time
    subindic = result.ades_subindic
    if subindic.status == AdESStatus.PASSED:
        if report.indication != TOTAL_PASSED and report.sub_indication in (
            "OUT_OF_BOUNDS_NO_POE",
            "OUT_OF_BOUNDS_NOT_REVOKED",
            "REVOCATION_OUT_OF_BOUNDS_NO_POE",
            "TRY_LATER",
            "NO_POE",
        ):
            # pyHanko's status object can keep the current-time verdict that past validation overturned
            report.indication, report.sub_indication = TOTAL_PASSED, None
            report.errors.clear()
        return
    if report.indication == TOTAL_FAILED:
        return  # a definite failure found on the file itself stays
    report.indication = TOTAL_FAILED if subindic.status == AdESStatus.FAILED else INDETERMINATE
    report.sub_indication = subindic.standard_name
    report.errors.append(
        f"long-term (LTA) validation: {subindic.standard_name}"
        + (f" ({' '.join(result.failure_msg.split())[:300]})" if result.failure_msg else "")
    )


def _verify_one(
    sig: EmbeddedPdfSignature,
    vc_factory: Any,
    doc_timestamps: list[EmbeddedPdfSignature],
    has_ltv_data: bool,
    has_revinfo: bool,
    roots: list[asn1_x509.Certificate] | None = None,
    validation_time: datetime | None = None,
) -> SignatureReport:
    """``roots`` given and a document timestamp after the signature: AdES LTA validation; else basic."""
    report = _blank_report(sig, "signature")
    try:
        report.signer = _cn(sig.signer_cert)
        report.chain = [report.signer]
    except Exception as exc:  # noqa: BLE001
        report.indication, report.sub_indication = TOTAL_FAILED, "FORMAT_FAILURE"
        report.errors.append(f"the signature cannot be read: {exc}")
        return report
    lta = roots is not None and any(t.signed_revision > sig.signed_revision for t in doc_timestamps)
    lta_result: AdESLTAValidationResult | None = None
    try:
        vc = vc_factory()
        status: PdfSignatureStatus
        if lta:
            lta_result = _validate_lta(sig, roots or [], validation_time)
        if lta_result is not None and lta_result.api_status is not None:
            status = lta_result.api_status  # type: ignore[assignment]
            asyncio.run(vc.aclose())
        else:
            coro = async_validate_pdf_signature(sig, vc, key_usage_settings=_KEY_USAGE)
            status = asyncio.run(_run_and_close(coro, vc))
        revoked_at = _revocation_time(status.signing_cert, vc) if status.revoked else None
    except Exception as exc:  # noqa: BLE001 (any defect of the file becomes a report line)
        log.info("signature validation raised %s", type(exc).__name__)
        report.indication, report.sub_indication = TOTAL_FAILED, "FORMAT_FAILURE"
        report.errors.append(f"the signature cannot be validated: {exc}")
        report.level = _level(sig, None, doc_timestamps, has_ltv_data)
        return report
    report.coverage = COVERAGE_TEXT.get(status.coverage, "partial")  # type: ignore[arg-type]
    report.modifications = _modifications(status)
    report.signing_time = status.signer_reported_dt or sig.self_reported_timestamp
    if status.timestamp_validity is not None:
        report.timestamp_time = status.timestamp_validity.timestamp
    report.level = _level(sig, status, doc_timestamps, has_ltv_data)
    if status.validation_path is not None:
        report.chain = [_cn(c) for c in reversed(list(status.validation_path.iter_certs(include_root=True)))]
    _judge(status, report, revoked_at)
    if lta_result is not None:
        _apply_lta(lta_result, report)
    elif status.timestamp_validity is not None and status.timestamp_validity.trusted:
        report.best_signature_time = status.timestamp_validity.timestamp
    if report.level is None:
        report.warnings.append(
            f"not a PAdES signature (SubFilter {sig.sig_object.get('/SubFilter')}): no PAdES baseline level"
        )
    report.revocation, warning = _revocation(status, has_revinfo)
    if warning:
        report.warnings.append(warning)
    return report


def _judge_timestamp(status: DocumentTimestampStatus, report: SignatureReport) -> None:
    if not status.intact:
        report.indication, report.sub_indication = TOTAL_FAILED, "HASH_FAILURE"
        report.errors.append("the document bytes covered by the timestamp were changed after it was made")
    elif not status.valid:
        report.indication, report.sub_indication = TOTAL_FAILED, "SIG_CRYPTO_FAILURE"
        report.errors.append("the timestamp's signature does not verify with the TSA's public key")
    elif status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        report.indication, report.sub_indication = TOTAL_FAILED, "FORMAT_FAILURE"
        report.errors.append("the timestamp does not cover the whole file (its /ByteRange leaves parts out)")
    elif report.modifications == MOD_CHANGED:
        report.indication, report.sub_indication = TOTAL_FAILED, "FORMAT_FAILURE"
        report.errors.append(
            "the file was changed after the timestamp (an incremental update changed content)"
        )
    elif status.trust_problem_indic is not None:
        indic = status.trust_problem_indic
        report.indication = TOTAL_FAILED if indic.status.name == "FAILED" else INDETERMINATE
        report.sub_indication = indic.standard_name
        report.errors.append(f"the TSA's certificate could not be validated ({indic.standard_name})")
    elif status.validation_path is None or not status.trusted:
        report.indication, report.sub_indication = INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND"
        report.errors.append("the timestamp authority is not trusted: give its CA with --trust")
    else:
        report.indication, report.sub_indication = TOTAL_PASSED, None


def _verify_timestamp(
    ts: EmbeddedPdfSignature, vc_factory: Any, moment: datetime | None = None
) -> SignatureReport:
    """Checked as of ``moment`` (the time of the next document timestamp, which proves this one existed
    then; None: the validation time)."""
    report = _blank_report(ts, "document timestamp")
    try:
        report.signer = _cn(ts.signer_cert)
        report.chain = [report.signer]
        vc = vc_factory(moment, moment is None)
        status: DocumentTimestampStatus = asyncio.run(
            _run_and_close(async_validate_pdf_timestamp(ts, vc), vc)
        )
    except Exception as exc:  # noqa: BLE001 (any defect of the file becomes a report line)
        log.info("document timestamp validation raised %s", type(exc).__name__)
        report.indication, report.sub_indication = TOTAL_FAILED, "FORMAT_FAILURE"
        report.errors.append(f"the document timestamp cannot be validated: {exc}")
        return report
    report.coverage = COVERAGE_TEXT.get(status.coverage, "partial")  # type: ignore[arg-type]
    report.modifications = _modifications(status)  # type: ignore[arg-type]
    report.timestamp_time = status.timestamp
    if status.validation_path is not None:
        report.chain = [_cn(c) for c in reversed(list(status.validation_path.iter_certs(include_root=True)))]
    _judge_timestamp(status, report)
    return report


async def _run_and_close(coro: Any, vc: ValidationContext) -> PdfSignatureStatus:
    try:
        return await coro
    finally:
        await vc.aclose()


# --- the file --------------------------------------------------------------------------------------------


def verify_pdf(
    data: bytes,
    trust_roots: Sequence[Path | asn1_x509.Certificate] = (),
    *,
    validation_time: datetime | None = None,
) -> VerificationReport:
    """Check every signature of ``data`` offline against ``trust_roots``, as of ``validation_time`` (default
    now; a naive time is UTC). Never raises for a bad PDF."""
    if validation_time is not None and validation_time.tzinfo is None:
        validation_time = validation_time.replace(tzinfo=UTC)
    report = VerificationReport(
        file_sha256=hashlib.sha256(data).hexdigest(),
        signatures=[],
        errors=[],
        validation_time=validation_time or datetime.now(UTC),
    )
    try:
        roots = _trust_roots(trust_roots)
    except (OSError, ValueError) as exc:
        report.errors.append(f"a trust anchor cannot be read: {exc}")
        return report
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            report.errors.append("encrypted PDF: its signatures cannot be checked without the password")
            return report
        reader.root  # noqa: B018 (reading the catalog finds most structural damage)
    except Exception as exc:  # noqa: BLE001 (malformed files give a report, never a crash)
        report.errors.append(f"damaged PDF: {exc}")
        return report
    try:
        signatures = list(reader.embedded_regular_signatures)
        doc_timestamps = list(reader.embedded_timestamp_signatures)
    except Exception as exc:  # noqa: BLE001
        report.errors.append(f"damaged PDF: a signature field cannot be read ({exc})")
        return report
    if not signatures:
        report.errors.append("no signature in this file")
        return report

    dss: DocumentSecurityStore | None
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        dss = None
    except Exception as exc:  # noqa: BLE001
        dss = None
        report.errors.append(f"the validation data (DSS) of the file cannot be read: {exc}")
    has_revinfo = dss is not None and bool(dss.crls or dss.ocsps)
    has_ltv_data = has_revinfo or (dss is not None and bool(dss.certs))

    def vc_factory(moment: datetime | None = None, last_timestamp: bool = False) -> ValidationContext:
        kwargs: dict[str, Any] = {
            "trust_roots": roots,
            "allow_fetching": False,
            "revocation_mode": "soft-fail",
        }
        if moment is not None:
            kwargs["moment"] = moment
        elif validation_time is not None:
            kwargs["moment"] = validation_time
        if last_timestamp:
            kwargs.pop("revocation_mode")
            kwargs["revinfo_policy"] = _ANY_AGE
        if dss is not None:
            return dss.as_validation_context(kwargs)
        return ValidationContext(**kwargs)

    for sig in signatures:
        report.signatures.append(
            _verify_one(sig, vc_factory, doc_timestamps, has_ltv_data, has_revinfo, roots, validation_time)
        )
    ordered = sorted(doc_timestamps, key=lambda t: t.signed_revision)
    for n, ts in enumerate(ordered):
        moment = _timestamp_time(ordered[n + 1]) if n + 1 < len(ordered) else None
        ts_report = _verify_timestamp(ts, vc_factory, moment)
        made = ts_report.timestamp_time
        stale = made is not None and report.validation_time - made > timedelta(days=30)  # type: ignore[operator]
        if moment is None and ts_report.passed and stale:
            ts_report.warnings.append(
                f"the revocation data of the last timestamp's TSA dates from that timestamp ({_iso(made)}): "
                "nothing newer can be had offline"
            )
        report.timestamps.append(ts_report)
    return report


def _timestamp_time(ts: EmbeddedPdfSignature) -> datetime | None:
    try:
        return ts.signed_data["encap_content_info"]["content"].parsed["gen_time"].native
    except Exception:  # noqa: BLE001 (an unreadable token is reported by its own check)
        return None
