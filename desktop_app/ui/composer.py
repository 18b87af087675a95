"""The composer: To/Cc/Bcc with live validation and autocomplete, reply-to, subject, a rich-text
body with a toolbar, the editable plain-text part, a safe preview, attachments within a visible
budget, X- headers, delivery switches, and Send (Ctrl+Enter).

The composer only builds an :class:`OutgoingMessage`; sanitising, the pre-send guards, queuing
and drafts happen in the main window on background jobs, so typing never waits on disk.

The window shows this form before the message rules load (email-validator, bleach): they are
imported where they are used, which is after the runtime's worker has loaded them.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QModelIndex,
    QPersistentModelIndex,
    QStringListModel,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QKeySequence,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextListFormat,
)
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QTextEdit,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.limits import over_limit_megabytes
from desktop_app.ui import i18n
from desktop_app.ui.a11y import label_field, make_accessible, tab_chain
from desktop_app.ui.composer_options import ComposerOptions, _room_for_mnemonics
from desktop_app.ui.composer_options import TrackingChoice as TrackingChoice  # its old home, for importers
from desktop_app.ui.jobs import CancelToken, JobRunner
from desktop_app.ui.template_panel import TemplatePanel
from desktop_app.ui.writing_settings import insert_signature

if TYPE_CHECKING:
    from desktop_app.core.addresses import Address, AddressFieldResult
    from desktop_app.core.footer import Footer
    from desktop_app.core.message import Attachment, OutgoingMessage
    from desktop_app.ui.spelling import ComposerSpelling


def repolish(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property (``invalid``, ``tone``) changed.

    A widget not polished yet (still being built) gets the stylesheet, property and all, when it is
    first shown: asking for its style then would only build PySide's QStyle type and its enums."""
    if not widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
        return
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def encoded_size(raw_size: int) -> int:
    """Bytes a file takes once base64-encoded, which is what Paubox counts against the limit."""
    return 4 * ((raw_size + 2) // 3)


def megabytes(size: int) -> str:
    return f"{i18n.number(size / (1024 * 1024), 1)} MB"  # 1,5 MB in Spanish


def display_address(address: Address) -> str:
    """``Name <addr>`` as a person types it: quoted when the name has separators, never RFC 2047-encoded."""
    name = address.display_name
    if not name:
        return address.email
    if any(c in name for c in ',;"<>@()'):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address.email}>"


@dataclass(frozen=True)
class EditableMessage:
    """A message made ready for the composer off the GUI thread (sanitising a large body takes
    seconds): its HTML sanitised for the editor, and whether its plain-text part was hand-edited."""

    message: OutgoingMessage
    plain_edited: bool


def editable(message: OutgoingMessage) -> EditableMessage:
    """Run on a worker: what :meth:`ComposerView.load` needs, without sanitising on the GUI thread."""
    from desktop_app.core.sanitize import html_to_text, sanitize_html

    clean = sanitize_html(message.html) if message.html else ""
    edited = bool(message.text and message.html and message.text != html_to_text(clean))
    return EditableMessage(replace(message, html=clean), edited)


class AddressCompleter(QCompleter):
    """Completes the address being typed after the last comma, keeping the ones before it."""

    def splitPath(self, path: str) -> list[str]:
        return [path.replace(";", ",").rsplit(",", 1)[-1].strip()]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        widget = self.widget()
        text = widget.text() if isinstance(widget, QLineEdit) else ""
        head = text.replace(";", ",").rsplit(",", 1)[0] + ", " if "," in text.replace(";", ",") else ""
        return head + str(index.data())


