"""Spell checking in the composer: red wavy underlines in the body and the subject, suggestions,
"Add to dictionary" and "Ignore" on right-click (the checker itself: ``services/spelling.py``).

The body uses a QSyntaxHighlighter. A long body (over :data:`CHECK_OFF_THREAD_ABOVE` characters)
is checked on a worker: its paragraphs are underlined once their results come back, so typing
never waits for the dictionary. A line edit has no highlighter; the subject's underlines are
given to it as input-method text formats, which QLineEdit draws under its text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QColor,
    QInputMethodEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QLineEdit, QMenu, QTextEdit, QWidget

from desktop_app.ui.jobs import CancelToken, JobRunner

if TYPE_CHECKING:
    from collections.abc import Callable

    from desktop_app.services.spelling import SpellChecker
    from desktop_app.store.messages import MessageStore

CHECK_OFF_THREAD_ABOVE = 20_000
"""Characters in the body above which paragraphs are checked on a worker (about 2 ms of dictionary
look-ups per thousand characters here: a 20,000-character body costs ~40 ms, once)."""
CACHE_LIMIT = 4_000


def misspelling_format() -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
    fmt.setUnderlineColor(QColor("#d0021b"))
    return fmt


def word_at(text: str, position: int) -> tuple[int, int] | None:
    """``(start, length)`` of the word of ``text`` at or just before ``position``, if any."""
    from desktop_app.services.spelling import words

    for start, length, _word in words(text):
        if start <= position <= start + length:
            return start, length
    return None


class SpellHighlighter(QSyntaxHighlighter):
    """Underlines misspelt words of a document; results are kept per paragraph text."""

    def __init__(self, document: QTextDocument, jobs: JobRunner, owner: QObject) -> None:
        super().__init__(document)
        self.checker: SpellChecker | None = None
        self.underline = misspelling_format()
        self._jobs = jobs
        self._owner = owner
        self._cache: dict[str, list[tuple[int, int]]] = {}
        self._pending: set[str] = set()
        self._timer = QTimer(self, singleShot=True, interval=120)
        self._timer.timeout.connect(self._check_pending)

    def set_checker(self, checker: SpellChecker | None) -> None:
        self.checker = checker
        self.forget()

    def forget(self) -> None:
        """Check everything again (a word was added or ignored, or the language changed)."""
        self._cache.clear()
        self._pending.clear()
        self.refresh()

    def refresh(self) -> None:
        """Underline again. The editor's signals are held meanwhile: new underlines are no edit, and
        its ``textChanged`` would otherwise start an autosave of a message nobody changed."""
        held = self._owner.blockSignals(True)
        try:
            self.rehighlight()
        finally:
            self._owner.blockSignals(held)

    def misspelt_in(self, text: str) -> list[tuple[int, int]] | None:
        """What is known for one paragraph (None: not checked yet)."""
        return self._cache.get(text)

    def highlightBlock(self, text: str) -> None:
        checker = self.checker
        if checker is None or not text.strip():
            return
        found = self._cache.get(text)
        if found is None:
            if self.document().characterCount() > CHECK_OFF_THREAD_ABOVE:
                self._pending.add(text)
                self._timer.start()
                return
            found = self._remember(text, checker.misspelt(text))
        for start, length in found:
            self.setFormat(start, length, self.underline)

    def _remember(self, text: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[text] = found
        return found

    def _check_pending(self) -> None:
        texts, checker = list(self._pending), self.checker
        self._pending.clear()
        if checker is None or not texts:
            return

        def run(_token: CancelToken) -> dict[str, list[tuple[int, int]]]:
            return {text: checker.misspelt(text) for text in texts}

        def done(results: dict[str, list[tuple[int, int]]]) -> None:
            if checker is not self.checker:
                return  # the language changed meanwhile
            for text, found in results.items():
                self._remember(text, found)
            self.refresh()

        self._jobs.submit(run, name="check spelling", on_result=done, owner=self._owner)


def spelling_actions(menu: QMenu, checker: SpellChecker, word: str, replace: Callable[[str], None],
                     changed: Callable[[], None]) -> list[QAction]:  # fmt: skip
    """Suggestions (each replaces the word), then "Add to dictionary" and "Ignore", at the top of ``menu``."""
    actions: list[QAction] = []
    suggestions = checker.suggest(word)
    for suggestion in suggestions:
        action = QAction(suggestion, menu)
        action.triggered.connect(lambda _checked=False, s=suggestion: replace(s))
        actions.append(action)
    if not suggestions:
        none = QAction(QCoreApplication.translate("Spelling", "No suggestions"), menu)
        none.setEnabled(False)
        actions.append(none)
    add = QAction(QCoreApplication.translate("Spelling", "Add “{word}” to dictionary").format(word=word), menu)
    add.triggered.connect(lambda: _then(checker.add, word, changed))
    ignore = QAction(QCoreApplication.translate("Spelling", "Ignore “{word}”").format(word=word), menu)
    ignore.triggered.connect(lambda: _then(checker.ignore, word, changed))
    actions += [add, ignore]
    first = menu.actions()[0] if menu.actions() else None
    menu.insertActions(first, actions)  # type: ignore[arg-type]  # None appends
    menu.insertSeparator(first)  # type: ignore[arg-type]
    return actions


def _then(learn: Callable[[str], None], word: str, changed: Callable[[], None]) -> None:
    learn(word)
    changed()


class SubjectSpelling(QObject):
    """Underlines and the right-click menu for a QLineEdit (the subject)."""

    def __init__(self, edit: QLineEdit) -> None:
        super().__init__(edit)
        self.edit = edit
        self.checker: SpellChecker | None = None
        self.misspelt: list[tuple[int, int]] = []
        self.on_changed: Callable[[], None] | None = None
        self._format = misspelling_format()
        edit.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        edit.customContextMenuRequested.connect(self._show_menu)
        edit.textChanged.connect(self.refresh)

    def set_checker(self, checker: SpellChecker | None) -> None:
        self.checker = checker
        self.refresh()

    def refresh(self) -> None:
        text = self.edit.text()
        self.misspelt = self.checker.misspelt(text) if self.checker is not None else []
        cursor = self.edit.cursorPosition()
        kind = QInputMethodEvent.AttributeType.TextFormat
        attributes = [QInputMethodEvent.Attribute(kind, start - cursor, length, self._format)
                      for start, length in self.misspelt]  # fmt: skip
        QCoreApplication.sendEvent(self.edit, QInputMethodEvent("", attributes))

    def menu_at(self, pos: QPoint) -> QMenu:
        menu = self.edit.createStandardContextMenu()
        found = word_at(self.edit.text(), self.edit.cursorPositionAt(pos))
        if self.checker is not None and found is not None and found in self.misspelt:
            start, length = found
            word = self.edit.text()[start : start + length]

            def replace(suggestion: str) -> None:
                text = self.edit.text()
                self.edit.setText(text[:start] + suggestion + text[start + length :])
                self.edit.setCursorPosition(start + len(suggestion))

            spelling_actions(menu, self.checker, word, replace, self.changed)
        return menu

    def changed(self) -> None:
        """A word was added or ignored here: underline again, here and in the body."""
        self.refresh()
        if self.on_changed is not None:
            self.on_changed()

    def _show_menu(self, pos: QPoint) -> None:
        menu = self.menu_at(pos)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.edit.mapToGlobal(pos))


class BodySpelling(QObject):
    """The highlighter and the right-click menu for the body editor."""

    def __init__(self, editor: QTextEdit, jobs: JobRunner) -> None:
        super().__init__(editor)
        self.editor = editor
        self.highlighter = SpellHighlighter(editor.document(), jobs, editor)
        editor.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        editor.customContextMenuRequested.connect(self._show_menu)
        self.on_changed: Callable[[], None] | None = None

    def menu_at(self, pos: QPoint) -> QMenu:
        """The editor's own menu, with spelling choices on top when ``pos`` (viewport) is on a misspelt word."""
        menu = self.editor.createStandardContextMenu(pos)
        checker = self.highlighter.checker
        cursor = self.editor.cursorForPosition(pos)
        block = cursor.block()
        found = word_at(block.text(), cursor.positionInBlock())
        known = self.highlighter.misspelt_in(block.text()) or []
        if checker is not None and found is not None and found in known:
            start, length = found
            word = block.text()[start : start + length]

            def replace(suggestion: str) -> None:
                edit = QTextCursor(block)
                edit.setPosition(block.position() + start)
                edit.setPosition(block.position() + start + length, QTextCursor.MoveMode.KeepAnchor)
                edit.insertText(suggestion)

            spelling_actions(menu, checker, word, replace, self.changed)
        return menu

    def changed(self) -> None:
        self.highlighter.forget()
        if self.on_changed is not None:
            self.on_changed()

    def _show_menu(self, pos: QPoint) -> None:
        menu = self.menu_at(pos)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.editor.viewport().mapToGlobal(pos))


