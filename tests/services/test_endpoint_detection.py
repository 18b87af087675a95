"""Detecting the base-URL generation and auth style before the first send, and again after a wrong one."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from desktop_app.api.connection import api_root, key_fingerprint
from desktop_app.core.message import OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.sandbox.server import SandboxConfig, SandboxServer
from desktop_app.services.profile import Mode, Profile
from desktop_app.services.runtime import Overrides, Runtime
from tests.helpers.messages import make_message

REPO = Path(__file__).resolve().parents[2]


def realistic(key_generation: str) -> SandboxServer:
    return SandboxServer(SandboxConfig(delivery_delay=0.2, realistic=True, key_generation=key_generation))


def production_profile(tmp_path: Path, **settings: str) -> Profile:
    profile = Profile(tmp_path / "profile")
    profile.update(mode=Mode.PAUBOX, name="Clinic", api_username="sandbox", **settings)
    return profile


def sent_at_sandbox(server: SandboxServer) -> list[dict[str, object]]:
    with httpx.Client(base_url=server.root_url + "/_sandbox", timeout=5) as control:
        messages: list[dict[str, object]] = control.get("/messages").json()["messages"]
        return messages


def message(subject: str = "Results") -> OutgoingMessage:
    return make_message(subject, "patient@example.org", name="", text="Your results are ready.")


@pytest.fixture
def legacy_sandbox() -> Iterator[SandboxServer]:
    with realistic("legacy") as server:
        yield server


def test_api_root_tells_a_root_from_a_generation_url() -> None:
    assert api_root("http://127.0.0.1:8025/") == "http://127.0.0.1:8025"
    assert api_root("https://api.paubox.com") == "https://api.paubox.com"
    assert api_root("https://api.paubox.com/v1") is None
    assert api_root("https://api.paubox.com/v1/email") is None
    assert api_root("https://api.paubox.net/v1/clinic") is None


def test_fingerprint_is_not_the_key_and_changes_with_it() -> None:
    key = "k3y-" + "x" * 40
    marker = key_fingerprint(key, "profile-a")
    assert key not in marker
    assert len(marker) == 16
    assert marker != key_fingerprint(key + "2", "profile-a")
    assert marker != key_fingerprint(key, "profile-b")


def test_first_run_detects_the_legacy_generation_before_its_first_send(
    legacy_sandbox: SandboxServer, tmp_path: Path
) -> None:
    profile = production_profile(tmp_path)
    runtime = Runtime(profile, Overrides(api_base_url=legacy_sandbox.root_url, api_key=legacy_sandbox.api_key))
    runtime.open()
    try:
        assert runtime.client is not None
        assert runtime.client.config.base_url == legacy_sandbox.root_url + "/v1/sandbox"
        stored = runtime.queue(message())
        done = runtime.wait_until(stored.id, {OutboxState.ACCEPTED, OutboxState.FAILED}, 20)
        assert done.state is OutboxState.ACCEPTED
        assert done.attempts == 1
    finally:
        runtime.close()
    assert len(sent_at_sandbox(legacy_sandbox)) == 1
    settings = Profile(tmp_path / "profile").settings
    assert (settings.detected_preset, settings.auth_style) == ("legacy", "token")
    assert settings.endpoint_checked_for_key
    assert legacy_sandbox.api_key not in (tmp_path / "profile" / "settings.json").read_text()

    # The next start with the same key probes nothing: it goes straight to the remembered generation.
    again = Runtime(Profile(tmp_path / "profile"), Overrides(api_base_url=legacy_sandbox.root_url,
                                                             api_key=legacy_sandbox.api_key))  # fmt: skip
    again.open()
    try:
        assert again.client is not None
        assert again.client.config.base_url == legacy_sandbox.root_url + "/v1/sandbox"
    finally:
        again.close()


@pytest.mark.parametrize(("key_generation", "remembered", "expected"), [
    ("legacy", "v1_email", "/v1/sandbox"),  # 401 "does not match endpoint username"
    ("v1_email", "v1", "/v1/email"),  # the gateway's HTML 404 for bare /v1
    ("v1", "v1_email", "/v1"),
])  # fmt: skip
def test_a_wrong_generation_mid_queue_detects_again_and_sends_exactly_once(
    tmp_path: Path, key_generation: str, remembered: str, expected: str, caplog: pytest.LogCaptureFixture
) -> None:
    with realistic(key_generation) as server:
        profile = production_profile(tmp_path)
        # A generation remembered for this very key (so nothing is probed at start) that is now wrong.
        runtime = Runtime(profile, Overrides(api_base_url=server.root_url, api_key=server.api_key))
        marker = runtime._marker(server.api_key, server.root_url)
        profile.update(detected_preset=remembered, endpoint_checked_for_key=marker)
        runtime.open()
        try:
            assert runtime.client is not None
            assert runtime.client.config.base_url.endswith("/v1" if remembered == "v1" else "/v1/email")
            ids = [runtime.queue(message(f"Results {n}")).id for n in range(3)]
            for message_id in ids:
                done = runtime.wait_until(message_id, {OutboxState.ACCEPTED, OutboxState.FAILED}, 20)
                assert done.state is OutboxState.ACCEPTED, done
                assert done.attempts == 1  # the refused request was provably not sent: it does not count
            assert runtime.client.config.base_url == server.root_url + expected
        finally:
            runtime.close()
        subjects = sorted(str(m["subject"]) for m in sent_at_sandbox(server))
        assert subjects == ["Results 0", "Results 1", "Results 2"]  # exactly one accepted copy of each
        assert Profile(tmp_path / "profile").settings.detected_preset == key_generation
        # The warning names the URL now used (here the sandbox's, not the preset's Paubox host).
        switched = [r.getMessage() for r in caplog.records if "wrong base-URL generation" in r.getMessage()]
        assert switched, caplog.text
        assert f"now sending to {server.root_url + expected} (" in switched[0], switched


@pytest.mark.keyring
def test_sealpost_send_to_a_root_url_detects_before_sending(legacy_sandbox: SandboxServer, tmp_path: Path) -> None:
    env = {**os.environ, "PAUBOX_API_KEY": legacy_sandbox.api_key, "PAUBOX_API_USERNAME": "sandbox"}
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "send", "--to", "patient@example.org", "--subject", "Results",
         "--text", "ready", "--profile-dir", str(tmp_path / "p"), "--api-base-url", legacy_sandbox.root_url],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(sent_at_sandbox(legacy_sandbox)) == 1
    settings = Profile(tmp_path / "p").settings
    assert settings.detected_preset == "legacy"
    assert legacy_sandbox.api_key not in (tmp_path / "p" / "settings.json").read_text()
