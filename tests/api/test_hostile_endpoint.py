"""Every request is bounded: misbehaving endpoints (real sockets on 127.0.0.1) cannot hang, bloat or freeze us.

Each case configures a small overall deadline (2 s) and asserts only generous bounds on time (3x
the deadline), so a busy machine does not make the tests flaky. Memory is bounded by the size cap:
the server counts the bytes it managed to send, and tracemalloc the client's peak.
"""

from __future__ import annotations

import random
import re
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from desktop_app.api.bounded import MAX_RESPONSE_BYTES, BoundedTransport
from desktop_app.api.client import PauboxClient
from desktop_app.api.config import ApiConfig, Secret
from desktop_app.api.connection import ProbeOutcome
from desktop_app.api.errors import (
    ClientClosed,
    ConnectionFailed,
    InvalidRequest,
    MalformedResponse,
    NoTimelyReply,
    NotSent,
    PauboxError,
    ReadTimedOut,
)
from desktop_app.api.models import (
    RECEIPT_TEXT_LIMIT,
    SERVER_TEXT_LIMIT,
    error_summary,
    parse_receipt,
    parse_send_result,
)
from desktop_app.core.redact import redact
from desktop_app.sandbox.server import SandboxServer

from .helpers import Recorder, make_client, message
from .hostile import (
    MB,
    HostileServer,
    endless_chunked,
    hostile,
    huge_error_title,
    huge_success,
    silent,
    trickled_body,
    trickled_headers,
)

DEADLINE = 2.0
BOUND = 3 * DEADLINE  # what a test allows, generously
KEY = "sk_test_hostile_key_1234"
# What the client may hold: the cap, plus what the kernel's socket buffers took off the wire.
SENT_BOUND = MAX_RESPONSE_BYTES + 24 * MB


def _client(server: HostileServer, recorder: Recorder | None = None, *, deadline: float = DEADLINE) -> PauboxClient:
    config = ApiConfig(server.base_url, Secret(KEY), connect_timeout=5.0, read_timeout=5.0, request_deadline=deadline)
    recorder = recorder or Recorder()
    return PauboxClient(config, on_activity=recorder.events.append, read_attempts=1, sleep=recorder.sleeps.append)


@contextmanager
def _measured() -> Iterator[dict[str, float]]:
    """Wall time and tracemalloc peak (MB) of the block."""
    figures: dict[str, float] = {}
    tracemalloc.start()
    started = time.monotonic()
    try:
        yield figures
    finally:
        figures["seconds"] = time.monotonic() - started
        figures["peak_mb"] = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.stop()


def _one_clear_line(error: PauboxError) -> None:
    text = error.user_message
    assert text
    assert "\n" not in text
    assert len(text) < 400
    assert "httpx" not in text
    assert "Traceback" not in text
    assert KEY not in text
    assert "@" not in text
    assert error.__context__ is None or not type(error.__context__).__module__.startswith(("httpx", "httpcore"))


# ------------------------------------------------------------------------------ size cap


def test_an_endless_chunked_reply_to_a_send_is_cut_off_and_ambiguous() -> None:
    with (
        hostile(endless_chunked) as server,
        _client(server) as client,
        _measured() as figures,
        pytest.raises(MalformedResponse) as caught,
    ):
        client.send(message())
    assert figures["seconds"] < BOUND
    assert "larger than 4 MB" in caught.value.user_message
    assert "may have gone through" in caught.value.user_message
    _one_clear_line(caught.value)
    assert server.sent < SENT_BOUND  # it stopped reading: the server could not push more
    assert figures["peak_mb"] < 3 * MAX_RESPONSE_BYTES / MB


@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "chunked"])
def test_a_50_mb_success_reply_is_not_read_whole(declare_length: bool) -> None:
    with (
        hostile(huge_success(50 * MB, declare_length=declare_length)) as server,
        _client(server) as client,
        _measured() as figures,
        pytest.raises(MalformedResponse) as caught,
    ):
        client.send(message())
    assert figures["seconds"] < BOUND
    _one_clear_line(caught.value)
    assert server.sent < SENT_BOUND
    assert figures["peak_mb"] < 3 * MAX_RESPONSE_BYTES / MB


