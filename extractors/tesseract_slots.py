"""At most N Tesseract processes at once, however many threads prepare pages.

A page's own Python work (decoding, colour dropout, seal and picture lifting, deskew, the archive page) used
to run in the same OCR worker thread as its Tesseract, so while a worker prepared a page its core had no
Tesseract to run (``benchmarks/bench_ingest.py`` measured the slots busy ~71 % of the time against 99 % for
raw Tesseract). The runtime now gives the OCR pool more threads than workers and caps Tesseract itself here:
pages are prepared while others are read, and the parallelism of Tesseract stays ``workers``.

Unconfigured (tests, library use), there is no cap.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_slots: threading.BoundedSemaphore | None = None


def configure(workers: int | None) -> None:
    """Allow ``workers`` Tesseract processes at once in this process (None: no cap)."""
    global _slots
    _slots = threading.BoundedSemaphore(workers) if workers else None


@contextmanager
def tesseract_slot() -> Iterator[None]:
    """Hold one of the slots while a Tesseract process runs."""
    slots = _slots
    if slots is None:
        yield
        return
    with slots:
        yield
