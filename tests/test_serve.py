"""``sohoa serve`` registers its deployments on the Prefect server and runs what is asked of it."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from tests.helpers import SOHOA, cli_env, make_settings


@pytest.mark.slow
def test_serve_runs_the_fixity_deployment(tmp_path, seaweed, prefect_api):
    from prefect.deployments import run_deployment

    settings = make_settings(tmp_path, seaweed, f"sqlite:///{tmp_path / 'serve.db'}")
    env = cli_env(settings, prefect_api)
    proc = subprocess.Popen(
        [SOHOA, "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        run = None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                run = run_deployment("fixity-check/fixity", timeout=180)
                break
            except Exception:  # noqa: BLE001 - the deployment is not registered yet
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                time.sleep(2)
        assert run is not None, "the fixity deployment never appeared"
        assert run.state is not None and run.state.is_completed(), run.state
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
