"""Assemble the digitised copy: one PDF/A-2b (default) or PDF/A-1b file from the pages of a document.

An OCR page is Tesseract's one-page searchable PDF (image + invisible GlyphLessFont text), taken as is:
its image is never re-compressed. A text-layer page (born-digital) is copied from the original PDF.
The result carries XMP metadata with the PDF/A identification, an sRGB (ICC v2) OutputIntent made
offline, a document ID, no encryption and no JavaScript, a classic cross-reference table and no object
streams (so that the incremental updates of the signature stay PDF/A-1 too).

PDF/A-1b (``part=1``, SOHOA_PDFA_PART=1) also gets a PDF 1.4 header, and a page that uses what PDF/A-1
forbids (transparency, JPEG 2000, optional content, LZW) is refused with a BadInputError naming it:
such a page is never silently changed.

Known gap: fonts of born-digital originals that are not embedded stay non-embedded, so such a page makes
the file fail strict PDF/A validation (the file is still valid PDF and signable);
pipelines/pdfa_check.py reports them (``font-not-embedded``).
"""

from __future__ import annotations

import io
import struct
import tempfile
import unicodedata
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import pikepdf
from lxml import etree

from pipelines.errors import BadInputError
from pipelines.model import PageText

VN_TZ = timezone(timedelta(hours=7), "+07")
PDFA_PARTS = (1, 2)
PDFA_CONFORMANCE = "B"
SRGB_CONDITION = "sRGB IEC61966-2.1"
_PDF_VERSION = {1: "1.4", 2: "1.7"}

# Page-level entries that may run code or are not allowed in PDF/A.
_PAGE_KEYS_TO_DROP = ("/AA", "/PieceInfo", "/PresSteps", "/Trans", "/Dur")


@dataclass
class PdfMetadata:
    title: str
    author: str
    subject: str | None = None
    keywords: list[str] = field(default_factory=list)
    lang: str = "vi-VN"
    created: datetime | None = None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# sRGB primaries adapted to D50 (Bradford) and the D50 white, as LittleCMS computes them.
_SRGB_XYZ = {
    b"wtpt": (0.9642, 1.0, 0.8249),
    b"rXYZ": (0.4360, 0.2225, 0.0139),
    b"gXYZ": (0.3851, 0.7169, 0.0971),
    b"bXYZ": (0.1431, 0.0606, 0.7139),
}


