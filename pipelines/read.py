"""Stage 2: the text of every page — the PDF text layer where there is one, otherwise one Tesseract pass.

Pages are streamed from the file and OCR'd in parallel on a shared pool (one single-threaded Tesseract
process per worker); at most ``2 × workers`` rendered pages are held at once. With a ``PageSpool``, each
page's one-page searchable PDF goes to a file as soon as the page is read, so a long scan holds only its
words in memory, not its images (issue 3: a 300-page scan under 1.5 GB).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path
from types import TracebackType

from extractors.ocr import read_page
from extractors.pages import PageInput, open_document
from extractors.quality import measure_exposure, rescan_reasons
from pipelines.model import PageText

SPOOL_PREFIX = "sohoa-doc-"


class PageSpool:
    """A document's working files on disk: its pages' PDFs, then the PDF/A and its signed copy.

    One temporary directory per document (``sohoa-doc-<pid>-*`` under ``dir``, made if missing, or the
    system's temporary directory), removed by ``close()`` or on leaving the ``with`` block, whatever
    happened. A process killed outright leaves its spool behind: ``sweep_spools`` removes those of processes
    that are gone (the runtime calls it when it starts).
    """

    def __init__(self, dir: Path | str | None = None) -> None:
        if dir is not None:
            Path(dir).mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f"{SPOOL_PREFIX}{os.getpid()}-", dir=dir))

    def spill(self, page: PageText) -> None:
        """Move the page's PDF bytes into a file of the spool; ``page.pdf`` becomes that file's path."""
        if isinstance(page.pdf, bytes):
            path = self.path / f"page-{page.index:05d}.pdf"
            path.write_bytes(page.pdf)
            page.pdf = path

    def file(self, name: str) -> Path:
        """A path in the spool for a working file (``pdfa.pdf``, ``signed.pdf``)."""
        return self.path / name

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> PageSpool:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def sweep_spools(dir: Path) -> int:
    """Remove the spools under ``dir`` left by processes that no longer run (killed in the middle of a
    document). Returns how many were removed."""
    removed = 0
    for path in dir.glob(f"{SPOOL_PREFIX}*-*") if dir.is_dir() else ():
        pid = path.name[len(SPOOL_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or _running(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed += 1
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid <= 2**22  # another user's process, or no such pid at all
    return True


def page_pdf_bytes(page: PageText) -> bytes | None:
    """The page's one-page PDF, whether held as bytes or spilled to a file."""
    if isinstance(page.pdf, Path):
        return page.pdf.read_bytes()
    return page.pdf


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
    spool: PageSpool | None = None,
) -> list[PageText]:
    """All pages of a document in order. Raises BadInputError/QuarantineError for files that cannot be read.

    ``spool``: each page's PDF is written there as soon as the page is read (``PageText.pdf`` is then the
    file's path)."""
    results: list[PageText] = []
    pending: deque[Future[PageText] | PageText] = deque()
    limit = max(2, 2 * workers)

    def drain(keep: int) -> None:
        while len(pending) > keep:
            item = pending.popleft()
            page = item if isinstance(item, PageText) else item.result()
            if spool is not None:
                spool.spill(page)
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
