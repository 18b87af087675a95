"""The end-to-end fault matrix (issue 9): one test per row, outbox → client → real sandbox.

Each row asserts the sandbox's own record (messages accepted, duplicate counts, per-endpoint
statuses) besides the outbox state: "nothing lost, nothing sent twice" is judged by the server.
"""

from __future__ import annotations

import dataclasses
import json
import socket
from typing import Any

import pytest

from desktop_app.core.outbox_state import OutboxState
from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.outbox import Connectivity
from desktop_app.store.database import DiskFull, check_integrity
from tests.security.faults import (
    FINAL,
    RuntimeFactory,
    Scripted,
    assert_sent_once_each,
    message,
    record,
    set_faults,
    stats,
    wait_for,
)
from tests.security.tally import count

pytestmark = pytest.mark.usefixtures("fault_row")

ERROR_BODY = json.dumps({"errors": [{"code": 0, "title": "scripted", "details": ""}]}).encode()


@pytest.fixture
def fault_row() -> None:
    count("fault matrix rows run")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stays_queued_offline(make_runtime: RuntimeFactory, base_url: str) -> None:
    rt = make_runtime(base_url, "test-key")
    stored = rt.queue(message())
    assert rt.store is not None
    assert rt.outbox is not None
    wait_for(lambda: rt.outbox is not None and rt.outbox.status.connectivity is Connectivity.OFFLINE)
    now = rt.store.get(stored.id)
    assert now.state is OutboxState.QUEUED  # not failed, not unknown: nothing can have been sent
    assert now.attempts == 0  # being offline does not use up the message's retries
    assert "Cannot reach Paubox" in rt.outbox.status.detail


def test_connection_refused(make_runtime: RuntimeFactory) -> None:
    _stays_queued_offline(make_runtime, f"http://127.0.0.1:{_closed_port()}/v1/email")


def test_dns_failure(make_runtime: RuntimeFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """``.invalid`` never resolves (RFC 6761); the lookup is refused here so no query leaves the machine."""
    real = socket.getaddrinfo

    def no_invalid(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str | bytes) and str(host).rstrip(".").endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_invalid)
    _stays_queued_offline(make_runtime, "https://api.sealpost-test.invalid/v1/email")


@pytest.mark.parametrize("status", [503, 408])
def test_503_and_408_are_retried_and_sent_once(
    status: int, make_runtime: RuntimeFactory, sandbox: SandboxServer
) -> None:
    script = [Scripted("POST", "/messages", status, ERROR_BODY, {"Content-Type": "application/json"})]
    rt = make_runtime(sandbox.base_url, sandbox.api_key, script=script)
    stored = rt.queue(message())
    final = rt.wait_until(stored.id, FINAL, 20)
    assert final.state is OutboxState.ACCEPTED
    assert final.attempts == 2
    assert_sent_once_each(sandbox, 1)


@pytest.mark.parametrize("retry_after", ["1", "http-date", "garbage", "none"])
def test_429_with_retry_after_is_honoured_and_sent_once(
    retry_after: str, make_runtime: RuntimeFactory, sandbox: SandboxServer
) -> None:
    """The sandbox's own rate limit (1 request/s, burst 1) answers 429 with each Retry-After form."""
    set_faults(sandbox, rate_limit=1, retry_after=retry_after)
    rt = make_runtime(sandbox.base_url, sandbox.api_key)
    ids = [rt.queue(message(n)).id for n in range(2)]
    assert rt.store is not None
    finals = [rt.wait_until(i, FINAL, 30) for i in ids]
    assert [f.state for f in finals] == [OutboxState.ACCEPTED] * 2
    assert stats(sandbox)["POST messages"].get("429", 0) >= 1
    assert stats(sandbox)["POST messages"]["200"] == 2
    assert any("slow down" in e.detail for f in finals for e in rt.store.timeline(f.id))
    assert_sent_once_each(sandbox, 2)


