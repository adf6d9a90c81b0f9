"""A page of a document as a PNG for the review screen: the PDF/A copy (or the original PDF) rendered with
pypdfium2. Field boxes are drawn by the browser over the image in the page's own coordinates."""

from __future__ import annotations

import io
import threading
from collections import OrderedDict

import pypdfium2 as pdfium

from flows.runtime import Runtime
from pipelines.errors import NotFoundError
from storage import repository as repo

RENDER_DPI = 110  # enough to read a field at screen size, small enough to send quickly
_cache: OrderedDict[tuple[str, str, int], bytes] = OrderedDict()
_cache_lock = threading.Lock()
_pdfium_lock = threading.Lock()  # pdfium is not thread-safe
CACHE_SIZE = 64


def render_pdf_page(pdf: bytes, index: int, dpi: int = RENDER_DPI) -> bytes:
    with _pdfium_lock:
        doc = pdfium.PdfDocument(pdf)
        try:
            if not 0 <= index < len(doc):
                raise NotFoundError(f"the document has no page {index + 1}")
            image = doc[index].render(scale=dpi / 72).to_pil()
        finally:
            doc.close()
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def page_png(rt: Runtime, doc_id: str, index: int) -> bytes:
    """The PNG of page ``index`` (0-based) of a document's PDF/A copy, else of its original PDF."""
    with rt.db.session(readonly=True) as s:
        obj = repo.get_derived_pdf(s, doc_id) or repo.get_original(s, doc_id)
    if obj is None:
        raise NotFoundError(f"document {doc_id} has no stored copy to show")
    key = (doc_id, obj.sha256 or obj.key, index)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    data = rt.store.get(obj.bucket, obj.key, obj.version_id)
    if data[:5] == b"%PDF-":
        png = render_pdf_page(data, index)
    else:  # an image original (PNG/JPEG/TIFF)
        from PIL import Image

        img = Image.open(io.BytesIO(data))
        img.seek(index)
        buf = io.BytesIO()
        img.convert("RGB").save(buf, format="PNG")
        png = buf.getvalue()
    with _cache_lock:
        _cache[key] = png
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return png
