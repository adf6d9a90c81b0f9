"""Helpers shared by the end-to-end tests: settings on the test servers, the CLI's environment, and the
independent signature check with openssl."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

from sohoa.settings import Settings

SOHOA = str(Path(sys.executable).parent / "sohoa")


def make_settings(tmp_path: Path, seaweed, db_url: str) -> Settings:
    suffix = uuid.uuid4().hex[:8]
    return Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        s3_endpoint=seaweed.endpoint,
        s3_access_key=seaweed.access_key,
        s3_secret_key=seaweed.secret_key,
        bucket_originals=f"orig-{suffix}",
        bucket_derived=f"derived-{suffix}",
        bucket_archive=f"archive-{suffix}",
        archive_retention_days=1,
        workers=2,
    )


def der_prefix(padded: bytes) -> bytes:
    """The DER object at the start of /Contents without its zero padding (by its length, not by stripping
    zeros: a DER signature may well end with a zero byte)."""
    assert padded[0] == 0x30, "not a DER SEQUENCE"
    first = padded[1]
    if first < 0x80:
        return padded[: 2 + first]
    n = first & 0x7F
    return padded[: 2 + n + int.from_bytes(padded[2 : 2 + n], "big")]


BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def signature_ranges(pdf: bytes) -> list[tuple[list[int], bytes]]:
    """Every /ByteRange in file order with the DER CMS of its /Contents, read straight from the bytes."""
    out = []
    for match in BYTE_RANGE.finditer(pdf):
        br = [int(x) for x in match.groups()]
        out.append((br, der_prefix(bytes.fromhex(pdf[br[0] + br[1] : br[2]].strip(b"<>").decode()))))
    return out


def covered(pdf: bytes, br: list[int]) -> bytes:
    """The bytes a /ByteRange signs."""
    return pdf[br[0] : br[0] + br[1]] + pdf[br[2] : br[2] + br[3]]


def openssl_cms_verify(der: bytes, content: bytes, workdir: Path, *, ca: Path | None = None) -> None:
    """``openssl cms -verify`` of a detached CMS over ``content``; the chain too when ``ca`` is given."""
    (workdir / "sig.der").write_bytes(der)
    (workdir / "signed.bin").write_bytes(content)
    trust = ["-CAfile", str(ca), "-purpose", "any"] if ca else ["-noverify"]
    proc = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(workdir / "sig.der")]
        + ["-content", str(workdir / "signed.bin"), *trust, "-out", "/dev/null"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and "Verification successful" in proc.stderr, proc.stderr


def openssl_ts_verify(token: bytes, content: bytes, workdir: Path, *, ca: Path) -> None:
    """``openssl ts -verify`` of an RFC 3161 token (a document timestamp) over ``content``."""
    (workdir / "ts.der").write_bytes(token)
    (workdir / "ts.bin").write_bytes(content)
    proc = subprocess.run(
        ["openssl", "ts", "-verify", "-token_in", "-in", str(workdir / "ts.der")]
        + ["-data", str(workdir / "ts.bin"), "-CAfile", str(ca)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and "Verification: OK" in proc.stdout, proc.stdout + proc.stderr


def byte_range_verify(pdf: bytes, workdir: Path, *, whole_file: bool = True, ca: Path | None = None) -> None:
    """The (first) signature's CMS, checked by openssl over exactly the signed byte ranges. ``whole_file``:
    it must cover the whole file (levels B and T; LT/LTA append validation data and timestamps)."""
    ranges = signature_ranges(pdf)
    assert ranges, "no /ByteRange"
    br, der = ranges[0]
    assert br[0] == 0 and (br[2] + br[3] == len(pdf) or not whole_file), (
        "signature does not cover the whole file"
    )
    openssl_cms_verify(der, covered(pdf, br), workdir, ca=ca)


def cli_env(settings: Settings, prefect_api: str) -> dict[str, str]:
    """The environment of a ``sohoa`` process using these settings and the session's Prefect server."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")},
        "PREFECT_API_URL": prefect_api,
        "SOHOA_DATA_DIR": str(settings.data_dir),
        "SOHOA_DATABASE_URL": settings.db_url,
        "SOHOA_S3_ENDPOINT": settings.s3_endpoint or "",
        "SOHOA_S3_ACCESS_KEY": settings.s3_access_key or "",
        "SOHOA_S3_SECRET_KEY": settings.s3_secret_key or "",
        "SOHOA_BUCKET_ORIGINALS": settings.bucket_originals,
        "SOHOA_BUCKET_DERIVED": settings.bucket_derived,
        "SOHOA_BUCKET_ARCHIVE": settings.bucket_archive,
        "SOHOA_ARCHIVE_RETENTION_DAYS": str(settings.archive_retention_days),
        "SOHOA_WORKERS": str(settings.workers),
    }
