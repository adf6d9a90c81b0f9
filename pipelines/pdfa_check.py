"""Check that a file (signed or not) is still PDF/A: Apache PDFBox Preflight for PDF/A-1b, and sohoa's
structural checks for every part.

Preflight (Debian ``libpdfbox2-java``) validates PDF/A-1b only. It runs in a Java subprocess; starting
the JVM costs about a second, so ``run_preflight`` checks many files in one JVM (Preflight's "group"
mode). The structural checks (``structural_check``) are what PDF/A-2b output is checked with, and they
run on PDF/A-1b files too: identification (XMP pdfaid), sRGB OutputIntent and its ICC version, Info and
XMP in agreement, trailer ID, no encryption, no JavaScript or embedded files, every font embedded, every
annotation with an appearance stream and the Print flag; for PDF/A-1 also no cross-reference or object
streams and nothing PDF/A-1 forbids on a page (transparency, JPEG 2000, optional content, LZW).

Each problem is an ``PdfaIssue`` with a code (Preflight's, e.g. ``5.3.1``, or sohoa's, e.g.
``font-not-embedded``) and a message.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import pikepdf
from lxml import etree
from pikepdf.models.metadata import PdfMetadata, decode_pdf_date

from pipelines.errors import BadInputError
from pipelines.pdfa import pdfa1_problems

JAR_DIR = Path("/usr/share/java")
PREFLIGHT_JARS = (
    "preflight.jar",
    "pdfbox2.jar",
    "fontbox2.jar",
    "xmpbox.jar",
    "commons-logging.jar",
    "javax.activation.jar",
    "jaxb-api.jar",
)
PREFLIGHT_APT = "apt install default-jre-headless libpdfbox2-java libactivation-java libjaxb-api-java"
PREFLIGHT_VALIDATOR = "PDFBox Preflight (PDF/A-1b)"
STRUCTURAL_VALIDATOR = "sohoa structural checks"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_PDFAID = "http://www.aiim.org/pdfa/ns/id/"
# Annotation flags (ISO 32000-1, 12.5.3)
_INVISIBLE, _HIDDEN, _PRINT, _NOVIEW = 1, 2, 4, 32


class PreflightNotInstalled(BadInputError):
    """Java or the PDFBox Preflight jars are missing."""


@dataclass
class PdfaIssue:
    code: str
    message: str


@dataclass
class PdfaResult:
    """One file's result: ``valid`` when no validator that ran found a problem."""

    name: str
    part: int | None  # the part the file claims (pdfaid:part), None when it claims none
    validators: list[str] = field(default_factory=list)
    issues: list[PdfaIssue] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.issues

    @property
    def codes(self) -> list[str]:
        return [i.code for i in self.issues]

    def to_dict(self) -> dict:
        return {**asdict(self), "valid": self.valid}

    def to_text(self) -> str:
        claimed = f"PDF/A-{self.part}b" if self.part else "no PDF/A identification"
        head = (
            f"{self.name}: {'valid' if self.valid else 'NOT valid'} ({claimed}; {', '.join(self.validators)})"
        )
        return "\n".join([head, *(f"  {i.code}: {i.message}" for i in self.issues)])


def preflight_command(jar_dir: Path = JAR_DIR, java: str = "java") -> list[str]:
    """The ``java -cp ... Validator_A1b`` command; PreflightNotInstalled (with the apt line) if Java or
    a jar is missing."""
    java_path = shutil.which(java)
    missing = [jar for jar in PREFLIGHT_JARS if not (jar_dir / jar).is_file()]
    if java_path is None or missing:
        what = ", ".join(([] if java_path else ["java"]) + missing)
        raise PreflightNotInstalled(
            f"Apache PDFBox Preflight is not installed (missing: {what}): {PREFLIGHT_APT}"
        )
    classpath = ":".join(str(jar_dir / jar) for jar in PREFLIGHT_JARS)
    return [
        java_path,
        "-Djava.awt.headless=true",
        "-cp",
        classpath,
        "org.apache.pdfbox.preflight.Validator_A1b",
    ]


def preflight_available(jar_dir: Path = JAR_DIR) -> bool:
    try:
        preflight_command(jar_dir)
    except PreflightNotInstalled:
        return False
    return True


