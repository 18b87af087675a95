"""Each sandbox fault switched on, asserting what the sandbox recorded and how the client classified it.

Sends are attempted exactly once and never duplicated; GETs retry; waits are recorded, not slept.
"""

from __future__ import annotations

import pytest

from desktop_app.api.errors import (
    AmbiguousOutcome,
    MalformedResponse,
    NotSent,
    RateLimited,
    ServiceUnavailable,
    Unauthorized,
)
from desktop_app.api.models import SendResult
from desktop_app.sandbox.server import SandboxServer

from .helpers import Recorder, make_client, message, recorded, set_faults, stats


def test_5xx_before_acting_is_not_sent_for_503_and_ambiguous_otherwise(sandbox: SandboxServer) -> None:
    set_faults(sandbox, fail_rate=1.0, seed=7)
    recorder = Recorder()
    seen: dict[int, type[Exception]] = {}
    with make_client(sandbox, recorder) as client:
        for _ in range(16):
            with pytest.raises((AmbiguousOutcome, NotSent)) as caught:
                client.send(message())
            status = recorder.events[-1].status
            assert status is not None
            seen[status] = type(caught.value)
    assert seen == {500: AmbiguousOutcome, 502: AmbiguousOutcome, 503: ServiceUnavailable, 504: AmbiguousOutcome}
    assert {e.attempt for e in recorder.events} == {1}
    assert sum(stats(sandbox)["POST messages"].values()) == 16  # one request per send, never a retry
    assert recorded(sandbox)["count"] == 0


def test_gets_retry_with_backoff_and_give_up_after_read_attempts(sandbox: SandboxServer) -> None:
    with make_client(sandbox) as client:
        tracking_id = client.send(message()).tracking_id
    set_faults(sandbox, fail_rate=1.0, seed=3)
    recorder = Recorder()
    with make_client(sandbox, recorder, rng=lambda: 0.5) as client, pytest.raises((AmbiguousOutcome, NotSent)):
        client.receipt(tracking_id)
    assert [e.attempt for e in recorder.events] == [1, 2, 3]
    assert recorder.sleeps == [0.25, 0.5]  # full jitter: rng 0.5 x ceilings 0.5 s and 1 s


def test_get_recovers_when_the_fault_clears(sandbox: SandboxServer) -> None:
    with make_client(sandbox) as client:
        tracking_id = client.send(message()).tracking_id
    set_faults(sandbox, fail_rate=0.5, seed=11)
    recorder = Recorder()
    with make_client(sandbox, recorder, read_attempts=10) as client:
        receipts = [client.receipt(tracking_id) for _ in range(5)]
    assert all(r.tracking_id == tracking_id for r in receipts)
    assert any(e.outcome != "ok" for e in recorder.events)  # some attempts failed and were retried


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("7", 7.0), ("http-date", "date"), ("garbage", None), ("none", None)],
)
def test_429_is_not_sent_and_honours_retry_after(sandbox: SandboxServer, mode: str, expected: object) -> None:
    set_faults(sandbox, rate_limit=0.01, retry_after=mode)
    recorder = Recorder()
    with make_client(sandbox, recorder) as client:
        first = client.send(message("First"))
        with pytest.raises(RateLimited) as caught:
            client.send(message("Second"))
    error = caught.value
    assert isinstance(error, NotSent)
    if expected == "date":
        assert error.retry_after is not None
        assert 0.0 <= error.retry_after <= 3.0
    else:
        assert error.retry_after == expected
    assert (error.retry_at is None) == (expected is None)
    assert stats(sandbox)["POST messages"] == {"200": 1, "429": 1}
    rows = recorded(sandbox)["messages"]
    assert [(r["sourceTrackingId"], r["duplicate_count"]) for r in rows] == [(first.tracking_id, 1)]


def test_429_pauses_the_shared_limiter(sandbox: SandboxServer) -> None:
    set_faults(sandbox, rate_limit=0.01, retry_after="7")
    recorder = Recorder()
    with make_client(sandbox, recorder) as client:
        client.send(message())
        with pytest.raises(RateLimited):
            client.send(message())
        assert client.limiter.paused_for > 0
        set_faults(sandbox)
        client.send(message())  # the limiter holds this one back first
    assert recorder.limiter_waits
    assert recorder.limiter_waits[0] > 0