class AddressField(QWidget):
    """A line edit for addresses with an inline error label that says which address is wrong."""

    changed = Signal()

    def __init__(self, name: str, completions: QStringListModel | None = None, parent: QWidget | None = None,
                 *, single: bool = False) -> None:  # fmt: skip
        super().__init__(parent)
        self.name = name
        self.single = single
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(
            "reply@clinic.example" if single else "name@example.org, Dr Jane Doe <jane@clinic.example>"
        )
        self.edit.setAccessibleName(name if single else f"{name} recipients")
        self.edit.setClearButtonEnabled(True)
        self.setFocusProxy(self.edit)  # the form's label (and its mnemonic) has this field as its buddy
        label_field(self.edit, name)
        if completions is not None:
            completer = AddressCompleter(completions, self.edit)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            self.edit.setCompleter(completer)
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setAccessibleName(self.tr("{0} problems").format(name))
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.error)
        self._debounce = QTimer(self, singleShot=True, interval=400)
        self._debounce.timeout.connect(self.validate)
        self.edit.textEdited.connect(lambda _text: self._debounce.start())
        self.edit.editingFinished.connect(self.validate)

    def parsed(self) -> AddressFieldResult:
        from desktop_app.core.addresses import AddressFieldResult, parse_address_field

        result = parse_address_field(self.edit.text())
        if self.single and len(result.addresses) + len(result.errors) > 1:
            return AddressFieldResult((), (f"{self.name} takes one address only.",))
        return result

    def validate(self) -> AddressFieldResult:
        self._debounce.stop()
        result = self.parsed()
        self.error.setText("\n".join(result.errors))
        self.error.setVisible(bool(result.errors))
        self.edit.setProperty("invalid", bool(result.errors))
        repolish(self.edit)
        self.changed.emit()
        return result

    def set_addresses(self, addresses: Sequence[Address]) -> None:
        self.edit.setText(", ".join(display_address(a) for a in addresses))
        self.validate()


