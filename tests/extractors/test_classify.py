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


# --- the learned model combined with the rules (extractors.model) ---------------------------------------------


def _training_examples() -> list[tuple[list, str]]:
    from tests.extractors.textpages import page_with_values_below

    examples = []
    for doc_type, lines in DOCUMENTS.items():
        examples.append(([page_from_lines(lines)], doc_type))
        examples.append(([page_with_values_below(lines)], doc_type))
        examples.append(([page_from_lines(lines[len(lines) // 3 :])], doc_type))  # the title not read
    return examples


def test_a_trained_model_is_stored_and_combined_with_the_rules(tmp_path) -> None:
    from extractors.model import load_scorer, train

    assert load_scorer(tmp_path / "none.pkl") is None  # no model trained yet: the rules alone
    report = train(_training_examples(), tmp_path / "models" / "doctype.pkl")
    assert report.path.is_file() and report.per_type["decision"] == 3 and "other" in report.classes
    assert "doctype.pkl" in report.to_text()
    scorer = load_scorer(report.path)
    assert scorer is not None
    for doc_type, lines in DOCUMENTS.items():
        result = classify([page_from_lines(lines)], scorer=scorer)
        assert result.doc_type == doc_type and result.confidence >= 0.8, (doc_type, result)
    menu = ["THỰC ĐƠN NHÀ HÀNG SEN VÀNG", "Phở bò tái chín 55.000 đồng", "Cà phê sữa đá 25.000 đồng"]
    other = classify([page_from_lines(menu)], scorer=scorer)
    assert other.doc_type == "other" and other.confidence < 0.5


def test_only_one_source_of_evidence_is_not_confident(tmp_path) -> None:
    """A page the model recognises but whose title and labels the rules do not see goes to review."""
    from extractors.model import load_scorer, train

    scorer = load_scorer(train(_training_examples(), tmp_path / "m.pkl").path)
    lines = ["Ông Nguyễn Văn An và bà Trần Thị Bình", "kết hôn tại Ủy ban nhân dân phường Bến Nghé"]
    result = classify([page_from_lines(lines)], scorer=scorer)
    assert result.confidence < 0.8


def test_a_damaged_model_file_is_reported(tmp_path) -> None:
    from extractors.model import load_scorer
    from pipelines.errors import BadInputError

    path = tmp_path / "doctype.pkl"
    path.write_bytes(b"not a model")
    with pytest.raises(BadInputError, match="train it again"):
        load_scorer(path)
