"""Years later: past-signature validation of PAdES-LTA after the signer's certificate expired, and renewal
of the archive timestamp chain (signing/renew.py), against the certomancer PKI on 127.0.0.1."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipelines.errors import SigningError
from signing.pades import PadesSigner, SignedPdf
from signing.renew import last_timestamp_expiry, needs_renewal, renew_timestamp
from signing.verify import verify_pdf
from tests.fixtures.pki import SHORT_LIVED_DAYS, TestPki
from tests.helpers import covered, openssl_cms_verify, openssl_ts_verify, signature_ranges

TSA_NOT_AFTER = datetime(2055, 1, 1, tzinfo=UTC)  # tests/fixtures/pki/certomancer.yml


def _years_after_expiry() -> datetime:
    return datetime.now(UTC) + timedelta(days=SHORT_LIVED_DAYS + 5 * 365)


@pytest.fixture(scope="module")
def short_lived(test_pki: TestPki, tsa_url: str, pdfa_bytes: bytes) -> dict[str, SignedPdf]:
    """The same PDF/A signed with the short-lived certificate (valid now) at B, T and LTA."""
    return {
        level: PadesSigner(
            test_pki.short_lived_key, stamp=None, tsa_url=tsa_url, level=level, trust_roots=[test_pki.root]
        ).sign(pdfa_bytes)
        for level in ("B", "T", "LTA")
    }


def test_lta_passes_years_after_the_signer_expired(
    short_lived: dict[str, SignedPdf], test_pki: TestPki
) -> None:
    later = _years_after_expiry()
    assert test_pki.short_lived_key.certificate.not_valid_after < later
    report = verify_pdf(short_lived["LTA"].data, [test_pki.root_pem], validation_time=later)
    assert report.passed, report.to_text()
    (sig,) = report.signatures
    assert sig.indication == "TOTAL_PASSED" and sig.level == "PAdES-BASELINE-LTA"
    assert sig.validation_model == "LTA (past signature validation)"
    assert sig.best_signature_time is not None
    assert sig.best_signature_time < test_pki.short_lived_key.certificate.not_valid_after
    (ts,) = report.timestamps
    assert ts.indication == "TOTAL_PASSED"
    assert any("nothing newer can be had offline" in w for w in ts.warnings)
    assert report.to_dict()["validation_time"] is not None
    # and today, of course
    assert verify_pdf(short_lived["LTA"].data, [test_pki.root_pem]).passed


@pytest.mark.parametrize("level", ["B", "T"])
def test_without_document_timestamp_expired_signer_is_out_of_bounds(
    level: str, short_lived: dict[str, SignedPdf], test_pki: TestPki
) -> None:
    report = verify_pdf(short_lived[level].data, [test_pki.root_pem], validation_time=_years_after_expiry())
    (sig,) = report.signatures
    assert not report.passed
    assert (sig.indication, sig.sub_indication) == ("INDETERMINATE", "OUT_OF_BOUNDS_NO_POE"), report.to_text()
    assert sig.validation_model == "basic"


def test_lta_is_not_passed_once_the_tsa_certificate_expired(
    short_lived: dict[str, SignedPdf], test_pki: TestPki
) -> None:
    """Without renewal the proof of existence ends with the TSA's certificate (2055-01-01)."""
    report = verify_pdf(short_lived["LTA"].data, [test_pki.root_pem], validation_time=datetime(2056, 1, 1))
    assert not report.passed
    assert report.timestamps[0].indication == "INDETERMINATE", report.to_text()


def test_expiry_and_needs_renewal(short_lived: dict[str, SignedPdf]) -> None:
    assert last_timestamp_expiry(short_lived["B"].data) is None
    assert not needs_renewal(short_lived["B"].data)
    for level in ("T", "LTA"):
        assert last_timestamp_expiry(short_lived[level].data) == TSA_NOT_AFTER
        assert not needs_renewal(short_lived[level].data)
        assert needs_renewal(short_lived[level].data, now=datetime(2054, 6, 1, tzinfo=UTC))
        assert not needs_renewal(short_lived[level].data, horizon_days=30, now=datetime(2054, 6, 1))
        assert needs_renewal(short_lived[level].data, now=datetime(2056, 1, 1))  # expired already


