"""The Outbox: every message not yet accepted by Paubox, with what the user can do about it."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.outbox_state import OutboxState
from desktop_app.core.times import shown_time
from desktop_app.ui.i18n import words
from desktop_app.ui.jobs import JobRunner
from desktop_app.ui.message_model import (
    Column,
    MessageTableModel,
    follow_shown,
    read_rows_on_screen,
    readable_recipients,
    relative_time,
)
from desktop_app.ui.tables import MessageTable, message_list

if TYPE_CHECKING:  # the store loads on the worker that opens it, after the window has painted
    from desktop_app.services.history import History
    from desktop_app.store.messages import RequestGroup, StoredMessage

S = OutboxState
OUTBOX_STATES = (S.DRAFT, S.QUEUED, S.SCHEDULED, S.SENDING, S.OUTCOME_UNKNOWN, S.FAILED)
GOING_OUT = (S.QUEUED, S.SENDING)  # scheduled messages and drafts are not being sent now
GONE_OUT = (S.ACCEPTED, S.FAILED, S.OUTCOME_UNKNOWN)

HELD_WORDS = {  # keyed by services.outbox.Connectivity: why a queued message is not going out now
    "offline": ("Waiting for the connection", "when Paubox can be reached"),
    "rate_limited": ("Waiting: Paubox asked to slow down", "when the limit lifts"),
    "key_rejected": ("Waiting for an API key", "once a key is set in Settings"),
    "paused": ("Waiting: sending is paused", "when you resume sending"),
    "delegated": ("Sent by another Sealpost process", "by the other process"),
}


class QueueWords:
    """What the State, Next try and Reason columns say, given why nothing may be going out now.

    Every queued message in one situation says the same (offline: "Waiting for the connection",
    whether or not it was tried before), and a waiting message always says when it is tried next."""

    def __init__(self) -> None:
        self.connectivity = "online"
        self.detail = ""
        self.until: float | None = None

    @property
    def held(self) -> bool:
        return self.connectivity in HELD_WORDS

    @property
    def stopped(self) -> bool:
        """Nothing is going out (offline, paused...); "delegated" is held here but another process sends."""
        return self.held and self.connectivity != "delegated"

    def state(self, message: StoredMessage) -> str:
        if message.state is S.QUEUED and self.held:
            return HELD_WORDS[self.connectivity][0]
        if message.state is S.QUEUED and message.last_error:
            return words("Waiting to retry")
        return words(message.state.label)

    def next_try(self, message: StoredMessage, now: float | None = None) -> str:
        """Never empty for a message that waits; never "5 s ago" for one that is due."""
        now = time.time() if now is None else now

        def when(moment: float | None) -> str:
            return relative_time(moment, now) if moment is not None and moment > now else "now"

        if message.state is S.SCHEDULED:
            return when(message.send_at)
        if message.state is not S.QUEUED:
            return ""
        if self.held:
            condition = HELD_WORDS[self.connectivity][1]
            later = max(self.until or 0.0, message.next_attempt_at or 0.0)
            return f"{when(later)}, {condition}" if later > now else condition[0].upper() + condition[1:]
        return when(message.next_attempt_at)

    def reason(self, message: StoredMessage) -> str:
        if message.state is S.QUEUED and self.held and self.detail:
            return self.detail
        return message.last_error


def outbox_columns(words: QueueWords) -> tuple[Column, ...]:
    return (
        Column(str(QT_TRANSLATE_NOOP("columns", "State")), words.state),
        Column(str(QT_TRANSLATE_NOOP("columns", "To")), lambda m: readable_recipients(m.recipients)),
        Column(str(QT_TRANSLATE_NOOP("columns", "Subject")), lambda m: m.subject),
        Column(str(QT_TRANSLATE_NOOP("columns", "Attempts")), lambda m: str(m.attempts)),
        Column(str(QT_TRANSLATE_NOOP("columns", "Next try")), lambda m: words.next_try(m), ticking=True),
        Column(str(QT_TRANSLATE_NOOP("columns", "Reason")), words.reason),
    )


OUTBOX_COLUMNS = outbox_columns(QueueWords())


class SendBurst:
    """How far the current burst of sending has got, from the outbox counts alone.

    A burst starts when something is queued or sending and ends when nothing is; its progress
    is how many messages have left the queue since it started (accepted, failed or outcome
    unknown) out of those plus the ones still going out."""

    def __init__(self) -> None:
        self._gone_at_start: int | None = None

    def update(self, counts: Mapping[OutboxState, int]) -> tuple[int, int]:
        """``(done, total)`` for these counts; ``(0, 0)`` when nothing is going out."""
        going = sum(counts.get(s, 0) for s in GOING_OUT)
        gone = sum(counts.get(s, 0) for s in GONE_OUT)
        if not going:
            self._gone_at_start = None
            return 0, 0
        if self._gone_at_start is None:
            self._gone_at_start = gone
        done = max(0, gone - self._gone_at_start)  # retention may purge history meanwhile
        return done, done + going


UNKNOWN_EXPLANATION = (
    "<b>Paubox may or may not have received this message.</b> The connection broke after the message was "
    "sent, so Sealpost cannot tell. If you can confirm it arrived (ask the recipient, or check the Paubox "
    "dashboard), choose <i>Mark as sent</i>. Otherwise <i>Resend</i> it, knowing the recipient might get it twice."
)


def group_words(group: RequestGroup) -> str:
    """When and why one request's messages are unknown, in the words the Outbox and its questions use."""
    when = shown_time(group.sent_at)
    count = len(group.message_ids)
    if count == 1:  # its reason is in the Reason column already
        return f"This message went to Paubox at {when}, in a request of its own."
    reason = group.reason or "No answer was recorded."
    return f"These {count} messages went to Paubox together at {when}, in one request. {reason}"