class SafePreview(QTextBrowser):
    """Shows sanitised HTML and loads nothing: no remote images, no files, no scripts (Qt runs none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.requested_resources: list[str] = []

    def loadResource(self, kind: int, name: QUrl | str) -> object:
        # Remote images are tracking pixels at best; local paths would reveal files. Load neither.
        self.requested_resources.append(name.toString() if isinstance(name, QUrl) else name)
        return None


class RichTextToolbar(QToolBar):
    """Bold, italic, lists, headings and links for the body; each action has a name and a shortcut."""

    HEADINGS = ((str(QT_TRANSLATE_NOOP("RichTextToolbar", "Paragraph")), 0), (str(QT_TRANSLATE_NOOP("RichTextToolbar", "Heading 1")), 1),  # noqa: E501
                (str(QT_TRANSLATE_NOOP("RichTextToolbar", "Heading 2")), 2), (str(QT_TRANSLATE_NOOP("RichTextToolbar", "Heading 3")), 3))  # fmt: skip  # noqa: E501

    def __init__(self, editor: QTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Formatting"), parent)
        self.setAccessibleName(self.tr("Formatting"))
        self.editor = editor
        self.bold = self._action(self.tr("Bold"), "Ctrl+B", self._toggle_bold, checkable=True)
        self.italic = self._action(self.tr("Italic"), "Ctrl+I", self._toggle_italic, checkable=True)
        self.bullets = self._action(self.tr("• List"), "", lambda: self._list(QTextListFormat.Style.ListDisc))
        self.numbers = self._action(self.tr("1. List"), "", lambda: self._list(QTextListFormat.Style.ListDecimal))
        self.link = self._action(self.tr("Link…"), "Ctrl+K", self._insert_link)
        self.heading = QComboBox(self)
        self.heading.setAccessibleName(self.tr("Paragraph style"))
        for title, level in self.HEADINGS:
            self.heading.addItem(self.tr(str(title)), level)
        self.heading.activated.connect(lambda i: self._set_heading(int(self.heading.itemData(i))))
        self.addWidget(self.heading)
        editor.currentCharFormatChanged.connect(self._sync)

    def _action(self, text: str, keys: str, slot: object, *, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        action.setCheckable(checkable)
        if keys:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.setToolTip(f"{text.rstrip('…')} ({keys})")
        action.triggered.connect(slot)
        self.editor.addAction(action)
        self.addAction(action)
        button = self.widgetForAction(action)
        if button is not None:
            button.setAccessibleName(text.rstrip("…"))
        return action

    def _sync(self, fmt: QTextCharFormat) -> None:
        self.bold.setChecked(fmt.fontWeight() >= QFont.Weight.Bold)
        self.italic.setChecked(fmt.fontItalic())

    def _merge(self, fmt: QTextCharFormat) -> None:
        cursor = self.editor.textCursor()
        if not cursor.hasSelection():
            cursor.select(QTextCursor.SelectionType.WordUnderCursor)
        cursor.mergeCharFormat(fmt)
        self.editor.mergeCurrentCharFormat(fmt)
        self.editor.setFocus()

    def _toggle_bold(self) -> None:
        fmt = QTextCharFormat()
        fmt.setFontWeight(QFont.Weight.Bold if self.bold.isChecked() else QFont.Weight.Normal)
        self._merge(fmt)

    def _toggle_italic(self) -> None:
        fmt = QTextCharFormat()
        fmt.setFontItalic(self.italic.isChecked())
        self._merge(fmt)

    def _list(self, style: QTextListFormat.Style) -> None:
        cursor = self.editor.textCursor()
        fmt = QTextListFormat()
        fmt.setStyle(style)
        cursor.createList(fmt)
        self.editor.setFocus()

    def _set_heading(self, level: int) -> None:
        cursor = self.editor.textCursor()
        block = QTextBlockFormat()
        block.setHeadingLevel(level)
        cursor.mergeBlockFormat(block)
        char = QTextCharFormat()
        char.setFontWeight(QFont.Weight.Bold if level else QFont.Weight.Normal)
        char.setProperty(QTextCharFormat.Property.FontSizeAdjustment, {0: 0, 1: 3, 2: 2, 3: 1}[level])
        cursor.select(QTextCursor.SelectionType.BlockUnderCursor)
        cursor.mergeCharFormat(char)
        self.editor.setFocus()

    def _insert_link(self) -> None:
        url, ok = QInputDialog.getText(self, "Insert link", "Link address (https:// or mailto:)")
        self.add_link(url.strip()) if ok else None

    def add_link(self, url: str) -> None:
        if not url.startswith(("https://", "http://", "mailto:")):
            return
        cursor = self.editor.textCursor()
        text = cursor.selectedText() or url
        fmt = QTextCharFormat()
        fmt.setAnchor(True)
        fmt.setAnchorHref(url)
        fmt.setFontUnderline(True)
        cursor.insertText(text, fmt)
        self.editor.setFocus()


class AttachmentPanel(QWidget):
    """Attached files and a bar that counts their base64 size against the limit."""

    changed = Signal()

    def __init__(self, jobs: JobRunner, limit_bytes: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self.limit_bytes = limit_bytes
        self.attachments: list[Attachment] = []
        self._reserved = 0  # encoded bytes of files still being read
        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("Attachments"))
        self.list.setFixedHeight(46)
        self.add_button = QPushButton(self.tr("Attach files…"), self)
        self.add_button.setAccessibleName(self.tr("Attach files"))
        self.add_button.clicked.connect(self.choose_files)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.remove_button.setAccessibleName(self.tr("Remove attachment"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.budget = QProgressBar(self)
        self.budget.setAccessibleName(self.tr("Attachment budget"))
        self.budget.setTextVisible(True)
        self.problem = QLabel(self)
        self.problem.setObjectName("fieldError")
        self.problem.setAccessibleName(self.tr("Attachment problem"))
        self.problem.setWordWrap(True)
        self.problem.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addWidget(self.budget, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(row)
        layout.addWidget(self.list)
        layout.addWidget(self.problem)
        self._refresh()

    @property
    def used_bytes(self) -> int:
        return sum(a.encoded_size for a in self.attachments) + self._reserved

    def choose_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, "Attach files")
        self.add_paths([Path(p) for p in paths])

    def add_paths(self, paths: Sequence[Path]) -> None:
        """Refuse what would exceed the budget before reading a byte; read the rest on a worker."""
        self.problem.hide()
        for path in paths:
            try:
                size = encoded_size(path.stat().st_size)
            except OSError as error:
                self._refuse(f"“{path.name}” could not be read ({error.strerror}).")
                continue
            if self.used_bytes + size > self.limit_bytes:
                size_mb, limit_mb = over_limit_megabytes(self.used_bytes + size, self.limit_bytes)
                self._refuse(
                    f"“{path.name}” was not attached: it would bring attachments to "
                    f"{i18n.number(size_mb, 1)} MB once encoded, over the {i18n.number(limit_mb, 1)} MB "
                    "limit. Send it in a separate message or share it another way."
                )
                continue
            self._reserved += size
            self._read(path, size)
            self._refresh()

    def _read(self, path: Path, reserved: int) -> None:
        def added(attachment: Attachment) -> None:
            self._added(attachment, reserved)

        def failed(error: BaseException) -> None:
            self._read_failed(path, error, reserved)

        self._jobs.submit(lambda _t: _read_attachment(path), name="read attachment", on_result=added, on_error=failed,
                          owner=self)  # fmt: skip

    def _added(self, attachment: Attachment, reserved: int) -> None:
        self._reserved -= reserved
        self.attachments.append(attachment)
        self._refresh()

    def _read_failed(self, path: Path, error: BaseException, reserved: int) -> None:
        from desktop_app.core.message import MessageError  # loaded by the read that failed

        self._reserved -= reserved
        if isinstance(error, MessageError):  # the name itself was refused: echoing it could show a disguise
            self._refuse(str(error))
        else:
            self._refuse(f"“{path.name}” could not be read ({error}).")
        self._refresh()

    def _refuse(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.attachments):
            del self.attachments[row]
            self.problem.hide()
            self._refresh()

    def set_attachments(self, attachments: Sequence[Attachment]) -> None:
        self.attachments = list(attachments)
        self.problem.hide()
        self._refresh()

    def _refresh(self) -> None:
        self.list.clear()
        for attachment in self.attachments:
            self.list.addItem(
                self.tr("{0}  ({1} encoded)").format(attachment.file_name, megabytes(attachment.encoded_size))
            )
        self.list.setVisible(bool(self.attachments))
        self.remove_button.setEnabled(bool(self.attachments))
        used = self.used_bytes
        self.budget.setRange(0, max(1, self.limit_bytes // 1024))
        self.budget.setValue(min(used, self.limit_bytes) // 1024)
        self.budget.setFormat(self.tr("{0} of {1} (encoded)").format(megabytes(used), megabytes(self.limit_bytes)))
        self.budget.setProperty("tone", "warn" if used > self.limit_bytes * 0.8 else "")
        repolish(self.budget)
        self.changed.emit()


def _read_attachment(path: Path) -> Attachment:
    from desktop_app.core.message import Attachment

    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Attachment.from_bytes(path.name, content_type, path.read_bytes())


def parse_custom_headers(text: str) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """``X-Name: value`` per line → pairs, plus a reason for each line that is not acceptable."""
    from desktop_app.core.addresses import AddressError, check_header_value

    pairs: list[tuple[str, str]] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if name.lower() in ("list-unsubscribe", "list-unsubscribe-post"):
            problems.append(f"Line {number}: {name} is not an X- header; use the Unsubscribe field below.")
            continue
        if not sep or not name.lower().startswith("x-") or len(name) < 3 or " " in name:
            problems.append(f"Line {number}: write custom headers as “X-Name: value”.")
            continue
        try:
            check_header_value(value, f"The value of {name}")
        except AddressError as error:
            problems.append(str(error))
            continue
        pairs.append((name, value))
    return tuple(pairs), problems


def unsubscribe_problems(list_unsubscribe: str, one_click: bool, unsubscribe_url: str) -> list[str]:
    """What is wrong with the composer's unsubscribe options, in words (empty: nothing)."""
    from desktop_app.core.addresses import AddressError
    from desktop_app.core.message import (
        ONE_CLICK,
        MessageError,
        check_list_unsubscribe_post,
        check_unsubscribe_url,
        list_unsubscribe_uris,
    )

    problems: list[str] = []
    checks: list[Callable[[], object]] = []
    if list_unsubscribe.strip():
        checks.append(lambda: list_unsubscribe_uris(list_unsubscribe))
    if one_click:
        checks.append(lambda: check_list_unsubscribe_post(ONE_CLICK, list_unsubscribe))
    if unsubscribe_url.strip():
        checks.append(lambda: check_unsubscribe_url(unsubscribe_url.strip()))
    for check in checks:
        try:
            check()
        except (AddressError, MessageError) as error:
            if str(error) not in problems:
                problems.append(str(error))
    return problems


