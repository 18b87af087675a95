"""Compose: the composer view, the pre-send questions, queueing, editing a message again, templates
and the addresses offered while typing. The rules themselves live in ``services/composing.py``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from desktop_app.core.errors import is_known
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services import composing
from desktop_app.services.history import NOT_OPEN, is_open, open_store
from desktop_app.ui.features.autosave import DraftAutosave
from desktop_app.ui.features.base import Feature
from desktop_app.ui.features.undo import UndoSend
from desktop_app.ui.jobs import CancelToken
from desktop_app.ui.writing_settings import apply_writing_settings

if TYPE_CHECKING:
    from desktop_app.core.message import OutgoingMessage
    from desktop_app.services.profile import Settings
    from desktop_app.services.runtime import Runtime
    from desktop_app.store.messages import StoredMessage
    from desktop_app.ui.composer import EditableMessage
    from desktop_app.ui.features.contacts import ContactsFeature
    from desktop_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)


class ComposeFeature(Feature):
    """Owns the composer; its drafts save themselves (:class:`DraftAutosave`) and a queued message can
    be taken back for a few seconds (:class:`UndoSend`)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        from desktop_app.ui.composer import ComposerView

        settings = window.profile.settings
        self.view = ComposerView(settings.sender, self.jobs,
                                 attachment_limit_bytes=int(settings.attachment_limit_mb * 1024 * 1024),
                                 parent=window)  # fmt: skip
        self.view.send_button.setEnabled(window.runtime is not None)  # not before the outbox is open
        window.views.set_page("compose", self.view)
        self.drafts = DraftAutosave(window, self.view)
        self.undo = UndoSend(window, self)
        self._without_store = False  # the runtime could not start: spell check without the personal words
        window.setup_failed.connect(lambda _text: self._spell_without_store())
        self.view.send_requested.connect(self.check_and_queue)
        self.view.template_panel.templates_wanted.connect(self.load_templates)
        self.view.template_panel.template_wanted.connect(self.load_template)

    def attach(self, runtime: Runtime) -> None:
        self.view.send_button.setEnabled(True)
        apply_writing_settings(self.view, runtime.profile.settings, open_store(runtime))  # the personal dictionary
        self.load_known_addresses()

    def detach(self) -> None:
        self.drafts.stop()
        self.undo.dismiss()
        self.view.send_button.setEnabled(False)
        self.view.load(None)

    def apply_profile(self, settings: Settings) -> None:
        self.view.set_sender(settings.sender)
        self.view.attachments.limit_bytes = int(settings.attachment_limit_mb * 1024 * 1024)
        runtime = self.runtime
        store = open_store(runtime) if runtime is not None and is_open(runtime) else None
        # The dictionary (~55 ms to open) waits for the store, which brings the personal words: opened
        # before it, it competed with the runtime's start and was opened again at attach.
        apply_writing_settings(self.view, settings, store, spelling=store is not None or self._without_store)
        from desktop_app.ui.composer_policies import apply_message_policies

        apply_message_policies(self.view, self.window.profile)

    def _spell_without_store(self) -> None:
        self._without_store = True
        apply_writing_settings(self.view, self.window.profile.settings, spelling=True)

    def shutdown(self) -> None:
        self.drafts.stop()
        self.undo.dismiss()

    def check_and_queue(self, message: OutgoingMessage) -> None:
        """Run the pre-send checks on a worker, then ask or queue."""
        self.drafts.stop()
        contacts = self._contacts()
        if contacts is not None and not contacts.approve(message, self.check_and_queue):  # look-alikes, PHI
            return
        runtime = self.ready_runtime()
        if runtime is None:
            self.view.show_problem(NOT_OPEN)
            return

        def decide(found: list[str]) -> None:
            if not found:
                self.queue_message(message)
                return
            self.ask(
                "Send this message?", "\n\n".join(found), confirm=QCoreApplication.translate("compose", "Send anyway"),
                on_confirm=lambda: self.queue_message(message),
                on_cancel=lambda: self.view.show_problem(QCoreApplication.translate("compose", "Not sent. Check the recipients, then send again.")),  # noqa: E501
            )  # fmt: skip

        self.jobs.submit(lambda _t: composing.pre_send_concerns(runtime, message), name="pre-send checks",
                         on_result=decide, on_error=self._queue_failed, owner=self.view)  # fmt: skip

    def queue_message(self, message: OutgoingMessage) -> None:
        runtime = self.ready_runtime()
        if runtime is None:
            self.view.show_problem(NOT_OPEN)
            return
        draft_id = self.view.draft_id
        self.drafts.stop()

        def queued(stored: StoredMessage) -> None:
            self.view.ready_for_next(
                QCoreApplication.translate("compose", "Queued. Follow it in the Outbox and Status views.")
            )
            if stored.state is OutboxState.SCHEDULED:
                self.undo.offer(stored.id, len(message.all_recipients), int(runtime.profile.settings.undo_seconds))
            self.load_known_addresses()
            if (contacts := self._contacts()) is not None:
                contacts.queued(stored)  # what the user overrode before Send is audited with its id

        self.jobs.submit(lambda _t: composing.queue_checked(runtime, message, draft_id=draft_id),
                         name="queue message", on_result=queued, on_error=self._queue_failed,
                         owner=self.view)  # fmt: skip

    def _contacts(self) -> ContactsFeature | None:
        from desktop_app.ui.features.contacts import ContactsFeature

        found = self.window.features.get("contacts")
        return found if isinstance(found, ContactsFeature) else None

    def _queue_failed(self, error: BaseException) -> None:
        if is_known(error):
            self.view.show_problem(str(error))
        else:
            log.error("queueing failed", exc_info=(type(error), error, error.__traceback__))
            self.view.show_problem(self.tr("Sealpost hit an internal error; the message was not queued. See the log."))

    def new_message(self) -> None:
        """Ctrl+N: an empty composer, always. What was being written is kept as a draft, so the next
        patient's message can never start with the previous patient's words."""
        if not self.view.is_empty():
            if self.runtime is None:  # nothing can be saved yet: keep it on screen rather than lose it
                self.say(self.tr("Sealpost is still starting; finish or clear this message first."), 6000)
                return
            self.drafts.save(keep_if_left=True)
            self.say(self.tr("The message you were writing was kept in Drafts (Ctrl+4)."), 6000)
        self.drafts.stop()
        self.view.load(None)
        self.window.views.show("compose")
        self.view.to_field.edit.setFocus()

    def show_for_editing(self, message: EditableMessage, message_id: int, note: str) -> None:
        self.window.views.show("compose")
        self.view.load(message, draft_id=message_id)
        self.view.show_info(note, "ok")

    def edit_message(self, message_id: int) -> None:
        """Bring a draft, queued, scheduled or failed message back into the composer."""
        runtime = self.ready_runtime()
        if runtime is None:
            return

        def run(_token: CancelToken) -> EditableMessage:
            from desktop_app.ui.composer import editable  # sanitises: on this worker, not the GUI thread

            return editable(composing.open_for_editing(runtime, message_id))

        self.jobs.submit(run, name="edit message", owner=self.view,
                         on_result=lambda message: self.show_for_editing(
                             message, message_id, "Editing. Send when ready; it will not go out until you do."),
                         on_error=lambda e: self.say(str(e), 8000))  # fmt: skip

    def load_templates(self) -> None:
        client = self.runtime.client if self.runtime is not None else None
        panel = self.view.template_panel
        if client is None:
            panel.failed(self.tr("Templates can be loaded once Sealpost has connected."))
            return
        panel.failed(self.tr("Loading templates…"))
        self.jobs.submit(lambda _t: client.list_templates(), name="list templates", on_result=panel.set_templates,
                         on_error=lambda e: panel.failed(self.tr("Templates could not be loaded: {0}").format(e)),
                         owner=panel)  # fmt: skip

    def load_template(self, template_id: int) -> None:
        client = self.runtime.client if self.runtime is not None else None
        panel = self.view.template_panel
        if client is None:
            return
        self.jobs.submit(lambda _t: client.get_template(template_id), name="get template",
                         on_result=panel.show_template, owner=panel,
                         on_error=lambda e: panel.failed(self.tr("The template could not be loaded: {0}").format(e)))  # fmt: skip  # noqa: E501

    def load_known_addresses(self) -> None:
        """The recipients offered while typing (from the history; see ``services/composing.py``)."""
        runtime = self.runtime
        if runtime is None or not is_open(runtime):
            return

        def run(_token: CancelToken) -> list[str]:
            from desktop_app.services.contacts import ContactBook
            from desktop_app.ui.composer import display_address

            history = [display_address(a) for a in composing.known_addresses(runtime)]
            return ContactBook(open_store(runtime)).autocomplete(history)  # verified contacts first

        self.jobs.submit(run, name="address book", on_result=self.view.set_known_addresses, owner=self.view,
                         preparing=True)  # fmt: skip

    def send_shortcut(self) -> None:
        if self.window.pages.currentWidget() is self.view and self.view.send_button.isEnabled():
            self.view.request_send()
