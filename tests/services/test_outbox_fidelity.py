"""Bulk routing with three-state tracking: a message with an explicit choice (on *or* off) or an
``unsubscribe_url`` goes as a single send, carrying it; one on the account's defaults may go in bulk."""

from __future__ import annotations

import dataclasses

from desktop_app.core.outbox_state import OutboxState
from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.outbox import BACKLOG_THRESHOLD
from desktop_app.services.runtime import Runtime
from tests.conftest import sandbox_control
from tests.services.test_outbox import DONE, make_message
from tests.services.test_outbox_backlog import endpoint_stats, queue_held


def test_explicit_choices_go_singly_and_defaults_in_bulk(runtime: Runtime, sandbox: SandboxServer) -> None:
    count = BACKLOG_THRESHOLD + 5
    messages = [make_message(f"Backlog {n}", f"p{n}@example.org") for n in range(count)]
    messages[1] = dataclasses.replace(messages[1], open_tracking=False)
    messages[2] = dataclasses.replace(messages[2], link_tracking=True)
    messages[3] = dataclasses.replace(messages[3], unsubscribe_url="https://clinic.example/u")
    unsubscribe = "<https://clinic.example/unsubscribe?u=4>"
    messages[4] = dataclasses.replace(messages[4], list_unsubscribe=unsubscribe, list_unsubscribe_post=True)
    ids = queue_held(runtime, messages)
    assert [runtime.wait_until(i, DONE, 30).state for i in ids] == [OutboxState.ACCEPTED] * count
    stats = endpoint_stats(sandbox)
    assert stats["POST messages"] == {"200": 3}  # the three with a choice
    assert sum(stats["POST bulk_messages"].values()) >= 1
    with sandbox_control(sandbox) as control:
        rows = {r["subject"]: r for r in control.get("/messages").json()["messages"]}
    assert rows["Backlog 1"]["kind"] == "messages"
    assert rows["Backlog 1"]["override_open_tracking"] is False
    assert rows["Backlog 2"]["override_link_tracking"] is True
    assert rows["Backlog 3"]["unsubscribe_url"] == "https://clinic.example/u"
    assert rows["Backlog 4"]["kind"] == "bulk_messages"  # List-Unsubscribe is a header: bulk carries it
    assert rows["Backlog 4"]["list_unsubscribe"] == unsubscribe
    assert rows["Backlog 4"]["list_unsubscribe_post"] == "List-Unsubscribe=One-Click"
    assert rows["Backlog 0"]["kind"] == "bulk_messages"
    assert rows["Backlog 0"]["override_open_tracking"] is None
