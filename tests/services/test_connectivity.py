"""Offline queue: with Paubox unreachable, mail waits (no retries spent) and goes out on reconnect."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.api.errors import ConnectionFailed, Unauthorized
from desktop_app.core.outbox_state import OutboxState
from desktop_app.sandbox.server import SandboxConfig, SandboxServer
from desktop_app.services.connectivity import ConnectivityWatch, ProbeResult
from desktop_app.services.outbox import Connectivity, EngineStatus
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime
from tests.services.test_outbox import DONE, make_message

API_KEY = "offline-test-key"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def offline_runtime(tmp_path: Path, port: int) -> Iterator[Runtime]:
    runtime = Runtime(
        Profile(tmp_path / "profile"), Overrides(api_base_url=f"http://127.0.0.1:{port}/v1/email", api_key=API_KEY)
    )
    yield runtime
    runtime.close()


def wait_for_status(runtime: Runtime, wanted: Connectivity) -> EngineStatus:
    assert runtime.outbox is not None
    reached = threading.Event()
    runtime.outbox.on_status(lambda status: reached.set() if status.connectivity is wanted else None)
    if runtime.outbox.status.connectivity is not wanted:
        assert reached.wait(20), f"outbox never became {wanted.value}"
    return runtime.outbox.status


def test_offline_queue_spends_no_retries_and_sends_on_reconnect(offline_runtime: Runtime, port: int) -> None:
    offline_runtime.open()
    stored = offline_runtime.queue(make_message("Written offline"))
    wait_for_status(offline_runtime, Connectivity.OFFLINE)
    assert offline_runtime.store is not None
    waiting = offline_runtime.store.get(stored.id)
    assert waiting.state is OutboxState.QUEUED
    assert waiting.attempts == 0
    with SandboxServer(SandboxConfig(port=port, api_key=API_KEY, delivery_delay=0.2)):
        final = offline_runtime.wait_until(stored.id, DONE, 30)
        assert final.state is OutboxState.ACCEPTED
        assert final.attempts == 1
        assert offline_runtime.outbox is not None
        assert offline_runtime.outbox.status.connectivity is Connectivity.ONLINE


def test_ask_policy_waits_for_the_user_after_reconnecting(offline_runtime: Runtime, port: int) -> None:
    offline_runtime.profile.update(offline_policy="ask")
    offline_runtime.open()
    stored = offline_runtime.queue(make_message("Ask first"))
    wait_for_status(offline_runtime, Connectivity.OFFLINE)
    with SandboxServer(SandboxConfig(port=port, api_key=API_KEY, delivery_delay=0.2)):
        paused = wait_for_status(offline_runtime, Connectivity.PAUSED)
        assert "Send them now?" in paused.detail
        assert offline_runtime.store is not None
        assert offline_runtime.store.get(stored.id).state is OutboxState.QUEUED
        offline_runtime.send_queued_now()
        assert offline_runtime.wait_until(stored.id, DONE, 30).state is OutboxState.ACCEPTED


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_probe_interval_doubles_while_unreachable_and_is_capped() -> None:
    clock = FakeClock()
    failures = [ConnectionFailed("down")] * 10

    def probe() -> None:
        if failures:
            raise failures.pop()

    watch = ConnectivityWatch(probe, first_interval=2.0, max_interval=10.0, clock=clock)
    assert watch.went_offline() == 1002.0
    assert watch.went_offline() == 1002.0  # a second failure does not push the probe back
    gaps = []
    for _ in range(5):
        assert watch.probe_now() is ProbeResult.UNREACHABLE
        assert watch.next_probe_at is not None
        gaps.append(watch.next_probe_at - clock.now)
    assert gaps == [4.0, 8.0, 10.0, 10.0, 10.0]
    failures.clear()
    assert watch.probe_now() is ProbeResult.REACHABLE
    assert not watch.offline


def test_probe_reports_a_rejected_key() -> None:
    def probe() -> None:
        raise Unauthorized("no")

    watch = ConnectivityWatch(probe, clock=FakeClock())
    watch.went_offline()
    assert watch.probe_now() is ProbeResult.KEY_REJECTED