@lru_cache(maxsize=1)
def srgb_icc_profile() -> bytes:
    """An ICC version 2.1 sRGB display profile, built here (no file, nothing downloaded).

    Version 2 because PDF/A-1 (PDF 1.4) accepts ICC profiles up to 2.4 only; PDF/A-2 accepts it too.
    The tone curves are the sRGB curve (IEC 61966-2-1) sampled at 1024 points.
    """

    def s15(v: float) -> bytes:
        return struct.pack(">i", round(v * 65536))

    def xyz(values: tuple[float, float, float]) -> bytes:
        return b"XYZ \0\0\0\0" + b"".join(s15(v) for v in values)

    def srgb_to_linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    points = [round(srgb_to_linear(i / 1023) * 65535) for i in range(1024)]
    curve = b"curv\0\0\0\0" + struct.pack(">I", len(points)) + struct.pack(f">{len(points)}H", *points)
    name = SRGB_CONDITION.encode("ascii") + b"\0"
    desc = (
        b"desc\0\0\0\0"
        + struct.pack(">I", len(name))
        + name
        + struct.pack(">II", 0, 0)  # no Unicode description
        + struct.pack(">HB", 0, 0)
        + bytes(67)  # no ScriptCode description
    )
    tags = [
        (b"desc", desc),
        (b"cprt", b"text\0\0\0\0No copyright, use freely\0"),
        *((sig, xyz(v)) for sig, v in _SRGB_XYZ.items()),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    table = struct.pack(">I", len(tags))
    body = b""
    offset = 128 + 4 + 12 * len(tags)
    placed: dict[bytes, int] = {}
    for sig, data in tags:
        if data not in placed:  # the three TRC tags share one curve
            placed[data] = offset + len(body)
            body += data + bytes(-len(data) % 4)
        table += struct.pack(">4sII", sig, placed[data], len(data))
    size = 128 + len(table) + len(body)
    header = (
        struct.pack(">I", size)
        + b"\0\0\0\0"  # preferred CMM: none
        + bytes([0x02, 0x10, 0x00, 0x00])  # version 2.1.0
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
        + b"acsp"
        + bytes(4 + 4 + 4 + 4 + 4 + 8)  # platform, flags, manufacturer, model, attributes
        + struct.pack(">I", 0)  # perceptual intent
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + bytes(4)  # creator
    )
    header += bytes(128 - len(header))
    return header + table + body


def hoist_xmp_namespaces(packet: bytes) -> bytes:
    """The XMP packet with every namespace declared on its rdf:Description element.

    pikepdf and pyHanko declare a namespace on each property element that uses it; valid RDF, but the
    XMP parser of PDF/A validators (PDFBox Preflight: "7.3 Schema is not set in this document") only
    finds schemas declared on rdf:Description or above.
    """
    start = packet.find(b"<x:xmpmeta")
    end = packet.rfind(b"</x:xmpmeta>")
    if start < 0 or end < 0:
        return packet
    end += len(b"</x:xmpmeta>")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    root = etree.fromstring(packet[start:end], parser)
    for desc in root.iter(f"{{{_RDF}}}Description"):
        if desc.getparent() is None or desc.getparent().tag != f"{{{_RDF}}}RDF":
            continue
        used: dict[str, str] = {}
        for el in desc.iter():
            for name in (el.tag, *el.attrib.keys()):
                if isinstance(name, str) and name.startswith("{"):
                    uri = name[1:].split("}", 1)[0]
                    if uri not in (_RDF, _XML):
                        prefix = _prefix(el, uri)
                        if prefix:
                            used[prefix] = uri
        etree.cleanup_namespaces(desc, top_nsmap=used)
    return packet[:start] + etree.tostring(root, encoding="utf-8") + packet[end:]


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XML = "http://www.w3.org/XML/1998/namespace"


def _prefix(el: etree._Element, uri: str) -> str | None:
    for prefix, ns in el.nsmap.items():
        if ns == uri and prefix:
            return prefix
    return None


def _open_pdf(data: bytes | Path, what: str, stack: ExitStack) -> pikepdf.Pdf:
    try:
        pdf = pikepdf.Pdf.open(data if isinstance(data, Path) else io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise BadInputError(f"encrypted PDF: a password is needed ({what})") from exc
    except pikepdf.PdfError as exc:
        raise BadInputError(f"damaged PDF ({what}): {exc}; rescan or re-export the file") from exc
    stack.enter_context(pdf)
    return pdf


def _clean_page(page: pikepdf.Page) -> None:
    """Remove what PDF/A forbids on a copied page: actions, and annotations other than plain links."""
    obj = page.obj
    for key in _PAGE_KEYS_TO_DROP:
        if key in obj:
            del obj[key]
    if "/Annots" not in obj:
        return
    kept = pikepdf.Array()
    for annot in obj.Annots:
        if annot.get("/Subtype") != pikepdf.Name.Link:
            continue
        action = annot.get("/A")
        if action is not None and action.get("/S") != pikepdf.Name.URI:
            continue
        if "/AA" in annot:
            del annot["/AA"]
        annot.F = 4  # Print, and not hidden/invisible/noview
        kept.append(annot)
    if len(kept):
        obj.Annots = kept
    else:
        del obj["/Annots"]


def pdfa1_problems(page: pikepdf.Page) -> list[str]:
    """What on ``page`` PDF/A-1 forbids (ISO 19005-1 6.2 to 6.4): transparency (soft masks, constant
    alpha below 1, blend modes, transparency groups), JPEG 2000, optional content, LZW compression,
    interpolated images, transfer functions, PostScript. Empty when the page may go into PDF/A-1."""
    found: list[str] = []
    group = page.obj.get("/Group")
    if group is not None and group.get("/S") == pikepdf.Name.Transparency:
        found.append("a transparency group")
    for stream in _content_streams(page.obj.get("/Contents")):
        found.extend(_filter_problems(stream, "its content"))
    _resource_problems(page.obj.get("/Resources"), found, set())
    return list(dict.fromkeys(found))


def _content_streams(contents: object) -> list[pikepdf.Stream]:
    if isinstance(contents, pikepdf.Stream):
        return [contents]
    if isinstance(contents, pikepdf.Array):
        return [c for c in contents if isinstance(c, pikepdf.Stream)]
    return []


def _filter_problems(stream: pikepdf.Object, what: str) -> list[str]:
    filters = stream.get("/Filter")
    names = list(filters) if isinstance(filters, pikepdf.Array) else [filters] if filters is not None else []
    out = []
    if pikepdf.Name.JPXDecode in names:
        out.append(f"{what} is JPEG 2000")
    if pikepdf.Name.LZWDecode in names:
        out.append(f"{what} is LZW-compressed")
    return out


def _resource_problems(resources: object, found: list[str], seen: set[tuple[int, int]]) -> None:
    if not isinstance(resources, pikepdf.Dictionary):
        return
    if resources.is_indirect:
        if resources.objgen in seen:
            return
        seen.add(resources.objgen)
    for gs in (resources.get("/ExtGState") or {}).values():
        if not isinstance(gs, pikepdf.Dictionary):
            continue
        smask = gs.get("/SMask")
        if smask is not None and smask != pikepdf.Name("/None"):
            found.append("a soft mask (transparency)")
        for key in ("/CA", "/ca"):
            if key in gs and float(gs[key]) != 1.0:
                found.append("transparency (alpha below 1)")
        if gs.get("/BM", pikepdf.Name.Normal) not in (pikepdf.Name.Normal, pikepdf.Name.Compatible):
            found.append("a transparency blend mode")
        if "/TR" in gs or gs.get("/TR2", pikepdf.Name.Default) != pikepdf.Name.Default:
            found.append("a transfer function")
    for xobj in (resources.get("/XObject") or {}).values():
        if not isinstance(xobj, pikepdf.Stream):
            continue
        if xobj.is_indirect:
            if xobj.objgen in seen:
                continue
            seen.add(xobj.objgen)
        if "/OC" in xobj:
            found.append("optional content (layers)")
        subtype = xobj.get("/Subtype")
        if subtype == pikepdf.Name.Image:
            found.extend(_filter_problems(xobj, "an image"))
            if "/SMask" in xobj or int(xobj.get("/SMaskInData", 0)):
                found.append("an image with a soft mask (transparency)")
            if bool(xobj.get("/Interpolate", False)) or "/Alternates" in xobj:
                found.append("an interpolated image or alternate images")
        elif subtype == pikepdf.Name.Form:
            group = xobj.get("/Group")
            if group is not None and group.get("/S") == pikepdf.Name.Transparency:
                found.append("a transparency group")
            if "/PS" in xobj or xobj.get("/Subtype2") == pikepdf.Name.PS:
                found.append("PostScript")
            _resource_problems(xobj.get("/Resources"), found, seen)
        elif subtype == pikepdf.Name.PS:
            found.append("PostScript")
    for pattern in (resources.get("/Pattern") or {}).values():
        if isinstance(pattern, pikepdf.Dictionary | pikepdf.Stream):
            _resource_problems(pattern.get("/Resources"), found, seen)


def _add_output_intent(pdf: pikepdf.Pdf) -> None:
    profile = pdf.make_stream(srgb_icc_profile())
    profile.N = 3
    intent = pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFA1,
        OutputConditionIdentifier=pikepdf.String(SRGB_CONDITION),
        Info=pikepdf.String(SRGB_CONDITION),
        RegistryName=pikepdf.String("http://www.color.org"),
        DestOutputProfile=profile,
    )
    pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(intent)])


