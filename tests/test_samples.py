"""The sample-document generator: ground truth conventions, determinism, file layout, OCR-ability."""

from __future__ import annotations

import json
import random
import re
import unicodedata
from datetime import date
from pathlib import Path

import pdfplumber
import pytesseract
import pytest
from PIL import Image
from stdnum.vn import mst

from extractors.vn_codes import CENTURY_SEX_DIGIT, PROVINCE_CODES
from sohoa.samples import DOC_TYPES, degrade_page, generate_dataset, generate_demo, render_pages
from sohoa.samples.content import sample_fields
from sohoa.samples.documents import LAYOUTS

DATE_KEYS = {
    "date_of_birth",
    "issue_date",
    "expiry_date",
    "registration_date",
    "husband_date_of_birth",
    "wife_date_of_birth",
    "first_registration_date",
    "received_date",
    "due_date",
    "signed_date",
}
ID_KEYS = {"personal_id", "applicant_id", "holder_id", "husband_id", "wife_id"}
QUANTITY_KEYS = {"area_m2", "charter_capital_vnd", "construction_area_m2"}
INTEGER_KEYS = {"parcel_number", "map_sheet_number", "floors"}


def check_conventions(doc_type: str, fields: dict[str, str]) -> None:
    assert fields, doc_type
    for key, value in fields.items():
        assert value == unicodedata.normalize("NFC", value), (key, value)
        assert value == " ".join(value.split()), (key, value)
        assert not re.match(r"^[\s.,;:/-]", value) and not re.search(r"[\s.,;:/-]$", value), (key, value)
        if key in DATE_KEYS:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), (key, value)
            date.fromisoformat(value)
        if key == "sex":
            assert value in ("male", "female")
        if key in ID_KEYS:
            assert re.fullmatch(r"\d{12}", value), (key, value)
            assert value[:3] in PROVINCE_CODES, (key, value)
            assert value[3] in CENTURY_SEX_DIGIT, (key, value)
        if key in QUANTITY_KEYS:
            assert re.fullmatch(r"\d+(\.\d+)?", value), (key, value)
        if key in INTEGER_KEYS:
            assert re.fullmatch(r"[1-9]\d*", value), (key, value)
    if "personal_id" in fields and "sex" in fields and "date_of_birth" in fields:
        century, sex = CENTURY_SEX_DIGIT[fields["personal_id"][3]]
        born = date.fromisoformat(fields["date_of_birth"])
        assert sex == fields["sex"]
        assert century + int(fields["personal_id"][4:6]) == born.year
    if "enterprise_code" in fields:
        assert mst.is_valid(fields["enterprise_code"]), fields["enterprise_code"]
        assert re.fullmatch(r"\d{10}", fields["enterprise_code"])
    if "dossier_code" in fields:
        assert re.fullmatch(r"[A-Y]\d{2}(\.\d+)+-\d{6}-\d{4,}", fields["dossier_code"]), fields[
            "dossier_code"
        ]
    if "serial_number" in fields:
        assert re.fullmatch(r"[A-Z]{2}(\d{6}|\d{8})", fields["serial_number"]), fields["serial_number"]
    if "document_number" in fields:
        assert re.fullmatch(r"\d+/[^/\s]+(-[^/\s]+)*", fields["document_number"])
    if doc_type == "citizen_id" and "issue_date" in fields and "expiry_date" in fields:
        assert fields["issue_date"] < fields["expiry_date"]


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_ground_truth_follows_the_spec_conventions(doc_type: str) -> None:
    rng = random.Random(f"conventions-{doc_type}")
    for _ in range(40):
        check_conventions(doc_type, sample_fields(doc_type, rng))


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_every_type_and_layout_renders_clean_300_dpi_pages(doc_type: str) -> None:
    for layout in range(LAYOUTS[doc_type].count):
        rng = random.Random(layout)
        pages = render_pages(doc_type, sample_fields(doc_type, rng), rng=rng, layout=layout)
        assert pages
        for page in pages:
            assert page.mode == "RGB"
            assert page.width >= 1000 and page.height >= 900
            dark = sum(page.convert("L").point(lambda v: 255 if v < 128 else 0).histogram()[255:])
            assert dark > 5000, f"{doc_type} layout {layout} looks empty"
    with pytest.raises(ValueError):
        render_pages("no_such_type", {}, rng=random.Random(0))


