"""S3 object storage through the ``minio`` client: originals (versioned), derived PDFs, the locked archive.

S3 user metadata must be ASCII: every value is percent-encoded (UTF-8, NFC) on the way in and decoded by
``user_metadata()``. Every failure becomes a ``StorageError`` (or ``NotFoundError``) with a plain message.

Faults: every operation is retried with exponential backoff and jitter (``RetryPolicy``) while the server is
unreachable, answers 5xx or asks to slow down; a store that has never reached its server fails at once (a wrong
endpoint is a configuration error, not an outage). Uploads are whole or absent: a single PUT is atomic and a
multipart upload is completed only when every part was accepted, else aborted.

Checksums: every upload carries ``x-amz-checksum-sha256`` (per part for multipart uploads), so the server
refuses bytes that do not match; objects larger than ``multipart_threshold`` go in parts.
"""

from __future__ import annotations

import base64
import hashlib
import io
import mimetypes
import os
import random
import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO, TypeVar
from urllib.parse import quote, unquote

import certifi
import urllib3
from minio import Minio
from minio.commonconfig import ENABLED
from minio.datatypes import Part
from minio.error import InvalidResponseError, MinioException, S3Error, ServerError
from minio.helpers import MIN_PART_SIZE, check_bucket_name, genheaders
from minio.objectlockconfig import DAYS, ObjectLockConfig
from minio.retention import Retention
from minio.versioningconfig import VersioningConfig
from urllib3.util import Retry, Timeout

from pipelines.errors import ConfigurationError, NotFoundError, StorageError
from pipelines.identity import sha256_hex
from pipelines.logs import get_logger
from pipelines.model import ArchiveRecord, StoredObject
from sohoa.settings import Settings

log = get_logger(__name__)
T = TypeVar("T")

RETENTION_MODES = ("COMPLIANCE", "GOVERNANCE")
_NOT_FOUND = {"NoSuchKey", "NoSuchVersion", "NoSuchBucket", "NoSuchObject"}
_NO_LOCK = {"NoSuchObjectLockConfiguration", "ObjectLockConfigurationNotFoundError", "InvalidRequest"}
_META_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# S3 error codes that mean "try again later".
_TRANSIENT_CODES = {
    "ServiceUnavailable",
    "SlowDown",
    "InternalError",
    "RequestTimeout",
    "OperationAborted",
    "XMinioServerNotInitialized",
    "XMinioReadQuorum",
    "XMinioWriteQuorum",
}
READ_CHUNK = 1024 * 1024
MAX_PRESIGN = timedelta(hours=1)


class StorageUnavailable(StorageError):
    """The object storage is unreachable, overloaded or failing (5xx): worth trying again later."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: delays base, 2*base, ... capped at max_delay; at most ``attempts``
    tries and no new try after ``deadline`` seconds. The default rides out about a minute of outage."""

    attempts: int = 10
    base_delay: float = 0.25
    max_delay: float = 8.0
    deadline: float = 90.0

    def delays(self) -> Iterator[float]:
        delay = self.base_delay
        for _ in range(self.attempts - 1):
            yield random.uniform(delay / 2, delay)
            delay = min(delay * 2, self.max_delay)


@dataclass
class ObjectInfo:
    bucket: str
    key: str
    version_id: str | None
    size: int
    etag: str
    last_modified: datetime | None
    metadata: dict[str, str] = field(default_factory=dict)  # user metadata, decoded, without the prefix

    @property
    def sha256(self) -> str | None:
        return self.metadata.get("sha256")


@dataclass
class VersionEntry:
    key: str
    version_id: str | None
    size: int
    is_latest: bool
    last_modified: datetime | None


@dataclass
class Buckets:
    originals: str = "sohoa-originals"
    derived: str = "sohoa-derived"
    archive: str = "sohoa-archive"


def encode_meta(value: str) -> str:
    """ASCII-only, reversible form of a metadata value (percent-encoded UTF-8 of the NFC text)."""
    return quote(unicodedata.normalize("NFC", value), safe=" !$&'()*+,-./:;=@_~")


def decode_meta(value: str) -> str:
    return unicodedata.normalize("NFC", unquote(value))