def run_preflight(
    files: Sequence[Path], *, jar_dir: Path = JAR_DIR, timeout: float = 600
) -> dict[Path, PdfaResult]:
    """PDF/A-1b validation of ``files`` by PDFBox Preflight, all in one JVM. A file Preflight cannot
    read at all gets the issue ``preflight-unreadable``."""
    command = preflight_command(jar_dir)
    paths = [Path(f).resolve() for f in files]
    for path in paths:
        if not path.is_file():
            raise BadInputError(f"{path} does not exist or is not a file")
    if not paths:
        return {}
    with tempfile.TemporaryDirectory(prefix="sohoa-preflight-") as tmp:
        listing = Path(tmp) / "files.txt"
        listing.write_text("".join(f"{p}\n" for p in paths), encoding="utf-8")
        proc = subprocess.run(
            [*command, "xml", "group", str(listing)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        report = Path(f"{listing}.preflight.xml")
        if not report.is_file():
            raise RuntimeError(f"PDFBox Preflight failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
        root = etree.fromstring(report.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))
    by_name: dict[str, list[etree._Element]] = {}
    for node in root.iter("preflight"):
        by_name.setdefault(node.get("name", ""), []).append(node)
    out: dict[Path, PdfaResult] = {}
    for path in paths:
        result = PdfaResult(
            name=path.name, part=claimed_part(path.read_bytes()), validators=[PREFLIGHT_VALIDATOR]
        )
        nodes = by_name.get(path.name, [])
        # Preflight reports file names only: files of the same name are matched in the order given.
        node = nodes.pop(0) if nodes else None
        if node is None:
            result.issues.append(PdfaIssue("preflight-unreadable", "Preflight could not read the file"))
        elif node.findtext("isValid") != "true":
            for err in node.iter("error"):
                result.issues.append(
                    PdfaIssue(err.findtext("code") or "?", (err.findtext("details") or "").strip())
                )
            exc = node.find("exceptionThrown")
            if exc is not None:
                result.issues.append(
                    PdfaIssue("preflight-exception", (exc.findtext("message") or "").strip())
                )
            if not result.issues:
                result.issues.append(PdfaIssue("preflight-invalid", "Preflight found the file not valid"))
        out[path] = result
    return out


def claimed_part(data: bytes) -> int | None:
    """The pdfaid:part the file's XMP claims, or None."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return _claimed_part(pdf)
    except pikepdf.PdfError:
        return None


def _claimed_part(pdf: pikepdf.Pdf) -> int | None:
    meta = pdf.Root.get("/Metadata")
    if not isinstance(meta, pikepdf.Stream):
        return None
    try:
        value = pdf.open_metadata().get("pdfaid:part")
        return int(value) if value else None
    except (ValueError, TypeError, etree.XMLSyntaxError):
        return None


def structural_check(data: bytes, name: str = "file.pdf") -> PdfaResult:
    """sohoa's structural PDF/A checks of ``data`` (see the module docstring)."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        return PdfaResult(
            name, None, [STRUCTURAL_VALIDATOR], [PdfaIssue("encrypted", "the file is encrypted")]
        )
    except pikepdf.PdfError as exc:
        reason = re.sub(r"stream <[^>]*>:? ?", "", str(exc))
        return PdfaResult(
            name, None, [STRUCTURAL_VALIDATOR], [PdfaIssue("unreadable", f"damaged PDF: {reason}")]
        )
    with pdf:
        part = _claimed_part(pdf)
        result = PdfaResult(name, part, [STRUCTURAL_VALIDATOR])
        issues = result.issues
        if pdf.is_encrypted:
            issues.append(PdfaIssue("encrypted", "the file is encrypted"))
        if "/ID" not in pdf.trailer:
            issues.append(PdfaIssue("no-id", "the trailer has no document /ID"))
        issues.extend(_xmp_issues(pdf, part))
        issues.extend(_output_intent_issues(pdf, part))
        issues.extend(_document_issues(pdf))
        if part == 1 and (re.search(rb"/Type\s*/XRef\b", data) or re.search(rb"/Type\s*/ObjStm\b", data)):
            issues.append(PdfaIssue("xref-stream", "PDF/A-1 forbids cross-reference and object streams"))
        seen: set[tuple[int, int]] = set()
        for number, page in enumerate(pdf.pages, start=1):
            _font_issues(page.obj, page.resources, number, issues, seen)
            issues.extend(_annotation_issues(page, number, seen))
            if part == 1:
                issues.extend(
                    PdfaIssue("pdfa1-forbidden", f"page {number}: {p}") for p in pdfa1_problems(page)
                )
    return result


def _xmp_issues(pdf: pikepdf.Pdf, part: int | None) -> list[PdfaIssue]:
    meta = pdf.Root.get("/Metadata")
    if not isinstance(meta, pikepdf.Stream):
        return [PdfaIssue("no-xmp", "the catalog has no XMP /Metadata stream")]
    out = []
    if "/Filter" in meta:
        out.append(PdfaIssue("xmp-filtered", "the XMP metadata stream is compressed"))
    if part not in (1, 2):
        out.append(PdfaIssue("xmp-part", f"pdfaid:part is {part!r}, not 1 or 2"))
    try:
        xmp = pdf.open_metadata()
        conformance = xmp.get("pdfaid:conformance")
    except etree.XMLSyntaxError as exc:
        return [*out, PdfaIssue("xmp-syntax", f"the XMP is not well-formed XML: {exc}")]
    if part is not None and conformance not in ("A", "B", "U"):
        out.append(PdfaIssue("xmp-conformance", f"pdfaid:conformance is {conformance!r}"))
    out.extend(_xmp_namespace_issues(meta.read_bytes()))
    out.extend(_info_sync_issues(pdf, xmp))
    return out


def _xmp_namespace_issues(packet: bytes) -> list[PdfaIssue]:
    """Every property's namespace declared on rdf:Description or above (PDFBox's XMP parser needs it)."""
    start, end = packet.find(b"<x:xmpmeta"), packet.rfind(b"</x:xmpmeta>")
    if start < 0 or end < 0:
        return [PdfaIssue("xmp-syntax", "the XMP has no x:xmpmeta element")]
    root = etree.fromstring(
        packet[start : end + len(b"</x:xmpmeta>")], etree.XMLParser(resolve_entities=False)
    )
    out = []
    for desc in root.iter(f"{{{_RDF}}}Description"):
        parent = desc.getparent()
        if parent is None or parent.tag != f"{{{_RDF}}}RDF":
            continue
        declared = set(desc.nsmap.values())
        for prop in desc:
            if isinstance(prop.tag, str) and prop.tag.startswith("{"):
                uri = prop.tag[1:].split("}", 1)[0]
                if uri not in declared:
                    out.append(
                        PdfaIssue(
                            "xmp-namespace",
                            f"the namespace {uri} is declared on a property, not on rdf:Description",
                        )
                    )
                    declared.add(uri)
    return out


def _info_sync_issues(pdf: pikepdf.Pdf, xmp: PdfMetadata) -> list[PdfaIssue]:
    info = pdf.trailer.get("/Info")
    if not isinstance(info, pikepdf.Dictionary):
        return []

    def text(key: str) -> str | None:
        value = info.get(key)
        return unicodedata.normalize("NFC", str(value)) if value is not None else None

    def xmp_text(key: str) -> str | None:
        value = xmp.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        return unicodedata.normalize("NFC", str(value)) if value is not None else None

    out = []
    pairs = (
        ("/Title", "dc:title"),
        ("/Author", "dc:creator"),
        ("/Subject", "dc:description"),
        ("/Keywords", "pdf:Keywords"),
        ("/Creator", "xmp:CreatorTool"),
        ("/Producer", "pdf:Producer"),
    )
    for key, prop in pairs:
        a = text(key)
        if a is not None and a != xmp_text(prop):
            out.append(
                PdfaIssue("info-xmp-mismatch", f"Info {key} {a!r} differs from XMP {prop} {xmp_text(prop)!r}")
            )
    for key, prop in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
        value = info.get(key)
        if value is None:
            continue
        try:
            a_time = decode_pdf_date(str(value))
            b_time = datetime.fromisoformat(str(xmp.get(prop)))
        except (ValueError, TypeError):
            out.append(PdfaIssue("info-xmp-mismatch", f"Info {key} or XMP {prop} is not a readable date"))
            continue
        if a_time.tzinfo is None or b_time.tzinfo is None or a_time != b_time:
            out.append(
                PdfaIssue("info-xmp-mismatch", f"Info {key} {a_time} differs from XMP {prop} {b_time}")
            )
    return out


def _output_intent_issues(pdf: pikepdf.Pdf, part: int | None) -> list[PdfaIssue]:
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == pikepdf.Name.GTS_PDFA1]
    if len(intents) != 1:
        return [PdfaIssue("output-intent", f"{len(intents)} GTS_PDFA1 OutputIntents, one is needed")]
    profile = intents[0].get("/DestOutputProfile")
    if not isinstance(profile, pikepdf.Stream):
        return [PdfaIssue("output-intent", "the OutputIntent has no ICC profile")]
    icc = profile.read_bytes()
    if len(icc) < 128 or icc[36:40] != b"acsp":
        return [PdfaIssue("output-intent", "the OutputIntent's ICC profile is not an ICC profile")]
    major, minor = icc[8], icc[9]
    if part == 1 and (major > 2 or (major == 2 and minor > 0x40)):
        return [
            PdfaIssue(
                "icc-version",
                f"ICC profile version {major}.{minor >> 4} is too new for PDF/A-1 (2.4 at most)",
            )
        ]
    if major > 4 or (major == 4 and minor > 0x20):
        return [
            PdfaIssue(
                "icc-version",
                f"ICC profile version {major}.{minor >> 4} is too new for PDF/A-2 (4.2 at most)",
            )
        ]
    return []


