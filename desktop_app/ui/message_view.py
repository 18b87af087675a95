"""A sent message, read-only: its sanitised body (loading nothing), attachments with sizes and
"Save a copy…", each recipient's status, the timeline, and new messages made from it.

Opened from Status and history (double-click or Enter) and from the Outbox. The actions row is
the place for more (``add_action``: print, PDF); the body is ``self.body``."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, QUrl, Signal, SignalInstance
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.times import shown_api_time, shown_time
from desktop_app.ui.i18n import words
from desktop_app.ui.jobs import CancelToken, JobRunner
from desktop_app.ui.message_model import readable_recipients

if TYPE_CHECKING:
    from desktop_app.core.records import RecipientDelivery
    from desktop_app.services.drafts import SentMessage
    from desktop_app.store.messages import StatusEvent


class SafeBody(QTextBrowser):
    """Renders sanitised HTML and fetches nothing: a remote image is a tracking pixel at best, a
    ``file:`` or relative one would show what is on this disk. Every resource is refused."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.refused: list[str] = []

    def loadResource(self, kind: int, name: QUrl | str) -> object:
        self.refused.append(name.toString() if isinstance(name, QUrl) else str(name))
        return None


def recipients_html(statuses: list[RecipientDelivery], empty: str) -> str:
    """Each recipient's status; a bounced recipient has no delivered time (Paubox may still send one)."""
    from desktop_app.services.drafts import is_bounced

    rows = ["<table cellpadding='3'><tr><th align='left'>Recipient</th><th align='left'>Status</th>"
            "<th align='left'>Delivered</th><th align='left'>Opened</th></tr>"]  # fmt: skip
    for s in statuses:
        bounced = is_bounced(s.delivery_status)
        delivered = "" if bounced else shown_api_time(s.delivery_time)
        opened = s.opened_status + (f" {shown_api_time(s.opened_time)}" if s.opened_time else "")
        status = f"<b>⚠ {escape(s.delivery_status)}</b>" if bounced else escape(s.delivery_status)
        rows.append(f"<tr><td>{escape(s.recipient)}</td><td>{status}</td><td>{escape(delivered)}</td>"
                    f"<td>{escape(opened)}</td></tr>")  # fmt: skip
    if not statuses:
        rows.append(f"<tr><td colspan='4'><i>{escape(empty)}</i></td></tr>")
    rows.append("</table>")
    return "".join(rows)


def timeline_html(events: list[StatusEvent]) -> str:
    from desktop_app.services.drafts import timeline_words

    rows = ["<table cellpadding='2'>"]
    for e in events:
        rows.append(f"<tr><td>{shown_time(e.at, seconds=True)}</td><td>{escape(timeline_words(e.kind, e.detail))}"
                    "</td></tr>")  # fmt: skip
    rows.append("</table>")
    return "".join(rows)


