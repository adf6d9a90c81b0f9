"""PAdES levels B, T, LT and LTA against the certomancer PKI (TSA, OCSP and CRLs on 127.0.0.1).

Every signature is also checked outside pyHanko: ``openssl cms -verify`` over its byte range, ``openssl ts
-verify`` for the document timestamp, and poppler's ``pdfsig`` for the digest.
"""

from __future__ import annotations

import asyncio
import io
import subprocess
from pathlib import Path

import pikepdf
import pytest
from certomancer.registry import CertLabel
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext

from pipelines.errors import SigningError
from signing.external import remote_agency_key
from signing.pades import PadesSigner, SignedPdf, parse_level
from signing.verify import verify_pdf
from tests.fixtures.pki import AGENCY_NAME, TestPki
from tests.helpers import covered, openssl_cms_verify, openssl_ts_verify, signature_ranges

LEVELS = ("B", "T", "LT", "LTA")


@pytest.fixture(scope="module")
def signed_levels(test_pki: TestPki, tsa_url: str, pdfa_bytes: bytes) -> dict[str, SignedPdf]:
    """The same PDF/A signed at each level (with the visible stamp)."""
    out = {}
    for level in LEVELS:
        signer = PadesSigner(
            test_pki.agency_key, tsa_url=tsa_url, level=level, trust_roots=[test_pki.root_pem]
        )
        out[level] = signer.sign(pdfa_bytes)
    return out


def test_level_names_and_defaults(test_pki: TestPki, tsa_url: str) -> None:
    assert PadesSigner(test_pki.agency_key, stamp=None).level == "PAdES-BASELINE-B"
    default = PadesSigner(test_pki.agency_key, stamp=None, tsa_url=tsa_url, trust_roots=[test_pki.root])
    assert default.level == "PAdES-BASELINE-LTA"
    interm = test_pki.arch.get_cert(CertLabel("interm"))
    no_root = remote_agency_key(test_pki.agency_key.certificate, [interm], lambda _: b"", name=AGENCY_NAME)
    with pytest.raises(SigningError, match="root certificate"):  # a chain without its root, no trust_roots
        PadesSigner(no_root, stamp=None, tsa_url=tsa_url)
    assert parse_level("b-lt", tsa_url) == parse_level("PAdES-BASELINE-LT", tsa_url) == "PAdES-BASELINE-LT"
    with pytest.raises(SigningError, match="unknown PAdES level"):
        parse_level("XL", tsa_url)
    with pytest.raises(SigningError, match="SOHOA_TSA_URL"):
        PadesSigner(test_pki.agency_key, stamp=None, level="LTA")


@pytest.mark.parametrize("level", LEVELS)
def test_every_level_verifies_total_passed(
    level: str, signed_levels: dict[str, SignedPdf], test_pki: TestPki
) -> None:
    result = signed_levels[level]
    assert result.info.level == f"PAdES-BASELINE-{level}"
    report = verify_pdf(result.data, [test_pki.root_pem])
    assert report.passed, report.to_text()
    (sig,) = report.signatures
    assert sig.indication == "TOTAL_PASSED" and sig.level == f"PAdES-BASELINE-{level}", report.to_text()
    assert sig.modifications == "none"
    assert (sig.timestamp_time is None) == (level == "B")
    if level in ("LT", "LTA"):
        assert sig.revocation == "not revoked (OCSP/CRL embedded in the file)"
        assert sig.warnings == []
        with pikepdf.open(io.BytesIO(result.data)) as pdf:
            dss = pdf.Root.DSS
            assert len(dss.OCSPs) >= 1 and len(dss.CRLs) >= 1 and len(dss.Certs) >= 3
    else:
        assert any("revocation status not checked" in w for w in sig.warnings)
    if level == "LTA":
        (ts,) = report.timestamps
        assert ts.kind == "document timestamp" and ts.indication == "TOTAL_PASSED", report.to_text()
        assert ts.coverage == "entire file" and ts.chain[-1] == "sohoa TEST Root CA (certomancer)"
        assert sig.coverage == "entire revision, later incremental updates"
        assert report.to_dict()["document_timestamps"][0]["indication"] == "TOTAL_PASSED"
    else:
        assert report.timestamps == [] and sig.coverage == "entire file"


@pytest.mark.parametrize("level", LEVELS)
def test_openssl_and_pdfsig_accept_every_level(
    level: str, signed_levels: dict[str, SignedPdf], test_pki: TestPki, tmp_path: Path
) -> None:
    data = signed_levels[level].data
    ranges = signature_ranges(data)
    assert len(ranges) == (2 if level == "LTA" else 1)
    (br, der) = ranges[0]
    openssl_cms_verify(der, covered(data, br), tmp_path, ca=test_pki.root_pem)
    if level == "LTA":
        (ts_br, token) = ranges[1]
        assert ts_br[2] + ts_br[3] == len(data)  # the document timestamp covers the whole file
        openssl_ts_verify(token, covered(data, ts_br), tmp_path, ca=test_pki.root_pem)
    (tmp_path / "signed.pdf").write_bytes(data)
    out = subprocess.run(["pdfsig", str(tmp_path / "signed.pdf")], capture_output=True, text=True).stdout
    first = out.split("Signature #2")[0]
    assert "Signature Validation: Signature is Valid." in first, out
    assert "ETSI.CAdES.detached" in first
    assert ("Total document signed" in out.split("Signature #1")[1]) if level != "LTA" else True
    if level == "LTA":
        assert "Total document signed" in out.split("Signature #2")[1], out


