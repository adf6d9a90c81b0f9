"""Signing with a remote signing service (cloud HSM, "ký số từ xa" / remote signing of a CA).

Two steps: pyHanko builds the CMS signed attributes (they hold the document digest); their hash goes out to
the service in a ``RemoteSignRequest``; the service returns the raw signature value (PKCS#1 v1.5 for RSA,
DER ECDSA-Sig-Value for EC keys), which pyHanko puts into the CMS. The private key never reaches sohoa.

Use it like any other key source::

    key = remote_agency_key(certificate, chain, my_service_call, name="Trung tâm ...")
    PadesSigner(key, tsa_url=..., trust_roots=[...]).sign(pdf)

``my_service_call(request) -> bytes`` runs in a worker thread and may block (HTTP to the service, waiting
for the official to confirm on a phone). Whatever it raises becomes a SigningError with its message.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from pipelines.errors import SigningError
from signing.keys import AgencyKey, _nfc


@dataclass(frozen=True)
class RemoteSignRequest:
    data_to_sign: bytes  # DER of the CMS signed attributes (they contain the document's digest)
    digest: bytes  # hash of data_to_sign with digest_algorithm: what most services take
    digest_algorithm: str  # "sha256"
    signature_algorithm: str  # "rsassa_pkcs1v15" or "ecdsa"
    certificate: asn1_x509.Certificate  # the signing certificate (services with several keys use it)


RemoteSignFn = Callable[[RemoteSignRequest], bytes]


class RemoteSigner(Signer):
    """A pyHanko Signer whose signature value comes from ``sign_fn``."""

    def __init__(
        self,
        certificate: asn1_x509.Certificate,
        sign_fn: RemoteSignFn,
        *,
        chain: Sequence[asn1_x509.Certificate] = (),
        embed_roots: bool = True,
    ) -> None:
        algo = certificate.public_key.algorithm
        if algo not in ("rsa", "ec"):
            raise SigningError(f"remote signing supports RSA and EC keys, not {algo}")
        super().__init__(
            embed_roots=embed_roots,
            signing_cert=certificate,
            cert_registry=SimpleCertificateStore.from_certs([certificate, *chain]),
        )
        self._sign_fn = sign_fn
        self._signature_algorithm = "rsassa_pkcs1v15" if algo == "rsa" else "ecdsa"
        self._max_size = _max_signature_size(certificate)

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:  # pyHanko sizes the /Contents placeholder with this
            return bytes(self._max_size)
        request = RemoteSignRequest(
            data_to_sign=data,
            digest=hashlib.new(digest_algorithm, data).digest(),
            digest_algorithm=digest_algorithm,
            signature_algorithm=self._signature_algorithm,
            certificate=self.signing_cert,  # type: ignore[arg-type]
        )
        try:
            signature = await asyncio.to_thread(self._sign_fn, request)
        except SigningError:
            raise
        except Exception as exc:  # noqa: BLE001 (any failure of the service's client)
            raise SigningError(f"the remote signing service failed: {exc}") from exc
        if not isinstance(signature, bytes | bytearray) or not signature:
            raise SigningError("the remote signing service returned no signature value")
        if len(signature) > self._max_size:
            raise SigningError(
                f"the remote signing service returned {len(signature)} bytes, more than a signature of this "
                f"key can be ({self._max_size}): is it a whole CMS instead of the raw signature value?"
            )
        return bytes(signature)


def _max_signature_size(certificate: asn1_x509.Certificate) -> int:
    key = certificate.public_key
    if key.algorithm == "rsa":
        return (key.bit_size + 7) // 8
    # DER ECDSA-Sig-Value: SEQUENCE of two INTEGERs, each at most one byte longer than the order
    n = (key.bit_size + 7) // 8 + 1
    return 2 * (n + 2) + 3


def remote_agency_key(
    certificate: asn1_x509.Certificate,
    chain: Sequence[asn1_x509.Certificate],
    sign_fn: RemoteSignFn,
    *,
    name: str,
    is_test: bool = False,
) -> AgencyKey:
    """An AgencyKey for a remote signing service: the agency's certificate and its CA chain (from the
    service's "get certificate" call), and the function that asks the service for a signature value."""
    return AgencyKey(
        signer=RemoteSigner(certificate, sign_fn, chain=chain),
        certificate=certificate,
        name=_nfc(name),
        is_test=is_test,
    )
