"""The lock screen that covers all message content until the passphrase is typed, and the undo toast."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, SignalInstance
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop_app import APP_NAME
from desktop_app.ui.a11y import label_field
from desktop_app.ui.composer import repolish


class LockScreen(QWidget):
    """Shown instead of every view (the log dock is hidden too); reveals nothing about messages."""

    unlock_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAccessibleName(self.tr("Locked"))
        title = QLabel(self.tr("{0} is locked").format(APP_NAME), self)
        title.setObjectName("lockTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel(
            self.tr("Messages are hidden. Type your passphrase to continue; sending carries on meanwhile."), self
        )
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        self.passphrase = QLineEdit(self)
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(self.tr("Passphrase"))
        self.passphrase.setFixedWidth(280)
        self.unlock_button = QPushButton(self.tr("Unlock"), self)
        self.unlock_button.setObjectName("primaryButton")
        self.unlock_button.setAccessibleName(self.tr("Unlock"))
        self.feedback = QLabel(self)
        self.feedback.setObjectName("feedback")
        self.feedback.setAccessibleName(self.tr("Unlock result"))
        self.feedback.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.passphrase)
        row.addWidget(self.unlock_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addSpacing(12)
        layout.addLayout(row)
        layout.addWidget(self.feedback)
        layout.addStretch(3)
        label_field(self.passphrase, "Passphrase")
        self.unlock_button.clicked.connect(self._submit)
        self.passphrase.returnPressed.connect(self._submit)

    def _submit(self) -> None:
        text = self.passphrase.text()
        self.passphrase.clear()
        if text:
            self.unlock_button.setEnabled(False)
            self.feedback.setText(self.tr("Checking…"))
            self.unlock_requested.emit(text)

    def reset(self) -> None:
        self.passphrase.clear()
        self.feedback.setText("")
        self.unlock_button.setEnabled(True)
        self.passphrase.setFocus()

    def refused(self) -> None:
        self.unlock_button.setEnabled(True)
        self.feedback.setProperty("tone", "error")
        self.feedback.setText(self.tr("That passphrase is not right. Try again."))
        repolish(self.feedback)
        self.passphrase.setFocus()


class UndoToast(QFrame):
    """“Sending in 5 s — Undo / Send now”: the last chance to stop a message that went too soon."""

    undo = Signal(int)
    send_now = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toast")
        self.setAccessibleName(self.tr("Undo send"))
        self.text = QLabel(self)
        self.text.setAccessibleName(self.tr("Undo send status"))
        self.undo_button = QPushButton(self.tr("Undo"), self)
        self.undo_button.setAccessibleName(self.tr("Undo send"))
        self.now_button = QPushButton(self.tr("Send now"), self)
        self.now_button.setAccessibleName(self.tr("Send now"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.undo_button)
        layout.addWidget(self.now_button)
        self.message_id: int | None = None
        self._deadline = 0
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self._count_down)
        self.undo_button.clicked.connect(lambda: self._finish(self.undo))
        self.now_button.clicked.connect(lambda: self._finish(self.send_now))
        self.hide()

    def start(self, message_id: int, recipients: int, seconds: int) -> None:
        self.message_id = message_id
        self._recipients = recipients
        self._deadline = seconds
        self._count_down(initial=True)
        self._tick.start()
        self.show()
        self.raise_()

    def _count_down(self, initial: bool = False) -> None:
        if not initial:
            self._deadline -= 1
        if self._deadline <= 0:
            self.dismiss()
            return
        people = f"{self._recipients} recipient{'s' if self._recipients != 1 else ''}"
        self.text.setText(self.tr("Sending to {0} in {1} s.").format(people, self._deadline))

    def _finish(self, signal: SignalInstance) -> None:
        message_id = self.message_id
        self.dismiss()
        if message_id is not None:
            signal.emit(message_id)

    def dismiss(self) -> None:
        self._tick.stop()
        self.message_id = None
        self.hide()