def test_a_50_mb_reply_to_a_read_is_a_failure_not_a_memory_error() -> None:
    with hostile(huge_success(50 * MB)) as server, _client(server) as client, pytest.raises(MalformedResponse):
        client.receipt("t-1")
    assert server.sent < SENT_BOUND


@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "chunked"])
def test_a_400_with_a_20_mb_error_title_is_refused_quickly_in_plain_words(declare_length: bool) -> None:
    with (
        hostile(huge_error_title(20 * MB, declare_length=declare_length)) as server,
        _client(server) as client,
        _measured() as figures,
        pytest.raises(InvalidRequest) as caught,
    ):
        client.send(message())
    assert figures["seconds"] < BOUND
    assert caught.value.user_message.startswith("Paubox refused the message")
    assert len(caught.value.detail) <= 300
    _one_clear_line(caught.value)
    assert server.sent < SENT_BOUND


def test_a_3_mb_error_title_under_the_cap_is_cut_before_redaction() -> None:
    """Read whole (it is under the cap), so only the text bound stands between it and redaction."""
    with hostile(huge_error_title(3 * MB)) as server, _client(server) as client:
        started = time.monotonic()
        with pytest.raises(InvalidRequest) as caught:
            client.send(message())
    assert time.monotonic() - started < BOUND
    assert caught.value.detail.startswith("TTTT")
    assert len(caught.value.detail) <= 300
    _one_clear_line(caught.value)


def test_error_summary_bounds_the_servers_words() -> None:
    title, details = error_summary({"errors": [{"title": "T" * 10 * MB, "details": "d" * MB}]}, "Bad Request")
    assert len(title) <= SERVER_TEXT_LIMIT
    assert len(details) <= SERVER_TEXT_LIMIT
    assert error_summary({"message": "short"}, "r") == ("short", "")
    assert len(error_summary(None, "R" * 100_000)[0]) <= SERVER_TEXT_LIMIT


def test_the_servers_words_are_kept_on_one_visible_line() -> None:
    """Line breaks, terminal escapes and bidi controls from a server cannot forge lines or drive a terminal."""
    title, details = error_summary({"errors": [{"title": "a\nb\r\x1b[2J\u202ec\u2028d", "details": "e\tf"}]}, "r")
    assert (title, details) == ("a b  [2J c d", "e f")
    receipt = parse_receipt({"data": {"message": {"id": "m", "message_deliveries": [
        {"recipient": "a@example.org", "status": {"deliveryStatus": "delivered\n\x1b[31m" + "y" * MB}},
    ]}}})  # fmt: skip
    [delivery] = receipt.deliveries
    assert delivery.delivery_status.startswith("delivered  [31m")
    assert len(delivery.delivery_status) <= RECEIPT_TEXT_LIMIT


@pytest.mark.parametrize(
    "tracking_id", ["abc\n\x1b[2Jaccepted", "x" * 129, "a b", "../receipt", "t\u202e1", ""], ids=repr
)
def test_a_reply_whose_tracking_id_is_not_one_is_malformed(tracking_id: str) -> None:
    """It would be stored, shown, printed and put in receipt URLs: only the shape of an id is taken."""
    with pytest.raises(MalformedResponse):
        parse_send_result({"sourceTrackingId": tracking_id, "data": "Service OK"})
    assert parse_send_result({"sourceTrackingId": " 3d38ab13-0af8-4028-bd45-52e882e0d584 "}).tracking_id == (
        "3d38ab13-0af8-4028-bd45-52e882e0d584"
    )


def test_detection_probes_share_one_budget_against_a_silent_endpoint() -> None:
    """Without a shared budget each candidate waited a full request deadline (4 x 60 s before a send)."""
    with hostile(silent) as server, _client(server, deadline=30.0) as client:
        report = client.test_connection(root=server.root_url, budget=DEADLINE)
        probes = server.requests
    first, *rest = report.results
    assert first.outcome is ProbeOutcome.UNREACHABLE
    assert rest
    assert all(r.outcome is ProbeOutcome.UNREACHABLE for r in rest)
    assert [r.words for r in rest] == ["not tried: no time was left."] * len(rest)
    assert probes == 1
    assert report.summary.startswith("Paubox could not be reached")


# ------------------------------------------------------------------------------ one deadline