def test_429_on_a_get_retries_after_retry_after(sandbox: SandboxServer) -> None:
    with make_client(sandbox) as client:
        tracking_id = client.send(message()).tracking_id
    set_faults(sandbox, rate_limit=0.01, retry_after="5")
    recorder = Recorder()
    with make_client(sandbox, recorder) as client:
        client.receipt(tracking_id)  # the bucket's one token
        with pytest.raises(RateLimited):
            client.receipt(tracking_id)
    assert recorder.sleeps == [5.0, 5.0]
    assert stats(sandbox)["GET message_receipt"] == {"200": 1, "429": 3}


def test_a_long_retry_after_on_a_get_goes_back_to_the_caller(sandbox: SandboxServer) -> None:
    set_faults(sandbox, rate_limit=0.01, retry_after="3600")
    recorder = Recorder()
    with make_client(sandbox, recorder) as client:
        client.list_templates()
        with pytest.raises(RateLimited) as caught:
            client.list_templates()
    assert caught.value.retry_after == 3600.0
    assert recorder.sleeps == []  # the tracker reschedules; no thread sleeps for an hour


@pytest.mark.parametrize("mode", ["drop", "timeout", "502"])
def test_accept_then_fail_is_ambiguous_and_never_resent(sandbox: SandboxServer, mode: str) -> None:
    set_faults(sandbox, accept_then_fail_rate=1.0, accept_then_fail_mode=mode, hang_seconds=5)
    recorder = Recorder()
    with make_client(sandbox, recorder, read_timeout=0.5) as client, pytest.raises(AmbiguousOutcome) as caught:
        client.send(message())
    assert not isinstance(caught.value, MalformedResponse)
    assert "may" in caught.value.user_message
    assert [(e.outcome, e.attempt) for e in recorder.events] == [("ambiguous", 1)]
    rows = recorded(sandbox)["messages"]
    assert [r["duplicate_count"] for r in rows] == [1]  # it did arrive, exactly once


def test_accept_then_fail_in_a_bulk_chunk_marks_every_message_ambiguous(sandbox: SandboxServer) -> None:
    set_faults(sandbox, accept_then_fail_rate=1.0, accept_then_fail_mode="drop")
    with make_client(sandbox) as client:
        outcomes = client.send_many([message(f"B{i}") for i in range(3)])
    assert all(isinstance(o, AmbiguousOutcome) for o in outcomes)
    assert recorded(sandbox)["count"] == 3


def test_malformed_reply_to_a_send_is_ambiguous(sandbox: SandboxServer) -> None:
    set_faults(sandbox, malformed_rate=1.0)
    recorder = Recorder()
    with make_client(sandbox, recorder) as client, pytest.raises(MalformedResponse):
        client.send(message())
    assert [(e.status, e.outcome) for e in recorder.events] == [(200, "malformed")]
    assert recorded(sandbox)["count"] == 1


def test_malformed_reply_to_a_get_is_retried(sandbox: SandboxServer) -> None:
    with make_client(sandbox) as client:
        tracking_id = client.send(message()).tracking_id
    set_faults(sandbox, malformed_rate=1.0)
    recorder = Recorder()
    with make_client(sandbox, recorder) as client, pytest.raises(MalformedResponse):
        client.receipt(tracking_id)
    assert [e.outcome for e in recorder.events] == ["malformed"] * 3


def test_revoked_key_is_rejected_and_nothing_is_sent(sandbox: SandboxServer) -> None:
    set_faults(sandbox, revoke_key_after=1)
    recorder = Recorder()
    with make_client(sandbox, recorder) as client:
        assert isinstance(client.send(message("Before")), SendResult)
        with pytest.raises(Unauthorized, match="enter a new key"):
            client.send(message("After"))
        with pytest.raises(Unauthorized):
            client.list_templates()  # client errors are never retried, GETs included
    assert [e.status for e in recorder.events] == [200, 401, 401]
    assert [r["subject"] for r in recorded(sandbox)["messages"]] == ["Before"]


def test_latency_beyond_the_read_timeout_is_ambiguous_for_a_send(sandbox: SandboxServer) -> None:
    set_faults(sandbox, latency_ms=1500)
    recorder = Recorder()
    with make_client(sandbox, recorder, read_timeout=0.2) as client:
        with pytest.raises(AmbiguousOutcome):
            client.send(message())
        with pytest.raises(AmbiguousOutcome):
            client.list_templates()
    assert [(e.endpoint, e.attempt) for e in recorder.events] == [
        ("messages", 1),
        ("dynamic_templates", 1),
        ("dynamic_templates", 2),
        ("dynamic_templates", 3),
    ]


def test_latency_within_the_timeout_just_works(sandbox: SandboxServer) -> None:
    set_faults(sandbox, latency_ms=100)
    with make_client(sandbox) as client:
        assert client.send(message()).tracking_id
    assert recorded(sandbox)["count"] == 1