def _document_issues(pdf: pikepdf.Pdf) -> list[PdfaIssue]:
    out = []
    root = pdf.Root
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        if "/JavaScript" in names:
            out.append(PdfaIssue("javascript", "the document has JavaScript"))
        if "/EmbeddedFiles" in names:
            out.append(PdfaIssue("embedded-files", "the document has embedded files"))
    if "/AA" in root:
        out.append(PdfaIssue("actions", "the catalog has additional actions (/AA)"))
    action = root.get("/OpenAction")
    if isinstance(action, pikepdf.Dictionary) and action.get("/S") in (
        pikepdf.Name.JavaScript,
        pikepdf.Name.Launch,
    ):
        out.append(PdfaIssue("javascript", "the document runs an action when opened"))
    return out


def _font_issues(
    owner: pikepdf.Object, resources: object, page: int, issues: list[PdfaIssue], seen: set[tuple[int, int]]
) -> None:
    """Every font that the content of ``owner`` (a page, form XObject or appearance stream, and the forms
    it draws) selects with Tf is embedded. Fonts only listed in the resources are not rendered and
    need no embedding: only a font that shows text counts (reportlab, for one, selects Helvetica at
    the start of every page and may never show a glyph with it)."""
    if owner.is_indirect:
        if owner.objgen in seen:
            return
        seen.add(owner.objgen)
    if not isinstance(resources, pikepdf.Dictionary):
        resources = pikepdf.Dictionary()
    try:
        operations = pikepdf.parse_content_stream(owner)
    except pikepdf.PdfError as exc:
        issues.append(
            PdfaIssue("content-unreadable", f"page {page}: a content stream cannot be parsed: {exc}")
        )
        return
    fonts = resources.get("/Font") or pikepdf.Dictionary()
    xobjects = resources.get("/XObject") or pikepdf.Dictionary()
    current: object = None  # the font selected by the last Tf, saved and restored by q / Q
    stack: list[object] = []
    for operands, operator in operations:
        op = str(operator)
        if op == "q":
            stack.append(current)
        elif op == "Q":
            current = stack.pop() if stack else None
        elif op == "Tf" and operands:
            current = operands[0]
        elif op in _SHOW_TEXT and isinstance(current, pikepdf.Name):
            font = fonts.get(current)
            if isinstance(font, pikepdf.Dictionary) and not (font.is_indirect and font.objgen in seen):
                if font.is_indirect:
                    seen.add(font.objgen)
                if not _embedded(font):
                    name = font.get("/BaseFont", current)
                    issues.append(
                        PdfaIssue("font-not-embedded", f"page {page}: the font {name} is not embedded")
                    )
        elif op == "Do" and operands and isinstance(operands[0], pikepdf.Name):
            xobj = xobjects.get(operands[0])
            if isinstance(xobj, pikepdf.Stream) and xobj.get("/Subtype") == pikepdf.Name.Form:
                _font_issues(xobj, xobj.get("/Resources", resources), page, issues, seen)


