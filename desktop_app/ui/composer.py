"""The composer: recipients with live validation, subject, rich-text body, Send (Ctrl+Enter).

The body's HTML is sanitised by the runtime (on a worker) before it is stored or sent.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.addresses import AddressFieldResult, parse_address_field
from desktop_app.core.message import OutgoingMessage


class AddressField(QWidget):
    """A line edit for addresses with an inline error label that says which address is wrong."""

    changed = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("name@example.org, Dr Jane Doe <jane@clinic.example>")
        self.edit.setAccessibleName(f"{name} recipients")
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.error)
        self._debounce = QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(self.validate)
        self.edit.textEdited.connect(lambda _text: self._debounce.start())
        self.edit.editingFinished.connect(self.validate)

    def parsed(self) -> AddressFieldResult:
        return parse_address_field(self.edit.text())

    def validate(self) -> AddressFieldResult:
        result = self.parsed()
        if result.errors:
            self.error.setText("\n".join(result.errors))
            self.error.show()
            self.edit.setProperty("invalid", True)
        else:
            self.error.hide()
            self.edit.setProperty("invalid", False)
        self.edit.style().unpolish(self.edit)
        self.edit.style().polish(self.edit)
        self.changed.emit()
        return result


class ComposerView(QWidget):
    send_requested = Signal(object)  # OutgoingMessage

    def __init__(self, sender: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sender_address = sender
        self.to_field = AddressField("To", self)
        self.subject = QLineEdit(self)
        self.subject.setAccessibleName("Subject")
        self.subject.setPlaceholderText("Subject")
        self.body = QTextEdit(self)
        self.body.setAccessibleName("Message body")
        self.body.setAcceptRichText(True)
        self.body.setPlaceholderText("Write your message…")
        self.feedback = QLabel(self)
        self.feedback.setObjectName("composerFeedback")
        self.feedback.setWordWrap(True)
        self.send_button = QPushButton("Send", self)
        self.send_button.setObjectName("primaryButton")
        self.send_button.setAccessibleName("Send message")
        self.send_button.setToolTip("Send (Ctrl+Enter)")
        self.send_button.clicked.connect(self.request_send)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("&To", self.to_field)
        form.addRow("&Subject", self.subject)
        actions = QHBoxLayout()
        actions.addWidget(self.feedback, 1)
        actions.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.body, 1)
        layout.addLayout(actions)

        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.request_send)

    def request_send(self) -> None:
        recipients = self.to_field.validate()
        if recipients.errors:
            self.show_problem("Correct the highlighted address before sending.")
            self.to_field.edit.setFocus()
            return
        if not recipients.addresses:
            self.show_problem("Add at least one recipient.")
            self.to_field.edit.setFocus()
            return
        message = OutgoingMessage(
            sender=self.sender_address,
            to=recipients.addresses,
            subject=self.subject.text().strip(),
            html=self.body.toHtml() if self.body.toPlainText().strip() else "",
        )
        self.send_button.setEnabled(False)
        self.feedback.setText("Queuing…")
        self.send_requested.emit(message)

    def show_problem(self, text: str) -> None:
        self.feedback.setProperty("tone", "error")
        self.feedback.setText(text)
        self._repolish(self.feedback)
        self.send_button.setEnabled(True)

    def message_queued(self) -> None:
        self.feedback.setProperty("tone", "ok")
        self.feedback.setText("Queued. It will be sent and tracked in the Outbox and Status views.")
        self._repolish(self.feedback)
        self.to_field.edit.clear()
        self.subject.clear()
        self.body.clear()
        self.send_button.setEnabled(True)

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)
