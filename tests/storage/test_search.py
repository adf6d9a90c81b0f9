"""Search ignores diacritics and case, over OCR page text and field values, on both backends."""

from __future__ import annotations

import unicodedata

from storage import repository as repo
from storage.access_log import list_access
from storage.db.database import Database
from storage.search import search, snippet


def test_search_ignores_diacritics_and_case(database: Database, store_document) -> None:  # noqa: ANN001
    store_document(
        "cccd-1",
        "citizen_id",
        {"personal_id": "001190012345", "full_name": "NGUYỄN THỊ ÁNH"},
        text="CĂN CƯỚC CÔNG DÂN\nHọ và tên: NGUYỄN THỊ ÁNH\nQuê quán: Đông Hòa",
        dossier_code="H31.01.05-240315-0042",
    )
    store_document(
        "qd-1",
        "decision",
        {"subject": "Về việc cấp phép"},
        text="Quyết định số 12/QĐ-UBND\nnguyễn thị ánh hồng",
    )
    store_document("qd-2", "decision", {"subject": "Khác"}, text="Nguyễn Văn Ánh, Thị trấn Đông Anh")
    with database.session(readonly=True) as s:
        hits = search(s, "nguyen thi anh")
        assert search(s, "NGUYỄN THỊ ÁNH") == hits
        assert search(s, unicodedata.normalize("NFD", "Nguyễn Thị Ánh")) == hits
        dong = search(s, "dong hoa")
        assert search(s, "   ") == [] and search(s, "không có ai") == []
        by_id = search(s, "001190012345")
        quyet = search(s, "quyet dinh so 12")
    assert {(h.document_id, h.where) for h in hits} == {
        ("cccd-1", "field full_name"),
        ("cccd-1", "page 1"),
        ("qd-1", "page 1"),
    }
    assert hits[0].where.startswith("field")  # fields come first
    field_hit = next(h for h in hits if h.where == "field full_name")
    assert field_hit.snippet == "NGUYỄN THỊ ÁNH" and field_hit.dossier_code == "H31.01.05-240315-0042"
    page_hit = next(h for h in hits if h.document_id == "qd-1")
    assert "nguyễn thị ánh" in page_hit.snippet and page_hit.page == 0 and page_hit.doc_type == "decision"
    assert [h.document_id for h in dong] == ["cccd-1"] and "Đông Hòa" in dong[0].snippet
    assert [h.where for h in by_id] == ["field personal_id"]
    assert [h.document_id for h in quyet] == ["qd-1"]


def test_search_follows_corrections_and_logs_when_asked(database: Database, store_document) -> None:  # noqa: ANN001
    store_document("cccd-1", "citizen_id", {"full_name": "Nguyễn Thị Ánh"}, text="x")
    with database.session() as s:
        repo.set_field(s, "cccd-1", "full_name", "Trần Thị Bích", changed_by="cán bộ")
    with database.session() as s:
        assert search(s, "nguyen thi anh") == []
        hits = search(s, "tran thi bich", actor="cán bộ", purpose="tra cứu", limit=5)
    assert [h.to_dict()["where"] for h in hits] == ["field full_name"]
    store_document("cccd-1", "citizen_id", {}, text="y")  # a rerun that lost the field
    with database.session() as s:
        assert search(s, "tran thi bich") != []  # an officer's value outlives reruns
        assert list_access(s, subject_kind="query")[0].subject_id == "tran thi bich"


def test_snippet_maps_folded_match_back_to_the_written_text() -> None:
    text = "Ủy ban nhân dân " * 10 + "cấp cho bà Nguyễn Thị Ánh, sinh năm 1990. " + "Nội dung " * 20
    out = snippet(text, ["nguyen", "thi", "anh"])
    assert "bà Nguyễn Thị Ánh, sinh" in out and out.startswith("…") and out.endswith("…")


def test_parts_of_words_fill_in_after_whole_words(database: Database, store_document) -> None:  # noqa: ANN001
    store_document(
        "cccd-1", "citizen_id", {"personal_id": "001190012345", "full_name": "Nguyễn Thị Ánh"}, text=""
    )
    store_document("cccd-2", "citizen_id", {"full_name": "Lê Văn Thanh"}, text="Quyết định số 7")
    store_document("qd-1", "decision", {"subject": "Khác"}, text="Thị trấn Đông Anh, huyện Đông Anh")
    with database.session(readonly=True) as s:
        anh = search(s, "ANH", parts=True)
        words_only = search(s, "ANH")  # whole words found: no parts unless asked for
        by_prefix = search(s, "0011900")
        across = search(s, "thi an")  # a word and the start of the next
        whole_only = search(s, "anh", parts=False)
        short = search(s, "an")
        first = search(s, "anh", limit=1, parts=True)
    words = {(h.document_id, h.where) for h in anh if h.match == "word"}
    assert words == {("cccd-1", "field full_name"), ("cccd-1", "page 1"), ("qd-1", "page 1")}
    assert [(h.document_id, h.where, h.match) for h in anh[len(words) :]] == [
        ("cccd-2", "field full_name", "part")
    ]
    assert [h for h in anh if h.match == "word"] == anh[: len(words)] == words_only  # whole words come first
    assert [h.snippet for h in anh if h.match == "part"][0] == "Lê Văn Thanh"
    assert [(h.document_id, h.where, h.match) for h in by_prefix] == [
        ("cccd-1", "field personal_id", "part"),
        ("cccd-1", "page 1", "part"),
    ]
    assert {(h.document_id, h.where) for h in across} == {("cccd-1", "field full_name"), ("cccd-1", "page 1")}
    assert all(h.match == "part" for h in across)
    assert {h.document_id for h in whole_only} == {"cccd-1", "qd-1"} and short == []
    assert len(first) == 1 and first[0].match == "word"
    with database.session(readonly=True) as s:
        assert search(s, "0011900", parts=False) == []


def test_trigram_index_follows_updates_and_deletes(database: Database, store_document) -> None:  # noqa: ANN001
    store_document("cccd-1", "citizen_id", {"full_name": "Nguyễn Thị Ánh"}, text="Phường Bến Thành")
    with database.session() as s:
        repo.set_field(s, "cccd-1", "full_name", "Trần Văn Bảo", changed_by="cán bộ")
    store_document("cccd-1", "citizen_id", {}, text="Phường Đa Kao")  # a rerun: the page is replaced
    with database.session(readonly=True) as s:
        assert search(s, "thanh") == [] and search(s, "guyen") == []
        assert [(h.where, h.match) for h in search(s, "ran va")] == [("field full_name", "part")]
        assert [(h.where, h.match) for h in search(s, "kao")] == [("page 1", "word")]


def test_phrase_of_common_words_is_found_only_side_by_side(database: Database, store_document) -> None:  # noqa: ANN001
    heading = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
    store_document(
        "cccd-1", "citizen_id", {"full_name": "Đỗ Công Minh Nam"}, text=heading + "ĐỖ CÔNG MINH NAM"
    )
    store_document("cccd-2", "citizen_id", {"full_name": "Lê Minh"}, text=heading + "LÊ MINH")
    with database.session(readonly=True) as s:
        name = search(s, "do cong minh nam", parts=False)
        heading_hits = search(s, "tu do hanh phuc", parts=False)
        apart = search(s, "nam doc lap tu do cong", parts=False)
    assert {(h.document_id, h.where) for h in name} == {("cccd-1", "field full_name"), ("cccd-1", "page 1")}
    assert {h.document_id for h in heading_hits} == {"cccd-1", "cccd-2"}
    assert apart == []
