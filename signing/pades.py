"""PAdES signing of the digitised copy with pyHanko.

The signature is a PAdES baseline signature (SubFilter ETSI.CAdES.detached) added as an incremental update,
so the signed revision stays a PDF/A file (PDF/A-1b or -2b, checked by tests/signing/test_pdfa_check.py):
the only font it adds is the stamp font, embedded as a subset with its /CIDSet, and signing/pdfa_compat.py
keeps every revision pyHanko writes PDF/A (XMP layout, Info/XMP agreement, widget appearances).

Levels (ETSI EN 319 142-1), chosen with ``level``:

- ``B``: the signature alone;
- ``T``: plus an RFC 3161 signature timestamp from ``tsa_url``;
- ``LT``: plus, in the DSS of the same revision, the certificates and the OCSP responses / CRLs of the
  signer and of the TSA, fetched at signing time from the addresses in the certificates (the CA's
  services). Signing fails if the signer's certificate is revoked or its revocation status cannot be had;
- ``LTA``: plus a document timestamp over everything, in a second revision (the start of the archive
  timestamp chain that renewal extends).

The default is ``LTA`` when a TSA is configured, else ``B``.
The visible stamp sits at the top right of page 1 and shows the agency name and the signing time in
ISO 8601 with the +07:00 offset, in Liberation Serif (metric-compatible with Times New Roman) 10 pt, black,
with no image (Nghị định 30/2020, Phụ lục I).

Threads: one PadesSigner may be shared by several threads. Its state (key, font bytes, widths) is read-only
after ``__init__``; every ``sign`` call builds its own pyHanko signer, writer, stamp and timestamp client
and runs its own event loop.

Known limit: on a page 1 with /Rotate 90 or 270 the stamp is placed at the top right of the unrotated
page (our PDF/A pages are never rotated).
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
import threading
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import BinaryIO

import requests
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from fontTools import subset
from fontTools.ttLib import TTFont, TTLibError
from fontTools.ttLib.scaleUpem import scale_upem
from fontTools.ttLib.tables.ttProgram import Program
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyhankoSigningError
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko.stamp import BaseStamp, BaseStampStyle, TextStamp, TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathError, PathValidationError, RevokedError
from pyhanko_certvalidator.errors import ValidationError as CertValidationError
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

from pipelines.errors import SigningError
from pipelines.logs import get_logger
from pipelines.model import SignatureInfo
from signing import pdfa_compat  # noqa: F401  (keeps pyHanko's revisions PDF/A)
from signing.keys import AgencyKey

log = get_logger(__name__)
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

VN_TZ = timezone(timedelta(hours=7), "+07")
LEVEL_B = "PAdES-BASELINE-B"
LEVEL_T = "PAdES-BASELINE-T"
LEVEL_LT = "PAdES-BASELINE-LT"
LEVEL_LTA = "PAdES-BASELINE-LTA"
LEVELS = {"B": LEVEL_B, "T": LEVEL_T, "LT": LEVEL_LT, "LTA": LEVEL_LTA}
TIMESTAMP_FIELD = "SohoaArchiveTimestamp"
TEST_SUFFIX = " (TEST)"


@dataclass
class SignedPdf:
    data: bytes
    info: SignatureInfo


@dataclass
class StampStyle:
    font_path: Path = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
    font_size: float = 10
    width: float = 200
    height: float = 50
    margin: float = 18  # from the top and right edges of the page
    text: str = "Ký bởi: %(agency)s\nThời gian ký: %(ts)s"
    padding: float = 3  # between the box edge and the text
    line_spacing: float = 1.2  # leading as a multiple of font_size


def format_signing_time(ts: datetime) -> str:
    """ISO 8601 with the +07:00 offset, to the second: 2026-11-22T11:15:04+07:00."""
    return ts.astimezone(VN_TZ).replace(microsecond=0).isoformat()


class _StampFont(FontEngineFactory):
    """The stamp font, read, normalised and measured once; each document gets its own embedded subset.

    pyHanko writes the font's advance widths into /W as they are, but /W is in 1/1000 em: a font with
    another unitsPerEm (Liberation Serif has 2048) renders with broken spacing in every viewer. So the
    font is rescaled to 1000 units/em here (about 1 s, once per signer). Hinting programs would be wrong
    after scaling and PDF viewers ignore them, so they are dropped.

    The font is then cut down, once, to the characters the stamp can ever show (``charset``: its fixed
    text, the agency name, digits and ASCII): each document's embedded subset is then made from this small
    font, in milliseconds, instead of from the 2,600-glyph original.
    """

    def __init__(self, path: Path, size: float, charset: str) -> None:
        try:
            tt = TTFont(str(path))
            if tt["head"].unitsPerEm != 1000:
                _drop_hinting(tt)
                scale_upem(tt, 1000)
            for table in ("FFTM",):  # FontForge timestamp, not subsettable: only noise
                if table in tt:
                    del tt[table]
            self._cmap: dict[int, str] = tt.getBestCmap()
            self._advance = {name: adv for name, (adv, _lsb) in tt["hmtx"].metrics.items()}
            self._units_per_em: int = tt["head"].unitsPerEm
            self.font_bytes = _presubset(tt, charset)
            self._font_stream = zlib.compress(self.font_bytes)
            self._cidset = zlib.compress(_cidset(TTFont(io.BytesIO(self.font_bytes)).getGlyphOrder()))
        except (OSError, KeyError, AttributeError, TTLibError) as exc:
            raise SigningError(f"the stamp font {path} cannot be read: {exc}") from exc
        self.size = size

    def missing_chars(self, text: str) -> set[str]:
        return {c for c in text if c not in "\n\t " and ord(c) not in self._cmap}

    def text_width(self, text: str) -> float:
        units = 0
        for ch in text:
            glyph = self._cmap.get(ord(ch))
            units += self._advance.get(glyph, self._units_per_em // 2) if glyph else self._units_per_em // 2
        return units * self.size / self._units_per_em

    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:  # type: ignore[no-untyped-def]
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return _PresubsetAccumulator(
            self._font_stream,
            self._cidset,
            writer=writer,
            font_handle=io.BytesIO(self.font_bytes),
            font_size=_whole(self.size),
            obj_stream=obj_stream,
        )


class _PresubsetAccumulator(GlyphAccumulator):
    """pyHanko's font engine, embedding the stamp font as cut down once by _StampFont (already a subset
    of the original holding only what a stamp can show) and compressed once, instead of subsetting and
    compressing it again for every document.

    The font descriptor also gets a /CIDSet (required by PDF/A-1 for a CID font subset): the embedded
    font holds exactly the stamp's glyphs and CIDs are glyph IDs (/CIDToGIDMap /Identity), so every
    glyph of the embedded font is listed."""

    def __init__(self, font_stream: bytes, cidset: bytes, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        cidfont = self.cidfont_obj

        def set_font_file(writer) -> generic.IndirectObject:  # type: ignore[no-untyped-def]
            flate = {generic.pdf_name("/Filter"): generic.pdf_name("/FlateDecode")}
            ref = writer.add_object(generic.StreamObject(dict(flate), encoded_data=font_stream))
            cidfont._font_descriptor[generic.pdf_name("/FontFile2")] = ref
            cidfont._font_descriptor[generic.pdf_name("/CIDSet")] = writer.add_object(
                generic.StreamObject(dict(flate), encoded_data=cidset)
            )
            return ref

        cidfont.set_font_file = set_font_file  # type: ignore[method-assign]

    def _extract_subset(self, options=None) -> None:  # type: ignore[no-untyped-def]
        """Nothing to do: the font is the stamp's subset already."""