@pytest.mark.parametrize("behaviour", [trickled_headers, trickled_body], ids=["headers", "body"])
def test_a_trickling_reply_to_a_send_ends_at_the_deadline_as_ambiguous(behaviour: Callable[..., None]) -> None:
    recorder = Recorder()
    wired: list[str] = []
    with hostile(behaviour) as server, _client(server, recorder) as client:
        started = time.monotonic()
        with pytest.raises(NoTimelyReply) as caught:
            client.send(message(), on_wire=lambda: wired.append("wire"))
        elapsed = time.monotonic() - started
    assert DEADLINE * 0.9 <= elapsed < BOUND
    assert caught.value.user_message == ("No complete reply from Paubox within 2 s; it may or may not have arrived.")
    _one_clear_line(caught.value)
    assert wired == ["wire"]
    assert [event.outcome for event in recorder.events] == ["ambiguous"]


@pytest.mark.parametrize("behaviour", [trickled_headers, trickled_body, silent], ids=["headers", "body", "silent"])
def test_a_trickling_reply_to_a_read_is_a_retryable_failure_at_the_deadline(behaviour: Callable[..., None]) -> None:
    with hostile(behaviour) as server, _client(server) as client:
        started = time.monotonic()
        with pytest.raises(ReadTimedOut) as caught:
            client.receipt("t-1")
        elapsed = time.monotonic() - started
    assert elapsed < BOUND
    assert isinstance(caught.value, NotSent)  # the caller asks again later
    assert server.requests == 1  # not retried here: another wait would be no better
    _one_clear_line(caught.value)


def test_the_bounded_transport_still_reuses_one_keep_alive_connection(sandbox: SandboxServer) -> None:
    with make_client(sandbox) as client:
        tracking_id = client.send(message()).tracking_id
        for _ in range(5):
            client.receipt(tracking_id)
        transport = client._http._transport
        assert isinstance(transport, BoundedTransport)
        assert len(transport._pool.connections) == 1


def test_the_deadline_grows_with_the_payload() -> None:
    config = ApiConfig("http://127.0.0.1:9/v1", Secret("k"), request_deadline=10.0)
    with PauboxClient(config) as client:
        small = client._build("POST", "messages", json_body={"a": 1}, form=None, files=None, params=None)
        large = client._build("POST", "messages", json_body={"a": "x" * 5_000_000}, form=None, files=None,
                              params=None)  # fmt: skip
        assert client._deadline_for(small) == pytest.approx(10.0, abs=0.01)
        assert client._deadline_for(large) == pytest.approx(60.0, abs=0.1)


# ------------------------------------------------------------------------------ close()