class ComposerView(QWidget):
    send_requested = Signal(object)  # OutgoingMessage, already checked for what the composer can check
    draft_changed = Signal()  # the user edited something; the window autosaves after a pause
    draft_discarded = Signal(object)  # the draft id (or None) the user threw away

    def __init__(self, sender: str, jobs: JobRunner, *, attachment_limit_bytes: int,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.sender_address = sender
        self._jobs = jobs
        self.draft_id: int | None = None
        self.signature_html = ""  # sanitised; put into each new message (ui/writing_settings.py)
        self.footer: Footer | None = None  # shown in the preview; Runtime.prepare appends it when sending
        self.new_message_defaults: dict[str, Any] = {}  # from settings and policies (ui/composer_policies.py)
        self._pristine_body = ""  # a new message's body as loaded (empty, or just the signature)
        self.spelling: ComposerSpelling | None = None  # ui/spelling.py, set up with the profile's language
        self.session = 0  # bumped whenever the form is reloaded, so late autosaves know they are stale
        self._loading = False
        self.completions = QStringListModel(self)
        self.to_field = AddressField("To", self.completions, self)
        self.cc_field = AddressField("Cc", self.completions, self)
        self.bcc_field = AddressField("Bcc", self.completions, self)
        self.reply_to_field = AddressField("Reply-to", self.completions, self, single=True)
        self.subject = QLineEdit(self)
        self.subject.setAccessibleName(self.tr("Subject"))
        self.subject.setPlaceholderText(self.tr("Subject (required; avoid patient names)"))
        self.from_label = QLabel(sender, self)
        self.from_label.setAccessibleName(self.tr("Sender"))
        self.show_more = QPushButton(self.tr("Cc, Bcc, reply-to…"), self)
        self.show_more.setAccessibleName(self.tr("Cc, Bcc, reply-to: show the fields"))
        self.show_more.setCheckable(True)
        self.show_more.setFlat(True)

        self.body = QTextEdit(self)
        self.body.setAccessibleName(self.tr("Message body"))
        self.body.setAcceptRichText(True)
        self.body.setPlaceholderText(self.tr("Write your message…"))
        self.body.setMinimumHeight(160)
        self.body.setTabChangesFocus(True)  # Tab leaves the body (no keyboard trap); indent with the toolbar
        self.toolbar = RichTextToolbar(self.body, self)
        self.plain = QPlainTextEdit(self)
        self.plain.setAccessibleName(self.tr("Plain-text part"))
        self.plain_note = QLabel(self)
        self.plain_note.setObjectName("hint")
        self.plain_note.setWordWrap(True)
        self.regenerate = QPushButton(self.tr("Regenerate from message"), self)
        self.regenerate.setAccessibleName(self.tr("Regenerate plain text"))
        self.regenerate.clicked.connect(self._regenerate_plain)
        self._plain_edited = False
        self.preview = SafePreview(self)
        self.preview.setAccessibleName(self.tr("Message preview"))
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("Message body views"))
        write_page = QWidget(self)
        editor_page = QWidget(self)
        editor_layout = QVBoxLayout(editor_page)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addWidget(self.toolbar)
        editor_layout.addWidget(self.body, 1)
        label_field(self.body, "Message")
        self.template_panel = TemplatePanel(self)
        self.template_panel.mode_changed.connect(self._template_mode)
        self.template_panel.changed.connect(self._edited)
        self.write_stack = QStackedWidget(self)
        self.write_stack.addWidget(editor_page)
        self.write_stack.addWidget(self.template_panel)
        write_layout = QVBoxLayout(write_page)
        write_layout.setContentsMargins(0, 4, 0, 0)
        write_layout.addWidget(self.write_stack, 1)
        plain_page = QWidget(self)
        plain_layout = QVBoxLayout(plain_page)
        plain_layout.setContentsMargins(0, 4, 0, 0)
        plain_top = QHBoxLayout()
        plain_top.addWidget(self.plain_note, 1)
        plain_top.addWidget(self.regenerate)
        plain_layout.addLayout(plain_top)
        plain_layout.addWidget(self.plain, 1)
        self.tabs.addTab(write_page, self.tr("&Write"))
        self.tabs.addTab(plain_page, self.tr("Pla&in text"))
        self.tabs.addTab(self.preview, self.tr("&Preview"))
        self.tabs.setCornerWidget(self.template_panel.header, Qt.Corner.TopRightCorner)
        self.tabs.currentChanged.connect(self._tab_changed)

        self.attachments = AttachmentPanel(jobs, attachment_limit_bytes, self)
        self.options = ComposerOptions(self)
        o = self.options
        self.headers, self.headers_error, self.tag = o.headers, o.headers_error, o.tag
        self.secure_notification, self.allow_non_tls = o.secure_notification, o.allow_non_tls
        self.open_tracking, self.link_tracking = o.open_tracking, o.link_tracking
        self.list_unsubscribe, self.one_click, self.unsubscribe_url = o.list_unsubscribe, o.one_click, o.unsubscribe_url
        self.unsubscribe_error = o.unsubscribe_error
        self.options_toggle = QPushButton(self.tr("Options…"), self)
        self.options_toggle.setAccessibleName(self.tr("Show delivery options"))
        self.options_toggle.setCheckable(True)
        self.options_toggle.setFlat(True)
        self.options_toggle.toggled.connect(self.options.setVisible)
        self.options.hide()

        self.feedback = QLabel(self)
        self.feedback.setObjectName("composerFeedback")
        self.feedback.setAccessibleName(self.tr("Composer status"))
        self.feedback.setWordWrap(True)
        self.discard_button = QPushButton(self.tr("Discard"), self)
        self.discard_button.setAccessibleName(self.tr("Discard message"))
        self.discard_button.clicked.connect(self.discard)
        self.send_button = QPushButton(self.tr("Send"), self)
        self.send_button.setObjectName("primaryButton")
        self.send_button.setAccessibleName(self.tr("Send message"))
        self.send_button.setToolTip(self.tr("Send (Ctrl+Enter)"))
        self.send_button.clicked.connect(self.request_send)

        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.addRow(self.tr("From"), self._row(self.from_label, self.show_more))
        self.form.addRow(self.tr("&To"), self.to_field)
        self.form.addRow(self.tr("&Cc"), self.cc_field)
        self.form.addRow(self.tr("&Bcc"), self.bcc_field)
        self.form.addRow(self.tr("&Reply-to"), self.reply_to_field)
        self.form.addRow(self.tr("&Subject"), self.subject)
        self.form.addRow(self.tr("Attachments"), self.attachments)
        self.show_more.toggled.connect(self._show_more_fields)
        self._show_more_fields(False)
        for form in (self.form, self.options.form):
            _room_for_mnemonics(form)
        actions = QHBoxLayout()
        actions.addWidget(self.options_toggle)
        actions.addWidget(self.feedback, 1)
        actions.addWidget(self.discard_button)
        actions.addWidget(self.send_button)
        content = QWidget(self)
        layout = QVBoxLayout(content)
        layout.addLayout(self.form)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.options)
        # The form scrolls rather than making the window taller than the screen (1280x720 with the Log
        # dock open, or 2x scaling with Options open): the window's minimum size never depends on it.
        self.form_scroll = QScrollArea(self)
        self.form_scroll.setObjectName("composerScroll")
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a stop that says nothing; it follows the focus
        self.form_scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.form_scroll)
        actions.setContentsMargins(9, 0, 9, 9)
        outer.addLayout(actions)  # Send stays in sight however short the window is
        self.options_toggle.toggled.connect(
            lambda shown: shown and QTimer.singleShot(0, lambda: self.form_scroll.ensureWidgetVisible(self.options))
        )

        self.setAcceptDrops(True)
        make_accessible(self)
        tab_chain(self.tag, self.headers, self.secure_notification, self.allow_non_tls, self.open_tracking,
                  self.link_tracking, self.list_unsubscribe, self.one_click, self.unsubscribe_url)  # fmt: skip
        for field in (self.to_field, self.cc_field, self.bcc_field, self.reply_to_field):
            field.edit.textChanged.connect(self._edited)
        for signal in (self.subject.textChanged, self.body.textChanged, self.headers.textChanged,
                       self.tag.textChanged, self.attachments.changed, self.list_unsubscribe.textChanged,
                       self.unsubscribe_url.textChanged, self.one_click.toggled,
                       self.open_tracking.currentIndexChanged, self.link_tracking.currentIndexChanged):  # fmt: skip
            signal.connect(self._edited)
        self.plain.textChanged.connect(self._plain_changed)
        self._update_plain_note()

    @staticmethod
    def _row(*widgets: QWidget) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            row.addWidget(widget)
        row.addStretch(1)
        return holder

    def _show_more_fields(self, shown: bool) -> None:
        for field in (self.cc_field, self.bcc_field, self.reply_to_field):
            self.form.setRowVisible(field, shown)

    def set_sender(self, sender: str) -> None:
        self.sender_address = sender
        self.from_label.setText(sender)

    def set_known_addresses(self, addresses: Sequence[str]) -> None:
        self.completions.setStringList(list(addresses))

    # ------------------------------------------------------------------ plain text and preview

    def _edited(self) -> None:
        if not self._loading:
            self.draft_changed.emit()

    def _plain_changed(self) -> None:
        if not self._loading and self.plain.hasFocus():
            self._plain_edited = True
            self._update_plain_note()
            self.draft_changed.emit()

    def _update_plain_note(self) -> None:
        self.plain_note.setText(
            "You edited this plain-text version; it is sent as written."
            if self._plain_edited
            else "Generated from your message for recipients who cannot read formatted mail. Edit it if needed."
        )
        self.regenerate.setEnabled(self._plain_edited)

    def _regenerate_plain(self) -> None:
        self._plain_edited = False
        self._update_plain_note()
        self._tab_changed(1)

    def _template_mode(self, active: bool) -> None:
        """A template replaces the body: the editor and the plain-text part step aside meanwhile."""
        self.write_stack.setCurrentIndex(1 if active else 0)
        self.tabs.setTabEnabled(1, not active)

    def _tab_changed(self, index: int) -> None:
        if index == 0:
            return
        if self.template_panel.active:
            source, values = self.template_panel.source, self.template_panel.values()

            def render_template(_token: CancelToken) -> tuple[str, str]:
                from desktop_app.services.template_preview import render_preview

                return render_preview(source, values), ""

            self._jobs.submit(render_template, name="render template", on_result=self._show_rendered)
            return
        html = self.body.toHtml() if self.body.toPlainText().strip() else ""
        footer = self.footer

        def render(_token: CancelToken) -> tuple[str, str]:
            from desktop_app.core.sanitize import html_to_text, sanitize_html

            clean = sanitize_html(html) if html else ""
            shown = footer.apply_parts(clean, "")[0] if footer else clean  # as Runtime.prepare will send it
            return shown, html_to_text(clean) if clean else ""

        self._jobs.submit(render, name="render preview", on_result=self._show_rendered)

    def _show_rendered(self, rendered: tuple[str, str]) -> None:
        clean, text = rendered
        self.preview.setHtml(clean or "<p><i>The message is empty.</i></p>")
        if not self._plain_edited and not self.template_panel.active:
            self._loading = True
            self.plain.setPlainText(text)
            self._loading = False

    # ------------------------------------------------------------------ drag and drop

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        files = [p for p in paths if p.is_file()]
        if files:
            self.attachments.add_paths(files)
            event.acceptProposedAction()

    # ------------------------------------------------------------------ building the message

    def snapshot(self) -> OutgoingMessage:
        """What the user has written so far, valid or not (for drafts)."""
        from desktop_app.core.message import TEMPLATE, TEMPLATE_VALUES, OutgoingMessage

        headers, _problems = parse_custom_headers(self.headers.toPlainText())
        reply = self.reply_to_field.parsed().addresses
        templated = self.template_panel.active
        meta = (
            {TEMPLATE: self.template_panel.name, TEMPLATE_VALUES: json.dumps(self.template_panel.values())}
            if templated else {}
        )  # fmt: skip
        return OutgoingMessage(
            sender=self.sender_address,
            to=self.to_field.parsed().addresses,
            cc=self.cc_field.parsed().addresses,
            bcc=self.bcc_field.parsed().addresses,
            reply_to=reply[0] if reply else None,
            subject=self.subject.text().strip(),
            html=self.body.toHtml() if self.body.toPlainText().strip() and not templated else "",
            text=self.plain.toPlainText() if self._plain_edited and not templated else "",
            custom_headers=headers,
            attachments=tuple(self.attachments.attachments),
            force_secure_notification=self.secure_notification.isChecked(),
            allow_non_tls=self.allow_non_tls.isChecked() and self.allow_non_tls.isEnabled(),
            open_tracking=self.open_tracking.value(),
            link_tracking=self.link_tracking.value(),
            list_unsubscribe=self.list_unsubscribe.text().strip(),
            list_unsubscribe_post=self.one_click.isChecked(),
            unsubscribe_url=self.unsubscribe_url.text().strip(),
            tag=self.tag.text().strip(),
            meta=meta,
        )

    def request_send(self) -> None:
        """Check what can be checked here, say exactly what to fix, else hand the message on."""
        results = [(f, f.validate()) for f in (self.to_field, self.cc_field, self.bcc_field, self.reply_to_field)]
        bad = [f for f, r in results if r.errors]
        if bad:
            if not self.show_more.isChecked() and any(f is not self.to_field for f in bad):
                self.show_more.setChecked(True)
            self.show_problem(self.tr("Correct the highlighted address before sending."))
            bad[0].edit.setFocus()
            return
        if not any(r.addresses for f, r in results if f is not self.reply_to_field):
            self.show_problem(self.tr("Add at least one recipient."))
            self.to_field.edit.setFocus()
            return
        _headers, problems = parse_custom_headers(self.headers.toPlainText())
        self.headers_error.setText("\n".join(problems))
        self.headers_error.setVisible(bool(problems))
        if problems:
            self.options_toggle.setChecked(True)
            self.show_problem(self.tr("Correct the custom headers before sending."))
            return
        unsubscribe = unsubscribe_problems(
            self.list_unsubscribe.text(), self.one_click.isChecked(), self.unsubscribe_url.text()
        )
        self.unsubscribe_error.setText("\n".join(unsubscribe))
        self.unsubscribe_error.setVisible(bool(unsubscribe))
        if unsubscribe:
            self.options_toggle.setChecked(True)
            self.show_problem(self.tr("Correct the unsubscribe options before sending."))
            self.list_unsubscribe.setFocus()
            return
        if not self.subject.text().strip():
            self.show_problem(self.tr("Add a subject: Paubox refuses messages without one."))
            self.subject.setFocus()
            return
        empty = not self.body.toPlainText().strip() and not self.plain.toPlainText().strip()
        if empty and not self.template_panel.active:
            self.show_problem(self.tr("The message is empty: write something before sending."))
            self.body.setFocus()
            return
        self.send_button.setEnabled(False)
        self.show_info(self.tr("Checking…"))
        self.send_requested.emit(self.snapshot())

    def show_problem(self, text: str) -> None:
        self._say(text, "error")
        self.send_button.setEnabled(True)

    def show_info(self, text: str, tone: str = "") -> None:
        self._say(text, tone)

    def _say(self, text: str, tone: str) -> None:
        self.feedback.setProperty("tone", tone)
        self.feedback.setText(text)
        repolish(self.feedback)

    def ready_for_next(self, note: str = "") -> None:
        """The message was handed to the outbox: clear the form for the next one."""
        self.load(None)
        self.show_info(note, "ok")

    def load(self, loaded: EditableMessage | None, draft_id: int | None = None) -> None:
        """Fill the form from a draft or a message brought back for editing (or clear it).

        The message comes through :func:`editable` on a worker, so nothing heavy runs here."""
        from desktop_app.core.message import TEMPLATE, TEMPLATE_VALUES, OutgoingMessage

        self._loading = True
        self.session += 1
        try:
            self.draft_id = draft_id
            blank = OutgoingMessage(sender=self.sender_address, to=(), subject="", **self.new_message_defaults)
            m = loaded.message if loaded else blank
            self.to_field.set_addresses(m.to)
            self.cc_field.set_addresses(m.cc)
            self.bcc_field.set_addresses(m.bcc)
            self.reply_to_field.set_addresses((m.reply_to,) if m.reply_to else ())
            self.show_more.setChecked(bool(m.cc or m.bcc or m.reply_to))
            self.subject.setText(m.subject)
            self.body.setHtml(m.html) if m.html else self.body.clear()
            if loaded is None:
                insert_signature(self.body, self.signature_html)
            self._pristine_body = self.body.toHtml() if loaded is None else ""
            self._plain_edited = bool(loaded and loaded.plain_edited)
            self.plain.setPlainText(m.text)
            self._update_plain_note()
            self.headers.setPlainText("\n".join(f"{k}: {v}" for k, v in m.custom_headers))
            self.tag.setText(m.tag)
            self.secure_notification.setChecked(m.force_secure_notification)
            self.open_tracking.set_value(m.open_tracking)
            self.link_tracking.set_value(m.link_tracking)
            self.list_unsubscribe.setText(m.list_unsubscribe)
            self.one_click.setChecked(m.list_unsubscribe_post)
            self.unsubscribe_url.setText(m.unsubscribe_url)
            self.unsubscribe_error.hide()
            self.allow_non_tls.setChecked(m.allow_non_tls and self.allow_non_tls.isEnabled())
            self.attachments.set_attachments(m.attachments)
            if m.meta.get(TEMPLATE):
                self.template_panel.restore(m.meta[TEMPLATE], json.loads(m.meta.get(TEMPLATE_VALUES, "{}")))
            else:
                self.template_panel.clear()
            self.tabs.setCurrentIndex(0)
            self.send_button.setEnabled(True)
            self._say("", "")
        finally:
            self._loading = False

    def is_empty(self) -> bool:
        m = self.snapshot()
        written = bool(m.html) and self.body.toHtml() != self._pristine_body
        return not (m.all_recipients or m.subject or written or m.attachments or m.meta
                    or self.to_field.edit.text().strip())  # fmt: skip

    def discard(self) -> None:
        self.draft_discarded.emit(self.draft_id)
        self.load(None)
