"""The main window: navigation between Composer, Outbox and Status, the log dock, the status bar."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME
from desktop_app.core.addresses import AddressError
from desktop_app.core.message import MessageError, OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.outbox import Connectivity, EngineStatus
from desktop_app.services.runtime import Runtime, SetupError
from desktop_app.store.database import StoreError
from desktop_app.ui.bridge import ServiceBridge
from desktop_app.ui.composer import ComposerView
from desktop_app.ui.jobs import CancelToken, JobRunner
from desktop_app.ui.log_panel import LogPanel
from desktop_app.ui.outbox_view import OutboxView
from desktop_app.ui.status_view import StatusView

log = logging.getLogger(__name__)

USER_FACING_ERRORS = (SetupError, StoreError, MessageError, AddressError)

CONNECTIVITY_TEXT = {
    Connectivity.ONLINE: "● Online",
    Connectivity.OFFLINE: "○ Offline — messages wait in the Outbox",
    Connectivity.RATE_LIMITED: "◐ Rate-limited — sending resumes shortly",
    Connectivity.KEY_REJECTED: "⚠ API key needed — open Settings",
    Connectivity.PAUSED: "‖ Sending paused",
}


class MainWindow(QMainWindow):
    ready = Signal()  # the runtime is open and the views are attached
    setup_failed = Signal(str)

    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        self.runtime = runtime
        self.setWindowTitle(f"{APP_NAME} — secure email")
        self.resize(1180, 760)
        self.jobs = JobRunner(self)
        self.bridge = ServiceBridge(self)

        self.banner = QLabel(self)
        self.banner.setObjectName("sandboxBanner")
        self.banner.setAccessibleName("Mode banner")
        self.banner.setVisible(runtime.is_sandbox)
        self.banner.setText(
            "SANDBOX MODE — messages go to Sealpost's built-in test server, not to Paubox. "
            "Nothing is delivered to real recipients."
        )
        self.problem = QLabel(self)
        self.problem.setObjectName("setupProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()

        self.navigation = QListWidget(self)
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName("Views")
        self.navigation.setFixedWidth(170)
        self.pages = QStackedWidget(self)
        self.composer = ComposerView(runtime.profile.settings.sender, self)
        self.outbox_view = OutboxView(self.jobs, self)
        self.status_view = StatusView(self.jobs, self)
        for title, page in (("Compose", self.composer), ("Outbox", self.outbox_view), ("Status", self.status_view)):
            self.navigation.addItem(title)
            self.pages.addWidget(page)
        self.navigation.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.navigation.setCurrentRow(0)

        central = QWidget(self)
        central.setObjectName("central")
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.banner)
        outer.addWidget(self.problem)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.navigation)
        row.addWidget(self.pages, 1)
        outer.addLayout(row, 1)
        self.setCentralWidget(central)

        self.log_panel = LogPanel(runtime.metrics, self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.log_panel)
        self._build_status_bar()
        self._build_actions()

        self.composer.send_requested.connect(self.queue_message)
        self.bridge.message_changed.connect(self.outbox_view.model.message_changed)
        self.bridge.message_changed.connect(self.status_view.model.message_changed)
        self.bridge.message_changed.connect(lambda _id: self._schedule_counts())
        self.bridge.activity.connect(self.log_panel.add_event)
        self.bridge.engine_status.connect(self.show_engine_status)
        self.outbox_view.resend_requested.connect(self.confirm_resend)
        self.outbox_view.mark_sent_requested.connect(lambda i: self._act(self.runtime.mark_sent, i, "Marked as sent."))
        self.outbox_view.cancel_requested.connect(lambda i: self._act(self.runtime.cancel, i, "Cancelled."))
        self.outbox_view.retry_requested.connect(lambda i: self._act(self.runtime.retry_now, i, "Retrying now."))
        self._counts_pending = False

    # ------------------------------------------------------------------ start-up

    def start(self) -> None:
        """Open the store and engines on a worker; the window stays responsive meanwhile."""
        self.connection_label.setText("Starting…")
        self.jobs.submit(lambda _token: self.runtime.open(), name="open runtime",
                         on_result=lambda _r: self._attach(), on_error=self._startup_failed)  # fmt: skip

    def _attach(self) -> None:
        assert self.runtime.store is not None
        self.bridge.attach(self.runtime)
        self.outbox_view.model.set_store(self.runtime.store)
        self.status_view.set_store(self.runtime.store)
        if self.runtime.ephemeral_key:
            self.banner.setText(
                self.banner.text() + "  No system keyring was found, so this session's data is deleted when you quit."
            )
        self._schedule_counts()
        self.ready.emit()

    def _startup_failed(self, error: BaseException) -> None:
        if not isinstance(error, USER_FACING_ERRORS):
            log.error("start-up failed", exc_info=(type(error), error, error.__traceback__))
        text = str(error) if isinstance(error, USER_FACING_ERRORS) else f"Sealpost could not start: {error}"
        self.problem.setText(text)
        self.problem.show()
        self.composer.send_button.setEnabled(False)
        self.connection_label.setText("Not connected")
        self.setup_failed.emit(text)

    # ------------------------------------------------------------------ actions

    def queue_message(self, message: OutgoingMessage) -> None:
        self.jobs.submit(lambda _token: self.runtime.queue(message), name="queue message",
                         on_result=lambda _stored: self.composer.message_queued(),
                         on_error=self._queue_failed)  # fmt: skip

    def _queue_failed(self, error: BaseException) -> None:
        if isinstance(error, USER_FACING_ERRORS):
            self.composer.show_problem(str(error))
        else:
            log.error("queueing failed", exc_info=(type(error), error, error.__traceback__))
            self.composer.show_problem("Sealpost hit an internal error; the message was not queued. See the log.")

    def confirm_resend(self, message_id: int) -> None:
        answer = QMessageBox.warning(
            self, "Resend this message?",
            "Paubox may already have received this message. Sending it again can deliver a duplicate "
            "to the recipients.\n\nResend anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel,
        )  # fmt: skip
        if answer == QMessageBox.StandardButton.Yes:
            self._act(self.runtime.resend, message_id, "Queued again.")

    def _act(self, action: object, message_id: int, done: str) -> None:
        def run(_token: CancelToken) -> None:
            action(message_id)  # type: ignore[operator]

        self.jobs.submit(run, name="outbox action", on_result=lambda _r: self.statusBar().showMessage(done, 4000),
                         on_error=lambda e: self.statusBar().showMessage(str(e), 8000))  # fmt: skip

    def show_engine_status(self, status: EngineStatus) -> None:
        self.connection_label.setText(CONNECTIVITY_TEXT[status.connectivity])
        self.connection_label.setToolTip(status.detail)
        offline = status.connectivity is not Connectivity.ONLINE
        self.outbox_view.set_notice(status.detail if offline else "")

    def _schedule_counts(self) -> None:
        if self._counts_pending or self.runtime.store is None:
            return
        self._counts_pending = True
        store = self.runtime.store

        def show(counts: dict[OutboxState, int]) -> None:
            self._counts_pending = False
            waiting = sum(counts.get(s, 0) for s in (OutboxState.QUEUED, OutboxState.SENDING, OutboxState.SCHEDULED))
            attention = counts.get(OutboxState.OUTCOME_UNKNOWN, 0) + counts.get(OutboxState.FAILED, 0)
            text = f"{waiting} waiting · {counts.get(OutboxState.ACCEPTED, 0)} sent"
            if attention:
                text += f" · {attention} need attention"
            self.counts_label.setText(text)

        self.jobs.submit(lambda _token: store.counts_by_state(), name="count", on_result=show)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.connection_label = QLabel(self)
        self.connection_label.setAccessibleName("Connection state")
        self.profile_label = QLabel(f"Profile: {self.runtime.profile.settings.name}", self)
        self.counts_label = QLabel(self)
        self.counts_label.setAccessibleName("Queue counts")
        bar.addWidget(self.connection_label)
        bar.addPermanentWidget(self.counts_label)
        bar.addPermanentWidget(self.profile_label)

    def _build_actions(self) -> None:
        toggle_log = self.log_panel.toggleViewAction()
        toggle_log.setShortcut(QKeySequence("Ctrl+L"))
        self.addAction(toggle_log)
        new_message = QAction("New message", self, shortcut=QKeySequence("Ctrl+N"))
        new_message.triggered.connect(
            lambda: (self.navigation.setCurrentRow(0), self.composer.to_field.edit.setFocus())
        )
        self.addAction(new_message)
        search = QAction("Search history", self, shortcut=QKeySequence("Ctrl+F"))
        search.triggered.connect(lambda: (self.navigation.setCurrentRow(2), self.status_view.search.setFocus()))
        self.addAction(search)

    # ------------------------------------------------------------------ shutdown

    def closeEvent(self, event: QCloseEvent) -> None:
        self.log_panel._flush_timer.stop()
        self.jobs.shutdown()
        self.runtime.close()
        event.accept()
