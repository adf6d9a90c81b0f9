"""Bounded memory for long scans (issue 3): each page's PDF is spilled to the document's spool on disk, the
PDF/A is assembled from those files and signed file to file, and no temporary file is left behind on any
path (archived, review then approval, failure). Memory itself is measured by benchmarks/bench_memory.py."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pikepdf
import pytest

from flows.document import approve, fetch_signed
from flows.runtime import Runtime, set_runtime
from pipelines.errors import SigningError
from pipelines.image_pdf import jpeg_page
from pipelines.model import PageText
from pipelines.pdfa import PdfMetadata, build_pdfa, write_pdfa
from pipelines.read import PageSpool, page_pdf_bytes
from signing.pades import PadesSigner
from tests.helpers import make_settings

META = PdfMetadata(title="Hồ sơ cấp giấy phép xây dựng — bản quét", author="Ủy ban nhân dân xã Thử")


def _scan(seed: int) -> bytes:
    """A small one-page searchable-PDF stand-in: one grey JPEG page (what Tesseract's page PDF holds)."""
    from PIL import Image

    img = Image.effect_noise((300, 420), 30 + seed % 50).convert("L")
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    pdf = pikepdf.new()
    pdf.pages.append(jpeg_page(pdf, buf.getvalue(), 72))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _page(index: int, pdf: bytes) -> PageText:
    return PageText(index, 300, 420, 72, "ocr", [], "Ủy ban nhân dân", 0.9, pdf=pdf)


def _images(pdf: bytes | Path) -> list[bytes]:
    with pikepdf.open(pdf if isinstance(pdf, Path) else io.BytesIO(pdf)) as doc:
        return [
            img.read_raw_bytes() for page in doc.pages for img in page.get_images(recursive=False).values()
        ]


def test_spooled_pages_make_the_same_pdfa(tmp_path):
    """The PDF/A from spilled page files holds the same pages (JPEGs untouched) as from bytes, and the
    spool is gone after use, even after an error."""
    scans = [_scan(i) for i in range(60)]
    in_memory = build_pdfa([_page(i, s) for i, s in enumerate(scans)], None, META)
    with PageSpool(tmp_path) as spool:
        pages = [_page(i, s) for i, s in enumerate(scans)]
        for page in pages:
            spool.spill(page)
        assert all(isinstance(p.pdf, Path) and p.pdf.parent == spool.path for p in pages)
        assert page_pdf_bytes(pages[7]) == scans[7]
        target = spool.file("pdfa.pdf")
        write_pdfa(pages, None, META, target, workdir=spool.path)
        assert _images(target) == _images(in_memory) == [_images(s)[0] for s in scans]
        with pikepdf.open(target) as pdf, pikepdf.open(io.BytesIO(in_memory)) as ref:
            assert str(pdf.Root.Lang) == "vi-VN" and "/OutputIntents" in pdf.Root
            assert sorted(pdf.Root.keys()) == sorted(ref.Root.keys())
            assert pdf.open_metadata()["dc:title"] == META.title
    assert list(tmp_path.iterdir()) == []

    with pytest.raises(ZeroDivisionError), PageSpool(tmp_path) as spool:
        spool.spill(_page(0, scans[0]))
        raise ZeroDivisionError
    assert list(tmp_path.iterdir()) == []


def test_sign_file_matches_sign(tmp_path, agency_key):
    """Signing file to file gives the same document as signing bytes (same time, same key)."""
    pdf = build_pdfa([_page(i, _scan(i)) for i in range(3)], None, META)
    signer = PadesSigner(agency_key, stamp=None)
    in_memory = signer.sign(pdf)
    source, target = tmp_path / "pdfa.pdf", tmp_path / "pdfa.signed.pdf"
    source.write_bytes(pdf)
    info = signer.sign_file(source, target, signed_at=in_memory.info.signed_at)
    signed = target.read_bytes()
    assert info == in_memory.info
    assert signed[: len(pdf)] == pdf and len(signed) == len(in_memory.data)
    bad = tmp_path / "not.pdf"
    bad.write_bytes(b"not a PDF at all")
    with pytest.raises(SigningError):
        signer.sign_file(bad, tmp_path / "not.signed.pdf")
    assert not (tmp_path / "not.signed.pdf").exists()


def _long_scan(pages: int, distinct: int, seed: int) -> bytes:
    from sohoa.samples.long_scan import long_scan_pdf

    return long_scan_pdf(pages, distinct, seed)


@pytest.mark.slow
def test_long_scan_goes_through_and_leaves_no_temporary_files(tmp_path, seaweed, prefect_api, monkeypatch):
    from flows.ingest import ingest_batch

    source = tmp_path / "in" / "HS-dai"
    source.mkdir(parents=True)
    (source / "ho-so-dai.pdf").write_bytes(_long_scan(40, 4, seed=3))
    (source / "hong.pdf").write_bytes(_long_scan(2, 1, seed=4)[:-2000])  # cut short: fails when read
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where every temporary file of the run goes
    settings = make_settings(tmp_path, seaweed, f"sqlite:///{tmp_path / 'dai.db'}")
    rt = Runtime.open(settings)
    set_runtime(rt)
    try:
        report = ingest_batch(source=str(tmp_path / "in"), report_path=None, progress=False)
        docs = {d["source"]: d for d in report["documents"]}
        assert docs["HS-dai/hong.pdf"]["status"] == "failed"
        d = docs["HS-dai/ho-so-dai.pdf"]
        assert d["status"] in ("archived", "review"), d
        assert d["pages"] == 40
        assert _leftovers(scratch) == []
        spool = settings.data_dir / "spool"  # Runtime.spool_dir
        assert spool.is_dir() and _leftovers(spool) == []

        with rt.db.session(readonly=True) as s:
            from storage import repository as repo

            derived = repo.get_derived_pdf(s, d["id"])
        with pikepdf.open(io.BytesIO(rt.store.get(derived.bucket, derived.key, derived.version_id))) as pdfa:
            assert len(pdfa.pages) == 40
        if d["status"] == "review":
            assert approve(rt, d["id"], approved_by="Nguyễn Thị Ánh").status == "archived"
            assert _leftovers(scratch) == [] and _leftovers(spool) == []
        result, signed = fetch_signed(rt, d["id"])
        assert result.signature is not None
        with pikepdf.open(io.BytesIO(signed)) as pdf:
            assert len(pdf.pages) == 40
            assert "/AcroForm" in pdf.Root  # the signature field
    finally:
        set_runtime(None)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_spools_of_a_killed_worker_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    """A worker killed with SIGKILL in the middle of a document leaves its spool; the next start removes
    it, but never the spool of a process that still runs."""
    import subprocess
    import sys

    from pipelines.read import PageSpool, sweep_spools

    code = "import sys; from pipelines.read import PageSpool; print(PageSpool(sys.argv[1]).path)"
    dead = Path(
        subprocess.run(
            [sys.executable, "-c", code, str(tmp_path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[1],
        ).stdout.strip()
    )
    (dead / "page-00000.pdf").write_bytes("%PDF-1.7 Nguyễn Thị Ánh".encode())
    with PageSpool(tmp_path) as live:
        assert dead.is_dir() and sweep_spools(tmp_path) == 1
        assert not dead.exists() and live.path.is_dir()
    assert sweep_spools(tmp_path / "missing") == 0
