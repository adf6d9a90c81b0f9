"""The resources a flow run needs (database, object store, signer, OCR pool), built once per process from
settings. Kept out of task parameters: Prefect only sees plain values."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from extractors.tesseract_slots import configure as configure_tesseract
from pipelines.read import sweep_spools
from sohoa.settings import Settings, get_settings
from storage import claims
from storage.db.database import Database
from storage.objects import ObjectStore, object_store_from_settings


@dataclass
class Runtime:
    settings: Settings
    db: Database
    store: ObjectStore
    pool: ThreadPoolExecutor
    _signer: object | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    sign_lock: threading.Lock = field(default_factory=threading.Lock)  # one signature at a time per process
    worker_id: str = field(default_factory=claims.worker_id)
    claimed: set[str] = field(default_factory=set)  # documents this worker holds (renewed by the heartbeat)
    _heartbeat: threading.Thread | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)

    def hold(self, doc_id: str) -> None:
        with self._lock:
            self.claimed.add(doc_id)
            if self._heartbeat is None:
                self._heartbeat = threading.Thread(target=self._beat, name="claims-heartbeat", daemon=True)
                self._heartbeat.start()

    def let_go(self, doc_id: str) -> None:
        with self._lock:
            self.claimed.discard(doc_id)

    def _beat(self) -> None:
        """Renew this worker's leases every third of the lease, so that only a dead worker loses them."""
        interval = max(1.0, self.settings.claim_lease_seconds / 3)
        while not self._stopping.wait(interval):
            with self._lock:
                ids = list(self.claimed)
            if ids:
                try:
                    with self.db.session() as s:
                        claims.renew(
                            s, ids, worker=self.worker_id, lease_seconds=self.settings.claim_lease_seconds
                        )
                except Exception:  # noqa: BLE001 - a missed beat is retried at the next one
                    pass

    @property
    def scorer(self):  # -> extractors.model.LearnedScorer | None
        """The document-type model trained by ``sohoa train``, if there is one (loaded once)."""
        with self._lock:
            if not hasattr(self, "_scorer"):
                from extractors.model import load_scorer

                self._scorer = load_scorer(self.settings.data_dir / "models" / "doctype.pkl")
            return self._scorer

    @classmethod
    def open(cls, settings: Settings) -> Runtime:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.db_url)
        db.migrate()
        store = object_store_from_settings(settings)
        # Twice as many threads as Tesseract slots: pages are prepared while others are read.
        configure_tesseract(settings.workers)
        pool = ThreadPoolExecutor(max_workers=2 * settings.workers, thread_name_prefix="ocr")
        rt = cls(settings=settings, db=db, store=store, pool=pool)
        sweep_spools(rt.spool_dir)  # what a worker killed in the middle of a document left behind
        return rt

    @property
    def spool_dir(self) -> Path:
        """Where documents' working files go (``pipelines.read.PageSpool``): on the data disk, not in /tmp
        (often a RAM disk)."""
        return self.settings.data_dir / "spool"

    def signer(self):  # -> signing.pades.PadesSigner
        with self._lock:
            if self._signer is None:
                from signing.keys import load_agency_key
                from signing.pades import PadesSigner

                key = load_agency_key(self.settings)
                self._signer = PadesSigner(
                    key,
                    tsa_url=self.settings.tsa_url,
                    level=self.settings.signing_level,
                    trust_roots=self.settings.trust_anchors,
                )
            return self._signer

    def close(self) -> None:
        self._stopping.set()
        self.pool.shutdown(wait=True)
        self.db.dispose()


_runtime: Runtime | None = None
_runtime_lock = threading.Lock()


def get_runtime() -> Runtime:
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            _runtime = Runtime.open(get_settings())
        return _runtime


def set_runtime(runtime: Runtime | None) -> None:
    """Tests and the CLI install a runtime built from explicit settings."""
    global _runtime
    with _runtime_lock:
        if _runtime is not None and _runtime is not runtime:
            _runtime.close()
        _runtime = runtime
