"""The tracker wakes for a newly accepted message only when it would otherwise sleep past its first poll."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.api.models import Receipt
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.tracker import StatusTracker
from desktop_app.store.messages import MessageStore, StoredMessage
from desktop_app.store.unlock import open_profile_database
from tests.helpers.messages import make_message as message
from tests.services.test_tracker import FakeReceipts


class CountingStore(MessageStore):
    """Counts the tracker's ``due_polls`` queries: each is a wake-up that did work."""

    due_poll_queries = 0

    def due_polls(self, now: float, limit: int) -> list[StoredMessage]:
        self.due_poll_queries += 1
        return super().due_polls(now, limit)


class SignallingReceipts(FakeReceipts):
    def __init__(self) -> None:
        super().__init__()
        self.polled_event = threading.Event()

    def receipt(self, tracking_id: str) -> Receipt:
        receipt = super().receipt(tracking_id)
        self.polled_event.set()
        return receipt


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CountingStore]:
    store = CountingStore(open_profile_database(tmp_path / "s.db", "t"))
    yield store
    store.close()


@pytest.fixture
def client() -> SignallingReceipts:
    return SignallingReceipts()


@pytest.fixture
def running(store: CountingStore, client: SignallingReceipts) -> Iterator[StatusTracker]:
    """A tracker with nothing to track: it has polled once and is sleeping its 30 s idle interval."""
    tracker = StatusTracker(store, client, polls_per_minute=600)  # type: ignore[arg-type]
    tracker.start()
    deadline = time.monotonic() + 10
    while store.due_poll_queries == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    yield tracker
    tracker.stop()


def accept(store: MessageStore, first_poll_at: float) -> None:
    message_id = store.add(message("Accepted")).id
    store.transition(message_id, OutboxState.SENDING)
    store.transition(message_id, OutboxState.ACCEPTED, tracking_id="trk-1", accepted_at=time.time(),
                     next_poll_at=first_poll_at)  # fmt: skip


def test_an_acceptance_due_before_the_idle_sleep_ends_wakes_the_tracker_in_time(
    running: StatusTracker, store: CountingStore, client: SignallingReceipts
) -> None:
    first_poll = time.time() + 0.2
    accept(store, first_poll)
    running.expect_poll(first_poll)
    assert client.polled_event.wait(10)  # not after the 30 s idle interval
    assert client.polled == ["trk-1"]


def test_store_changes_and_later_polls_do_not_wake_the_tracker(
    running: StatusTracker, store: CountingStore, client: SignallingReceipts
) -> None:
    queries = store.due_poll_queries
    store.add(message("Queued only"))  # no longer a wake-up per store change
    running.expect_poll(time.time() + 3600)  # due after the tracker wakes anyway
    assert not client.polled_event.wait(0.3)
    assert store.due_poll_queries == queries