class ComposerSpelling(QObject):
    """Spell checking for one composer's subject and body, in the profile's language."""

    def __init__(self, subject: QLineEdit, body: QTextEdit, jobs: JobRunner, owner: QWidget) -> None:
        super().__init__(owner)
        self._jobs = jobs
        self._owner = owner
        self.subject = SubjectSpelling(subject)
        self.body = BodySpelling(body, jobs)
        self.subject.on_changed = self.body.highlighter.forget
        self.body.on_changed = self.subject.refresh
        self.checker: SpellChecker | None = None
        self.problem = ""
        self._configured: tuple[str, int] | None = None
        self._store: MessageStore | None = None
        self._unsaved: list[str] = []

    def configure(self, language: str, store: MessageStore | None) -> None:
        """Load ``language``'s dictionary and the personal words (from ``store``) on a worker.

        No ``store`` means "not known here" (settings applied before or apart from the runtime): the
        store given earlier stays in use, so words added still reach the encrypted store.
        """
        store = store if store is not None else self._store
        self._store = store
        self._save_words()
        wanted = (language, id(store))
        if wanted == self._configured:
            return
        self._configured = wanted
        jobs = self._jobs

        def add_word(word: str) -> None:
            self._unsaved.append(word)  # the store may open after the dictionary: saved once it is known
            self._save_words()

        def run(_token: CancelToken) -> SpellChecker:
            from desktop_app.services.spelling import SpellChecker

            personal = store.personal_words() if store is not None else set()
            return SpellChecker(language, personal, add_word)

        def opened(checker: SpellChecker) -> None:
            if self._configured == wanted:  # not one asked for before and answered late
                self.problem = ""
                self._use(checker)

        def failed(error: BaseException) -> None:
            if self._configured == wanted:
                self.problem = said(error)  # no dictionary: said once in the composer, writing goes on
                self._use(None)
                say = getattr(self._owner, "show_info", None)
                if callable(say):
                    say(self.problem)

        job = jobs.submit(run, name="open dictionary", on_result=opened, on_error=failed, owner=self._owner,
                          preparing=True)  # fmt: skip
        ran: list[bool] = []
        job.signals.started.connect(lambda: ran.append(True))

        def never_ran() -> None:
            if not ran and self._configured == wanted:
                self._configured = None  # cancelled before it started (a profile switch): asked again next time

        job.signals.finished.connect(never_ran)

    def _save_words(self) -> None:
        target, words = self._store, list(self._unsaved)
        if target is None or not words:
            return
        self._unsaved.clear()

        def save(_token: CancelToken) -> None:
            for word in words:
                target.add_personal_word(word)

        self._jobs.submit(save, name="add to dictionary")

    def _use(self, checker: SpellChecker | None) -> None:
        self.checker = checker
        self.body.highlighter.set_checker(checker)
        self.subject.set_checker(checker)


# The services' words for a missing spell checker, for the catalogue (they are said in the user's language).
UNAVAILABLE = (
    QT_TRANSLATE_NOOP(
        "errors", "Spell checking needs the Enchant library (Debian: libenchant-2-2); install it and restart Sealpost."
    ),
)


def said(error: BaseException) -> str:
    """A known error's text in the user's language when the catalogue has it, else as it came."""
    return QCoreApplication.translate("errors", str(error))
