"""Carries engine events (any thread) onto the GUI thread as Qt signals.

Services know nothing of Qt; they call plain listeners. This object registers those listeners
and re-emits each call as a signal, which Qt queues to the GUI thread because the bridge lives
there. Widgets never touch services' threads, and services never touch widgets.

Message changes come in bursts (another process's mail merge commits hundreds a second, each a
change): they are gathered and handed to the views as one set per turn of the event loop, so the
GUI thread takes one event per burst instead of one per message for every view that listens.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop_app.services.history import history

if TYPE_CHECKING:  # the engines load after the window has painted; the bridge only passes their objects on
    from desktop_app.api.activity import ActivityEvent
    from desktop_app.services.outbox import EngineStatus
    from desktop_app.services.runtime import Runtime
    from desktop_app.store.messages import StoredMessage


class ServiceBridge(QObject):
    messages_changed = Signal(object)  # frozenset[int]: every message changed since the last emission
    _changes_waiting = Signal()
    activity = Signal(object)  # ActivityEvent
    engine_status = Signal(object)  # EngineStatus
    bounced = Signal(object, str, str)  # StoredMessage, recipient, status
    integrity_problem = Signal(str)  # words for the user: the background check found the database damaged

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._changed: set[int] = set()
        self._changed_lock = threading.Lock()
        self._gathering = False

    def attach(self, runtime: Runtime) -> None:
        if not self._gathering:
            # Queued even from the GUI thread: changes made there are gathered with the rest of the turn's.
            # Connected here, not when the window is built: naming Qt's enum builds PySide's whole Qt
            # namespace (~30 ms), which the first paint does without.
            from PySide6.QtCore import Qt

            self._changes_waiting.connect(self._deliver_changes, Qt.ConnectionType.QueuedConnection)
            self._gathering = True
        assert runtime.outbox is not None
        assert runtime.tracker is not None
        history(runtime).on_change(self._on_change)
        runtime.activity.subscribe(self._on_activity)
        runtime.outbox.on_status(self._on_status)
        runtime.tracker.on_bounce(self._on_bounce)
        runtime.on_integrity_problem(self.integrity_problem.emit)
        self.engine_status.emit(runtime.outbox.status)

    def _on_change(self, message_id: int) -> None:
        """Any thread: note the change; only the first of a burst posts an event to the GUI thread."""
        with self._changed_lock:
            first = not self._changed
            self._changed.add(message_id)
        if first:
            self._changes_waiting.emit()

    def _deliver_changes(self) -> None:
        with self._changed_lock:
            changed, self._changed = self._changed, set()
        if changed:
            self.messages_changed.emit(frozenset(changed))

    def _on_activity(self, event: ActivityEvent) -> None:
        self.activity.emit(event)

    def _on_status(self, status: EngineStatus) -> None:
        self.engine_status.emit(status)

    def _on_bounce(self, message: StoredMessage, recipient: str, status: str) -> None:
        self.bounced.emit(message, recipient, status)
