import unicodedata

import pytest

from extractors.classify import RuleScorer, classify, extract_features
from tests.extractors.textpages import DOCUMENTS, HEADING, page_from_lines

TYPES = sorted(DOCUMENTS)


@pytest.mark.parametrize("doc_type", TYPES)
@pytest.mark.parametrize("below", [False, True], ids=["same-line", "value-below"])
def test_every_type_is_recognised(doc_type: str, below: bool) -> None:
    result = classify([page_from_lines(DOCUMENTS[doc_type], below=below)])
    assert result.doc_type == doc_type
    assert 0.8 <= result.confidence <= 1.0
    assert result.scores[doc_type] == max(v for k, v in result.scores.items() if k != "other")


def test_unrelated_text_is_other_with_low_confidence() -> None:
    menu = [
        "THỰC ĐƠN NHÀ HÀNG SEN VÀNG",
        "Phở bò tái chín 55.000 đồng",
        "Bún chả Hà Nội 50.000 đồng",
        "Cà phê sữa đá 25.000 đồng",
        "Chúc quý khách ngon miệng!",
    ]
    result = classify([page_from_lines(menu)])
    assert result.doc_type == "other"
    assert result.confidence < 0.5


def test_the_national_heading_alone_says_nothing() -> None:
    result = classify([page_from_lines([*HEADING, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"])])
    assert result.doc_type == "other" and result.confidence < 0.5


def test_blank_or_empty_input_is_other() -> None:
    assert classify([]).doc_type == "other"
    assert classify([page_from_lines([])]).doc_type == "other"


def test_ocr_noise_and_missing_diacritics_in_the_title() -> None:
    lines = [
        *HEADING,
        "GIAY KHAI SJNH",
        "Ho, chu dem, ten: NGUYEN THI ANH",
        "Noi sinh: Benh vien Tu Du",
        "Dan toc: Kinh",
    ]
    assert classify([page_from_lines(lines)]).doc_type == "birth_certificate"
    decided = classify(
        [page_from_lines(["ỦY BAN NHÂN DÂN", "QUYÊT ĐINH", "Căn cứ Luật Đất đai;", "Điều 1. ..."])]
    )
    assert decided.doc_type == "decision"


def test_decomposed_text_is_classified_like_composed() -> None:
    nfd = [unicodedata.normalize("NFD", line) for line in DOCUMENTS["marriage_certificate"]]
    assert classify([page_from_lines(nfd)]).doc_type == "marriage_certificate"


def test_a_declaration_for_a_birth_is_an_application_not_a_certificate() -> None:
    lines = [
        *HEADING,
        "TỜ KHAI ĐĂNG KÝ KHAI SINH",
        "Kính gửi: Ủy ban nhân dân phường Bến Nghé",
        "Họ, chữ đệm, tên người yêu cầu: Nguyễn Thị Ánh",
        "Nơi sinh: Bệnh viện Từ Dũ",
        "Dân tộc: Kinh",
    ]
    assert classify([page_from_lines(lines)]).doc_type == "application_form"


def test_a_title_without_labels_is_recognised_but_not_confidently() -> None:
    result = classify([page_from_lines([*HEADING, "GIẤY PHÉP XÂY DỰNG"])])
    assert result.doc_type == "building_permit"
    assert result.confidence < 0.8


def test_the_features_and_the_scorer_are_separate() -> None:
    features = extract_features([page_from_lines(DOCUMENTS["dossier_receipt"])])
    assert features.get("title:dossier_receipt") == 1.0
    assert any(name.startswith("label:dossier_receipt:") for name in features.values)
    assert "giay tiep nhan ho so" in features.text
    scores = RuleScorer().scores(features)
    assert max(scores, key=lambda t: scores[t]) == "dossier_receipt"

    class OnlyDecisions:
        def scores(self, features):  # a stand-in for a learned model over the same features
            return {"decision": 5.0, "dossier_receipt": 0.0}

    assert (
        classify([page_from_lines(DOCUMENTS["dossier_receipt"])], scorer=OnlyDecisions()).doc_type
        == "decision"
    )
