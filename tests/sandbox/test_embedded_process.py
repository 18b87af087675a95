"""The app's embedded sandbox as a child process: it answers the Paubox API, stops when told, dies
with the app however the app dies, says why when it cannot start, and starts from a frozen bundle."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from desktop_app.sandbox import embedded
from desktop_app.sandbox.embedded import SandboxProcess, SandboxStarter, SandboxStartError
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime, SetupError

from .helpers import message


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_the_child_answers_the_paubox_api_and_stops_when_told() -> None:
    sandbox = SandboxProcess(delivery_delay=0.0, attachment_limit_mb=1.0)
    try:
        headers = {"Authorization": f"Token token={sandbox.api_key}"}
        sent = httpx.post(sandbox.base_url + "/messages", json={"data": {"message": message()}}, headers=headers)
        assert sent.status_code == 200, sent.text
        recorded = httpx.get(sandbox.root_url + "/_sandbox/messages", timeout=5).json()
        assert len(recorded["messages"]) == 1  # its state lives in the child, as it lived in the app before
        refused = httpx.post(sandbox.base_url + "/messages", json={"data": {"message": message()}},
                             headers={"Authorization": "Token token=not-the-key"})  # fmt: skip
        assert refused.status_code == 401
        big = message(attachments=[{"fileName": "a.bin", "contentType": "application/octet-stream",
                                    "content": "A" * (2 * 1024 * 1024)}])  # fmt: skip
        assert httpx.post(sandbox.base_url + "/messages", json={"data": {"message": big}}, headers=headers,
                          timeout=10).status_code == 400  # fmt: skip  # the profile's attachment limit holds
    finally:
        sandbox.stop()
    assert _gone(sandbox.pid)
    with pytest.raises(httpx.TransportError):
        httpx.get(sandbox.root_url, timeout=2.0)
    sandbox.stop()  # a second stop does nothing


def test_the_child_dies_with_the_app_even_when_the_app_is_killed(tmp_path: Path) -> None:
    """SIGKILL leaves no chance to stop anything: the child notices its input closing."""
    code = (
        "import sys\n"
        "from desktop_app.sandbox.embedded import SandboxProcess\n"
        "sandbox = SandboxProcess(0.0, 1.0)\n"
        "print(sandbox.pid, sandbox.root_url, flush=True)\n"
        "sys.stdin.read()\n"
    )
    app = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert app.stdout is not None
    pid_text, root = app.stdout.readline().split()
    assert httpx.get(root + "/_sandbox/stats", timeout=5).status_code == 200
    app.kill()
    app.wait(10)
    assert _gone(int(pid_text)), "the sandbox outlived the app that started it"
    for stream in (app.stdin, app.stdout):
        assert stream is not None
        stream.close()


def test_ctrl_c_in_the_apps_terminal_leaves_the_sandbox_to_the_app() -> None:
    sandbox = SandboxProcess(0.0, 1.0)
    try:
        root = sandbox.root_url
        os.kill(sandbox.pid, signal.SIGINT)
        time.sleep(0.5)
        assert httpx.get(root + "/_sandbox/stats", timeout=5).status_code == 200
    finally:
        sandbox.stop()


def test_a_child_that_cannot_start_says_why() -> None:
    sandbox = SandboxProcess(delivery_delay=-1.0, attachment_limit_mb=1.0)  # refused by the sandbox's config
    with pytest.raises(SandboxStartError, match=r"did not start \(exit status 2\): error: delivery_delay"):
        _ = sandbox.base_url
    assert _gone(sandbox.pid)


def test_a_missing_executable_is_a_known_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(embedded, "child_command", lambda *args: [str(tmp_path / "no-such-sealpost"), *args])
    with pytest.raises(SandboxStartError, match="could not be started"):
        SandboxProcess(0.0, 1.0)


def test_the_runtime_says_in_words_when_its_sandbox_cannot_start(tmp_path: Path) -> None:
    profile = Profile(tmp_path / "profile")  # a new profile is in sandbox mode
    runtime = Runtime(profile, Overrides(start_sandbox=lambda _delay, limit: SandboxProcess(-1.0, limit)))
    with pytest.raises(SetupError, match="built-in test server did not start"):
        runtime.open()
    runtime.close()


def test_a_frozen_app_starts_the_child_through_its_own_executable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bundle has no Python to run ``-m`` with: its executable takes the hidden first argument,
    as ``python -m desktop_app`` does (the bundle's entry is ``desktop_app/__main__.py``)."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert embedded.child_command("--port", "0") == [sys.executable, "--embedded-sandbox", "--port", "0"]
    monkeypatch.setattr(sys, "frozen", False)
    command = embedded.child_command("--port", "0", "--exit-with-stdin")
    assert command[:4] == [sys.executable, "-m", "desktop_app", "--embedded-sandbox"]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        lines = []
        while (line := child.stdout.readline().strip()) != "ready":
            assert line, "the child ended without listening"
            lines.append(line)
        assert any(line.startswith("v1_email=http://127.0.0.1:") for line in lines)
        assert child.stdin is not None
        child.stdin.close()  # the app's way of stopping it
        assert child.wait(10) == 0


def test_the_starter_hands_over_the_child_it_started_ahead() -> None:
    starter = SandboxStarter()
    starter.prestart(0.0, 1.0)
    first = starter(0.0, 1.0)
    second = starter(0.0, 1.0)  # a later runtime (a profile switch) gets a fresh one
    other = SandboxStarter()
    other.prestart(0.0, 1.0)
    mismatched = other(2.0, 1.0)  # settings changed meanwhile: the early child is not the one asked for
    try:
        assert first.pid != second.pid
        assert mismatched.settings == (2.0, 1.0)
        for sandbox in (first, second, mismatched):
            assert httpx.get(sandbox.root_url + "/_sandbox/stats", timeout=5).status_code == 200
    finally:
        for sandbox in (first, second, mismatched):
            sandbox.stop()


CHILD_IMPORTS = """
import os, ssl, sys
saved = os.environ.get("SSL_CERT_FILE")
from desktop_app.sandbox.__main__ import _server_class
_server_class()
from aiohttp import connector
assert connector._SSL_CONTEXT_VERIFIED.cert_store_stats()["x509_ca"] == 0, "aiohttp loaded the CA certificates"
assert os.environ.get("SSL_CERT_FILE") == saved, "the environment was not put back"
assert ssl.create_default_context().cert_store_stats()["x509_ca"] > 0, "the process's own contexts lost them"
assert "httpx" not in sys.modules, "httpx loaded before any webhook delivery"
"""


def test_the_child_loads_no_certificates_for_aiohttps_client_and_no_httpx_before_a_webhook() -> None:
    """~80 ms of its start, on the core the window shares: it serves plain http and is no aiohttp client."""
    result = subprocess.run([sys.executable, "-c", CHILD_IMPORTS], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_window_starts_its_sandbox_once_told_and_only_on_a_sandbox_profile(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The window tells it once it has painted: before, the child took a core from the first paint."""
    from desktop_app import cli

    started: list[tuple[float, float]] = []
    monkeypatch.setattr(SandboxStarter, "prestart", lambda _self, delay, limit: started.append((delay, limit)))
    profile = Profile(tmp_path / "profile")
    assert profile.settings.mode.value == "sandbox"
    _make_runtime, prestart = cli._window_runtime(profile, None)
    assert started == []
    prestart()
    assert started == [(cli.WINDOW_SANDBOX_DELAY, profile.settings.attachment_limit_mb)]
    _make_runtime, elsewhere = cli._window_runtime(profile, "http://127.0.0.1:9")
    elsewhere()  # an endpoint of its own: no sandbox to start
    assert len(started) == 1