def _in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[BaseException | object]]:
    outcome: list[BaseException | object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


@pytest.mark.parametrize(
    ("behaviour", "call", "expected"),
    [
        (silent, "send", NoTimelyReply),
        (trickled_headers, "send", NoTimelyReply),
        (trickled_body, "send", NoTimelyReply),
        (silent, "receipt", ClientClosed),
    ],
    ids=["silent-send", "headers-send", "body-send", "silent-read"],
)
def test_close_from_another_thread_ends_a_stuck_request_at_once(
    behaviour: Callable[..., None], call: str, expected: type[PauboxError]
) -> None:
    with hostile(behaviour) as server:
        client = _client(server, deadline=60.0)
        work = (lambda: client.send(message())) if call == "send" else (lambda: client.receipt("t-1"))
        thread, outcome = _in_thread(work)
        deadline = time.monotonic() + 5
        while server.requests == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # well inside the request now
        started = time.monotonic()
        client.close()
        close_took = time.monotonic() - started
        thread.join(3)
        ended_after = time.monotonic() - started
    assert close_took < 0.5
    assert not thread.is_alive()
    assert ended_after < 1.5
    assert len(outcome) == 1, outcome
    assert isinstance(outcome[0], expected), outcome
    assert isinstance(outcome[0], PauboxError)
    _one_clear_line(outcome[0])
    with pytest.raises(ClientClosed):  # and nothing new leaves a closed client
        client.send(message())


@contextmanager
def _unanswered_connects() -> Iterator[str]:
    """A loopback address whose TCP handshake never completes: a listener with a full backlog drops SYNs."""
    with socket.socket() as listener, socket.socket() as filler:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        filler.connect(listener.getsockname())  # takes the only backlog slot; nobody ever accepts it
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1/x"


def test_a_connect_that_never_completes_ends_at_the_deadline_as_not_sent() -> None:
    with _unanswered_connects() as url:
        config = ApiConfig(url, Secret(KEY), connect_timeout=30.0, request_deadline=DEADLINE)
        wired: list[str] = []
        with PauboxClient(config, read_attempts=1) as client:
            started = time.monotonic()
            with pytest.raises(ConnectionFailed) as caught:
                client.send(message(), on_wire=lambda: wired.append("wire"))
            elapsed = time.monotonic() - started
    assert elapsed < BOUND
    assert caught.value.user_message.startswith("Paubox did not take the request within 2 s, so it was not sent")
    assert wired == []


def test_close_from_another_thread_ends_a_connect_in_progress() -> None:
    with _unanswered_connects() as url:
        client = PauboxClient(ApiConfig(url, Secret(KEY), connect_timeout=30.0), read_attempts=1)
        thread, outcome = _in_thread(lambda: client.send(message()))
        time.sleep(0.5)
        started = time.monotonic()
        client.close()
        thread.join(3)
        ended_after = time.monotonic() - started
    assert not thread.is_alive()
    assert ended_after < 1.5
    assert len(outcome) == 1
    assert isinstance(outcome[0], ClientClosed), outcome


def test_close_with_nothing_in_flight_closes_the_connections_now() -> None:
    config = ApiConfig("http://127.0.0.1:9/v1", Secret("k"))
    client = PauboxClient(config)
    client.close()
    assert client._http.is_closed
    with pytest.raises(ClientClosed):
        client.receipt("t-1")


# ------------------------------------------------------------------------------ redaction

_OLD_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (  # the quadratic originals, the reference
    (re.compile(r"(?i)(authorization\s*[:=]\s*)(token\s+token=|bearer\s+)?\S+"), r"\1[redacted]"),
    (re.compile(r"(?i)(token\s+token=|bearer\s+)(?!\[redacted\])\S+"), r"\1[redacted]"),
    (re.compile(r"(?i)(api[_-]?key\s*[:=]\s*)\S+"), r"\1[redacted]"),
    (re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), "[address]"),
)


def _old_redact(text: str) -> str:
    for pattern, replacement in _OLD_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def test_linear_redaction_redacts_exactly_what_the_old_patterns_did() -> None:
    pieces = ["a", "B", "@", ".", "-", " ", "\t", ":", "=", "+", "Token token=", "Bearer ", "authorization",
              "api_key", "API-KEY", "[redacted]", "[address]", "x.y", "é", "\n", "pat.doe@example.org"]  # fmt: skip
    rng = random.Random(13)
    for _ in range(30_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        cleaned = redact(text)
        assert cleaned == _old_redact(text), text
        assert redact(cleaned) == cleaned, text


def _assorted_megabyte() -> str:
    rng = random.Random(7)
    parts = [
        "T" * 50_000, "a" * 30_000 + "@", "@" * 20_000, "x@" * 10_000, "a.b" * 10_000 + "@", "@c.d" * 5_000,
        "authorization: " * 3_000, "Bearer " * 3_000, " " * 20_000, "jane.doe+lab@clinic.example ",
        "api_key=" * 2_000, "Authorization: Token token=sk_live_abc ", ".-" * 10_000, "naïve text, ünïcode ",
    ]  # fmt: skip
    text = "".join(rng.choice(parts) for _ in range(120))
    return (text * (1_000_000 // len(text) + 1))[:1_000_000]


def test_redaction_of_a_megabyte_of_assorted_text_finishes(capsys: pytest.CaptureFixture[str]) -> None:
    text = _assorted_megabyte()
    started = time.perf_counter()
    cleaned = redact(text)
    took = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n  redact(1 MB of assorted text): {took * 1000:.0f} ms")
    assert took < 10  # generous: the old patterns took minutes on this text
    assert "jane.doe" not in cleaned
    assert "sk_live_abc" not in cleaned
    assert redact(cleaned) == cleaned
    for adversarial in ("T" * 1_000_000, "a@" * 500_000, "@" * 1_000_000, "authorization:" + " " * 1_000_000):
        started = time.perf_counter()
        redact(adversarial)
        assert time.perf_counter() - started < 10
