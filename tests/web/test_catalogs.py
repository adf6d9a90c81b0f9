"""Every text of the pages has its Vietnamese translation (and an entry in the English catalog)."""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.model import Status
from sohoa.web.i18n import LOCALE_DIR, catalog
from sohoa.web.overview import DOSSIER_STATES

TEMPLATES = Path(__file__).resolve().parents[2] / "sohoa" / "web" / "templates"
MESSAGE = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


def _template_messages() -> set[str]:
    out: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        out |= {a or b for a, b in MESSAGE.findall(path.read_text(encoding="utf-8"))}
    return out


def test_every_page_text_is_translated() -> None:
    messages = _template_messages() | {str(s) for s in Status} | set(DOSSIER_STATES) | {"superseded", "empty"}
    vi = catalog("vi")
    missing = sorted(m for m in messages if m not in vi)
    assert missing == [], f"no Vietnamese translation for: {missing}"
    english = (LOCALE_DIR / "en" / "LC_MESSAGES" / "sohoa.po").read_text(encoding="utf-8")
    absent = sorted(m for m in _template_messages() if f'msgid "{m}"' not in english)
    assert absent == [], f"not in the English catalog: {absent}"
