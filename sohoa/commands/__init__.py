"""Sub-commands of ``sohoa`` beyond the pipeline's own (ingest, demo, ocr, download, verify, approve)."""
