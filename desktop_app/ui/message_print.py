"""Print a sent message's record, or write it as a PDF (``services/message_report.py`` builds it).

The document loads nothing (no remote image, no local file: :class:`SafeDocument`). A PDF is written
next to its target under a hidden temporary name, synced, then renamed into place, so there is never
a half-written record under the real name nor a copy left anywhere else; a failure removes the
temporary file. Used by the message view (print, save as PDF) and by ``sealpost export --pdf``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QCoreApplication, QIODevice, QMarginsF, QObject, QUrl
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QWidget

from desktop_app.core.errors import KnownError
from desktop_app.services import user_actions

if TYPE_CHECKING:
    from collections.abc import Callable

    from desktop_app.services.history import History
    from desktop_app.services.message_report import Record
    from desktop_app.store.messages import StoredMessage
    from desktop_app.ui.jobs import CancelToken, JobRunner
    from desktop_app.ui.message_view import MessageView


class ExportError(KnownError):
    """The PDF could not be written where the user asked; the text says why and what to do."""


def _refused() -> str:
    from desktop_app.services.audit_export import NO_CONTENT_EXPORT

    text = NO_CONTENT_EXPORT.format(what="a message's content (print or PDF)")
    return text[0].upper() + text[1:] + "."


def content_export_forbidden(widget: QWidget) -> bool:
    """Whether the NoContentExport policy is in force for the profile of the window ``widget`` is in."""
    holder: QObject | None = widget
    while holder is not None and not hasattr(holder, "profile"):
        holder = holder.parent()
    settings = getattr(getattr(holder, "profile", None), "settings", None)
    return bool(getattr(settings, "no_content_export", False))


class SafeDocument(QTextDocument):
    """A text document that never loads a resource: remote images would be tracking pixels, local
    paths would put files from this machine into the record."""

    def loadResource(self, kind: int, name: QUrl | str) -> object:
        return None


def record_document(record: Record) -> SafeDocument:
    """The record laid out for pages. Ligatures are off: a PDF reader (and ``pdftotext``) would give
    "ﬀ" for the "ff" of a tracking id, which then matches no search for it."""
    document = SafeDocument()
    font = QFont("DejaVu Sans", 10)
    for feature in ("liga", "clig", "dlig"):
        font.setFeature(QFont.Tag(feature), 0)
    document.setDefaultFont(font)
    document.setHtml(record.html)
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, record.title)
    return document


def write_pdf(record: Record, target: Path) -> int:
    """Write ``record`` as an A4 PDF at ``target`` (atomically); returns the number of pages."""
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise ExportError(f"The folder {directory} does not exist; choose an existing folder for the PDF.")
    if target.is_dir():
        raise ExportError(f"{target} is a folder; give a file name for the PDF.")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
    except OSError as error:
        raise ExportError(f"The PDF cannot be written in {directory}: {error.strerror}.") from None
    os.close(fd)
    try:
        buffer = QBuffer()  # rendered in memory: QPdfWriter reports no write error (a full disk), Python does
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QPdfWriter(buffer)
        writer.setTitle(record.title)
        writer.setCreator("Sealpost")
        writer.setPageLayout(
            QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait, QMarginsF(15, 15, 15, 15))
        )
        document = record_document(record)
        document.print_(writer)
        pages = document.pageCount()
        del writer  # finishes the PDF
        with open(temporary, "wb") as written:
            written.write(buffer.data().data())
            written.flush()
            os.fsync(written.fileno())
        os.replace(temporary, target)
    except OSError as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise ExportError(f"The PDF could not be written to {target}: {error.strerror or error}.") from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    from desktop_app.store.identity import fsync_directory

    fsync_directory(directory)
    return pages


def export_pdf(store: History, message_id: int, target: Path, *, no_content_export: bool = False) -> int:
    """The one export path (message view and ``sealpost export``): build, write, audit; the page count.

    ``no_content_export``: the managed NoContentExport policy, which refuses it in words.
    """
    from desktop_app.services.drafts import load_sent

    if no_content_export:
        raise ExportError(_refused())
    from desktop_app.services.message_report import build_record

    pages = write_pdf(build_record(load_sent(store, message_id)), target)
    user_actions.exported_pdf(store, message_id, pages)
    return pages


def print_record(record: Record, parent: QWidget | None = None) -> bool:
    """Ask for a printer (the system's print dialog) and print; False if the user cancelled."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(record.title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(QCoreApplication.translate("message_print", "Print message"))
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    record_document(record).print_(printer)
    return True


class RecordActions:
    """Print and Save as PDF for one message at a time, for any view that shows a sent message.

    The record is read and built on a worker; the print dialog and the file dialog are the GUI's;
    writing the PDF runs on a worker too. ``say`` reports the outcome in words.
    """

    def __init__(self, jobs: JobRunner, owner: QWidget, say: Callable[[str], None]) -> None:
        self._jobs = jobs
        self._owner = owner
        self._say = say

    def print_message(self, store: History, message_id: int) -> None:
        if content_export_forbidden(self._owner):
            self._say(_refused())
            return

        def build(_token: CancelToken) -> Record:
            from desktop_app.services.drafts import load_sent
            from desktop_app.services.message_report import build_record

            return build_record(load_sent(store, message_id))

        def ready(record: Record) -> None:
            if print_record(record, self._owner):
                self._jobs.submit(lambda _t: user_actions.printed(store, message_id), name="audit print")
                self._say(QCoreApplication.translate("message_print", "Sent to the printer."))

        self._jobs.submit(build, name="build record", on_result=ready, on_error=self._failed, owner=self._owner)

    def save_pdf(self, store: History, message_id: int, suggested: str = "message.pdf") -> None:
        from PySide6.QtWidgets import QFileDialog

        if content_export_forbidden(self._owner):
            self._say(_refused())
            return

        name, _filter = QFileDialog.getSaveFileName(self._owner, "Save message as PDF", suggested, "PDF (*.pdf)")
        if name:
            self.write_pdf(store, message_id, Path(name))

    def write_pdf(self, store: History, message_id: int, target: Path) -> None:
        forbidden = content_export_forbidden(self._owner)
        self._jobs.submit(lambda _t: export_pdf(store, message_id, target, no_content_export=forbidden),
                          name="export PDF",
                          on_result=lambda _pages: self._say(QCoreApplication.translate("message_print", "Saved as {0}.").format(target.name)), on_error=self._failed,  # noqa: E501
                          owner=self._owner)  # fmt: skip

    def _failed(self, error: BaseException) -> None:
        self._say(str(error) if isinstance(error, KnownError) else f"The record could not be made: {error}")


class RecordButtons(QWidget):
    """ "Print…" and "Save as PDF…" for the message a view shows (``current`` says which, or None)."""

    def __init__(self, jobs: JobRunner, current: Callable[[], tuple[History, StoredMessage] | None],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton

        super().__init__(parent)
        self._current = current
        self.note = QLabel(self)
        self.note.setObjectName("hint")
        self.note.setAccessibleName(self.tr("Print or PDF outcome"))
        self.record_actions = RecordActions(jobs, self, self.note.setText)
        self.print_button = QPushButton(self.tr("Print…"), self)
        self.print_button.setAccessibleName(self.tr("Print message"))
        self.print_button.clicked.connect(self._print)
        self.pdf_button = QPushButton(self.tr("Save as PDF…"), self)
        self.pdf_button.setAccessibleName(self.tr("Save as PDF"))
        self.pdf_button.clicked.connect(self._save_pdf)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.note, self.print_button, self.pdf_button):
            layout.addWidget(widget)
        self.setEnabled(False)

    def _print(self) -> None:
        if (shown := self._current()) is not None:
            self.record_actions.print_message(shown[0], shown[1].id)

    def _save_pdf(self) -> None:
        if (shown := self._current()) is not None:
            store, message = shown
            self.record_actions.save_pdf(store, message.id, f"{suggested_name(message.subject, message.id)}.pdf")


def suggested_name(subject: str, message_id: int) -> str:
    """A file name from the subject (letters, digits, spaces, dashes), else ``message-ID``."""
    cleaned = "".join(c if c.isalnum() or c in " -_" else " " for c in subject).strip()
    return " ".join(cleaned.split())[:60] or f"message-{message_id}"


def message_record_buttons(view: MessageView, jobs: JobRunner, store: Callable[[], History | None]) -> RecordButtons:
    """Print… and Save as PDF… for the sent-message view, acting on the message it shows."""

    def shown() -> tuple[History, StoredMessage] | None:
        current = store()
        return (current, view.sent.stored) if current is not None and view.sent is not None else None

    buttons = RecordButtons(jobs, shown, view)
    buttons.setEnabled(True)
    return buttons
