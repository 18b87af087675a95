"""The window stopped by SIGTERM (logout, shutdown, ``kill``) or SIGINT (Ctrl+C) closes as Ctrl+Q does.

Killed by the default action, a request the window had in flight was left for the next sending
owner, which can only call it "outcome unknown" (docs/store.md); the user then had to resolve a
message Paubox had in fact accepted. Run as a user meets it: the real window process (offscreen)
sending to the real sandbox over HTTP, with a reply slow enough to be in flight at the signal.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from desktop_app.sandbox.server import SandboxServer
from tests.conftest import sandbox_control

pytestmark = pytest.mark.keyring
REPO = Path(__file__).resolve().parents[2]
OWNS_SENDING = "this process sends for the profile"


def sealpost(sandbox: SandboxServer, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args, "--profile-dir", str(profile), "--api-base-url", sandbox.base_url],
        cwd=REPO, env={**os.environ, "PAUBOX_API_KEY": sandbox.api_key}, capture_output=True, text=True,
        timeout=60, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def until(what: str, probe: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := probe():
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def log_text(profile: Path) -> str:
    log = profile / "logs" / "sealpost.log"
    return log.read_text("utf-8", errors="replace") if log.exists() else ""


def states(sandbox: SandboxServer, profile: Path) -> list[str]:
    rows = json.loads(sealpost(sandbox, profile, "status", "--json").stdout)
    return [row["state"] for row in rows]


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_closing_signal_lets_the_request_in_flight_finish_and_exits_cleanly(
    number: signal.Signals, sandbox: SandboxServer, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    with sandbox_control(sandbox) as control:
        control.post("/faults", json={"latency_ms": 700}).raise_for_status()
    window = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "--profile-dir", str(profile), "--api-base-url", sandbox.base_url],
        cwd=REPO, env={**os.environ, "PAUBOX_API_KEY": sandbox.api_key, "QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        until("the window to own sending", lambda: OWNS_SENDING in log_text(profile))
        queued = sealpost(sandbox, profile, "send", "--to", "pat@example.org", "--subject", "Flu clinic",
                          "--text", "Walk-ins welcome", "--timeout", "0.2")  # fmt: skip
        assert queued.returncode == 4, queued.stderr  # not sent yet: the window sends it
        until("the window's request to start", lambda: states(sandbox, profile) == ["sending"], timeout=20)
        window.send_signal(number)
        _out, err = window.communicate(timeout=30)
    finally:
        if window.poll() is None:
            window.kill()
            window.communicate()
    assert window.returncode == 0, err
    assert "Traceback" not in err, err
    assert "KeyboardInterrupt" not in err, err
    assert f"closing the window on {number.name}" in log_text(profile)
    assert states(sandbox, profile) == ["accepted"]  # answered before the window went, not "outcome unknown"
    assert not (profile / "sealpost.db-wal").exists()  # the database was closed, not abandoned
