"""The main window is a shell: menus, navigation, the status bar, the log dock's place, the lock's cover.

Each feature (compose, outbox, status, log, settings, lock, the runtime's session) is a controller in
``ui/features/`` that owns its view and talks to the runtime through jobs; views are registered here
by name (``self.views``, see ``ui/navigation.py``) and features by name (``self.features``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME
from desktop_app.core.errors import is_known
from desktop_app.services.profile import Mode, Profile
from desktop_app.ui.bridge import ServiceBridge
from desktop_app.ui.chrome import apply_profile_theme, notice_bar, save_window_state, window_settings
from desktop_app.ui.features.session import RuntimeSession
from desktop_app.ui.jobs import JobRunner
from desktop_app.ui.navigation import ViewRegistry
from desktop_app.ui.resources import app_icon

if TYPE_CHECKING:  # imported where used: the views after the first paint, the engines on the worker that opens them
    from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent, QShowEvent
    from PySide6.QtWidgets import QDialog

    from desktop_app.services.runtime import Runtime
    from desktop_app.ui.dialogs import HelpDialog
    from desktop_app.ui.features.base import Feature
    from desktop_app.ui.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)

RuntimeFactory = Callable[[Profile], "Runtime"]
UNPAINTED_START_MS = 500  # a window that is never exposed (minimised, off-screen) still starts sending
SANDBOX_BANNER = str(
    QT_TRANSLATE_NOOP(
        "MainWindow",
        "SANDBOX MODE — messages go to Sealpost's built-in test server, not to Paubox. Nothing is delivered to real recipients.",  # noqa: E501
    )
)


class MainWindow(QMainWindow):
    """The window paints before anything heavy exists.

    First paint: the chrome only (menu bar, banner, navigation, status bar), which costs about
    what a bare window does. Right after it, :meth:`_build_views` makes the features and their
    views while a worker builds and opens the runtime with ``make_runtime``, so nothing imports
    httpx, SQLCipher, keyring, bleach or email-validator before the first paint
    (tests/gui/test_startup.py guards this)."""

    first_painted = Signal()  # the first exposure has been painted (scenario 3 times this)
    ready = Signal()  # the runtime is open and the views are attached
    setup_failed = Signal(str)
    locked_changed = Signal(bool)

    settings_dialog: SettingsDialog

    def __init__(self, profile: Profile, make_runtime: RuntimeFactory) -> None:
        super().__init__()
        # Before any widget exists: restyling built widgets costs more than a bare window.
        apply_profile_theme(profile.directory, profile.settings.theme, first_paint=True)
        self.profile = profile
        self.runtime: Runtime | None = None  # set once open; None while starting or switching
        self.features: dict[str, Feature] = {}
        self.closing = False
        self._start_pending = False
        self._painted = False
        self._views_built = False
        self._last_question: Any = None
        self.setWindowTitle(self.tr("{0} — secure email").format(APP_NAME))
        room = QApplication.primaryScreen().availableGeometry()  # a 1366x768 laptop has no 760 px to spare
        self.resize(min(1180, room.width() - 40), min(760, room.height() - 80))
        self.jobs = JobRunner(self)
        self.jobs.known_error.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.bridge = ServiceBridge(self)
        self.session = RuntimeSession(self, make_runtime)

        self.banner = self._label("sandboxBanner", self.tr("Mode banner"), self.tr(SANDBOX_BANNER))
        self.problem = self._label("setupProblem", self.tr("Problem"))
        self.problem.hide()
        self.passphrase_notice, self.set_passphrase_button = notice_bar(
            self, self.tr("Set an app passphrase so Sealpost can hide messages when you step away."),
            self.tr("Set passphrase…"), self.tr("Set passphrase"))  # fmt: skip
        self.set_passphrase_button.clicked.connect(lambda: self.open_settings(tab=3))

        self.navigation = QListWidget(self)
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName(self.tr("Views"))
        self.navigation.setFixedWidth(170)
        self.pages = QStackedWidget(self)  # the views arrive just after the first paint
        content = QWidget(self)
        row = QHBoxLayout(content)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.navigation)
        row.addWidget(self.pages, 1)
        self.shell = QStackedWidget(self)  # the content, or the lock screen over it
        self.shell.addWidget(content)
        central = QWidget(self)
        central.setObjectName("central")
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        for widget in (self.banner, self.problem, self.passphrase_notice):
            outer.addWidget(widget)
        outer.addWidget(self.shell, 1)
        self.setCentralWidget(central)
        bar = self.statusBar()
        self.connection_label = self._label("", self.tr("Connection state"), wrap=False)
        self.profile_label = self._label("", self.tr("Active profile"), wrap=False)
        self.counts_label = self._label("", self.tr("Queue counts"), wrap=False)
        bar.addWidget(self.connection_label)
        bar.addPermanentWidget(self.counts_label)
        bar.addPermanentWidget(self.profile_label)
        menus = self.menuBar()  # titles now, so nothing moves; their actions come with the views
        self.file_menu = menus.addMenu(self.tr("&File"))
        self.view_menu = menus.addMenu(self.tr("&View"))
        self.help_menu = menus.addMenu(self.tr("&Help"))
        self.views = ViewRegistry(self, self.navigation, self.pages, self.view_menu)
        self.views.add("compose", self.tr("Compose"), shortcut="Ctrl+1", menu_text=self.tr("&Compose"))
        self.views.add("outbox", self.tr("Outbox"), shortcut="Ctrl+2", menu_text=self.tr("&Outbox"),
                       focus=lambda: self.outbox_view.table if self._views_built else None)  # fmt: skip
        self.views.add("status", self.tr("Status"), shortcut="Ctrl+3", menu_text=self.tr("&Status and history"),
                       focus=lambda: self.status_view.table if self._views_built else None)  # fmt: skip
        self.views.add(
            "drafts", self.tr("Drafts"), shortcut="Ctrl+4", before="outbox", menu_text=self.tr("&Drafts")
        )  # its page: ui/everyday.py
        self.views.add(
            "contacts", self.tr("Address book"), shortcut="Ctrl+5", menu_text=self.tr("&Address book")
        )  # its page: ui/features/contacts.py
        self.apply_profile()
        geometry = window_settings(profile.directory).value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def _label(self, name: str, spoken: str, text: str = "", *, wrap: bool = True) -> QLabel:
        label = QLabel(text, self)
        if name:
            label.setObjectName(name)
        label.setAccessibleName(spoken)
        label.setWordWrap(wrap)
        return label

    def add_feature(self, name: str, feature: Feature) -> None:
        """Register a feature controller: it hears of the runtime, the profile and the window closing."""
        if name in self.features:
            raise ValueError(f"a feature named {name!r} is already registered")
        self.features[name] = feature
        feature.apply_profile(self.profile.settings)
        if self.runtime is not None:
            feature.attach(self.runtime)

    def _build_views(self) -> None:
        """The features with their views, the menus' actions and the tray: everything the first
        paint does not need (building them costs more than a bare window)."""
        if self._views_built:
            return
        self._views_built = True
        from desktop_app.ui.everyday import Everyday
        from desktop_app.ui.features.compose import ComposeFeature
        from desktop_app.ui.features.contacts import ContactsFeature
        from desktop_app.ui.features.lock import LockFeature
        from desktop_app.ui.features.log import LogFeature
        from desktop_app.ui.features.outbox import OutboxFeature
        from desktop_app.ui.features.settings import SettingsFeature
        from desktop_app.ui.features.status import StatusFeature

        self.compose, self.outbox, self.status = ComposeFeature(self), OutboxFeature(self), StatusFeature(self)
        self.log, self.settings, self.locking = LogFeature(self), SettingsFeature(self), LockFeature(self)
        for name in ("compose", "outbox", "status", "log", "settings", "locking"):
            self.add_feature(name, getattr(self, name))
        self.composer, self.toast = self.compose.view, self.compose.undo.toast
        self.outbox_view, self.status_view, self.log_panel = self.outbox.view, self.status.view, self.log.panel
        self.everyday = Everyday(self)  # Drafts, the sent-message view, new messages made from sent ones
        self.add_feature("everyday", self.everyday)
        self.add_feature("contacts", ContactsFeature(self))  # the Address book; look-alike and PHI questions
        self.lock_screen, self.idle, self.idle_timer = self.locking.screen, self.locking.idle, self.locking.idle_timer
        self.bridge.integrity_problem.connect(self.show_problem)
        self._apply_theme(self.profile)  # "system" as the desktop says now, not as last seen
        self._build_menus()
        state = window_settings(self.profile.directory).value("state")
        if state is not None:
            self.restoreState(state)
        self.setWindowIcon(app_icon())

    # ------------------------------------------------------------------ start-up

    def start(self) -> None:
        """Build and open the runtime on a worker once the window has painted.

        Loading the engines' modules takes longer than painting the window, and a worker doing it
        meanwhile would hold the GIL while the GUI thread paints: the window comes first."""
        self.connection_label.setText(self.tr("Starting…"))
        self._start_pending = True
        if self._painted:
            self._after_first_paint()
        else:
            QTimer.singleShot(UNPAINTED_START_MS, self._after_first_paint)

    def _after_first_paint(self) -> None:
        """Open the runtime (if asked to start) and build the views. The first paint or, for a window
        that is never exposed, a timer calls this; whichever comes second finds nothing left to do."""
        if self.closing:
            return
        if self._start_pending:
            self._start_pending = False
            profile = self.profile
            self.session.open(lambda: profile)  # first, so its keyring and disk waits overlap the building
        self._build_views()

    def attach(self, runtime: Runtime) -> None:
        """The runtime is open: the chrome shows its mode and problems, every feature attaches to it."""
        self.runtime = runtime
        if runtime.profile is not self.profile:  # switched to another profile
            self.profile = runtime.profile
            self.apply_profile()
        self.banner.setVisible(runtime.is_sandbox)
        self.problem.hide()
        if runtime.profile.problems:  # damaged files set aside while loading the profile: say what happened
            self.show_problem(" ".join(runtime.profile.problems))
        self.bridge.attach(runtime)
        for feature in self.features.values():
            feature.attach(runtime)
        if runtime.ephemeral_key:
            self.banner.setText(
                self.tr(SANDBOX_BANNER)
                + "  No system keyring was found, so this session's data is deleted when you quit."
            )
        self.ready.emit()

    def show_problem(self, text: str) -> None:
        """A red banner under the mode banner: what is wrong with this profile, in words."""
        self.problem.setText(text)
        self.problem.show()

    def startup_failed(self, error: BaseException) -> None:
        if not is_known(error):
            log.error("start-up failed", exc_info=(type(error), error, error.__traceback__))
        text = str(error) if is_known(error) else f"Sealpost could not start: {error}"
        self.show_problem(text)
        if self._views_built:
            self.composer.send_button.setEnabled(False)
        self.connection_label.setText(self.tr("Not connected"))
        self.setup_failed.emit(text)

    def apply_profile(self) -> None:
        """The profile's settings on the chrome and on every feature (after loading or saving them)."""
        settings = self.profile.settings
        self.banner.setText(self.tr(SANDBOX_BANNER))
        # Before the runtime exists only the profile is known: an --api-base-url override can
        # only turn the banner off, once the runtime says so.
        self.banner.setVisible(self.runtime.is_sandbox if self.runtime is not None else settings.mode is Mode.SANDBOX)
        self.profile_label.setText(self.tr("Profile: {0}").format(settings.name))
        self.passphrase_notice.setVisible(not settings.passphrase_hash)
        for feature in self.features.values():
            feature.apply_profile(settings)
        if self._views_built:  # before, the first paint's theme is on (and _build_views checks it)
            self._apply_theme(self.profile)

    _apply_profile_to_widgets = apply_profile  # the name scripts/screenshots.py knows

    def _open_policies(self) -> None:
        from desktop_app.ui.policies_dialog import open_policies  # not before the first paint

        open_policies(self, self.profile)

    @staticmethod
    def _apply_theme(profile: Profile) -> None:
        apply_profile_theme(profile.directory, profile.settings.theme)

    # ------------------------------------------------------------------ what menus and other code call

    def open_settings(self, tab: int = 0) -> SettingsDialog:
        return self.settings.open_settings(tab)

    def show_audit_trail(self) -> QDialog | None:
        return self.settings.show_audit_trail()

    def show_help(self) -> HelpDialog:
        return self.settings.show_help()

    def lock(self) -> None:
        self.locking.lock()

    def edit_message(self, message_id: int) -> None:
        self.compose.edit_message(message_id)

    def new_message(self) -> None:
        self.compose.new_message()

    def save_draft(self, *, keep_if_left: bool = False) -> None:
        self.compose.drafts.save(keep_if_left=keep_if_left)

    def switch_profile(self, directory: Path) -> None:
        self.session.switch_profile(directory)

    # ------------------------------------------------------------------ chrome

    def _build_menus(self) -> None:
        from PySide6.QtGui import QAction, QKeySequence  # PySide builds a class's type and enums when named

        def action(menu: Any, text: str, keys: str | QKeySequence.StandardKey, slot: Callable[[], object]) -> QAction:
            item = QAction(text, self)
            if keys:
                item.setShortcut(QKeySequence(keys))
            item.triggered.connect(slot)
            menu.addAction(item)
            self.addAction(item)
            return item

        file_menu, view_menu = self.file_menu, self.view_menu
        new = action(file_menu, self.tr("&New message"), "Ctrl+N", self.compose.new_message)
        send = action(file_menu, self.tr("Sen&d"), "Ctrl+Return", self.compose.send_shortcut)
        send.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        settings = action(file_menu, self.tr("&Settings…"), "Ctrl+,", self.open_settings)
        action(file_menu, self.tr("&Lock now"), "Ctrl+Shift+L", self.lock)
        file_menu.addSeparator()
        action(file_menu, self.tr("&Quit"), "Ctrl+Q", self.everyday.quit)  # asks first when quitting loses the session
        search = action(
            view_menu, self.tr("Search &history"), "Ctrl+F", lambda: self.views.show("status", self.status_view.search)
        )
        toggle_log = self.log_panel.toggleViewAction()
        toggle_log.setText(self.tr("&Log panel"))
        toggle_log.setShortcut(QKeySequence("Ctrl+L"))
        view_menu.addAction(toggle_log)
        self.addAction(toggle_log)
        audit = action(view_menu, self.tr("&Audit trail…"), "", self.show_audit_trail)
        action(self.help_menu, self.tr("&Keyboard shortcuts"), "F1", self.show_help)
        action(self.help_menu, self.tr("&Policies…"), "", self._open_policies)
        self._content_actions = [new, send, settings, search, toggle_log, audit]

    def set_content_enabled(self, enabled: bool) -> None:
        """Every action that shows or changes content (off while locked)."""
        for action in self._content_actions + self.views.actions:
            action.setEnabled(enabled)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._views_built:
            self.compose.undo.place()

    def showEvent(self, event: QShowEvent) -> None:
        """Watch the native window for its first exposure: the widgets paint while Qt handles it.

        Only that window's few events cross into Python. An application-wide filter saw every event
        of every widget, and each new kind of widget or event crossing into Python costs PySide the
        building of its Python type with all its enums: more than the bare window's whole paint."""
        super().showEvent(event)
        handle = self.windowHandle()
        if handle is not None and not self._painted:
            handle.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Expose and not self._painted and watched is self.windowHandle():
            self._painted = True
            QTimer.singleShot(0, self._first_paint_done)  # after this exposure's paint has reached the screen
            watched.removeEventFilter(self)
        return False

    def _first_paint_done(self) -> None:
        self.first_painted.emit()
        self._after_first_paint()

    def save_window_state(self) -> None:
        save_window_state(self, self.profile.directory, with_layout=self._views_built)

    # ------------------------------------------------------------------ shutdown

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.closing:
            event.accept()
            return
        self.closing = True
        self.save_window_state()
        for feature in self.features.values():
            feature.shutdown()
        for child in self.findChildren(QWidget):  # dialogs and the message view go with the window
            if child.isWindow() and child.isVisible():
                child.close()
        self.jobs.shutdown()  # waits for an open in progress, which leaves its runtime with the session
        self.session.close()
        event.accept()
