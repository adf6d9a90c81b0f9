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


def byte_range_verify(pdf: bytes, workdir: Path, *, whole_file: bool = True) -> None:
    """The (first) signature's CMS, checked by openssl over exactly the signed byte ranges. ``whole_file``:
    it must cover the whole file (levels B and T; LT/LTA append validation data and timestamps)."""
    m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert m, "no /ByteRange"
    a, b, c, d = map(int, m.groups())
    assert a == 0 and (c + d == len(pdf) or not whole_file), "signature does not cover the whole file"
    contents = pdf[a + b : c].strip(b"<>")
    (workdir / "sig.der").write_bytes(der_prefix(bytes.fromhex(contents.decode())))
    (workdir / "signed.bin").write_bytes(pdf[a : a + b] + pdf[c : c + d])
    proc = subprocess.run(
        [
            "openssl",
            "cms",
            "-verify",
            "-binary",
            "-noverify",
            "-inform",
            "DER",
            "-in",
            str(workdir / "sig.der"),
            "-content",
            str(workdir / "signed.bin"),
            "-out",
            "/dev/null",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Verification successful" in proc.stderr


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
