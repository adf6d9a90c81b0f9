"""Production-like signing through the whole pipeline: the agency's PKCS#12 key, an RFC 3161 TSA and
OCSP/CRL served on 127.0.0.1 (certomancer), PAdES-BASELINE-LTA by default, then timestamp renewal; the
copy is PDF/A-1b and stays so through every revision (Apache PDFBox Preflight, via ``sohoa pdfa-check``)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from flows.document import fetch_signed
from flows.maintenance import renew_timestamps
from flows.runtime import Runtime, set_runtime
from signing.verify import verify_pdf
from sohoa.samples import generate_demo
from tests.helpers import SOHOA, byte_range_verify, cli_env, make_settings


@pytest.mark.slow
def test_lta_signing_and_renewal(tmp_path, seaweed, prefect_api, test_pki, tsa_url):
    from flows.ingest import ingest_batch

    docs = generate_demo(tmp_path / "samples", seed=9)
    born_digital = next(d for d in docs if d.born_digital)
    source = tmp_path / "in" / "HS-LTA"
    source.mkdir(parents=True)
    shutil.copy(tmp_path / "samples" / born_digital.rel, source / "giay.pdf")
    settings = make_settings(tmp_path, seaweed, f"sqlite:///{tmp_path / 'lta.db'}").model_copy(
        update={
            "signing_pkcs12": test_pki.p12_path,
            "signing_pkcs12_password": test_pki.p12_password.decode(),
            "tsa_url": tsa_url,
            "trust_anchors": [test_pki.root_pem],
            "pdfa_part": 1,
        }
    )
    rt = Runtime.open(settings)
    set_runtime(rt)
    try:
        report = ingest_batch(source=str(tmp_path / "in"), report_path=None, progress=False)
        [d] = report["documents"]
        if d["status"] == "review":
            from flows.document import approve

            approve(rt, d["id"], approved_by="kiểm thử")
        result, pdf = fetch_signed(rt, d["id"])
        assert result.signature.level == "PAdES-BASELINE-LTA"
        byte_range_verify(pdf, tmp_path, whole_file=False)
        v = verify_pdf(pdf, [test_pki.root_pem])
        assert v.passed, v.to_text()
        assert v.signatures[0].level == "PAdES-BASELINE-LTA"

        # Renewal: a fresh document timestamp, a new locked version, the record follows it.
        out = renew_timestamps(rt, horizon_days=100_000)
        assert out == {"checked": 1, "renewed": 1, "failed": []}
        renewed_result, renewed = fetch_signed(rt, d["id"])
        assert renewed_result.archive.version_id != result.archive.version_id
        assert renewed[: len(pdf)] == pdf and len(renewed) > len(pdf)  # an incremental update
        v2 = verify_pdf(renewed, [test_pki.root_pem])
        assert v2.passed, v2.to_text()
        assert len(v2.timestamps) >= 2
        versions = rt.store.versions(result.archive.bucket, result.archive.key)
        assert len(versions) == 2  # the first signed version stays, locked

        # PDF/A-1b after signing (B-LTA) and after renewal, as an auditor checks it.
        (tmp_path / "signed.pdf").write_bytes(pdf)
        (tmp_path / "renewed.pdf").write_bytes(renewed)
        env = cli_env(settings, prefect_api)
        p = subprocess.run(
            [SOHOA, "pdfa-check", str(tmp_path / "signed.pdf"), str(tmp_path / "renewed.pdf"), "--json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert p.returncode == 0, p.stdout + p.stderr
        checked = json.loads(p.stdout)
        assert [(c["part"], c["valid"]) for c in checked] == [(1, True), (1, True)]
        assert all(any("Preflight" in v for v in c["validators"]) for c in checked)
    finally:
        set_runtime(None)