def test_degrade_levels() -> None:
    page = render_pages(
        "decision", sample_fields("decision", random.Random(1)), rng=random.Random(1), layout=0
    )[0]
    clean, dpi = degrade_page(page, rng=random.Random(2), level="clean")
    assert dpi == 300 and clean.size == page.size
    scan, dpi = degrade_page(page, rng=random.Random(2), level="scan")
    assert dpi in (200, 240, 300) and scan.mode == "RGB"
    assert scan.size == (round(page.width * dpi / 300), round(page.height * dpi / 300))
    hard, dpi = degrade_page(page, rng=random.Random(3), level="hard")
    assert dpi == 200 and hard.mode == "L"
    again, _ = degrade_page(page, rng=random.Random(2), level="scan")
    assert again.tobytes() == scan.tobytes()
    with pytest.raises(ValueError):
        degrade_page(page, rng=random.Random(2), level="awful")


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _manifest(folder: Path) -> list[dict]:
    lines = (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_dataset_covers_every_type_follows_conventions_and_is_deterministic(tmp_path: Path) -> None:
    n = len(DOC_TYPES)
    docs = generate_dataset(tmp_path / "a", n=n, seed=11, degrade="mixed")
    again = generate_dataset(tmp_path / "b", n=n, seed=11, degrade="mixed")
    assert docs == again
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert {d.doc_type for d in docs} == set(DOC_TYPES)
    manifest = _manifest(tmp_path / "a")
    assert [m["file"] for m in manifest] == [d.rel for d in docs]
    for d, m in zip(docs, manifest, strict=True):
        assert (tmp_path / "a" / d.rel).is_file()
        assert m["doc_type"] == d.doc_type and m["fields"] == d.fields
        check_conventions(d.doc_type, d.fields)
    other = generate_dataset(
        tmp_path / "c", n=2, seed=12, types=["citizen_id"], degrade="hard", layouts="standard"
    )
    assert [d.doc_type for d in other] == ["citizen_id", "citizen_id"]
    assert other[0].fields != docs[0].fields
    for d in other:
        with Image.open(tmp_path / "c" / d.rel) as im:
            assert im.mode == "L" and round(im.info["dpi"][0]) == 200


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate_demo(out, seed=0)


def test_demo_folder_layout(demo: tuple[Path, list]) -> None:
    out, docs = demo
    assert 8 <= len(docs) <= 12 and 10 <= sum(d.pages for d in docs) <= 16
    types = {d.doc_type for d in docs}
    assert {"citizen_id", "birth_certificate", "decision", "application_form", "dossier_receipt"} <= types
    folders = sorted({d.dossier for d in docs})
    assert all(d.rel.startswith(f"{d.dossier}/") for d in docs)
    for folder in folders:
        info = json.loads((out / folder / "dossier.json").read_text(encoding="utf-8"))
        assert set(info) == {
            "dossier_code",
            "procedure",
            "applicant_name",
            "applicant_id",
            "received_date",
            "due_date",
        }
        check_conventions(
            "dossier_receipt",
            {
                "dossier_code": info["dossier_code"],
                "applicant_id": info["applicant_id"],
                "received_date": info["received_date"],
            },
        )
    manifest = _manifest(out)
    assert [m["file"] for m in manifest] == [d.rel for d in docs]
    for d in docs:
        check_conventions(d.doc_type, d.fields)
    by_type = {d.doc_type: d for d in docs}
    with Image.open(out / by_type["citizen_id"].rel) as im:
        assert im.format == "JPEG"
    with Image.open(out / by_type["birth_certificate"].rel) as im:
        assert im.format in ("PNG", "TIFF") and round(im.info["dpi"][0]) == 300
    assert by_type["decision"].pages >= 2
    born_digital = [d for d in docs if d.born_digital]
    assert born_digital
    for d in born_digital:
        with pdfplumber.open(out / d.rel) as pdf:
            text = unicodedata.normalize("NFC", "\n".join(p.extract_text() or "" for p in pdf.pages))
        name = d.fields.get("applicant_name") or d.fields.get("company_name") or ""
        assert name.upper() in " ".join(text.upper().split())
    scanned_pdfs = [d for d in docs if d.rel.endswith(".pdf") and not d.born_digital]
    for d in scanned_pdfs:
        with pdfplumber.open(out / d.rel) as pdf:
            assert not "".join(p.extract_text() or "" for p in pdf.pages).strip()
            assert len(pdf.pages) == d.pages


def test_demo_is_deterministic(demo: tuple[Path, list], tmp_path: Path) -> None:
    out, docs = demo
    assert generate_demo(tmp_path, seed=0) == docs
    assert _tree(tmp_path) == _tree(out)


def test_tesseract_reads_the_name_with_diacritics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_THREAD_LIMIT", "1")
    fields = sample_fields("application_form", random.Random(5))
    fields["applicant_name"] = "Nguyễn Thị Ánh"
    page = render_pages("application_form", fields, rng=random.Random(5), layout=0)[0]
    top = page.crop((0, 0, page.width, page.height // 2))  # the labelled lines; keeps the test fast
    text = unicodedata.normalize("NFC", pytesseract.image_to_string(top, lang="vie"))
    assert "NGUYỄN THỊ ÁNH" in text