def _write_metadata(pdf: pikepdf.Pdf, meta: PdfMetadata, part: int) -> None:
    created = meta.created or datetime.now(VN_TZ)
    if created.tzinfo is None:
        created = created.replace(tzinfo=VN_TZ)
    created = created.replace(microsecond=0)
    # update_docinfo keeps the Info dictionary equal to the XMP, as PDF/A requires.
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as xmp:
        xmp["pdfaid:part"] = str(part)
        xmp["pdfaid:conformance"] = PDFA_CONFORMANCE
        xmp["dc:title"] = _nfc(meta.title)
        xmp["dc:creator"] = [_nfc(meta.author)]
        if meta.subject:
            xmp["dc:description"] = _nfc(meta.subject)
        if meta.keywords:
            keywords = [_nfc(k) for k in meta.keywords]
            xmp["dc:subject"] = keywords
            xmp["pdf:Keywords"] = ", ".join(keywords)
        xmp["dc:language"] = [meta.lang]
        xmp["pdf:Producer"] = "sohoa"
        xmp["xmp:CreatorTool"] = "sohoa"
        xmp["xmp:CreateDate"] = created.isoformat()
        xmp["xmp:ModifyDate"] = created.isoformat()
        xmp["xmp:MetadataDate"] = created.isoformat()
    stream = pdf.Root.Metadata
    stream.write(hoist_xmp_namespaces(stream.read_bytes()))


def _strip_document_level(pdf: pikepdf.Pdf) -> None:
    """A new Pdf has none of these, but be explicit: no JavaScript, no automatic actions."""
    for key in ("/OpenAction", "/AA", "/Names", "/Perms"):
        if key in pdf.Root:
            del pdf.Root[key]


def build_pdfa(
    pages: Sequence[PageText], original_pdf: bytes | Path | None, meta: PdfMetadata, *, part: int = 2
) -> bytes:
    """One PDF/A file from ``pages`` in their order (blank pages are kept): PDF/A-2b by default,
    PDF/A-1b with ``part=1``.

    Raises BadInputError when a page has nothing to assemble from, the original PDF cannot be read, or
    (PDF/A-1) a page uses what PDF/A-1 forbids.
    """
    buf = io.BytesIO()
    write_pdfa(pages, original_pdf, meta, buf, part=part)
    return buf.getvalue()


