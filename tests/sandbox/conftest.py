"""A real sandbox server per test module, reset before every test, and httpx clients for it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from desktop_app.sandbox.server import SandboxConfig, SandboxServer

SENDER = "sender@clinic.example"


def message(**overrides: object) -> dict[str, object]:
    """A minimal valid Paubox message object."""
    base: dict[str, object] = {
        "recipients": ["patient@example.org"],
        "headers": {"subject": "Your results", "from": SENDER},
        "content": {"text/plain": "Hello"},
    }
    base.update(overrides)
    return base


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(delivery_delay=0)) as server:
        yield server


@pytest.fixture
def control(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    """Client for ``/_sandbox/``; resets state and faults before the test."""
    with httpx.Client(base_url=sandbox.root_url + "/_sandbox") as client:
        client.post("/faults", json={name: value for name, value in _NO_FAULTS.items()})
        client.post("/reset").raise_for_status()
        yield client


_NO_FAULTS: dict[str, object] = {
    "latency_ms": 0,
    "fail_rate": 0,
    "accept_then_fail_rate": 0,
    "accept_then_fail_mode": "mixed",
    "rate_limit": 0,
    "retry_after": "none",
    "malformed_rate": 0,
    "revoke_key_after": None,
    "seed": None,
}


@pytest.fixture
def api(sandbox: SandboxServer, control: httpx.Client) -> Iterator[httpx.Client]:
    """Client on the default (newest) base URL, authenticating like the SDKs do."""
    headers = {"Authorization": f"Token token={sandbox.api_key}"}
    with httpx.Client(base_url=sandbox.base_url + "/", headers=headers, timeout=5) as client:
        yield client
