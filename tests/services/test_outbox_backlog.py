"""A backlog of single messages goes out through bulk_messages in chunks, keeping every per-message rule."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from desktop_app.core.message import OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.sandbox.server import SandboxConfig, SandboxServer
from desktop_app.services.outbox import BACKLOG_CHUNK_SIZE, BACKLOG_THRESHOLD
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime
from tests.conftest import sandbox_control
from tests.services.test_outbox import DONE, make_message


def queue_held(runtime: Runtime, messages: list[OutgoingMessage]) -> list[int]:
    """Queue everything while the engine is held, so it all becomes due at once, then release."""
    assert runtime.outbox is not None
    runtime.outbox.hold(True)
    ids = [runtime.queue(m).id for m in messages]
    runtime.send_queued_now()
    return ids


def endpoint_stats(server: SandboxServer) -> dict[str, dict[str, int]]:
    with sandbox_control(server) as control:
        stats: dict[str, dict[str, int]] = control.get("/stats").json()["by_endpoint"]
        return stats


def accepted_at_sandbox(server: SandboxServer) -> int:
    with sandbox_control(server) as control:
        return int(control.get("/messages?limit=1").json()["accepted_total"])


def test_an_ambiguous_backlog_chunk_makes_only_its_messages_outcome_unknown(
    runtime: Runtime, sandbox: SandboxServer
) -> None:
    """The sandbox accepts each chunk, then answers 502: Paubox has them, the app cannot know."""
    count = BACKLOG_THRESHOLD + BACKLOG_CHUNK_SIZE // 2
    with sandbox_control(sandbox) as control:
        control.post("/faults", json={"accept_then_fail_rate": 1.0, "accept_then_fail_mode": "502"})
    ids = queue_held(runtime, [make_message(f"Backlog {n}", f"p{n}@example.org") for n in range(count)])
    states = [runtime.wait_until(message_id, DONE, 30).state for message_id in ids]
    assert states == [OutboxState.OUTCOME_UNKNOWN] * count  # never resent on its own
    stats = endpoint_stats(sandbox)
    assert sum(stats["POST bulk_messages"].values()) == 2  # 20 + 10, not 30 single requests
    assert "POST messages" not in stats
    assert accepted_at_sandbox(sandbox) == count  # each exactly once


@pytest.fixture
def verifying_sandbox() -> Iterator[SandboxServer]:
    """A sandbox that knows only clinic.example as a verified sender domain (422 for any other)."""
    with SandboxServer(SandboxConfig(delivery_delay=0.2, verified_domains=("clinic.example",))) as server:
        yield server


def test_a_chunk_refused_as_a_whole_falls_back_to_single_sends(
    profile: Profile, verifying_sandbox: SandboxServer
) -> None:
    messages = [make_message(f"Backlog {n}", f"p{n}@example.org") for n in range(25)]
    messages[3] = dataclasses.replace(messages[3], sender="staff@unverified.example")
    messages[22] = dataclasses.replace(messages[22], open_tracking=True)  # bulk_messages cannot carry it
    runtime = Runtime(profile, Overrides(api_base_url=verifying_sandbox.base_url, api_key=verifying_sandbox.api_key))
    runtime.open()
    try:
        ids = queue_held(runtime, messages)
        states = [runtime.wait_until(message_id, DONE, 30).state for message_id in ids]
    finally:
        runtime.close()
    assert states[3] is OutboxState.FAILED
    assert states[:3] + states[4:] == [OutboxState.ACCEPTED] * 24
    stats = endpoint_stats(verifying_sandbox)
    assert stats["POST bulk_messages"] == {"422": 1, "200": 1}  # the first chunk refused, the second (4) sent
    assert stats["POST messages"] == {"200": 20, "422": 1}  # 19 + 1 of the first chunk, and the tracked one
    assert accepted_at_sandbox(verifying_sandbox) == 24
