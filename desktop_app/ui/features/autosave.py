"""Drafts save themselves: 1.5 s after the last edit, what is in the composer is stored (sanitised on
the worker, like any stored body); *Discard* deletes the draft."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer

from desktop_app.services.history import is_open
from desktop_app.ui.features.base import Feature
from desktop_app.ui.jobs import CancelToken

if TYPE_CHECKING:
    from desktop_app.ui.composer import ComposerView
    from desktop_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)

DRAFT_SAVE_DELAY_MS = 1500


class DraftAutosave(Feature):
    def __init__(self, window: MainWindow, composer: ComposerView) -> None:
        super().__init__(window)
        self.composer = composer
        self.timer = QTimer(self, singleShot=True, interval=DRAFT_SAVE_DELAY_MS)
        self.timer.timeout.connect(self.save)
        composer.draft_changed.connect(self.timer.start)
        composer.draft_discarded.connect(self.discard)

    def stop(self) -> None:
        self.timer.stop()

    def save(self, *, keep_if_left: bool = False) -> None:
        """Autosave what is in the composer.

        ``keep_if_left``: the composer is being cleared for a new message; the draft stays even though
        the composer has moved on by the time it is stored."""
        runtime = self.runtime
        composer = self.composer
        if runtime is None or not is_open(runtime) or composer.is_empty():
            return
        message = composer.snapshot()
        draft_id = composer.draft_id
        session = composer.session

        def run(_token: CancelToken) -> int:
            from desktop_app.core.sanitize import sanitize_html  # loaded by the runtime by now

            clean = replace(message, html=sanitize_html(message.html)) if message.html else message
            return runtime.save_draft(clean, draft_id)

        def saved(new_id: int) -> None:
            if composer.session == session:
                composer.draft_id = new_id
                composer.show_info(
                    QCoreApplication.translate("autosave", "Draft saved {0}.").format(time.strftime("%H:%M"))
                )
            elif draft_id is None and not keep_if_left:  # the composer moved on meanwhile: drop the orphan
                self.jobs.submit(lambda _t: runtime.delete_draft(new_id), name="drop orphan draft")

        self.jobs.submit(run, name="save draft", on_result=saved,
                         on_error=lambda e: log.info("draft not saved: %s", type(e).__name__))  # fmt: skip

    def discard(self, draft_id: int | None) -> None:
        self.timer.stop()
        runtime = self.runtime
        if draft_id is not None and runtime is not None:
            self.jobs.submit(lambda _t: runtime.delete_draft(draft_id), name="discard draft",
                             on_error=lambda e: log.info("draft already gone: %s", type(e).__name__))  # fmt: skip