def test_lta_then_changed_page_is_not_passed(signed_levels: dict[str, SignedPdf], test_pki: TestPki) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_levels["LTA"].data))
    stream = generic.StreamObject(stream_data=b"q 1 0 0 rg 50 50 200 200 re f Q")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    report = verify_pdf(out.getvalue(), [test_pki.root_pem])
    assert not report.passed
    assert report.signatures[0].modifications == "content changed"
    assert report.timestamps[0].modifications == "content changed"
    assert report.timestamps[0].indication == "TOTAL_FAILED"


def test_lt_refuses_a_revoked_signing_certificate(test_pki: TestPki, tsa_url: str, pdfa_bytes: bytes) -> None:
    signer = PadesSigner(
        test_pki.revoked_key, stamp=None, tsa_url=tsa_url, level="LT", trust_roots=[test_pki.root]
    )
    with pytest.raises(SigningError, match="is revoked"):
        signer.sign(pdfa_bytes)


def _add_fetched_revocation_data(data: bytes, test_pki: TestPki) -> bytes:
    """What an archive's LTV update does later: fetch OCSP/CRLs now and put them in the file's DSS."""
    reader = PdfFileReader(io.BytesIO(data))
    (sig,) = reader.embedded_regular_signatures
    vc = ValidationContext(trust_roots=[test_pki.root], allow_fetching=True, revocation_mode="soft-fail")

    async def fetch() -> None:
        try:
            await async_validate_pdf_signature(sig, vc)
        finally:
            await vc.aclose()

    asyncio.run(fetch())
    assert vc.ocsps or vc.crls
    out = io.BytesIO(data)
    DocumentSecurityStore.add_dss(
        out, sig.pkcs7_content, certs=list(sig.other_embedded_certs), ocsps=vc.ocsps, crls=vc.crls
    )
    return out.getvalue()


def test_revoked_signer_with_embedded_revocation_data_fails(
    test_pki: TestPki, tsa_url: str, pdfa_bytes: bytes, pki_services: str
) -> None:
    """Signed (B-T, so nothing checks at signing time) with a certificate revoked on 2025-01-01."""
    signed = PadesSigner(test_pki.revoked_key, stamp=None, tsa_url=tsa_url, level="T").sign(pdfa_bytes)
    with_revinfo = _add_fetched_revocation_data(signed.data, test_pki)
    report = verify_pdf(with_revinfo, [test_pki.root_pem])
    (sig,) = report.signatures
    assert not report.passed
    # The signature timestamp (now) proves the signature was made after the revocation (2025-01-01).
    assert (sig.indication, sig.sub_indication) == ("TOTAL_FAILED", "REVOKED"), report.to_text()
    assert sig.revocation == "revoked"
    assert any("after the revocation (2025-01-01T07:00:00+07:00)" in e for e in sig.errors)


def test_revoked_signer_without_timestamp_is_revoked_no_poe(
    test_pki: TestPki, pdfa_bytes: bytes, pki_services: str
) -> None:
    """B level: nothing proves when the signature was made, so ETSI says INDETERMINATE/REVOKED_NO_POE."""
    signed = PadesSigner(test_pki.revoked_key, stamp=None, level="B").sign(pdfa_bytes)
    report = verify_pdf(_add_fetched_revocation_data(signed.data, test_pki), [test_pki.root_pem])
    (sig,) = report.signatures
    assert (sig.indication, sig.sub_indication) == ("INDETERMINATE", "REVOKED_NO_POE"), report.to_text()
    assert sig.revocation == "revoked"


def test_lta_without_the_tsa_root_is_a_clear_error(
    test_pki: TestPki, tsa_url: str, pdfa_bytes: bytes, tmp_path: Path
) -> None:
    """The TSA chains to the certomancer root; a signer that trusts only another root cannot collect the
    TSA's validation data, and says so instead of producing a half-LTA file."""
    from signing.keys import ensure_test_pki, load_pkcs12

    p12, _ = ensure_test_pki(tmp_path / "other", AGENCY_NAME)  # another PKI, with its own root
    other = load_pkcs12(
        p12, (tmp_path / "other" / "agency.p12.pass").read_bytes().strip(), name="x", is_test=True
    )
    with pytest.raises(SigningError, match="no chain from the signing certificate .* SOHOA_TRUST_ANCHORS"):
        PadesSigner(other, stamp=None, tsa_url=tsa_url).sign(pdfa_bytes)
