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
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PySide6 import QtCore  # QtCore.Qt at use: building that namespace of enums costs a first paint ~12 ms
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer, Signal
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
from desktop_app.core.errors import is_known
from desktop_app.core.outbox_state import OutboxState
from desktop_app.core.times import shown_time
from desktop_app.services.autolock import IdleLock, verify_passphrase
from desktop_app.services.profile import Mode, Profile, make_private
from desktop_app.ui.a11y import announce
from desktop_app.ui.bridge import ServiceBridge
from desktop_app.ui.jobs import CancelToken, JobRunner
from desktop_app.ui.navigation import ViewRegistry
from desktop_app.ui.policies_dialog import open_policies
from desktop_app.ui.resources import app_icon, apply_theme
from desktop_app.ui.writing_settings import apply_writing_settings

if TYPE_CHECKING:  # imported where used: the views after the first paint, the engines on the worker that opens them
    from desktop_app.core.message import OutgoingMessage
    from desktop_app.services.outbox import EngineStatus
    from desktop_app.services.runtime import Runtime
    from desktop_app.store.messages import MessageStore, RequestGroup, StoredMessage
    from desktop_app.ui.composer import ComposerView, EditableMessage
    from desktop_app.ui.dialogs import HelpDialog
    from desktop_app.ui.everyday import Everyday
    from desktop_app.ui.lock_screen import LockScreen, UndoToast
    from desktop_app.ui.log_panel import LogPanel
    from desktop_app.ui.outbox_view import OutboxView
    from desktop_app.ui.settings_dialog import SettingsDialog
    from desktop_app.ui.status_view import StatusView

log = logging.getLogger(__name__)

S = OutboxState
RuntimeFactory = Callable[[Profile], "Runtime"]

CONNECTIVITY_TEXT = {  # keyed by services.outbox.Connectivity (a StrEnum), which loads with the engines
    "online": "● Online",
    "offline": "○ Offline — messages wait in the Outbox",
    "rate_limited": "◐ Rate-limited",
    "key_rejected": "⚠ API key needed — open Settings",
    "paused": "‖ Sending paused",
    "delegated": "⇄ Sending through another Sealpost process",
}
DRAFT_SAVE_DELAY_MS = 1500
IDLE_CHECK_MS = 15_000
COUNTS_DELAY_MS = 150  # like the message models: one counts query per burst of changes, not per change
UNPAINTED_START_MS = 500  # a window that is never exposed (minimised, off-screen) still starts sending
NOT_READY = "Sealpost is still starting. Try again in a moment."
HISTORY_ADDRESSES = 500
SANDBOX_BANNER = ("SANDBOX MODE — messages go to Sealpost's built-in test server, not to Paubox. "
                  "Nothing is delivered to real recipients.")  # fmt: skip


