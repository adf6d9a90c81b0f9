"""A long-lived local Prefect server (``sohoa services start``): teams watch batches in the Prefect UI, and
``sohoa ingest`` skips the 10–25 s start of a temporary server. Bound to 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from pipelines.errors import ConfigurationError
from storage.seaweed import _alive, _cmdline

HOST = "127.0.0.1"


class LocalPrefectServer:
    def __init__(self, data_dir: Path, port: int = 4200) -> None:
        self.data_dir = Path(data_dir).expanduser().absolute()
        self.port = port
        self.pid_file = self.data_dir / "prefect-server.pid"
        self.log_file = self.data_dir / "prefect-server.log"

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def _running_pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        if not _alive(pid) or not any("prefect" in part for part in _cmdline(pid)):
            return None
        return pid

    def healthy(self, timeout: float = 1.0) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=timeout) as r:  # noqa: S310 - loopback
                return r.status == 200
        except OSError:
            return False

    def running_api_url(self) -> str | None:
        """The API URL when this data dir's server is up, else None (then a temporary server is used)."""
        return self.api_url if self._running_pid() is not None and self.healthy() else None

    def start(self, timeout: float = 120) -> str:
        if self._running_pid() is not None and self.healthy():
            return self.api_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        prefect = Path(sys.executable).parent / "prefect"
        if not prefect.exists():
            raise ConfigurationError(
                "the 'prefect' command is missing from the virtualenv: run scripts/install.sh"
            )
        env = {
            **os.environ,
            "PREFECT_HOME": str(self.data_dir / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_API_URL": self.api_url,
        }
        env.pop("PREFECT_API_URL", None)
        with self.log_file.open("ab") as log:
            proc = subprocess.Popen(
                [str(prefect), "server", "start", "--host", HOST, "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        self.pid_file.write_text(str(proc.pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise ConfigurationError(f"the Prefect server did not start; see {self.log_file}")
            if self.healthy():
                return self.api_url
            time.sleep(0.5)
        self.stop()
        raise ConfigurationError(
            f"the Prefect server did not answer within {timeout:.0f} s; see {self.log_file}"
        )

    def status(self) -> dict[str, object]:
        pid = self._running_pid()
        return {
            "running": pid is not None and self.healthy(),
            "pid": pid,
            "api_url": self.api_url,
            "ui": self.ui_url,
            "log": str(self.log_file),
        }

    def stop(self, timeout: float = 15) -> bool:
        pid = self._running_pid()
        self.pid_file.unlink(missing_ok=True)
        if pid is None:
            return False
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.2)
        if _alive(pid):
            os.killpg(pid, signal.SIGKILL)
        return True
