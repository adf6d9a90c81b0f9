"""The archive package of a dossier: a BagIt bag (RFC 8493, ``bagit`` library) serialised as one tar.

Layout of ``<code>/<code>.bag.tar`` in the archive bucket::

    <code>/bagit.txt
    <code>/bag-info.txt                 Thông tư 05/2025/TT-BNV dossier metadata (also as bag-info fields)
    <code>/manifest-sha256.txt          SHA-256 of every payload file
    <code>/tagmanifest-sha256.txt
    <code>/data/<code>.001.pdf ...      the signed PDF/A copies, as archived
    <code>/data/metadata/ho-so.json     dossier and per-document metadata (Thông tư 05/2025/TT-BNV)

Every signed PDF is read back from the archive and checked against the database before it goes in; the bag
is validated with ``bagit`` before upload and again after, from the bytes read back from object storage.
The package is deterministic (dates from the records, fixed tar metadata): building it again from the same
records gives the same bytes, hence no second locked version.
"""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import bagit
import sqlalchemy as sa
from sqlalchemy.orm import Session

from extractors.vn_codes import DOC_TYPES
from pipelines.errors import BadInputError, IntegrityError, NotFoundError
from storage.db.models import ArchivePackage, Document, Dossier
from storage.objects import ObjectStore, sha256_hex
from storage.retention import RetentionSchedule, load_schedule, with_dossier

STANDARD = "Thông tư 05/2025/TT-BNV"
CONFIDENCE_LEVEL = "Số hóa"
DEFAULT_ACCESS_MODE = "Hạn chế"  # dossiers carry personal data: restricted use
METADATA_PATH = "metadata/ho-so.json"

# Where each piece of per-document metadata is found among a type's fields (document-types.md), in order.
_NUMBER_FIELDS = (
    "document_number",
    "registration_number",
    "permit_number",
    "register_number",
    "serial_number",
)
_NUMBER_FIELDS += ("enterprise_code", "dossier_code")
_DATE_FIELDS = ("issue_date", "registration_date", "first_registration_date", "signed_date", "received_date")
_ISSUER_FIELDS = ("issuing_body", "issuing_authority", "receiving_unit", "addressee")
_SUBJECT_FIELDS = ("subject", "request", "procedure_name", "land_use_purpose", "company_name")


@dataclass
class PackageRecord:
    dossier_id: str
    dossier_code: str
    bucket: str
    key: str
    version_id: str | None
    sha256: str
    size: int
    retain_until: datetime | None
    files: dict[str, str] = field(default_factory=dict)  # payload path ("data/...") -> SHA-256
    document_ids: list[str] = field(default_factory=list)
    package_id: int | None = None


def package_key(dossier_code: str) -> str:
    return f"{dossier_code}/{dossier_code}.bag.tar"


def archive_file_name(dossier_code: str, sequence: int) -> str:
    """``<dossier code>.<sequence>.pdf`` with a 3-digit sequence, as the archive key names it."""
    return f"{dossier_code}.{sequence:03d}.pdf"


def _first(fields: dict[str, str], names: tuple[str, ...]) -> str | None:
    return next((fields[n] for n in names if fields.get(n)), None)


def _iso(d: date | datetime | None) -> str | None:
    if d is None:
        return None
    return (d.astimezone(UTC).date() if isinstance(d, datetime) else d).isoformat()


