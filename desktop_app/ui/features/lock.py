"""The lock: after the idle time (or Ctrl+Shift+L) every message hides behind the lock screen until
the passphrase is typed; the check and its audit record run on a worker (``services/user_actions.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import QDialog

from desktop_app import APP_NAME
from desktop_app.services import user_actions
from desktop_app.services.autolock import IdleLock
from desktop_app.ui.a11y import announce
from desktop_app.ui.features.base import Feature
from desktop_app.ui.features.settings import PRIVACY_TAB

if TYPE_CHECKING:
    from desktop_app.services.profile import Settings
    from desktop_app.ui.main_window import MainWindow

IDLE_CHECK_MS = 15_000
ACTIVITY = (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel)


class LockFeature(Feature):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        from desktop_app.ui.lock_screen import LockScreen

        settings = window.profile.settings
        self.idle = IdleLock(settings.autolock_minutes)
        self.screen = LockScreen(window)
        window.shell.addWidget(self.screen)
        self.screen.unlock_requested.connect(self.try_unlock)
        self.idle_timer = QTimer(self, interval=IDLE_CHECK_MS)
        self.idle_timer.timeout.connect(self._check_idle)
        self.idle_timer.start()
        self._log_was_visible = True
        # Input reaches a top-level window before any widget in it, so watching the windows the user
        # works in (this one, a dialog once it has focus) sees every key press, click and wheel turn.
        # An application-wide filter saw every event of every object too (paints, timers, signals
        # from workers): one call into Python each, which waited for Python's lock while a worker
        # ran, and made the window lag while another process sent.
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.focusWindowChanged.connect(self._watch)
        QTimer.singleShot(0, self, lambda: self._watch(window.windowHandle()))

    def apply_profile(self, settings: Settings) -> None:
        self.idle.set_timeout(settings.autolock_minutes if settings.passphrase_hash else 0)

    def shutdown(self) -> None:
        self.idle_timer.stop()
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.focusWindowChanged.disconnect(self._watch)

    def _watch(self, window: QWindow | None) -> None:
        """See the input of ``window`` (installing twice keeps one filter). Gaining focus is not
        input: a dialog the app opens must not keep the lock away."""
        if window is not None:
            window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY:
            self.idle.touch()
        return False

    def lock(self) -> None:
        """Hide every message behind the lock screen (Ctrl+Shift+L, or after the idle time)."""
        window = self.window
        if not window.profile.settings.passphrase_hash:
            self.say(self.tr("Set a passphrase first (Settings → Privacy) so you can unlock again."), 8000)
            window.settings.open_settings(tab=PRIVACY_TAB)
            return
        if self.idle.locked:
            return
        self.idle.lock()
        window.compose.undo.dismiss()
        for dialog in window.findChildren(QDialog):  # an open dialog (settings, a question) could show content
            if dialog.isVisible():
                dialog.reject()
        self._log_was_visible = window.log.panel.isVisible()
        window.log.panel.hide()
        window.shell.setCurrentWidget(self.screen)
        self.screen.reset()
        window.set_content_enabled(False)
        window.locked_changed.emit(True)
        announce(self.screen, self.tr("{0} is locked. Type your passphrase to continue.").format(APP_NAME), urgent=True)

    def try_unlock(self, passphrase: str) -> None:
        runtime = self.runtime
        stored = self.window.profile.settings.passphrase_hash
        self.jobs.submit(lambda _t: user_actions.unlock(runtime, passphrase, stored), name="unlock",
                         on_result=self._unlock_checked, on_error=lambda _e: self.screen.refused())  # fmt: skip

    def _unlock_checked(self, ok: bool) -> None:
        if not ok:
            self.screen.refused()
            return
        window = self.window
        self.idle.unlock()
        window.shell.setCurrentIndex(0)
        window.log.panel.setVisible(self._log_was_visible)
        window.set_content_enabled(True)
        window.locked_changed.emit(False)

    def _check_idle(self) -> None:
        if self.idle.due():
            self.lock()
