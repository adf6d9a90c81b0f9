"""Giấy chứng nhận kết hôn: the husband's and the wife's details, in two columns or one after the other."""

from __future__ import annotations

from collections.abc import Sequence

from extractors.fields import common
from extractors.fields.engine import FieldSpec, LabelledDocument, make_field, value_confidence
from extractors.fields.labels import value_start
from extractors.fields.layout import Token, VisualLine
from extractors.fields.values import CONVERTERS
from pipelines.model import Field

_ID = ("Giấy tờ tùy thân", "Số định danh cá nhân", "Số CCCD", "Số CMND", "Giấy tờ tùy thân số")
SPECS = [
    FieldSpec("registration_number", common.NUMBER, "code", start_only=True),
    # Explicit labels first ("Họ và tên chồng"); otherwise the first occurrence is the husband's (the left
    # column, or the first section), the second the wife's.
    FieldSpec("husband_name", ("Họ, chữ đệm, tên chồng", "Họ và tên chồng", "Họ tên chồng"), "name"),
    FieldSpec("wife_name", ("Họ, chữ đệm, tên vợ", "Họ và tên vợ", "Họ tên vợ"), "name"),
    FieldSpec("husband_name", common.FULL_NAME, "name", occurrence=0),
    FieldSpec("wife_name", common.FULL_NAME, "name", occurrence=1),
    FieldSpec("husband_date_of_birth", common.DATE_OF_BIRTH, "date", occurrence=0),
    FieldSpec("wife_date_of_birth", common.DATE_OF_BIRTH, "date", occurrence=1),
    FieldSpec("husband_id", _ID, "digits", occurrence=0),
    FieldSpec("wife_id", _ID, "digits", occurrence=1),
    FieldSpec(
        "registration_date", ("Ngày đăng ký kết hôn", "Ngày đăng ký", "Ngày, tháng, năm đăng ký"), "date"
    ),
    FieldSpec("issuing_authority", ("Nơi đăng ký", "Nơi đăng ký kết hôn", "Cơ quan đăng ký"), "text"),
]
STOPS = (
    "Ngày, tháng, năm",  # the date-of-birth row of the table, "sinh" wrapped onto the next line
    "Dân tộc",
    "Quốc tịch",
    "Nơi cư trú",
    "Nơi thường trú",
    "Chồng",
    "Vợ",
    "Thông tin người chồng",
    "Thông tin người vợ",
)


# Rows of the two-column table: a label cell, the husband's cell, the wife's cell.
_ROWS: dict[str, tuple[tuple[str, ...], str]] = {
    "name": (common.FULL_NAME, "name"),
    "date_of_birth": ((*common.DATE_OF_BIRTH, "Ngày, tháng, năm"), "date"),
    "id": (_ID, "digits"),
}


def extract(lines: Sequence[VisualLine]) -> dict[str, Field]:
    doc = LabelledDocument(lines, SPECS, STOPS)
    fields = doc.extract_all()
    fields.update(_table_rows(doc))
    return fields


def _table_rows(doc: LabelledDocument) -> dict[str, Field]:
    out: dict[str, Field] = {}
    for li, matches in enumerate(doc.matches):
        line = doc.lines[li]
        for m in matches:
            row = next((r for r, (labels, _) in _ROWS.items() if m.label.text in labels), None)
            if row is None or not m.at_start:
                continue
            start = value_start(line, m)
            cells: list[list[Token]] = [[]]
            for i in range(start, len(line.tokens)):
                tok = line.tokens[i]
                if (i in line.segment_starts or "|" in tok.text) and cells[-1]:
                    cells.append(
                        []
                    )  # a column gap or a table rule between the husband's and the wife's cells
                if not tok.is_leader:
                    cells[-1].append(tok)
            cells = [c for c in cells if c]
            if len(cells) < 2:
                continue
            kind = _ROWS[row][1]
            for person, cell in zip(("husband", "wife"), cells[:2], strict=False):
                key = f"{person}_{row}" if row != "date_of_birth" else f"{person}_date_of_birth"
                raw = " ".join(t.text for t in cell)
                converted = CONVERTERS[kind](raw)
                if converted is not None and key not in out:
                    conf = value_confidence(cell) * (0.8 + 0.2 * m.score) * converted[1]
                    out[key] = make_field(key, converted[0], cell, conf, raw, doc.lines)
    return out
