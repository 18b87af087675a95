"""Outbox: the view of messages not yet accepted, its actions (each confirmed where a duplicate or a
wrong "sent" could follow), the queue counts in the status bar, and the connection notice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QTimer

from desktop_app.core.outbox_state import OutboxState
from desktop_app.core.times import shown_time
from desktop_app.services.history import history, is_open
from desktop_app.ui.a11y import announce
from desktop_app.ui.features.base import Feature
from desktop_app.ui.i18n import number
from desktop_app.ui.pacing import Pace

if TYPE_CHECKING:
    from desktop_app.services.outbox import EngineStatus
    from desktop_app.services.runtime import Runtime
    from desktop_app.store.messages import RequestGroup
    from desktop_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)

S = OutboxState
COUNTS_DELAY_MS = 150  # like the message models: one counts query per burst of changes, not per change
BUSY_COUNTS_MS = 400  # while changes keep coming: each count reads every message's state (50,000 in a batch)
CONNECTIVITY_TEXT = {  # keyed by services.outbox.Connectivity (a StrEnum), which loads with the engines
    "online": str(QT_TRANSLATE_NOOP("MainWindow", "● Online")),
    "offline": str(QT_TRANSLATE_NOOP("MainWindow", "○ Offline — messages wait in the Outbox")),
    "rate_limited": str(QT_TRANSLATE_NOOP("MainWindow", "◐ Rate-limited")),
    "key_rejected": str(QT_TRANSLATE_NOOP("MainWindow", "⚠ API key needed — open Settings")),
    "paused": str(QT_TRANSLATE_NOOP("MainWindow", "‖ Sending paused")),
    "delegated": str(QT_TRANSLATE_NOOP("MainWindow", "⇄ Sending through another Sealpost process")),
}


class OutboxFeature(Feature):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        from desktop_app.ui.outbox_view import OutboxView

        self.view = view = OutboxView(self.jobs, window)
        window.views.set_page("outbox", view)
        self._counts_pending = False
        self._counts_timer = QTimer(self, singleShot=True, interval=COUNTS_DELAY_MS)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self._counts_pace = Pace(COUNTS_DELAY_MS, BUSY_COUNTS_MS)
        window.bridge.messages_changed.connect(view.model.messages_changed)
        window.bridge.messages_changed.connect(lambda _ids: self._schedule_counts())
        window.bridge.engine_status.connect(self.show_engine_status)
        view.resend_requested.connect(self.confirm_resend)
        view.mark_sent_requested.connect(self.confirm_mark_sent)
        view.resolve_group_requested.connect(self.confirm_resolve_group)
        view.cancel_requested.connect(lambda i: self.act(lambda r: r.cancel(i), "Cancelled."))
        view.retry_requested.connect(lambda i: self.act(lambda r: r.retry_now(i), "Retrying now."))
        view.edit_requested.connect(lambda i: window.compose.edit_message(i))
        view.resume_button.clicked.connect(
            lambda: self.act(lambda r: r.send_queued_now(), "Sending the waiting messages.")
        )

    def attach(self, runtime: Runtime) -> None:
        self.view.set_store(history(runtime))
        self.refresh_counts()

    def shutdown(self) -> None:
        self._counts_timer.stop()

    def confirm_resend(self, message_id: int) -> None:
        message = self.view.selected()
        if message is not None and message.state is S.FAILED:
            self.act(lambda r: r.resend(message_id), "Queued again.")
            return
        self.ask(
            "Resend this message?",
            "Paubox may already have received this message. Sending it again can deliver a duplicate "
            "to the recipients.\n\nResend only if you are sure it did not arrive.",
            confirm=self.tr("Resend anyway"), on_confirm=lambda: self.act(lambda r: r.resend(message_id), "Queued again."),  # noqa: E501
        )  # fmt: skip

    def confirm_mark_sent(self, message_id: int) -> None:
        self.ask(
            "Mark as sent?",
            "Mark this message as sent only if you know it arrived (for example the recipient confirmed it). "
            "Sealpost will not send it again.",
            confirm=self.tr("Mark as sent"), warning=False,
            on_confirm=lambda: self.act(lambda r: r.mark_sent(message_id), "Marked as sent."),
        )  # fmt: skip

    def confirm_resolve_group(self, group: RequestGroup, resend: bool) -> None:
        """One decision for every message of one ambiguous request, with the facts it rests on."""
        from desktop_app.ui.outbox_view import group_words

        count = len(group.message_ids)
        facts = group_words(group)
        if resend:
            self.ask(
                f"Resend all {count} messages?",
                f"{facts}\n\nPaubox may already have received some or all of them. Sending them again can "
                "deliver duplicates.\n\nResend only if you are sure they did not arrive.",
                confirm=self.tr("Resend all {0}").format(count),
                on_confirm=lambda: self.act(lambda r: r.resolve_group(group.name, resend=True),
                                            f"{count} messages queued again."),
            )  # fmt: skip
            return
        self.ask(
            f"Mark all {count} messages as sent?",
            f"{facts}\n\nMark them as sent only if you know they arrived. Sealpost will not send them again.",
            confirm=self.tr("Mark all {0} as sent").format(count), warning=False,
            on_confirm=lambda: self.act(lambda r: r.resolve_group(group.name, resend=False),
                                        f"{count} messages marked as sent."),
        )  # fmt: skip

    def act(self, action: Callable[[Runtime], object], done: str) -> None:
        runtime = self.ready_runtime()
        if runtime is None:
            return
        self.jobs.submit(lambda _token: action(runtime), name="outbox action",
                         on_result=lambda _r: self.say(done),
                         on_error=lambda e: self.say(str(e), 8000))  # fmt: skip

    def show_engine_status(self, status: EngineStatus) -> None:
        from desktop_app.services.outbox import Connectivity  # loaded with the engine that reports

        text = QCoreApplication.translate("MainWindow", CONNECTIVITY_TEXT[status.connectivity])
        if status.connectivity is Connectivity.RATE_LIMITED and status.until:
            text += f" until {shown_time(status.until, seconds=True)}"
        if text != self.window.connection_label.text():
            announce(self.window.connection_label, text, urgent=status.connectivity is Connectivity.KEY_REJECTED)
        self.window.connection_label.setText(text)
        self.window.connection_label.setToolTip(status.detail)
        offline = status.connectivity is not Connectivity.ONLINE
        notice = status.detail or QCoreApplication.translate("MainWindow", CONNECTIVITY_TEXT[status.connectivity])
        if status.connectivity is Connectivity.OFFLINE:
            notice = (f"{notice}\nYou can keep writing and sending: messages are kept safely here and go out "
                      "when the connection returns.")  # fmt: skip
        self.view.set_notice(
            notice if offline else "",
            can_resume=status.connectivity is Connectivity.PAUSED,
            connectivity=status.connectivity,
            detail=status.detail,
            until=status.until,
        )

    def _schedule_counts(self) -> None:
        if not self._counts_timer.isActive():
            self._counts_timer.start(self._counts_pace.delay_ms())

    def refresh_counts(self) -> None:
        """One counts query at a time; changes that arrive meanwhile ask for another shortly after."""
        runtime = self.runtime
        if runtime is None or not is_open(runtime):
            return
        if self._counts_pending:
            self._schedule_counts()
            return
        self._counts_pending = True
        self._counts_pace.ran()
        reader = history(runtime)

        def show(counts: dict[OutboxState, int]) -> None:
            self._counts_pending = False
            waiting = sum(counts.get(s, 0) for s in (S.QUEUED, S.SENDING, S.SCHEDULED))
            attention = counts.get(S.OUTCOME_UNKNOWN, 0) + counts.get(S.FAILED, 0)
            text = self.tr("{0} waiting · {1} sent").format(number(waiting), number(counts.get(S.ACCEPTED, 0)))
            if attention:
                text += self.tr(" · {0} need attention").format(number(attention))
            label = self.window.counts_label
            sent, before = counts.get(S.ACCEPTED, 0), label.property("counted")
            if not waiting and isinstance(before, tuple) and (before[0] or sent > before[1]):
                announce(label, self.tr("The Outbox is empty: every waiting message has gone to Paubox."))
            label.setProperty("counted", (waiting, sent))
            label.setText(text)
            self.view.show_counts(counts)

        def failed(error: BaseException) -> None:
            self._counts_pending = False
            log.info("counts unavailable: %s", type(error).__name__)

        self.jobs.submit(lambda _token: reader.counts_by_state(), name="count", on_result=show, on_error=failed)
