"""Undo send: a queued message waits for the profile's undo window with a toast; *Undo* brings it back
into the composer as a draft, *Send now* skips the wait."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.ui.features.base import Feature
from desktop_app.ui.jobs import CancelToken

if TYPE_CHECKING:
    from desktop_app.ui.composer import EditableMessage
    from desktop_app.ui.features.compose import ComposeFeature
    from desktop_app.ui.main_window import MainWindow

TOO_LATE = "Too late to undo: the message is already on its way."


class UndoSend(Feature):
    def __init__(self, window: MainWindow, compose: ComposeFeature) -> None:
        super().__init__(window)
        from desktop_app.ui.lock_screen import UndoToast

        self.compose = compose
        self.toast = UndoToast(window)
        self.toast.undo.connect(self.undo_send)
        self.toast.send_now.connect(self.send_now)

    def offer(self, message_id: int, recipients: int, seconds: int) -> None:
        if seconds > 0:
            self.toast.start(message_id, recipients, seconds)
            self.place()

    def dismiss(self) -> None:
        self.toast.dismiss()

    def place(self) -> None:
        """Centred above the status bar (and the log dock when it shows)."""
        toast, window = self.toast, self.window
        if toast.isVisible():
            toast.adjustSize()
            width = min(520, window.width() - 40)
            toast.setFixedWidth(width)
            log_panel = window.log.panel
            bottom = window.statusBar().geometry().top() - (log_panel.height() if log_panel.isVisible() else 0)
            toast.move((window.width() - width) // 2, bottom - toast.height() - 16)

    def undo_send(self, message_id: int) -> None:
        runtime = self.ready_runtime()
        if runtime is None:
            return

        def run(_token: CancelToken) -> EditableMessage:
            from desktop_app.ui.composer import editable

            return editable(runtime.undo(message_id))

        self.jobs.submit(run, name="undo send",
                         on_result=lambda message: self.compose.show_for_editing(
                             message, message_id, "Not sent. The message is back here for editing."),
                         on_error=lambda _e: self.say(TOO_LATE, 8000))  # fmt: skip

    def send_now(self, message_id: int) -> None:
        runtime = self.ready_runtime()
        if runtime is not None:
            self.jobs.submit(lambda _t: runtime.retry_now(message_id), name="send now",
                             on_result=lambda _r: self.say(self.tr("Sending now.")),
                             on_error=lambda e: self.say(str(e), 8000))  # fmt: skip
