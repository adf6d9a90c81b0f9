"""A document-type classifier learned from labelled examples, combined with the transparent rule scorer.

``train(examples, out)`` fits a scikit-learn model (TF-IDF over the folded page text — words, word pairs and
character n-grams, so OCR noise and unseen wording still share evidence — and a logistic regression) and
stores it as one file under the data directory; nothing is ever downloaded. ``load_scorer(path)`` gives a
``Scorer`` for ``extractors.classify.classify(pages, scorer=...)``; with no trained model it returns
``None`` and the rule scorer alone is used.

Combination: the rule scorer's strength for a type (``1 - exp(-score / scale)``, the number ``decide`` turns
into a confidence) and the model's probability are combined and mapped back onto the rule scale, so
``decide`` keeps one meaning of confidence. For the model's favourite type the two add up (noisy-or); for
every other type they are averaged, so a type only the rules see lands near 0.5, close to the model's choice,
and goes to review; a paper the model calls ``other`` pulls every type down, and below ``MIN_SCORE`` the
paper is ``other`` — never forced into a type.
"""

from __future__ import annotations

import math
import pickle
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from extractors.classify import CONFIDENCE_SCALE, DOC_TYPES, Features, RuleScorer, _folded, extract_features
from pipelines.errors import BadInputError
from pipelines.model import PageText

FORMAT = "sohoa-doctype-model/1"
MODEL_WEIGHT = 0.5  # share of the learned model in the combined probability (the rest: the rule scorer)
MAX_P = 0.995  # keep the mapped score finite

# Papers that are none of the types: a few built-in examples so a model trained only on typed papers still
# learns what "other" looks like (officers' corrections to "other" are added to them).
OTHER_EXAMPLES: tuple[str, ...] = (
    "THỰC ĐƠN NHÀ HÀNG\nPhở bò tái chín 55.000 đồng\nBún chả 50.000 đồng\nCà phê sữa đá 25.000 đồng",
    "HÓA ĐƠN GIÁ TRỊ GIA TĂNG\nĐơn vị bán hàng: Công ty TNHH Minh Phát\nMã số thuế: 0101234567\n"
    "Tên hàng hóa, dịch vụ\nĐơn vị tính\nSố lượng\nĐơn giá\nThành tiền\nCộng tiền hàng\nTổng cộng tiền thanh toán",
    "HỢP ĐỒNG LAO ĐỘNG\nChúng tôi, một bên là\nĐại diện\nVà một bên là\nThỏa thuận ký kết hợp đồng lao động"
    "\nĐiều 1. Thời hạn và công việc hợp đồng\nĐiều 2. Chế độ làm việc",
    "BIÊN BẢN HỌP\nThời gian: 8 giờ 30\nĐịa điểm: Hội trường\nThành phần tham dự\nNội dung cuộc họp\n"
    "Thư ký\nChủ trì",
    "GIẤY MỜI\nTrân trọng kính mời\nTới dự buổi lễ\nThời gian\nĐịa điểm\nRất hân hạnh được đón tiếp",
    "BẢNG ĐIỂM\nHọc sinh\nLớp 10A1\nToán 8,5\nNgữ văn 7,0\nTiếng Anh 9,0\nĐiểm trung bình\nXếp loại học lực",
    "SỔ HỘ KHẨU\nHọ và tên chủ hộ\nQuan hệ với chủ hộ\nNghề nghiệp\nNơi làm việc",
    "Kính gửi quý khách hàng\nNgân hàng xin thông báo\nSố dư tài khoản\nGiao dịch\nSố tiền\nNội dung chuyển khoản",
    "PHIẾU XUẤT KHO\nTên người nhận hàng\nLý do xuất kho\nXuất tại kho\nSTT\nTên nhãn hiệu\nMã số\nSố lượng",
    "GIẤY CHỨNG NHẬN TỐT NGHIỆP\nHiệu trưởng trường\nChứng nhận\nĐã tốt nghiệp\nXếp loại\nNăm tốt nghiệp",
)


