"""Carries engine events (any thread) onto the GUI thread as Qt signals.

Services know nothing of Qt; they call plain listeners. This object registers those listeners
and re-emits each call as a signal, which Qt queues to the GUI thread because the bridge lives
there. Widgets never touch services' threads, and services never touch widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop_app.services.history import history

if TYPE_CHECKING:  # the engines load after the window has painted; the bridge only passes their objects on
    from desktop_app.api.activity import ActivityEvent
    from desktop_app.services.outbox import EngineStatus
    from desktop_app.services.runtime import Runtime
    from desktop_app.store.messages import StoredMessage


class ServiceBridge(QObject):
    message_changed = Signal(int)
    activity = Signal(object)  # ActivityEvent
    engine_status = Signal(object)  # EngineStatus
    bounced = Signal(object, str, str)  # StoredMessage, recipient, status
    integrity_problem = Signal(str)  # words for the user: the background check found the database damaged

    def attach(self, runtime: Runtime) -> None:
        assert runtime.outbox is not None
        assert runtime.tracker is not None
        history(runtime).on_change(self.message_changed.emit)
        runtime.activity.subscribe(self._on_activity)
        runtime.outbox.on_status(self._on_status)
        runtime.tracker.on_bounce(self._on_bounce)
        runtime.on_integrity_problem(self.integrity_problem.emit)
        self.engine_status.emit(runtime.outbox.status)

    def _on_activity(self, event: ActivityEvent) -> None:
        self.activity.emit(event)

    def _on_status(self, status: EngineStatus) -> None:
        self.engine_status.emit(status)

    def _on_bounce(self, message: StoredMessage, recipient: str, status: str) -> None:
        self.bounced.emit(message, recipient, status)
