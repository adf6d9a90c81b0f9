"""PDF/A check cost: PDFBox Preflight one JVM per file against one JVM for a batch, and the structural checks.

    .venv/bin/python benchmarks/bench_preflight.py [--files 10]

``--files`` one-page PDF/A-1b files signed at level B (with the visible stamp) are checked 1. by one
Preflight JVM each (``check_pdfa``), 2. by one JVM for all (``run_preflight``, Preflight's group mode), in
the same run; the JVM start dominates 1. The structural checks (no Java) are timed on the same files.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_signing import one_page_pdfa  # noqa: E402
from pipelines.pdfa_check import check_pdfa, run_preflight, structural_check  # noqa: E402
from signing.pades import PadesSigner  # noqa: E402
from tests.fixtures.pki import make_test_pki  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-preflight-") as tmp:
        base = Path(tmp)
        pki = make_test_pki(base / "pki")
        pki.sock.close()
        pdf = one_page_pdfa(part=1)
        signer = PadesSigner(pki.agency_key, level="B")
        paths = []
        for n in range(args.files):
            path = base / f"signed-{n}.pdf"
            path.write_bytes(signer.sign(pdf).data)
            paths.append(path)

        t = time.perf_counter()
        singles = [check_pdfa(p.read_bytes(), p.name, preflight=True) for p in paths]
        one_each = (time.perf_counter() - t) / len(paths)
        t = time.perf_counter()
        batch = run_preflight(paths)
        batched = (time.perf_counter() - t) / len(paths)
        t = time.perf_counter()
        for p in paths:
            structural_check(p.read_bytes(), p.name)
        structural = (time.perf_counter() - t) / len(paths)

        assert all(r.valid for r in singles), [r.to_text() for r in singles if not r.valid]
        assert all(r.valid for r in batch.values())
        print(f"{len(paths)} signed one-page PDF/A-1b files, all valid")
        print(f"Preflight, one JVM per file: {one_each:.2f} s/file")
        print(f"Preflight, one JVM for all:  {batched:.2f} s/file ({one_each / batched:.1f}x faster)")
        print(f"structural checks only:      {structural * 1000:.1f} ms/file")


if __name__ == "__main__":
    main()
