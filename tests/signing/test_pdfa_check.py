"""PDF/A survives signing: PDF/A-1b output checked by Apache PDFBox Preflight (a real Java subprocess, one
JVM for all files of the module), PDF/A-2b and PDF/A-1b by sohoa's structural checks, at every PAdES level,
with and without the visible stamp, and after a timestamp renewal."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
import pytest
from reportlab.pdfgen import canvas

from pipelines.errors import BadInputError
from pipelines.model import PageText
from pipelines.pdfa import PdfMetadata, build_pdfa, srgb_icc_profile
from pipelines.pdfa_check import (
    PdfaResult,
    PreflightNotInstalled,
    check_files,
    check_pdfa,
    run_preflight,
    structural_check,
)
from signing.pades import PadesSigner
from signing.renew import renew_timestamp
from signing.verify import verify_pdf
from tests.fixtures.pki import TestPki
from tests.signing.conftest import TITLE, text_layer_page

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "pyhanko-pdfs" / "malformed"
DC = "http://purl.org/dc/elements/1.1/"
META = PdfMetadata(title=TITLE, author="Trung tâm Phục vụ hành chính công", keywords=["hồ sơ", "Huế"])
# name -> (level, visible stamp)
SIGNED = {
    "B": ("B", True),
    "T": ("T", True),
    "LT": ("LT", True),
    "LTA": ("LTA", True),
    "B-invisible": ("B", False),
    "LTA-invisible": ("LTA", False),
}


@pytest.fixture(scope="module")
def pdfa1_bytes(ocr_pages: list[PageText], born_digital_pdf: bytes) -> bytes:
    return build_pdfa([*ocr_pages, text_layer_page(1)], born_digital_pdf, META, part=1)


def _sign_all(pdf: bytes, pki: TestPki, tsa_url: str) -> dict[str, bytes]:
    out = {}
    for name, (level, stamp) in SIGNED.items():
        signer = PadesSigner(
            pki.agency_key,
            tsa_url=tsa_url,
            level=level,
            trust_roots=[pki.root_pem],
            **({} if stamp else {"stamp": None}),
        )
        out[name] = signer.sign(pdf).data
    return out


@pytest.fixture(scope="module")
def signed_pdfa1(pdfa1_bytes: bytes, test_pki: TestPki, tsa_url: str) -> dict[str, bytes]:
    out = {"unsigned": pdfa1_bytes, **_sign_all(pdfa1_bytes, test_pki, tsa_url)}
    out["LTA-renewed"] = renew_timestamp(out["LTA"], tsa_url=tsa_url, trust_roots=[test_pki.root_pem])
    return out


@pytest.fixture(scope="module")
def signed_pdfa2(pdfa_bytes: bytes, test_pki: TestPki, tsa_url: str) -> dict[str, bytes]:
    return {"unsigned": pdfa_bytes, **_sign_all(pdfa_bytes, test_pki, tsa_url)}


def _with_transparency(pdf: bytes) -> bytes:
    """The file with a half-transparent red square drawn on page 1 (forbidden in PDF/A-1)."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        page.Resources.ExtGState = pikepdf.Dictionary(
            GSa=pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, ca=0.5)
        )
        page.contents_add(doc.make_stream(b"q /GSa gs 1 0 0 rg 10 10 100 100 re f Q"))
        buf = io.BytesIO()
        doc.save(buf, force_version="1.4", object_stream_mode=pikepdf.ObjectStreamMode.disable)
        return buf.getvalue()


@pytest.fixture(scope="module")
def preflight(
    signed_pdfa1: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, PdfaResult]:
    """Preflight's result for every signed PDF/A-1b file and two broken files, from one JVM."""
    folder = tmp_path_factory.mktemp("preflight")
    files = {name: folder / f"{name}.pdf" for name in signed_pdfa1}
    for name, path in files.items():
        path.write_bytes(signed_pdfa1[name])
    files["transparency"] = folder / "transparency.pdf"
    files["transparency"].write_bytes(_with_transparency(signed_pdfa1["unsigned"]))
    files["malformed"] = CORPUS / "minimal-badxref.pdf"
    results = run_preflight(list(files.values()))
    return {name: results[path.resolve()] for name, path in files.items()}


@pytest.mark.parametrize("name", ["unsigned", *SIGNED, "LTA-renewed"])
def test_signed_pdfa1b_passes_preflight(name: str, preflight: dict[str, PdfaResult]) -> None:
    result = preflight[name]
    assert result.valid, result.to_text()
    assert result.part == 1 and result.validators == ["PDFBox Preflight (PDF/A-1b)"]