def test_429_with_retry_after_in_the_past_retries_now(make_runtime: RuntimeFactory, sandbox: SandboxServer) -> None:
    past = {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT", "Content-Type": "application/json"}
    rt = make_runtime(sandbox.base_url, sandbox.api_key, script=[Scripted("POST", "/messages", 429, ERROR_BODY, past)])
    stored = rt.queue(message())
    final = rt.wait_until(stored.id, FINAL, 20)
    assert (final.state, final.attempts) == (OutboxState.ACCEPTED, 2)
    assert_sent_once_each(sandbox, 1)


def _outcome_unknown_and_not_resent(rt: Any, sandbox: SandboxServer) -> None:
    stored = rt.queue(message())
    final = rt.wait_until(stored.id, FINAL, 20)
    assert final.state is OutboxState.OUTCOME_UNKNOWN
    assert "may" in final.last_error  # the user is told it may have gone out
    wait_for(lambda: rt.outbox.idle)
    assert rt.store.get(stored.id).state is OutboxState.OUTCOME_UNKNOWN  # never retried by itself
    assert_sent_once_each(sandbox, 1)  # the sandbox did act on it: it is not lost either
    rt.resend(stored.id)  # the user's explicit choice; the sandbox's record shows the duplicate
    assert rt.wait_until(stored.id, FINAL, 20).state is OutboxState.ACCEPTED
    assert [m["duplicate_count"] for m in record(sandbox)["messages"]] == [2, 2]


@pytest.mark.parametrize("status", [500, 502, 504])
def test_5xx_after_the_body_was_sent_is_outcome_unknown(
    status: int, make_runtime: RuntimeFactory, sandbox: SandboxServer
) -> None:
    if status == 502:  # the sandbox's own accept-then-fail: recorded, then a gateway 502 page
        set_faults(sandbox, accept_then_fail_rate=1.0, accept_then_fail_mode="502")
        rt = make_runtime(sandbox.base_url, sandbox.api_key)
        stored = rt.queue(message())
        assert rt.wait_until(stored.id, FINAL, 20).state is OutboxState.OUTCOME_UNKNOWN
        set_faults(sandbox, accept_then_fail_rate=0.0)
        assert_sent_once_each(sandbox, 1)
        return
    after = Scripted("POST", "/messages", status, ERROR_BODY, {"Content-Type": "application/json"}, forward_first=True)
    _outcome_unknown_and_not_resent(make_runtime(sandbox.base_url, sandbox.api_key, script=[after]), sandbox)


def test_read_timeout_after_accept_is_outcome_unknown(make_runtime: RuntimeFactory, sandbox: SandboxServer) -> None:
    set_faults(sandbox, accept_then_fail_rate=1.0, accept_then_fail_mode="timeout", hang_seconds=30)
    rt = make_runtime(sandbox.base_url, sandbox.api_key, read_timeout=0.5)
    stored = rt.queue(message())
    assert rt.wait_until(stored.id, FINAL, 20).state is OutboxState.OUTCOME_UNKNOWN
    assert_sent_once_each(sandbox, 1)


def test_connection_dropped_after_accept_is_outcome_unknown(
    make_runtime: RuntimeFactory, sandbox: SandboxServer
) -> None:
    set_faults(sandbox, accept_then_fail_rate=1.0, accept_then_fail_mode="drop")
    rt = make_runtime(sandbox.base_url, sandbox.api_key)
    stored = rt.queue(message())
    assert rt.wait_until(stored.id, FINAL, 20).state is OutboxState.OUTCOME_UNKNOWN
    assert stats(sandbox)["POST messages"] == {"drop": 1}
    assert_sent_once_each(sandbox, 1)


def test_reset_mid_response_is_outcome_unknown(make_runtime: RuntimeFactory, sandbox: SandboxServer) -> None:
    import httpx

    reset = Scripted("POST", "/messages", forward_first=True, error=httpx.ReadError)
    _outcome_unknown_and_not_resent(make_runtime(sandbox.base_url, sandbox.api_key, script=[reset]), sandbox)


def test_200_with_malformed_json_is_outcome_unknown(make_runtime: RuntimeFactory, sandbox: SandboxServer) -> None:
    set_faults(sandbox, malformed_rate=1.0)
    rt = make_runtime(sandbox.base_url, sandbox.api_key)
    stored = rt.queue(message())
    assert rt.wait_until(stored.id, FINAL, 20).state is OutboxState.OUTCOME_UNKNOWN
    assert stats(sandbox)["POST messages"] == {"200": 1}
    assert_sent_once_each(sandbox, 1)


def test_200_without_tracking_id_is_outcome_unknown(make_runtime: RuntimeFactory, sandbox: SandboxServer) -> None:
    no_id = Scripted("POST", "/messages", 200, b'{"data": "Service OK"}', {"Content-Type": "application/json"},
                     forward_first=True)  # fmt: skip
    _outcome_unknown_and_not_resent(make_runtime(sandbox.base_url, sandbox.api_key, script=[no_id]), sandbox)


def test_receipt_404_right_after_send_then_200(make_runtime: RuntimeFactory, sandbox: SandboxServer) -> None:
    not_yet = json.dumps({"errors": [{"code": 404, "title": "message_not_found", "details": ""}]}).encode()
    script = [Scripted("GET", "/message_receipt", 404, not_yet, {"Content-Type": "application/json"})]
    rt = make_runtime(sandbox.base_url, sandbox.api_key, script=script)
    assert rt.store is not None
    stored = rt.queue(message())
    assert rt.wait_until(stored.id, FINAL, 20).state is OutboxState.ACCEPTED
    wait_for(lambda: rt.store is not None and rt.store.get(stored.id).final_delivery, timeout=30)
    assert [r.delivery_status for r in rt.store.recipient_statuses(stored.id)] == ["delivered"]
    assert stats(sandbox)["GET message_receipt"].get("200", 0) >= 1
    assert_sent_once_each(sandbox, 1)


def test_429_storm_while_tracking_many_messages(make_runtime: RuntimeFactory, sandbox: SandboxServer) -> None:
    set_faults(sandbox, rate_limit=4, retry_after="1")
    rt = make_runtime(sandbox.base_url, sandbox.api_key)
    assert rt.store is not None
    ids = [rt.queue(message(n, "Storm")).id for n in range(16)]
    assert all(rt.wait_until(i, FINAL, 40).state is OutboxState.ACCEPTED for i in ids)
    wait_for(lambda: rt.store is not None and all(rt.store.get(i).final_delivery for i in ids), timeout=40)
    statuses = stats(sandbox)
    limited = statuses["POST messages"].get("429", 0) + statuses.get("GET message_receipt", {}).get("429", 0)
    assert limited >= 1  # the storm happened
    count("429 answers survived in the storm row", limited)
    assert_sent_once_each(sandbox, 16)


def test_key_revoked_mid_queue_pauses_and_resumes_without_duplicates(
    make_runtime: RuntimeFactory, sandbox: SandboxServer
) -> None:
    set_faults(sandbox, revoke_key_after=3)
    rt = make_runtime(sandbox.base_url, sandbox.api_key)
    assert rt.store is not None
    assert rt.outbox is not None
    ids = [rt.queue(message(n, "Revoked")).id for n in range(8)]
    wait_for(lambda: rt.outbox is not None and rt.outbox.status.connectivity is Connectivity.KEY_REJECTED)
    wait_for(lambda: rt.outbox is not None and rt.outbox.idle)
    states = [rt.store.get(i).state for i in ids]
    assert OutboxState.FAILED not in states
    assert OutboxState.OUTCOME_UNKNOWN not in states
    assert OutboxState.QUEUED in states  # paused, waiting for the user
    assert "new key" in rt.outbox.status.detail  # the user is asked for a new key
    set_faults(sandbox, revoke_key_after=None)  # the sandbox accepts the key again: it stands for a new one
    rt.update_api_key(sandbox.api_key)  # what the Settings dialog calls when the user enters a key
    assert all(rt.wait_until(i, FINAL, 30).state is OutboxState.ACCEPTED for i in ids)
    assert "api_key_changed" in [entry.action for entry in rt.store.audit_entries()]
    assert_sent_once_each(sandbox, 8)


def _fill_the_disk(rt: Any) -> Any:
    """SQLite's own page cap stands in for a full disk: the same SQLITE_FULL error, no root needed."""
    db = rt.store._db
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
    return db


def _big(n: int) -> Any:
    return dataclasses.replace(message(n), text="x" * 200_000)


def test_disk_full_while_writing_keeps_the_database_intact(
    make_runtime: RuntimeFactory, sandbox: SandboxServer
) -> None:
    rt = make_runtime(sandbox.base_url, sandbox.api_key)
    assert rt.store is not None
    kept = rt.queue(message(1))
    assert rt.wait_until(kept.id, FINAL, 20).state is OutboxState.ACCEPTED
    db = _fill_the_disk(rt)
    with pytest.raises(DiskFull):
        rt.queue(_big(2))
    db.execute("PRAGMA max_page_count = 1073741823")
    check_integrity(db)
    assert rt.store.get(kept.id).state is OutboxState.ACCEPTED  # what was there survived
    again = rt.queue(_big(2))  # space is back: the same message goes out, once
    assert rt.wait_until(again.id, FINAL, 20).state is OutboxState.ACCEPTED
    assert_sent_once_each(sandbox, 2)


def test_disk_full_while_writing_says_so_in_plain_words(make_runtime: RuntimeFactory, sandbox: SandboxServer) -> None:
    rt = make_runtime(sandbox.base_url, sandbox.api_key)
    _fill_the_disk(rt)
    with pytest.raises(DiskFull, match="disk is full"):
        rt.queue(_big(2))
