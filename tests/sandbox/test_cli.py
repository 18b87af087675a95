"""The standalone sandbox: ``python -m desktop_app.sandbox`` as a subprocess."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from .helpers import message


def start(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop_app.sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines: dict[str, str] = {}
    for line in process.stdout:
        if line.strip() == "ready":
            return process, lines
        name, _, value = line.strip().partition("=")
        lines[name] = value
    process.wait(5)
    raise AssertionError(f"sandbox exited early: {process.stderr.read() if process.stderr else ''}")


@pytest.fixture
def standalone() -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    process, lines = start("--api-username", "acme", "--delivery-delay", "0", "--verified-domains", "clinic.example")
    yield process, lines
    if process.poll() is None:
        process.kill()
    process.wait(5)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_and_stops_cleanly(
    standalone: tuple[subprocess.Popen[str], dict[str, str]], sig: signal.Signals
) -> None:
    process, lines = standalone
    assert set(lines) == {"legacy", "v1", "v1_email", "webhooks", "api_key", "webhooks_key"}
    assert lines["legacy"].endswith("/v1/acme")
    assert lines["webhooks"].endswith("/v1/webhooks")
    listed = httpx.get(lines["webhooks"] + "/endpoints", headers={"Authorization": f"Bearer {lines['webhooks_key']}"})
    assert listed.status_code == 200
    assert listed.json()["data"] == []
    headers = {"Authorization": f"Token token={lines['api_key']}"}
    url = lines["legacy"] + "/messages"
    assert httpx.post(url, json={"data": {"message": message()}}, headers=headers).status_code == 200
    unverified = message(headers={"subject": "S", "from": "me@gmail.com"})
    assert httpx.post(url, json={"data": {"message": unverified}}, headers=headers).status_code == 422
    process.send_signal(sig)
    assert process.wait(5) == 0


def test_cli_with_explicit_key_does_not_print_it() -> None:
    process, lines = start("--api-key", "k-1", "--webhooks-key", "wk-1", "--seed", "3", "--fail-rate", "1")
    try:
        assert "api_key" not in lines
        assert "webhooks_key" not in lines
        response = httpx.get(lines["v1_email"] + "/dynamic_templates", headers={"Authorization": "Bearer k-1"})
        assert response.status_code in (500, 502, 503, 504)
    finally:
        process.terminate()
        assert process.wait(5) == 0
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_cli_refuses_non_loopback_host() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app.sandbox", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    assert result.returncode == 2
    assert "non-loopback" in result.stderr