@dataclass
class TrainReport:
    path: Path
    examples: int
    per_type: dict[str, int]
    cross_validated_accuracy: float | None  # None: too few examples per type for a 3-fold check
    classes: list[str] = field(default_factory=list)

    def to_text(self) -> str:
        cv = f"{self.cross_validated_accuracy:.1%}" if self.cross_validated_accuracy is not None else "n/a"
        counts = ", ".join(f"{t} {n}" for t, n in sorted(self.per_type.items()))
        return f"Trained on {self.examples} documents ({counts}); 3-fold accuracy {cv}; saved to {self.path}"


def _pipeline():  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, max_features=20000)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1, max_features=30000
                ),
            ),
        ]
    )
    return Pipeline([("features", features), ("clf", LogisticRegression(C=4.0, max_iter=2000))])


def _text_of(pages: Sequence[PageText]) -> str:
    return extract_features(pages).text


def train(examples: Iterable[tuple[list[PageText], str]], out: Path) -> TrainReport:
    """Fit the classifier on ``(pages, doc_type)`` examples (doc_type a key of document-types.md or ``other``)
    and store it at ``out``. Raises BadInputError when there is too little to learn from."""

    texts: list[str] = []
    labels: list[str] = []
    for pages, doc_type in examples:
        if doc_type not in DOC_TYPES and doc_type != "other":
            raise BadInputError(f"unknown document type {doc_type!r} in the training examples")
        text = _text_of(pages)
        if text.strip():
            texts.append(text)
            labels.append(doc_type)
    for example in OTHER_EXAMPLES:
        texts.append("\n".join(_folded(line) for line in example.splitlines()))
        labels.append("other")
    counts = Counter(labels)
    if len([t for t in counts if t != "other"]) < 2:
        raise BadInputError("training needs confirmed documents of at least two types")
    model = _pipeline()
    accuracy = None
    if min(counts.values()) >= 3:
        from sklearn.model_selection import cross_val_score

        accuracy = float(cross_val_score(_pipeline(), texts, labels, cv=3).mean())
    model.fit(texts, labels)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    with tmp.open("wb") as fh:
        pickle.dump({"format": FORMAT, "model": model, "classes": list(model.classes_)}, fh)
    tmp.replace(out)
    return TrainReport(out, len(texts), dict(counts), accuracy, list(model.classes_))


class LearnedScorer:
    """The rule scorer and the learned model, averaged into one calibrated score per type."""

    def __init__(self, model: object, weight: float = MODEL_WEIGHT) -> None:
        self.model = model
        self.weight = weight
        self.rules = RuleScorer()

    def probabilities(self, features: Features) -> dict[str, float]:
        proba = self.model.predict_proba([features.text])[0]  # type: ignore[attr-defined]
        return {str(c): float(p) for c, p in zip(self.model.classes_, proba, strict=True)}  # type: ignore[attr-defined]

    def scores(self, features: Features) -> dict[str, float]:
        rule = self.rules.scores(features)
        learned = self.probabilities(features) if features.text.strip() else {}
        top = max(learned, key=lambda t: learned[t]) if learned else None
        out: dict[str, float] = {}
        for doc_type in DOC_TYPES:
            r = 1.0 - math.exp(-rule.get(doc_type, 0.0) / CONFIDENCE_SCALE)
            m = learned.get(doc_type, 0.0)
            # The model's favourite: both sources add up (noisy-or); any other type: the rules are discounted.
            p = 1.0 - (1.0 - r) * (1.0 - m) if doc_type == top else (1.0 - self.weight) * r + self.weight * m
            out[doc_type] = -CONFIDENCE_SCALE * math.log(1.0 - min(p, MAX_P))
        return out


def load_scorer(path: Path) -> LearnedScorer | None:
    """The trained scorer stored at ``path``; None when no model has been trained yet.

    The file is one written by ``train`` in sohoa's own data directory (a pickle: never load one from
    elsewhere)."""
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            stored = pickle.load(fh)
    except Exception as exc:  # noqa: BLE001 - a damaged file is reported in plain words
        raise BadInputError(f"the classifier model {path} cannot be read ({exc}); train it again") from exc
    if not isinstance(stored, dict) or stored.get("format") != FORMAT:
        raise BadInputError(f"{path} is not a sohoa classifier model; train it again with `sohoa train`")
    return LearnedScorer(stored["model"])
