"""Status tracking with an injected clock: a slowing schedule, oldest first, a budget, final stop."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.api.models import Receipt, RecipientDelivery
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.tracker import GIVE_UP_AFTER, MAX_INTERVAL, MIN_INTERVAL, StatusTracker, poll_interval
from desktop_app.store.messages import MessageStore
from desktop_app.store.unlock import open_profile_database
from tests.helpers.messages import make_message as message


class Clock:
    def __init__(self) -> None:
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now


class FakeReceipts:
    """Answers receipts from a dict; records the order of the polls."""

    def __init__(self) -> None:
        self.status: dict[str, str] = {}
        self.polled: list[str] = []

    def receipt(self, tracking_id: str) -> Receipt:
        self.polled.append(tracking_id)
        status = self.status.get(tracking_id, "processing")
        return Receipt(tracking_id, "m", (RecipientDelivery("pat@example.org", status),))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[MessageStore]:
    store = MessageStore(open_profile_database(tmp_path / "s.db", "t"), clock=clock)
    yield store
    store.close()


def accept(store: MessageStore, clock: Clock, tracking_id: str) -> int:
    message_id = store.add(message(tracking_id)).id
    store.transition(message_id, OutboxState.SENDING)
    store.transition(message_id, OutboxState.ACCEPTED, tracking_id=tracking_id, accepted_at=clock.now,
                     next_poll_at=clock.now)  # fmt: skip
    return message_id


def tracker(store: MessageStore, client: FakeReceipts, clock: Clock, per_minute: int = 600) -> StatusTracker:
    return StatusTracker(store, client, polls_per_minute=per_minute, clock=clock)  # type: ignore[arg-type]


def test_interval_grows_with_age_between_bounds() -> None:
    assert poll_interval(0) == MIN_INTERVAL
    assert poll_interval(400) == 100.0
    assert poll_interval(10 * 24 * 3600) == MAX_INTERVAL


def test_oldest_first(store: MessageStore, clock: Clock) -> None:
    client = FakeReceipts()
    accept(store, clock, "old")
    clock.now += 1
    accept(store, clock, "new")
    tracker(store, client, clock).poll_due()
    assert client.polled == ["old", "new"]


def test_polls_slow_down_as_a_message_ages(store: MessageStore, clock: Clock) -> None:
    client = FakeReceipts()
    accept(store, clock, "aging")
    engine = tracker(store, client, clock)
    poll_times: list[float] = []
    while len(poll_times) < 12:
        before = len(client.polled)
        wait = engine.poll_due()
        if len(client.polled) > before:
            poll_times.append(clock.now)
        clock.now += wait
    gaps = [b - a for a, b in itertools.pairwise(poll_times)]
    assert gaps == sorted(gaps)
    assert gaps[0] == pytest.approx(MIN_INTERVAL)
    assert gaps[-1] > 3 * gaps[0]


def test_budget_limits_polls_and_recovers_with_time(store: MessageStore, clock: Clock) -> None:
    client = FakeReceipts()
    for n in range(5):
        accept(store, clock, f"m{n}")
    engine = tracker(store, client, clock, per_minute=6)  # one poll per 10 s, burst of one
    wait = engine.poll_due()
    assert client.polled == ["m0"]
    assert wait == pytest.approx(10.0)
    clock.now += wait
    engine.poll_due()
    assert client.polled == ["m0", "m1"]


def test_polling_stops_at_a_final_status(store: MessageStore, clock: Clock) -> None:
    client = FakeReceipts()
    message_id = accept(store, clock, "done")
    client.status["done"] = "delivered"
    engine = tracker(store, client, clock)
    engine.poll_due()
    assert store.get(message_id).final_delivery
    assert store.get(message_id).delivery_summary == "delivered"
    clock.now += 10 * MAX_INTERVAL
    engine.poll_due()
    assert client.polled == ["done"]


def test_tracking_gives_up_after_the_receipt_lifetime(store: MessageStore, clock: Clock) -> None:
    client = FakeReceipts()
    message_id = accept(store, clock, "stuck")
    clock.now += GIVE_UP_AFTER + 1
    tracker(store, client, clock).poll_due()
    assert store.get(message_id).final_delivery
    assert store.next_poll_time() is None


def test_polls_wait_while_sends_use_the_whole_rate(store: MessageStore, clock: Clock) -> None:
    """A mail merge sending flat out keeps the shared bucket from filling: polls wait for it, then go."""
    from desktop_app.api.rate_limit import RateLimiter

    client = FakeReceipts()
    accept(store, clock, "m0")
    sending = RateLimiter(10.0, burst=5.0, headroom=0.0, clock=clock)
    engine = StatusTracker(store, client, polls_per_minute=600, sending_limit=sending, clock=clock)  # type: ignore[arg-type]
    for _ in range(20):  # two seconds of sends at the full rate, a poll attempt between each
        sending.acquire()
        assert engine.poll_due() > 0
        clock.now += 0.1
    assert client.polled == []
    clock.now += 0.5  # the sends pause: the bucket fills again
    engine.poll_due()
    assert client.polled == ["m0"]


def test_a_paused_limit_holds_polls_back(store: MessageStore, clock: Clock) -> None:
    from desktop_app.api.rate_limit import RateLimiter

    client = FakeReceipts()
    accept(store, clock, "m0")
    sending = RateLimiter(10.0, headroom=0.0, clock=clock)
    sending.pause_for(30.0)  # Paubox answered 429 with Retry-After: 30
    engine = StatusTracker(store, client, sending_limit=sending, clock=clock)  # type: ignore[arg-type]
    assert engine.poll_due() == pytest.approx(30.0)
    clock.now += 30.0
    engine.poll_due()
    assert client.polled == ["m0"]
