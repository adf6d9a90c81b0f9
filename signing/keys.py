"""Where the agency's signing key comes from: its PKCS#12 file, or a local TEST PKI made on first use.

The TEST PKI lives in one folder (``settings.data_dir / "pki"``):

- ``root.pem`` — the TEST root certificate, the trust anchor to give ``sohoa verify --trust``;
- ``root.key.pem`` — its private key (kept so the agency certificate can be re-issued; 0600);
- ``agency.p12`` — the agency's key and certificate (0600);
- ``agency.p12.pass`` — the random password of ``agency.p12`` (0600).

Every name in it says TEST, so a TEST signature can never be taken for a real one.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from pipelines.errors import SigningError
from pipelines.logs import get_logger

if TYPE_CHECKING:
    from sohoa.settings import Settings

log = get_logger(__name__)

TEST_ROOT_CN = "sohoa TEST Root CA (not for production)"
TEST_ORG_SUFFIX = " (TEST)"
ROOT_PEM = "root.pem"
ROOT_KEY = "root.key.pem"
AGENCY_P12 = "agency.p12"
AGENCY_PASSWORD = "agency.p12.pass"
AGENCY_VALIDITY = timedelta(days=5 * 365)
ROOT_VALIDITY = timedelta(days=10 * 365)
_RENEW_BEFORE = timedelta(days=30)


@dataclass
class AgencyKey:
    signer: SimpleSigner  # or an ExternalSigner later
    certificate: asn1_x509.Certificate
    name: str  # the agency name shown in the stamp
    is_test: bool  # True for the local TEST PKI


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def test_agency_common_name(agency_name: str) -> str:
    name = _nfc(agency_name)
    limit = 64 - len(TEST_ORG_SUFFIX)
    if len(name) > limit:
        name = name[: limit - 1].rstrip() + "…"
    return name + TEST_ORG_SUFFIX


# --- files -----------------------------------------------------------------------------------------------


def _write_private(path: Path, data: bytes) -> None:
    """Write atomically, readable by the owner only."""
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


@contextmanager
def _locked(pki_dir: Path) -> Iterator[None]:
    """Serialise creation between processes (several workers may start at once)."""
    with open(pki_dir / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --- certificates ----------------------------------------------------------------------------------------


def _attribute(oid: x509.ObjectIdentifier, value: str) -> x509.NameAttribute:
    """RFC 5280 bounds CN and O to 64 *characters*; cryptography counts UTF-8 bytes, which rejects most
    Vietnamese agency names, so the bound is checked here in characters."""
    if len(value) > 64:
        raise SigningError(f"the name '{value}' is longer than the 64 characters a certificate allows")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return x509.NameAttribute(oid, value, _validate=False)


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            _attribute(NameOID.ORGANIZATION_NAME, organisation),
            _attribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _make_root() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = _new_key()
    name = _name(TEST_ROOT_CN, "sohoa TEST PKI (not for production)")
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + ROOT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _make_agency(
    agency_name: str, root_key: rsa.RSAPrivateKey, root: x509.Certificate
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = _new_key()
    now = datetime.now(UTC)
    not_after = min(now + AGENCY_VALIDITY, root.not_valid_after_utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(test_agency_common_name(agency_name), test_agency_common_name(agency_name)))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    return key, cert


def _usable(cert: x509.Certificate, now: datetime) -> bool:
    return cert.not_valid_before_utc <= now and cert.not_valid_after_utc - _RENEW_BEFORE > now


def _common_name(cert: x509.Certificate) -> str | None:
    with warnings.catch_warnings():  # see _attribute: long Vietnamese names
        warnings.simplefilter("ignore")
        attrs = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else None


def _load_root(pki_dir: Path) -> tuple[rsa.RSAPrivateKey, x509.Certificate] | None:
    try:
        cert = x509.load_pem_x509_certificate((pki_dir / ROOT_PEM).read_bytes())
        key = serialization.load_pem_private_key((pki_dir / ROOT_KEY).read_bytes(), password=None)
    except (OSError, ValueError):
        return None
    if not isinstance(key, rsa.RSAPrivateKey) or not _usable(cert, datetime.now(UTC)):
        return None
    return key, cert


def _existing_agency_ok(pki_dir: Path, agency_name: str, root: x509.Certificate) -> bool:
    try:
        password = (pki_dir / AGENCY_PASSWORD).read_bytes().strip()
        _, cert, _ = pkcs12.load_key_and_certificates((pki_dir / AGENCY_P12).read_bytes(), password)
    except (OSError, ValueError):
        return False
    return (
        cert is not None
        and cert.issuer == root.subject
        and _common_name(cert) == test_agency_common_name(agency_name)
        and _usable(cert, datetime.now(UTC))
    )


def ensure_test_pki(pki_dir: Path, agency_name: str) -> tuple[Path, Path]:
    """Create, once, a local TEST PKI for ``agency_name``; reuse it when present and still good.

    The root is made once and kept; the agency certificate is re-issued only when it is missing, expires
    within 30 days, or was made for another agency name. Returns ``(agency.p12, root.pem)``.
    """
    pki_dir = Path(pki_dir)
    pki_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    p12_path, root_path = pki_dir / AGENCY_P12, pki_dir / ROOT_PEM
    with _locked(pki_dir):
        root = _load_root(pki_dir)
        if root is None:
            log.warning("creating a local TEST PKI in %s (not for production)", pki_dir)
            root = _make_root()
            _write_private(
                pki_dir / ROOT_KEY,
                root[0].private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ),
            )
            _write_private(root_path, root[1].public_bytes(serialization.Encoding.PEM))
        root_key, root_cert = root
        if not _existing_agency_ok(pki_dir, agency_name, root_cert):
            log.info("issuing a TEST agency certificate")
            key, cert = _make_agency(agency_name, root_key, root_cert)
            password = secrets.token_urlsafe(24).encode()
            p12 = pkcs12.serialize_key_and_certificates(
                name=b"sohoa-test-agency",
                key=key,
                cert=cert,
                cas=[root_cert],
                encryption_algorithm=serialization.BestAvailableEncryption(password),
            )
            _write_private(pki_dir / AGENCY_PASSWORD, password + b"\n")
            _write_private(p12_path, p12)
    return p12_path, root_path


# --- loading ---------------------------------------------------------------------------------------------


def _check_validity(cert: x509.Certificate, source: str) -> None:
    now = datetime.now(UTC)
    who = _common_name(cert) or "the signing certificate"
    if cert.not_valid_after_utc <= now:
        raise SigningError(
            f"the signing certificate '{who}' in {source} expired on "
            f"{cert.not_valid_after_utc:%Y-%m-%d}: install the agency's renewed certificate"
        )
    if cert.not_valid_before_utc > now:
        raise SigningError(
            f"the signing certificate '{who}' in {source} is not valid before "
            f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC: check the machine's clock"
        )


def load_pkcs12(path: Path, password: bytes | None, *, name: str, is_test: bool) -> AgencyKey:
    """An AgencyKey from a PKCS#12 file, with errors a person can act on."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise SigningError(f"the signing key file {path} does not exist: check SOHOA_SIGNING_PKCS12") from exc
    except OSError as exc:
        raise SigningError(f"the signing key file {path} cannot be read: {exc.strerror}") from exc
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    except ValueError as exc:
        raise SigningError(
            f"cannot open the signing key file {path}: wrong password (SOHOA_SIGNING_PKCS12_PASSWORD) "
            "or not a PKCS#12 file"
        ) from exc
    if key is None or cert is None:
        raise SigningError(f"the signing key file {path} holds no private key with its certificate")
    _check_validity(cert, str(path))
    key_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    signing_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    others = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in extra]
    signer = SimpleSigner(
        signing_cert=signing_cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([signing_cert, *others]),
    )
    return AgencyKey(signer=signer, certificate=signing_cert, name=_nfc(name), is_test=is_test)


def load_agency_key(settings: Settings) -> AgencyKey:
    """The agency's key: ``settings.signing_pkcs12`` when set, else the TEST PKI under data_dir/pki."""
    if settings.signing_pkcs12 is not None:
        password = settings.signing_pkcs12_password
        return load_pkcs12(
            settings.signing_pkcs12,
            password.encode() if password else None,
            name=settings.agency_name,
            is_test=False,
        )
    pki_dir = settings.data_dir / "pki"
    p12_path, _ = ensure_test_pki(pki_dir, settings.agency_name)
    password_bytes = (pki_dir / AGENCY_PASSWORD).read_bytes().strip()
    return load_pkcs12(p12_path, password_bytes, name=settings.agency_name, is_test=True)
