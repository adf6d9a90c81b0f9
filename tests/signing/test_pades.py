"""PAdES signing and the offline verification report, checked with pyHanko, openssl, poppler and qpdf."""

from __future__ import annotations

import io
import json
import subprocess
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from pipelines.errors import SigningError
from signing.keys import AgencyKey
from signing.pades import PadesSigner, SignedPdf
from signing.verify import verify_pdf
from tests.fixtures.pki import AGENCY_NAME, TestPki
from tests.helpers import covered, openssl_cms_verify, signature_ranges

VN = timezone(timedelta(hours=7))
SIGNED_AT = datetime(2026, 11, 22, 11, 15, 4, tzinfo=VN)
CORPUS = (
    Path(__file__).resolve().parents[3] / "shared" / "corpora" / "pyhanko-pdfs"
)  # shared/ beside the repo


@pytest.fixture(scope="module")
def signer(agency_key: AgencyKey) -> PadesSigner:
    return PadesSigner(agency_key)


@pytest.fixture(scope="module")
def signed(signer: PadesSigner, pdfa_bytes: bytes) -> SignedPdf:
    return signer.sign(pdfa_bytes, signed_at=SIGNED_AT)


def _write(tmp_path: Path, data: bytes, name: str = "signed.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_signature_info(signed: SignedPdf) -> None:
    assert signed.info.level == "PAdES-BASELINE-B"
    assert signed.info.signed_at == SIGNED_AT
    assert signed.info.signed_at.utcoffset() == timedelta(hours=7)
    assert signed.info.signer == f"{AGENCY_NAME} (TEST)"
    assert signed.data.startswith(b"%PDF-")


def test_openssl_cms_accepts_the_signature(signed: SignedPdf, test_pki: TestPki, tmp_path: Path) -> None:
    br, der = signature_ranges(signed.data)[-1]
    assert br[0] == 0 and br[2] + br[3] == len(signed.data)  # covers the whole file but /Contents
    openssl_cms_verify(der, covered(signed.data, br), tmp_path, ca=test_pki.root_pem)


def test_pdfsig_reports_a_valid_digest(signed: SignedPdf, tmp_path: Path) -> None:
    out = subprocess.run(["pdfsig", str(_write(tmp_path, signed.data))], capture_output=True, text=True)
    assert "Signature Validation: Signature is Valid." in out.stdout, out.stdout + out.stderr
    assert "ETSI.CAdES.detached" in out.stdout
    assert "Total document signed" in out.stdout


def test_signed_file_stays_pdfa_and_embeds_its_fonts(signed: SignedPdf, tmp_path: Path) -> None:
    path = _write(tmp_path, signed.data)
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    fonts = subprocess.run(["pdffonts", "-f", "1", "-l", "1", str(path)], capture_output=True, text=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows, fonts.stdout
    assert all(row.split()[-5] == "yes" for row in rows), fonts.stdout  # the "emb" column
    assert any("LiberationSerif" in row for row in rows)
    with pikepdf.open(io.BytesIO(signed.data)) as pdf:
        assert pdf.open_metadata()["pdfaid:part"] == "2"
        (widget,) = pdf.pages[0].Annots
        assert "/N" in widget.AP and int(widget.F) & 4  # appearance present, printable


def test_verify_passes_with_the_trust_root_only(signed: SignedPdf, test_pki: TestPki) -> None:
    report = verify_pdf(signed.data, [test_pki.root_pem])
    assert report.passed, report.to_text()
    (sig,) = report.signatures
    assert sig.indication == "TOTAL_PASSED" and sig.sub_indication is None
    assert sig.level == "PAdES-BASELINE-B"
    assert sig.coverage == "entire file" and sig.modifications == "none"
    assert sig.signing_time == SIGNED_AT
    assert sig.chain[0] == f"{AGENCY_NAME} (TEST)" and sig.chain[-1] == "sohoa TEST Root CA (certomancer)"
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["signatures"][0]["signing_time"] == "2026-11-22T11:15:04+07:00"
    assert "TOTAL_PASSED" in report.to_text()

    untrusted = verify_pdf(signed.data)
    assert not untrusted.passed
    assert untrusted.signatures[0].indication == "INDETERMINATE"
    assert untrusted.signatures[0].sub_indication == "NO_CERTIFICATE_CHAIN_FOUND"


def test_stamp_text_top_right_of_page_one(signed: SignedPdf) -> None:
    with pdfplumber.open(io.BytesIO(signed.data)) as pdf:
        page = pdf.pages[0]
        text = unicodedata.normalize("NFC", page.extract_text())
        flat = " ".join(text.split())
        assert f"Ký bởi: {AGENCY_NAME}" in flat
        assert "Thời gian ký: 2026-11-22T11:15:04+07:00" in flat
        stamp_words = [w for w in page.extract_words() if w["top"] < 100 and w["x0"] > page.width / 2]
        assert any(w["text"] == "2026-11-22T11:15:04+07:00" for w in stamp_words)
        x0 = min(w["x0"] for w in stamp_words)
        bottom = max(w["bottom"] for w in stamp_words)
        assert x0 > page.width / 2 and bottom < page.height / 2  # top-right quadrant
        assert max(w["x1"] for w in stamp_words) <= page.width - 18  # inside the margin
        chars = [c for c in page.chars if c["top"] < 100 and c["x0"] > page.width / 2]
        assert {round(c["size"]) for c in chars} == {10}
        assert all("LiberationSerif" in c["fontname"] for c in chars)
        assert all(c["non_stroking_color"] in ((0, 0, 0), (0,), [0, 0, 0], [0], 0) for c in chars)


def test_signing_without_stamp_is_invisible(agency_key: AgencyKey, pdfa_bytes: bytes) -> None:
    result = PadesSigner(agency_key, stamp=None).sign(pdfa_bytes)
    with pdfplumber.open(io.BytesIO(result.data)) as pdf:
        assert "Ký bởi" not in pdf.pages[0].extract_text()
    assert result.info.signed_at.utcoffset() == timedelta(hours=7)


def test_tampered_byte_is_total_failed(signed: SignedPdf, test_pki: TestPki) -> None:
    data = bytearray(signed.data)
    pos = data.index(b"/MediaBox [ 0 0 ") + len(b"/MediaBox [ 0 0 ")
    data[pos] = ord("9") if data[pos] != ord("9") else ord("8")
    report = verify_pdf(bytes(data), [test_pki.root_pem])
    assert not report.passed
    assert report.signatures[0].indication == "TOTAL_FAILED"
    assert report.signatures[0].sub_indication == "HASH_FAILURE"


def test_content_changed_after_signing_is_reported(signed: SignedPdf, test_pki: TestPki) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed.data))
    stream = generic.StreamObject(stream_data=b"q 1 0 0 rg 50 50 200 200 re f Q")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    report = verify_pdf(out.getvalue(), [test_pki.root_pem])
    assert not report.passed
    (sig,) = report.signatures
    assert sig.indication != "TOTAL_PASSED"
    assert sig.coverage == "entire revision, later incremental updates"
    assert sig.modifications == "content changed"


