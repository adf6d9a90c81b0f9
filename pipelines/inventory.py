"""The archive's inventory list (mục lục hồ sơ) of a batch, and reconciling a scan against it.

``load_inventory`` reads CSV or XLSX with Vietnamese or English headers; ``reconcile`` compares the
expected size of every dossier with what was captured: dossiers short or over, dossiers in the inventory
but not in the scan, dossiers scanned but not in the inventory.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pipelines.errors import BadInputError

Unit = Literal["sheets", "pages"]

# folded header (lower case, no diacritics, single spaces) -> column
_HEADERS: dict[str, str] = {
    "ma ho so": "code",
    "so ky hieu ho so": "code",
    "ho so so": "code",
    "dossier code": "code",
    "code": "code",
    "dossier": "code",
    "tieu de ho so": "title",
    "tieu de": "title",
    "ten ho so": "title",
    "title": "title",
    "ngay bat dau": "start_date",
    "thoi gian bat dau": "start_date",
    "start date": "start_date",
    "start": "start_date",
    "ngay ket thuc": "end_date",
    "thoi gian ket thuc": "end_date",
    "end date": "end_date",
    "end": "end_date",
    "thoi han bao quan": "retention",
    "retention period": "retention",
    "retention": "retention",
    "che do su dung": "access_mode",
    "access mode": "access_mode",
    "ma ho so goc giay": "original_code",
    "ma ho so goc": "original_code",
    "original dossier code": "original_code",
    "so to": "sheets",
    "so luong to": "sheets",
    "expected sheets": "sheets",
    "sheets": "sheets",
    "so trang": "pages",
    "expected pages": "pages",
    "pages": "pages",
}


@dataclass
class InventoryEntry:
    code: str
    title: str | None = None
    start_date: str | None = None  # ISO
    end_date: str | None = None  # ISO
    retention: str | None = None  # as written: "Vĩnh viễn", "10 năm"
    access_mode: str | None = None  # chế độ sử dụng: "Công khai", "Hạn chế"
    original_code: str | None = None  # mã hồ sơ gốc giấy, when the paper dossier has another code
    expected: int | None = None  # in the inventory's unit
    row: int = 0  # 1-based row of the file, for messages


@dataclass
class Inventory:
    entries: list[InventoryEntry]
    unit: Unit = "sheets"
    source: str = ""

    def get(self, code: str) -> InventoryEntry | None:
        key = _code_key(code)
        return next((e for e in self.entries if _code_key(e.code) == key), None)

    def codes(self) -> list[str]:
        return [e.code for e in self.entries]


@dataclass
class ReconciledDossier:
    code: str
    title: str | None
    expected: int | None
    captured: int | None  # None: not in the scan
    status: Literal["ok", "short", "over", "missing", "unexpected", "unknown"]

    @property
    def difference(self) -> int | None:
        if self.expected is None or self.captured is None:
            return None
        return self.captured - self.expected

    def message(self, unit: Unit) -> str:
        word = "sheets" if unit == "sheets" else "pages"
        if self.status == "missing":
            return f"{self.code}: in the inventory ({self.expected or '?'} {word}) but not in the scan"
        if self.status == "unexpected":
            return f"{self.code}: scanned ({self.captured} {word}) but not in the inventory"
        if self.status == "unknown":
            return f"{self.code}: {self.captured} {word} captured; the inventory gives no size"
        if self.status == "ok":
            return f"{self.code}: {self.captured} of {self.expected} {word}, complete"
        diff = abs(self.difference or 0)
        what = "missing" if self.status == "short" else "more than listed"
        return f"{self.code}: {self.captured} of {self.expected} {word} captured, {diff} {word} {what}"


@dataclass
class Reconciliation:
    unit: Unit
    dossiers: list[ReconciledDossier] = field(default_factory=list)  # inventory order, then unexpected

    @property
    def missing(self) -> list[str]:
        return [d.code for d in self.dossiers if d.status == "missing"]

    @property
    def unexpected(self) -> list[str]:
        return [d.code for d in self.dossiers if d.status == "unexpected"]

    @property
    def short(self) -> list[str]:
        return [d.code for d in self.dossiers if d.status == "short"]

    @property
    def pages_short(self) -> int:
        """Sheets (or pages) missing in total over the dossiers that were scanned."""
        return sum(-(d.difference or 0) for d in self.dossiers if d.status == "short")

    @property
    def ok(self) -> bool:
        return all(d.status in ("ok", "unknown") for d in self.dossiers)

    def problems(self) -> list[str]:
        return [d.message(self.unit) for d in self.dossiers if d.status not in ("ok", "unknown")]

    def to_dict(self) -> dict[str, Any]:
        """For the JSON batch report (key ``reconciliation``)."""
        return {
            "unit": self.unit,
            "ok": self.ok,
            "missing": self.missing,
            "unexpected": self.unexpected,
            "pages_short": self.pages_short,
            "dossiers": [{**asdict(d), "difference": d.difference} for d in self.dossiers],
        }


# ---------------------------------------------------------------------------------------------- loading


def load_inventory(path: str | Path) -> Inventory:
    """Read a CSV (UTF-8, comma/semicolon/tab) or XLSX inventory. Raises BadInputError in plain words."""
    path = Path(path)
    if not path.is_file():
        raise BadInputError(f"inventory file not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    elif suffix in (".csv", ".txt", ".tsv"):
        rows = _csv_rows(path)
    else:
        raise BadInputError(
            f"inventory {path.name}: send a CSV or XLSX file (not '{suffix or 'no extension'}')"
        )
    return parse_inventory(rows, source=path.name)


def _csv_rows(path: Path) -> list[list[Any]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInputError(f"inventory {path.name} is not UTF-8 text: save it as 'CSV UTF-8'") from None
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _xlsx_rows(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # zipfile.BadZipFile, KeyError, InvalidFileException
        raise BadInputError(f"inventory {path.name} cannot be opened as an Excel workbook ({e})") from None
    try:
        ws = wb.active
        if ws is None:
            raise BadInputError(f"inventory {path.name} has no worksheet")
        return [list(row) for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def parse_inventory(rows: list[list[Any]], *, source: str = "") -> Inventory:
    """Find the header row (a title may sit above it), map its columns, read every dossier row."""
    name = source or "inventory"
    header_at, columns = _find_header(rows)
    if header_at is None:
        raise BadInputError(
            f"{name}: no header row with a dossier code column ('Mã hồ sơ' or 'dossier code') was found"
        )
    unit: Unit = "pages" if "pages" in columns.values() and "sheets" not in columns.values() else "sheets"
    entries: list[InventoryEntry] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        values = {col: row[j] if j < len(row) else None for j, col in columns.items()}
        code = _text(values.get("code"))
        if not code:
            if any(_text(v) for v in values.values()):
                raise BadInputError(f"{name}, row {i}: the dossier code is empty")
            continue
        key = _code_key(code)
        if key in seen:
            raise BadInputError(f"{name}, row {i}: dossier {code} is listed twice (also row {seen[key]})")
        seen[key] = i
        entries.append(
            InventoryEntry(
                code=code,
                title=_text(values.get("title")),
                start_date=_date(values.get("start_date"), name, i),
                end_date=_date(values.get("end_date"), name, i),
                retention=_retention(values.get("retention"), name, i),
                access_mode=_text(values.get("access_mode")),
                original_code=_text(values.get("original_code")),
                expected=_count(values.get(unit), name, i),
                row=i,
            )
        )
    if not entries:
        raise BadInputError(f"{name}: the inventory lists no dossier")
    return Inventory(entries, unit, source)


_PERIOD = re.compile(r"^(\d{1,4})\s*(?:nam|years?|yrs?)?$")
_PERMANENT = ("vinh vien", "permanent", "permanently")


def retention_years(text: str) -> int | None:
    """Years of a retention period as an inventory writes it ("20 năm", "20 years", "20"); None for a
    permanent one ("Vĩnh viễn"). Raises ValueError for anything else."""
    folded = _fold(text)
    if folded in _PERMANENT:
        return None
    m = _PERIOD.match(folded)
    if m and 1 <= int(m.group(1)) <= 1000:
        return int(m.group(1))
    raise ValueError(f"not a retention period: {text!r}")


def _retention(value: Any, name: str, row: int) -> str | None:
    text = _text(value)
    if text is None:
        return None
    try:
        retention_years(text)
    except ValueError:
        raise BadInputError(
            f"{name}, row {row}: retention '{text}' is not a period (write 'Vĩnh viễn' or '20 năm')"
        ) from None
    return text


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = re.sub(r"\(.*?\)", " ", plain)  # "Số tờ (tờ)" -> "so to"
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def _find_header(rows: list[list[Any]]) -> tuple[int | None, dict[int, str]]:
    for r, row in enumerate(rows[:15]):
        columns: dict[int, str] = {}
        for j, cell in enumerate(row):
            col = _HEADERS.get(_fold(str(cell))) if cell is not None else None
            if col and col not in columns.values():
                columns[j] = col
        if "code" in columns.values() and len(columns) >= 2:
            return r, columns
    return None, {}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


def _code_key(code: str) -> str:
    return unicodedata.normalize("NFC", code).strip().upper()


def _date(value: Any, name: str, row: int) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text).isoformat()
        if re.fullmatch(r"\d{4}", text):
            return text  # a year only, as old inventories often give
    except ValueError:
        pass
    raise BadInputError(f"{name}, row {row}: '{text}' is not a date (write dd/mm/yyyy)")


def _count(value: Any, name: str, row: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text.isdigit():
        raise BadInputError(f"{name}, row {row}: the number of sheets '{text}' is not a whole number")
    return int(text)


# ---------------------------------------------------------------------------------------------- reconciling


def reconcile(inventory: Inventory, captured: Mapping[str, int]) -> Reconciliation:
    """Compare ``captured`` (dossier code -> sheets or pages captured, in the inventory's unit)."""
    by_key = {_code_key(code): (code, n) for code, n in captured.items()}
    out = Reconciliation(inventory.unit)
    for entry in inventory.entries:
        got = by_key.pop(_code_key(entry.code), None)
        if got is None:
            status: Any = "missing"
            count = None
        else:
            count = got[1]
            if entry.expected is None:
                status = "unknown"
            elif count == entry.expected:
                status = "ok"
            else:
                status = "short" if count < entry.expected else "over"
        out.dossiers.append(ReconciledDossier(entry.code, entry.title, entry.expected, count, status))
    for code, count in by_key.values():
        out.dossiers.append(ReconciledDossier(code, None, None, count, "unexpected"))
    return out


__all__ = [
    "Inventory",
    "InventoryEntry",
    "ReconciledDossier",
    "Reconciliation",
    "load_inventory",
    "parse_inventory",
    "retention_years",
    "reconcile",
]
