"""The outbox engine against the real sandbox: single sends, bulk chunks, undo, drafts."""

from __future__ import annotations

import time

import pytest

from desktop_app.core.message import OutgoingMessage
from desktop_app.core.outbox_state import OutboxState, TransitionError
from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.outbox import BULK_CHUNKS_IN_FLIGHT
from desktop_app.services.runtime import Runtime
from tests.conftest import sandbox_control
from tests.helpers.messages import make_message

DONE = {OutboxState.ACCEPTED, OutboxState.FAILED, OutboxState.OUTCOME_UNKNOWN}


def test_queued_message_is_accepted_with_a_tracking_id(runtime: Runtime) -> None:
    stored = runtime.queue(make_message())
    final = runtime.wait_until(stored.id, DONE, 20)
    assert final.state is OutboxState.ACCEPTED
    assert final.tracking_id


def test_batch_goes_out_through_bulk_messages_in_chunks_of_50(runtime: Runtime, sandbox: SandboxServer) -> None:
    rows = [(n, make_message(f"Batch {n}", f"p{n}@example.org")) for n in range(120)]
    ids = runtime.queue_batch("batch-a", rows)
    assert len(ids) == 120
    for message_id in ids:
        assert runtime.wait_until(message_id, DONE, 30).state is OutboxState.ACCEPTED
    with sandbox_control(sandbox) as control:
        stats = control.get("/stats").json()["by_endpoint"]
    assert sum(stats["POST bulk_messages"].values()) == 3
    assert "POST messages" not in stats


def test_a_batch_keeps_several_chunks_on_the_wire_but_never_more_than_the_cap(
    runtime: Runtime, sandbox: SandboxServer
) -> None:
    """Chunks overlap their round trips (one after another, a 1,000-row batch was 20 round trips in a
    row), up to BULK_CHUNKS_IN_FLIGHT at once, never one per free connection: more only holds more
    rows in ``sending`` without going faster."""
    with sandbox_control(sandbox) as control:
        control.post("/faults", json={"latency_ms": 400}).raise_for_status()
    store = runtime.store
    assert store is not None
    ids = runtime.queue_batch("batch-w", [(n, make_message(f"Wide {n}", f"p{n}@example.org")) for n in range(500)])
    most = 0
    deadline = time.monotonic() + 60
    while (rows := store.get_many(ids)) and not all(m.state in DONE for m in rows):
        assert time.monotonic() < deadline, "the batch was not sent"
        on_wire = {m.request_group for m in rows if m.state is OutboxState.SENDING and m.on_wire_at is not None}
        most = max(most, len(on_wire))
        time.sleep(0.02)
    assert {m.state for m in rows} == {OutboxState.ACCEPTED}
    assert most == BULK_CHUNKS_IN_FLIGHT


def test_queueing_the_same_batch_again_adds_nothing(runtime: Runtime) -> None:
    rows = [(n, make_message(f"Again {n}")) for n in range(3)]
    first = runtime.queue_batch("batch-b", rows)
    assert runtime.queue_batch("batch-b", rows) == first


def test_undo_returns_a_held_message_to_draft(runtime: Runtime, sandbox: SandboxServer) -> None:
    runtime.profile.update(undo_seconds=30.0)
    stored = runtime.queue(make_message("Undo me"), undo=True)
    assert stored.state is OutboxState.SCHEDULED
    message = runtime.undo(stored.id)
    assert message.subject == "Undo me"
    assert runtime.store is not None
    assert runtime.store.get(stored.id).state is OutboxState.DRAFT
    with sandbox_control(sandbox) as control:
        assert control.get("/messages").json()["count"] == 0


def test_undo_is_refused_once_the_message_was_sent(runtime: Runtime) -> None:
    stored = runtime.queue(make_message())
    runtime.wait_until(stored.id, DONE, 20)
    with pytest.raises(TransitionError):
        runtime.undo(stored.id)


def test_drafts_autosave_load_and_send(runtime: Runtime) -> None:
    draft_id = runtime.save_draft(OutgoingMessage(sender="staff@clinic.example", to=(), subject="half"))
    runtime.save_draft(make_message("Finished draft"), draft_id)
    assert [d.id for d in runtime.drafts()] == [draft_id]
    assert runtime.load_draft(draft_id).subject == "Finished draft"
    stored = runtime.queue(runtime.load_draft(draft_id), draft_id=draft_id)
    assert stored.id == draft_id
    assert runtime.wait_until(draft_id, DONE, 20).state is OutboxState.ACCEPTED
    assert runtime.drafts() == []


def test_deleted_draft_is_gone(runtime: Runtime) -> None:
    draft_id = runtime.save_draft(make_message("Throwaway"))
    runtime.delete_draft(draft_id)
    assert runtime.drafts() == []


def test_send_later_waits_for_its_time(runtime: Runtime) -> None:

    stored = runtime.queue(make_message("Later"), send_at=time.time() + 0.3)
    assert stored.state is OutboxState.SCHEDULED
    assert runtime.wait_until(stored.id, DONE, 20).state is OutboxState.ACCEPTED
