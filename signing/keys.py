"""Where the agency's signing key comes from: a PKCS#11 token or HSM, its PKCS#12 file, or a local TEST PKI
made on first use (in that order of preference, see ``load_agency_key``). A remote signing service is the
fourth source: see signing/external.py.

PKCS#11 (USB token, HSM, SoftHSM2) is configured with:

- ``SOHOA_SIGNING_PKCS11_MODULE`` — the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so;
- ``SOHOA_SIGNING_PKCS11_TOKEN`` — the token label;
- ``SOHOA_SIGNING_PKCS11_KEY`` — the label of the private key (its certificate has the same label unless
  ``SOHOA_SIGNING_PKCS11_CERT`` says otherwise);
- ``SOHOA_SIGNING_PKCS11_PIN`` — the user PIN (unset: no login, for tokens with a PIN pad).

The CA certificates stored on the token are sent with every signature.

The TEST PKI lives in one folder (``settings.data_dir / "pki"``):

- ``root.pem`` — the TEST root certificate, the trust anchor to give ``sohoa verify --trust``;
- ``root.key.pem`` — its private key (kept so the agency certificate can be re-issued; 0600);
- ``agency.p12`` — the agency's key and certificate (0600);
- ``agency.p12.pass`` — the random password of ``agency.p12`` (0600).

Every name in it says TEST, so a TEST signature can never be taken for a real one.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import secrets
import threading
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.sign.signers import Signer, SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

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
    signer: Signer  # SimpleSigner (PKCS#12), a PKCS#11 signer, or signing.external.RemoteSigner
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


class KeySigner(SimpleSigner):
    """pyHanko's SimpleSigner, with the private key parsed once instead of at every signature (parsing and
    checking an RSA key costs ~80 ms, twice per document), and no real signature for pyHanko's size
    estimate. RSA (PKCS#1 v1.5) and ECDSA are handled here; anything else goes to SimpleSigner."""

    def __init__(
        self,
        certificate: asn1_x509.Certificate,
        key: PrivateKeyTypes,
        chain: list[asn1_x509.Certificate],
    ) -> None:
        key_der = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        super().__init__(
            signing_cert=certificate,
            signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
            cert_registry=SimpleCertificateStore.from_certs([certificate, *chain]),
        )
        self._key = key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run and isinstance(self._key, rsa.RSAPrivateKey):
            return bytes(self._key.key_size // 8)
        return self.sign_raw(data, digest_algorithm)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), hash_algo)
        if mechanism == "ecdsa" and isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)


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
    signing_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    others = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in extra]
    signer = KeySigner(signing_cert, key, others)
    return AgencyKey(signer=signer, certificate=signing_cert, name=_nfc(name), is_test=is_test)


def load_agency_key(settings: Settings) -> AgencyKey:
    """The agency's key: a PKCS#11 token when SOHOA_SIGNING_PKCS11_MODULE is set, else
    ``settings.signing_pkcs12`` when set, else the TEST PKI under data_dir/pki."""
    p11 = pkcs11_config(settings)
    if p11 is not None:
        return load_pkcs11(p11, name=settings.agency_name)
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


# --- PKCS#11 ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pkcs11Config:
    module: Path  # the PKCS#11 library
    token_label: str
    key_label: str
    pin: str | None = None  # None: no login (PIN pad / protected authentication path)
    cert_label: str | None = None  # defaults to key_label

    def __repr__(self) -> str:  # never show the PIN
        return (
            f"Pkcs11Config(module={str(self.module)!r}, token_label={self.token_label!r}, "
            f"key_label={self.key_label!r}, cert_label={self.cert_label!r})"
        )


_PKCS11_FIELDS = ("module", "token", "key", "pin", "cert")