def _presubset(tt: TTFont, charset: str) -> bytes:
    options = subset.Options()
    options.layout_closure = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.drop_tables += ["GPOS", "GDEF", "GSUB", "kern"]  # pyHanko drops them from the embedded font too
    subsetter = subset.Subsetter(options=options)
    chars = {ord(c) for c in charset} | set(range(0x20, 0x7F))
    subsetter.populate(unicodes=sorted(chars))
    subsetter.subset(tt)
    buf = io.BytesIO()
    tt.save(buf)
    return buf.getvalue()


def _cidset(glyph_order: list[str]) -> bytes:
    """A /CIDSet bit string (high bit first) with CIDs 0 to len(glyph_order) - 1 present."""
    count = len(glyph_order)
    data = bytearray(b"\xff" * (count // 8))
    if count % 8:
        data.append((0xFF << (8 - count % 8)) & 0xFF)
    return bytes(data)


def _drop_hinting(tt: TTFont) -> None:
    for table in ("fpgm", "prep", "cvt ", "hdmx", "VDMX", "LTSH"):
        if table in tt:
            del tt[table]
    if "glyf" in tt:
        glyf = tt["glyf"]
        for name in tt.getGlyphOrder():
            glyph = glyf[name]
            if hasattr(glyph, "program"):
                empty = Program()
                empty.fromBytecode(b"")
                glyph.program = empty
    if "maxp" in tt and hasattr(tt["maxp"], "maxSizeOfInstructions"):
        tt["maxp"].maxSizeOfInstructions = 0


def _whole(value: float) -> int:
    if value != int(value):
        raise SigningError(f"the stamp font size must be a whole number of points, not {value}")
    return int(value)


def _wrap(font: _StampFont, text: str, width: float) -> list[str]:
    """Greedy word wrap of each line of ``text`` to ``width`` points."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and font.text_width(candidate) > width:
                out.append(line)
                line = word
            else:
                line = candidate
        out.append(line)
    return out


def _inherited(page: object, key: str) -> object | None:
    node = page
    for _ in range(64):  # page trees are shallow; a cycle must not loop forever
        if node is None:
            return None
        value = node.get(key)  # type: ignore[attr-defined]
        if value is not None:
            return value
        parent = node.get("/Parent")  # type: ignore[attr-defined]
        node = parent.get_object() if parent is not None else None
    return None


def _page_top_right(writer: IncrementalPdfFileWriter) -> tuple[float, float]:
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    box = _inherited(page, "/CropBox") or _inherited(page, "/MediaBox")
    if box is None:
        raise SigningError("page 1 of the PDF has no size (MediaBox): re-create the PDF")
    x0, y0, x1, y1 = (float(v) for v in box)  # type: ignore[attr-defined]
    return max(x0, x1), max(y0, y1)


def parse_level(level: str | None, tsa_url: str | None) -> str:
    """``"B"``, ``"T"``, ``"LT"``, ``"LTA"`` (any case, ``B-`` or ``PAdES-BASELINE-`` prefix allowed) to the
    level's full name; ``None`` gives LTA with a TSA, B without."""
    if level is None:
        return LEVEL_LTA if tsa_url else LEVEL_B
    key = level.strip().upper()
    for prefix in ("PADES-BASELINE-", "PADES-B-", "B-"):
        if key.startswith(prefix) and key != "B":
            key = key[len(prefix) :]
    if key not in LEVELS:
        raise SigningError(f"unknown PAdES level {level!r}: use B, T, LT or LTA")
    if key != "B" and not tsa_url:
        raise SigningError(
            f"PAdES level {key} needs a time-stamping authority: set SOHOA_TSA_URL, or sign at level B"
        )
    return LEVELS[key]


class PadesSigner:
    def __init__(
        self,
        key: AgencyKey,
        *,
        stamp: StampStyle | None = StampStyle(),  # noqa: B008 (immutable in practice; the documented default)
        tsa_url: str | None = None,
        field_name: str = "SohoaSignature",
        level: str | None = None,
        trust_roots: Sequence[Path | asn1_x509.Certificate] = (),
        tsa_timeout: float = 30,
    ) -> None:
        """``trust_roots`` (LT and LTA only): the CAs up to which the signer's and the TSA's certificates are
        validated when their revocation data is collected; self-signed certificates that come with the key
        (a PKCS#12 chain) are added to them."""
        self.key = key
        self.stamp = stamp
        self.tsa_url = tsa_url
        self.field_name = field_name
        self._level = parse_level(level, tsa_url)
        self.agency = unicodedata.normalize("NFC", key.name) + (TEST_SUFFIX if key.is_test else "")
        self.signer_name = str(key.certificate.subject.native.get("common_name") or key.name)
        # One timestamp client for every document: it keeps the TSA's sample response (used to size the
        # signature and to find the TSA's certificates), which saves a request per document. It opens an
        # HTTP session per request, so it is not tied to one thread's event loop.
        self._timestamper: TimeStamper | None = (
            _SessionTimeStamper(tsa_url, timeout=tsa_timeout) if tsa_url else None
        )
        self._chain = _key_chain(key)
        self._roots = [
            *_load_roots(trust_roots),
            *(c for c in self._chain if c.self_signed in ("yes", "maybe")),
        ]
        if self._level in (LEVEL_LT, LEVEL_LTA) and not self._roots:
            raise SigningError(
                f"{self._level} needs the root certificate of the signing key's CA to collect revocation "
                "data: give it in SOHOA_TRUST_ANCHORS or put it in the PKCS#12 file"
            )
        self._font: _StampFont | None = None
        if stamp is not None:
            sample = stamp.text % {"agency": self.agency, "ts": "0123456789-T:+"}
            self._font = _StampFont(stamp.font_path, stamp.font_size, sample)
            missing = self._font.missing_chars(sample)
            if missing:
                raise SigningError(
                    f"the stamp font {stamp.font_path} has no glyph for {''.join(sorted(missing))!r}: "
                    "use a font with Vietnamese glyphs such as Liberation Serif"
                )

    @property
    def level(self) -> str:
        """The PAdES level this signer produces, e.g. ``PAdES-BASELINE-LTA``."""
        return self._level

    @property
    def collects_validation_data(self) -> bool:
        return self._level in (LEVEL_LT, LEVEL_LTA)

    def _validation_context(self) -> ValidationContext | None:
        """A fresh context per document (it caches fetched data and its HTTP sessions belong to one event
        loop). Fetching is on: OCSP and CRL addresses come from the certificates; hard-fail, so that a
        revoked certificate, or revocation data that cannot be had, stops the signing."""
        if not self.collects_validation_data:
            return None
        return ValidationContext(
            trust_roots=self._roots,
            other_certs=self._chain,
            allow_fetching=True,
            revocation_mode="hard-fail",
            # requests, not aiohttp: aiohttp loads the system CA bundle for every session (~40 ms each)
            fetcher_backend=RequestsFetcherBackend(per_request_timeout=30),
        )

    def _metadata(self) -> signers.PdfSignatureMetadata:
        ltv = self.collects_validation_data
        return signers.PdfSignatureMetadata(
            field_name=self.field_name,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            embed_validation_info=ltv,
            use_pades_lta=self._level == LEVEL_LTA,
            timestamp_field_name=TIMESTAMP_FIELD if self._level == LEVEL_LTA else None,
            validation_context=self._validation_context(),
            # The DSS goes into the signed revision (LT: one revision) or with the document timestamp
            # (LTA); no VRI dictionaries (deprecated by PAdES, and they force an extra revision).
            dss_settings=DSSContentSettings(
                include_vri=False,
                placement=(
                    SigDSSPlacementPreference.TOGETHER_WITH_NEXT_TS
                    if self._level == LEVEL_LTA
                    else SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE
                ),
            ),
        )

    def _stamp(
        self, writer: IncrementalPdfFileWriter, signed_at: datetime
    ) -> tuple[int, int, int, int] | None:
        """Draw the stamp into page 1's content (in the revision being signed); return its box.

        The text goes into the page content rather than only into the signature widget's appearance, so
        that text extraction (pdfplumber, search, screen readers) sees it; the widget covers the same box
        with an empty appearance, so viewers show the signature there and the text is drawn once.
        """
        if self.stamp is None or self._font is None:
            return None
        st = self.stamp
        text = st.text % {"agency": self.agency, "ts": format_signing_time(signed_at)}
        # pyHanko's layout works with whole numbers (Fractions): keep every size an int.
        padding = round(st.padding)
        lines = _wrap(self._font, text, st.width - 2 * padding)
        width = math.ceil(max(st.width, max(self._font.text_width(line) for line in lines) + 2 * padding))
        leading = round(st.font_size * st.line_spacing)
        height = math.ceil(max(st.height, len(lines) * leading + 2 * padding))
        right, top = _page_top_right(writer)
        x1, y1 = math.floor(right - st.margin), math.floor(top - st.margin)
        box = (x1 - width, y1 - height, x1, y1)
        style = TextStampStyle(
            stamp_text="\n".join(lines).replace("%", "%%"),
            text_box_style=TextBoxStyle(
                font=self._font,
                font_size=_whole(st.font_size),
                leading=leading,
                text_color=(0, 0, 0),
            ),
            inner_content_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MAX,
                margins=layout.Margins.uniform(padding),
                inner_content_scaling=layout.InnerScaling.NO_SCALING,
            ),
            border_width=0,
            background=None,
        )
        TextStamp(writer, style, box=layout.BoxConstraints(width=width, height=height)).apply(
            0, box[0], box[1]
        )
        return box

    def sign(self, pdf: bytes, *, signed_at: datetime | None = None) -> SignedPdf:
        """Sign ``pdf`` (incremental update). ``signed_at`` defaults to now; a naive time is Vietnam time."""
        out = io.BytesIO()
        info = self._sign(io.BytesIO(pdf), out, signed_at)
        data = out.getvalue()
        log.info("signed a PDF (%d bytes, %s)", len(data), self._level)
        return SignedPdf(data=data, info=info)

    def sign_file(self, source: Path, target: Path, *, signed_at: datetime | None = None) -> SignatureInfo:
        """``sign`` from file to file: the PDF is read and the signed copy written in chunks, never held in
        memory whole (a 300-page scan). ``target`` is replaced; it is removed if signing fails."""
        try:
            with open(source, "rb") as src, open(target, "w+b") as out:
                info = self._sign(src, out, signed_at)
        except BaseException:
            Path(target).unlink(missing_ok=True)
            raise
        log.info("signed a PDF (%d bytes, %s)", Path(target).stat().st_size, self._level)
        return info

    def _sign(self, pdf: BinaryIO, output: BinaryIO, signed_at: datetime | None) -> SignatureInfo:
        """Sign the PDF read from ``pdf`` into ``output`` (readable and seekable: the signed byte ranges are
        hashed from it)."""
        if signed_at is None:
            signed_at = datetime.now(VN_TZ)
        elif signed_at.tzinfo is None:
            signed_at = signed_at.replace(tzinfo=VN_TZ)
        signed_at = signed_at.astimezone(VN_TZ).replace(microsecond=0)
        try:
            writer = IncrementalPdfFileWriter(pdf, strict=False)
        except (PdfError, ValueError, KeyError, TypeError) as exc:
            raise SigningError(f"the PDF to sign cannot be read: {exc}") from exc
        if writer.security_handler is not None:
            raise SigningError("the PDF to sign is encrypted: sign the unencrypted PDF/A copy")
        try:
            box = self._stamp(writer, signed_at)
            meta = self._metadata()
            spec = fields.SigFieldSpec(sig_field_name=self.field_name, on_page=0, box=box)
            pdf_signer = _TimedPdfSigner(
                meta,
                self.key.signer,
                signed_at=signed_at,
                timestamper=self._timestamper if self._level != LEVEL_B else None,
                stamp_style=_BlankAppearance(border_width=0, background=None),
                new_field_spec=spec,
            )
            pdf_signer.sign_pdf(writer, output=output)
        except SigningError:
            raise
        except TimestampRequestError as exc:
            raise SigningError(
                f"the time-stamping authority {self.tsa_url} did not give a timestamp: {exc}"
            ) from exc
        except (PyhankoSigningError, PathError, CertValidationError) as exc:
            raise _signing_error(exc, self.signer_name) from exc
        except PdfError as exc:
            raise SigningError(f"the PDF could not be signed: {exc}") from exc
        except OSError as exc:  # aiohttp connection errors are OSErrors
            raise SigningError(
                f"the time-stamping authority {self.tsa_url} cannot be reached: {exc}"
            ) from exc
        return SignatureInfo(level=self._level, signed_at=signed_at, signer=self.signer_name)


def _signing_error(exc: Exception, signer: str) -> SigningError:
    """pyHanko's error, with the cause (revoked, no chain, no revocation data) in plain words."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, RevokedError):
            return SigningError(
                f"the signing certificate '{signer}' (or a CA above it) is revoked: {cause}. "
                "Do not sign with it; install the agency's new certificate"
            )
        if isinstance(cause, PathBuildingError):
            return SigningError(
                f"no chain from the signing certificate '{signer}' (or the TSA's) to a trusted root: "
                "add the CA's root to SOHOA_TRUST_ANCHORS"
            )
        if isinstance(cause, PathValidationError):
            return SigningError(
                f"the signing certificate '{signer}' (or the TSA's) could not be validated: {cause}. "
                "Check that the CA's OCSP/CRL services can be reached"
            )
        cause = cause.__cause__ or (
            cause.args[1] if len(cause.args) > 1 and isinstance(cause.args[1], BaseException) else None
        )
    return SigningError(f"the PDF could not be signed: {exc}")


def _load_roots(items: Sequence[Path | asn1_x509.Certificate]) -> list[asn1_x509.Certificate]:
    from signing.verify import load_certificates

    out: list[asn1_x509.Certificate] = []
    for item in items:
        if isinstance(item, asn1_x509.Certificate):
            out.append(item)
        else:
            try:
                out.extend(load_certificates(Path(item)))
            except (OSError, ValueError) as exc:
                raise SigningError(f"the trust anchor {item} cannot be read: {exc}") from exc
    return out


def _key_chain(key: AgencyKey) -> list[asn1_x509.Certificate]:
    """The signing certificate and the CA certificates that came with the key."""
    registry = getattr(key.signer, "cert_registry", None)
    certs = list(registry) if registry is not None else []
    if not any(c.dump() == key.certificate.dump() for c in certs):
        certs.insert(0, key.certificate)
    return certs


class _SessionTimeStamper(RequestsHTTPTimeStamper):
    """RFC 3161 client over one keep-alive ``requests`` session per thread (no new connection, and for
    https no new TLS context, per timestamp)."""

    def __init__(self, url: str, timeout: float) -> None:
        super().__init__(url, timeout=timeout)
        self._local = threading.local()

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        def task() -> tsp.TimeStampResp:
            session = getattr(self._local, "session", None)
            if session is None:
                session = self._local.session = requests.Session()
            try:
                res = session.post(self.url, req.dump(), headers=self.request_headers(), timeout=self.timeout)
            except (OSError, requests.RequestException) as exc:
                raise TimestampRequestError(
                    f"error in communication with the timestamp server: {exc}"
                ) from exc
            if res.headers.get("Content-Type") != "application/timestamp-reply":
                raise TimestampRequestError(
                    f"the timestamp server answered HTTP {res.status_code} {res.headers.get('Content-Type')}"
                )
            return tsp.TimeStampResp.load(res.content)

        return await asyncio.to_thread(task)


class _TimedPdfSigner(signers.PdfSigner):
    """A PdfSigner whose signing time (CMS signing-time, /M and the stamp) is the one we choose."""

    def __init__(self, *args, signed_at: datetime, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._signed_at = signed_at

    def init_signing_session(self, pdf_out, existing_fields_only=False):  # type: ignore[no-untyped-def]
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signed_at
        return session


@dataclass(frozen=True)
class _BlankAppearance(BaseStampStyle):
    """An empty (but present, as PDF/A requires) appearance for the signature widget."""

    def create_stamp(self, writer, box, text_params) -> BaseStamp:  # type: ignore[no-untyped-def]
        return _BlankStamp(writer=writer, style=self, box=box)


class _BlankStamp(BaseStamp):
    def _render_inner_content(self) -> list[bytes]:
        return []
