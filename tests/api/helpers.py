"""Builders shared by the client tests: messages, clients on the sandbox, fault switches, records."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import httpx

from desktop_app.api.activity import ActivityEvent
from desktop_app.api.client import PauboxClient
from desktop_app.api.config import ApiConfig, AuthStyle, Secret
from desktop_app.api.rate_limit import RateLimiter
from desktop_app.core.message import OutgoingMessage
from desktop_app.core.retry import BackoffPolicy
from desktop_app.sandbox.server import SandboxServer
from tests.conftest import sandbox_control
from tests.helpers.messages import make_message

SENDER = "clinic@sealpost.example"


def message(subject: str = "Your results", **overrides: Any) -> OutgoingMessage:
    values: dict[str, Any] = {"to": "patient@example.org", "name": "Pat Doe", "sender": SENDER, **overrides}
    return make_message(subject, **values)


class Recorder:
    """Collects activity events and the delays the client asked to sleep (it never really sleeps)."""

    def __init__(self) -> None:
        self.events: list[ActivityEvent] = []
        self.sleeps: list[float] = []  # the client's retry waits
        self.limiter_waits: list[float] = []  # the rate limiter's waits (e.g. after a 429)


def make_client(
    server: SandboxServer,
    recorder: Recorder | None = None,
    *,
    generation: str = "v1_email",
    key: str | None = None,
    auth: AuthStyle = AuthStyle.TOKEN,
    read_timeout: float = 5.0,
    read_attempts: int = 3,
    rng: Callable[[], float] = lambda: 0.5,
    transport: httpx.BaseTransport | None = None,
) -> PauboxClient:
    """A client on the sandbox with injected sleep and jitter, so retries cost no wall time."""
    recorder = recorder or Recorder()
    config = ApiConfig(
        server.base_urls[generation],
        Secret(server.api_key if key is None else key),
        auth,
        connect_timeout=5.0,
        read_timeout=read_timeout,
    )
    return PauboxClient(
        config,
        limiter=RateLimiter(1000.0, sleep=recorder.limiter_waits.append),
        on_activity=recorder.events.append,
        backoff=BackoffPolicy(base_seconds=0.5, cap_seconds=8.0, rng=rng),
        read_attempts=read_attempts,
        sleep=recorder.sleeps.append,
        transport=transport,
    )


def set_faults(server: SandboxServer, **faults: object) -> None:
    with sandbox_control(server) as control:
        control.post("/faults", json=faults).raise_for_status()


def recorded(server: SandboxServer) -> dict[str, Any]:
    """What the sandbox accepted: ``count`` and per-message ``duplicate_count``."""
    with sandbox_control(server) as control:
        body: dict[str, Any] = control.get("/messages").json()
    return body


def stats(server: SandboxServer) -> dict[str, dict[str, int]]:
    """Responses per endpoint and status, e.g. ``{"POST messages": {"429": 1}}``."""
    with sandbox_control(server) as control:
        by_endpoint: dict[str, dict[str, int]] = control.get("/stats").json()["by_endpoint"]
    return by_endpoint


def closed_port() -> int:
    """A loopback port nothing listens on (bound, read, released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