@pytest.fixture(scope="module")
def renewed(short_lived: dict[str, SignedPdf], test_pki: TestPki, tsa_url: str) -> bytes:
    return renew_timestamp(short_lived["LTA"].data, tsa_url=tsa_url, trust_roots=[test_pki.root_pem])


def test_renewed_lta_verifies_and_keeps_earlier_revisions(
    renewed: bytes, short_lived: dict[str, SignedPdf], test_pki: TestPki
) -> None:
    original = short_lived["LTA"].data
    assert renewed.startswith(original)  # incremental update only
    report = verify_pdf(renewed, [test_pki.root_pem])
    assert report.passed, report.to_text()
    assert [t.indication for t in report.timestamps] == ["TOTAL_PASSED", "TOTAL_PASSED"]
    assert report.timestamps[1].field_name == "SohoaArchiveTimestamp2"
    assert report.timestamps[0].modifications == "none"  # the DSS update + new timestamp are LTA updates
    assert report.signatures[0].level == "PAdES-BASELINE-LTA"
    later = verify_pdf(renewed, [test_pki.root_pem], validation_time=_years_after_expiry())
    assert later.passed, later.to_text()
    assert last_timestamp_expiry(renewed) == TSA_NOT_AFTER


def test_renewed_file_is_accepted_by_openssl_and_pdfsig(
    renewed: bytes, test_pki: TestPki, tmp_path: Path
) -> None:
    ranges = signature_ranges(renewed)
    assert len(ranges) == 3
    br, der = ranges[0]
    openssl_cms_verify(der, covered(renewed, br), tmp_path, ca=test_pki.root_pem)
    ts_br, token = ranges[2]
    # after the new timestamp only the DSS update with its own TSA's validation data (no content)
    tail = renewed[ts_br[2] + ts_br[3] :]
    assert b"/ByteRange" not in tail and b"/DSS" in tail
    openssl_ts_verify(token, covered(renewed, ts_br), tmp_path, ca=test_pki.root_pem)
    (tmp_path / "renewed.pdf").write_bytes(renewed)
    out = subprocess.run(["pdfsig", str(tmp_path / "renewed.pdf")], capture_output=True, text=True).stdout
    first = out.split("Signature #2")[0]
    assert "Signature Validation: Signature is Valid." in first, out
    assert "SohoaArchiveTimestamp2" in out.split("Signature #3")[1], out


def test_renewing_a_t_file_makes_it_lta(
    short_lived: dict[str, SignedPdf], test_pki: TestPki, tsa_url: str
) -> None:
    renewed_t = renew_timestamp(short_lived["T"].data, tsa_url=tsa_url, trust_roots=[test_pki.root])
    report = verify_pdf(renewed_t, [test_pki.root_pem], validation_time=_years_after_expiry())
    assert report.passed, report.to_text()
    assert report.signatures[0].validation_model == "LTA (past signature validation)"
    assert len(report.timestamps) == 1


def test_renewal_errors_are_plain(
    short_lived: dict[str, SignedPdf], test_pki: TestPki, tsa_url: str, pdfa_bytes: bytes
) -> None:
    with pytest.raises(SigningError, match="SOHOA_TRUST_ANCHORS"):
        renew_timestamp(short_lived["LTA"].data, tsa_url=tsa_url)
    with pytest.raises(SigningError, match="no signature"):
        renew_timestamp(pdfa_bytes, tsa_url=tsa_url, trust_roots=[test_pki.root])
    with pytest.raises(SigningError, match="cannot be read"):
        renew_timestamp(b"%PDF-1.4 not really", tsa_url=tsa_url, trust_roots=[test_pki.root])