def test_broken_files_fail_preflight_with_their_codes(preflight: dict[str, PdfaResult]) -> None:
    transparent = preflight["transparency"]
    assert not transparent.valid
    assert transparent.codes == ["4.1.2"], transparent.to_text()
    assert "ca entry in a ExtGState is invalid" in transparent.issues[0].message
    malformed = preflight["malformed"]
    assert not malformed.valid and malformed.part is None
    assert "1.4.1" in malformed.codes  # no trailer ID
    assert "3.1.3" in malformed.codes  # font not embedded
    assert "7.1" in malformed.codes  # no XMP metadata stream


@pytest.mark.parametrize("name", ["unsigned", *SIGNED])
def test_signed_pdfa2b_passes_structural_checks(name: str, signed_pdfa2: dict[str, bytes]) -> None:
    result = structural_check(signed_pdfa2[name], f"{name}.pdf")
    assert result.valid, result.to_text()
    assert result.part == 2


@pytest.mark.parametrize("name", ["unsigned", *SIGNED, "LTA-renewed"])
def test_signed_pdfa1b_passes_structural_checks(name: str, signed_pdfa1: dict[str, bytes]) -> None:
    result = structural_check(signed_pdfa1[name], f"{name}.pdf")
    assert result.valid, result.to_text()
    assert result.part == 1


def test_signing_keeps_pdfa1_file_structure(signed_pdfa1: dict[str, bytes]) -> None:
    for name, data in signed_pdfa1.items():
        assert data.startswith(b"%PDF-1.4\n"), name
        assert b"/XRef" not in data and b"/ObjStm" not in data, name  # classic xref tables only
        with pikepdf.open(io.BytesIO(data)) as pdf:
            meta = pdf.open_metadata()
            assert meta["pdfaid:part"] == "1" and meta["pdfaid:conformance"] == "B"
            assert meta["dc:title"] == TITLE
            assert str(pdf.docinfo.Producer) == meta["pdf:Producer"]
            for annot in pdf.pages[0].get("/Annots", []):  # signature and timestamp widgets
                assert int(annot.F) & 4 and not int(annot.F) & (1 | 2 | 32), name
                assert isinstance(annot.AP.N, pikepdf.Stream), name
    with pikepdf.open(io.BytesIO(signed_pdfa1["LTA"])) as pdf:
        descriptors = [  # the stamp font: a CID font (the born-digital page's one is a simple TrueType)
            obj.FontDescriptor
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary)
            and obj.get("/Subtype") == "/CIDFontType2"
            and "LiberationSerif" in str(obj.get("/BaseFont"))
        ]
        assert len(descriptors) == 1
        assert "/CIDSet" in descriptors[0]  # PDF/A-1 wants it for a CID font subset


def test_icc_profile_is_version_2() -> None:
    icc = srgb_icc_profile()
    assert icc[8] == 2 and icc[36:40] == b"acsp" and icc[12:20] == b"mntrRGB "
    assert int.from_bytes(icc[:4], "big") == len(icc)


def test_check_pdfa_runs_preflight_for_pdfa1(signed_pdfa1: dict[str, bytes]) -> None:
    result = check_pdfa(signed_pdfa1["LT"], "Quyết định — LT.pdf")
    assert result.valid, result.to_text()
    assert result.validators == ["sohoa structural checks", "PDFBox Preflight (PDF/A-1b)"]
    assert result.to_dict()["valid"] is True
    assert "valid (PDF/A-1b" in result.to_text()


def test_preflight_not_installed_is_a_clear_error(signed_pdfa1: dict[str, bytes], tmp_path: Path) -> None:
    with pytest.raises(
        PreflightNotInstalled, match=r"not installed \(missing: preflight.jar.*apt install .*libpdfbox2-java"
    ):
        check_pdfa(signed_pdfa1["B"], jar_dir=tmp_path)
    # PDF/A-2b needs no Preflight
    assert check_pdfa(signed_pdfa1["B"], jar_dir=tmp_path, preflight=False).valid
    with pytest.raises(BadInputError, match="does not exist"):
        run_preflight([tmp_path / "missing.pdf"])


