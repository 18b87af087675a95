"""Status and history: the view, the bounce notice (status bar, tray, and a count on the Status entry
that stays until Status is opened), and the tray icon that carries it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QSystemTrayIcon

from desktop_app import APP_NAME
from desktop_app.services.history import history
from desktop_app.ui.a11y import announce
from desktop_app.ui.features.base import Feature
from desktop_app.ui.resources import app_icon

if TYPE_CHECKING:
    from desktop_app.services.runtime import Runtime
    from desktop_app.store.messages import StoredMessage
    from desktop_app.ui.main_window import MainWindow

VIEW = "status"


class StatusFeature(Feature):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        from desktop_app.ui.status_view import StatusView

        self.view = StatusView(self.jobs, window)
        window.views.set_page(VIEW, self.view)
        self.unseen_bounces = 0
        self.tray: QSystemTrayIcon | None = None
        icon = app_icon()
        if QSystemTrayIcon.isSystemTrayAvailable() and not icon.isNull():
            self.tray = QSystemTrayIcon(icon, window)
            self.tray.setToolTip(APP_NAME)
            self.tray.show()
        window.bridge.messages_changed.connect(self.view.messages_changed)
        window.bridge.bounced.connect(self.notify_bounce)
        window.views.shown.connect(self._seen_view)

    def attach(self, runtime: Runtime) -> None:
        self.view.set_store(history(runtime))

    def shutdown(self) -> None:
        if self.tray is not None:
            self.tray.hide()

    def notify_bounce(self, message: StoredMessage, _recipient: str, status: str) -> None:
        """Tell the user without showing PHI in a desktop notification (others may see the screen).

        The Status entry keeps a count of bounces not yet seen, so one is never missed because the
        status bar moved on; it clears when the user opens Status."""
        text = f"A message could not be delivered to one recipient ({status}). Open Status or the notice at the top."
        self.say(text, 15000)
        announce(self.window.statusBar(), text, urgent=True)
        if self.window.views.current() != VIEW or not self.window.isActiveWindow():
            self.unseen_bounces += 1
            self.show_badge()
        if self.tray is not None:
            self.tray.showMessage(
                self.tr("{0}: delivery problem").format(APP_NAME), text, QSystemTrayIcon.MessageIcon.Warning
            )

    def show_badge(self) -> None:
        count = self.unseen_bounces
        spoken = f"{count} undelivered message{'s' if count != 1 else ''} not yet seen"
        self.window.views.set_badge(VIEW, f"⚠ {count}" if count else "", spoken if count else "")

    def _seen_view(self, name: str) -> None:
        if name == VIEW and self.unseen_bounces:
            self.unseen_bounces = 0
            self.show_badge()
