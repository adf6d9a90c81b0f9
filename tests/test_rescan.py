"""Rescans fed back with ``sohoa ingest --replace``: a page scanned too coarsely is listed to rescan with the
name to give the new scan; the rescan replaces that page (or the whole document), the earlier original and
signed versions stay in storage, a rerun changes nothing, and a rescan that cannot apply fails clearly
while the rest of the batch goes on."""

from __future__ import annotations

import io
import json
import random
import subprocess
from pathlib import Path

import pikepdf
import pytest
import sqlalchemy as sa
from PIL import Image

from pipelines.errors import BadInputError
from pipelines.rescan import (
    base_stem,
    merge_pages,
    pages_to_rescan,
    rescan_file_name,
    rescan_target,
)
from sohoa.samples import render_pages
from sohoa.samples.content import sample_fields
from sohoa.samples.writers import jpeg_pdf
from storage.db.database import Database
from storage.db.models import Document
from storage.objects import object_store_from_settings
from storage.package import latest_package
from tests.helpers import SOHOA, cli_env, make_settings

CODE = "H31.01.05-241105-0042"


def _jpeg(image: Image.Image, quality: int = 88) -> bytes:
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _page_image(color: int, size=(850, 1100)) -> Image.Image:
    return Image.new("L", size, color)


# ---------------------------------------------------------------- names


def test_rescan_names_round_trip():
    assert rescan_target("HS-002/qsdd.tif").pages is None
    t = rescan_target("HS-002/qsdd.rescan-p2,5-6.jpg")
    assert (t.folder, t.stem, t.pages) == ("HS-002", "qsdd", (2, 5, 6))
    assert rescan_file_name("HS-002/qsdd.pdf", [6, 2, 5]) == "HS-002/qsdd.rescan-p2,5-6.pdf"
    assert rescan_file_name("giấy khai sinh.tif", [1]) == "giấy khai sinh.rescan-p1.tif"
    assert base_stem("HS-002/qsdd.rescan-p3.tif") == base_stem("HS-002/qsdd.tif") == "qsdd"
    assert pages_to_rescan(["page 3 is blank", "page 1: scanned at 150 dpi, below", "other"]) == [1, 3]


@pytest.mark.parametrize("name", ["HS/a.rescan-p0.tif", "HS/a.rescan-p5-3.tif", "HS/a.rescan-p2,2.tif"])
def test_impossible_page_names_are_refused(name):
    with pytest.raises(BadInputError):
        rescan_target(name)


# ---------------------------------------------------------------- merging


def _pdf(pages: list[Image.Image]) -> bytes:
    return jpeg_pdf([(_jpeg(p), 100) for p in pages])


def test_jpeg_rescan_goes_into_a_pdf_untouched():
    old = _pdf([_page_image(250), _page_image(40), _page_image(250)])
    rescan = _jpeg(_page_image(200))
    merged = merge_pages(old, "qsdd.pdf", rescan, "qsdd.rescan-p2.jpg", [2])
    with pikepdf.open(io.BytesIO(merged)) as pdf, pikepdf.open(io.BytesIO(old)) as before:
        assert len(pdf.pages) == 3
        images = [next(iter(p.images.values())).read_raw_bytes() for p in pdf.pages]
        kept = [next(iter(p.images.values())).read_raw_bytes() for p in before.pages]
    assert images[1] == rescan  # the scanner's JPEG, not recompressed
    assert images[0] == kept[0] and images[2] == kept[2]


def test_pdf_rescan_into_a_pdf_and_png_into_a_tiff():
    old = _pdf([_page_image(250), _page_image(40)])
    merged = merge_pages(old, "a.pdf", _pdf([_page_image(128)]), "a.rescan-p2.pdf", [2])
    with pikepdf.open(io.BytesIO(merged)) as pdf:
        assert len(pdf.pages) == 2

    buf = io.BytesIO()
    frames = [_page_image(250), _page_image(40), _page_image(250)]
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:], dpi=(300, 300))
    png = io.BytesIO()
    _page_image(128).save(png, "PNG")
    merged = merge_pages(buf.getvalue(), "a.tif", png.getvalue(), "a.rescan-p2.png", [2])
    with Image.open(io.BytesIO(merged)) as tif:
        assert tif.n_frames == 3
        tif.seek(1)
        assert tif.getpixel((10, 10)) == 128  # lossless
        tif.seek(2)
        assert tif.getpixel((10, 10)) == 250