def _born_digital(draw) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_pdfa1_refuses_pages_it_cannot_hold() -> None:
    def transparent(c: canvas.Canvas) -> None:
        c.setFillAlpha(0.5)
        c.rect(50, 50, 100, 100, fill=1)

    original = _born_digital(transparent)
    with pytest.raises(
        BadInputError, match=r"page 1 cannot go into PDF/A-1b: transparency .*SOHOA_PDFA_PART=2"
    ):
        build_pdfa([text_layer_page(0)], original, META, part=1)
    assert structural_check(build_pdfa([text_layer_page(0)], original, META)).part == 2  # PDF/A-2 allows it
    with pytest.raises(BadInputError, match="PDF/A part 3 is not supported"):
        build_pdfa([text_layer_page(0)], original, META, part=3)


def _break(pdf_bytes: bytes, encrypt: bool = False) -> bytes:
    """Info title unlike the XMP's, a hidden annotation with no appearance, XMP properties declaring their
    own namespace, no OutputIntent; encrypted if asked."""
    buf = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        pdf.docinfo.Title = "Tiêu đề khác"
        square = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Square, Rect=[0, 0, 9, 9], F=2
        )
        pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(square)]))
        xmp = pdf.Root.Metadata.read_bytes().replace(f' xmlns:dc="{DC}"'.encode(), b"")
        pdf.Root.Metadata.write(re.sub(rb"<dc:(\w+)>", rb'<dc:\1 xmlns:dc="%s">' % DC.encode(), xmp))
        pdf.Root.OutputIntents = pikepdf.Array()
        pdf.save(buf, encryption=pikepdf.Encryption(owner="o", user="", R=6) if encrypt else False)
    return buf.getvalue()


def test_structural_checks_find_what_breaks_pdfa(pdfa_bytes: bytes) -> None:
    # a born-digital page that shows text in a font that is not embedded (reportlab's Helvetica)
    plain = _born_digital(lambda c: c.drawString(72, 720, "Nguyễn Thị Ánh"))
    result = structural_check(build_pdfa([text_layer_page(0)], plain, META))
    assert set(result.codes) == {"font-not-embedded"}, result.to_text()
    assert "page 1: the font /Helvetica is not embedded" in result.to_text()

    broken = structural_check(_break(pdfa_bytes))
    assert set(broken.codes) == {
        "info-xmp-mismatch",
        "xmp-namespace",
        "output-intent",
        "annot-flags",
        "annot-appearance",
    }, broken.to_text()
    assert structural_check(_break(pdfa_bytes, encrypt=True)).codes[0] == "encrypted"
    assert "Tiêu đề khác" in broken.to_text()


def test_structural_check_of_damaged_files() -> None:
    result = structural_check((CORPUS / "circular-page-tree.pdf").read_bytes(), "circular-page-tree.pdf")
    assert result.codes == ["unreadable"] and "Loop detected" in result.issues[0].message
    assert structural_check(b"%PDF-1.4 not really").codes == ["unreadable"]


@pytest.mark.parametrize("name", ["LTA", "LTA-invisible", "LTA-renewed"])
def test_pdfa_widgets_keep_timestamps_lta_updates(
    name: str, signed_pdfa1: dict[str, bytes], test_pki: TestPki
) -> None:
    """The document timestamp widgets share an appearance stream of the signed revision, so adding them
    is no "form filling" for the signature before them."""
    report = verify_pdf(signed_pdfa1[name], [test_pki.root_pem])
    assert report.passed, report.to_text()
    assert [s.modifications for s in report.signatures] == ["none"], report.to_text()
    with pikepdf.open(io.BytesIO(signed_pdfa1[name])) as pdf:
        appearances = {annot.AP.N.objgen for annot in pdf.pages[0].Annots}
        assert len(appearances) == 1


def test_check_files_runs_preflight_only_for_pdfa1(
    signed_pdfa1: dict[str, bytes], signed_pdfa2: dict[str, bytes], tmp_path: Path
) -> None:
    one, two = tmp_path / "Quyết định (1b).pdf", tmp_path / "Quyết định (2b).pdf"
    one.write_bytes(signed_pdfa1["LTA"])
    two.write_bytes(signed_pdfa2["LTA"])
    first, second = check_files([one, two])
    assert first.valid and first.part == 1, first.to_text()
    assert first.validators == ["sohoa structural checks", "PDFBox Preflight (PDF/A-1b)"]
    assert second.valid and second.part == 2 and second.validators == ["sohoa structural checks"]
    with pytest.raises(BadInputError, match="cannot be read"):
        check_files([tmp_path / "không có.pdf"])
