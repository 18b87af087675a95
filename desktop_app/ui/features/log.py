"""The log dock: one row per API call and every log record, hidden by default (Ctrl+L); an export
is written to the audit trail (``services/user_actions.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtCore

from desktop_app.services import user_actions
from desktop_app.ui.features.base import Feature

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow


class LogFeature(Feature):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        from desktop_app.ui.log_panel import LogPanel

        self.panel = panel = LogPanel(self.jobs, window)
        window.addDockWidget(QtCore.Qt.DockWidgetArea.BottomDockWidgetArea, panel)
        window.resizeDocks([panel], [190], QtCore.Qt.Orientation.Vertical)
        panel.hide()  # calm by default (Ctrl+L shows it); the restored window state may differ
        panel.attach_logging()
        panel.exported.connect(self._exported)
        window.bridge.activity.connect(panel.add_event)

    def _exported(self, count: int) -> None:
        runtime = self.runtime
        self.jobs.submit(lambda _t: user_actions.exported(runtime, "log panel", count), name="audit export")

    def shutdown(self) -> None:
        self.panel.detach_logging()