_SHOW_TEXT = frozenset({"Tj", "TJ", "'", '"'})


def _embedded(font: pikepdf.Dictionary) -> bool:
    if font.get("/Subtype") == pikepdf.Name.Type3:
        return True  # glyphs are content streams
    target = font
    if font.get("/Subtype") == pikepdf.Name.Type0:
        kids = font.get("/DescendantFonts")
        target = kids[0] if isinstance(kids, pikepdf.Array) and len(kids) else font
    descriptor = target.get("/FontDescriptor")
    return isinstance(descriptor, pikepdf.Dictionary) and any(
        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
    )


def _annotation_issues(page: pikepdf.Page, number: int, seen: set[tuple[int, int]]) -> list[PdfaIssue]:
    out = []
    for annot in page.obj.get("/Annots") or []:
        if not isinstance(annot, pikepdf.Dictionary):
            continue
        subtype = annot.get("/Subtype")
        what = f"page {number}: a {str(subtype)[1:] if subtype else 'untyped'} annotation"
        flags = int(annot.get("/F", 0))
        if subtype != pikepdf.Name.Popup and (not flags & _PRINT or flags & (_INVISIBLE | _HIDDEN | _NOVIEW)):
            out.append(PdfaIssue("annot-flags", f"{what} is not printable or is hidden (flags {flags})"))
        if subtype in (pikepdf.Name.Popup, pikepdf.Name.Link):
            continue
        ap = annot.get("/AP")
        normal = ap.get("/N") if isinstance(ap, pikepdf.Dictionary) else None
        if normal is None:
            out.append(PdfaIssue("annot-appearance", f"{what} has no appearance stream (/AP /N)"))
            continue
        for stream in [normal] if isinstance(normal, pikepdf.Stream) else list(normal.values()):
            if isinstance(stream, pikepdf.Stream):
                _font_issues(stream, stream.get("/Resources"), number, out, seen)
    return out


