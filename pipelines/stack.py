"""Stage 0 for scanning rooms: a whole stack (one PDF or TIFF, separator sheets between dossiers) becomes
the usual source layout — one folder per dossier, one file per document — before ingest.

The pages are only looked at for separator sheets and blank backs (no OCR here); each document's file
keeps the scanned images untouched (PDF) or losslessly (TIFF).
"""

from __future__ import annotations

import json
from pathlib import Path

from extractors.pages import open_document
from pipelines.inventory import Inventory
from pipelines.split import SplitResult, StackPage, scan_page, slice_stack, split_stack


def explode_stack(
    stack: Path,
    out_dir: Path,
    *,
    mode: str = "separators",
    count: int | None = None,
    inventory: Inventory | None = None,
) -> SplitResult:
    """Split ``stack`` into ``out_dir/<dossier code>/<NNN>-<name>`` files, with a dossier.json carrying the
    dossier code and what the inventory says of it. A dossier whose separator could not be read goes to
    ``unidentified-NNN`` (flagged in the result), never merged into its neighbour."""
    data = stack.read_bytes()
    pages: list[StackPage] = []
    with open_document(data, stack.name) as doc:
        for p in doc.pages():
            if p.image is not None:
                pages.append(scan_page(p.index, p.image, p.dpi))
            else:  # a page with a text layer: content, never a separator
                pages.append(StackPage(p.index, p.text_page, None, bool(p.text_page and p.text_page.blank)))
    result = split_stack(pages, mode=mode, count=count, inventory=inventory)  # type: ignore[arg-type]
    for n, dossier in enumerate(result.dossiers, 1):
        folder = out_dir / (dossier.code or f"unidentified-{n:03d}")
        folder.mkdir(parents=True, exist_ok=True)
        if dossier.code:
            info: dict[str, str | None] = {"dossier_code": dossier.code}
            entry = inventory.get(dossier.code) if inventory else None
            if entry is not None:
                info |= {
                    "title": entry.title,
                    "start_date": entry.start_date,
                    "end_date": entry.end_date,
                    "retention": entry.retention,
                    "access_mode": entry.access_mode,
                    "original_code": entry.original_code,
                }
            (folder / "dossier.json").write_text(
                json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8"
            )
        for i, document in enumerate(dossier.documents, 1):
            if not document.pages:
                continue
            piece, name = slice_stack(data, stack.name, document.pages)
            (folder / f"{i:03d}-{name}").write_bytes(piece)
    return result
