"""Offline and queue feedback tells the truth: no progress while nothing is sent, every waiting message
says why and when it is tried next (the same words for the same situation), and a confirmation once
the queue that waited has gone out."""

from __future__ import annotations

import time

from pytestqt.qtbot import QtBot

from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.outbox import Connectivity, EngineStatus
from desktop_app.store.messages import HistoryFilter
from tests.gui.conftest import WindowFactory
from tests.services.test_outbox import make_message


def test_offline_rows_say_why_and_when_and_the_empty_queue_is_confirmed(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window(undo_seconds=0)
    runtime = window.runtime
    assert runtime is not None
    assert runtime.outbox is not None
    assert runtime.store is not None
    store = runtime.store
    runtime.outbox.hold(True)  # nothing leaves while the test sets the scene
    ids = [runtime.queue(make_message(f"Reminder {n}")).id for n in range(2)]
    # One of the two was tried before and has a reason of its own; offline, both are in one situation.
    store.transition(ids[0], OutboxState.SENDING, expected=[OutboxState.QUEUED])
    store.transition(ids[0], OutboxState.QUEUED, expected=[OutboxState.SENDING], last_error="Timed out.")
    window.bridge.engine_status.emit(EngineStatus(Connectivity.OFFLINE, "Paubox cannot be reached.", time.time() + 30))
    window.views.show("outbox")
    outbox = window.outbox_view
    model = outbox.model
    qtbot.waitUntil(lambda: model.rowCount() == 2 and all(model.message_at(r) for r in range(2)), timeout=10_000)
    titles = [c.title for c in model.columns]

    def column(name: str) -> list[str]:
        return [model.index(r, titles.index(name)).data() for r in range(model.rowCount())]

    assert column("State") == ["Waiting for the connection"] * 2
    assert all(text.startswith("in ") and "when Paubox can be reached" in text for text in column("Next try"))
    assert column("Reason") == ["Paubox cannot be reached."] * 2
    assert not outbox.progress.isVisible()  # no "Sending: 0 of 2 done" while nothing is sent
    window.outbox.refresh_counts()
    qtbot.wait(400)
    assert not outbox.progress.isVisible()

    window.bridge.engine_status.emit(EngineStatus(Connectivity.ONLINE))
    assert "Waiting for the connection" not in column("State")
    assert all(column("Next try"))  # still queued: "now", never empty
    runtime.outbox.hold(False)
    qtbot.waitUntil(lambda: len(store.list_ids(HistoryFilter(states=(OutboxState.ACCEPTED,)))) == 2, timeout=20_000)
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage() == "✓ All waiting messages have been sent.", timeout=10_000
    )
