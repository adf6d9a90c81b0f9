"""Sample dossiers for the demo and evaluation data sets, with a ground-truth manifest."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from PIL import Image

from . import content
from .degrade import Degraded, degrade, pick_level
from .documents import LAYOUTS, build
from .people import PROVINCE_BY_NAME, Person, full_name, person, personal_id, random_date, random_place
from .render import Page, pages_to_pdf, rasterize
from .style import STANDARD, Style, random_style
from .truth import page_text
from .writers import write_image_pdf, write_jpeg, write_png, write_tiff

DOC_TYPES: tuple[str, ...] = tuple(LAYOUTS)  # every type of document-types.md except "other"
DPI = 300


@dataclass
class SampleDocument:
    rel: str  # path relative to the output folder, '/' separators, e.g. "HS-001/cccd.jpg"
    doc_type: str  # a key of document-types.md
    fields: dict[str, str]  # ground truth in the spec conventions (only fields actually printed)
    pages: int
    born_digital: bool = False
    dossier: str | None = None  # dossier folder name
    texts: list[str] = field(default_factory=list)  # printed text of each page (OCR ground truth, truth.py)


def render_pages(
    doc_type: str,
    fields: dict[str, str],
    *,
    rng: random.Random,
    layout: int | None = None,
    style: Style | None = None,
) -> list[Image.Image]:
    """Clean 300 dpi RGB pages of a document showing ``fields`` (the conventions of document-types.md).

    ``layout=None`` picks a layout and a style at random; a given layout uses the standard style unless
    ``style`` is given.
    """
    pages, _ = _layout(doc_type, fields, rng, layout, style)
    return [rasterize(p, DPI) for p in pages]


def _layout(
    doc_type: str, fields: dict[str, str], rng: random.Random, layout: int | None, style: Style | None
) -> tuple[list[Page], set[str]]:
    if doc_type not in LAYOUTS:
        raise ValueError(f"no layout for document type {doc_type!r}; known: {', '.join(LAYOUTS)}")
    if layout is None:
        layout = rng.randrange(LAYOUTS[doc_type].count)
        style = style or random_style(rng)
    return build(doc_type, fields, rng, layout, style or STANDARD)


# ---------------------------------------------------------------------------------------------- writing


def _emit(
    out_dir: Path,
    rel: str,
    doc_type: str,
    fields: dict[str, str],
    rng: random.Random,
    *,
    layout: int | None,
    style: Style | None,
    level: str,
    fmt: str,
    dossier: str | None = None,
    jpeg_quality: int | None = None,
    add_ext: bool = False,
) -> SampleDocument:
    """Render, degrade and write one document; ``fmt`` is jpg, png, tif, pdf (scanned) or pdf-text.

    With ``add_ext`` the extension is appended to ``rel``, and a single-page format becomes its multi-page
    counterpart (png -> tif, jpg -> pdf) when the layout produced several pages.
    """
    pages, printed = _layout(doc_type, fields, rng, layout, style)
    if add_ext:
        if len(pages) > 1 and fmt in ("png", "jpg"):
            fmt = "tif" if fmt == "png" else "pdf"
        rel = f"{rel}.{'pdf' if fmt.startswith('pdf') else fmt}"
    truth = {k: v for k, v in fields.items() if k in printed}
    texts = [page_text(p) for p in pages]
    path = out_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf-text":
        path.write_bytes(pages_to_pdf(pages, title=content_title(doc_type)))
        return SampleDocument(rel, doc_type, truth, len(pages), True, dossier, texts)
    scans: list[Degraded] = []
    for p in pages:
        d = degrade(rasterize(p, DPI), rng, level)
        if jpeg_quality is not None:
            d = Degraded(d.image, d.dpi, jpeg_quality, d.level)
        scans.append(d)
    if fmt in ("jpg", "png") and len(scans) > 1:
        raise ValueError(f"{rel}: {len(scans)} pages cannot be one {fmt} file; use tif or pdf")
    if fmt == "jpg":
        write_jpeg(path, scans[0])
    elif fmt == "png":
        write_png(path, scans[0])
    elif fmt == "tif":
        write_tiff(path, scans)
    else:
        write_image_pdf(path, scans)
    return SampleDocument(rel, doc_type, truth, len(pages), False, dossier, texts)


def content_title(doc_type: str) -> str:
    from extractors.vn_codes import DOC_TYPES as NAMES

    return NAMES.get(doc_type, doc_type)


def write_manifest(out_dir: Path, docs: Sequence[SampleDocument]) -> Path:
    path = out_dir / "manifest.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(
                json.dumps(
                    {
                        "file": d.rel,
                        "doc_type": d.doc_type,
                        "fields": d.fields,
                        "pages": d.pages,
                        "born_digital": d.born_digital,
                        "dossier": d.dossier,
                        "texts": d.texts,
                    },
                    ensure_ascii=False,
                    sort_keys=False,
                )
                + "\n"
            )
    return path


# ---------------------------------------------------------------------------------------------- data sets


def generate_dataset(
    out_dir: Path,
    *,
    n: int,
    seed: int,
    types: Sequence[str] | None = None,
    degrade: str = "mixed",
    layouts: str = "all",
) -> list[SampleDocument]:
    """``n`` loose documents cycling over ``types`` (default: every type), with manifest.jsonl.

    ``degrade``: clean | scan | hard | mixed (mixed also yields born-digital PDFs); ``layouts``: all (every layout
    and style variant) or standard (layout 0, standard style). Same arguments, same bytes.
    """
    types = tuple(types or DOC_TYPES)
    unknown = [t for t in types if t not in LAYOUTS]
    if unknown:
        raise ValueError(f"unknown document types: {', '.join(unknown)}")
    if layouts not in ("all", "standard"):
        raise ValueError("layouts must be 'all' or 'standard'")
    pick_level(random.Random(0), degrade)  # validates the level name
    out_dir.mkdir(parents=True, exist_ok=True)
    docs: list[SampleDocument] = []
    for i in range(n):
        doc_type = types[i % len(types)]
        rng = random.Random(f"sohoa-samples:{seed}:{i}")
        fields = content.sample_fields(doc_type, rng)
        if layouts == "all":
            layout: int | None = rng.randrange(LAYOUTS[doc_type].count)
            style: Style | None = random_style(rng)
        else:
            layout, style = 0, STANDARD
        level = pick_level(rng, degrade)
        if degrade == "mixed" and doc_type != "citizen_id" and rng.random() < 0.15:
            fmt = "pdf-text"
        elif level == "clean":
            fmt = rng.choice(["png", "tif"])
        else:
            fmt = rng.choice(["jpg", "jpg", "pdf", "tif"])
        rel = f"{i:04d}-{doc_type}"
        docs.append(
            _emit(
                out_dir,
                rel,
                doc_type,
                fields,
                rng,
                layout=layout,
                style=style,
                level=level,
                fmt=fmt,
                add_ext=True,
            )
        )
    write_manifest(out_dir, docs)
    return docs


# ---------------------------------------------------------------------------------------------- demo


def _eid(rng: random.Random, province_code: str) -> str:
    return f"H{province_code[1:]}.{rng.randint(1, 20):02d}.{rng.randint(1, 30):02d}"


def _dossier_json(out_dir: Path, folder: str, receipt: dict[str, str]) -> None:
    info = {
        "dossier_code": receipt["dossier_code"],
        "procedure": receipt["procedure_name"],
        "applicant_name": receipt["applicant_name"],
        "applicant_id": receipt["applicant_id"],
        "received_date": receipt["received_date"],
        "due_date": receipt["due_date"],
    }
    (out_dir / folder).mkdir(parents=True, exist_ok=True)
    (out_dir / folder / "dossier.json").write_text(
        json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def generate_demo(out_dir: Path, *, seed: int = 0) -> list[SampleDocument]:
    """Three realistic dossiers (birth registration, building permit, company registration), 10 documents.

    Every dossier folder has a dossier.json; out_dir/manifest.jsonl holds the ground truth of every file.
    """
    rng = random.Random(f"sohoa-demo:{seed}")
    out_dir.mkdir(parents=True, exist_ok=True)
    docs: list[SampleDocument] = []
    hue = PROVINCE_BY_NAME["Thừa Thiên Huế"]

    # HS-001: birth registration at a ward of Huế ------------------------------------------------------
    folder = "HS-001"
    ward = random_place(rng, hue)
    while ward.ward.startswith("xã"):
        ward = random_place(rng, hue)
    mother = person(rng, sex="female", born_between=(1988, 1998), province=hue)
    father = person(rng, sex="male", born_between=(1985, 1996), residence=mother.residence)
    received = random_date(rng, date(2024, 9, 2), date(2024, 11, 29))
    while received.weekday() >= 5:
        received += timedelta(days=1)
    born = received - timedelta(days=rng.randint(10, 40))
    sex = rng.choice(["male", "female"])
    child = Person(
        full_name(rng, sex, father.full_name.split()[0]),
        sex,
        born,
        personal_id(rng, hue, sex, born),
        ward,
        mother.residence,
        "Kinh",
    )
    code = content.dossier_code(rng, received, _eid(rng, hue.code))
    receipt = content.dossier_receipt(rng, mother, "Đăng ký khai sinh", received, hue, code)
    receipt["receiving_unit"] = f"Bộ phận Một cửa Ủy ban nhân dân {ward.ward}"
    _dossier_json(out_dir, folder, receipt)
    docs.append(
        _emit(
            out_dir,
            f"{folder}/cccd.jpg",
            "citizen_id",
            content.citizen_id(rng, mother, date(2021, 4, 1) + timedelta(days=rng.randint(0, 900))),
            rng,
            layout=0,
            style=STANDARD,
            level="scan",
            fmt="jpg",
            dossier=folder,
        )
    )
    form = content.application_form(
        rng, mother, f"Đăng ký khai sinh cho cháu {child.full_name}", received, f"Ủy ban nhân dân {ward.ward}"
    )
    docs.append(
        _emit(
            out_dir,
            f"{folder}/to-khai-dang-ky-khai-sinh.jpg",
            "application_form",
            form,
            rng,
            layout=0,
            style=STANDARD,
            level="light",
            fmt="jpg",
            dossier=folder,
            jpeg_quality=80,
        )
    )
    birth = content.birth_certificate(rng, child, mother, father, received + timedelta(days=1))
    docs.append(
        _emit(
            out_dir,
            f"{folder}/giay-khai-sinh.png",
            "birth_certificate",
            birth,
            rng,
            layout=0,
            style=STANDARD,
            level="light",
            fmt="png",
            dossier=folder,
        )
    )
    docs.append(
        _emit(
            out_dir,
            f"{folder}/giay-tiep-nhan-ho-so.pdf",
            "dossier_receipt",
            receipt,
            rng,
            layout=0,
            style=STANDARD,
            level="clean",
            fmt="pdf-text",
            dossier=folder,
        )
    )

    # HS-002: building permit in Huế --------------------------------------------------------------------
    folder = "HS-002"
    investor = person(rng, born_between=(1960, 1990), province=hue)
    site = random_place(rng, hue)
    received = random_date(rng, date(2024, 6, 3), date(2024, 8, 30))
    while received.weekday() >= 5:
        received += timedelta(days=1)
    code = content.dossier_code(rng, received, _eid(rng, hue.code))
    receipt = content.dossier_receipt(
        rng, investor, "Cấp giấy phép xây dựng nhà ở riêng lẻ", received, hue, code
    )
    _dossier_json(out_dir, folder, receipt)
    docs.append(
        _emit(
            out_dir,
            f"{folder}/giay-tiep-nhan-ho-so.jpg",
            "dossier_receipt",
            receipt,
            rng,
            layout=0,
            style=STANDARD,
            level="scan",
            fmt="jpg",
            dossier=folder,
        )
    )
    land = content.land_use_certificate(rng, investor, new_form=False, place=site)
    docs.append(
        _emit(
            out_dir,
            f"{folder}/giay-chung-nhan-qsdd.tif",
            "land_use_certificate",
            land,
            rng,
            layout=0,
            style=STANDARD,
            level="scan",
            fmt="tif",
            dossier=folder,
        )
    )
    dec = content.decision(
        rng,
        site,
        investor,
        received - timedelta(days=rng.randint(20, 60)),
        f"Về việc công nhận quyền sử dụng đất cho hộ {investor.honorific.lower()} {investor.full_name}",
    )
    docs.append(
        _emit(
            out_dir,
            f"{folder}/quyet-dinh.pdf",
            "decision",
            dec,
            rng,
            layout=0,
            style=STANDARD,
            level="scan",
            fmt="pdf",
            dossier=folder,
        )
    )
    permit = content.building_permit(rng, investor, site, date.fromisoformat(receipt["due_date"]))
    docs.append(
        _emit(
            out_dir,
            f"{folder}/giay-phep-xay-dung.pdf",
            "building_permit",
            permit,
            rng,
            layout=1,
            style=STANDARD,
            level="scan",
            fmt="pdf",
            dossier=folder,
        )
    )

    # HS-003: company registration in Đà Nẵng -----------------------------------------------------------
    folder = "HS-003"
    dn = PROVINCE_BY_NAME["Đà Nẵng"]
    rep = person(rng, born_between=(1970, 1995), province=dn)
    received = random_date(rng, date(2024, 3, 4), date(2024, 5, 31))
    while received.weekday() >= 5:
        received += timedelta(days=1)
    code = content.dossier_code(rng, received, _eid(rng, dn.code))
    receipt = content.dossier_receipt(rng, rep, "Đăng ký thành lập doanh nghiệp", received, dn, code)
    _dossier_json(out_dir, folder, receipt)
    docs.append(
        _emit(
            out_dir,
            f"{folder}/cccd-nguoi-dai-dien.jpg",
            "citizen_id",
            content.citizen_id(rng, rep, received - timedelta(days=rng.randint(90, 900))),
            rng,
            layout=1,
            style=STANDARD,
            level="scan",
            fmt="jpg",
            dossier=folder,
        )
    )
    biz = content.business_registration(rng, rep, dn)
    biz["first_registration_date"] = receipt["due_date"]
    docs.append(
        _emit(
            out_dir,
            f"{folder}/giay-chung-nhan-dkdn.pdf",
            "business_registration",
            biz,
            rng,
            layout=0,
            style=STANDARD,
            level="clean",
            fmt="pdf-text",
            dossier=folder,
        )
    )
    write_manifest(out_dir, docs)
    return docs


__all__ = ["DOC_TYPES", "SampleDocument", "generate_dataset", "generate_demo", "render_pages"]
