"""Keep pyHanko's incremental updates PDF/A: two small adjustments to pyHanko 0.38, applied on import.

Every revision pyHanko writes (the signature, the DSS, each document timestamp, also those pyHanko makes
internally for LTA and for timestamp renewal) passes through them:

- XMP: pyHanko rewrites the XMP packet (producer, modification date) and declares the ``dc`` namespace on
  each property element; PDFBox Preflight's XMP parser then reports "7.3 Schema is not set in this
  document". The packet is written with every namespace declared on its ``rdf:Description``.
- Info and XMP must agree (PDF/A-1, Preflight 7.2): pyHanko appends its name to the /Producer of the
  Info dictionary ("sohoa; pyHanko 0.38.0") but writes only its own name into pdf:Producer, and it reads
  the clock twice for /ModDate and xmp:ModifyDate (a second may tick between). The XMP producer follows
  the Info rule, and both dates come from one reading of the clock.
- Widgets: an invisible signature or document timestamp field (zero-size /Rect) gets no appearance stream;
  PDF/A wants one for every widget (Preflight 5.3.1). It gets the appearance stream of a signature widget
  of an earlier revision (see ``_earlier_appearance``), or a new empty one. The Print flag is already set
  by pyHanko's default ``InvisSigSettings``.

Both are pure additions to what pyHanko writes; nothing in the signed bytes' semantics changes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from typing import BinaryIO

import tzlocal
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils import writer as pdf_writer
from pyhanko.pdf_utils.metadata import model, xmp_xml
from pyhanko.sign import fields

from pipelines.pdfa import hoist_xmp_namespaces

_APPLIED = "_sohoa_pdfa_compat"


def _serialise_xmp(roots, out: BinaryIO) -> None:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    _original_serialise(roots, buf)
    out.write(hoist_xmp_namespaces(buf.getvalue()))


def _update_xmp_with_meta(
    meta: model.DocumentMetadata, roots: Iterable[model.XmpStructure] = ()
) -> list[model.XmpStructure]:
    roots = list(roots)
    old = next((v.value for root in roots for k, v in root if k == model.PDF_PRODUCER), None)
    result = _original_update_xmp(meta, roots)
    if isinstance(old, str) and old:
        first = dict(result[0])
        first[model.PDF_PRODUCER] = model.XmpValue(old if model.VENDOR in old else f"{old}; {model.VENDOR}")
        result = [model.XmpStructure(first), *result[1:]]
    return result


def _update_info_dict(meta: model.DocumentMetadata, info, only_update_existing: bool = False) -> bool:  # type: ignore[no-untyped-def]
    if meta.last_modified == "now":  # read the clock once: the XMP is written next from the same meta
        meta.last_modified = datetime.now(tz=tzlocal.get_localzone()).replace(microsecond=0)
    return _original_update_info(meta, info, only_update_existing)


def _register_widget_annotation(self, writer, sig_field_ref):  # type: ignore[no-untyped-def]
    annot = self.annot_dict
    if "/AP" not in annot:
        rect = [float(v) for v in annot.get("/Rect", [0, 0, 0, 0])]
        if rect[0] == rect[2] or rect[1] == rect[3]:
            appearance = _earlier_appearance(writer)
            if appearance is None:
                empty = generic.StreamObject(
                    {
                        generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
                        generic.pdf_name("/Subtype"): generic.pdf_name("/Form"),
                        generic.pdf_name("/BBox"): generic.ArrayObject([generic.NumberObject(0)] * 4),
                    },
                    stream_data=b"",
                )
                appearance = writer.add_object(empty)
            annot[generic.pdf_name("/AP")] = generic.DictionaryObject({generic.pdf_name("/N"): appearance})
    return _original_register(self, writer, sig_field_ref)


def _earlier_appearance(writer) -> generic.IndirectObject | None:  # type: ignore[no-untyped-def]
    """The appearance stream of a signature widget of an earlier revision, to be shared by a new
    zero-size widget. A new widget may show nothing (its /Rect has no area), and referring to an object
    of an earlier revision keeps the update at pyHanko's "LTA updates" level: a new appearance stream
    would make a later document timestamp count as "form filling" for the signatures before it."""
    try:
        sig_fields = writer.root["/AcroForm"]["/Fields"]
    except (KeyError, TypeError):
        return None
    for ref in sig_fields:
        field = ref.get_object()
        if field.get("/FT") != "/Sig":
            continue
        for widget in [field, *(kid.get_object() for kid in field.get("/Kids", []))]:
            ap = widget.get("/AP")
            if not isinstance(ap, generic.DictionaryObject):
                continue
            normal = ap.raw_get("/N") if "/N" in ap else None
            if (
                isinstance(normal, generic.IndirectObject)
                and isinstance(normal.get_object(), generic.StreamObject)
                and normal.get_object().get("/Subtype") == "/Form"
            ):
                return normal
    return None


if not getattr(xmp_xml, _APPLIED, False):
    _original_serialise = xmp_xml.serialise_xmp
    _original_register = fields.SignatureFormField.register_widget_annotation
    _original_update_xmp = xmp_xml.update_xmp_with_meta
    _original_update_info = pdf_writer.update_info_dict
    xmp_xml.serialise_xmp = _serialise_xmp
    xmp_xml.update_xmp_with_meta = _update_xmp_with_meta
    pdf_writer.update_info_dict = _update_info_dict
    fields.SignatureFormField.register_widget_annotation = _register_widget_annotation  # type: ignore[method-assign]
    setattr(xmp_xml, _APPLIED, True)
