"""The send path's writes a chunk at a time: claim, on-the-wire mark and outcomes of many messages in a few
statements, each row moved by its own rule, all or nothing, with every timeline entry and change heard."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.outbox_state import OutboxState, TransitionError
from desktop_app.store import store_base
from desktop_app.store.messages import Change, MessageStore
from desktop_app.store.unlock import open_profile_database
from tests.helpers.messages import make_message

S = OutboxState
NOW = 1_000_000.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MessageStore]:
    opened = MessageStore(open_profile_database(tmp_path / "s.db", "p1"), clock=lambda: NOW)
    yield opened
    opened.close()


def claimed_chunk(store: MessageStore, count: int, owner: str = "o") -> list[int]:
    ids = store.add_batch("b", ((n, make_message(f"Row {n}", f"p{n}@d{n % 3}.example")) for n in range(count)))
    claimed = store.claim_due(NOW, count, bulk=True, owner=owner)
    assert [m.id for m in claimed] == ids
    store.mark_on_wire(owner, [(ids, "rchunk", NOW)])
    return ids


def kinds(store: MessageStore, message_id: int) -> list[str]:
    return [event.kind for event in store.timeline(message_id)]


def accept(message_id: int, tracking_id: str, **extra: object) -> Change:
    fields = {"tracking_id": tracking_id, "accepted_at": NOW, "last_error": "", **extra}
    return Change(message_id, S.ACCEPTED, (S.SENDING,), f"tracking id {tracking_id}", fields)


def test_a_claim_returns_each_row_as_stored_with_its_timeline_entry(store: MessageStore) -> None:
    ids = store.add_batch("b", ((n, make_message(f"Row {n}")) for n in range(4)))
    heard: list[int] = []
    store.on_change(heard.append)
    claimed = store.claim_due(NOW, 3, bulk=True, owner="o")
    assert claimed == store.get_many(ids[:3])  # what the claim returns is what was stored
    assert [(m.state, m.attempts, m.claimed_by, m.on_wire_at) for m in claimed] == [(S.SENDING, 1, "o", None)] * 3
    assert heard == ids[:3]
    assert [e.detail for e in store.timeline(ids[0])] == ["", "attempt 1"]
    assert store.get(ids[3]).state is S.QUEUED
    assert store.claim_due(NOW, 3, bulk=False, owner="o") == []  # no single message is due


def test_a_chunks_outcomes_each_follow_their_own_rule(store: MessageStore) -> None:
    ids = claimed_chunk(store, 6)
    first, second, retry, refused, unknown, moved = ids
    store.transition(moved, S.OUTCOME_UNKNOWN, expected=[S.SENDING])  # as a successor's recovery would
    heard: list[int] = []
    store.on_change(heard.append)
    stale = store.settle("o", [
        accept(first, "t1", next_poll_at=NOW + 1),
        accept(second, "t2"),  # no poll time given: it is still due for a poll
        Change(retry, S.QUEUED, (S.SENDING,), "busy", {"next_attempt_at": NOW + 30, "attempts": 0}),
        Change(refused, S.FAILED, (S.SENDING,), "Rejected", {"last_error": "no such domain"}),
        Change(unknown, S.OUTCOME_UNKNOWN, (S.SENDING,), "ReadTimeout", {"last_error": "timed out"}),
        accept(moved, "t6"),  # someone moved it: the acceptance is recorded all the same
        accept(10**9, "t7"),  # no such message
    ], domains=["d0.example", "d1.example"])  # fmt: skip
    assert stale == [moved, 10**9]
    rows = {m.id: m for m in store.get_many(ids)}
    assert (rows[first].state, rows[first].tracking_id, rows[first].accepted_at) == (S.ACCEPTED, "t1", NOW)
    assert (rows[second].state, rows[second].tracking_id) == (S.ACCEPTED, "t2")
    assert (rows[retry].state, rows[retry].next_attempt_at, rows[retry].attempts) == (S.QUEUED, NOW + 30, 0)
    assert (rows[refused].state, rows[refused].last_error) == (S.FAILED, "no such domain")
    assert (rows[unknown].state, rows[unknown].request_group) == (S.OUTCOME_UNKNOWN, "rchunk")
    assert (rows[moved].state, rows[moved].tracking_id) == (S.ACCEPTED, "t6")
    assert sorted(m.id for m in store.due_polls(NOW + 2, 10)) == [first, second, moved]  # every one is tracked
    assert kinds(store, first) == ["queued", "sending", "accepted"]
    assert kinds(store, retry) == ["queued", "sending", "queued"]
    assert kinds(store, moved) == ["queued", "sending", "outcome_unknown", "accepted"]
    assert [e.detail for e in store.timeline(refused)][-1] == "Rejected"
    assert sorted(heard) == sorted([*ids[:6], 10**9])
    assert store.unknown_domains(["d0.example", "d1.example", "d2.example"]) == ["d2.example"]


def test_a_message_named_twice_is_moved_in_order(store: MessageStore) -> None:
    first, second = claimed_chunk(store, 2)
    stale = store.settle("o", [
        accept(first, "t1"),
        Change(first, S.FAILED, (S.SENDING,), "late refusal", {"last_error": "refused"}),  # no longer sending
        Change(second, S.QUEUED, (S.SENDING,), "busy", {}),
    ])  # fmt: skip
    assert stale == [first]
    assert store.get(first).state is S.ACCEPTED
    assert kinds(store, first) == ["queued", "sending", "accepted"]
    store.transition_many([
        Change(second, S.DRAFT, (S.QUEUED,), "undone"), Change(second, S.QUEUED, (S.DRAFT,), "sent again"),
    ])  # fmt: skip
    assert [e.detail for e in store.timeline(second)][-2:] == ["undone", "sent again"]
    assert store.get(second).state is S.QUEUED


@pytest.mark.parametrize(
    "bad",
    [
        Change(0, S.ACCEPTED, (S.SENDING,), "", {"colour": "red"}),  # not a field a change may set
        Change(0, S.DRAFT, None, "", {}),  # sending → draft is not a transition
    ],
)
def test_one_bad_change_leaves_every_row_of_the_chunk_as_it_was(store: MessageStore, bad: Change) -> None:
    ids = claimed_chunk(store, 5)
    before = store.get_many(ids)
    changes = [accept(i, f"t{i}") for i in ids]
    changes[3] = Change(ids[3], bad.target, bad.expected, bad.detail, bad.fields)
    with pytest.raises((ValueError, TransitionError)):
        store.settle("o", changes, domains=["d0.example"])
    assert store.get_many(ids) == before
    assert all(kinds(store, i) == ["queued", "sending"] for i in ids)
    assert store.unknown_domains(["d0.example"]) == ["d0.example"]


def test_chunks_larger_than_one_statement_are_written_whole(
    store: MessageStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_base, "ROWS_PER_STATEMENT", 3)
    ids = claimed_chunk(store, 10)
    assert all(m.request_group == "rchunk" and m.on_wire_at == NOW for m in store.get_many(ids))
    assert store.settle("o", [accept(i, f"t{i}") for i in ids]) == []
    assert [(m.state, m.tracking_id) for m in store.get_many(ids)] == [(S.ACCEPTED, f"t{i}") for i in ids]
    assert all(kinds(store, i) == ["queued", "sending", "accepted"] for i in ids)
    store.add(make_message("Later"), state=S.SCHEDULED, send_at=NOW - 1)
    assert store.release_scheduled(NOW) == 1


def test_a_change_another_process_beat_says_so_in_words_and_changes_nothing(store: MessageStore) -> None:
    """Two windows (or a window and a command) acting on one message: the second finds it moved."""
    (message_id,) = store.add_batch("b", [(0, make_message("Row 0", "p0@d0.example"))])
    with pytest.raises(TransitionError) as raised:
        store.transition(message_id, S.QUEUED, expected=[S.OUTCOME_UNKNOWN, S.FAILED], detail="resent by user")
    words = str(raised.value)
    assert words.startswith(f"Message {message_id} is queued now")
    assert "another Sealpost window or command" in words
    assert "[" not in words  # no Python list of state names
    assert kinds(store, message_id) == ["queued"]
