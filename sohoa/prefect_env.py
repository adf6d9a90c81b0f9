"""Prefect's settings must be in the environment before prefect is imported."""

from __future__ import annotations

import os

from sohoa.settings import Settings


def configure_prefect(settings: Settings) -> None:
    """Quiet, offline defaults; and the long-lived local server of ``sohoa services start`` when it runs
    (otherwise Prefect starts a temporary one for the run). An explicit PREFECT_API_URL wins."""
    if not os.environ.get("PREFECT_API_URL"):
        from flows.server import LocalPrefectServer

        url = LocalPrefectServer(settings.data_dir, settings.prefect_local_port).running_api_url()
        if url:
            os.environ["PREFECT_API_URL"] = url
    os.environ.setdefault("PREFECT_HOME", str(settings.data_dir / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
