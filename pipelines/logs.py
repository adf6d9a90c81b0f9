"""Structured logs: every line carries the batch and document id. Never log personal ID numbers or names."""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

batch_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("batch_id", default=None)
document_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("document_id", default=None)


@contextmanager
def log_context(*, batch_id: str | None = None, document_id: str | None = None) -> Iterator[None]:
    tokens = []
    if batch_id is not None:
        tokens.append((batch_id_var, batch_id_var.set(batch_id)))
    if document_id is not None:
        tokens.append((document_id_var, document_id_var.set(document_id)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.batch_id = batch_id_var.get()
        record.document_id = document_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "batch_id": getattr(record, "batch_id", None),
            "document_id": getattr(record, "document_id", None),
            "msg": record.getMessage(),
        }
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def get_logger(name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    if not any(isinstance(f, ContextFilter) for f in logger.filters):
        logger.addFilter(ContextFilter())
    return logger