def test_a_rescan_that_does_not_fit_is_refused_with_the_reason():
    old = _pdf([_page_image(250), _page_image(40)])
    with pytest.raises(BadInputError, match="has 2 page"):
        merge_pages(old, "a.pdf", _pdf([_page_image(1), _page_image(2)]), "a.rescan-p2.pdf", [2])
    with pytest.raises(BadInputError, match="there is no page 5"):
        merge_pages(old, "a.pdf", _jpeg(_page_image(9)), "a.rescan-p5.jpg", [5])
    with pytest.raises(BadInputError, match="not a readable image"):
        merge_pages(old, "a.pdf", b"not an image", "a.rescan-p1.jpg", [1])


# ---------------------------------------------------------------- end to end


def _land_use_scan(seed: int, second_page_dpi: int) -> tuple[bytes, list[Image.Image]]:
    """A two-page land use certificate as an image-only PDF; page 2 scanned at ``second_page_dpi``."""
    rng = random.Random(seed)
    fields = sample_fields("land_use_certificate", rng)
    pages = render_pages("land_use_certificate", fields, rng=rng, layout=0)
    assert len(pages) >= 2
    parts = []
    for i, page in enumerate(pages):
        dpi = second_page_dpi if i == 1 else 300
        image = page if dpi == 300 else page.resize((page.width * dpi // 300, page.height * dpi // 300))
        parts.append((_jpeg(image), dpi))
    return jpeg_pdf(parts), pages


def _run(env, *args, timeout=900):
    return subprocess.run([SOHOA, *args], capture_output=True, text=True, env=env, timeout=timeout)


def _settle(env, report: dict) -> None:
    """Approve what waits for review, as an officer would, so that everything ends archived."""
    for d in report["documents"]:
        if d["status"] == "review":
            p = _run(env, "approve", d["id"], "--by", "Nguyễn Thị Ánh", timeout=300)
            assert p.returncode == 0, p.stdout + p.stderr


@pytest.mark.slow
def test_rescan_replaces_the_page_and_keeps_the_earlier_versions(tmp_path, seaweed, prefect_api):
    settings = make_settings(tmp_path, seaweed, f"sqlite:///{tmp_path / 'rescan.db'}")
    env = cli_env(settings, prefect_api)
    scan, clean_pages = _land_use_scan(seed=7, second_page_dpi=150)
    dossier = tmp_path / "in" / "Hồ sơ 42"
    dossier.mkdir(parents=True)
    (dossier / "dossier.json").write_text(json.dumps({"dossier_code": CODE}), encoding="utf-8")
    (dossier / "002-qsdd.pdf").write_bytes(scan)

    report_path = tmp_path / "first.json"
    p = _run(env, "ingest", str(tmp_path / "in"), "--report", str(report_path))
    assert p.returncode == 0, p.stdout + p.stderr
    first = json.loads(report_path.read_text(encoding="utf-8"))
    (old,) = first["documents"]
    assert any("page 2" in r and "150 dpi" in r for r in old["to_rescan"]), old["to_rescan"]
    assert old["rescan_as"] == "Hồ sơ 42/002-qsdd.rescan-p2.pdf"
    assert "-> scan as Hồ sơ 42/002-qsdd.rescan-p2.pdf" in p.stdout
    _settle(env, first)

    # The team rescans page 2 at 300 dpi (as a JPEG) and feeds it back under the suggested name, next to a
    # rescan that names a page the document does not have.
    rescan_dir = tmp_path / "rescan" / "Hồ sơ 42"
    rescan_dir.mkdir(parents=True)
    (rescan_dir / "dossier.json").write_text(json.dumps({"dossier_code": CODE}), encoding="utf-8")
    (rescan_dir / "002-qsdd.rescan-p2.jpg").write_bytes(_jpeg(clean_pages[1]))
    (rescan_dir / "002-qsdd.rescan-p7.jpg").write_bytes(_jpeg(clean_pages[1]))
    report_path = tmp_path / "rescan.json"
    p = _run(env, "ingest", str(tmp_path / "rescan"), "--replace", "--report", str(report_path))
    assert p.returncode == 1, p.stdout + p.stderr  # one rescan could not apply
    second = json.loads(report_path.read_text(encoding="utf-8"))
    by_name = {Path(d["source"]).name: d for d in second["documents"]}
    bad = by_name["002-qsdd.rescan-p7.jpg"]
    assert bad["status"] == "failed" and "there is no page 7" in bad["error"]
    new = by_name["002-qsdd.rescan-p2.jpg"]
    assert new["replaces"] == old["id"] and new["id"] != old["id"]
    assert new["pages"] == 2 and not any("page 2" in r for r in new["to_rescan"])
    assert second["summary"]["replaced"] == 1
    _settle(env, second)

    db = Database(settings.db_url)
    with db.session(readonly=True) as s:
        rows = {d.id: d for d in s.scalars(sa.select(Document))}
    assert rows[old["id"]].status == "superseded" and rows[old["id"]].replaced_by == new["id"]
    assert rows[new["id"]].status == "archived" and rows[new["id"]].sequence == rows[old["id"]].sequence
    store = object_store_from_settings(settings)
    key = rows[new["id"]].archive_key
    assert key == rows[old["id"]].archive_key == f"{CODE}/{CODE}.001.pdf"
    versions = store.versions(settings.bucket_archive, key)
    assert len(versions) == 2  # the earlier signed copy is kept, locked
    assert rows[old["id"]].archive_version_id in versions
    assert store.get(
        settings.bucket_originals, rows[old["id"]].original_key, rows[old["id"]].original_version
    )

    # The dossier's package now holds the rescanned copy, not the one it replaced.
    with db.session(readonly=True) as s:
        package = latest_package(s, rows[new["id"]].dossier_id)
        assert package is not None
        pdfs = {k: v for k, v in package.manifest.items() if k.endswith(".pdf")}
        assert pdfs == {f"data/{CODE}.001.pdf": rows[new["id"]].archive_sha256}
    p = _run(env, "download", new["id"], "-o", str(tmp_path / "new.pdf"), timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    with pikepdf.open(tmp_path / "new.pdf") as pdf:
        assert len(pdf.pages) == 2

    # Feeding the same rescan again changes nothing: same document, no third archived version.
    p = _run(env, "ingest", str(tmp_path / "rescan"), "--replace", "--report", str(tmp_path / "again.json"))
    again = json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))
    same = {Path(d["source"]).name: d for d in again["documents"]}["002-qsdd.rescan-p2.jpg"]
    assert same["id"] == new["id"] and same["status"] == "archived"
    assert len(store.versions(settings.bucket_archive, key)) == 2


@pytest.mark.slow
def test_a_whole_document_rescan_replaces_it(tmp_path, seaweed, prefect_api):
    settings = make_settings(tmp_path, seaweed, f"sqlite:///{tmp_path / 'whole.db'}")
    env = cli_env(settings, prefect_api)
    source = tmp_path / "in"
    dossier = source / "Hồ sơ 43"
    dossier.mkdir(parents=True)
    (dossier / "dossier.json").write_text(json.dumps({"dossier_code": CODE}), encoding="utf-8")
    first_scan, _ = _land_use_scan(seed=7, second_page_dpi=150)
    (dossier / "giấy chứng nhận.pdf").write_bytes(first_scan)
    p = _run(env, "ingest", str(source), "--report", str(tmp_path / "a.json"))
    assert p.returncode == 0, p.stdout + p.stderr
    (old,) = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["documents"]

    better, _ = _land_use_scan(seed=7, second_page_dpi=300)
    (dossier / "giấy chứng nhận.pdf").write_bytes(better)
    # Without --replace, a different scan under the same name would take the same place in the dossier and
    # the same archive name: refused, saying what to do.
    p = _run(env, "ingest", str(source), "--report", str(tmp_path / "refused.json"))
    (refused,) = json.loads((tmp_path / "refused.json").read_text(encoding="utf-8"))["documents"]
    assert refused["status"] == "failed" and refused["id"] != old["id"]
    assert f"dossier {CODE} already holds a different scan named 'giấy chứng nhận'" in refused["error"]
    assert "--replace" in refused["error"] and "rename" in refused["error"]
    with Database(settings.db_url).session(readonly=True) as s:
        assert s.get(Document, old["id"]).status == old["status"]

    p = _run(env, "ingest", str(source), "--replace", "--report", str(tmp_path / "b.json"))
    assert p.returncode == 0, p.stdout + p.stderr
    (new,) = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["documents"]
    assert new["replaces"] == old["id"]
    assert "replaced 1 earlier document" in p.stdout
    with Database(settings.db_url).session(readonly=True) as s:
        assert s.get(Document, old["id"]).replaced_by == new["id"]
        if new["status"] == "archived":
            assert s.get(Document, old["id"]).status == "superseded"
