"""Uploads: the files or folders an operator sends become a batch folder that the ingest flow reads.

One upload is ``data_dir/uploads/<id>/``: every folder of the upload is one dossier (its relative path is
kept), loose files go to one dossier named by the form's code. A bad file (empty, unsupported, a name that
points outside the folder, too large) is refused with its reason; the other files are still processed.
"""

from __future__ import annotations

import contextvars
import json
import re
import shutil
import threading
import traceback
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from flows.runtime import Runtime
from pipelines.discover import DOSSIER_FILE, IGNORED_NAMES
from pipelines.errors import BadInputError, NotFoundError
from pipelines.logs import get_logger
from sohoa.web.actions import record_event

log = get_logger("sohoa.web")

MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # per file
MAX_DEPTH = 8
CHUNK = 1024 * 1024
# What each accepted extension must start with: a renamed .exe is refused before the pipeline sees it.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8",),
    ".jpeg": (b"\xff\xd8",),
    ".tif": (b"II*\x00", b"MM\x00*"),
    ".tiff": (b"II*\x00", b"MM\x00*"),
}


@dataclass
class UploadJob:
    id: str
    folder: Path
    files: list[str]
    actor: str
    state: str = "queued"  # queued | running | done | failed
    error: str | None = None
    summary: dict[str, Any] | None = None
    documents: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)  # {"name", "error"} of each refused file
    dossiers: list[str] = field(default_factory=list)  # dossier folders, relative to the upload

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "files": self.files,
            "dossiers": self.dossiers,
            "refused": self.refused,
            "error": self.error,
            "summary": self.summary,
            "documents": [
                {k: d.get(k) for k in ("id", "source", "status", "doc_type", "error")} for d in self.documents
            ],
        }


_jobs: dict[str, UploadJob] = {}
_jobs_lock = threading.Lock()
_ingest_lock = threading.Lock()  # one batch at a time per server process


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def relative_parts(name: str) -> tuple[str, ...]:
    """The safe parts of a relative path as the browser sent it (``HS-001/giấy khai sinh.pdf``).

    Refused: absolute paths, ``..``, drive letters, hidden or system files, too deep; characters other than
    letters, digits, ``. - _`` and spaces become ``_``."""
    raw = _nfc(name).replace("\\", "/")
    if not raw:
        raise BadInputError("a file without a name")
    if raw.startswith("/") or re.match(r"^[A-Za-z]:", raw):
        raise BadInputError(f"{raw}: an absolute path; send files relative to their folder")
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise BadInputError(f"{raw}: a file name may not point outside its folder (..)")
    if not parts:
        raise BadInputError(f"{raw}: not a file name")
    if len(parts) > MAX_DEPTH:
        raise BadInputError(f"{raw}: folders nested deeper than {MAX_DEPTH} levels")
    if parts[-1] in IGNORED_NAMES - {DOSSIER_FILE} or any(p.startswith(".") for p in parts):
        raise BadInputError(f"{raw}: a hidden or system file, not a document")
    clean = tuple(re.sub(r"[^\w.\- ]", "_", p).strip(" ")[:200] for p in parts)
    if any(not p or p.strip(".") == "" for p in clean):
        raise BadInputError(f"{raw}: not a file name")
    suffix = Path(clean[-1]).suffix.lower()
    if clean[-1] != DOSSIER_FILE and suffix not in SIGNATURES:
        raise BadInputError(f"{raw}: only PDF, PNG, JPEG and TIFF files (and dossier.json) can be uploaded")
    return clean


def _copy(src: BinaryIO, dest: Path, shown: str, max_bytes: int) -> int:
    """Copy with a size limit and a check of the first bytes against the extension. Returns the size."""
    first = src.read(CHUNK)
    if not first:
        raise BadInputError(f"{shown}: the file is empty")
    suffix = dest.suffix.lower()
    if dest.name != DOSSIER_FILE and not first.startswith(SIGNATURES[suffix]):
        raise BadInputError(f"{shown}: the content is not a {suffix[1:].upper()} file")
    dest.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    try:
        with dest.open("xb") as out:
            chunk = first
            while chunk:
                size += len(chunk)
                if size > max_bytes:
                    raise BadInputError(f"{shown}: larger than {max_bytes / 2**20:g} MB")
                out.write(chunk)
                chunk = src.read(CHUNK)
    except BadInputError:
        dest.unlink(missing_ok=True)
        raise
    if dest.name == DOSSIER_FILE:
        try:
            ok = isinstance(json.loads(dest.read_text(encoding="utf-8")), dict)
        except (UnicodeDecodeError, json.JSONDecodeError):
            ok = False
        if not ok:
            dest.unlink()
            raise BadInputError(f"{shown}: not a JSON object in UTF-8")
    return size


def _check_date(value: str | None, what: str) -> None:
    if value:
        try:
            date.fromisoformat(value)
        except ValueError as e:
            raise BadInputError(f"the {what} must be a date (YYYY-MM-DD)") from e


