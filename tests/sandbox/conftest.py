"""One real sandbox server per test module; state and faults reset before every test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from desktop_app.sandbox.faults import FaultConfig
from desktop_app.sandbox.server import SandboxConfig, SandboxServer

from .helpers import client_for


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(delivery_delay=0)) as server:
        yield server


@pytest.fixture
def control(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    """Client for ``/_sandbox/``; clears faults, messages and statistics first."""
    with httpx.Client(base_url=sandbox.root_url + "/_sandbox", timeout=5) as client:
        client.post("/faults", json=FaultConfig().to_json()).raise_for_status()
        client.post("/reset").raise_for_status()
        yield client


@pytest.fixture
def api(sandbox: SandboxServer, control: httpx.Client) -> Iterator[httpx.Client]:
    """Client on the default (newest) base URL, authenticating like the SDKs do."""
    with client_for(sandbox) as client:
        yield client
