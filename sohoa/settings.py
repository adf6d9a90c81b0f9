"""Configuration from ``SOHOA_*`` environment variables, with working defaults for one machine."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sohoa"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOHOA_", extra="ignore")

    # Where the embedded defaults keep their state: SQLite file, local object store, test PKI.
    data_dir: Path = _default_data_dir()

    # Database: SQLite in data_dir unless a URL is given (postgresql+psycopg://user@host/db).
    database_url: str | None = None

    # Object storage: with no endpoint, sohoa starts its own SeaweedFS on 127.0.0.1:s3_local_port.
    s3_endpoint: str | None = None  # host:port, e.g. minio.example.gov.vn:9000
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_secure: bool = False
    s3_region: str = "us-east-1"
    s3_local_port: int = 8333
    prefect_local_port: int = 4200  # `sohoa services start` runs a Prefect server (UI) here
    bucket_originals: str = "sohoa-originals"
    bucket_derived: str = "sohoa-derived"
    bucket_archive: str = "sohoa-archive"
    # Retention of signed copies: the schedule per document type (storage/retention.py; a TOML/JSON file
    # overrides it). Setting SOHOA_ARCHIVE_RETENTION_DAYS applies one period to every type instead.
    retention_schedule: Path | None = None
    archive_retention_days: int = 3650
    archive_retention_mode: str = "COMPLIANCE"  # or GOVERNANCE

    # Signing: a PKCS#12 file of the agency; with none, a local TEST PKI is created under data_dir/pki.
    agency_name: str = "Trung tâm Phục vụ hành chính công"
    signing_pkcs12: Path | None = None
    signing_pkcs12_password: str | None = None
    tsa_url: str | None = None
    signing_level: str | None = None  # B, T, LT, LTA; default LTA with a TSA, else B
    pdfa_part: int = 2  # the digitised copy is PDF/A-2b (2) or PDF/A-1b (1)
    trust_anchors: list[Path] = []
    # A USB token or HSM (PKCS#11) instead of a PKCS#12 file.
    signing_pkcs11_module: Path | None = None
    signing_pkcs11_token: str | None = None
    signing_pkcs11_key: str | None = None
    signing_pkcs11_pin: str | None = None
    signing_pkcs11_cert: str | None = None

    # OCR and review.
    ocr_lang: str = "vie"
    workers: int = max(1, os.cpu_count() or 1)
    review_threshold: float = 0.80  # below this a type or field sends the document to review
    claim_lease_seconds: float = 120  # a worker that dies (on another host) frees its documents after this

    @field_validator("pdfa_part", mode="before")
    @classmethod
    def _pdfa_part(cls, value: object) -> int:
        if str(value).strip() not in ("1", "2"):
            raise ValueError(f"SOHOA_PDFA_PART must be 1 (PDF/A-1b) or 2 (PDF/A-2b), not {value!r}")
        return int(str(value).strip())

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'sohoa.db'}"

    @property
    def uses_local_s3(self) -> bool:
        return not self.s3_endpoint


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
