"""The address book in the window, and the questions before a message is queued.

:class:`ContactsFeature` registers the Address book view with the window (by name, ``contacts``),
keeps a look-alike index of the book and the history (rebuilt on a worker after each change), and
stands between the composer's Send and the other pre-send checks (``ComposeFeature.check_and_queue``
asks :meth:`ContactsFeature.approve` first): a look-alike recipient
is marked in its field and the user is asked "Did you mean jane.doe@gmail.com?" (use the
suggestion / send to what I typed, with a reason / cancel); a PHI guard match is highlighted in
the subject with the rule's name. The check itself runs on the GUI thread: with the index built
it takes well under a millisecond (docs/benchmarks.md, scenario 10). Overrides and their reasons
are audited with the message's id once it is queued.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from desktop_app.ui.address_book import AddressBookView
from desktop_app.ui.features.base import Feature
from desktop_app.ui.jobs import CancelToken

if TYPE_CHECKING:
    from desktop_app.core.lookalike import AddressIndex
    from desktop_app.core.message import OutgoingMessage
    from desktop_app.core.phi_guard import GuardRules, NameIndex
    from desktop_app.services.profile import Settings
    from desktop_app.services.runtime import Runtime
    from desktop_app.services.send_guard import Stop, Verdict
    from desktop_app.store.messages import MessageStore, StoredMessage
    from desktop_app.ui.main_window import MainWindow

Proceed = Callable[["OutgoingMessage"], None]


class ContactsFeature(Feature):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.view = AddressBookView(window.jobs, window)
        window.views.set_page("contacts", self.view)
        window.views.view("contacts").focus = lambda: self.view.search
        self.view.changed.connect(self.refresh)
        self._messages: MessageStore | None = None  # the runtime's store, once open
        self.checks: tuple[AddressIndex, NameIndex, GuardRules, bool] | None = None
        self.question: QWidget | None = None  # the open question (for tests)
        self._confirmed: dict[str, str] = {}  # address (case-folded) → reason, for the message being sent
        self._overridden: dict[str, str] = {}  # rule id → reason
        self._pending: tuple[OutgoingMessage, Verdict, str] | None = None
        self._proceed: Proceed | None = None

    def attach(self, runtime: Runtime) -> None:
        from desktop_app.services.history import is_open, open_store

        if not is_open(runtime):
            return
        self._messages = open_store(runtime)
        self.view.set_store(self._messages)
        self.refresh()

    def detach(self) -> None:
        self._messages, self.checks, self._pending = None, None, None
        self._forget()

    def apply_profile(self, settings: Settings) -> None:
        self.refresh()  # the guard's rules file or "verified only" may have changed

    def refresh(self) -> None:
        """Rebuild the index off the GUI thread (258 ms for 10,000 contacts); the old one serves meanwhile."""
        store, runtime = self._messages, self.window.runtime
        if store is None or runtime is None:
            return
        settings = runtime.profile.settings

        def build(_token: CancelToken) -> tuple[AddressIndex, NameIndex, GuardRules, bool]:
            from desktop_app.services.contacts import ContactBook
            from desktop_app.services.guard import load_guard_rules

            book = ContactBook(store)
            return (
                book.index(),
                book.names(),
                load_guard_rules(settings.guard_rules),
                settings.require_verified_recipients,
            )

        def built(checks: tuple[AddressIndex, NameIndex, GuardRules, bool]) -> None:
            self.checks = checks

        def failed(error: BaseException) -> None:
            self.window.statusBar().showMessage(str(error), 10_000)  # a broken rules file: said, never hidden

        self.jobs.submit(build, name="address book index", on_result=built, on_error=failed, owner=self.view,
                         preparing=True)  # fmt: skip

    # ------------------------------------------------------------------ before a message is queued

    def approve(self, message: OutgoingMessage, proceed: Proceed) -> bool:
        """True: nothing to ask, send on. False: a question is open; ``proceed`` gets the message
        (perhaps corrected) once the user has answered it."""
        self._proceed = proceed
        if self.checks is None:  # not built yet (the store is still opening): the window's own checks run
            return True
        from desktop_app.services.send_guard import judge

        index, names, rules, require_verified = self.checks
        verdict = judge(message, index, rules, names, confirmed=self._confirmed, overridden_rules=self._overridden,
                        require_verified=require_verified)  # fmt: skip
        if verdict.ok:
            reasons = "; ".join(dict.fromkeys([*self._confirmed.values(), *self._overridden.values()]))
            self._pending = (message, verdict, reasons) if verdict.overridden else None
            self._forget()
            for field in self._fields():
                field.setToolTip("")
            return True
        stop = verdict.stops[0]
        if stop.kind == "recipient":
            self._ask_recipient(stop)
        elif stop.kind == "guard":
            self._ask_guard(stop)
        else:
            self._forget()
            self.window.composer.show_problem(stop.words)
        return False

    def _again(self) -> None:
        """The user answered: check the composer's message again (the proceed callback asks us first)."""
        if self._proceed is not None:
            self._proceed(self.window.composer.snapshot())

    def queued(self, stored: StoredMessage) -> None:
        """The message is queued: its overrides go in the audit log with its id."""
        pending, self._pending = self._pending, None
        store = self._messages
        if pending is None or store is None:
            return
        _message, verdict, reasons = pending

        def record(_token: CancelToken) -> None:
            from desktop_app.services.send_guard import record_overrides

            record_overrides(store, stored.id, verdict, reasons)

        self.jobs.submit(record, name="audit overrides", owner=self.view)

    def _fields(self) -> list[QLineEdit]:
        composer = self.window.composer
        return [f.edit for f in (composer.to_field, composer.cc_field, composer.bcc_field)]

    def _forget(self) -> None:
        self._confirmed, self._overridden = {}, {}

    def _ask_recipient(self, stop: Stop) -> None:
        typed = stop.what
        for field in self._fields():  # mark the address where it was typed
            if typed.casefold() in field.text().casefold():
                field.setToolTip(stop.words)
                field.setFocus()
                start = field.text().casefold().index(typed.casefold())
                field.setSelection(start, len(typed))
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Check this recipient"),
                          self.tr("Did you mean {suggestion}?").format(suggestion=stop.suggestion)
                          if stop.suggestion else self.tr("Is {typed} the right address?").format(typed=typed),
                          parent=self.window)  # fmt: skip
        box.setInformativeText(stop.words)
        use = box.addButton(self.tr("Use {suggestion}").format(suggestion=stop.suggestion),
                            QMessageBox.ButtonRole.AcceptRole) if stop.suggestion else None  # fmt: skip
        typed_button = box.addButton(self.tr("Send to what I typed…"), QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(use or cancel)
        box.setEscapeButton(cancel)

        def done(_result: int) -> None:
            clicked = box.clickedButton()
            box.deleteLater()
            if use is not None and clicked is use:
                self._use_suggestion(typed, stop.suggestion)
            elif clicked is typed_button:
                self._ask_reason(self.tr("Why send to {typed}?").format(typed=typed),
                                 lambda reason: self._confirmed.__setitem__(typed.casefold(), reason))  # fmt: skip
            else:
                self._forget()
                self.window.composer.show_problem(self.tr("Not sent. Check the recipient, then send again."))

        box.finished.connect(done)
        self.question = box
        box.open()

    def _use_suggestion(self, typed: str, suggestion: str) -> None:
        for field in self._fields():
            text = field.text()
            if typed.casefold() in text.casefold():
                field.setText(re.sub(re.escape(typed), suggestion.replace("\\", r"\\"), text, flags=re.IGNORECASE))
                field.setToolTip("")
        self._again()

    def _ask_guard(self, stop: Stop) -> None:
        from desktop_app.core.phi_guard import Action

        hit = stop.hit
        assert hit is not None
        subject = self.window.composer.subject
        if hit.field == "subject":
            subject.setFocus()
            subject.setSelection(hit.start, hit.end - hit.start)  # the matched span, highlighted
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Patient information in the subject?"),
                          self.tr("Rule “{rule}” matched “{text}”.").format(rule=hit.rule.id, text=hit.text),
                          parent=self.window)  # fmt: skip
        box.setInformativeText(hit.rule.words)
        edit = box.addButton(self.tr("Edit the subject"), QMessageBox.ButtonRole.RejectRole)
        secure = (box.addButton(self.tr("Send with a secure notification"), QMessageBox.ButtonRole.AcceptRole)
                  if hit.rule.action is Action.SECURE_NOTIFICATION else None)  # fmt: skip
        anyway = box.addButton(self.tr("Send anyway…"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(edit)
        box.setEscapeButton(edit)

        def done(_result: int) -> None:
            clicked = box.clickedButton()
            box.deleteLater()
            if secure is not None and clicked is secure:
                self.window.composer.secure_notification.setChecked(True)
                self._again()
            elif clicked is anyway:
                self._ask_reason(self.tr("Why send it with “{text}” in it?").format(text=hit.text),
                                 lambda reason: self._overridden.__setitem__(hit.rule.id, reason))  # fmt: skip
            else:
                self._forget()
                if hit.field == "subject":
                    subject.setFocus()
                    subject.setSelection(hit.start, hit.end - hit.start)

        box.finished.connect(done)
        self.question = box
        box.open()

    def _ask_reason(self, question: str, keep: object) -> None:
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle(self.tr("A reason for the audit log"))
        dialog.setLabelText(question)
        dialog.setOkButtonText(self.tr("Send"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)

        def done(result: int) -> None:
            reason = dialog.textValue().strip()
            dialog.deleteLater()
            if result and reason:
                assert callable(keep)
                keep(reason)
                self._again()
            else:
                self._forget()
                self.window.composer.show_problem(self.tr("Not sent: sending anyway needs a reason."))

        dialog.finished.connect(done)
        self.question = dialog
        dialog.open()
