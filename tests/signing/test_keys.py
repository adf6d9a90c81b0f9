"""Key sources: the local TEST PKI and PKCS#12 files, with errors a person can act on."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from pipelines.errors import SigningError
from signing.keys import AGENCY_PASSWORD, ensure_test_pki, load_agency_key, load_pkcs12
from sohoa.settings import Settings
from tests.fixtures.pki import AGENCY_NAME, TestPki


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_ensure_test_pki_is_idempotent_and_private(tmp_path: Path) -> None:
    p12, root = ensure_test_pki(tmp_path / "pki", AGENCY_NAME)
    first = (p12.read_bytes(), root.read_bytes())
    assert ensure_test_pki(tmp_path / "pki", AGENCY_NAME) == (p12, root)
    assert (p12.read_bytes(), root.read_bytes()) == first
    for path in (p12, root, p12.with_name(AGENCY_PASSWORD)):
        assert _mode(path) == 0o600

    root_cert = x509.load_pem_x509_certificate(root.read_bytes())
    assert "TEST" in root_cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    key = load_agency_key(Settings(data_dir=tmp_path, agency_name=AGENCY_NAME))
    assert key.is_test and key.name == AGENCY_NAME
    native = key.certificate.subject.native
    assert native["common_name"] == f"{AGENCY_NAME} (TEST)"
    assert set(key.certificate.key_usage_value.native) == {"digital_signature", "non_repudiation"}
    lifetime = key.certificate.not_valid_after - key.certificate.not_valid_before
    assert timedelta(days=5 * 365 - 2) < lifetime <= timedelta(days=5 * 365 + 2)
    assert key.certificate.not_valid_after > datetime.now(UTC) + timedelta(days=4 * 365)


def test_new_agency_name_reissues_only_the_agency_certificate(tmp_path: Path) -> None:
    p12, root = ensure_test_pki(tmp_path, AGENCY_NAME)
    root_before, p12_before = root.read_bytes(), p12.read_bytes()
    ensure_test_pki(tmp_path, "Bộ phận Một cửa huyện Phú Vang")
    assert root.read_bytes() == root_before
    assert p12.read_bytes() != p12_before


def test_load_agency_key_from_settings_pkcs12(test_pki: TestPki, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        agency_name=AGENCY_NAME,
        signing_pkcs12=test_pki.p12_path,
        signing_pkcs12_password=test_pki.p12_password.decode(),
    )
    key = load_agency_key(settings)
    assert not key.is_test
    assert key.certificate.dump() == test_pki.agency_key.certificate.dump()
    assert not (tmp_path / "pki").exists()  # no TEST PKI made when a real key is configured


def test_wrong_pkcs12_password_is_a_clear_error(test_pki: TestPki, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, signing_pkcs12=test_pki.p12_path, signing_pkcs12_password="not the password"
    )
    with pytest.raises(SigningError, match="wrong password") as err:
        load_agency_key(settings)
    assert "SOHOA_SIGNING_PKCS12_PASSWORD" in str(err.value)


def test_missing_pkcs12_and_expired_certificate(test_pki: TestPki, tmp_path: Path) -> None:
    with pytest.raises(SigningError, match="does not exist"):
        load_pkcs12(tmp_path / "nothing.p12", b"x", name=AGENCY_NAME, is_test=False)
    with pytest.raises(SigningError, match="expired on 2022-01-01"):
        load_pkcs12(test_pki.expired_p12_path, test_pki.p12_password, name=AGENCY_NAME, is_test=False)
