"""The resources a flow run needs (database, object store, signer, OCR pool), built once per process from
settings. Kept out of task parameters: Prefect only sees plain values."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sohoa.settings import Settings, get_settings
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

    @classmethod
    def open(cls, settings: Settings) -> Runtime:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.db_url)
        db.migrate()
        store = object_store_from_settings(settings)
        pool = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="ocr")
        return cls(settings=settings, db=db, store=store, pool=pool)

    def signer(self):  # -> signing.pades.PadesSigner
        with self._lock:
            if self._signer is None:
                from signing.keys import load_agency_key
                from signing.pades import PadesSigner

                key = load_agency_key(self.settings)
                self._signer = PadesSigner(key, tsa_url=self.settings.tsa_url)
            return self._signer

    def close(self) -> None:
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
