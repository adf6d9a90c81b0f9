"""Realistic synthetic Vietnamese administrative documents: the demo dossiers and evaluation data sets.

Ground truth follows shared/spec/document-types.md. Everything is deterministic for a seed and uses only
installed fonts (Liberation Serif 2, Noto Serif/Sans).
"""

from .degrade import degrade_page
from .generate import DOC_TYPES, SampleDocument, generate_dataset, generate_demo, render_pages

__all__ = ["DOC_TYPES", "SampleDocument", "degrade_page", "generate_dataset", "generate_demo", "render_pages"]
