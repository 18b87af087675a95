"""The runtime's message actions, shared by the GUI and the headless commands: each checks, stores,
wakes the engine, and says what happened."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from desktop_app.core.footer import Footer, footer_from_setting
from desktop_app.core.message import TEMPLATE, OutgoingMessage, message_to_dict
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services import policy_rules
from desktop_app.services.runtime_state import RuntimeState
from desktop_app.store.messages import BatchSummary, HistoryFilter, StoredMessage

if TYPE_CHECKING:  # the sanitiser (bleach, html5lib, nh3) loads at the first message, not with the engines
    from desktop_app.services.mailmerge import MergePlan

log = logging.getLogger("desktop_app.services.runtime")


class BatchOutcome(StrEnum):
    QUEUED = "queued"  # a new batch: every row queued now
    RESUMED = "resumed"  # the same batch was stored and not finished: nothing queued twice
    ALREADY_SENT = "already_sent"  # the same batch was stored and settled: nothing queued


@dataclass(frozen=True)
class BatchStart:
    batch_id: str
    message_ids: list[int]
    outcome: BatchOutcome
    stored: BatchSummary | None = None  # what was already stored, when resumed or already sent


class MessageActions(RuntimeState):
    """What the GUI and the CLI ask of the outbox: queue, undo, batches, drafts, resend, cancel, wait."""

    def prepare(self, message: OutgoingMessage) -> OutgoingMessage:
        """Sanitise the HTML body and derive the plain-text part, then validate."""
        from desktop_app.core.sanitize import check_body_size, html_to_text, sanitize_html

        if message.html:
            check_body_size(message.html)
        html = sanitize_html(message.html) if message.html else ""
        text = message.text or (html_to_text(html) if html else "")
        prepared = self._with_footer(self._governed(replace(message, html=html, text=text)))
        self.validate(prepared)
        return prepared

    def _governed(self, message: OutgoingMessage) -> OutgoingMessage:
        """The policies' defaults and locks applied (services/policy_rules.py)."""
        return policy_rules.govern(message, self.profile.settings, self.profile.origins)

    def footer(self) -> Footer | None:
        """The profile's organisation footer, sanitised (cached while the setting is unchanged)."""
        return footer_from_setting(self.profile.settings.message_footer)

    def _with_footer(self, message: OutgoingMessage) -> OutgoingMessage:
        """The one place a footer is added (a Paubox dynamic template's body is Paubox's to render)."""
        footer = self.footer()
        return message if footer is None or message.meta.get(TEMPLATE) else footer.apply(message)

    def without_footer(self, message: OutgoingMessage) -> OutgoingMessage:
        """A stored message as the user wrote it: the footer comes back on when it is sent again."""
        footer = self.footer()
        return message if footer is None else footer.remove(message)

    def _footered(self, rows: Iterable[tuple[int, OutgoingMessage]]) -> Iterator[tuple[int, OutgoingMessage]]:
        return ((row, self._with_footer(self._governed(message))) for row, message in rows)

    def validate(self, prepared: OutgoingMessage) -> None:
        """Raise MessageError or AddressError if a prepared message (HTML sanitised) would be refused.

        Mail merge renders its rows from a template sanitised once per batch and checks each row
        with this alone (services/mailmerge.py); :meth:`prepare` is this after sanitising.
        """
        # A Paubox dynamic template is the body of a templated message; check everything else.
        checked = replace(prepared, text="(template)") if prepared.meta.get(TEMPLATE) else prepared
        checked.validate(int(self.profile.settings.attachment_limit_mb * 1024 * 1024))
        policy_rules.check(prepared, self.profile.settings, self.profile.origins)

    def queue(
        self, message: OutgoingMessage, *, send_at: float | None = None, undo: bool = False,
        draft_id: int | None = None,
    ) -> StoredMessage:  # fmt: skip
        """Validate, sanitise and store the message durably, then wake the sender.

        ``undo=True`` holds it for ``Settings.undo_seconds`` (as a scheduled message) so
        :meth:`undo` can still take it back; ``send_at`` is a local "send later" time;
        ``draft_id`` sends that autosaved draft (with this content) instead of adding a row.
        """
        store, outbox = self._require()
        prepared = self.prepare(message)
        if send_at is None and undo and self.profile.settings.undo_seconds > 0:
            send_at = time.time() + self.profile.settings.undo_seconds
        state = OutboxState.SCHEDULED if send_at is not None else OutboxState.QUEUED
        if draft_id is None:
            stored = store.add(prepared, state=state, send_at=send_at)
        else:
            store.replace_content(draft_id, prepared, expected=OutboxState.DRAFT)
            stored = store.transition(draft_id, state, expected=[OutboxState.DRAFT], send_at=send_at,
                                      detail="sent from draft")  # fmt: skip
        store.audit("queue" if send_at is None else "schedule", message_id=stored.id)
        outbox.wake()
        return stored

    def undo(self, message_id: int) -> OutgoingMessage:
        """Take back a message that has not gone out yet: it becomes a draft again (returned for editing).

        Raises TransitionError once it is being sent or was sent; the undo window is over then.
        """
        store, _ = self._require()
        stored = store.transition(
            message_id, OutboxState.DRAFT, expected=[OutboxState.SCHEDULED, OutboxState.QUEUED],
            send_at=None, next_attempt_at=None, detail="undone by user", audit="undo",
        )  # fmt: skip
        return self.without_footer(stored.message)

    def queue_batch(self, batch_id: str, rows: Iterable[tuple[int, OutgoingMessage]]) -> list[int]:
        """Queue a mail-merge batch atomically (all rows or none; a known batch id is not queued twice).

        Rows of a plan (:class:`MergedRows`) are prepared already; any others are prepared here,
        one at a time as they are written (a refused one rolls the whole batch back).
        """
        from desktop_app.services.mailmerge import MergedRows

        store, outbox = self._require()
        prepared = self._footered(rows) if isinstance(rows, MergedRows) else ((r, self.prepare(m)) for r, m in rows)
        ids = store.add_batch(batch_id, prepared)
        store.audit("queue_batch", detail=f"batch {batch_id[:16]}, {len(ids)} messages")
        outbox.wake()
        return ids

    def start_batch(self, plan: MergePlan, *, again: bool = False, opened_at: float | None = None) -> BatchStart:
        """Queue a planned mail merge, resume it, or say it was already sent.

        The same batch (same id: same rows, body, sender, switches) resumes where it stopped and
        never queues a row twice; once every message of it is settled it is not queued again
        unless ``again``, which queues one new, separately identified run (audited). A batch whose
        last message was accepted after ``opened_at`` was still waiting when this run opened (its
        engines sent the rest at once), so it resumes: the user asked to send it, and it was sent.
        """
        from desktop_app.services.mailmerge import rerun_id

        store, outbox = self._require()
        base = plan.batch_id
        if plan.legacy_batch_id and store.batch_summary(base) is None and self._stored_as(plan.legacy_batch_id, plan):
            base = plan.legacy_batch_id  # a batch an earlier version started, with exactly these messages
        runs: list[BatchSummary] = []
        while (summary := store.batch_summary(rerun_id(base, len(runs)))) is not None:
            runs.append(summary)
        finished_now = runs and opened_at is not None and (runs[-1].last_accepted_at or 0.0) >= opened_at
        if runs and (not runs[-1].settled or finished_now):
            latest = runs[-1]
            ids = store.add_batch(latest.batch_id, self._footered(plan.rows))  # finds the stored rows: queues nothing
            return BatchStart(latest.batch_id, ids, BatchOutcome.RESUMED, latest)
        if runs and not again:
            return BatchStart(runs[-1].batch_id, [], BatchOutcome.ALREADY_SENT, runs[-1])
        batch_id = rerun_id(base, len(runs))
        ids = store.add_batch(batch_id, self._footered(plan.rows))
        rerun = f", sent again on purpose (run {len(runs) + 1})" if runs else ""
        store.audit("queue_batch", detail=f"batch {batch_id[:16]}, {len(ids)} messages{rerun}")
        outbox.wake()
        return BatchStart(batch_id, ids, BatchOutcome.QUEUED)

    def _stored_as(self, batch_id: str, plan: MergePlan) -> bool:
        """Whether ``batch_id`` holds exactly the messages ``plan`` would queue (row by row)."""
        stored = self._store().batch_payloads(batch_id)
        if len(stored) != len(plan.rows):  # nothing stored under that id (the usual case): render nothing
            return False
        planned = {line: json.dumps(message_to_dict(message)) for line, message in self._footered(plan.rows)}
        return bool(stored) and stored == planned

    def resolve_group(self, group: str, *, resend: bool) -> list[int]:
        """The user's decision for every outcome-unknown message of one request (see ``sealpost outbox``).

        Marking sent only writes to the store, so ``sealpost outbox resolve --mark-sent`` needs no sender
        (it opens without engines); a resend does, to send them.
        """
        if not resend:
            return self._store().resolve_group(group, resend=False)  # StoreError in words if nothing waits
        store, outbox = self._require()
        ids = store.resolve_group(group, resend=True)
        outbox.wake()
        return ids

    def save_draft(self, message: OutgoingMessage, draft_id: int | None = None) -> int:
        """Autosave (no validation: drafts may be incomplete); returns the draft's id."""
        store = self._store()
        return store.save_draft(message, draft_id)

    def drafts(self) -> list[StoredMessage]:
        store = self._store()
        return store.get_many(store.list_ids(HistoryFilter(states=(OutboxState.DRAFT,))))

    def load_draft(self, draft_id: int) -> OutgoingMessage:
        return self._store().get(draft_id).message

    def delete_draft(self, draft_id: int) -> None:
        self._store().delete_draft(draft_id)

    def send_queued_now(self) -> None:
        """The user answered "send now" after reconnecting (offline policy "ask"), or resumed a hold."""
        _, outbox = self._require()
        outbox.hold(False)

    def resend(self, message_id: int) -> None:
        """The user chose to send an outcome-unknown or failed message again (possible duplicate)."""
        store, outbox = self._require()
        store.transition(message_id, OutboxState.QUEUED, expected=[OutboxState.OUTCOME_UNKNOWN, OutboxState.FAILED],
                         next_attempt_at=None, last_error="", detail="resent by user", audit="resend")  # fmt: skip
        outbox.wake()

    def mark_sent(self, message_id: int) -> None:
        store, _ = self._require()
        store.transition(message_id, OutboxState.ACCEPTED, expected=[OutboxState.OUTCOME_UNKNOWN],
                         last_error="", detail="marked sent by user", audit="mark_sent")  # fmt: skip

    def cancel(self, message_id: int) -> None:
        store, _ = self._require()
        store.transition(
            message_id, OutboxState.CANCELLED,
            expected=[OutboxState.QUEUED, OutboxState.SCHEDULED, OutboxState.OUTCOME_UNKNOWN,
                      OutboxState.FAILED, OutboxState.DRAFT],
            detail="cancelled by user", audit="cancel",
        )  # fmt: skip

    def retry_now(self, message_id: int) -> None:
        store, outbox = self._require()
        store.transition(message_id, OutboxState.QUEUED, expected=[OutboxState.QUEUED, OutboxState.SCHEDULED],
                         next_attempt_at=None, send_at=None, detail="retry now")  # fmt: skip
        outbox.wake()

    def wait_until(
        self, message_id: int, states: set[OutboxState], timeout: float, give_up: Callable[[], object] | None = None
    ) -> StoredMessage:
        """Block (headless callers only) until the message reaches one of ``states``, or ``give_up()`` is truthy."""
        store, _ = self._require()
        deadline = time.monotonic() + timeout
        changed = threading.Event()
        store.on_change(lambda changed_id: changed.set() if changed_id == message_id else None)
        while True:
            stored = store.get(message_id)
            if stored.state in states:
                return stored
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (give_up is not None and give_up()):
                return stored
            changed.wait(min(remaining, 0.5))
            changed.clear()
