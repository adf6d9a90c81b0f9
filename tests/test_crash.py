"""Crash safety: a worker killed with SIGKILL in the middle of a batch loses nothing and duplicates nothing
when the batch is run again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from flows.runtime import Runtime
from sohoa.samples import generate_demo
from storage import repository as repo
from tests.helpers import SOHOA, cli_env, make_settings


@pytest.mark.slow
def test_sigkill_mid_batch_then_rerun(tmp_path, seaweed, prefect_api):
    source = tmp_path / "in"
    generate_demo(source, seed=11)
    (source / "manifest.jsonl").unlink()
    settings = make_settings(tmp_path, seaweed, f"sqlite:///{tmp_path / 'crash.db'}")
    env = cli_env(settings, prefect_api)
    rt = Runtime.open(settings)
    try:
        proc = subprocess.Popen(
            [SOHOA, "ingest", str(source)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 300
        archived = 0
        while time.monotonic() < deadline and proc.poll() is None:
            with rt.db.session(readonly=True) as s:
                archived = len(repo.list_documents(s, status="archived", limit=1000))
            if archived >= 2:
                break
            time.sleep(0.2)
        assert proc.poll() is None, "the batch finished before it could be killed: make it bigger"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

        report_path = tmp_path / "report.json"
        p = subprocess.run(
            [SOHOA, "ingest", str(source), "--report", str(report_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert p.returncode == 0, p.stdout + p.stderr
        report = json.loads(report_path.read_text(encoding="utf-8"))
        files = sorted(
            str(f.relative_to(source)) for f in source.rglob("*") if f.is_file() and f.name != "dossier.json"
        )
        assert sorted(d["source"] for d in report["documents"]) == files
        assert all(d["status"] in ("archived", "review") for d in report["documents"])
        with rt.db.session(readonly=True) as s:
            rows = repo.list_documents(s, limit=1000)
        assert len(rows) == len(files)
        # One signed version per archived document: the rerun adopted what the killed run had uploaded.
        for d in report["documents"]:
            if d["status"] == "archived":
                a = d["archive"]
                assert rt.store.versions(a["bucket"], a["key"]) == [a["version_id"]]
    finally:
        rt.close()