def pkcs11_config(settings: Settings | None = None) -> Pkcs11Config | None:
    """The PKCS#11 configuration from ``settings.signing_pkcs11_*`` when Settings has those fields, else from
    the ``SOHOA_SIGNING_PKCS11_*`` environment variables; None when no module is configured."""
    values: dict[str, str | None] = {}
    for name in _PKCS11_FIELDS:
        value = getattr(settings, f"signing_pkcs11_{name}", None) if settings is not None else None
        if value is None:
            value = os.environ.get(f"SOHOA_SIGNING_PKCS11_{name.upper()}") or None
        values[name] = str(value) if value is not None else None
    if not values["module"]:
        return None
    missing = [f"SOHOA_SIGNING_PKCS11_{n.upper()}" for n in ("token", "key") if not values[n]]
    if missing:
        raise SigningError(
            f"SOHOA_SIGNING_PKCS11_MODULE is set but {' and '.join(missing)} is not: "
            "give the token label and the key label"
        )
    return Pkcs11Config(
        module=Path(values["module"]),  # type: ignore[arg-type]
        token_label=values["token"],  # type: ignore[arg-type]
        key_label=values["key"],  # type: ignore[arg-type]
        pin=values["pin"],
        cert_label=values["cert"],
    )


def _pkcs11_signer_class() -> type:
    from pyhanko.sign.pkcs11 import PKCS11Signer

    class _SerialPkcs11Signer(PKCS11Signer):
        """One PKCS#11 session serves every thread; a session runs one operation at a time, so signing
        operations are serialised (a token signs in milliseconds; the TSA round trips stay parallel)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._op_lock = threading.Lock()

        async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
            if dry_run:
                return await super().async_sign_raw(data, digest_algorithm, dry_run=True)
            await asyncio.to_thread(self._op_lock.acquire)
            try:
                return await super().async_sign_raw(data, digest_algorithm)
            finally:
                self._op_lock.release()

    return _SerialPkcs11Signer


def load_pkcs11(config: Pkcs11Config, *, name: str, is_test: bool = False) -> AgencyKey:
    """An AgencyKey whose private key stays on a PKCS#11 token; the session stays open for the process."""
    try:
        import pkcs11
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import open_pkcs11_session
    except ImportError as exc:  # pragma: no cover (python-pkcs11 is a dependency)
        raise SigningError("PKCS#11 signing needs the python-pkcs11 package") from exc
    if not config.module.is_file():
        raise SigningError(
            f"the PKCS#11 module {config.module} does not exist: check SOHOA_SIGNING_PKCS11_MODULE "
            "(e.g. /usr/lib/softhsm/libsofthsm2.so, or the token vendor's library)"
        )
    criteria = TokenCriteria(label=config.token_label)
    try:
        try:
            session = open_pkcs11_session(str(config.module), token_criteria=criteria, user_pin=config.pin)
        except pkcs11.UserAlreadyLoggedIn:
            # PKCS#11 logins are per process: another key object of this process already logged in.
            session = open_pkcs11_session(str(config.module), token_criteria=criteria)
    except pkcs11.PinIncorrect as exc:
        raise SigningError(
            f"wrong PIN for the token '{config.token_label}' (SOHOA_SIGNING_PKCS11_PIN); "
            "careful: a few wrong PINs lock the token"
        ) from exc
    except pkcs11.PinLocked as exc:
        raise SigningError(f"the token '{config.token_label}' is locked: too many wrong PINs") from exc
    except pkcs11.PKCS11Error as exc:
        text = str(exc) or type(exc).__name__
        if "No token matching" in text:
            raise SigningError(
                f"no token labelled '{config.token_label}' in {config.module}: is it plugged in? "
                "check SOHOA_SIGNING_PKCS11_TOKEN"
            ) from exc
        raise SigningError(f"cannot open the PKCS#11 token '{config.token_label}': {text}") from exc
    signer_class = _pkcs11_signer_class()
    signer = signer_class(
        session,
        cert_label=config.cert_label or config.key_label,
        key_label=config.key_label,
        other_certs_to_pull=None,  # every certificate on the token: the CA chain
    )
    try:
        certificate = signer.signing_cert  # loads the key and certificate now, not in a worker thread
        signer.cert_registry  # noqa: B018 (pulls the CA certificates now, likewise)
    except Exception as exc:  # noqa: BLE001 (pyHanko and python-pkcs11 raise many kinds)
        session.close()
        raise SigningError(
            f"no private key and certificate labelled '{config.key_label}' on the token "
            f"'{config.token_label}': check SOHOA_SIGNING_PKCS11_KEY ({type(exc).__name__}: {exc})"
        ) from exc
    _check_validity(x509.load_der_x509_certificate(certificate.dump()), f"the token '{config.token_label}'")
    return AgencyKey(signer=signer, certificate=certificate, name=_nfc(name), is_test=is_test)
