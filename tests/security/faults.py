"""Helpers for the end-to-end fault matrix: a Runtime wired for fast retries, the sandbox's record,
and a scripted transport for the few faults the sandbox cannot produce on demand.

Every row still goes outbox → PauboxClient → real sandbox over loopback. The scripted transport
only answers *instead of* the sandbox (the request never reached it) or replaces the sandbox's
answer *after* it acted, exactly the two situations the outbox must tell apart.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from desktop_app.api.client import PauboxClient
from desktop_app.api.config import ApiConfig
from desktop_app.core.message import OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.core.retry import BackoffPolicy
from desktop_app.sandbox.server import SandboxServer
from desktop_app.services import outbox as outbox_module
from desktop_app.services import runtime as runtime_module
from desktop_app.services import runtime_endpoint
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime
from tests.conftest import sandbox_control
from tests.helpers.messages import make_message

FINAL = {OutboxState.ACCEPTED, OutboxState.FAILED, OutboxState.OUTCOME_UNKNOWN}


@dataclass
class Scripted:
    """One scripted answer for the next request whose method and path end match."""

    method: str
    path_end: str
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    forward_first: bool = False  # True: the sandbox acts, then its answer is replaced
    error: type[httpx.TransportError] | None = None


class ScriptedTransport(httpx.BaseTransport):
    def __init__(self, script: list[Scripted]) -> None:
        self._script = list(script)
        self._lock = threading.Lock()
        self._inner = httpx.HTTPTransport()

    def _take(self, request: httpx.Request) -> Scripted | None:
        with self._lock:
            for index, step in enumerate(self._script):
                if request.method == step.method and request.url.path.endswith(step.path_end):
                    return self._script.pop(index)
        return None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        step = self._take(request)
        if step is None:
            return self._inner.handle_request(request)
        if step.forward_first:
            forwarded = self._inner.handle_request(request)
            forwarded.read()
            forwarded.close()
        if step.error is not None:
            raise step.error("scripted fault", request=request)
        return httpx.Response(step.status, headers=step.headers, content=step.body, request=request)

    def close(self) -> None:
        self._inner.close()


def message(n: int = 0, subject: str = "Lab results") -> OutgoingMessage:
    return make_message(f"{subject} {n}", f"pat{n}@example.org", text="Your results are ready.")


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The outbox's own backoff (2 s base, 5 min cap) shrunk so a retried row finishes in a second."""
    monkeypatch.setattr(outbox_module, "BackoffPolicy", lambda **_: BackoffPolicy(base_seconds=0.05, cap_seconds=0.2))


RuntimeFactory = Callable[..., Runtime]


@pytest.fixture
def make_runtime(profile: Profile, monkeypatch: pytest.MonkeyPatch, fast_retries: None) -> Iterator[RuntimeFactory]:
    """Build and open a Runtime for ``base_url``, optionally through a scripted transport."""
    opened: list[Runtime] = []

    def build(
        base_url: str, api_key: str, *, script: list[Scripted] | None = None, read_timeout: float | None = None
    ) -> Runtime:
        if script is not None:
            transport = ScriptedTransport(script)
            monkeypatch.setattr(runtime_module, "PauboxClient", functools.partial(PauboxClient, transport=transport))
        if read_timeout is not None:
            monkeypatch.setattr(runtime_endpoint, "ApiConfig", functools.partial(ApiConfig, read_timeout=read_timeout))
        rt = Runtime(profile, Overrides(api_base_url=base_url, api_key=api_key))
        rt.open()
        opened.append(rt)
        return rt

    yield build
    for rt in opened:
        rt.close()


def set_faults(sandbox: SandboxServer, **faults: Any) -> None:
    with sandbox_control(sandbox) as control:
        control.post("/faults", json=faults).raise_for_status()


def record(sandbox: SandboxServer) -> dict[str, Any]:
    """The sandbox's own list of the messages it accepted, with duplicate counts."""
    with sandbox_control(sandbox) as control:
        body: dict[str, Any] = control.get("/messages").raise_for_status().json()
    return body


def stats(sandbox: SandboxServer) -> dict[str, dict[str, int]]:
    with sandbox_control(sandbox) as control:
        by_endpoint: dict[str, dict[str, int]] = control.get("/stats").raise_for_status().json()["by_endpoint"]
    return by_endpoint


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Poll ``condition`` until true; fail the test (never hang) after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(0.02)


def assert_sent_once_each(sandbox: SandboxServer, expected: int) -> None:
    """The sandbox saw exactly ``expected`` messages and none of them twice."""
    seen = record(sandbox)
    assert seen["accepted_total"] == expected
    assert [m["duplicate_count"] for m in seen["messages"]] == [1] * expected
