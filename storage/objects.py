"""S3 object storage through the ``minio`` client: originals (versioned), derived PDFs, the locked archive.

S3 user metadata must be ASCII: every value is percent-encoded (UTF-8, NFC) on the way in and decoded by
``user_metadata()``. Every failure becomes a ``StorageError`` (or ``NotFoundError``) with a plain message.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import os
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote

import certifi
import urllib3
from minio import Minio
from minio.commonconfig import ENABLED
from minio.error import MinioException, S3Error
from minio.helpers import check_bucket_name
from minio.objectlockconfig import DAYS, ObjectLockConfig
from minio.retention import Retention
from minio.versioningconfig import VersioningConfig
from urllib3.util import Retry, Timeout

from pipelines.errors import ConfigurationError, NotFoundError, StorageError
from pipelines.model import ArchiveRecord, StoredObject
from sohoa.settings import Settings

RETENTION_MODES = ("COMPLIANCE", "GOVERNANCE")
_NOT_FOUND = {"NoSuchKey", "NoSuchVersion", "NoSuchBucket", "NoSuchObject"}
_NO_LOCK = {"NoSuchObjectLockConfiguration", "ObjectLockConfigurationNotFoundError", "InvalidRequest"}
_META_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class Buckets:
    originals: str = "sohoa-originals"
    derived: str = "sohoa-derived"
    archive: str = "sohoa-archive"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode_meta(value: str) -> str:
    """ASCII-only, reversible form of a metadata value (percent-encoded UTF-8 of the NFC text)."""
    return quote(unicodedata.normalize("NFC", value), safe=" !$&'()*+,-./:;=@_~")


def decode_meta(value: str) -> str:
    return unicodedata.normalize("NFC", unquote(value))


def original_key(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256}"


def _http_client(secure: bool) -> urllib3.PoolManager:
    kwargs: dict[str, object] = {}
    if secure:
        kwargs = {
            "cert_reqs": "CERT_REQUIRED",
            "ca_certs": os.environ.get("SSL_CERT_FILE") or certifi.where(),
        }
    return urllib3.PoolManager(
        timeout=Timeout(connect=5, read=120),
        maxsize=16,
        retries=Retry(
            total=3,
            connect=3,
            read=2,
            backoff_factor=0.2,
            status_forcelist=(500, 502, 503, 504),
            raise_on_status=False,
        ),
        **kwargs,
    )


def _short(exc: BaseException) -> str:
    """The useful end of a urllib3 error ("[Errno 111] Connection refused"), without object reprs."""
    reason = getattr(exc, "reason", None) or exc
    text = re.sub(r"<[^>]*>:\s*", "", str(reason))
    return text.replace("Failed to establish a new connection: ", "").strip() or type(exc).__name__


class ObjectStore:
    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        *,
        secure: bool = False,
        region: str = "us-east-1",
        buckets: Buckets | None = None,
    ) -> None:
        self.endpoint = endpoint.removeprefix("http://").removeprefix("https://").rstrip("/")
        self.buckets = buckets or Buckets()
        for name in (self.buckets.originals, self.buckets.derived, self.buckets.archive):
            try:
                check_bucket_name(name, strict=True)
            except ValueError as e:
                raise ConfigurationError(
                    f"{name!r} is not a valid bucket name: 3 to 63 lower-case letters, digits, '-' and '.'"
                ) from e
        try:
            self.client = Minio(
                self.endpoint,
                access_key=access_key,
                secret_key=secret_key,
                secure=secure,
                region=region,
                http_client=_http_client(secure),
            )
        except ValueError as e:
            raise ConfigurationError(f"the object storage endpoint {endpoint!r} is not valid: {e}") from e

    # ------------------------------------------------------------ errors

    @contextmanager
    def _errors(self, action: str, what: str = "") -> Iterator[None]:
        try:
            yield
        except S3Error as e:
            if e.code in _NOT_FOUND:
                raise NotFoundError(f"{what or action}: not found in object storage ({e.code})") from e
            raise StorageError(
                f"object storage at {self.endpoint} refused to {action}{' ' + what if what else ''}: "
                f"{e.code}: {e.message}"
            ) from e
        except (urllib3.exceptions.HTTPError, OSError) as e:
            raise StorageError(f"object storage at {self.endpoint} is unreachable: {_short(e)}") from e
        except MinioException as e:
            raise StorageError(f"object storage at {self.endpoint} failed to {action}: {e}") from e

    # ------------------------------------------------------------ buckets

    def ping(self) -> None:
        with self._errors("list buckets"):
            self.client.list_buckets()

    def ensure_buckets(self, *, retention_days: int, retention_mode: str = "COMPLIANCE") -> None:
        """Create the three buckets if needed; idempotent.

        originals: versioning on; derived: plain; archive: created with object lock and a default retention.
        """
        mode = _check_mode(retention_mode)
        if retention_days < 1:
            raise ConfigurationError("the archive retention must be at least one day")
        b = self.buckets
        with self._errors("set up bucket", b.originals):
            self._make(b.originals)
            if self.client.get_bucket_versioning(b.originals).status != ENABLED:
                self.client.set_bucket_versioning(b.originals, VersioningConfig(ENABLED))
        with self._errors("set up bucket", b.derived):
            self._make(b.derived)
        with self._errors("set up bucket", b.archive):
            created = self._make(b.archive, object_lock=True)
            current = None if created else self._lock_config(b.archive)
            if not created and current is None:
                raise StorageError(
                    f"bucket {b.archive} at {self.endpoint} exists without object lock; the archive needs a "
                    "bucket created with object lock: choose another archive bucket name"
                )
            wanted = (mode, retention_days, DAYS)
            if current is None or (current.mode, current.duration, current.duration_unit) != wanted:
                self.client.set_object_lock_config(b.archive, ObjectLockConfig(mode, retention_days, DAYS))

    def _make(self, bucket: str, *, object_lock: bool = False) -> bool:
        if self.client.bucket_exists(bucket):
            return False
        try:
            self.client.make_bucket(bucket, object_lock=object_lock)
        except S3Error as e:
            if e.code in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                return False
            raise
        return True

    def _lock_config(self, bucket: str) -> ObjectLockConfig | None:
        try:
            return self.client.get_object_lock_config(bucket)
        except S3Error as e:
            if e.code in _NO_LOCK:
                return None
            raise

    # ------------------------------------------------------------ writing

    def _stat_sha256(self, bucket: str, key: str) -> tuple[str | None, str | None, int] | None:
        """(sha256 from metadata, version id, size) of the latest version at key, or None."""
        try:
            st = self.client.stat_object(bucket, key)
        except S3Error as e:
            if e.code in _NOT_FOUND or e.code == "ResourceNotFound":
                return None
            raise
        meta = st.metadata or {}
        return meta.get("x-amz-meta-sha256"), st.version_id, int(st.size or 0)

    def put_original(self, data: bytes, sha256: str, *, filename: str) -> StoredObject:
        """Store original bytes under ``sha256/<hex[:2]>/<hex>``; the same bytes are never uploaded twice."""
        actual = sha256_hex(data)
        if actual != sha256.lower():
            raise StorageError(f"the original {filename} changed while it was read (its SHA-256 differs)")
        bucket, key = self.buckets.originals, original_key(actual)
        with self._errors("store the original", filename):
            existing = self._stat_sha256(bucket, key)
            if existing is not None and existing[0] == actual:
                return StoredObject(bucket, key, existing[1], actual, existing[2])
            content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            res = self.client.put_object(
                bucket,
                key,
                io.BytesIO(data),
                len(data),
                content_type=content_type,
                metadata={"sha256": actual, "filename": encode_meta(filename)},
            )
        return StoredObject(bucket, key, res.version_id, actual, len(data))

    def put_derived(self, key: str, data: bytes, *, content_type: str = "application/pdf") -> StoredObject:
        digest = sha256_hex(data)
        with self._errors("store", f"{self.buckets.derived}/{key}"):
            res = self.client.put_object(
                self.buckets.derived,
                key,
                io.BytesIO(data),
                len(data),
                content_type=content_type,
                metadata={"sha256": digest},
            )
        return StoredObject(self.buckets.derived, key, res.version_id, digest, len(data))

    def put_archive(
        self,
        key: str,
        data: bytes,
        *,
        retention_days: int,
        retention_mode: str = "COMPLIANCE",
        metadata: dict[str, str] | None = None,
    ) -> ArchiveRecord:
        """Write a locked version (object-level retention until now + retention_days).

        Identical bytes already at key (latest version) are not written again: that version is returned.
        """
        mode = _check_mode(retention_mode)
        bucket = self.buckets.archive
        digest = sha256_hex(data)
        meta = {"sha256": digest}
        for k, v in (metadata or {}).items():
            name = k.lower().removeprefix("x-amz-meta-")
            if not _META_KEY.match(name):
                raise ValueError(f"metadata name {k!r} must be lower-case ASCII letters, digits and '-'")
            meta[name] = encode_meta(v)
        with self._errors("archive", f"{bucket}/{key}"):
            existing = self._stat_sha256(bucket, key)
            if existing is not None and existing[0] == digest:
                held = self.retention(bucket, key, existing[1])
                return ArchiveRecord(bucket, key, existing[1], digest, held[1] if held else None)
            until = (datetime.now(UTC) + timedelta(days=retention_days)).replace(microsecond=0)
            res = self.client.put_object(
                bucket,
                key,
                io.BytesIO(data),
                len(data),
                content_type="application/pdf"
                if key.lower().endswith(".pdf")
                else "application/octet-stream",
                metadata=meta,
                retention=Retention(mode, until),
            )
        return ArchiveRecord(bucket, key, res.version_id, digest, until)

    # ------------------------------------------------------------ reading

    def get(self, bucket: str, key: str, version_id: str | None = None) -> bytes:
        with self._errors("read", f"{bucket}/{key}"):
            resp = self.client.get_object(bucket, key, version_id=version_id)
            try:
                return resp.read()
            finally:
                resp.close()
                resp.release_conn()

    def user_metadata(self, bucket: str, key: str, version_id: str | None = None) -> dict[str, str]:
        """The object's user metadata (``x-amz-meta-*``), names without the prefix, values decoded."""
        with self._errors("read metadata of", f"{bucket}/{key}"):
            st = self.client.stat_object(bucket, key, version_id=version_id)
        out: dict[str, str] = {}
        for name, value in (st.metadata or {}).items():
            if name.lower().startswith("x-amz-meta-"):
                out[name.lower().removeprefix("x-amz-meta-")] = decode_meta(value)
        return out

    def versions(self, bucket: str, key: str) -> list[str]:
        """Version ids of the object at key, newest first ("null" for an unversioned object)."""
        with self._errors("list versions of", f"{bucket}/{key}"):
            objs = self.client.list_objects(bucket, prefix=key, include_version=True)
            found = [o for o in objs if o.object_name == key and not o.is_delete_marker]
        found.sort(key=lambda o: o.last_modified or datetime.min.replace(tzinfo=UTC), reverse=True)
        return [o.version_id or "null" for o in found]

    def retention(self, bucket: str, key: str, version_id: str | None = None) -> tuple[str, datetime] | None:
        """(mode, retain-until) of an object version, or None when it is not locked."""
        with self._errors("read the retention of", f"{bucket}/{key}"):
            try:
                r = self.client.get_object_retention(bucket, key, version_id=version_id)
            except S3Error as e:
                if e.code in _NO_LOCK:
                    return None
                raise
        if r is None or not r.mode or r.retain_until_date is None:
            return None
        return str(r.mode), r.retain_until_date

    def delete(self, bucket: str, key: str, version_id: str | None = None) -> None:
        """Delete an object (version). Refused by the server while the version is under retention."""
        with self._errors("delete", f"{bucket}/{key}" + (f" version {version_id}" if version_id else "")):
            self.client.remove_object(bucket, key, version_id=version_id)


def object_store_from_settings(settings: Settings) -> ObjectStore:
    """See ``storage.seaweed.object_store_from_settings`` (kept here too: callers look for it here)."""
    from storage.seaweed import object_store_from_settings as from_settings

    return from_settings(settings)


def _check_mode(mode: str) -> str:
    m = mode.upper()
    if m not in RETENTION_MODES:
        raise ConfigurationError(f"retention mode must be COMPLIANCE or GOVERNANCE, not {mode!r}")
    return m