class OutboxView(QWidget):
    resolve_group_requested = Signal(object, bool)  # RequestGroup, resend (else mark sent)
    resend_requested = Signal(int)
    mark_sent_requested = Signal(int)
    cancel_requested = Signal(int)
    retry_requested = Signal(int)
    edit_requested = Signal(int)
    queue_emptied = Signal()  # everything that waited for the connection (or a resume) has gone out

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.words = QueueWords()
        self.model = MessageTableModel(outbox_columns(self.words), jobs, self)
        self._waited_while_held = False
        self.burst = SendBurst()
        self.notice = QLabel(self)
        self.notice.setObjectName("outboxNotice")
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName(self.tr("Connection notice"))
        self.notice.hide()
        self.resume_button = QPushButton(self.tr("Send waiting messages now"), self)
        self.resume_button.setAccessibleName(self.tr("Send waiting messages now"))
        self.resume_button.hide()
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName(self.tr("Sending progress"))
        self.progress.hide()
        self.explanation = QLabel(UNKNOWN_EXPLANATION, self)
        self.explanation.setObjectName("unknownExplanation")
        self.explanation.setAccessibleName(self.tr("What outcome unknown means"))
        self.explanation.setWordWrap(True)
        self.explanation.hide()
        self.group_facts = QLabel(self)
        self.group_facts.setObjectName("requestGroupFacts")
        self.group_facts.setAccessibleName(self.tr("The request this message went out in"))
        self.group_facts.setWordWrap(True)
        self.group_facts.hide()
        self.resend_group_button = QPushButton(self)
        self.mark_group_button = QPushButton(self)
        for button, resend, name in ((self.resend_group_button, True, "Resend the whole request"),
                                     (self.mark_group_button, False, "Mark the whole request as sent")):  # fmt: skip
            button.setAccessibleName(name)
            button.hide()
            button.clicked.connect(lambda _checked=False, r=resend: self._resolve_shown_group(r))
        self._jobs = jobs
        self._store: History | None = None
        self._shown_group: RequestGroup | None = None
        self.table = MessageTable(self)
        self.table.setModel(self.model)
        header = message_list(self.table, self.tr("Outbox messages"), (130, 230, 240, 80, 90))
        header.setStretchLastSection(True)
        self.empty = QLabel(self.tr("Nothing waiting. Messages you send appear here until Paubox accepts them."), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("emptyState")

        self.retry_button = QPushButton(self.tr("Retry now"), self)
        self.edit_button = QPushButton(self.tr("Edit"), self)
        self.resend_button = QPushButton(self.tr("Resend…"), self)
        self.mark_sent_button = QPushButton(self.tr("Mark as sent"), self)
        self.cancel_button = QPushButton(self.tr("Cancel message"), self)
        buttons = QHBoxLayout()
        for button, signal in (
            (self.retry_button, self.retry_requested),
            (self.edit_button, self.edit_requested),
            (self.resend_button, self.resend_requested),
            (self.mark_sent_button, self.mark_sent_requested),
            (self.cancel_button, self.cancel_requested),
        ):
            button.setAccessibleName(button.text().rstrip("…"))
            button.clicked.connect(lambda _checked=False, s=signal: self._emit_for_selection(s))
            buttons.addWidget(button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        notice_row = QHBoxLayout()
        notice_row.addWidget(self.notice, 1)
        notice_row.addWidget(self.resume_button)
        layout.addLayout(notice_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.explanation)
        group_row = QHBoxLayout()
        group_row.addWidget(self.group_facts, 1)
        group_row.addWidget(self.resend_group_button)
        group_row.addWidget(self.mark_group_button)
        layout.addLayout(group_row)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.listed.connect(self._update_empty)
        follow_shown(self, self.model)
        read_rows_on_screen(self.table, self.model)
        self.model.rows_read.connect(self._update_actions_if_read)
        self._update_empty()

    def set_store(self, store: History) -> None:
        from desktop_app.store.messages import HistoryFilter  # loaded with the store

        self._store = store
        self.model.set_store(store, HistoryFilter(states=OUTBOX_STATES))

    def selected(self) -> StoredMessage | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.message_at(rows[0].row()) if rows else None

    def _emit_for_selection(self, signal: Signal) -> None:
        message = self.selected()
        if message is not None:
            signal.emit(message.id)  # type: ignore[attr-defined]

    def _update_empty(self) -> None:
        has_rows = self.model.rowCount() > 0
        self.table.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        self._update_actions()

    def _update_actions_if_read(self, message_ids: set[int]) -> None:
        message = self.selected()
        if message is not None and message.id in message_ids:
            self._update_actions()

    def _update_actions(self) -> None:
        message = self.selected()
        state = message.state if message else None
        self.retry_button.setEnabled(state in (S.QUEUED, S.SCHEDULED))
        self.edit_button.setEnabled(state in (S.DRAFT, S.QUEUED, S.SCHEDULED, S.FAILED))
        self.explanation.setVisible(state is S.OUTCOME_UNKNOWN)
        self.resend_button.setEnabled(state in (S.OUTCOME_UNKNOWN, S.FAILED))
        self.mark_sent_button.setEnabled(state is S.OUTCOME_UNKNOWN)
        self.cancel_button.setEnabled(state in (S.QUEUED, S.SCHEDULED, S.OUTCOME_UNKNOWN, S.FAILED, S.DRAFT))
        self._show_group(message if state is S.OUTCOME_UNKNOWN else None)

    def _show_group(self, message: StoredMessage | None) -> None:
        """For an outcome-unknown message: the request it went in, and one action for all of it."""
        store = self._store
        if message is None or store is None:
            self._set_group(None)
            return
        name = message.decision_group

        def load(_token: object) -> RequestGroup | None:
            return next((g for g in store.unknown_groups() if g.name == name), None)

        def show(group: RequestGroup | None) -> None:
            current = self.selected()
            if current is not None and current.id == message.id:
                self._set_group(group)

        self._jobs.submit(load, name="request group", on_result=show, owner=self)

    def _set_group(self, group: RequestGroup | None) -> None:
        self._shown_group = group
        self.group_facts.setVisible(group is not None)
        several = group is not None and len(group.message_ids) > 1  # one message: the buttons below do it
        for button in (self.resend_group_button, self.mark_group_button):
            button.setVisible(several)
        if group is None:
            return
        count = len(group.message_ids)
        self.group_facts.setText(group_words(group))
        self.resend_group_button.setText(self.tr("Resend all {0}…").format(count))
        self.mark_group_button.setText(self.tr("Mark all {0} as sent…").format(count))

    def _resolve_shown_group(self, resend: bool) -> None:
        if self._shown_group is not None:
            self.resolve_group_requested.emit(self._shown_group, resend)

    def set_notice(self, text: str, *, can_resume: bool = False, connectivity: str = "",
                   detail: str = "", until: float | None = None) -> None:  # fmt: skip
        """Explain why nothing is going out; offer to resume when the queue is held for the user.
        ``connectivity`` (a services.outbox.Connectivity value) words the queued rows the same way."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        self.resume_button.setVisible(bool(text) and can_resume)
        words = self.words
        situation = connectivity or ("online" if not text else words.connectivity)
        if (situation, detail, until) != (words.connectivity, words.detail, words.until):
            words.connectivity, words.detail, words.until = situation, detail, until
            self.model.write_cells()
        if words.stopped:
            self.progress.hide()  # nothing is being sent: no "Sending: 0 of 2 done"

    def show_counts(self, counts: Mapping[OutboxState, int]) -> None:
        """Show how far the current burst of sending has got; hidden when idle, sending just one, or
        when nothing can go out. Once a queue that waited (offline, paused) has emptied, say so."""
        done, total = self.burst.update(counts)
        waiting = sum(counts.get(s, 0) for s in GOING_OUT)
        if self.words.held and waiting:
            self._waited_while_held = True
        elif not waiting and self._waited_while_held:
            self._waited_while_held = False
            self.queue_emptied.emit()
        moving = counts.get(S.SENDING, 0) > 0 or done > 0  # queued for a retry later is not "sending"
        sending = total > 1 and moving and not self.words.stopped  # another process's sending shows too
        self.progress.setVisible(sending)
        if sending:
            # setValue repaints at once (the window around it too, ≈ 10 ms each time the counts come in
            # while another process sends): with updates off meanwhile, it is painted with the next frame.
            self.progress.setUpdatesEnabled(False)
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.setFormat(f"Sending: {done} of {total} done")
            self.progress.setUpdatesEnabled(True)
