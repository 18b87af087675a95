"""Front-desk flows wired into the main window: the Drafts list, opening a sent message, and
starting a new message from one (Resend, Forward, Correct the address).

It holds the wiring so the window stays a shell: the window makes one :class:`Everyday` once its
views exist, and the views below only show and ask."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTableView, QVBoxLayout

from desktop_app.services.history import History, history, is_open, open_store
from desktop_app.ui.a11y import current_follows_selection
from desktop_app.ui.drafts_view import DraftsView
from desktop_app.ui.features.base import Feature
from desktop_app.ui.jobs import CancelToken
from desktop_app.ui.message_model import readable_recipients
from desktop_app.ui.notices import Bounce, BounceNotice

if TYPE_CHECKING:
    from desktop_app.core.message import OutgoingMessage
    from desktop_app.services.drafts import SentMessage
    from desktop_app.services.runtime import Runtime
    from desktop_app.ui.composer import EditableMessage
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.message_view import MessageView

log = logging.getLogger(__name__)


class Everyday(Feature):
    message_opened = Signal(int)  # a message's view was opened (a bounce notice about it is seen)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.message_view: MessageView | None = None
        self.last_question: object = None
        self.drafts_view = DraftsView(window.jobs, window)
        window.views.set_page("drafts", self.drafts_view)
        window.views.view("drafts").focus = lambda: self.drafts_view.table
        self.drafts_view.open_requested.connect(self.open_draft)
        self.drafts_view.deleted.connect(self._draft_deleted)
        self.drafts_view.count_changed.connect(self._show_draft_count)
        window.bridge.messages_changed.connect(self.drafts_view.messages_changed)
        self.bounce_notice = BounceNotice(window)
        central = window.centralWidget()
        column = central.layout() if central is not None else None
        assert isinstance(column, QVBoxLayout)
        column.insertWidget(column.indexOf(window.shell), self.bounce_notice)  # above every view, like the banner
        window.bridge.bounced.connect(
            lambda message, recipient, status: self.bounce_notice.add(
                Bounce(message.id, message.subject, readable_recipients(recipient), status)))  # fmt: skip
        window.locked_changed.connect(self.bounce_notice.set_locked)
        self.bounce_notice.open_requested.connect(self.open_message)
        self.message_opened.connect(self.bounce_notice.seen)
        window.outbox_view.queue_emptied.connect(
            lambda: window.statusBar().showMessage(self.tr("✓ All waiting messages have been sent."), 10_000)
        )
        for table in (window.status_view.table, window.outbox_view.table):  # Enter or a double-click opens
            table.activated.connect(lambda index, t=table: self._open_row(t, index.row()))
            current_follows_selection(table)

    def attach(self, runtime: Runtime) -> None:
        """A runtime opened (at start, or another profile's): nothing of the previous profile stays on screen."""
        from desktop_app.services.drafts import delete_draft  # loaded with the store

        self.bounce_notice.dismiss()
        if self.message_view is not None:
            self.message_view.close()
        self.drafts_view.set_store(history(runtime), lambda draft_id: delete_draft(open_store(runtime), draft_id))

    def _history(self) -> History | None:
        runtime = self.runtime
        return history(runtime) if runtime is not None and is_open(runtime) else None

    def _open_row(self, table: QTableView, row: int) -> None:
        from desktop_app.core.outbox_state import OutboxState

        message = table.model().message_at(row)  # type: ignore[attr-defined]
        if message is not None and message.state is OutboxState.DRAFT:
            self.open_draft(message.id)  # a draft is for writing, not reading
        elif message is not None:
            self.open_message(message.id)

    def _show_draft_count(self, count: int) -> None:
        self.window.views.set_badge("drafts", f"({count})" if count else "",
                                    self.tr("{count} kept").format(count=count) if count else "")  # fmt: skip

    def _draft_deleted(self, draft_id: int) -> None:
        composer = self.window.composer
        if composer.draft_id == draft_id:  # what is on screen was that draft: it is gone now
            composer.load(None)

    def open_draft(self, draft_id: int) -> None:
        """Into the composer; what was being written there is kept as a draft first (like Ctrl+N)."""
        window = self.window
        composer = window.composer
        if composer.draft_id == draft_id:
            window.views.show("compose")
            return
        runtime = self.ready_runtime()
        if runtime is None:
            return
        store = history(runtime)
        if not composer.is_empty():
            window.save_draft(keep_if_left=True)

        def run(_token: CancelToken) -> EditableMessage:
            from desktop_app.services.drafts import open_draft
            from desktop_app.ui.composer import editable  # sanitises: on this worker, not the GUI thread

            return editable(open_draft(store, draft_id))

        def loaded(message: EditableMessage) -> None:
            window.compose.drafts.stop()
            window.views.show("compose")
            composer.load(message, draft_id=draft_id)
            composer.show_info(self.tr("Draft opened. It is saved as you type."), "ok")
            composer.to_field.edit.setFocus()

        window.jobs.submit(run, name="open draft", on_result=loaded, owner=self,
                           on_error=lambda e: window.statusBar().showMessage(str(e), 8000))  # fmt: skip

    # ------------------------------------------------------------------ sent messages

    def open_message(self, message_id: int) -> MessageView | None:
        """The read-only view of one message (one window, reused), loaded on a worker."""
        from desktop_app.ui.message_print import message_record_buttons
        from desktop_app.ui.message_view import MessageView
        from desktop_app.ui.search_highlight import highlight_matches

        window = self.window
        runtime = self.ready_runtime()
        if runtime is None:
            return None
        store = history(runtime)
        if self.message_view is None:
            self.message_view = MessageView(window.jobs, window)
            self.message_view.resend_requested.connect(self.resend_as_new)
            self.message_view.forward_requested.connect(self.forward_as_new)
            self.message_view.correct_requested.connect(self.correct_and_resend)
            self.message_view.add_action(message_record_buttons(self.message_view, window.jobs, self._history))
        view = self.message_view
        view.show_message(None)
        view.show()
        view.raise_()
        view.activateWindow()

        def run(_token: CancelToken) -> SentMessage:
            from desktop_app.services.drafts import load_sent

            return load_sent(store, message_id)

        searched = window.status_view.search.text() if window.views.current() == "status" else ""

        def shown(sent: SentMessage) -> None:
            view.show_message(sent)
            highlight_matches(view.body, searched)  # what the history search found, marked in the body

        window.jobs.submit(run, name="open message", on_result=shown, owner=view,
                           on_error=lambda e: window.statusBar().showMessage(str(e), 8000))  # fmt: skip
        self.message_opened.emit(message_id)
        return view

    def resend_as_new(self, sent: SentMessage) -> None:
        """A new message with the same content; warned first when Paubox reported it delivered."""
        from desktop_app.services.drafts import as_new
        from desktop_app.ui.dialogs import ask

        delivered = sent.delivered_to
        if not delivered:
            self.compose(as_new(sent.message))
            return
        names = ", ".join(delivered[:3]) + ("…" if len(delivered) > 3 else "")
        self.last_question = ask(
            self.message_view or self.window, self.tr("Resend a delivered message?"),
            self.tr("Paubox reported this message delivered to {names}. Sending it again delivers a second "
                    "copy.\n\nIt opens as a new message: check it, then send.").format(names=names),
            confirm=self.tr("Resend as new"), on_confirm=lambda: self.compose(as_new(sent.message)),
        )  # fmt: skip

    def forward_as_new(self, sent: SentMessage) -> None:
        from desktop_app.services.drafts import forwarded

        self.compose(forwarded(sent.message), focus_to=True)

    def correct_and_resend(self, sent: SentMessage, address: str) -> None:
        """The same message, the bounced address selected in To so typing replaces it."""
        from desktop_app.services.drafts import as_new

        self.compose(as_new(sent.message), select=address)

    def compose(self, message: OutgoingMessage, *, select: str = "", focus_to: bool = False) -> None:
        """Open ``message`` as a new one in the composer (what was being written is kept as a draft)."""
        window = self.window
        composer = window.composer
        if not composer.is_empty():
            if window.runtime is None:
                window.statusBar().showMessage(self.tr("Sealpost is still starting; try again in a moment."), 6000)
                return
            window.save_draft(keep_if_left=True)

        runtime = window.runtime

        def run(_token: CancelToken) -> EditableMessage:
            from desktop_app.ui.composer import editable

            # The footer went out with it; sending the new one adds it again (core/footer.py).
            return editable(runtime.without_footer(message) if runtime is not None else message)

        def loaded(ready: EditableMessage) -> None:
            window.compose.drafts.stop()
            if self.message_view is not None:
                self.message_view.close()  # the new message is what the user works on now
            composer.load(ready)
            window.views.show("compose")
            window.activateWindow()
            edit = composer.to_field.edit
            edit.setFocus()
            start = edit.text().find(select) if select else -1
            if start >= 0:
                edit.setSelection(start, len(select))
                composer.show_info(self.tr("Type the corrected address over the selected one, then send."), "ok")
            else:
                composer.show_info(self.tr("A new message: check it, then send."), "ok")
            if focus_to and not edit.text():
                edit.setFocus()

        window.jobs.submit(run, name="new message from a sent one", on_result=loaded, owner=self)

    def quit(self) -> None:
        """Ctrl+Q. Without a keyring the session's data is deleted on quit: ask before losing it."""
        from desktop_app.ui.dialogs import ask

        window = self.window
        if window.runtime is None or not window.runtime.ephemeral_key:
            window.close()
            return
        self.last_question = ask(
            window, self.tr("Quit and delete this session?"),
            self.tr("No system keyring was found, so everything in this session (messages, drafts and "
                    "history) is deleted when Sealpost closes."),
            confirm=self.tr("Quit and delete"), on_confirm=self._close_window,
        )  # fmt: skip

    def _close_window(self) -> None:
        self.window.close()
