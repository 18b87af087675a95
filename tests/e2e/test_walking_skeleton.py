"""From the outside: the self-test, the standalone sandbox, and the headless send command."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def _run_sealpost(
    *args: str, env: dict[str, str] | None = None, timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        capture_output=True, text=True, timeout=timeout, env=env or ENV, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_self_test_delivers_through_the_real_outbox(tmp_path: Path) -> None:
    result = _run_sealpost("--self-test", "--profile-dir", str(tmp_path / "p"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("self-test: OK — delivered"), result.stdout


@pytest.fixture
def standalone_sandbox() -> Iterator[tuple[str, str]]:
    key = "standalone-test-key"
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop_app.sandbox", "--port", "0", "--api-key", key, "--delivery-delay", "0.2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        urls: dict[str, str] = {}
        for line in process.stdout:  # "name=url" lines, then "ready"
            if line.strip() == "ready":
                break
            name, _, url = line.strip().partition("=")
            urls[name] = url
        assert "v1_email" in urls, f"sandbox did not start: {urls}"
        yield urls["v1_email"], key
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()


def test_headless_send_against_a_standalone_sandbox_leaves_no_plaintext(
    tmp_path: Path, standalone_sandbox: tuple[str, str]
) -> None:
    base_url, key = standalone_sandbox
    profile = tmp_path / "profile"
    subject, body = "Canary-subject-7f3a91", "Canary-body-c41d2e"
    result = _run_sealpost(
        "send", "--profile-dir", str(profile), "--api-base-url", base_url,
        "--to", "Pat Jones <pat@clinic.example>", "--subject", subject, "--text", body,
        env={**ENV, "PAUBOX_API_KEY": key},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("accepted: message 1, tracking id ")
    tracking_id = result.stdout.split()[-1]

    root = base_url.split("/v1/")[0]
    recorded = httpx.get(f"{root}/_sandbox/messages", timeout=5).json()
    entries = recorded["messages"] if isinstance(recorded, dict) else recorded
    assert [m["sourceTrackingId"] for m in entries] == [tracking_id]

    receipt = httpx.get(
        f"{base_url}/message_receipt", params={"sourceTrackingId": tracking_id},
        headers={"Authorization": f"Token token={key}"}, timeout=5,
    ).json()  # fmt: skip
    assert receipt["data"]["message"]["message_deliveries"][0]["recipient"] == "pat@clinic.example"

    needles = [s.encode() for s in (subject, body, key, "pat@clinic.example")]
    needles += [base64.b64encode(s.encode()) for s in (subject, body)]
    needles += [s.encode("utf-16-le") for s in (subject, body)]
    for path in profile.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not [n for n in needles if n in content], f"{path.name} holds plaintext"
    assert json.loads((profile / "settings.json").read_text())["mode"] == "sandbox"


def test_headless_send_refuses_a_bad_address_without_queuing(tmp_path: Path) -> None:
    result = _run_sealpost(
        "send", "--profile-dir", str(tmp_path / "p"), "--to", "not an address", "--subject", "s", "--text", "t"
    )
    assert result.returncode == 2
    assert "not a valid address" in result.stderr
