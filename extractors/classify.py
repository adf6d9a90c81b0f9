"""Document type from the text of its pages: features (titles, characteristic labels) and a scorer.

``extract_features`` turns pages into named evidence strengths; a ``Scorer`` turns them into a score per
type. ``RuleScorer`` is a transparent weighted sum; a learned model (scikit-learn over the same features or
the folded text) can be passed to ``classify`` instead. Matching is fuzzy (rapidfuzz) over folded text
(diacritics removed), so OCR noise and ``HÒA``/``HOÀ`` spellings do not matter. The national heading says
nothing about the type and is ignored. A page without a characteristic title or labels is ``other`` with a
low confidence: it is never forced into a type.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rapidfuzz import fuzz

from extractors.normalize import fold_words
from pipelines.model import Classification, PageText

# Titles as printed (upper case on the paper), per type.
TITLES: dict[str, tuple[str, ...]] = {
    "citizen_id": ("CĂN CƯỚC CÔNG DÂN", "CĂN CƯỚC", "THẺ CĂN CƯỚC", "CHỨNG MINH NHÂN DÂN"),
    "birth_certificate": ("GIẤY KHAI SINH", "BẢN SAO GIẤY KHAI SINH", "TRÍCH LỤC KHAI SINH"),
    "marriage_certificate": ("GIẤY CHỨNG NHẬN KẾT HÔN", "TRÍCH LỤC KẾT HÔN"),
    "land_use_certificate": (
        "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT",
        "QUYỀN SỬ DỤNG ĐẤT",
        "QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT",
    ),
    "business_registration": (
        "GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP",
        "ĐĂNG KÝ DOANH NGHIỆP",
        "GIẤY CHỨNG NHẬN ĐĂNG KÝ KINH DOANH",
    ),
    "building_permit": ("GIẤY PHÉP XÂY DỰNG",),
    "dossier_receipt": (
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "GIẤY TIẾP NHẬN HỒ SƠ",
        "PHIẾU TIẾP NHẬN HỒ SƠ",
        "GIẤY BIÊN NHẬN HỒ SƠ",
    ),
    "decision": ("QUYẾT ĐỊNH",),
    "application_form": ("ĐƠN ĐỀ NGHỊ", "TỜ KHAI", "ĐƠN XIN", "ĐƠN", "PHIẾU YÊU CẦU", "ĐƠN YÊU CẦU"),
}

# Labels and phrases characteristic of a type (one point each, capped per type).
LABELS: dict[str, tuple[str, ...]] = {
    "citizen_id": (
        "Số định danh cá nhân",
        "Personal identification number",
        "Full name",
        "Date of birth",
        "Quê quán",
        "Place of origin",
        "Nơi thường trú",
        "Place of residence",
        "Có giá trị đến",
        "Date of expiry",
        "Đặc điểm nhận dạng",
        "Nationality",
    ),
    "birth_certificate": (
        "Nơi sinh",
        "Dân tộc",
        "Họ, chữ đệm, tên người mẹ",
        "Họ, chữ đệm, tên người cha",
        "Nơi đăng ký khai sinh",
        "Người đi đăng ký khai sinh",
        "Quan hệ với người được khai sinh",
    ),
    "marriage_certificate": (
        "Họ, chữ đệm, tên chồng",
        "Họ, chữ đệm, tên vợ",
        "Ngày đăng ký kết hôn",
        "Nơi đăng ký kết hôn",
        "Chữ ký của chồng",
        "Chữ ký của vợ",
        "Giấy tờ tùy thân",
    ),
    "land_use_certificate": (
        "Thửa đất số",
        "Tờ bản đồ số",
        "Mục đích sử dụng",
        "Thời hạn sử dụng",
        "Nguồn gốc sử dụng",
        "Số vào sổ cấp GCN",
        "Người sử dụng đất",
        "Hình thức sử dụng",
    ),
    "business_registration": (
        "Mã số doanh nghiệp",
        "Tên công ty viết bằng tiếng Việt",
        "Tên doanh nghiệp viết bằng tiếng Việt",
        "Địa chỉ trụ sở chính",
        "Vốn điều lệ",
        "Người đại diện theo pháp luật",
        "Đăng ký lần đầu",
        "Tên công ty viết tắt",
    ),
    "building_permit": (
        "Chủ đầu tư",
        "Địa điểm xây dựng",
        "Diện tích xây dựng",
        "Số tầng",
        "Chiều cao công trình",
        "Cốt xây dựng",
        "Mật độ xây dựng",
        "Được phép xây dựng",
    ),
    "dossier_receipt": (
        "Mã hồ sơ",
        "Nội dung yêu cầu giải quyết",
        "Thời gian nhận hồ sơ",
        "Thời gian trả kết quả",
        "Bộ phận tiếp nhận và trả kết quả",
        "Người tiếp nhận hồ sơ",
        "Thành phần hồ sơ",
    ),
    "decision": (
        "Căn cứ",
        "Điều 1",
        "Điều 2",
        "Nơi nhận",
        "Chịu trách nhiệm thi hành",
        "Về việc",
        "Có hiệu lực",
    ),
    "application_form": (
        "Kính gửi",
        "Người yêu cầu",
        "Tôi cam đoan",
        "Nội dung đề nghị",
        "Đề nghị",
        "Người làm đơn",
        "Làm tại",
        "Xin trân trọng cảm ơn",
    ),
}

DOC_TYPES: tuple[str, ...] = tuple(TITLES)
TITLE_WEIGHT = 3.0
LABEL_WEIGHT = 1.0
MAX_LABEL_POINTS = 4.0
MIN_SCORE = 1.5  # below this the evidence for any type is too weak: "other"
CONFIDENCE_SCALE = 2.2  # confidence = 1 - exp(-score / scale), reduced by a close second type
OTHER_CONFIDENCE = 0.35
_NATIONAL_HEADING = ("cong hoa xa hoi chu nghia viet nam", "doc lap tu do hanh phuc")


def _folded(text: str) -> str:
    return " ".join(fold_words(text))


_FOLDED_TITLES = {t: [_folded(x) for x in titles] for t, titles in TITLES.items()}
_FOLDED_LABELS = {t: [_folded(x) for x in labels] for t, labels in LABELS.items()}


@dataclass
class Features:
    """Named evidence in 0..1: ``title:<type>`` (the best title line), ``label:<type>:<label>``."""

    values: dict[str, float] = field(default_factory=dict)
    text: str = ""  # the folded text of the pages, for learned models

    def get(self, name: str) -> float:
        return self.values.get(name, 0.0)


def _title_strength(line: str, title: str) -> float:
    """1.0 when the line is the title, 0.9 when it starts with it, 0.6 when it contains a long title."""
    if fuzz.ratio(line, title) >= 88:
        return 1.0
    if len(title) >= 5 and len(line) > len(title) and fuzz.ratio(line[: len(title)], title) >= 90:
        return 0.9
    if len(title) >= 12 and len(line) >= len(title) and fuzz.partial_ratio(title, line) >= 92:
        return 0.6
    return 0.0


def _is_heading(line: str) -> bool:
    return any(fuzz.partial_ratio(h, line) >= 90 for h in _NATIONAL_HEADING if len(line) >= 10)


def extract_features(pages: Sequence[PageText]) -> Features:
    """Title and label evidence from the pages (the first page counts fully, later pages at half)."""
    feats = Features()
    folded_lines: list[tuple[str, float]] = []
    for n, page in enumerate(sorted(pages, key=lambda p: p.index)):
        if page.blank:
            continue
        weight = 1.0 if n == 0 else 0.5
        for raw in page.text.splitlines():
            line = _folded(raw)
            if line:
                folded_lines.append((line, weight))
    feats.text = "\n".join(line for line, _ in folded_lines)
    for line, weight in folded_lines:
        if _is_heading(line) or len(line.split()) > 20:
            continue
        # A title line counts for the type(s) whose title it matches best.
        strengths = {
            doc_type: max(_title_strength(line, t) for t in titles)
            for doc_type, titles in _FOLDED_TITLES.items()
        }
        best = max(strengths.values())
        if best <= 0:
            continue
        for doc_type, s in strengths.items():
            if s == best:
                name = f"title:{doc_type}"
                feats.values[name] = max(feats.get(name), s * weight)
    for doc_type, labels in _FOLDED_LABELS.items():
        for label in labels:
            found = max(
                (weight for line, weight in folded_lines if _label_in(label, line)),
                default=0.0,
            )
            if found:
                feats.values[f"label:{doc_type}:{label}"] = found
    return feats


def _label_in(label: str, line: str) -> bool:
    if len(label) <= 8:
        return f" {label} " in f" {line} "
    return len(line) >= len(label) - 1 and fuzz.partial_ratio(label, line) >= 90


class Scorer(Protocol):
    def scores(self, features: Features) -> dict[str, float]:
        """A non-negative score per document type (keys of ``DOC_TYPES``)."""
        ...


class RuleScorer:
    """Title weight plus one point per characteristic label (capped), per type."""

    def scores(self, features: Features) -> dict[str, float]:
        out: dict[str, float] = {}
        for doc_type in DOC_TYPES:
            labels = sum(v for k, v in features.values.items() if k.startswith(f"label:{doc_type}:"))
            out[doc_type] = TITLE_WEIGHT * features.get(f"title:{doc_type}") + min(
                MAX_LABEL_POINTS, LABEL_WEIGHT * labels
            )
        return out


def decide(scores: Mapping[str, float]) -> Classification:
    """The type with the best score, its confidence lowered by weak evidence or a close second."""
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, s1), s2 = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
    strength = 1.0 - math.exp(-s1 / CONFIDENCE_SCALE)
    normalised = {t: round(1.0 - math.exp(-s / CONFIDENCE_SCALE), 3) for t, s in scores.items()}
    if s1 < MIN_SCORE:
        normalised["other"] = round(1.0 - strength, 3)
        return Classification("other", round(OTHER_CONFIDENCE * (1.0 - strength) + 0.05, 3), normalised)
    confidence = strength * (1.0 - 0.45 * (s2 / s1) ** 2)
    normalised["other"] = round(max(0.0, 1.0 - strength), 3)
    return Classification(best, round(confidence, 3), normalised)


def classify(pages: Sequence[PageText], scorer: Scorer | None = None) -> Classification:
    """The document type of ``pages`` (a key of document-types.md or ``other``) and how sure we are."""
    if not pages or all(p.blank or not p.text.strip() for p in pages):
        return Classification("other", 0.1, {"other": 1.0})
    features = extract_features(pages)
    return decide((scorer or RuleScorer()).scores(features))
