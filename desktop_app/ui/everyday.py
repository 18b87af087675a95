"""Front-desk flows wired into the main window: the Drafts list, opening a sent message, and
starting a new message from one (Resend, Forward, Correct the address).

It holds the wiring so the window stays a shell: the window makes one :class:`Everyday` once its
views exist, and the views below only show and ask."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from desktop_app.ui.drafts_view import DraftsView
from desktop_app.ui.jobs import CancelToken

if TYPE_CHECKING:
    from desktop_app.store.messages import MessageStore
    from desktop_app.ui.composer import EditableMessage
    from desktop_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)


class Everyday(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.drafts_view = DraftsView(window.jobs, window)
        window.views.set_page("drafts", self.drafts_view)
        window.views.view("drafts").focus = lambda: self.drafts_view.table
        self.drafts_view.open_requested.connect(self.open_draft)
        self.drafts_view.deleted.connect(self._draft_deleted)
        self.drafts_view.count_changed.connect(self._show_draft_count)
        window.bridge.message_changed.connect(self.drafts_view.message_changed)

    def attach(self, store: MessageStore) -> None:
        self.drafts_view.set_store(store)

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
        runtime = window._ready_runtime()
        if runtime is None or runtime.store is None:
            return
        store = runtime.store
        if not composer.is_empty():
            window.save_draft(keep_if_left=True)

        def run(_token: CancelToken) -> EditableMessage:
            from desktop_app.services.drafts import open_draft
            from desktop_app.ui.composer import editable  # sanitises: on this worker, not the GUI thread

            return editable(open_draft(store, draft_id))

        def loaded(message: EditableMessage) -> None:
            window._draft_timer.stop()
            window.views.show("compose")
            composer.load(message, draft_id=draft_id)
            composer.show_info(self.tr("Draft opened. It is saved as you type."), "ok")
            composer.to_field.edit.setFocus()

        window.jobs.submit(run, name="open draft", on_result=loaded, owner=self,
                           on_error=lambda e: window.statusBar().showMessage(str(e), 8000))  # fmt: skip
