"""The profile's writing settings in the GUI: the signature, the organisation footer, the spelling language.

The signature goes into each *new* message (Ctrl+N, after a send, after Discard) and nowhere else:
a draft or a message brought back for editing keeps what the user left, so a signature the user
removed does not come back. The footer is not inserted: ``Runtime.prepare`` appends it to what is
sent (core/footer.py); the composer only shows it in the preview. Both are sanitised on a worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QTextEdit, QVBoxLayout, QWidget

from desktop_app.ui.jobs import CancelToken

if TYPE_CHECKING:
    from desktop_app.core.footer import Footer
    from desktop_app.services.profile import Settings
    from desktop_app.store.messages import MessageStore
    from desktop_app.ui.composer import ComposerView

SPELL_LANGUAGES = (("English (United States)", "en_US"), ("Spanish", "es"))


def insert_signature(editor: QTextEdit, signature_html: str) -> None:
    """Put the (sanitised) signature below an empty first line, the cursor on that line."""
    if not signature_html:
        return
    cursor = QTextCursor(editor.document())
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertBlock()
    cursor.insertHtml(signature_html)
    editor.moveCursor(QTextCursor.MoveOperation.Start)
    editor.document().setModified(False)


def apply_writing_settings(
    composer: ComposerView, settings: Settings, store: MessageStore | None = None, *, spelling: bool = True
) -> None:
    """Sanitise the profile's signature and footer on a worker, then hand them to the composer;
    spell check in the profile's language, with the personal dictionary from ``store`` (unless
    ``spelling`` is False: the caller asks again once it has the store).

    A composer still showing an untouched new message gets the signature at once.
    """
    if spelling:
        from desktop_app.ui.spelling import ComposerSpelling

        if composer.spelling is None:
            composer.spelling = ComposerSpelling(composer.subject, composer.body, composer._jobs, composer)
        composer.spelling.configure(settings.spell_language, store)
    signature, footer_source = settings.signature, settings.message_footer

    def run(_token: CancelToken) -> tuple[str, Footer | None]:
        from desktop_app.core.footer import footer_from_setting

        if not signature.strip():  # the sanitiser (bleach, nh3) loads only for a signature to clean
            return "", footer_from_setting(footer_source)
        from desktop_app.core.sanitize import sanitize_html

        return sanitize_html(signature), footer_from_setting(footer_source)

    def done(result: tuple[str, Footer | None]) -> None:
        if result == (composer.signature_html, composer.footer):
            return  # asked again (the store opened): nothing changed, nothing to redo
        untouched = composer.is_empty() and not composer.body.toPlainText().strip() and composer.draft_id is None
        composer.signature_html, composer.footer = result
        if untouched:
            composer.load(None)

    composer._jobs.submit(run, name="prepare signature", on_result=done, owner=composer)


class RichTextField(QWidget):
    """A rich-text editor with the composer's formatting toolbar (for the signature and the footer)."""

    def __init__(self, name: str, html: str, parent: QWidget | None = None) -> None:
        from desktop_app.ui.composer import RichTextToolbar

        super().__init__(parent)
        self.editor = QTextEdit(self)
        self.editor.setAccessibleName(name)
        self.editor.setAcceptRichText(True)
        self.editor.setMinimumHeight(70)
        if html:
            self.editor.setHtml(html)
        self.editor.document().setModified(False)
        self.toolbar = RichTextToolbar(self.editor, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.editor, 1)

    @property
    def changed(self) -> bool:
        return self.editor.document().isModified()

    def html(self) -> str:
        """What was written, as HTML ("" when nothing is; sanitised wherever it is used)."""
        return self.editor.toHtml() if self.editor.toPlainText().strip() else ""


class WritingTab(QWidget):
    """Settings ▸ Writing: signature, organisation footer and spelling language."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.signature = RichTextField("Signature", settings.signature, self)
        self.footer = RichTextField("Organisation footer", settings.message_footer, self)
        hint = QLabel(
            self.tr(
                "The footer (for example a confidentiality notice) is added to every message this profile sends, "
                "from the window and from the sealpost command, in both the formatted and the plain-text part."
            ),
            self,
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.spell_language = QComboBox(self)
        self.spell_language.setAccessibleName(self.tr("Spelling language"))
        for title, tag in SPELL_LANGUAGES:
            self.spell_language.addItem(title, tag)
        self.spell_language.setCurrentIndex(max(0, self.spell_language.findData(settings.spell_language)))
        form = QFormLayout(self)
        form.addRow(self.tr("Si&gnature"), self.signature)
        form.addRow(self.tr("Organisation &footer"), self.footer)
        form.addRow("", hint)
        form.addRow(self.tr("Spelling &language"), self.spell_language)

    def changes(self) -> dict[str, Any]:
        """The writing settings the user changed."""
        found: dict[str, Any] = {}
        if self.signature.changed:
            found["signature"] = self.signature.html()
        if self.footer.changed:
            found["message_footer"] = self.footer.html()
        language = str(self.spell_language.currentData())
        if language != self.settings.spell_language:
            found["spell_language"] = language
        return found
