"""sohoa: digitise, extract, sign and archive Vietnamese administrative dossiers."""

__version__ = "0.1.0"
