"""The batch report for a scanning room: console text and a printable PDF a team lead signs off.

Input: the ingest JSON report (interfaces.md) — optionally with ``split`` (SplitResult.to_dict()) and
``flags`` — and the inventory reconciliation. Per dossier: reconciliation result and the pages to rescan
with their reasons; then suspicious boundaries and totals.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from pipelines.inventory import Reconciliation

FONT_DIR = "/usr/share/fonts/truetype/liberation2"
NO_DOSSIER = "(no dossier)"


def _nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value))


def _flags(report: dict[str, Any]) -> list[str]:
    flags = list(report.get("flags") or [])
    flags += [f for f in (report.get("split") or {}).get("flags", []) if f not in flags]
    return [_nfc(f) for f in flags]


def _by_dossier(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for doc in report.get("documents", []):
        out.setdefault(doc.get("dossier_code") or NO_DOSSIER, []).append(doc)
    return out


def _rows(report: dict[str, Any], recon: Reconciliation | None) -> list[dict[str, Any]]:
    """One row per dossier: inventory order first, then dossiers only in the scan."""
    docs = _by_dossier(report)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    if recon is not None:
        for d in recon.dossiers:
            seen.add(d.code)
            rows.append(
                {
                    "code": d.code,
                    "recon": d.message(recon.unit),
                    "status": d.status,
                    "docs": docs.get(d.code, []),
                }
            )
    for code, items in docs.items():
        if code not in seen:
            rows.append({"code": code, "recon": None, "status": None, "docs": items})
    return rows


def _totals(report: dict[str, Any], recon: Reconciliation | None) -> list[tuple[str, str]]:
    docs = report.get("documents", [])
    summary = report.get("summary") or {}
    counts: dict[str, int] = {}
    for d in docs:
        counts[d.get("status", "?")] = counts.get(d.get("status", "?"), 0) + 1
    out = [
        ("Documents", str(summary.get("documents", len(docs)))),
        ("Pages", str(summary.get("pages", sum(int(d.get("pages") or 0) for d in docs)))),
        *[(status.capitalize(), str(n)) for status, n in sorted(counts.items())],
        ("Pages to rescan", str(sum(len(d.get("to_rescan") or []) for d in docs))),
        ("Suspicious boundaries", str(len(_flags(report)))),
    ]
    if recon is not None:
        word = "sheets" if recon.unit == "sheets" else "pages"
        out += [
            ("Dossiers in the inventory", str(sum(1 for d in recon.dossiers if d.status != "unexpected"))),
            ("Dossiers not scanned", str(len(recon.missing))),
            ("Dossiers not in the inventory", str(len(recon.unexpected))),
            (f"Dossiers short / {word} missing", f"{len(recon.short)} / {recon.pages_short}"),
        ]
    return out


def batch_report_text(report: dict[str, Any], reconciliation: Reconciliation | None = None) -> str:
    """The report as console text (UTF-8, NFC)."""
    lines = [f"Batch {report.get('batch_id', '?')} — {report.get('source', '')}"]
    if report.get("started_at"):
        lines.append(f"  {report.get('started_at')} → {report.get('finished_at') or '…'}")
    lines.append("")
    for row in _rows(report, reconciliation):
        lines.append(f"Dossier {row['code']}")
        if row["recon"]:
            mark = "OK " if row["status"] in ("ok", "unknown") else "!! "
            lines.append(f"  {mark}{row['recon']}")
        for doc in row["docs"]:
            extra = f" — {doc['error']}" if doc.get("error") else ""
            lines.append(
                f"  {doc.get('source', '?')}: {doc.get('status', '?')}, {doc.get('pages', 0)} pages{extra}"
            )
            for reason in doc.get("to_rescan") or []:
                lines.append(f"    rescan: {reason}")
            if doc.get("rescan_as"):
                lines.append(f"    scan as {doc['rescan_as']} (then: sohoa ingest FOLDER --replace)")
    flags = _flags(report)
    if flags:
        lines += ["", "Suspicious boundaries (check the stack):"]
        lines += [f"  !! {f}" for f in flags]
    lines += ["", "Totals:"]
    lines += [f"  {k}: {v}" for k, v in _totals(report, reconciliation)]
    return _nfc("\n".join(lines) + "\n")


# ---------------------------------------------------------------------------------------------- PDF

_registered = False


def _fonts() -> None:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(TTFont("RptSerif", f"{FONT_DIR}/LiberationSerif-Regular.ttf"))
        pdfmetrics.registerFont(TTFont("RptSerif-Bold", f"{FONT_DIR}/LiberationSerif-Bold.ttf"))
        pdfmetrics.registerFont(TTFont("RptSerif-Italic", f"{FONT_DIR}/LiberationSerif-Italic.ttf"))
        pdfmetrics.registerFontFamily(
            "RptSerif", normal="RptSerif", bold="RptSerif-Bold", italic="RptSerif-Italic"
        )
        _registered = True


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(_nfc(text)), style)


def batch_report_pdf(report: dict[str, Any], reconciliation: Reconciliation | None = None) -> bytes:
    """A printable A4 PDF of the report, ending with a sign-off block for the team lead."""
    _fonts()
    body = ParagraphStyle("body", fontName="RptSerif", fontSize=10, leading=13)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=11)
    warn = ParagraphStyle("warn", parent=small, textColor=colors.HexColor("#a01010"))
    h1 = ParagraphStyle("h1", parent=body, fontName="RptSerif-Bold", fontSize=16, leading=20, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=body, fontName="RptSerif-Bold", fontSize=12, leading=15, spaceBefore=8)
    story: list[Any] = [
        _p("BÁO CÁO LÔ SỐ HÓA — Batch capture report", h1),
        _p(f"Lô (batch): {report.get('batch_id', '?')}    Nguồn (source): {report.get('source', '')}", body),
    ]
    if report.get("started_at"):
        story.append(_p(f"Thời gian: {report.get('started_at')} → {report.get('finished_at') or '…'}", small))
    grid = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), "RptSerif", 9),
            ("FONT", (0, 0), (-1, 0), "RptSerif-Bold", 9),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ]
    )
    story.append(_p("Hồ sơ (dossiers)", h2))
    for row in _rows(report, reconciliation):
        block: list[Any] = [
            _p(f"Hồ sơ {row['code']}", ParagraphStyle("d", parent=body, fontName="RptSerif-Bold"))
        ]
        if row["recon"]:
            ok = row["status"] in ("ok", "unknown")
            block.append(
                _p(("Đối chiếu: " if ok else "Đối chiếu — CẦN XỬ LÝ: ") + row["recon"], small if ok else warn)
            )
        if row["docs"]:
            data: list[list[Any]] = [["Tệp / văn bản", "Trạng thái", "Trang", "Cần quét lại (lý do)"]]
            for doc in row["docs"]:
                reasons = list(doc.get("to_rescan") or [])
                if doc.get("error"):
                    reasons.insert(0, doc["error"])
                if doc.get("rescan_as"):
                    reasons.append(f"→ quét lại thành (scan as) {doc['rescan_as']}")
                data.append(
                    [
                        _p(doc.get("source", "?"), small),
                        _p(doc.get("status", "?"), small),
                        _p(doc.get("pages", 0), small),
                        _p("; ".join(reasons) or "—", small),
                    ]
                )
            table = Table(data, colWidths=[55 * mm, 22 * mm, 13 * mm, 90 * mm], repeatRows=1)
            table.setStyle(grid)
            block.append(table)
        block.append(Spacer(1, 3 * mm))
        story.append(KeepTogether(block) if len(row["docs"]) < 15 else block[0])
        if len(row["docs"]) >= 15:
            story.extend(block[1:])
    flags = _flags(report)
    if flags:
        story.append(_p("Ranh giới đáng ngờ — kiểm tra lại chồng giấy (suspicious boundaries)", h2))
        story += [_p(f"• {f}", warn) for f in flags]
    story.append(_p("Tổng cộng (totals)", h2))
    totals = Table(
        [[_p(k, small), _p(v, small)] for k, v in _totals(report, reconciliation)],
        colWidths=[80 * mm, 40 * mm],
    )
    totals.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey)]))
    story.append(totals)
    story.append(Spacer(1, 12 * mm))
    sign = Table(
        [
            [_p("Người lập báo cáo", body), _p("Trưởng nhóm số hóa (ký, ghi rõ họ tên)", body)],
            [_p("", body), _p("Ngày ...... tháng ...... năm ........", small)],
            [Spacer(1, 22 * mm), Spacer(1, 22 * mm)],
            [_p("sohoa", small), _p("........................................................", body)],
        ],
        colWidths=[80 * mm, 95 * mm],
    )
    story.append(KeepTogether([sign]))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title="Báo cáo lô số hóa",
        author="sohoa",
        invariant=True,
    )
    doc.build(story)
    return buf.getvalue()


def rescan_list(report: dict[str, Any]) -> Sequence[tuple[str, str]]:
    """(document source, reason) for every page to put back on the scanner."""
    return [(d.get("source", "?"), r) for d in report.get("documents", []) for r in d.get("to_rescan") or []]


__all__ = ["batch_report_pdf", "batch_report_text", "rescan_list"]
