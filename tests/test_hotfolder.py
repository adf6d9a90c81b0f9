"""The hot folder waits until a scanner has stopped writing a dossier, then ingests it once."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from flows.hotfolder import LOOSE, HotFolderState, ready_dossiers, snapshot, watch
from flows.runtime import Runtime, set_runtime
from sohoa.samples import generate_demo
from tests.helpers import make_settings


def test_ready_only_after_settling_and_only_once(tmp_path):
    (tmp_path / "HS-1").mkdir()
    (tmp_path / "HS-1" / "a.jpg").write_bytes(b"1")
    (tmp_path / "loose.pdf").write_bytes(b"%PDF")
    state = HotFolderState()
    snap = snapshot(tmp_path)
    assert set(snap) == {"HS-1", LOOSE}
    assert ready_dossiers(state, snap, now=0, settle=10) == []
    assert ready_dossiers(state, snap, now=5, settle=10) == []
    # The scanner adds a page: the clock starts again for that dossier only.
    (tmp_path / "HS-1" / "b.jpg").write_bytes(b"22")
    snap = snapshot(tmp_path)
    assert ready_dossiers(state, snap, now=11, settle=10) == [LOOSE]
    state.done[LOOSE] = snap[LOOSE]
    assert ready_dossiers(state, snap, now=22, settle=10) == ["HS-1"]
    state.done["HS-1"] = snap["HS-1"]
    assert ready_dossiers(state, snap, now=40, settle=10) == []


def test_watch_ingests_a_dossier_dropped_in(tmp_path, seaweed, prefect_api):
    from flows.ingest import ingest_batch

    samples = tmp_path / "samples"
    docs = generate_demo(samples, seed=5)
    born_digital = next(d for d in docs if d.born_digital)
    hot = tmp_path / "hot"
    hot.mkdir()
    settings = make_settings(tmp_path, seaweed, f"sqlite:///{tmp_path / 'hot.db'}")
    set_runtime(Runtime.open(settings))
    reports: list[dict] = []
    try:

        def ingest(dossiers: list[str]) -> None:
            reports.append(ingest_batch(source=str(hot), report_path=None, progress=False, dossiers=dossiers))

        t = threading.Thread(
            target=watch,
            args=(hot, ingest),
            kwargs={"interval": 0.2, "settle": 1.0, "stop": lambda: len(reports) >= 1},
            daemon=True,
        )
        t.start()
        time.sleep(0.5)
        target = hot / "Hồ sơ 1"
        target.mkdir()
        shutil.copy(samples / born_digital.rel, target / Path(born_digital.rel).name)
        t.join(timeout=300)
        assert not t.is_alive()
        [report] = reports
        assert [d["source"] for d in report["documents"]] == [f"Hồ sơ 1/{Path(born_digital.rel).name}"]
        assert report["documents"][0]["status"] in ("archived", "review")
    finally:
        set_runtime(None)
