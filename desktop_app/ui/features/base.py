"""What every feature controller shares: the window it belongs to, the jobs, and the runtime's lifecycle.

A feature is built right after the window's first paint, registers its view by name
(``window.views.add``), and hears when a runtime is attached (:meth:`Feature.attach`), when it
goes away for a profile switch (:meth:`Feature.detach`), when the profile's settings change
(:meth:`Feature.apply_profile`) and when the window closes (:meth:`Feature.shutdown`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from desktop_app.services.history import NOT_OPEN, is_open

if TYPE_CHECKING:
    from desktop_app.services.profile import Settings
    from desktop_app.services.runtime import Runtime
    from desktop_app.ui.main_window import MainWindow


class Feature(QObject):
    """One feature of the window. Subclasses override the lifecycle hooks they need."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.jobs = window.jobs

    @property
    def runtime(self) -> Runtime | None:
        return self.window.runtime

    def attach(self, runtime: Runtime) -> None:
        """A runtime is open: its store, engines and client can be used (through jobs)."""

    def detach(self) -> None:
        """The runtime is going away (another profile is opening): forget what belonged to it."""

    def apply_profile(self, settings: Settings) -> None:
        """The profile's settings are loaded or changed."""

    def shutdown(self) -> None:
        """The window is closing: stop timers, let go of what outlives a widget."""

    def say(self, text: str, milliseconds: int = 4000) -> None:
        """A short note in the status bar."""
        self.window.statusBar().showMessage(text, milliseconds)

    def ready_runtime(self) -> Runtime | None:
        """The open runtime, or None after telling the user it is not ready yet."""
        runtime = self.runtime
        if runtime is None or not is_open(runtime):
            self.say(NOT_OPEN, 5000)
            return None
        return runtime

    def ask(self, title: str, text: str, *, confirm: str, on_confirm: Callable[[], None], warning: bool = True,
            on_cancel: Callable[[], None] | None = None) -> None:  # fmt: skip
        """A window-modal question whose buttons say what they do (the window keeps it for tests)."""
        from desktop_app.ui.dialogs import ask

        self.window._last_question = ask(self.window, title, text, confirm=confirm, on_confirm=on_confirm,
                                         warning=warning, on_cancel=on_cancel)  # fmt: skip
