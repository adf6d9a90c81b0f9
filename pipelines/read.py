"""Stage 2: the text of every page — the PDF text layer where there is one, otherwise one Tesseract pass.

Pages are streamed from the file and OCR'd in parallel on a shared pool (one single-threaded Tesseract
process per worker); at most ``2 × workers`` rendered pages are held at once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future

from extractors.ocr import read_page
from extractors.pages import PageInput, open_document
from extractors.quality import measure_exposure, rescan_reasons
from pipelines.model import PageText


def read_one(page: PageInput, lang: str) -> PageText:
    """Text layer or prepare + OCR, with the page's rescan reasons (blank, low dpi, too dark or light,
    unreadable)."""
    text = read_page(page, lang)
    exposure = measure_exposure(page.image, page.dpi) if page.image is not None else None
    text.rescan = rescan_reasons(text, source_dpi=page.source_dpi, exposure=exposure)
    return text


def read_pages(
    data: bytes,
    name: str,
    *,
    lang: str = "vie",
    pool: Executor | None = None,
    workers: int = 1,
    on_page: Callable[[PageText], None] | None = None,
) -> list[PageText]:
    """All pages of a document in order. Raises BadInputError/QuarantineError for files that cannot be read."""
    results: list[PageText] = []
    pending: deque[Future[PageText] | PageText] = deque()
    limit = max(2, 2 * workers)

    def drain(keep: int) -> None:
        while len(pending) > keep:
            item = pending.popleft()
            page = item if isinstance(item, PageText) else item.result()
            results.append(page)
            if on_page:
                on_page(page)

    with open_document(data, name) as doc:
        for page in doc.pages():
            if pool is None or page.text_page is not None:
                pending.append(read_one(page, lang))
            else:
                pending.append(pool.submit(read_one, page, lang))
            drain(limit)
        drain(0)
    return results