def write_pdfa(
    pages: Sequence[PageText],
    original_pdf: bytes | Path | None,
    meta: PdfMetadata,
    target: Path | BinaryIO,
    *,
    part: int = 2,
    workdir: Path | None = None,
) -> None:
    """``build_pdfa`` written to ``target`` (a file path or a writable stream), in bounded memory.

    The pages are put together by qpdf's page assembly (``pikepdf.Job``, as ``qpdf --empty --pages``)
    from files: ``PageText.pdf`` as spilled by pipelines.read.PageSpool, the original PDF; page PDFs or
    an original given as bytes are written to a temporary directory (under ``workdir``) first. qpdf
    reads each page's data from its file while the result is written and keeps no file open between
    reads when there are many, so a 300-page scan is never held in memory whole (copying pages with
    ``Pdf.pages.append`` copies their images into memory at once).
    """
    if part not in PDFA_PARTS:
        raise BadInputError(f"PDF/A part {part!r} is not supported: use 1 (PDF/A-1b) or 2 (PDF/A-2b)")
    if not pages:
        raise BadInputError("the document has no pages to assemble")
    with ExitStack() as stack:
        work = Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="sohoa-pdfa-", dir=workdir))
        ).resolve()
        sources: list[str] = []  # qpdf --pages arguments: file, page number, file, page number ...
        text_layer: set[int] = set()  # 0-based places in the result of pages copied from the original
        original: Path | None = None
        original_pages = 0
        for page in pages:
            if page.pdf is not None:
                source = _as_file(page.pdf, work / f"page-{page.index:05d}.pdf")
                with ExitStack() as check:
                    src = _open_pdf(source, f"OCR page {page.index + 1}", check)
                    if len(src.pages) != 1:
                        raise BadInputError(f"the OCR result of page {page.index + 1} is not a one-page PDF")
                sources += [str(source), "1"]
            elif page.source == "text_layer":
                if original_pdf is None:
                    raise BadInputError(
                        f"page {page.index + 1} comes from the text layer but no original PDF was given"
                    )
                if original is None:
                    original = _as_file(original_pdf, work / "original.pdf")
                    with ExitStack() as check:
                        original_pages = len(_open_pdf(original, "original", check).pages)
                if not 0 <= page.index < original_pages:
                    raise BadInputError(
                        f"page {page.index + 1} does not exist in the original PDF ({original_pages} pages)"
                    )
                text_layer.add(len(sources) // 2)
                sources += [str(original), str(page.index + 1)]
            else:
                raise BadInputError(f"page {page.index + 1} has no OCR result to assemble")
        job = pikepdf.Job(
            [
                "qpdf",
                "--empty",
                "--no-warn",  # as pikepdf.open: a recovered damaged original is not reported on stderr
                "--stream-data=preserve",  # images as they are; the final save below decides
                "--remove-unreferenced-resources=no",
                "--pages",
                *sources,
                "--",
                str(work / "unused.pdf"),  # required by the syntax; only create_pdf() is run
            ]
        )
        try:
            out = job.create_pdf()
        except pikepdf.PdfError as exc:
            raise BadInputError(f"the pages could not be put together: {exc}") from exc
        stack.enter_context(out)
        for key in list(out.Root.keys()):  # as Pdf.new(): qpdf may bring form fields and page labels
            if key not in ("/Type", "/Pages"):
                del out.Root[key]
        for place in sorted(text_layer):
            _clean_page(out.pages[place])
        if part == 1:
            for number, page in enumerate(out.pages, start=1):
                problems = pdfa1_problems(page)
                if problems:
                    raise BadInputError(
                        f"page {number} cannot go into PDF/A-1b: {'; '.join(problems)}. "
                        "Use PDF/A-2b (SOHOA_PDFA_PART=2) for this document"
                    )
        _strip_document_level(out)
        out.Root.Lang = pikepdf.String(meta.lang)
        out.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        _add_output_intent(out)
        _write_metadata(out, meta, part)
        out.save(
            target,
            force_version=_PDF_VERSION[part],
            fix_metadata_version=False,
            deterministic_id=False,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
        )
        del job  # the page files stay in use until the result is saved


def _as_file(data: bytes | Path, path: Path) -> Path:
    """``data`` itself when it is a file, else the bytes written to ``path``."""
    if isinstance(data, Path):
        return data.resolve()  # absolute: qpdf reads an argument starting with @ or - as an option
    path.write_bytes(data)
    return path
