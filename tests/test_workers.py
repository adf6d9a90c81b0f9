"""Two worker processes on one machine, sharing PostgreSQL and S3, process one batch together: every
document is done by exactly one of them, and both report the whole batch."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from sohoa.samples import generate_demo
from tests.helpers import SOHOA, cli_env, make_settings


def _claims(log: Path) -> list[str]:
    out = []
    for line in log.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["msg"].startswith("claimed by"):
            out.append(rec["document_id"])
    return out


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_workers_share_a_batch(tmp_path, seaweed, prefect_api, db_url):
    source = tmp_path / "in"
    generate_demo(source, seed=21)
    (source / "manifest.jsonl").unlink()
    settings = make_settings(tmp_path, seaweed, db_url)
    procs, reports, logs = [], [], []
    for i in range(2):
        data = tmp_path / f"worker{i}"
        env = {**cli_env(settings, prefect_api), "SOHOA_DATA_DIR": str(data), "SOHOA_WORKERS": "1"}
        reports.append(tmp_path / f"report{i}.json")
        logs.append(data / "sohoa.log")
        procs.append(
            subprocess.Popen(
                [SOHOA, "ingest", str(source), "--report", str(reports[-1])],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    outs = [p.communicate(timeout=900) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, out + err
    r0, r1 = (json.loads(r.read_text(encoding="utf-8")) for r in reports)
    files = sorted(
        str(f.relative_to(source)) for f in source.rglob("*") if f.is_file() and f.name != "dossier.json"
    )
    for r in (r0, r1):
        assert sorted(d["source"] for d in r["documents"]) == files
    # The same outcome in both reports, and each document claimed (processed) exactly once.
    assert {d["id"]: d["status"] for d in r0["documents"]} == {d["id"]: d["status"] for d in r1["documents"]}
    claimed = _claims(logs[0]) + _claims(logs[1])
    assert sorted(claimed) == sorted(d["id"] for d in r0["documents"])
    assert _claims(logs[0]) and _claims(logs[1]), "one worker did everything: the batch was not shared"
