"""What the Outbox says about a waiting message, for each situation (no window needed)."""

from __future__ import annotations

from dataclasses import replace

from desktop_app.core.outbox_state import OutboxState
from desktop_app.store.messages import StoredMessage
from desktop_app.ui.outbox_view import QueueWords

NOW = 1_800_000_000.0
QUEUED = StoredMessage(id=1, uid="u", state=OutboxState.QUEUED, created_at=NOW, updated_at=NOW, attempts=0,
                       next_attempt_at=None, send_at=None, last_error="", tracking_id=None, accepted_at=None,
                       subject="s", recipients="r", tag="", delivery_summary="", final_delivery=False,
                       batch_id=None, payload="{}")  # fmt: skip


def test_online_a_waiting_message_says_when_and_a_due_one_says_now() -> None:
    words = QueueWords()
    assert words.next_try(QUEUED, NOW) == "now"
    assert words.next_try(replace(QUEUED, next_attempt_at=NOW - 5), NOW) == "now"  # due, not "5 s ago"
    retry = replace(QUEUED, next_attempt_at=NOW + 120, last_error="Paubox is busy.")
    assert (words.state(retry), words.next_try(retry, NOW), words.reason(retry)) == (
        "Waiting to retry", "in 2 min", "Paubox is busy.")  # fmt: skip
    scheduled = replace(QUEUED, state=OutboxState.SCHEDULED, send_at=NOW + 7200)
    assert words.next_try(scheduled, NOW) == "in 2 h"
    assert words.next_try(replace(scheduled, send_at=NOW - 1), NOW) == "now"


def test_offline_every_queued_message_says_the_same_and_when() -> None:
    words = QueueWords()
    words.connectivity, words.detail, words.until = "offline", "Paubox cannot be reached.", NOW + 30
    tried = replace(QUEUED, next_attempt_at=NOW + 10, last_error="Timed out.")
    for message in (QUEUED, tried):
        assert words.state(message) == "Waiting for the connection"
        assert words.next_try(message, NOW) == "in 30 s, when Paubox can be reached"
        assert words.reason(message) == "Paubox cannot be reached."
    words.until = None
    assert words.next_try(QUEUED, NOW) == "When Paubox can be reached"