def dossier_metadata(
    dossier: Dossier,
    documents: list[Document],
    schedule: RetentionSchedule,
    *,
    access_mode: str,
    original_code: str | None,
) -> dict[str, Any]:
    """The dossier and document metadata of Thông tư 05/2025/TT-BNV (English keys, Vietnamese labels)."""
    docs: list[dict[str, Any]] = []
    dates: list[str] = []
    for d in documents:
        fields = {f.key: f.value for f in d.fields}
        issued = _first(fields, _DATE_FIELDS)
        if issued:
            dates.append(issued)
        docs.append(
            {
                "file": archive_file_name(dossier.code or "", d.sequence or 0),
                "document_id": d.id,
                "sequence": d.sequence,
                "type": d.doc_type or "other",
                "type_label": DOC_TYPES.get(d.doc_type or "other", DOC_TYPES["other"]),
                "number_and_symbol": _first(fields, _NUMBER_FIELDS),
                "issue_date": issued,
                "issuing_body": _first(fields, _ISSUER_FIELDS),
                "subject": _first(fields, _SUBJECT_FIELDS) or DOC_TYPES.get(d.doc_type or "other"),
                "page_count": d.page_count,
                "sha256": d.archive_sha256,
                "signed_at": d.signed_at.isoformat() if d.signed_at else None,
                "signature_level": d.signature_level,
            }
        )
    rule = with_dossier(schedule.for_types(d.doc_type for d in documents), dossier.retention)
    # The inventory's dates win: they describe the paper dossier; else the documents' own dates.
    start = _iso(dossier.start_date) or min(dates, default=None) or _iso(dossier.received_date)
    end = _iso(dossier.end_date) or max(dates, default=None) or _iso(dossier.due_date) or start
    return {
        "standard": STANDARD,
        "dossier": {
            "dossier_code": dossier.code,
            "title": dossier.title or dossier.procedure or dossier.folder,
            "retention_period": rule.label,
            "retention_years": rule.years,
            "access_mode": dossier.access_mode or access_mode,
            "start_date": start,
            "end_date": end,
            "page_count": sum(d.page_count for d in documents),
            "document_count": len(documents),
            "confidence_level": CONFIDENCE_LEVEL,
            "original_dossier_code": original_code or dossier.original_code or dossier.code,
            "agency_code": dossier.agency_code,
        },
        "documents": docs,
        "labels": {
            "dossier_code": "Mã hồ sơ",
            "title": "Tiêu đề hồ sơ",
            "retention_period": "Thời hạn bảo quản",
            "access_mode": "Chế độ sử dụng",
            "start_date": "Thời gian bắt đầu",
            "end_date": "Thời gian kết thúc",
            "page_count": "Số lượng trang",
            "confidence_level": "Mức độ tin cậy",
            "original_dossier_code": "Mã hồ sơ gốc giấy",
            "type": "Tên loại văn bản",
            "number_and_symbol": "Số và ký hiệu văn bản",
            "issue_date": "Ngày, tháng, năm văn bản",
            "issuing_body": "Tên cơ quan, tổ chức ban hành văn bản",
            "subject": "Trích yếu nội dung",
        },
    }


def _archived_documents(s: Session, dossier_id: str) -> tuple[Dossier, list[Document]]:
    dossier = s.get(Dossier, dossier_id)
    if dossier is None:
        raise NotFoundError(f"dossier {dossier_id} is not in the database")
    if not dossier.code:
        raise BadInputError(f"dossier {dossier.folder} has no dossier code: an archive package needs one")
    docs = list(
        s.scalars(
            sa.select(Document)
            .where(
                Document.dossier_id == dossier_id,
                Document.archive_key.is_not(None),
                Document.status == "archived",  # not a copy a rescan replaced
            )
            .order_by(Document.sequence, Document.id)
        )
    )
    if not docs:
        raise BadInputError(f"dossier {dossier.code} has no archived document yet: nothing to package")
    missing = [d.id for d in docs if not d.sequence]
    if missing:
        raise BadInputError(
            f"documents {', '.join(missing)} of dossier {dossier.code} have no sequence number"
        )
    return dossier, docs


def _bag_info(meta: dict[str, Any], bagging_date: str) -> dict[str, str]:
    d = meta["dossier"]
    info = {
        "External-Identifier": d["dossier_code"],
        "External-Description": d["title"],
        "Bagging-Date": bagging_date,
        "Source-Organization": d["agency_code"] or "",
        "Ma-Ho-So": d["dossier_code"],
        "Tieu-De-Ho-So": d["title"],
        "Thoi-Han-Bao-Quan": d["retention_period"],
        "Che-Do-Su-Dung": d["access_mode"],
        "Thoi-Gian-Bat-Dau": d["start_date"] or "",
        "Thoi-Gian-Ket-Thuc": d["end_date"] or "",
        "So-Luong-Trang": str(d["page_count"]),
        "Muc-Do-Tin-Cay": d["confidence_level"],
        "Ma-Ho-So-Goc-Giay": d["original_dossier_code"] or "",
        "Tieu-Chuan": STANDARD,
    }
    return {k: v for k, v in info.items() if v}


