"""End to end: generated dossiers + every bad input through the real flow, then the database rows, the
archived objects (object lock) and every signature checked with openssl over its byte range."""

from __future__ import annotations

import json
import logging
import subprocess
from pathlib import Path

import pytest

from flows.document import approve
from flows.runtime import Runtime, set_runtime
from pipelines.identity import sha256_hex
from pipelines.report import document_to_dict
from sohoa.samples import generate_demo
from storage import repository as repo
from tests.fixtures.bad_inputs import BAD_INPUTS, write_bad_inputs
from tests.helpers import SOHOA, byte_range_verify, cli_env, make_settings

PRIVATE = {"full_name", "personal_id", "mother_name", "father_name", "husband_name", "wife_name"}


@pytest.fixture
def batch_source(tmp_path: Path) -> tuple[Path, list]:
    source = tmp_path / "input"
    samples = generate_demo(source, seed=7)
    (source / "manifest.jsonl").unlink(missing_ok=True)
    bad = source / "HS-bad-inputs"
    bad.mkdir()
    write_bad_inputs(bad)
    (bad / "dossier.json").write_text('{"dossier_code": "H46.01.05-', encoding="utf-8")  # cut short
    return source, samples


def test_ingest_end_to_end(tmp_path, seaweed, db_url, prefect_api, batch_source, caplog):
    from flows.ingest import ingest_batch

    caplog.set_level(logging.INFO, logger="sohoa")
    source, samples = batch_source
    settings = make_settings(tmp_path, seaweed, db_url)
    rt = Runtime.open(settings)
    set_runtime(rt)
    try:
        report_path = tmp_path / "report.json"
        report = ingest_batch(source=str(source), report_path=str(report_path), progress=False)
        on_disk = json.loads(report_path.read_text(encoding="utf-8"))
        assert on_disk["batch_id"] == report["batch_id"]
        docs = {d["source"]: d for d in report["documents"]}

        # A broken dossier.json is reported; its dossier's documents are still processed.
        assert any("HS-bad-inputs/dossier.json is not valid UTF-8 JSON" in w for w in report["warnings"])

        # Every bad input: its own status and a message a person can act on, never a traceback.
        for name, (status, words) in BAD_INPUTS.items():
            d = docs[f"HS-bad-inputs/{name}"]
            assert d["status"] == status, (name, d)
            assert words.lower() in d["error"].lower(), (name, d["error"])
            assert "Traceback" not in d["error"]

        # The log names no file path (folders may carry citizens' names), no name and no personal ID.
        logged = caplog.text
        assert "claimed by" in logged and "HS-bad-inputs/" not in logged
        private = [v for smp in samples for k, v in smp.fields.items() if k in PRIVATE]
        assert private and not [v for v in private if v in logged]

        # Every good sample is archived or waiting for review, with its type found.
        good = [docs[s.rel] for s in samples]
        for s, d in zip(samples, good, strict=True):
            assert d["status"] in ("archived", "review"), (s.rel, d)
            assert d["pages"] == s.pages
        assert any(d["status"] == "archived" for d in good)
        assert sum(d["doc_type"] == s.doc_type for s, d in zip(samples, good, strict=True)) >= len(good) - 1
        for d in good:
            if d["status"] == "review":
                assert d["review_reasons"] and d["archive"] is None and d["signature"] is None
                # An officer approves: signed and archived like the others, and recorded as approved.
                approved = approve(rt, d["id"], approved_by="Nguyễn Thị Ánh")
                assert approved.status == "archived" and approved.approved_by == "Nguyễn Thị Ánh"
                d.update(document_to_dict(approved))

        # Originals are kept for every document, good or bad, keyed by SHA-256.
        for d in report["documents"]:
            data = (source / d["source"]).read_bytes()
            assert d["sha256"] == sha256_hex(data)
            stored = rt.store.get(settings.bucket_originals, f"sha256/{d['sha256'][:2]}/{d['sha256']}")
            assert stored == data

        # Archived: object lock retention set, bytes match the record, signature verifies with openssl.
        for d in good:
            assert d["status"] == "archived"
            a = d["archive"]
            pdf = rt.store.get(a["bucket"], a["key"], a["version_id"])
            assert sha256_hex(pdf) == a["sha256"]
            mode, until = rt.store.retention(a["bucket"], a["key"], a["version_id"])
            assert mode == "COMPLIANCE" and until is not None
            assert d["signature"]["signed_at"].endswith("+07:00")
            byte_range_verify(pdf, tmp_path)

        # Database rows.
        with rt.db.session() as s:
            for d in report["documents"]:
                row = repo.load_result(s, d["id"])
                assert row is not None and str(row.status) == d["status"]
                assert set(row.fields) == set(d["fields"])

        # A rerun duplicates nothing and redoes no finished work.
        report2 = ingest_batch(source=str(source), report_path=None, progress=False)
        again = {d["source"]: d for d in report2["documents"]}
        for src, d in docs.items():
            assert again[src]["id"] == d["id"]
            if d["status"] == "archived":
                assert again[src]["status"] == "archived"
                assert again[src]["archive"] == d["archive"]
        with rt.db.session() as s:
            assert len(repo.list_documents(s, limit=1000)) == len(docs)
    finally:
        set_runtime(None)


@pytest.mark.slow
def test_cli_ingest_download_verify_approve(tmp_path, seaweed, prefect_api):
    """The commands a user types, as separate processes, on the embedded SQLite default."""
    source = tmp_path / "in"
    generate_demo(source, seed=3)
    (source / "manifest.jsonl").unlink()  # the ground truth, not a document
    settings = make_settings(tmp_path, seaweed, f"sqlite:///{tmp_path / 'cli.db'}")
    env = cli_env(settings, prefect_api)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([SOHOA, *args], capture_output=True, text=True, env=env, timeout=600)

    report_path = tmp_path / "r.json"
    p = run("ingest", str(source), "--report", str(report_path))
    assert p.returncode == 0, p.stdout + p.stderr
    assert "TEST PKI" in p.stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))
    archived = [d for d in report["documents"] if d["status"] == "archived"]
    assert archived
    out = tmp_path / "signed.pdf"
    p = run("download", archived[0]["id"], "-o", str(out))
    assert p.returncode == 0, p.stderr
    p = run("verify", str(out), "--json")
    assert p.returncode == 0, p.stdout + p.stderr
    v = json.loads(p.stdout)
    assert v["signatures"][0]["indication"] == "TOTAL_PASSED"
    assert v["archive_match"] and v["archive_match"]["document_id"] == archived[0]["id"]

    p = run("download", "no-such-document", "-o", str(tmp_path / "x.pdf"))
    assert p.returncode == 1 and "no document" in p.stderr

    p = run("ocr", str(source / archived[0]["source"]))
    assert p.returncode == 0 and p.stdout.strip()

    review = [d for d in report["documents"] if d["status"] == "review"]
    if review:
        p = run("approve", review[0]["id"], "--by", "Nguyễn Thị Ánh")
        assert p.returncode == 0, p.stderr
        assert "archived" in p.stdout

    p = run("ingest", str(tmp_path / "missing"))
    assert p.returncode == 2
