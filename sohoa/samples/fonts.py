"""Fonts with Vietnamese glyphs (installed system TrueType files; nothing is downloaded)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

_LIB2 = Path("/usr/share/fonts/truetype/liberation2")
_NOTO = Path("/usr/share/fonts/truetype/noto")

# family -> style -> file. Liberation Serif is metric-compatible with Times New Roman (the official font).
FAMILIES: dict[str, dict[str, Path]] = {
    "LiberationSerif": {
        "regular": _LIB2 / "LiberationSerif-Regular.ttf",
        "bold": _LIB2 / "LiberationSerif-Bold.ttf",
        "italic": _LIB2 / "LiberationSerif-Italic.ttf",
        "bolditalic": _LIB2 / "LiberationSerif-BoldItalic.ttf",
    },
    "NotoSerif": {
        "regular": _NOTO / "NotoSerif-Regular.ttf",
        "bold": _NOTO / "NotoSerif-Bold.ttf",
        "italic": _NOTO / "NotoSerif-Italic.ttf",
        "bolditalic": _NOTO / "NotoSerif-BoldItalic.ttf",
    },
    "NotoSans": {
        "regular": _NOTO / "NotoSans-Regular.ttf",
        "bold": _NOTO / "NotoSans-Bold.ttf",
        "italic": _NOTO / "NotoSans-Italic.ttf",
        "bolditalic": _NOTO / "NotoSans-BoldItalic.ttf",
    },
    "LiberationMono": {
        "regular": _LIB2 / "LiberationMono-Regular.ttf",
        "bold": _LIB2 / "LiberationMono-Bold.ttf",
        "italic": _LIB2 / "LiberationMono-Italic.ttf",
        "bolditalic": _LIB2 / "LiberationMono-BoldItalic.ttf",
    },
}

_MEASURE_PX = 1000


@dataclass(frozen=True)
class Font:
    family: str = "LiberationSerif"
    style: str = "regular"  # regular | bold | italic | bolditalic

    @property
    def path(self) -> Path:
        return FAMILIES[self.family][self.style]

    @property
    def pdf_name(self) -> str:
        return f"{self.family}-{self.style}"

    def with_style(self, style: str) -> Font:
        return Font(self.family, style)


@lru_cache(maxsize=256)
def pil_font(path: Path, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), px)


def text_width_pt(text: str, font: Font, size_pt: float) -> float:
    """Advance width of ``text`` in points at ``size_pt``."""
    if not text:
        return 0.0
    return pil_font(font.path, _MEASURE_PX).getlength(text) * size_pt / _MEASURE_PX
