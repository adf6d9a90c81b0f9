"""The OCR pool prepares pages in more threads than there are workers; Tesseract itself never runs in more
processes at once than ``workers`` (the parallelism the benchmarks compare against raw Tesseract)."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from extractors import tesseract_slots
from pipelines.read import read_pages
from tests.extractors.test_pages import VIETNAMESE_LINES, render_text_page


def _tesseract_children() -> int:
    me, count = str(os.getpid()), 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
                head, tail = f.read().rsplit(")", 1)
        except OSError:
            continue
        count += head.endswith("(tesseract") and tail.split()[1] == me
    return count


def test_tesseract_runs_in_at_most_workers_processes_while_more_threads_prepare() -> None:
    scans = [
        render_text_page([f"Trang {n}", *VIETNAMESE_LINES[:2]], dpi=200, inches=(6.0, 3.0)) for n in range(6)
    ]
    out = __import__("io").BytesIO()
    scans[0].save(out, format="TIFF", save_all=True, append_images=scans[1:], dpi=(200, 200))
    seen: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.005):
            seen.append(_tesseract_children())

    watcher = threading.Thread(target=watch)
    tesseract_slots.configure(1)
    try:
        watcher.start()
        with ThreadPoolExecutor(4) as pool:
            pages = read_pages(out.getvalue(), "sáu-trang.tif", pool=pool, workers=4)
    finally:
        stop.set()
        watcher.join()
        tesseract_slots.configure(None)
    assert [p.index for p in pages] == list(range(6))
    assert all(f"Trang {n}" in p.text for n, p in enumerate(pages))
    assert max(seen) == 1  # one slot: never two Tesseracts at once, though four threads read pages
