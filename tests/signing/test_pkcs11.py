"""PKCS#11 key source with a real SoftHSM2 token: the key never leaves the token."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pipelines.errors import SigningError
from signing.keys import Pkcs11Config, load_agency_key, load_pkcs11, pkcs11_config
from signing.pades import PadesSigner
from signing.verify import verify_pdf
from sohoa.settings import Settings
from tests.fixtures.pki import AGENCY_NAME, TestPki


def _env(monkeypatch: pytest.MonkeyPatch, config: Pkcs11Config) -> None:
    monkeypatch.setenv("SOHOA_SIGNING_PKCS11_MODULE", str(config.module))
    monkeypatch.setenv("SOHOA_SIGNING_PKCS11_TOKEN", config.token_label)
    monkeypatch.setenv("SOHOA_SIGNING_PKCS11_KEY", config.key_label)
    monkeypatch.setenv("SOHOA_SIGNING_PKCS11_PIN", config.pin or "")


# This test comes first: a PKCS#11 login lasts as long as the process, and a wrong PIN can only be seen
# before the token's first successful login.
def test_pkcs11_errors_a_person_can_act_on(
    softhsm_token: Pkcs11Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SigningError, match="wrong PIN"):
        load_pkcs11(dataclasses.replace(softhsm_token, pin="000000"), name=AGENCY_NAME)
    with pytest.raises(SigningError, match="no token labelled 'no-such-token'"):
        load_pkcs11(dataclasses.replace(softhsm_token, token_label="no-such-token"), name=AGENCY_NAME)
    with pytest.raises(SigningError, match="no private key and certificate labelled 'nope'"):
        load_pkcs11(dataclasses.replace(softhsm_token, key_label="nope"), name=AGENCY_NAME)
    with pytest.raises(SigningError, match="SOHOA_SIGNING_PKCS11_MODULE"):
        load_pkcs11(dataclasses.replace(softhsm_token, module=Path("/nonexistent/p11.so")), name=AGENCY_NAME)
    monkeypatch.setenv("SOHOA_SIGNING_PKCS11_MODULE", str(softhsm_token.module))
    monkeypatch.delenv("SOHOA_SIGNING_PKCS11_TOKEN", raising=False)
    monkeypatch.delenv("SOHOA_SIGNING_PKCS11_KEY", raising=False)
    with pytest.raises(SigningError, match="SOHOA_SIGNING_PKCS11_TOKEN and SOHOA_SIGNING_PKCS11_KEY"):
        pkcs11_config()


def test_load_agency_key_prefers_the_token_and_signs_lta(
    softhsm_token: Pkcs11Config,
    test_pki: TestPki,
    tsa_url: str,
    pdfa_bytes: bytes,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _env(monkeypatch, softhsm_token)
    settings = Settings(data_dir=tmp_path, agency_name=AGENCY_NAME, signing_pkcs12=test_pki.p12_path)
    key = load_agency_key(settings)
    assert not key.is_test and key.name == AGENCY_NAME
    assert key.certificate.dump() == test_pki.agency_key.certificate.dump()
    assert "PIN" not in repr(pkcs11_config(settings)) and softhsm_token.pin not in repr(
        pkcs11_config(settings)
    )
    signer = PadesSigner(key, tsa_url=tsa_url, trust_roots=[test_pki.root_pem])
    with ThreadPoolExecutor(max_workers=3) as pool:  # one token session shared by threads
        results = list(pool.map(lambda _: signer.sign(pdfa_bytes), range(3)))
    for result in results:
        assert result.info.level == "PAdES-BASELINE-LTA"
        report = verify_pdf(result.data, [test_pki.root_pem])
        assert report.passed, report.to_text()
        (sig,) = report.signatures
        assert sig.level == "PAdES-BASELINE-LTA"
        assert sig.chain == [
            "Trung tâm Phục vụ hành chính công tỉnh Thừa Thiên Huế (TEST)",
            "sohoa TEST Intermediate CA",
            "sohoa TEST Root CA (certomancer)",
        ]