class MainWindow(QMainWindow):
    """The window paints before anything heavy exists.

    First paint: the chrome only (menu bar, banner, navigation, status bar), which costs about
    what a bare window does. Right after it, :meth:`_build_views` makes the Composer, Outbox,
    Status and log views while a worker builds and opens the runtime with ``make_runtime``, so
    nothing imports httpx, SQLCipher, keyring, bleach or email-validator before the first paint
    (tests/gui/test_startup.py guards this)."""

    ready = Signal()  # the runtime is open and the views are attached
    setup_failed = Signal(str)
    locked_changed = Signal(bool)

    composer: ComposerView
    outbox_view: OutboxView
    status_view: StatusView
    log_panel: LogPanel
    lock_screen: LockScreen
    toast: UndoToast
    everyday: Everyday

    def __init__(self, profile: Profile, make_runtime: RuntimeFactory) -> None:
        super().__init__()
        self._apply_theme(profile)  # before any widget exists: restyling built widgets costs more than a bare window
        self.profile = profile
        self.runtime: Runtime | None = None  # set once open; None while starting or switching
        self._make_runtime = make_runtime
        self._opening: Runtime | None = None  # built on the worker, not attached yet; closed if we close first
        self._start_pending = False
        self._painted = False
        self._views_built = False
        self.setWindowTitle(f"{APP_NAME} — secure email")
        room = QApplication.primaryScreen().availableGeometry()  # a 1366x768 laptop has no 760 px to spare
        self.resize(min(1180, room.width() - 40), min(760, room.height() - 80))
        self.jobs = JobRunner(self)
        self.bridge = ServiceBridge(self)
        self.idle = IdleLock(profile.settings.autolock_minutes)
        self._closing = False
        self._counts_pending = False
        self._last_question: Any = None
        self.tray: QSystemTrayIcon | None = None

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
        self.pages = QStackedWidget(self)  # the views arrive just after the first paint
        self.unseen_bounces = 0
        content = QWidget(self)
        row = QHBoxLayout(content)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.navigation)
        row.addWidget(self.pages, 1)
        self.shell = QStackedWidget(self)
        self.shell.addWidget(content)
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
        self._build_status_bar()
        bar = self.menuBar()  # titles now, so nothing moves; their actions come with the views
        self.file_menu = bar.addMenu("&File")
        self.view_menu = bar.addMenu("&View")
        self.help_menu = bar.addMenu("&Help")
        self.views = ViewRegistry(self, self.navigation, self.pages, self.view_menu)
        self.views.shown.connect(self._seen_view)
        self.views.add("compose", "Compose", shortcut="Ctrl+1")
        self.views.add("outbox", "Outbox", shortcut="Ctrl+2",
                       focus=lambda: self.outbox_view.table if self._views_built else None)  # fmt: skip
        self.views.add("status", "Status", shortcut="Ctrl+3", menu_text="&Status and history",
                       focus=lambda: self.status_view.table if self._views_built else None)  # fmt: skip
        self.views.add("drafts", "Drafts", shortcut="Ctrl+4", before="outbox")  # its page: ui/everyday.py

        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_SAVE_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self._counts_timer = QTimer(self, singleShot=True, interval=COUNTS_DELAY_MS)
        self._counts_timer.timeout.connect(self._refresh_counts)
        self.idle_timer = QTimer(self, interval=IDLE_CHECK_MS)
        self.idle_timer.timeout.connect(self._check_idle)
        self.idle_timer.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._apply_profile_to_widgets()
        geometry = self._window_settings().value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def _build_views(self) -> None:
        """The Composer, Outbox, Status and log views, the lock screen, the menus' actions and the
        tray: everything the first paint does not need (building them costs more than a bare window)."""
        if self._views_built:
            return
        self._views_built = True
        from desktop_app.ui.composer import ComposerView
        from desktop_app.ui.everyday import Everyday
        from desktop_app.ui.lock_screen import LockScreen, UndoToast
        from desktop_app.ui.log_panel import LogPanel
        from desktop_app.ui.outbox_view import OutboxView
        from desktop_app.ui.status_view import StatusView

        settings = self.profile.settings
        self.composer = ComposerView(settings.sender, self.jobs,
                                     attachment_limit_bytes=int(settings.attachment_limit_mb * 1024 * 1024),
                                     parent=self)  # fmt: skip
        self.composer.send_button.setEnabled(self.runtime is not None)  # not before the outbox is open
        self.outbox_view = OutboxView(self.jobs, self)
        self.status_view = StatusView(self.jobs, self)
        for name, page in (("compose", self.composer), ("outbox", self.outbox_view), ("status", self.status_view)):
            self.views.set_page(name, page)
        self.everyday = Everyday(self)  # Drafts, the sent-message view, new messages made from sent ones
        self.toast = UndoToast(self)
        self.lock_screen = LockScreen(self)
        self.shell.addWidget(self.lock_screen)

        self.log_panel = LogPanel(self.jobs, self)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.BottomDockWidgetArea, self.log_panel)
        self.resizeDocks([self.log_panel], [190], QtCore.Qt.Orientation.Vertical)
        self.log_panel.hide()  # calm by default (Ctrl+L shows it); the restored window state may differ
        self.log_panel.attach_logging()
        self.log_panel.exported.connect(self._audit_log_export)
        self._build_menus()
        state = self._window_settings().value("state")
        if state is not None:
            self.restoreState(state)
        icon = app_icon()
        self.setWindowIcon(icon)
        if QSystemTrayIcon.isSystemTrayAvailable() and not icon.isNull():
            self.tray = QSystemTrayIcon(icon, self)
            self.tray.setToolTip(APP_NAME)
            self.tray.show()

        self.composer.send_requested.connect(self.check_and_queue)
        self.composer.draft_changed.connect(self._draft_timer.start)
        self.composer.draft_discarded.connect(self.discard_draft)
        self.composer.template_panel.templates_wanted.connect(self.load_templates)
        self.composer.template_panel.template_wanted.connect(self.load_template)
        self.bridge.message_changed.connect(self.outbox_view.model.message_changed)
        self.bridge.message_changed.connect(self.status_view.message_changed)
        self.bridge.message_changed.connect(lambda _id: self._schedule_counts())
        self.bridge.activity.connect(self.log_panel.add_event)
        self.bridge.engine_status.connect(self.show_engine_status)
        self.bridge.bounced.connect(self.notify_bounce)
        self.bridge.integrity_problem.connect(self.show_problem)
        self.outbox_view.resend_requested.connect(self.confirm_resend)
        self.outbox_view.mark_sent_requested.connect(self.confirm_mark_sent)
        self.outbox_view.resolve_group_requested.connect(self.confirm_resolve_group)
        self.outbox_view.cancel_requested.connect(lambda i: self._act(lambda r: r.cancel(i), "Cancelled."))
        self.outbox_view.retry_requested.connect(lambda i: self._act(lambda r: r.retry_now(i), "Retrying now."))
        self.outbox_view.edit_requested.connect(self.edit_message)
        self.outbox_view.resume_button.clicked.connect(
            lambda: self._act(lambda r: r.send_queued_now(), "Sending the waiting messages.")
        )
        self.toast.undo.connect(self.undo_send)
        self.toast.send_now.connect(lambda i: self._act(lambda r: r.retry_now(i), "Sending now."))
        self.lock_screen.unlock_requested.connect(self.try_unlock)
        self._apply_profile_to_widgets()

    # ------------------------------------------------------------------ start-up and profiles

    def start(self) -> None:
        """Build and open the runtime on a worker once the window has painted.

        Loading the engines' modules takes longer than painting the window, and a worker doing it
        meanwhile would hold the GIL while the GUI thread paints: the window comes first."""
        self.connection_label.setText("Starting…")
        self._start_pending = True
        if self._painted:
            self._after_first_paint()
        else:
            QTimer.singleShot(UNPAINTED_START_MS, self._after_first_paint)

    def _after_first_paint(self) -> None:
        """Open the runtime (if asked to start) and build the views. The first paint or, for a window
        that is never exposed, a timer calls this; whichever comes second finds nothing left to do."""
        if self._closing:
            return
        if self._start_pending:
            self._start_pending = False
            profile = self.profile
            self._open_runtime(lambda: profile)  # first, so its keyring and disk waits overlap the building
        self._build_views()

    def _open_runtime(self, make_profile: Callable[[], Profile], replacing: Runtime | None = None) -> None:
        """Close ``replacing`` (if any), then build and open a runtime for ``make_profile()``, all on a worker."""
        make_runtime = self._make_runtime

        def run(_token: CancelToken) -> Runtime:
            if replacing is not None:
                replacing.close()
            runtime = make_runtime(make_profile())
            self._opening = runtime  # read by closeEvent only after the job has ended
            try:
                runtime.open()
            except BaseException:
                self._opening = None
                runtime.close()  # whatever open() got as far as starting
                raise
            return runtime

        def opened(runtime: Runtime) -> None:
            self._attach(runtime)
            if replacing is not None and self.runtime is runtime:
                self.statusBar().showMessage(f"Switched to {runtime.profile.settings.name}.", 5000)

        self.jobs.submit(run, name="open runtime", on_result=opened, on_error=self._startup_failed)

    def _attach(self, runtime: Runtime) -> None:
        if self._closing:  # closeEvent has closed it (it was still self._opening)
            return
        assert runtime.store is not None
        self._opening = None
        self.runtime = runtime
        if runtime.profile is not self.profile:  # switched to another profile
            self.profile = runtime.profile
            self._apply_profile_to_widgets()
        self.banner.setVisible(runtime.is_sandbox)
        self.problem.hide()
        if runtime.profile.problems:  # damaged files set aside while loading the profile: say what happened
            self.show_problem(" ".join(runtime.profile.problems))
        self.composer.send_button.setEnabled(True)
        self.bridge.attach(runtime)
        self.outbox_view.set_store(runtime.store)
        self.status_view.set_store(runtime.store)
        self.everyday.attach(runtime.store)
        apply_writing_settings(self.composer, self.profile.settings, runtime.store)  # the personal dictionary
        if runtime.ephemeral_key:
            self.banner.setText(
                SANDBOX_BANNER + "  No system keyring was found, so this session's data is deleted when you quit."
            )
        self._refresh_counts()
        self._load_address_book()
        self.ready.emit()

    def show_problem(self, text: str) -> None:
        """A red banner under the mode banner: what is wrong with this profile, in words."""
        self.problem.setText(text)
        self.problem.show()

    def _startup_failed(self, error: BaseException) -> None:
        if not is_known(error):
            log.error("start-up failed", exc_info=(type(error), error, error.__traceback__))
        text = str(error) if is_known(error) else f"Sealpost could not start: {error}"
        self.show_problem(text)
        self.composer.send_button.setEnabled(False)
        self.connection_label.setText("Not connected")
        self.setup_failed.emit(text)

    def _apply_profile_to_widgets(self) -> None:
        settings = self.profile.settings
        self.banner.setText(SANDBOX_BANNER)
        # Before the runtime exists only the profile is known: an --api-base-url override can
        # only turn the banner off, once the runtime says so.
        self.banner.setVisible(self.runtime.is_sandbox if self.runtime is not None else settings.mode is Mode.SANDBOX)
        self.profile_label.setText(f"Profile: {settings.name}")
        if self._views_built:
            self.composer.set_sender(settings.sender)
            self.composer.attachments.limit_bytes = int(settings.attachment_limit_mb * 1024 * 1024)
            apply_writing_settings(self.composer, settings, self._store())
            from desktop_app.ui.composer_policies import apply_message_policies

            apply_message_policies(self.composer, self.profile)
        self.idle.set_timeout(settings.autolock_minutes if settings.passphrase_hash else 0)
        self.passphrase_notice.setVisible(not settings.passphrase_hash)
        self._apply_theme(self.profile)

    @staticmethod
    def _apply_theme(profile: Profile) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, profile.settings.theme)

    def switch_profile(self, directory: Path) -> None:
        """Close this profile's engines and open another's, without closing the window."""
        self._reopen(lambda: Profile(directory))

    def _reopen(self, make_profile: Callable[[], Profile]) -> None:
        old = self.runtime
        if old is None:  # still opening (or failed): one runtime at a time
            self.statusBar().showMessage(NOT_READY, 5000)
            return
        self.runtime = None
        self._save_window_state()
        self.toast.dismiss()
        self._draft_timer.stop()
        self.connection_label.setText("Switching…")
        self.composer.send_button.setEnabled(False)
        self.composer.load(None)
        self._open_runtime(make_profile, replacing=old)

    def _ready_runtime(self) -> Runtime | None:
        """The open runtime, or None after telling the user it is not ready yet."""
        if self.runtime is None or self.runtime.store is None:
            self.statusBar().showMessage(NOT_READY, 5000)
            return None
        return self.runtime

    def _store(self) -> MessageStore | None:
        return self.runtime.store if self.runtime is not None else None

    # ------------------------------------------------------------------ composing and sending

    def check_and_queue(self, message: OutgoingMessage) -> None:
        """Run the pre-send guards (new domain, many recipients) on a worker, then ask or queue."""
        self._draft_timer.stop()
        runtime = self._ready_runtime()
        if runtime is None:
            self.composer.show_problem(NOT_READY)
            return
        guard = runtime.profile.settings.recipient_guard

        def concerns(_token: CancelToken) -> list[str]:
            store = runtime.store
            assert store is not None
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
            self._ask(
                "Send this message?", "\n\n".join(found), confirm="Send anyway",
                on_confirm=lambda: self.queue_message(message),
                on_cancel=lambda: self.composer.show_problem("Not sent. Check the recipients, then send again."),
            )  # fmt: skip

        self.jobs.submit(concerns, name="pre-send checks", on_result=decide, on_error=self._queue_failed)

    def queue_message(self, message: OutgoingMessage) -> None:
        runtime = self._ready_runtime()
        if runtime is None:
            self.composer.show_problem(NOT_READY)
            return
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
        if is_known(error):
            self.composer.show_problem(str(error))
        else:
            log.error("queueing failed", exc_info=(type(error), error, error.__traceback__))
            self.composer.show_problem("Sealpost hit an internal error; the message was not queued. See the log.")

    def undo_send(self, message_id: int) -> None:
        runtime = self._ready_runtime()
        if runtime is None:
            return

        def back(message: EditableMessage) -> None:
            self.views.show("compose")
            self.composer.load(message, draft_id=message_id)
            self.composer.show_info("Not sent. The message is back here for editing.", "ok")

        def run(_token: CancelToken) -> EditableMessage:
            from desktop_app.ui.composer import editable

            return editable(runtime.undo(message_id))

        self.jobs.submit(run, name="undo send", on_result=back,
                         on_error=lambda e: self.statusBar().showMessage(
                             "Too late to undo: the message is already on its way.", 8000))  # fmt: skip

    def new_message(self) -> None:
        """Ctrl+N: an empty composer, always. What was being written is kept as a draft, so the next
        patient's message can never start with the previous patient's words."""
        if not self.composer.is_empty():
            if self.runtime is None:  # nothing can be saved yet: keep it on screen rather than lose it
                self.statusBar().showMessage("Sealpost is still starting; finish or clear this message first.", 6000)
                return
            self.save_draft(keep_if_left=True)
            self.statusBar().showMessage("The message you were writing was kept in Drafts (Ctrl+4).", 6000)
        self._draft_timer.stop()
        self.composer.load(None)
        self.views.show("compose")
        self.composer.to_field.edit.setFocus()

    def save_draft(self, *, keep_if_left: bool = False) -> None:
        """Autosave what is in the composer (sanitised on the worker, like any stored body).

        ``keep_if_left``: the composer is being cleared for a new message; the draft stays even though
        the composer has moved on by the time it is stored."""
        runtime = self.runtime
        if runtime is None or runtime.store is None or self.composer.is_empty():
            return
        message = self.composer.snapshot()
        draft_id = self.composer.draft_id
        session = self.composer.session

        def run(_token: CancelToken) -> int:
            from desktop_app.core.sanitize import sanitize_html  # loaded by the runtime by now

            clean = replace(message, html=sanitize_html(message.html)) if message.html else message
            return runtime.save_draft(clean, draft_id)

        def saved(new_id: int) -> None:
            if self.composer.session == session:
                self.composer.draft_id = new_id
                self.composer.show_info(f"Draft saved {time.strftime('%H:%M')}.")
            elif draft_id is None and not keep_if_left:  # the composer moved on meanwhile: drop the orphan
                self.jobs.submit(lambda _t: runtime.delete_draft(new_id), name="drop orphan draft")

        self.jobs.submit(run, name="save draft", on_result=saved,
                         on_error=lambda e: log.info("draft not saved: %s", type(e).__name__))  # fmt: skip

    def discard_draft(self, draft_id: int | None) -> None:
        self._draft_timer.stop()
        runtime = self.runtime
        if draft_id is not None and runtime is not None:
            self.jobs.submit(lambda _t: runtime.delete_draft(draft_id), name="discard draft",
                             on_error=lambda e: log.info("draft already gone: %s", type(e).__name__))  # fmt: skip

    def edit_message(self, message_id: int) -> None:
        """Bring a draft, queued, scheduled or failed message back into the composer."""
        runtime = self._ready_runtime()
        if runtime is None:
            return

        def run(_token: CancelToken) -> EditableMessage:
            from desktop_app.ui.composer import editable  # sanitises: on this worker, not the GUI thread

            assert runtime.store is not None
            stored = runtime.store.get(message_id)
            if stored.state is S.DRAFT:
                return editable(stored.message)
            if stored.state is S.FAILED:
                runtime.store.transition(message_id, S.DRAFT, expected=[S.FAILED], detail="edited by user")
                return editable(runtime.without_footer(stored.message))
            return editable(runtime.undo(message_id))

        def loaded(message: EditableMessage) -> None:
            self.views.show("compose")
            self.composer.load(message, draft_id=message_id)
            self.composer.show_info("Editing. Send when ready; it will not go out until you do.", "ok")

        self.jobs.submit(run, name="edit message", on_result=loaded,
                         on_error=lambda e: self.statusBar().showMessage(str(e), 8000))  # fmt: skip

    def load_templates(self) -> None:
        client = self.runtime.client if self.runtime is not None else None
        panel = self.composer.template_panel
        if client is None:
            panel.failed("Templates can be loaded once Sealpost has connected.")
            return
        panel.failed("Loading templates…")
        self.jobs.submit(lambda _t: client.list_templates(), name="list templates", on_result=panel.set_templates,
                         on_error=lambda e: panel.failed(f"Templates could not be loaded: {e}"))  # fmt: skip

    def load_template(self, template_id: int) -> None:
        client = self.runtime.client if self.runtime is not None else None
        panel = self.composer.template_panel
        if client is None:
            return
        self.jobs.submit(lambda _t: client.get_template(template_id), name="get template",
                         on_result=panel.show_template,
                         on_error=lambda e: panel.failed(f"The template could not be loaded: {e}"))  # fmt: skip

    def _load_address_book(self) -> None:
        store = self._store()
        if store is None:
            return

        def run(_token: CancelToken) -> list[str]:
            from desktop_app.services.drafts import hard_bounced
            from desktop_app.store.messages import HistoryFilter  # loaded with the store
            from desktop_app.ui.composer import display_address

            seen: dict[str, bool] = {}
            ids, _more = store.page(HistoryFilter(states=(S.ACCEPTED, S.QUEUED, S.SCHEDULED)), limit=HISTORY_ADDRESSES)
            bounced = hard_bounced(store)
            for message in store.get_many(ids):
                for address in message.message.all_recipients:
                    seen.setdefault(display_address(address), address.email.lower() in bounced)
            return sorted(seen, key=seen.__getitem__)  # a hard-bounced address is never offered first

        self.jobs.submit(run, name="address book", on_result=self.composer.set_known_addresses)

    # ------------------------------------------------------------------ outbox actions

    def confirm_resend(self, message_id: int) -> None:
        message = self.outbox_view.selected()
        if message is not None and message.state is S.FAILED:
            self._act(lambda r: r.resend(message_id), "Queued again.")
            return
        self._ask(
            "Resend this message?",
            "Paubox may already have received this message. Sending it again can deliver a duplicate "
            "to the recipients.\n\nResend only if you are sure it did not arrive.",
            confirm="Resend anyway", on_confirm=lambda: self._act(lambda r: r.resend(message_id), "Queued again."),
        )  # fmt: skip

    def confirm_mark_sent(self, message_id: int) -> None:
        self._ask(
            "Mark as sent?",
            "Mark this message as sent only if you know it arrived (for example the recipient confirmed it). "
            "Sealpost will not send it again.",
            confirm="Mark as sent", warning=False,
            on_confirm=lambda: self._act(lambda r: r.mark_sent(message_id), "Marked as sent."),
        )  # fmt: skip

    def confirm_resolve_group(self, group: RequestGroup, resend: bool) -> None:
        """One decision for every message of one ambiguous request, with the facts it rests on."""
        from desktop_app.ui.outbox_view import group_words

        count = len(group.message_ids)
        facts = group_words(group)
        if resend:
            self._ask(
                f"Resend all {count} messages?",
                f"{facts}\n\nPaubox may already have received some or all of them. Sending them again can "
                "deliver duplicates.\n\nResend only if you are sure they did not arrive.",
                confirm=f"Resend all {count}",
                on_confirm=lambda: self._act(lambda r: r.resolve_group(group.name, resend=True),
                                             f"{count} messages queued again."),
            )  # fmt: skip
            return
        self._ask(
            f"Mark all {count} messages as sent?",
            f"{facts}\n\nMark them as sent only if you know they arrived. Sealpost will not send them again.",
            confirm=f"Mark all {count} as sent", warning=False,
            on_confirm=lambda: self._act(lambda r: r.resolve_group(group.name, resend=False),
                                         f"{count} messages marked as sent."),
        )  # fmt: skip

    def _ask(self, title: str, text: str, *, confirm: str, on_confirm: Callable[[], None], warning: bool = True,
             on_cancel: Callable[[], None] | None = None) -> None:  # fmt: skip
        from desktop_app.ui.dialogs import ask

        self._last_question = ask(self, title, text, confirm=confirm, on_confirm=on_confirm, warning=warning,
                                  on_cancel=on_cancel)  # fmt: skip

    def _act(self, action: Callable[[Runtime], object], done: str) -> None:
        runtime = self._ready_runtime()
        if runtime is None:
            return
        self.jobs.submit(lambda _token: action(runtime), name="outbox action",
                         on_result=lambda _r: self.statusBar().showMessage(done, 4000),
                         on_error=lambda e: self.statusBar().showMessage(str(e), 8000))  # fmt: skip

    def show_engine_status(self, status: EngineStatus) -> None:
        from desktop_app.services.outbox import Connectivity  # loaded with the engine that reports

        text = CONNECTIVITY_TEXT[status.connectivity]
        if status.connectivity is Connectivity.RATE_LIMITED and status.until:
            text += f" until {shown_time(status.until, seconds=True)}"
        if text != self.connection_label.text():
            announce(self.connection_label, text, urgent=status.connectivity is Connectivity.KEY_REJECTED)
        self.connection_label.setText(text)
        self.connection_label.setToolTip(status.detail)
        offline = status.connectivity is not Connectivity.ONLINE
        notice = status.detail or CONNECTIVITY_TEXT[status.connectivity]
        if status.connectivity is Connectivity.OFFLINE:
            notice = (f"{notice}\nYou can keep writing and sending: messages are kept safely here and go out "
                      "when the connection returns.")  # fmt: skip
        self.outbox_view.set_notice(
            notice if offline else "",
            can_resume=status.connectivity is Connectivity.PAUSED,
            connectivity=status.connectivity,
            detail=status.detail,
            until=status.until,
        )

    def notify_bounce(self, message: StoredMessage, _recipient: str, status: str) -> None:
        """Tell the user without showing PHI in a desktop notification (others may see the screen).

        The Status item keeps a count of bounces not yet seen, so one is never missed because the
        status bar moved on; it clears when the user opens Status."""
        text = f"A message could not be delivered to one recipient ({status}). Open Status or the notice at the top."
        self.statusBar().showMessage(text, 15000)
        announce(self.statusBar(), text, urgent=True)
        if self.views.current() != "status" or not self.isActiveWindow():
            self.unseen_bounces += 1
            self._show_bounce_badge()
        if self.tray is not None:
            self.tray.showMessage(f"{APP_NAME}: delivery problem", text, QSystemTrayIcon.MessageIcon.Warning)

    def _show_bounce_badge(self) -> None:
        count = self.unseen_bounces
        spoken = f"{count} undelivered message{'s' if count != 1 else ''} not yet seen"
        self.views.set_badge("status", f"⚠ {count}" if count else "", spoken if count else "")

    def _seen_view(self, name: str) -> None:
        if name == "status" and self.unseen_bounces:
            self.unseen_bounces = 0
            self._show_bounce_badge()

    def _schedule_counts(self) -> None:
        if not self._counts_timer.isActive():
            self._counts_timer.start()

    def _refresh_counts(self) -> None:
        """One counts query at a time; changes that arrive meanwhile ask for another shortly after."""
        store = self._store()
        if store is None:
            return
        if self._counts_pending:
            self._schedule_counts()
            return
        self._counts_pending = True

        def show(counts: dict[OutboxState, int]) -> None:
            self._counts_pending = False
            waiting = sum(counts.get(s, 0) for s in (S.QUEUED, S.SENDING, S.SCHEDULED))
            attention = counts.get(S.OUTCOME_UNKNOWN, 0) + counts.get(S.FAILED, 0)
            text = f"{waiting} waiting · {counts.get(S.ACCEPTED, 0)} sent"
            if attention:
                text += f" · {attention} need attention"
            sent, before = counts.get(S.ACCEPTED, 0), self.counts_label.property("counted")
            if not waiting and isinstance(before, tuple) and (before[0] or sent > before[1]):
                announce(self.counts_label, "The Outbox is empty: every waiting message has gone to Paubox.")
            self.counts_label.setProperty("counted", (waiting, sent))
            self.counts_label.setText(text)
            self.outbox_view.show_counts(counts)

        def failed(error: BaseException) -> None:
            self._counts_pending = False
            log.info("counts unavailable: %s", type(error).__name__)

        self.jobs.submit(lambda _token: store.counts_by_state(), name="count", on_result=show, on_error=failed)

    # ------------------------------------------------------------------ lock

    def lock(self) -> None:
        """Hide every message behind the lock screen (Ctrl+Shift+L, or after the idle time)."""
        if not self.profile.settings.passphrase_hash:
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
        announce(self.lock_screen, f"{APP_NAME} is locked. Type your passphrase to continue.", urgent=True)

    def try_unlock(self, passphrase: str) -> None:
        store = self._store()
        stored = self.profile.settings.passphrase_hash

        def check(_token: CancelToken) -> bool:
            ok = verify_passphrase(passphrase, stored)
            if store is not None:
                store.audit("unlock" if ok else "unlock_failed", detail="screen lock")
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
        for action in self._content_actions + self.views.actions:
            action.setEnabled(enabled)

    def _check_idle(self) -> None:
        if self.idle.due():
            self.lock()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel):
            self.idle.touch()
        elif kind == QEvent.Type.Paint and not self._painted and _belongs_to(watched, self):
            self._painted = True
            QTimer.singleShot(0, self._after_first_paint)  # once this paint has reached the screen
        return False

    # ------------------------------------------------------------------ settings and help

    def open_settings(self, tab: int = 0) -> SettingsDialog:
        from desktop_app.ui.settings_dialog import ConnectionTarget, SettingsDialog  # API and keyring modules

        runtime, profile = self.runtime, self.profile
        client = runtime.client if runtime is not None else None
        override = None
        if runtime is not None and client is not None and (runtime.is_sandbox or runtime.overrides.api_base_url):
            parts = urlsplit(client.config.base_url)
            override = ConnectionTarget(f"{parts.scheme}://{parts.netloc}", client.config.api_key.reveal())
        dialog = SettingsDialog(profile.settings, profile.directory, self.jobs,
                                lambda key: _store_api_key(profile, runtime, key), override, self,
                                origins=profile.origins)  # fmt: skip
        dialog.tabs.setCurrentIndex(tab)
        dialog.saved.connect(self.save_settings)
        dialog.switch_requested.connect(self.switch_profile)
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.settings_dialog = dialog
        return dialog

    def save_settings(self, changes: dict[str, Any]) -> None:
        from desktop_app.services.settings_schema import needs_reconnect

        if not changes:
            return
        profile = self.profile
        store = self._store()

        def run(_token: CancelToken) -> None:
            profile.update(**changes)
            if store is not None:
                store.audit("settings", detail=", ".join(sorted(changes)))

        def saved(_r: object) -> None:
            self._apply_profile_to_widgets()
            runtime = self.runtime
            if "retention_days" in changes and runtime is not None:
                self.jobs.submit(lambda _t: runtime.purge_expired(), name="apply retention")
            if needs_reconnect(changes):
                self._reopen(lambda: Profile(profile.directory))
            else:
                self.statusBar().showMessage("Settings saved.", 4000)

        self.jobs.submit(run, name="save settings", on_result=saved,
                         on_error=lambda e: self.statusBar().showMessage(f"Settings not saved: {e}", 8000))  # fmt: skip

    def _audit_log_export(self, count: int) -> None:
        store = self._store()
        if store is not None:
            detail = f"log panel, {count} entries"
            self.jobs.submit(lambda _t: store.audit("export", detail=detail), name="audit export")

    def show_audit_trail(self) -> QDialog | None:
        if self.runtime is None or self.runtime.store is None:
            self.statusBar().showMessage("Sealpost is still starting.", 4000)
            return None
        from desktop_app.ui.audit_dialog import AuditDialog

        dialog = AuditDialog(self.runtime, self.jobs, self)
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_help(self) -> HelpDialog:
        from desktop_app.ui.dialogs import HelpDialog

        dialog = HelpDialog(self)
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
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

        file_menu = self.file_menu
        new = action(file_menu, "&New message", "Ctrl+N", self.new_message)
        send = action(file_menu, "Sen&d", "Ctrl+Return", self._send_shortcut)
        send.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        settings = action(file_menu, "&Settings…", "Ctrl+,", self.open_settings)
        action(file_menu, "&Lock now", "Ctrl+Shift+L", self.lock)
        file_menu.addSeparator()
        action(file_menu, "&Quit", "Ctrl+Q", self.everyday.quit)  # asks first when quitting loses the session
        view_menu = self.view_menu
        search = action(
            view_menu, "Search &history", "Ctrl+F", lambda: self.views.show("status", self.status_view.search)
        )
        toggle_log = self.log_panel.toggleViewAction()
        toggle_log.setText("&Log panel")
        toggle_log.setShortcut(QKeySequence("Ctrl+L"))
        view_menu.addAction(toggle_log)
        self.addAction(toggle_log)
        audit = action(view_menu, "&Audit trail…", "", self.show_audit_trail)
        action(self.help_menu, "&Keyboard shortcuts", "F1", self.show_help)
        action(self.help_menu, "&Policies…", "", lambda: open_policies(self, self.profile))
        self._content_actions = [new, send, settings, search, toggle_log, audit]

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
        if self._views_built:
            self._place_toast()

    def _window_settings(self) -> QSettings:
        """Geometry and dock layout only (never content), in the profile folder."""
        path = self.profile.directory / "window.ini"
        return QSettings(str(path), QSettings.Format.IniFormat)

    def _save_window_state(self) -> None:
        stored = self._window_settings()
        stored.setValue("geometry", self.saveGeometry())
        if self._views_built:  # the dock layout exists only then
            stored.setValue("state", self.saveState())
        stored.sync()
        make_private(Path(stored.fileName()))  # QSettings writes with the default mode; 0600 like every profile file

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
        self._counts_timer.stop()
        if self._views_built:
            self.toast.dismiss()
            self.log_panel.detach_logging()
        self.jobs.shutdown()  # waits for an open in progress, which leaves its runtime in self._opening
        for runtime in (self.runtime, self._opening):
            if runtime is not None:
                runtime.close()
        if self.tray is not None:
            self.tray.hide()
        event.accept()


def _belongs_to(watched: QObject, window: QWidget) -> bool:
    return isinstance(watched, QWidget) and watched.window() is window


def _store_api_key(profile: Profile, runtime: Runtime | None, key: str) -> None:
    """Into the keyring, and into use at once when the window talks to Paubox (a 401 pause resumes)."""
    from desktop_app.store import keys  # keyring: runs on the settings dialog's worker

    if (runtime is not None and runtime.client is not None and not runtime.is_sandbox
            and runtime.overrides.api_base_url is None):  # fmt: skip
        runtime.update_api_key(key)  # stores, swaps the client's key, audits
        return
    keys.store_api_key(profile.settings.profile_id, key)  # kept for when the profile uses Paubox
    if runtime is not None and runtime.store is not None:
        runtime.store.audit("api_key_changed", detail="stored for later use")