class MessageView(QDialog):
    """Non-modal: staff keep it open beside the composer while they write the corrected message."""

    resend_requested = Signal(object)  # SentMessage
    forward_requested = Signal(object)  # SentMessage
    correct_requested = Signal(object, str)  # SentMessage, the bounced address to correct

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self.sent: SentMessage | None = None
        self.setWindowTitle(self.tr("Sent message"))
        self.setAccessibleName(self.tr("Sent message"))
        self.resize(860, 600)
        self.subject = QLabel(self)
        self.subject.setObjectName("viewTitle")
        self.subject.setWordWrap(True)
        self.subject.setAccessibleDescription(self.tr("Subject"))  # its name is the subject itself, read aloud
        self.facts = QFormLayout()
        self.to_text, self.sent_text, self.state_text = QLabel(self), QLabel(self), QLabel(self)
        for label, field, name in ((self.tr("To:"), self.to_text, self.tr("Recipients")),
                                   (self.tr("Sent:"), self.sent_text, self.tr("Sent at")),
                                   (self.tr("State:"), self.state_text, self.tr("State"))):  # fmt: skip
            field.setWordWrap(True)
            field.setAccessibleName(name)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts.addRow(label, field)
        self.tracking = QLineEdit(self)
        self.tracking.setReadOnly(True)
        self.tracking.setAccessibleName(self.tr("Tracking id"))
        tracking_label = QLabel(self.tr("&Tracking id:"), self)
        tracking_label.setBuddy(self.tracking)
        self.facts.addRow(tracking_label, self.tracking)

        self.body = SafeBody(self)
        self.body.setAccessibleName(self.tr("Message body"))
        self.attachments = QListWidget(self)
        self.attachments.setAccessibleName(self.tr("Attachments"))
        self.save_copy = QPushButton(self.tr("&Save a copy…"), self)
        self.save_copy.setAccessibleName(self.tr("Save a copy of the attachment"))
        self.save_copy.clicked.connect(self.choose_where_to_save)
        self.attachments.currentRowChanged.connect(lambda row: self.save_copy.setEnabled(row >= 0))
        self.recipients = QTextBrowser(self)
        self.recipients.setAccessibleName(self.tr("Recipients and delivery"))
        self.recipients.setOpenLinks(False)
        self.timeline = QTextBrowser(self)
        self.timeline.setAccessibleName(self.tr("Timeline"))
        self.timeline.setOpenLinks(False)
        self.saved_note = QLabel(self)
        self.saved_note.setObjectName("hint")
        self.saved_note.setAccessibleName(self.tr("Attachment note"))

        attachments_page = QWidget(self)
        attachments_layout = QVBoxLayout(attachments_page)
        attachments_layout.addWidget(self.attachments, 1)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_copy)
        save_row.addWidget(self.saved_note, 1)
        attachments_layout.addLayout(save_row)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Recipients, timeline and attachments"))
        self.tabs.addTab(self.recipients, self.tr("&Recipients"))
        self.tabs.addTab(self.timeline, self.tr("T&imeline"))
        self.tabs.addTab(attachments_page, self.tr("&Attachments"))
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.body)
        split.addWidget(self.tabs)
        split.setSizes([340, 200])

        self.resend_button = QPushButton(self.tr("R&esend as new…"), self)
        self.resend_button.setAccessibleName(self.tr("Resend as new message"))
        self.forward_button = QPushButton(self.tr("&Forward as new"), self)
        self.forward_button.setAccessibleName(self.tr("Forward as new message"))
        self.correct_button = QPushButton(self.tr("&Correct the address and resend"), self)
        self.correct_button.setAccessibleName(self.tr("Correct the address and resend"))
        self.copy_tracking = QPushButton(self.tr("Cop&y tracking id"), self)
        self.copy_tracking.setAccessibleName(self.tr("Copy tracking id"))
        self.close_button = QPushButton(self.tr("Close"), self)
        self.resend_button.clicked.connect(lambda: self._emit(self.resend_requested))
        self.forward_button.clicked.connect(lambda: self._emit(self.forward_requested))
        self.correct_button.clicked.connect(self._correct)
        self.copy_tracking.clicked.connect(self.copy_tracking_id)
        self.close_button.clicked.connect(self.close)
        self.actions_row = QHBoxLayout()  # more actions (print, PDF) go here, see add_action
        for button in (self.resend_button, self.forward_button, self.correct_button, self.copy_tracking):
            self.actions_row.addWidget(button)
        self.actions_row.addStretch(1)
        self.actions_row.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.subject)
        layout.addLayout(self.facts)
        layout.addWidget(split, 1)
        layout.addLayout(self.actions_row)
        self.show_message(None)

    def add_action(self, button: QWidget) -> None:
        """A further action, placed before Close (for features that act on the message shown)."""
        self.actions_row.insertWidget(self.actions_row.count() - 2, button)

    def show_message(self, sent: SentMessage | None) -> None:
        self.sent = sent
        for button in (self.resend_button, self.forward_button):
            button.setEnabled(sent is not None)
        if sent is None:
            self.subject.setText(self.tr("Loading…"))
            self.correct_button.hide()
            self.copy_tracking.setEnabled(False)
            return
        stored, message = sent.stored, sent.message
        self.setWindowTitle(self.tr("Sent message — {subject}").format(subject=message.subject))
        self.subject.setText(message.subject or self.tr("(no subject)"))
        self.to_text.setText(readable_recipients(stored.recipients))
        self.sent_text.setText(shown_time(stored.accepted_at or stored.updated_at))
        from desktop_app.ui.status_view import delivery_text

        self.state_text.setText(delivery_text(stored) if stored.accepted_at else words(stored.state.label))
        self.tracking.setText(stored.tracking_id or "")
        self.copy_tracking.setEnabled(bool(stored.tracking_id))
        if message.html:
            self.body.setHtml(message.html)
        else:
            self.body.setPlainText(message.text)
        self.recipients.setHtml(recipients_html(sent.statuses, self.tr("No delivery report from Paubox yet.")))
        self.timeline.setHtml(timeline_html(sent.events))
        from desktop_app.services.drafts import attachment_size, size_text

        self.attachments.clear()
        for attachment in message.attachments:
            item = QListWidgetItem(f"{attachment.file_name} — {size_text(attachment_size(attachment))}")
            self.attachments.addItem(item)
        self.tabs.setTabText(2, self.tr("&Attachments ({count})").format(count=len(message.attachments)))
        self.save_copy.setEnabled(False)
        if message.attachments:
            self.attachments.setCurrentRow(0)
        self.correct_button.setVisible(bool(sent.bounced))
        if sent.bounced:
            self.tabs.setCurrentIndex(0)
        # The keyboard starts where the reader is going: the fix for a bounce, else the message itself.
        (self.correct_button if sent.bounced else self.body).setFocus()

    def _emit(self, signal: SignalInstance) -> None:
        if self.sent is not None:
            signal.emit(self.sent)

    def _correct(self) -> None:
        if self.sent is not None and self.sent.bounced:
            self.correct_requested.emit(self.sent, self.sent.bounced[0])

    def copy_tracking_id(self) -> None:
        QGuiApplication.clipboard().setText(self.tracking.text())
        self.copy_tracking.setText(self.tr("Copied"))
        QTimer.singleShot(1500, self.copy_tracking, lambda: self.copy_tracking.setText(self.tr("Cop&y tracking id")))

    def choose_where_to_save(self) -> None:
        row = self.attachments.currentRow()
        if self.sent is None or row < 0:
            return
        name = self.sent.message.attachments[row].file_name
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save a copy"), str(Path.home() / name))
        if path:
            self.save_attachment(row, Path(path))

    def save_attachment(self, row: int, path: Path) -> None:
        """Write on a worker; the note under the list says where it went, or why it did not."""
        if self.sent is None:
            return
        attachment = self.sent.message.attachments[row]

        def run(_token: CancelToken) -> None:
            from desktop_app.services.drafts import save_attachment

            save_attachment(attachment, path)

        self._jobs.submit(run, name="save attachment", owner=self,
                          on_result=lambda _r: self.saved_note.setText(self.tr("Saved to {path}.").format(path=path)),
                          on_error=lambda e: self.saved_note.setText(str(e)))  # fmt: skip