def _tar(bag_dir: Path, root: str, mtime: float) -> bytes:
    """A deterministic POSIX tar of the bag under ``root/``."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(p for p in bag_dir.rglob("*") if p.is_file()):
            rel = path.relative_to(bag_dir).as_posix()
            ti = tarfile.TarInfo(f"{root}/{rel}")
            ti.size, ti.mtime, ti.mode = path.stat().st_size, mtime, 0o444
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            with open(path, "rb") as f:
                tar.addfile(ti, f)
    return buf.getvalue()


def _validate_bag(bag_dir: Path) -> dict[str, str]:
    """Validate with bagit (every checksum); returns the payload manifest. Raises IntegrityError."""
    try:
        bag = bagit.Bag(str(bag_dir))
        bag.validate(processes=1)
    except bagit.BagError as e:
        raise IntegrityError(f"the archive package {bag_dir.name} is not a valid BagIt bag: {e}") from e
    return {path: sums["sha256"] for path, sums in sorted(bag.payload_entries().items())}


def validate_package_bytes(data: bytes) -> dict[str, str]:
    """Unpack a package tar and validate it with bagit; returns its payload manifest (path -> SHA-256)."""
    with tempfile.TemporaryDirectory(prefix="sohoa-bag-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
            tar.extractall(tmp, filter="data")
        roots = [p for p in Path(tmp).iterdir() if p.is_dir()]
        if len(roots) != 1:
            raise IntegrityError("an archive package must hold exactly one bag directory")
        return _validate_bag(roots[0])


def validate_package(store: ObjectStore, record: PackageRecord) -> dict[str, str]:
    """Read a stored package back and validate it (bagit); checks its SHA-256 against the record too."""
    data = store.get(record.bucket, record.key, record.version_id)
    if sha256_hex(data) != record.sha256:
        raise IntegrityError(f"the archive package {record.key} differs from its record (SHA-256)")
    return validate_package_bytes(data)


def build_dossier_package(
    s: Session,
    store: ObjectStore,
    dossier_id: str,
    *,
    schedule: RetentionSchedule | None = None,
    access_mode: str = DEFAULT_ACCESS_MODE,
    original_code: str | None = None,
) -> PackageRecord:
    """Build, validate, archive (locked as long as the longest-kept document) and record the package of a
    dossier from its archived documents. Idempotent for unchanged records."""
    schedule = schedule or load_schedule()
    dossier, docs = _archived_documents(s, dossier_id)
    code = dossier.code or ""
    meta = dossier_metadata(dossier, docs, schedule, access_mode=access_mode, original_code=original_code)
    stamps = [d.signed_at or d.updated_at for d in docs if d.signed_at or d.updated_at]
    newest = max(stamps) if stamps else datetime(2000, 1, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory(prefix="sohoa-bag-") as tmp:
        bag_dir = Path(tmp) / code
        (bag_dir / "metadata").mkdir(parents=True)
        for d in docs:
            name = archive_file_name(code, d.sequence or 0)
            target = bag_dir / name
            digest = store.download_to(
                d.archive_bucket or "", d.archive_key or "", target, d.archive_version_id
            )
            if digest != d.archive_sha256:
                raise IntegrityError(
                    f"the archived copy {d.archive_key} does not match its database record (SHA-256): "
                    "run `sohoa fixity` and investigate before packaging"
                )
        (bag_dir / METADATA_PATH).write_text(
            json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        try:
            bagit.make_bag(
                str(bag_dir), _bag_info(meta, _iso(newest) or ""), processes=1, checksums=["sha256"]
            )
        except (bagit.BagError, OSError) as e:
            raise IntegrityError(f"could not make the archive package of {code}: {e}") from e
        files = _validate_bag(bag_dir)
        data = _tar(bag_dir, code, newest.timestamp())
    rule = with_dossier(schedule.for_types(d.doc_type for d in docs), dossier.retention)
    record = store.put_archive(
        package_key(code),
        data,
        retention_days=rule.days,
        retention_mode=rule.mode,
        metadata={"sohoa-dossier-id": dossier.id, "sohoa-dossier-code": code, "sohoa-package": "bagit-1.0"},
    )
    out = PackageRecord(
        dossier.id,
        code,
        record.bucket,
        record.key,
        record.version_id,
        record.sha256,
        len(data),
        record.retain_until,
        files,
        [d.id for d in docs],
    )
    if validate_package(store, out) != files:
        raise IntegrityError(f"the stored archive package {out.key} does not hold what was packaged")
    out.package_id = _record(s, out)
    return out


def _record(s: Session, rec: PackageRecord) -> int:
    row = s.scalars(
        sa.select(ArchivePackage).where(
            ArchivePackage.bucket == rec.bucket,
            ArchivePackage.key == rec.key,
            ArchivePackage.version_id == rec.version_id,
        )
    ).first()
    if row is None:
        row = ArchivePackage(
            dossier_id=rec.dossier_id,
            dossier_code=rec.dossier_code,
            bucket=rec.bucket,
            key=rec.key,
            version_id=rec.version_id,
            sha256=rec.sha256,
            size=rec.size,
            manifest=rec.files,
            retain_until=rec.retain_until,
        )
        s.add(row)
        s.flush()
    return row.id


def latest_package(s: Session, dossier_id: str) -> ArchivePackage | None:
    return s.scalars(
        sa.select(ArchivePackage)
        .where(ArchivePackage.dossier_id == dossier_id)
        .order_by(ArchivePackage.created_at.desc(), ArchivePackage.id.desc())
    ).first()