def save_upload(
    rt: Runtime,
    files: list[tuple[str, BinaryIO]],
    *,
    actor: str,
    dossier_code: str | None = None,
    title: str | None = None,
    received_date: str | None = None,
    due_date: str | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> UploadJob:
    """Write the files (name = path relative to the chosen folder, or a bare file name) under
    data_dir/uploads/<id>/ and a dossier.json for every dossier folder that has none. Raises BadInputError
    when nothing at all can be kept; otherwise the refused files are listed on the job."""
    if not files:
        raise BadInputError("choose at least one file or a folder")
    _check_date(received_date, "received date")
    _check_date(due_date, "due date")
    code = _nfc(dossier_code or "") or None
    upload_id = uuid.uuid4().hex[:12]
    root = rt.settings.data_dir / "uploads" / upload_id
    loose = re.sub(r"[^\w.\-]", "_", code) if code else f"HS-{upload_id}"

    planned: list[tuple[str, tuple[str, ...], BinaryIO]] = []
    refused: list[dict[str, str]] = []
    for name, fh in files:
        try:
            parts = relative_parts(name)
        except BadInputError as e:
            refused.append({"name": _nfc(name), "error": str(e)})
            continue
        planned.append((_nfc(name), parts if len(parts) > 1 else (loose, *parts), fh))
    folders = sorted({"/".join(p[:-1]) for _, p, _ in planned if p[-1] != DOSSIER_FILE})
    if code and len(folders) > 1:
        raise BadInputError(
            f"a dossier code is for one dossier; this upload holds {len(folders)} folders "
            "(leave the code empty: each folder's dossier.json or name tells its dossier)"
        )

    kept: list[str] = []
    for shown, parts, fh in planned:
        rel = "/".join(parts)
        n = 1
        while rel in kept:  # the same name twice: keep both
            n += 1
            rel = "/".join((*parts[:-1], f"{n}-{parts[-1]}"))
        try:
            _copy(fh, root.joinpath(*rel.split("/")), shown, max_bytes)
        except BadInputError as e:
            refused.append({"name": shown, "error": str(e)})
            continue
        except OSError as e:  # e.g. a file and a folder of the same name in one upload
            refused.append({"name": shown, "error": f"{shown}: could not be saved ({e.strerror or e})"})
            continue
        kept.append(rel)
    documents = [k for k in kept if not k.endswith("/" + DOSSIER_FILE)]
    if not documents:
        shutil.rmtree(root, ignore_errors=True)
        why = "; ".join(r["error"] for r in refused) or "no document among the files"
        raise BadInputError(f"nothing was uploaded: {why}")

    folders = sorted({d.rsplit("/", 1)[0] for d in documents})
    for folder in folders:
        info = root / folder / DOSSIER_FILE
        if info.exists():
            continue  # what the reception desk wrote wins
        data = {
            "dossier_code": code,
            "title": _nfc(title or "") or None,
            "received_date": received_date or date.today().isoformat(),
            "due_date": due_date or None,
        }
        info.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")

    job = UploadJob(upload_id, root, documents, actor, refused=refused, dossiers=folders)
    _write_sidecar(job)
    with _jobs_lock:
        _jobs[upload_id] = job
    record_event(rt, actor, "upload", upload_id, f"{len(documents)} file(s), {len(refused)} refused")
    log.info(
        "upload %s: %d file(s) in %d dossier(s), %d refused",
        upload_id,
        len(documents),
        len(folders),
        len(refused),
    )
    return job


def upload_pairs(files: list[Any], paths: list[str]) -> list[tuple[str, BinaryIO]]:
    """(relative path, bytes) of each file: the path the page's script sent alongside (folders, drag and
    drop), else the file name. A browser sends an empty part when nothing was chosen in one of the inputs."""
    sent = [f for f in files if f.filename or (f.size or 0) > 0]
    names = paths if len(paths) == len(sent) else [""] * len(sent)
    return [(name or f.filename or "", f.file) for f, name in zip(sent, names, strict=True)]


def _sidecar(root: Path, kind: str) -> Path:
    """Beside the upload folder, not in it: the ingest reads every file of the folder."""
    return root.parent / f"{root.name}.{kind}.json"


def _write_sidecar(job: UploadJob) -> None:
    data = {"files": job.files, "dossiers": job.dossiers, "refused": job.refused, "actor": job.actor}
    _sidecar(job.folder, "upload").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def start_ingest(job: UploadJob) -> threading.Thread:
    """Ingest the uploaded folder in a background thread (the Prefect flow of ``sohoa ingest``), with the
    settings context of the caller (the Prefect API it was given)."""

    def run() -> None:
        from flows.ingest import ingest_batch

        with _ingest_lock:
            job.state = "running"
            try:
                report = ingest_batch(
                    source=str(job.folder), report_path=str(_sidecar(job.folder, "report")), progress=False
                )
                job.summary, job.documents, job.state = report["summary"], report["documents"], "done"
            except Exception as exc:  # noqa: BLE001 - shown on the upload page; the log keeps the traceback
                job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
                log.error("upload %s failed: %s", job.id, traceback.format_exc())

    ctx = contextvars.copy_context()
    t = threading.Thread(target=ctx.run, args=(run,), name=f"ingest-{job.id}", daemon=True)
    t.start()
    return t


def upload_job(rt: Runtime, upload_id: str) -> UploadJob:
    with _jobs_lock:
        job = _jobs.get(upload_id)
    if job is not None:
        return job
    root = rt.settings.data_dir / "uploads" / upload_id
    if not re.fullmatch(r"[0-9a-f]{12}", upload_id) or not root.is_dir():
        raise NotFoundError(f"no upload {upload_id}")
    job = UploadJob(upload_id, root, [], "?", state="queued")
    meta = _sidecar(root, "upload")
    if meta.exists():
        data = json.loads(meta.read_text(encoding="utf-8"))
        job.files, job.dossiers, job.refused = data["files"], data["dossiers"], data["refused"]
        job.actor = data.get("actor", "?")
    report = _sidecar(root, "report")
    if report.exists():
        data = json.loads(report.read_text(encoding="utf-8"))
        job.state, job.summary, job.documents = "done", data.get("summary"), data.get("documents", [])
    return job