def test_expired_signer_is_indeterminate(test_pki: TestPki, pdfa_bytes: bytes) -> None:
    result = PadesSigner(test_pki.expired_key, stamp=None).sign(pdfa_bytes)
    report = verify_pdf(result.data, [test_pki.root_pem])
    (sig,) = report.signatures
    assert sig.indication == "INDETERMINATE", report.to_text()
    assert sig.sub_indication in {"OUT_OF_BOUNDS_NO_POE", "EXPIRED", "OUT_OF_BOUNDS_NOT_REVOKED"}


def test_timestamp_gives_level_t(
    agency_key: AgencyKey, pdfa_bytes: bytes, tsa_url: str, test_pki: TestPki
) -> None:
    result = PadesSigner(agency_key, stamp=None, tsa_url=tsa_url, level="T").sign(pdfa_bytes)
    assert result.info.level == "PAdES-BASELINE-T"
    report = verify_pdf(result.data, [test_pki.root_pem])
    (sig,) = report.signatures
    assert sig.indication == "TOTAL_PASSED", report.to_text()
    assert sig.level == "PAdES-BASELINE-T"
    assert sig.timestamp_time is not None
    assert abs(sig.timestamp_time - result.info.signed_at) < timedelta(minutes=5)


def test_unreachable_tsa_is_a_signing_error(agency_key: AgencyKey, pdfa_bytes: bytes) -> None:
    with pytest.raises(SigningError, match="time-stamping authority"):
        PadesSigner(agency_key, stamp=None, tsa_url="http://127.0.0.1:9/tsa", level="T").sign(pdfa_bytes)


def test_not_a_pdf_is_a_signing_error(signer: PadesSigner) -> None:
    with pytest.raises(SigningError, match="cannot be read"):
        signer.sign(b"this is not a PDF")


def test_one_signer_shared_by_threads(signer: PadesSigner, pdfa_bytes: bytes, test_pki: TestPki) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: signer.sign(pdfa_bytes), range(4)))
    for result in results:
        assert verify_pdf(result.data, [test_pki.root_pem]).passed


def test_unsigned_file_has_no_signature(pdfa_bytes: bytes) -> None:
    report = verify_pdf(pdfa_bytes)
    assert not report.passed
    assert report.errors == ["no signature in this file"]


def test_the_shared_corpus_is_there() -> None:
    assert len(list(CORPUS.glob("*/*.pdf"))) >= 20, f"the real-world corpus is missing at {CORPUS}"


@pytest.mark.parametrize("path", sorted((CORPUS / "coverage-anomalies").glob("*.pdf")), ids=lambda p: p.name)
def test_coverage_anomalies_never_pass(path: Path) -> None:
    report = verify_pdf(path.read_bytes())
    assert not report.passed
    if path.name != "base.pdf":
        (sig,) = report.signatures
        assert sig.indication == "TOTAL_FAILED"
        assert sig.coverage == "partial"
        assert any("does not cover the whole file" in e for e in sig.errors)


@pytest.mark.parametrize("path", sorted((CORPUS / "malformed").glob("*.pdf")), ids=lambda p: p.name)
def test_malformed_pdfs_give_a_report_not_a_crash(path: Path) -> None:
    report = verify_pdf(path.read_bytes())
    assert not report.passed
    assert report.errors
    assert "Traceback" not in report.to_text()
    json.dumps(report.to_dict())
