"""PAdES signing cost: the visible stamp against no stamp, and B-LTA throughput against a local TSA.

    .venv/bin/python benchmarks/bench_signing.py [--stamp-docs 100] [--lta-docs 1000]

1. Visible stamp vs none: the same one-page PDF/A signed at level B (no network) by two signers built once,
   alternately, in the same run; the figure is the ratio of mean times (target <= 1.3). The stamp font is
   read, rescaled and measured once per signer (shown as "signer set-up"), then only subset per document.
2. B-LTA throughput: ``--workers`` threads of one process (one shared PadesSigner, as in the pipeline)
   sign ``--lta-docs`` one-page PDF/As at level LTA with the stamp, against certomancer's TSA, OCSP
   responder and CRLs served by a separate process on 127.0.0.1. Threads overlap the network waits; the
   "per core" figure is documents per CPU-second of the signing process (the services' CPU is not
   counted). Target >= 5 documents per second per core.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import socket
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from certomancer.integrations.aiohttp_animator import build_animator_app  # noqa: E402
from certomancer.registry import ServiceLabel  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from pipelines.model import PageText  # noqa: E402
from pipelines.pdfa import PdfMetadata, build_pdfa  # noqa: E402
from signing.pades import PadesSigner  # noqa: E402
from signing.verify import verify_pdf  # noqa: E402
from tests.fixtures.pki import AGENCY_NAME, ARCH, TestPki, make_test_pki  # noqa: E402

SERIF = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"


def one_page_pdfa(part: int = 2) -> bytes:
    pdfmetrics.registerFont(TTFont("LiberationSerif", SERIF))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("LiberationSerif", 14)
    c.drawString(72, 720, "QUYẾT ĐỊNH cấp giấy phép xây dựng cho bà Nguyễn Thị Ánh")
    c.drawString(72, 690, "Số: 123/QĐ-UBND, Thừa Thiên Huế, ngày 22 tháng 11 năm 2026")
    c.showPage()
    c.save()
    page = PageText(
        index=0, width=595, height=842, dpi=72, source="text_layer", words=[], text="", mean_confidence=1.0
    )
    meta = PdfMetadata(title="Quyết định cấp phép", author=AGENCY_NAME, keywords=["hồ sơ"])
    return build_pdfa([page], buf.getvalue(), meta, part=part)


def _serve(pki: TestPki) -> None:  # in the child process
    from aiohttp import web

    app = build_animator_app({ARCH: pki.arch}, with_web_ui=False)
    web.run_app(app, sock=pki.sock, print=None, access_log=None)


def _wait_listening(url_port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", url_port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the certomancer services did not start")


def bench_stamp(pki: TestPki, pdf: bytes, docs: int) -> float:
    t0 = time.perf_counter()
    stamped = PadesSigner(pki.agency_key, level="B")
    setup = time.perf_counter() - t0
    plain = PadesSigner(pki.agency_key, stamp=None, level="B")
    for signer in (stamped, plain):  # warm-up (imports, caches)
        signer.sign(pdf)
    times: dict[str, list[float]] = {"stamp": [], "none": []}
    for _ in range(docs):
        for name, signer in (("stamp", stamped), ("none", plain)):
            t = time.perf_counter()
            signer.sign(pdf)
            times[name].append(time.perf_counter() - t)
    mean_s, mean_n = statistics.mean(times["stamp"]), statistics.mean(times["none"])
    print(f"signer set-up with the stamp font (once per signer): {setup * 1000:.0f} ms")
    print(
        f"level B, {docs} documents each: with stamp {mean_s * 1000:.1f} ms/doc, without {mean_n * 1000:.1f} ms/doc"
    )
    ratio = mean_s / mean_n
    print(f"stamp/no-stamp ratio: {ratio:.2f} (target <= 1.3)")
    return ratio


def bench_lta(pki: TestPki, pdf: bytes, tsa_url: str, docs: int, workers: int) -> float:
    signer = PadesSigner(pki.agency_key, tsa_url=tsa_url, level="LTA", trust_roots=[pki.root])
    first = signer.sign(pdf)  # warm-up; check that it really is a valid B-LTA file
    report = verify_pdf(first.data, [pki.root])
    assert report.passed and report.signatures[0].level == "PAdES-BASELINE-LTA", report.to_text()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        sizes = list(pool.map(lambda _: len(signer.sign(pdf).data), range(docs)))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    per_core = docs / cpu
    print(
        f"B-LTA with stamp, {workers} thread(s) in one process: {docs} documents in {wall:.1f} s = "
        f"{docs / wall:.1f} documents/s wall; signing CPU {cpu / docs * 1000:.0f} ms/doc = "
        f"{per_core:.1f} documents/s per core (target >= 5); mean size {statistics.mean(sizes) / 1024:.0f} KiB"
    )
    return per_core


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stamp-docs", type=int, default=100)
    parser.add_argument("--lta-docs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4, help="signing threads (network waits overlap)")
    args = parser.parse_args()
    print("command:", " ".join([".venv/bin/python", "benchmarks/bench_signing.py", *sys.argv[1:]]))
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-signing-") as tmp:
        pki = make_test_pki(Path(tmp))
        pdf = one_page_pdfa()
        print(f"one-page PDF/A: {len(pdf) // 1024} KiB")
        bench_stamp(pki, pdf, args.stamp_docs)
        services = multiprocessing.get_context("fork").Process(target=_serve, args=(pki,), daemon=True)
        services.start()
        try:
            _wait_listening(pki.sock.getsockname()[1])
            tsa = pki.arch.service_registry.get_tsa_info(ServiceLabel("tsa"))
            bench_lta(pki, pdf, f"{pki.base_url}/{tsa.full_relative_url}", args.lta_docs, args.workers)
        finally:
            services.terminate()
            services.join(timeout=10)
            pki.sock.close()


if __name__ == "__main__":
    main()
