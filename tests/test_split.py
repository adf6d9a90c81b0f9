"""Splitting generated scanned stacks (sohoa/samples/stacks.py) with real zxing-cpp and Tesseract."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest

from extractors.pages import open_document
from pipelines.read import read_pages
from pipelines.split import SplitResult, StackPage, scan_page, slice_stack, split_stack
from sohoa.samples.stacks import GeneratedStack, generate_stack


def _scan(stack: GeneratedStack, texts: list | None = None) -> list[StackPage]:
    return [scan_page(i, img, stack.dpi, texts[i] if texts else None) for i, img in enumerate(stack.images())]


def _shape(result: SplitResult) -> list[tuple[str | None, list[int]]]:
    return [(d.code, [len(doc.pages) for doc in d.documents]) for d in result.dossiers]


@pytest.fixture(scope="module")
def simplex() -> GeneratedStack:
    return generate_stack(seed=11, dossiers=3, docs_per_dossier=(1, 2))


@pytest.fixture(scope="module")
def duplex() -> GeneratedStack:
    return generate_stack(seed=11, dossiers=3, docs_per_dossier=(1, 2), duplex=True)


def test_separators_split_exactly(simplex: GeneratedStack) -> None:
    result = split_stack(_scan(simplex), mode="separators")
    assert result.flags == []
    assert [d.code for d in result.dossiers] == [d.code for d in simplex.dossiers]
    assert [[doc.pages for doc in d.documents] for d in result.dossiers] == [
        d.doc_pages for d in simplex.dossiers
    ]
    assert not set(result.separator_pages) & {p for d in simplex.dossiers for doc in d.doc_pages for p in doc}
    assert result.duplex is False


def test_duplex_gives_the_same_dossiers(simplex: GeneratedStack, duplex: GeneratedStack) -> None:
    one = split_stack(_scan(simplex))
    two = split_stack(_scan(duplex))  # duplex guessed from the stack
    assert two.duplex is True and two.flags == []
    assert _shape(one) == _shape(two)
    assert one.captured() == two.captured()
    assert [[doc.pages for doc in d.documents] for d in two.dossiers] == [
        d.doc_pages for d in duplex.dossiers
    ]
    assert sum(d.blank_pages for d in two.dossiers) == sum(d.pages for d in two.dossiers)


def test_damaged_qr_is_flagged_not_merged() -> None:
    stack = generate_stack(seed=12, dossiers=3, docs_per_dossier=(1, 2), damaged_separator=1)
    result = split_stack(_scan(stack))
    bad = stack.dossiers[1]
    assert any(f"page {bad.separator_page + 1}:" in f and "cannot be read" in f for f in result.flags)
    assert [d.code for d in result.dossiers] == [stack.dossiers[0].code, None, stack.dossiers[2].code]
    assert result.dossiers[1].suspect
    assert [doc.pages for doc in result.dossiers[1].documents] == bad.doc_pages  # nothing merged


def test_missing_separator_is_flagged_by_heading_and_inventory(tmp_path) -> None:
    from pipelines.inventory import load_inventory

    stack = generate_stack(
        seed=13, dossiers=3, docs_per_dossier=(2, 2), missing_separator=1, types=["birth_certificate"]
    )
    data = stack.to_pdf()
    with ProcessPoolExecutor(2) as pool:
        texts = read_pages(data, "stack.pdf", pool=pool, workers=2)
    result = split_stack(_scan(stack, texts))
    merged_first = stack.dossiers[1].doc_pages[0][0]
    assert any(f"page {merged_first + 1}: a new national heading" in f for f in result.flags), result.flags
    inventory = load_inventory(stack.write_inventory_csv(tmp_path / "muc-luc.csv"))
    sized = split_stack(_scan(stack), inventory=inventory)  # without OCR: the size still gives it away
    assert any(stack.dossiers[0].code in f and "inventory lists" in f for f in sized.flags), sized.flags


def test_blank_and_count_modes(duplex: GeneratedStack, simplex: GeneratedStack) -> None:
    pages = _scan(duplex)
    by_count = split_stack(pages, mode="count", count=1, duplex=True)
    assert len(by_count.dossiers) == sum(d.expected_sheets for d in duplex.dossiers)
    # the same box with a blank sheet where each dossier sheet was, and no "next document" sheets
    firsts = {d.separator_page for d in simplex.dossiers}
    blank_cut = [
        StackPage(p.index, None, None, True) if p.index in firsts else p
        for p in _scan(simplex)
        if p.separator is None or p.index in firsts
    ]
    by_blank = split_stack(blank_cut, mode="blank", codes=["A", "B", "C"])
    assert [d.code for d in by_blank.dossiers] == ["A", "B", "C"]
    assert [d.documents[0].pages for d in by_blank.dossiers] == [
        [p for doc in d.doc_pages for p in doc] for d in simplex.dossiers
    ]
    with pytest.raises(Exception, match="count"):
        split_stack(pages, mode="count")


def test_slice_stack_keeps_the_pages(simplex: GeneratedStack) -> None:
    doc_pages = simplex.dossiers[0].doc_pages[0]
    data, name = slice_stack(simplex.to_pdf(), "box-01.pdf", doc_pages)
    assert name.endswith(".pdf")
    with open_document(data, name) as doc:
        assert doc.page_count == len(doc_pages)
    tif, tname = slice_stack(simplex.to_tiff(), "box-01.tif", doc_pages)
    with open_document(tif, tname) as doc:
        assert doc.page_count == len(doc_pages)
