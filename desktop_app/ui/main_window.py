"""The main window: navigation between Composer, Outbox and Status, the log dock, the status bar,
menus and shortcuts, the lock screen, undo-send, drafts, and switching profiles.

Every runtime call runs as a job (the runtime touches disk and network); replies come back
on the GUI thread through the job's signals, and engine events through the bridge.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME
from desktop_app.core.addresses import AddressError
from desktop_app.core.message import MessageError, OutgoingMessage
from desktop_app.core.outbox_state import OutboxState, TransitionError
from desktop_app.core.sanitize import sanitize_html
from desktop_app.services.autolock import IdleLock, verify_passphrase
from desktop_app.services.outbox import Connectivity, EngineStatus
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Runtime, SetupError
from desktop_app.store import keys
from desktop_app.store.database import StoreError
from desktop_app.store.messages import HistoryFilter, StoredMessage
from desktop_app.ui.bridge import ServiceBridge
from desktop_app.ui.composer import ComposerView, display_address
from desktop_app.ui.dialogs import HelpDialog, ask
from desktop_app.ui.jobs import CancelToken, JobRunner
from desktop_app.ui.lock_screen import LockScreen, UndoToast
from desktop_app.ui.log_panel import LogPanel
from desktop_app.ui.outbox_view import OutboxView
from desktop_app.ui.resources import app_icon, apply_theme
from desktop_app.ui.settings_dialog import CONNECTION_FIELDS, ConnectionTarget, SettingsDialog
from desktop_app.ui.status_view import StatusView

log = logging.getLogger(__name__)

USER_FACING_ERRORS = (SetupError, StoreError, MessageError, AddressError, TransitionError)
S = OutboxState

CONNECTIVITY_TEXT = {
    Connectivity.ONLINE: "● Online",
    Connectivity.OFFLINE: "○ Offline — messages wait in the Outbox",
    Connectivity.RATE_LIMITED: "◐ Rate-limited",
    Connectivity.KEY_REJECTED: "⚠ API key needed — open Settings",
    Connectivity.PAUSED: "‖ Sending paused",
}
DRAFT_SAVE_DELAY_MS = 1500
IDLE_CHECK_MS = 15_000
HISTORY_ADDRESSES = 500
SANDBOX_BANNER = ("SANDBOX MODE — messages go to Sealpost's built-in test server, not to Paubox. "
                  "Nothing is delivered to real recipients.")  # fmt: skip


class MainWindow(QMainWindow):
    ready = Signal()  # the runtime is open and the views are attached
    setup_failed = Signal(str)
    locked_changed = Signal(bool)

    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        self.runtime = runtime
        self.setWindowTitle(f"{APP_NAME} — secure email")
        self.resize(1180, 760)
        self.jobs = JobRunner(self)
        self.bridge = ServiceBridge(self)
        settings = runtime.profile.settings
        self.idle = IdleLock(settings.autolock_minutes)
        self._closing = False
        self._counts_pending = False
        self._burst_total = 0
        self._last_question: Any = None

        self.banner = QLabel(SANDBOX_BANNER, self)
        self.banner.setObjectName("sandboxBanner")
        self.banner.setAccessibleName("Mode banner")
        self.banner.setWordWrap(True)
        self.problem = QLabel(self)
        self.problem.setObjectName("setupProblem")
        self.problem.setAccessibleName("Problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.passphrase_notice = QWidget(self)
        self.passphrase_notice.setObjectName("noticeBar")
        notice_text = QLabel("Set an app passphrase so Sealpost can hide messages when you step away.", self)
        notice_text.setWordWrap(True)
        self.set_passphrase_button = QPushButton("Set passphrase…", self)
        self.set_passphrase_button.setAccessibleName("Set passphrase")
        self.set_passphrase_button.clicked.connect(lambda: self.open_settings(tab=3))
        notice_row = QHBoxLayout(self.passphrase_notice)
        notice_row.setContentsMargins(12, 4, 12, 4)
        notice_row.addWidget(notice_text, 1)
        notice_row.addWidget(self.set_passphrase_button)

        self.navigation = QListWidget(self)
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName("Views")
        self.navigation.setFixedWidth(170)
        self.pages = QStackedWidget(self)
        self.composer = ComposerView(settings.sender, self.jobs,
                                     attachment_limit_bytes=int(settings.attachment_limit_mb * 1024 * 1024),
                                     parent=self)  # fmt: skip
        self.outbox_view = OutboxView(self.jobs, self)
        self.status_view = StatusView(self.jobs, self)
        for title, page in (("Compose", self.composer), ("Outbox", self.outbox_view), ("Status", self.status_view)):
            self.navigation.addItem(title)
            self.pages.addWidget(page)
        self.navigation.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.navigation.setCurrentRow(0)
        self.toast = UndoToast(self)

        content = QWidget(self)
        row = QHBoxLayout(content)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.navigation)
        row.addWidget(self.pages, 1)
        self.lock_screen = LockScreen(self)
        self.shell = QStackedWidget(self)
        self.shell.addWidget(content)
        self.shell.addWidget(self.lock_screen)
        central = QWidget(self)
        central.setObjectName("central")
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.banner)
        outer.addWidget(self.problem)
        outer.addWidget(self.passphrase_notice)
        outer.addWidget(self.shell, 1)
        self.setCentralWidget(central)

        self.log_panel = LogPanel(self.jobs, self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.log_panel)
        self.resizeDocks([self.log_panel], [190], Qt.Orientation.Vertical)
        self.log_panel.hide()  # calm by default (Ctrl+L shows it); the restored window state may differ
        self.log_panel.attach_logging()
        self._build_status_bar()
        self._build_menus()
        icon = app_icon()
        self.setWindowIcon(icon)
        tray_possible = QSystemTrayIcon.isSystemTrayAvailable() and not icon.isNull()
        self.tray = QSystemTrayIcon(icon, self) if tray_possible else None
        if self.tray is not None:
            self.tray.setToolTip(APP_NAME)
            self.tray.show()

        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_SAVE_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self.idle_timer = QTimer(self, interval=IDLE_CHECK_MS)
        self.idle_timer.timeout.connect(self._check_idle)
        self.idle_timer.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

        self.composer.send_requested.connect(self.check_and_queue)
        self.composer.draft_changed.connect(self._draft_timer.start)
        self.composer.draft_discarded.connect(self.discard_draft)
        self.composer.template_panel.templates_wanted.connect(self.load_templates)
        self.composer.template_panel.template_wanted.connect(self.load_template)
        self.bridge.message_changed.connect(self.outbox_view.model.message_changed)
        self.bridge.message_changed.connect(self.status_view.model.message_changed)
        self.bridge.message_changed.connect(lambda _id: self._schedule_counts())
        self.bridge.activity.connect(self.log_panel.add_event)
        self.bridge.engine_status.connect(self.show_engine_status)
        self.bridge.bounced.connect(self.notify_bounce)
        self.outbox_view.resend_requested.connect(self.confirm_resend)
        self.outbox_view.mark_sent_requested.connect(self.confirm_mark_sent)
        self.outbox_view.cancel_requested.connect(lambda i: self._act(lambda: self.runtime.cancel(i), "Cancelled."))
        self.outbox_view.retry_requested.connect(
            lambda i: self._act(lambda: self.runtime.retry_now(i), "Retrying now.")
        )
        self.outbox_view.edit_requested.connect(self.edit_message)
        self.outbox_view.resume_button.clicked.connect(
            lambda: self._act(self.runtime.send_queued_now, "Sending the waiting messages.")
        )
        self.toast.undo.connect(self.undo_send)
        self.toast.send_now.connect(lambda i: self._act(lambda: self.runtime.retry_now(i), "Sending now."))
        self.lock_screen.unlock_requested.connect(self.try_unlock)
        self._apply_profile_to_widgets()
        self._restore_window_state()

    # ------------------------------------------------------------------ start-up and profiles

    def start(self) -> None:
        """Open the store and engines on a worker; the window stays responsive meanwhile."""
        self.connection_label.setText("Starting…")
        runtime = self.runtime
        self.jobs.submit(lambda _token: runtime.open(), name="open runtime",
                         on_result=lambda _r: self._attach(runtime), on_error=self._startup_failed)  # fmt: skip

    def _attach(self, runtime: Runtime) -> None:
        if runtime is not self.runtime or self._closing:
            return
        assert runtime.store is not None
        self.problem.hide()
        self.composer.send_button.setEnabled(True)
        self.bridge.attach(runtime)
        self.outbox_view.model.set_store(runtime.store)
        self.status_view.set_store(runtime.store)
        if runtime.ephemeral_key:
            self.banner.setText(
                SANDBOX_BANNER + "  No system keyring was found, so this session's data is deleted when you quit."
            )
        self._schedule_counts()
        self._load_address_book()
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

    def _apply_profile_to_widgets(self) -> None:
        settings = self.runtime.profile.settings
        self.banner.setText(SANDBOX_BANNER)
        self.banner.setVisible(self.runtime.is_sandbox)
        self.profile_label.setText(f"Profile: {settings.name}")
        self.composer.set_sender(settings.sender)
        self.composer.attachments.limit_bytes = int(settings.attachment_limit_mb * 1024 * 1024)
        self.idle.set_timeout(settings.autolock_minutes if settings.passphrase_hash else 0)
        self.passphrase_notice.setVisible(not settings.passphrase_hash)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, settings.theme)

    def switch_profile(self, directory: Path) -> None:
        """Close this profile's engines and open another's, without closing the window."""
        self._reopen(lambda: Profile(directory))

    def _reopen(self, make_profile: Callable[[], Profile]) -> None:
        old = self.runtime
        overrides = old.overrides
        self._save_window_state()
        self.toast.dismiss()
        self._draft_timer.stop()
        self.connection_label.setText("Switching…")
        self.composer.send_button.setEnabled(False)

        def swap(token: CancelToken) -> Runtime | None:
            old.close()
            fresh = Runtime(make_profile(), overrides)
            fresh.open()
            if token.cancelled:  # the window closed meanwhile: leave no engine running
                fresh.close()
                return None
            return fresh

        def done(fresh: Runtime | None) -> None:
            if fresh is None or self._closing:
                if fresh is not None:
                    fresh.close()
                return
            self.runtime = fresh
            self.composer.load(None)
            self._apply_profile_to_widgets()
            self._attach(fresh)
            self.statusBar().showMessage(f"Switched to {fresh.profile.settings.name}.", 5000)

        self.jobs.submit(swap, name="switch profile", on_result=done, on_error=self._startup_failed)

    # ------------------------------------------------------------------ composing and sending

    def check_and_queue(self, message: OutgoingMessage) -> None:
        """Run the pre-send guards (new domain, many recipients) on a worker, then ask or queue."""
        self._draft_timer.stop()
        runtime = self.runtime
        guard = runtime.profile.settings.recipient_guard

        def concerns(_token: CancelToken) -> list[str]:
            store = runtime.store
            if store is None:
                raise SetupError("Sealpost is still starting.")
            runtime.prepare(message)  # validation errors surface here, in words
            found = []
            new = store.unknown_domains({a.domain for a in message.all_recipients})
            if new:
                found.append(
                    f"This is the first message from this profile to {', '.join(new)}. Check the address: "
                    "a typo in the domain sends patient information to a stranger."
                )
            count = len(message.all_recipients)
            if count > guard:
                found.append(f"It goes to {count} people. Use Bcc if they should not see each other's addresses.")
            return found

        def decide(found: list[str]) -> None:
            if not found:
                self.queue_message(message)
                return
            self._last_question = ask(
                self, "Send this message?", "\n\n".join(found), confirm="Send anyway",
                on_confirm=lambda: self.queue_message(message),
                on_cancel=lambda: self.composer.show_problem("Not sent. Check the recipients, then send again."),
            )  # fmt: skip

        self.jobs.submit(concerns, name="pre-send checks", on_result=decide, on_error=self._queue_failed)

    def queue_message(self, message: OutgoingMessage) -> None:
        runtime = self.runtime
        draft_id = self.composer.draft_id
        self._draft_timer.stop()

        def run(_token: CancelToken) -> StoredMessage:
            stored = runtime.queue(message, undo=True, draft_id=draft_id)
            assert runtime.store is not None
            runtime.store.remember_domains({a.domain for a in message.all_recipients})
            return stored

        def queued(stored: StoredMessage) -> None:
            undo_seconds = int(runtime.profile.settings.undo_seconds)
            self.composer.ready_for_next("Queued. Follow it in the Outbox and Status views.")
            if stored.state is S.SCHEDULED and undo_seconds > 0:
                self.toast.start(stored.id, len(message.all_recipients), undo_seconds)
                self._place_toast()
            self._load_address_book()

        self.jobs.submit(run, name="queue message", on_result=queued, on_error=self._queue_failed)

    def _queue_failed(self, error: BaseException) -> None:
        if isinstance(error, USER_FACING_ERRORS):
            self.composer.show_problem(str(error))
        else:
            log.error("queueing failed", exc_info=(type(error), error, error.__traceback__))
            self.composer.show_problem("Sealpost hit an internal error; the message was not queued. See the log.")

    def undo_send(self, message_id: int) -> None:
        runtime = self.runtime

        def back(message: OutgoingMessage) -> None:
            self.navigation.setCurrentRow(0)
            self.composer.load(message, draft_id=message_id)
            self.composer.show_info("Not sent. The message is back here for editing.", "ok")

        self.jobs.submit(lambda _t: runtime.undo(message_id), name="undo send", on_result=back,
                         on_error=lambda e: self.statusBar().showMessage(
                             "Too late to undo: the message is already on its way.", 8000))  # fmt: skip

    def save_draft(self) -> None:
        """Autosave what is in the composer (sanitised on the worker, like any stored body)."""
        if self.runtime.store is None or self.composer.is_empty():
            return
        runtime = self.runtime
        message = self.composer.snapshot()
        draft_id = self.composer.draft_id
        session = self.composer.session

        def run(_token: CancelToken) -> int:
            clean = replace(message, html=sanitize_html(message.html)) if message.html else message
            return runtime.save_draft(clean, draft_id)

        def saved(new_id: int) -> None:
            if self.composer.session == session:
                self.composer.draft_id = new_id
                self.composer.show_info(f"Draft saved {time.strftime('%H:%M')}.")
            elif draft_id is None:  # the composer moved on while this first save ran: drop the orphan
                self.jobs.submit(lambda _t: runtime.delete_draft(new_id), name="drop orphan draft")

        self.jobs.submit(run, name="save draft", on_result=saved,
                         on_error=lambda e: log.info("draft not saved: %s", type(e).__name__))  # fmt: skip

    def discard_draft(self, draft_id: int | None) -> None:
        self._draft_timer.stop()
        if draft_id is not None:
            runtime = self.runtime
            self.jobs.submit(lambda _t: runtime.delete_draft(draft_id), name="discard draft",
                             on_error=lambda e: log.info("draft already gone: %s", type(e).__name__))  # fmt: skip

    def edit_message(self, message_id: int) -> None:
        """Bring a draft, queued, scheduled or failed message back into the composer."""
        runtime = self.runtime

        def run(_token: CancelToken) -> OutgoingMessage:
            assert runtime.store is not None
            stored = runtime.store.get(message_id)
            if stored.state is S.DRAFT:
                return stored.message
            if stored.state is S.FAILED:
                runtime.store.transition(message_id, S.DRAFT, expected=[S.FAILED], detail="edited by user")
                return stored.message
            return runtime.undo(message_id)

        def loaded(message: OutgoingMessage) -> None:
            self.navigation.setCurrentRow(0)
            self.composer.load(message, draft_id=message_id)
            self.composer.show_info("Editing. Send when ready; it will not go out until you do.", "ok")

        self.jobs.submit(run, name="edit message", on_result=loaded,
                         on_error=lambda e: self.statusBar().showMessage(str(e), 8000))  # fmt: skip

    def load_templates(self) -> None:
        client = self.runtime.client
        panel = self.composer.template_panel
        if client is None:
            panel.failed("Templates can be loaded once Sealpost has connected.")
            return
        panel.failed("Loading templates…")
        self.jobs.submit(lambda _t: client.list_templates(), name="list templates", on_result=panel.set_templates,
                         on_error=lambda e: panel.failed(f"Templates could not be loaded: {e}"))  # fmt: skip

    def load_template(self, template_id: int) -> None:
        client = self.runtime.client
        panel = self.composer.template_panel
        if client is None:
            return
        self.jobs.submit(lambda _t: client.get_template(template_id), name="get template",
                         on_result=panel.show_template,
                         on_error=lambda e: panel.failed(f"The template could not be loaded: {e}"))  # fmt: skip

    def _load_address_book(self) -> None:
        store = self.runtime.store
        if store is None:
            return

        def run(_token: CancelToken) -> list[str]:
            seen: dict[str, None] = {}
            ids = store.list_ids(HistoryFilter(states=(S.ACCEPTED, S.QUEUED, S.SCHEDULED)))[:HISTORY_ADDRESSES]
            for message in store.get_many(ids):
                for address in message.message.all_recipients:
                    seen.setdefault(display_address(address), None)
            return list(seen)

        self.jobs.submit(run, name="address book", on_result=self.composer.set_known_addresses)

    # ------------------------------------------------------------------ outbox actions

    def confirm_resend(self, message_id: int) -> None:
        message = self.outbox_view.selected()
        if message is not None and message.state is S.FAILED:
            self._act(lambda: self.runtime.resend(message_id), "Queued again.")
            return
        self._last_question = ask(
            self, "Resend this message?",
            "Paubox may already have received this message. Sending it again can deliver a duplicate "
            "to the recipients.\n\nResend only if you are sure it did not arrive.",
            confirm="Resend anyway", on_confirm=lambda: self._act(lambda: self.runtime.resend(message_id),
                                                                  "Queued again."),
        )  # fmt: skip

    def confirm_mark_sent(self, message_id: int) -> None:
        self._last_question = ask(
            self, "Mark as sent?",
            "Mark this message as sent only if you know it arrived (for example the recipient confirmed it). "
            "Sealpost will not send it again.",
            confirm="Mark as sent", warning=False,
            on_confirm=lambda: self._act(lambda: self.runtime.mark_sent(message_id), "Marked as sent."),
        )  # fmt: skip

    def _act(self, action: Callable[[], object], done: str) -> None:
        self.jobs.submit(lambda _token: action(), name="outbox action",
                         on_result=lambda _r: self.statusBar().showMessage(done, 4000),
                         on_error=lambda e: self.statusBar().showMessage(str(e), 8000))  # fmt: skip

    def show_engine_status(self, status: EngineStatus) -> None:
        text = CONNECTIVITY_TEXT[status.connectivity]
        if status.connectivity is Connectivity.RATE_LIMITED and status.until:
            text += f" until {time.strftime('%H:%M:%S', time.localtime(status.until))}"
        self.connection_label.setText(text)
        self.connection_label.setToolTip(status.detail)
        offline = status.connectivity is not Connectivity.ONLINE
        notice = status.detail or CONNECTIVITY_TEXT[status.connectivity]
        if status.connectivity is Connectivity.OFFLINE:
            notice = (f"{notice}\nYou can keep writing and sending: messages are kept safely here and go out "
                      "when the connection returns.")  # fmt: skip
        self.outbox_view.set_notice(notice if offline else "", can_resume=status.connectivity is Connectivity.PAUSED)

    def notify_bounce(self, message: StoredMessage, _recipient: str, status: str) -> None:
        """Tell the user without showing PHI in a desktop notification (others may see the screen)."""
        text = f"Message {message.id} could not be delivered to one recipient ({status}). Open Status for details."
        self.statusBar().showMessage(text, 15000)
        if self.tray is not None:
            self.tray.showMessage(f"{APP_NAME}: delivery problem", text, QSystemTrayIcon.MessageIcon.Warning)

    def _schedule_counts(self) -> None:
        if self._counts_pending or self.runtime.store is None:
            return
        self._counts_pending = True
        store = self.runtime.store

        def show(counts: dict[OutboxState, int]) -> None:
            self._counts_pending = False
            waiting = sum(counts.get(s, 0) for s in (S.QUEUED, S.SENDING, S.SCHEDULED))
            attention = counts.get(S.OUTCOME_UNKNOWN, 0) + counts.get(S.FAILED, 0)
            text = f"{waiting} waiting · {counts.get(S.ACCEPTED, 0)} sent"
            if attention:
                text += f" · {attention} need attention"
            self.counts_label.setText(text)
            self._burst_total = max(self._burst_total, waiting) if waiting else 0
            self.outbox_view.set_progress(self._burst_total - waiting, self._burst_total)

        def failed(error: BaseException) -> None:
            self._counts_pending = False
            log.info("counts unavailable: %s", type(error).__name__)

        self.jobs.submit(lambda _token: store.counts_by_state(), name="count", on_result=show, on_error=failed)

    # ------------------------------------------------------------------ lock

    def lock(self) -> None:
        """Hide every message behind the lock screen (Ctrl+Shift+L, or after the idle time)."""
        if not self.runtime.profile.settings.passphrase_hash:
            self.statusBar().showMessage("Set a passphrase first (Settings → Privacy) so you can unlock again.", 8000)
            self.open_settings(tab=3)
            return
        if self.idle.locked:
            return
        self.idle.lock()
        self.toast.dismiss()
        for dialog in self.findChildren(QDialog):  # an open dialog (settings, a question) could show content
            if dialog.isVisible():
                dialog.reject()
        self._log_was_visible = self.log_panel.isVisible()
        self.log_panel.hide()
        self.shell.setCurrentWidget(self.lock_screen)
        self.lock_screen.reset()
        self._set_content_actions_enabled(False)
        self.locked_changed.emit(True)

    def try_unlock(self, passphrase: str) -> None:
        runtime = self.runtime
        stored = runtime.profile.settings.passphrase_hash

        def check(_token: CancelToken) -> bool:
            ok = verify_passphrase(passphrase, stored)
            if runtime.store is not None:
                runtime.store.audit("unlock" if ok else "unlock_failed", detail="screen lock")
            return ok

        self.jobs.submit(check, name="unlock", on_result=self._unlock_checked,
                         on_error=lambda _e: self.lock_screen.refused())  # fmt: skip

    def _unlock_checked(self, ok: bool) -> None:
        if not ok:
            self.lock_screen.refused()
            return
        self.idle.unlock()
        self.shell.setCurrentIndex(0)
        self.log_panel.setVisible(getattr(self, "_log_was_visible", True))
        self._set_content_actions_enabled(True)
        self.locked_changed.emit(False)

    def _set_content_actions_enabled(self, enabled: bool) -> None:
        for action in self._content_actions:
            action.setEnabled(enabled)

    def _check_idle(self) -> None:
        if self.idle.due():
            self.lock()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel):
            self.idle.touch()
        return False

    # ------------------------------------------------------------------ settings and help

    def open_settings(self, tab: int = 0) -> SettingsDialog:
        runtime = self.runtime
        client = runtime.client
        override = None
        if client is not None and (runtime.is_sandbox or runtime.overrides.api_base_url):
            parts = urlsplit(client.config.base_url)
            override = ConnectionTarget(f"{parts.scheme}://{parts.netloc}", client.config.api_key.reveal())
        dialog = SettingsDialog(runtime.profile.settings, runtime.profile.directory, self.jobs,
                                lambda key: _store_api_key(runtime, key), override, self)  # fmt: skip
        dialog.tabs.setCurrentIndex(tab)
        dialog.saved.connect(self.save_settings)
        dialog.switch_requested.connect(self.switch_profile)
        dialog.passphrase_changed.connect(lambda digest: self.save_settings({"passphrase_hash": digest}))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.settings_dialog = dialog
        return dialog

    def save_settings(self, changes: dict[str, Any]) -> None:
        if not changes:
            return
        profile = self.runtime.profile

        def run(_token: CancelToken) -> None:
            profile.update(**changes)
            if self.runtime.store is not None:
                self.runtime.store.audit("settings", detail=", ".join(sorted(changes)))

        def saved(_r: object) -> None:
            self._apply_profile_to_widgets()
            if "retention_days" in changes:
                runtime = self.runtime
                self.jobs.submit(lambda _t: runtime.purge_expired(), name="apply retention")
            if set(changes) & set(CONNECTION_FIELDS):
                self._reopen(lambda: Profile(profile.directory))
            else:
                self.statusBar().showMessage("Settings saved.", 4000)

        self.jobs.submit(run, name="save settings", on_result=saved,
                         on_error=lambda e: self.statusBar().showMessage(f"Settings not saved: {e}", 8000))  # fmt: skip

    def show_help(self) -> HelpDialog:
        dialog = HelpDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # ------------------------------------------------------------------ chrome

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.connection_label = QLabel(self)
        self.connection_label.setAccessibleName("Connection state")
        self.profile_label = QLabel(self)
        self.profile_label.setAccessibleName("Active profile")
        self.counts_label = QLabel(self)
        self.counts_label.setAccessibleName("Queue counts")
        bar.addWidget(self.connection_label)
        bar.addPermanentWidget(self.counts_label)
        bar.addPermanentWidget(self.profile_label)

    def _build_menus(self) -> None:
        def action(menu: Any, text: str, keys: str | QKeySequence.StandardKey, slot: Callable[[], object]) -> QAction:
            item = QAction(text, self)
            if keys:
                item.setShortcut(QKeySequence(keys))
            item.triggered.connect(slot)
            menu.addAction(item)
            self.addAction(item)
            return item

        def go(row: int, focus: QWidget | None = None) -> None:
            self.navigation.setCurrentRow(row)
            if focus is not None:
                focus.setFocus()

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        new = action(file_menu, "&New message", "Ctrl+N", lambda: go(0, self.composer.to_field.edit))
        send = action(file_menu, "Sen&d", "Ctrl+Return", self._send_shortcut)
        send.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        settings = action(file_menu, "&Settings…", "Ctrl+,", self.open_settings)
        action(file_menu, "&Lock now", "Ctrl+Shift+L", self.lock)
        file_menu.addSeparator()
        action(file_menu, "&Quit", "Ctrl+Q", self.close)
        view_menu = bar.addMenu("&View")
        compose = action(view_menu, "&Compose", "Ctrl+1", lambda: go(0))
        outbox = action(view_menu, "&Outbox", "Ctrl+2", lambda: go(1, self.outbox_view.table))
        status = action(view_menu, "&Status and history", "Ctrl+3", lambda: go(2, self.status_view.table))
        search = action(view_menu, "Search &history", "Ctrl+F", lambda: go(2, self.status_view.search))
        toggle_log = self.log_panel.toggleViewAction()
        toggle_log.setText("&Log panel")
        toggle_log.setShortcut(QKeySequence("Ctrl+L"))
        view_menu.addAction(toggle_log)
        self.addAction(toggle_log)
        help_menu = bar.addMenu("&Help")
        action(help_menu, "&Keyboard shortcuts", "F1", self.show_help)
        self._content_actions = [new, send, settings, compose, outbox, status, search, toggle_log]

    def _send_shortcut(self) -> None:
        if self.pages.currentWidget() is self.composer and self.composer.send_button.isEnabled():
            self.composer.request_send()

    def _place_toast(self) -> None:
        if self.toast.isVisible():
            self.toast.adjustSize()
            width = min(520, self.width() - 40)
            self.toast.setFixedWidth(width)
            bottom = self.statusBar().geometry().top() - (self.log_panel.height() if self.log_panel.isVisible() else 0)
            self.toast.move((self.width() - width) // 2, bottom - self.toast.height() - 16)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_toast()

    def _window_settings(self) -> QSettings:
        """Geometry and dock layout only (never content), in the profile folder."""
        path = self.runtime.profile.directory / "window.ini"
        return QSettings(str(path), QSettings.Format.IniFormat)

    def _restore_window_state(self) -> None:
        stored = self._window_settings()
        geometry, state = stored.value("geometry"), stored.value("state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def _save_window_state(self) -> None:
        stored = self._window_settings()
        stored.setValue("geometry", self.saveGeometry())
        stored.setValue("state", self.saveState())
        stored.sync()

    # ------------------------------------------------------------------ shutdown

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closing:
            event.accept()
            return
        self._closing = True
        self._save_window_state()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.idle_timer.stop()
        self._draft_timer.stop()
        self.toast.dismiss()
        self.log_panel.detach_logging()
        self.jobs.shutdown()
        self.runtime.close()
        if self.tray is not None:
            self.tray.hide()
        event.accept()


def _store_api_key(runtime: Runtime, key: str) -> None:
    """Into the keyring, and into use at once when the window talks to Paubox (a 401 pause resumes)."""
    if runtime.client is not None and not runtime.is_sandbox and runtime.overrides.api_base_url is None:
        runtime.update_api_key(key)  # stores, swaps the client's key, audits
        return
    keys.store_api_key(runtime.profile.settings.profile_id, key)  # kept for when the profile uses Paubox
    if runtime.store is not None:
        runtime.store.audit("api_key_changed", detail="stored for later use")
