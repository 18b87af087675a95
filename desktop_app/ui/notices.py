"""A notice bar that stays: an undelivered message is named (subject and address, in the window
only: never in a desktop notification) until the user opens it or dismisses the notice."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


@dataclass(frozen=True)
class Bounce:
    message_id: int
    subject: str
    recipient: str
    status: str


class BounceNotice(QWidget):
    open_requested = Signal(int)  # the message id to open

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bounceNotice")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)  # the theme's background for it
        self.setAccessibleName(self.tr("Delivery problem"))
        self.unseen: list[Bounce] = []
        self._locked = False
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setAccessibleName(self.tr("Delivery problem"))
        self.open_button = QPushButton(self.tr("&Open message"), self)
        self.open_button.setAccessibleName(self.tr("Open message (the undelivered one)"))
        self.dismiss_button = QPushButton(self.tr("Dis&miss"), self)
        self.dismiss_button.setAccessibleName(self.tr("Dismiss the delivery problem notice"))
        self.open_button.clicked.connect(self._open_latest)
        self.dismiss_button.clicked.connect(self.dismiss)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 4, 12, 4)
        row.addWidget(self.text, 1)
        row.addWidget(self.open_button)
        row.addWidget(self.dismiss_button)
        self.hide()

    def add(self, bounce: Bounce) -> None:
        self.unseen = [b for b in self.unseen if b.message_id != bounce.message_id] + [bounce]
        self._show()

    def seen(self, message_id: int) -> None:
        """The message was opened: its bounce is no longer news."""
        remaining = [b for b in self.unseen if b.message_id != message_id]
        if len(remaining) != len(self.unseen):
            self.unseen = remaining
            self._show()

    def dismiss(self) -> None:
        self.unseen = []
        self._show()

    def set_locked(self, locked: bool) -> None:
        """Hidden behind the lock like every message (it names one)."""
        self._locked = locked
        self._show()

    def _show(self) -> None:
        if not self.unseen or self._locked:
            self.hide()
            return
        latest = self.unseen[-1]
        subject = latest.subject or self.tr("(no subject)")
        text = self.tr("⚠ Not delivered: “{subject}” to {recipient} ({status}).").format(
            subject=subject, recipient=latest.recipient, status=latest.status)  # fmt: skip
        others = len(self.unseen) - 1
        if others:
            text += " " + self.tr("{count} more not yet seen: see Status.").format(count=others)
        self.text.setText(text)
        self.show()

    def _open_latest(self) -> None:
        if self.unseen:
            self.open_requested.emit(self.unseen[-1].message_id)
