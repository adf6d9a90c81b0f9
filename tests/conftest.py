"""Shared test set-up. Fixture modules per area live in tests/fixtures/."""

from __future__ import annotations

import os
import tempfile

# Prefect reads its settings at import time: give the tests their own home, quiet and offline.
_PREFECT_HOME = tempfile.mkdtemp(prefix="sohoa-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ["OMP_THREAD_LIMIT"] = "1"

pytest_plugins = [
    "tests.fixtures.storage",
    "tests.fixtures.pki",
    "tests.fixtures.bad_inputs",
    "tests.fixtures.prefect",
]