def original_key(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256}"


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def sha256_of_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(READ_CHUNK):
            h.update(chunk)
    return h.hexdigest()


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
        retry: RetryPolicy | None = None,
        multipart_threshold: int = 64 * 1024 * 1024,
        part_size: int = 16 * 1024 * 1024,
    ) -> None:
        if part_size < MIN_PART_SIZE or multipart_threshold < part_size:
            raise ConfigurationError(
                "the part size must be at least 5 MiB and at most the multipart threshold"
            )
        self.retry = retry or RetryPolicy()
        self.multipart_threshold = multipart_threshold
        self.part_size = part_size
        self._reached = False  # set by the first answer from the server
        # Test hook: called with the part number after each accepted part of a multipart upload.
        self._after_part: Callable[[int], None] | None = None
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
            kind = StorageUnavailable if e.code in _TRANSIENT_CODES else StorageError
            raise kind(
                f"object storage at {self.endpoint} refused to {action}{' ' + what if what else ''}: "
                f"{e.code}: {e.message}"
            ) from e
        except (urllib3.exceptions.HTTPError, OSError) as e:
            raise StorageUnavailable(f"object storage at {self.endpoint} is unreachable: {_short(e)}") from e
        except (ServerError, InvalidResponseError) as e:
            status = getattr(e, "status_code", None) or getattr(e, "_code", 0)
            kind = StorageUnavailable if int(status or 0) >= 500 else StorageError
            raise kind(f"object storage at {self.endpoint} failed to {action}: {_first_line(e)}") from e
        except MinioException as e:
            raise StorageError(f"object storage at {self.endpoint} failed to {action}: {e}") from e

    def _call(self, action: str, what: str, fn: Callable[[], T]) -> T:
        """Run fn (one idempotent S3 operation) with the retry policy; errors become StorageError."""
        started = time.monotonic()
        delays = self.retry.delays()
        while True:
            try:
                with self._errors(action, what):
                    out = fn()
                self._reached = True
                return out
            except StorageUnavailable as e:
                if not self._reached and isinstance(e.__cause__, urllib3.exceptions.HTTPError | OSError):
                    raise  # never reached: a wrong endpoint or a server that is not running
                delay = next(delays, None)
                if delay is None or time.monotonic() - started + delay > self.retry.deadline:
                    raise StorageUnavailable(f"{e} (gave up after {time.monotonic() - started:.0f} s)") from e
                log.warning("%s; trying again in %.1f s", e, delay)
                time.sleep(delay)

    # ------------------------------------------------------------ buckets

    def ping(self) -> None:
        """One request, no retry: is the server there and are the credentials accepted?"""
        with self._errors("list buckets"):
            self.client.list_buckets()
        self._reached = True

    def ensure_buckets(self, *, retention_days: int, retention_mode: str = "COMPLIANCE") -> None:
        """Create the three buckets if needed; idempotent.

        originals: versioning on; derived: plain; archive: created with object lock and a default retention.
        """
        mode = _check_mode(retention_mode)
        if retention_days < 1:
            raise ConfigurationError("the archive retention must be at least one day")
        b = self.buckets
        self._call("list buckets", "", self.client.list_buckets)
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

    def _upload(
        self,
        bucket: str,
        key: str,
        source: bytes | Path,
        size: int,
        digest: str,
        *,
        content_type: str,
        metadata: dict[str, str],
        retention: Retention | None = None,
    ) -> str | None:
        """Upload whole bytes or a file; returns the version id. Runs inside ``_call`` (it is retried whole
        for a single PUT; a multipart upload retries part by part)."""
        if size > self.multipart_threshold:
            return self._multipart(bucket, key, source, size, digest, content_type, metadata, retention)
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        headers = {**metadata, "x-amz-checksum-sha256": _b64(bytes.fromhex(digest))}
        # One PUT: left to itself minio-py splits anything over 5 MiB into parts, and a whole-object
        # checksum header on a multipart upload is refused (InvalidRequest). Larger files go through
        # _multipart with a checksum per part.
        res = self.client.put_object(
            bucket,
            key,
            io.BytesIO(data),
            size,
            content_type=content_type,
            metadata=headers,
            retention=retention,
            part_size=max(size, MIN_PART_SIZE),
        )
        return res.version_id

    def _multipart(
        self,
        bucket: str,
        key: str,
        source: bytes | Path,
        size: int,
        digest: str,
        content_type: str,
        metadata: dict[str, str],
        retention: Retention | None,
    ) -> str | None:
        """Parts of ``part_size`` with a server-checked SHA-256 each; the object appears only on completion.
        Each part's ETag (the server's MD5 of what it stored) is checked, and so is the final size."""
        where = f"{bucket}/{key}"
        headers = genheaders(metadata, None, None, retention, False)
        headers["Content-Type"] = content_type
        upload_id = self._call(
            "start a multipart upload of",
            where,
            lambda: self.client._create_multipart_upload(bucket, key, dict(headers)),
        )
        try:
            parts: list[Part] = []
            with _open_source(source) as f:
                for number, offset in enumerate(range(0, size, self.part_size), start=1):
                    f.seek(offset)
                    chunk = f.read(min(self.part_size, size - offset))
                    part_headers = {"x-amz-checksum-sha256": _b64(hashlib.sha256(chunk).digest())}
                    md5 = hashlib.md5(chunk, usedforsecurity=False).hexdigest()

                    def send(
                        chunk: bytes = chunk, number: int = number, h: dict[str, str] = part_headers
                    ) -> str:
                        return self.client._upload_part(bucket, key, chunk, dict(h), upload_id, number)

                    etag = self._call(f"upload part {number} of", where, send).strip('"')
                    if etag.lower() != md5:
                        raise StorageError(f"object storage stored part {number} of {where} with other bytes")
                    parts.append(Part(number, etag))
                    if self._after_part is not None:
                        self._after_part(number)
            self._call(
                "complete the multipart upload of",
                where,
                lambda: self.client._complete_multipart_upload(bucket, key, upload_id, parts),
            )
        except BaseException:
            try:
                self._call(
                    "abort the multipart upload of",
                    where,
                    lambda: self.client._abort_multipart_upload(bucket, key, upload_id),
                )
            except StorageError as e:  # the server expires abandoned uploads; nothing of it is visible
                log.warning("could not abort the multipart upload of %s: %s", where, e)
            raise
        info = self.stat(bucket, key)
        if info.size != size or info.sha256 != digest:
            raise StorageError(f"object storage holds {where} with a different size or checksum after upload")
        return info.version_id

    def put_original(self, data: bytes, sha256: str, *, filename: str) -> StoredObject:
        """Store original bytes under ``sha256/<hex[:2]>/<hex>``; the same bytes are never uploaded twice."""
        actual = sha256_hex(data)
        if actual != sha256.lower():
            raise StorageError(f"the original {filename} changed while it was read (its SHA-256 differs)")
        bucket, key = self.buckets.originals, original_key(actual)
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"

        def put() -> StoredObject:
            existing = self._stat_sha256(bucket, key)
            if existing is not None and existing[0] == actual:
                return StoredObject(bucket, key, existing[1], actual, existing[2])
            version = self._upload(
                bucket,
                key,
                data,
                len(data),
                actual,
                content_type=content_type,
                metadata={"sha256": actual, "filename": encode_meta(filename)},
            )
            return StoredObject(bucket, key, version, actual, len(data))

        return self._call("store the original", filename, put)

    def put_derived(
        self, key: str, data: bytes | Path, *, content_type: str = "application/pdf"
    ) -> StoredObject:
        """``data``: bytes, or the path of a file (streamed in parts when large)."""
        if isinstance(data, bytes):
            digest, size = sha256_hex(data), len(data)
        else:
            digest, size = sha256_of_file(Path(data)), Path(data).stat().st_size
        bucket = self.buckets.derived

        def put() -> StoredObject:
            version = self._upload(
                bucket, key, data, size, digest, content_type=content_type, metadata={"sha256": digest}
            )
            return StoredObject(bucket, key, version, digest, size)

        return self._call("store", f"{bucket}/{key}", put)

    def put_archive(
        self,
        key: str,
        data: bytes | Path,
        *,
        retention_days: int,
        retention_mode: str = "COMPLIANCE",
        metadata: dict[str, str] | None = None,
        legal_hold: bool = False,
    ) -> ArchiveRecord:
        """Write a locked version (object-level retention until now + retention_days).

        ``data``: bytes, or the path of a file (streamed in parts when large). Identical bytes already at key
        (latest version) are not written again: that version is returned. ``legal_hold`` also puts the new
        version under legal hold.
        """
        mode = _check_mode(retention_mode)
        bucket = self.buckets.archive
        if isinstance(data, bytes):
            digest, size = sha256_hex(data), len(data)
        else:
            digest, size = sha256_of_file(Path(data)), Path(data).stat().st_size
        meta = {"sha256": digest}
        for k, v in (metadata or {}).items():
            name = k.lower().removeprefix("x-amz-meta-")
            if not _META_KEY.match(name):
                raise ValueError(f"metadata name {k!r} must be lower-case ASCII letters, digits and '-'")
            meta[name] = encode_meta(v)
        content_type = "application/pdf" if key.lower().endswith(".pdf") else "application/octet-stream"

        def put() -> ArchiveRecord:
            existing = self._stat_sha256(bucket, key)
            if existing is not None and existing[0] == digest:
                held = self._retention(bucket, key, existing[1])
                return ArchiveRecord(bucket, key, existing[1], digest, held[1] if held else None)
            until = (datetime.now(UTC) + timedelta(days=retention_days)).replace(microsecond=0)
            version = self._upload(
                bucket,
                key,
                data,
                size,
                digest,
                content_type=content_type,
                metadata=meta,
                retention=Retention(mode, until),
            )
            return ArchiveRecord(bucket, key, version, digest, until)

        record = self._call("archive", f"{bucket}/{key}", put)
        if legal_hold:
            self.set_legal_hold(bucket, key, record.version_id, True)
        return record

    def set_legal_hold(self, bucket: str, key: str, version_id: str | None, on: bool) -> None:
        """Put a version under legal hold (no deletion whatever its retention) or release it."""
        fn = self.client.enable_object_legal_hold if on else self.client.disable_object_legal_hold
        self._call("set the legal hold of", f"{bucket}/{key}", lambda: fn(bucket, key, version_id=version_id))

    def legal_hold(self, bucket: str, key: str, version_id: str | None = None) -> bool:
        return self._call(
            "read the legal hold of",
            f"{bucket}/{key}",
            lambda: bool(self.client.is_object_legal_hold_enabled(bucket, key, version_id=version_id)),
        )

    # ------------------------------------------------------------ reading

    def get(self, bucket: str, key: str, version_id: str | None = None) -> bytes:
        def read() -> bytes:
            resp = self.client.get_object(bucket, key, version_id=version_id)
            try:
                return resp.read()
            finally:
                resp.close()
                resp.release_conn()

        return self._call("read", f"{bucket}/{key}", read)

    def sha256_of(self, bucket: str, key: str, version_id: str | None = None) -> tuple[str, int]:
        """(SHA-256, size) of an object version, computed while streaming it (constant memory)."""

        def digest() -> tuple[str, int]:
            h, n = hashlib.sha256(), 0
            resp = self.client.get_object(bucket, key, version_id=version_id)
            try:
                for chunk in resp.stream(READ_CHUNK):
                    h.update(chunk)
                    n += len(chunk)
            finally:
                resp.close()
                resp.release_conn()
            return h.hexdigest(), n

        return self._call("read", f"{bucket}/{key}", digest)

    def download_to(self, bucket: str, key: str, path: Path, version_id: str | None = None) -> str:
        """Stream an object version into a file; returns its SHA-256."""

        def fetch() -> str:
            h = hashlib.sha256()
            resp = self.client.get_object(bucket, key, version_id=version_id)
            try:
                with open(path, "wb") as f:
                    for chunk in resp.stream(READ_CHUNK):
                        h.update(chunk)
                        f.write(chunk)
            finally:
                resp.close()
                resp.release_conn()
            return h.hexdigest()

        return self._call("read", f"{bucket}/{key}", fetch)

    def stat(self, bucket: str, key: str, version_id: str | None = None) -> ObjectInfo:
        st = self._call(
            "read metadata of",
            f"{bucket}/{key}",
            lambda: self.client.stat_object(bucket, key, version_id=version_id),
        )
        return ObjectInfo(
            bucket,
            key,
            st.version_id,
            int(st.size or 0),
            (st.etag or "").strip('"'),
            st.last_modified,
            _user_meta(st.metadata),
        )

    def user_metadata(self, bucket: str, key: str, version_id: str | None = None) -> dict[str, str]:
        """The object's user metadata (``x-amz-meta-*``), names without the prefix, values decoded."""
        return self.stat(bucket, key, version_id).metadata

    def list_versions(self, bucket: str, prefix: str = "") -> list[VersionEntry]:
        """Every version (not delete markers) of every object under prefix."""

        def listing() -> list[VersionEntry]:
            objs = self.client.list_objects(
                bucket, prefix=prefix or None, recursive=True, include_version=True
            )
            return [
                VersionEntry(
                    o.object_name or "",
                    o.version_id,
                    int(o.size or 0),
                    bool(o.is_latest and str(o.is_latest).lower() != "false"),
                    o.last_modified,
                )
                for o in objs
                if not o.is_delete_marker
            ]

        return self._call("list", bucket, listing)

    def versions(self, bucket: str, key: str) -> list[str]:
        """Version ids of the object at key, newest first ("null" for an unversioned object)."""

        def listing() -> list:
            objs = self.client.list_objects(bucket, prefix=key, include_version=True)
            return [o for o in objs if o.object_name == key and not o.is_delete_marker]

        found = self._call("list versions of", f"{bucket}/{key}", listing)
        found.sort(key=lambda o: o.last_modified or datetime.min.replace(tzinfo=UTC), reverse=True)
        return [o.version_id or "null" for o in found]

    def _retention(self, bucket: str, key: str, version_id: str | None) -> tuple[str, datetime] | None:
        try:
            r = self.client.get_object_retention(bucket, key, version_id=version_id)
        except S3Error as e:
            if e.code in _NO_LOCK:
                return None
            raise
        if r is None or not r.mode or r.retain_until_date is None:
            return None
        return str(r.mode), r.retain_until_date

    def retention(self, bucket: str, key: str, version_id: str | None = None) -> tuple[str, datetime] | None:
        """(mode, retain-until) of an object version, or None when it is not locked."""
        return self._call(
            "read the retention of", f"{bucket}/{key}", lambda: self._retention(bucket, key, version_id)
        )

    def presigned_get(
        self,
        bucket: str,
        key: str,
        version_id: str | None = None,
        *,
        expires: timedelta = timedelta(minutes=5),
        filename: str | None = None,
    ) -> str:
        """A URL that lets its holder GET this object version until it expires (at most one hour)."""
        if not timedelta(seconds=1) <= expires <= MAX_PRESIGN:
            raise ValueError("a download link must expire within one hour")
        headers = None
        if filename:
            name = unicodedata.normalize("NFC", filename)
            headers = {"response-content-disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}"}
        with self._errors("sign a download link for", f"{bucket}/{key}"):
            return self.client.presigned_get_object(
                bucket, key, expires=expires, response_headers=headers, version_id=version_id
            )

    def delete(self, bucket: str, key: str, version_id: str | None = None) -> None:
        """Delete an object (version). Refused by the server while the version is under retention."""
        what = f"{bucket}/{key}" + (f" version {version_id}" if version_id else "")
        self._call("delete", what, lambda: self.client.remove_object(bucket, key, version_id=version_id))


def _user_meta(raw: object) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in dict(raw or {}).items():  # type: ignore[call-overload]
        if str(name).lower().startswith("x-amz-meta-"):
            out[str(name).lower().removeprefix("x-amz-meta-")] = decode_meta(str(value))
    return out


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:300]


@contextmanager
def _open_source(source: bytes | Path) -> Iterator[BinaryIO]:
    if isinstance(source, bytes):
        yield io.BytesIO(source)
    else:
        with open(source, "rb") as f:
            yield f


def object_store_from_settings(settings: Settings) -> ObjectStore:
    """See ``storage.seaweed.object_store_from_settings`` (kept here too: callers look for it here)."""
    from storage.seaweed import object_store_from_settings as from_settings

    return from_settings(settings)


def _check_mode(mode: str) -> str:
    m = mode.upper()
    if m not in RETENTION_MODES:
        raise ConfigurationError(f"retention mode must be COMPLIANCE or GOVERNANCE, not {mode!r}")
    return m
