"""Cross-document checks of one dossier over the real extractors (pages built from printed lines)."""

from extractors.crosscheck import crosscheck
from extractors.fields import extract_fields
from pipelines.model import Field
from tests.extractors.textpages import DOCUMENTS, page_from_lines


def _extract(doc_type: str, lines: list[str]) -> dict[str, Field]:
    return extract_fields(doc_type, [page_from_lines(lines)])


CARD = [
    "CĂN CƯỚC CÔNG DÂN",
    "Số định danh cá nhân: 079190001234",
    "Họ và tên: NGUYỄN THỊ ÁNH",
    "Ngày sinh: 15/03/1990",
    "Giới tính: Nữ",
]


def test_a_consistent_dossier_has_no_disagreements() -> None:
    docs = [
        ("cccd", "citizen_id", _extract("citizen_id", CARD)),
        ("to-khai", "application_form", _extract("application_form", DOCUMENTS["application_form"])),
    ]
    assert docs[0][2]["personal_id"].value == docs[1][2]["applicant_id"].value
    assert crosscheck(docs) == []


def test_a_different_birth_date_for_the_same_id_is_listed() -> None:
    form = [line.replace("15/03/1990", "16/03/1990") for line in DOCUMENTS["application_form"]]
    problems = crosscheck(
        [
            ("cccd", "citizen_id", _extract("citizen_id", CARD)),
            ("to-khai", "application_form", _extract("application_form", form)),
        ]
    )
    assert len(problems) == 1
    assert "date of birth" in problems[0] and "1990-03-15" in problems[0] and "1990-03-16" in problems[0]
    assert "cccd" in problems[0] and "to-khai" in problems[0]


def test_a_misspelt_name_and_a_different_id_of_the_same_person_are_listed() -> None:
    form = [
        line.replace("Nguyễn Thị Ánh", "Nguyễn Thị Anh").replace("079190001234", "079190001235")
        for line in DOCUMENTS["application_form"]
    ]
    problems = crosscheck(
        [
            ("cccd", "citizen_id", _extract("citizen_id", CARD)),
            ("to-khai", "application_form", _extract("application_form", form)),
        ]
    )
    assert any("name" in p and "NGUYỄN THỊ ÁNH" in p and "Nguyễn Thị Anh" in p for p in problems)
    assert any("personal ID" in p for p in problems)


def test_different_people_are_not_compared() -> None:
    marriage = _extract("marriage_certificate", DOCUMENTS["marriage_certificate"])
    assert "husband_name" in marriage and "wife_name" in marriage
    # The husband and the wife of one certificate are two people; the card holder is a third.
    assert (
        crosscheck(
            [("kh", "marriage_certificate", marriage), ("cccd", "citizen_id", _extract("citizen_id", CARD))]
        )
        == []
    )


def test_the_same_person_across_three_documents() -> None:
    husband = {
        "husband_name": Field("husband_name", "Nguyễn Văn An", 0.9),
        "husband_date_of_birth": Field("husband_date_of_birth", "1992-09-02", 0.9),
        "husband_id": Field("husband_id", "001092001234", 0.9),
    }
    card = {
        "full_name": Field("full_name", "NGUYỄN VĂN AN", 0.9),
        "date_of_birth": Field("date_of_birth", "1992-09-02", 0.9),
        "personal_id": Field("personal_id", "001092001234", 0.9),
    }
    land = {
        "holder_name": Field("holder_name", "Nguyễn Văn An", 0.9),
        "holder_id": Field("holder_id", "001092009999", 0.9),
    }
    problems = crosscheck(
        [
            ("kh", "marriage_certificate", husband),
            ("cccd", "citizen_id", card),
            ("sd", "land_use_certificate", land),
        ]
    )
    assert len(problems) == 2  # the land certificate's ID disagrees with both others
    assert all("001092009999" in p for p in problems)
