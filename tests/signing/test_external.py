"""The remote-signing hook: the "service" is a plain function holding the certomancer key."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from certomancer.registry import CertLabel
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from pipelines.errors import SigningError
from signing.external import RemoteSignRequest, remote_agency_key
from signing.pades import PadesSigner
from signing.verify import verify_pdf
from tests.fixtures.pki import AGENCY_NAME, TestPki
from tests.helpers import covered, openssl_cms_verify, signature_ranges


@pytest.fixture(scope="module")
def remote_service(test_pki: TestPki):  # type: ignore[no-untyped-def]
    """A stand-in for the CA's remote signing API: takes the hash, returns the PKCS#1 v1.5 signature."""
    key = serialization.load_pem_private_key((test_pki.key_dir / "signer.key.pem").read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    calls: list[RemoteSignRequest] = []

    def sign(request: RemoteSignRequest) -> bytes:
        calls.append(request)
        assert request.digest_algorithm == "sha256" and request.signature_algorithm == "rsassa_pkcs1v15"
        return key.sign(request.digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))

    sign.calls = calls  # type: ignore[attr-defined]
    return sign


def test_remote_signer_signs_lta(
    remote_service, test_pki: TestPki, tsa_url: str, pdfa_bytes: bytes, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    chain = [test_pki.arch.get_cert(CertLabel("interm")), test_pki.root]
    key = remote_agency_key(test_pki.agency_key.certificate, chain, remote_service, name=AGENCY_NAME)
    result = PadesSigner(key, tsa_url=tsa_url).sign(pdfa_bytes)  # the root came with the chain
    assert result.info.level == "PAdES-BASELINE-LTA"
    assert len(remote_service.calls) == 1  # one round trip to the service per document
    report = verify_pdf(result.data, [test_pki.root_pem])
    assert report.passed, report.to_text()

    br, der = signature_ranges(result.data)[0]
    openssl_cms_verify(der, covered(result.data, br), tmp_path, ca=test_pki.root_pem)


def test_remote_service_failure_is_a_signing_error(test_pki: TestPki, pdfa_bytes: bytes) -> None:
    def refuse(request: RemoteSignRequest) -> bytes:
        raise ConnectionError("the official did not confirm on the phone within 60 s")

    key = remote_agency_key(test_pki.agency_key.certificate, [], refuse, name=AGENCY_NAME)
    with pytest.raises(SigningError, match="remote signing service failed: the official did not confirm"):
        PadesSigner(key, stamp=None).sign(pdfa_bytes)

    def whole_cms(request: RemoteSignRequest) -> bytes:
        return b"\x30" * 2000

    key = remote_agency_key(test_pki.agency_key.certificate, [], whole_cms, name=AGENCY_NAME)
    with pytest.raises(SigningError, match="raw signature value"):
        PadesSigner(key, stamp=None).sign(io.BytesIO(pdfa_bytes).getvalue())