def check_pdfa(
    data: bytes, name: str = "file.pdf", *, preflight: bool | None = None, jar_dir: Path = JAR_DIR
) -> PdfaResult:
    """The PDF/A result of one file: the structural checks, plus Preflight when the file claims PDF/A-1
    (``preflight=None``), always (True) or never (False). Preflight wanted but not installed raises
    PreflightNotInstalled with the apt command to install it."""
    result = structural_check(data, name)
    if preflight is None:
        preflight = result.part == 1
    if preflight:
        with tempfile.TemporaryDirectory(prefix="sohoa-pdfa-") as tmp:
            path = Path(tmp) / (Path(name).name or "file.pdf")
            path.write_bytes(data)
            pf = run_preflight([path], jar_dir=jar_dir)[path.resolve()]
        result.validators.extend(pf.validators)
        result.issues.extend(pf.issues)
    return result


def check_files(
    paths: Sequence[Path], *, preflight: bool | None = None, jar_dir: Path = JAR_DIR
) -> list[PdfaResult]:
    """``check_pdfa`` for many files, with one JVM for all the Preflight runs (what ``sohoa pdfa-check``
    uses). A path that cannot be read raises BadInputError."""
    results: list[PdfaResult] = []
    wanted: list[tuple[PdfaResult, Path]] = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise BadInputError(f"{path} cannot be read: {exc.strerror or exc}") from exc
        result = structural_check(data, Path(path).name)
        results.append(result)
        if preflight or (preflight is None and result.part == 1):
            wanted.append((result, Path(path)))
    if wanted:
        found = run_preflight([p for _, p in wanted], jar_dir=jar_dir)
        for result, path in wanted:
            pf = found[path.resolve()]
            result.validators.extend(pf.validators)
            result.issues.extend(pf.issues)
    return results
