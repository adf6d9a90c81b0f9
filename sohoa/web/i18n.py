"""Translations from gettext catalogs (``locale/<lang>/LC_MESSAGES/sohoa.po``), Vietnamese by default.

The catalogs are read with a small .po parser (no compile step, no extra package): msgid is the English
text, msgstr its translation; an empty msgstr falls back to the msgid.
"""

from __future__ import annotations

import ast
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
DOMAIN = "sohoa"


def _unquote(token: str) -> str:
    return ast.literal_eval(token) if token.startswith('"') else ""


def parse_po(text: str) -> dict[str, str]:
    """msgid -> msgstr of a .po file (single-form messages; the header entry is skipped)."""
    out: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None

    def flush() -> None:
        if msgid is not None and msgstr is not None:
            key, value = "".join(msgid), "".join(msgstr)
            if key and value:
                out[unicodedata.normalize("NFC", key)] = unicodedata.normalize("NFC", value)

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgid "):
            flush()
            msgid, msgstr = [_unquote(line[6:].strip())], None
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [_unquote(line[7:].strip())]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(_unquote(line))
    flush()
    return out


@lru_cache(maxsize=len(LANGUAGES))
def catalog(lang: str) -> dict[str, str]:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    return parse_po(path.read_text(encoding="utf-8")) if path.exists() else {}


def pick_language(query: str | None, cookie: str | None) -> str:
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate  # type: ignore[return-value]
    return DEFAULT_LANGUAGE


def translator(lang: str) -> Callable[..., str]:
    messages = catalog(lang)

    def gettext(message: str, **values: object) -> str:
        text = messages.get(message, message)
        return text.format(**values) if values else text

    return gettext
