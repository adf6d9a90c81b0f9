"""A long scanned PDF as a scanner writes it (one JPEG per page), for memory tests and benchmarks."""

from __future__ import annotations

import io
import random

from .content import sample_fields
from .degrade import degrade_page
from .generate import DOC_TYPES, render_pages
from .writers import jpeg_pdf


def long_scan_pdf(pages: int, distinct: int, seed: int) -> bytes:
    """``pages`` pages of "scan" quality: ``distinct`` rendered and degraded pages repeated in turn (the
    memory a page needs does not depend on its words, and rendering every page would take longer than
    reading them). Citizen ID cards are left out: a long document is not a stack of cards."""
    rng = random.Random(seed)
    types = [t for t in DOC_TYPES if t != "citizen_id"]
    scans: list[tuple[bytes, int]] = []
    while len(scans) < distinct:
        doc_type = types[len(scans) % len(types)]
        image, dpi = degrade_page(
            render_pages(doc_type, sample_fields(doc_type, rng), rng=rng)[0], rng=rng, level="scan"
        )
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=80)
        scans.append((buf.getvalue(), dpi))
    return jpeg_pdf([scans[i % distinct] for i in range(pages)])
