"""The hot folder: a scanner writes dossiers into a folder; each dossier is ingested once its files have
stopped changing. Detection is a pure function over snapshots; the loop is at the edge."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.discover import discover

LOOSE = ""  # the key of files lying directly in the folder (no dossier)


def snapshot(folder: Path) -> dict[str, tuple[tuple[str, int, int], ...]]:
    """Per dossier (LOOSE for loose files): its files with size and mtime, the evidence of a scanner writing."""
    out: dict[str, list[tuple[str, int, int]]] = {}
    for f in discover(folder):
        try:
            st = f.path.stat()
        except FileNotFoundError:  # removed while we looked
            continue
        out.setdefault(f.dossier or LOOSE, []).append((f.rel, st.st_size, st.st_mtime_ns))
    for p in folder.rglob("dossier.json"):
        key = p.parent.relative_to(folder).as_posix()
        st = p.stat()
        out.setdefault(key, []).append((f"{key}/dossier.json", st.st_size, st.st_mtime_ns))
    return {k: tuple(sorted(v)) for k, v in out.items()}


@dataclass
class HotFolderState:
    """What was seen last, since when it has not changed, and what was already ingested as it is."""

    seen: dict[str, tuple] = field(default_factory=dict)
    stable_since: dict[str, float] = field(default_factory=dict)
    done: dict[str, tuple] = field(default_factory=dict)


def ready_dossiers(state: HotFolderState, snap: dict[str, tuple], now: float, settle: float) -> list[str]:
    """Dossiers unchanged for ``settle`` seconds and not yet ingested in exactly this state."""
    ready = []
    for key, files in snap.items():
        if state.seen.get(key) != files:
            state.seen[key] = files
            state.stable_since[key] = now
            continue
        if now - state.stable_since[key] >= settle and state.done.get(key) != files:
            ready.append(key)
    for key in list(state.seen):
        if key not in snap:
            state.seen.pop(key)
            state.stable_since.pop(key, None)
    return sorted(ready)


def watch(
    folder: Path,
    ingest: Callable[[list[str]], object],
    *,
    interval: float = 5.0,
    settle: float = 10.0,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Poll ``folder`` and call ``ingest(dossiers)`` for every batch of dossiers that became ready."""
    state = HotFolderState()
    while not stop():
        snap = snapshot(folder)
        ready = ready_dossiers(state, snap, time.monotonic(), settle)
        if ready:
            ingest(ready)
            for key in ready:
                state.done[key] = snap[key]
        time.sleep(interval)
