"""Drafts and messages made from sent ones, below the UI: what the Drafts list, the sent-message view
and "Correct the address and resend" need, so the views only show and ask.

A draft is a message in the ``draft`` state (autosave writes it, see ``MessageStore.save_draft``);
a message made from a sent one is always a *new* message for the composer, never the sent one
queued again, so its history stays as it was."""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from pathlib import Path

from desktop_app.core.delivery_status import DELIVERY_STATUSES, FINAL_BOUNCED, FINAL_DELIVERED
from desktop_app.core.errors import KnownError
from desktop_app.core.message import TEMPLATE, TEMPLATE_VALUES, Attachment, OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.core.records import RecipientDelivery
from desktop_app.services.history import History
from desktop_app.store.messages import HistoryFilter, MessageStore, StatusEvent, StoredMessage

FORWARD_PREFIX = "Fwd: "
SOFT_BOUNCED = frozenset({"soft bounced", "soft bounced - mailbox full"})


class DraftGone(KnownError):
    """The draft was sent, discarded or deleted meanwhile (another window, or autosave's last word)."""


def list_drafts(store: History) -> list[StoredMessage]:
    """Every draft, the one edited last first (what a front desk looks for)."""
    drafts = store.get_many(store.list_ids(HistoryFilter(states=(OutboxState.DRAFT,))))
    return sorted(drafts, key=lambda m: (m.updated_at, m.id), reverse=True)


def open_draft(store: History, draft_id: int) -> OutgoingMessage:
    stored = store.get(draft_id)
    if stored.state is not OutboxState.DRAFT:
        raise DraftGone("This draft is no longer a draft: it was sent or discarded meanwhile.")
    return stored.message


def delete_draft(store: MessageStore, draft_id: int) -> None:
    """Delete for good (it was never sent, so there is no history to keep); the deletion is audited."""
    try:
        store.delete_draft(draft_id)
    except KnownError as error:
        raise DraftGone("This draft was already sent or deleted.") from error
    store.audit("delete_draft", message_id=draft_id)


@dataclass(frozen=True)
class SentMessage:
    """A sent message as its read-only view shows it (read on a worker)."""

    stored: StoredMessage
    message: OutgoingMessage
    statuses: list[RecipientDelivery]
    events: list[StatusEvent]

    @property
    def delivered_to(self) -> list[str]:
        return [s.recipient for s in self.statuses if s.delivery_status in FINAL_DELIVERED]

    @property
    def bounced(self) -> list[str]:
        return [s.recipient for s in self.statuses if s.delivery_status in FINAL_BOUNCED | SOFT_BOUNCED]


def load_sent(store: History, message_id: int) -> SentMessage:
    """Read on a worker, body sanitised again here (what was stored was sanitised when it was sent)."""
    from desktop_app.core.sanitize import sanitize_html

    stored = store.get(message_id)
    message = stored.message
    if message.html:
        message = replace(message, html=sanitize_html(message.html))
    return SentMessage(stored, message, store.recipient_statuses(message_id), store.timeline(message_id))


def is_bounced(status: str) -> bool:
    """Hard or soft: either way the recipient has not got it (and has no delivered time)."""
    return status in FINAL_BOUNCED or status in SOFT_BOUNCED


def as_new(message: OutgoingMessage) -> OutgoingMessage:
    """The same message as a new one: what Resend and "Correct the address" put in the composer."""
    return replace(message, meta={k: v for k, v in message.meta.items() if k in (TEMPLATE, TEMPLATE_VALUES)})


def forwarded(message: OutgoingMessage) -> OutgoingMessage:
    """The body and attachments for someone else: no recipients, "Fwd:" before the subject."""
    subject = message.subject if message.subject.startswith(FORWARD_PREFIX) else FORWARD_PREFIX + message.subject
    return replace(as_new(message), to=(), cc=(), bcc=(), reply_to=None, subject=subject)


def size_text(size: int) -> str:
    """A file size as people read it: bytes, KB (whole) or MB (one decimal)."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def attachment_size(attachment: Attachment) -> int:
    """The file's own size (what "Save a copy" writes), from its base64 length without decoding it."""
    data = attachment.content_b64
    return len(data) * 3 // 4 - data[-2:].count("=") if data else 0


def save_attachment(attachment: Attachment, path: Path) -> None:
    """Write one attachment's bytes to ``path`` (private to the user: it may be PHI)."""
    data = base64.b64decode(attachment.content_b64, validate=True)
    try:
        path.write_bytes(data)
        path.chmod(0o600)
    except OSError as error:
        raise AttachmentNotSaved(f"The copy could not be saved to {path.name}: {error.strerror or error}.") from None


class AttachmentNotSaved(KnownError):
    """The disk refused the copy (no space, no permission)."""


_TIMELINE_WORDS = {
    ("draft", ""): "Draft saved",
    ("draft", "undone by user"): "Undone by you: back to a draft",
    ("draft", "edited by user"): "Brought back for editing",
    ("scheduled", "sent from draft"): "Send pressed (waiting out the undo time)",
    ("scheduled", ""): "Send pressed (waiting out the undo time)",
    ("queued", ""): "Waiting to send",
    ("queued", "scheduled time reached"): "Undo time over: waiting to send",
    ("queued", "resent by user"): "Resent by you",
    ("queued", "retry now"): "Retry asked by you",
    ("accepted", ""): "Accepted by Paubox",
    ("accepted", "marked sent by user"): "Marked as sent by you",
    ("cancelled", "cancelled by user"): "Cancelled by you",
}
_KIND_WORDS = {"sending": "Sending", "outcome_unknown": "Outcome unknown", "failed": "Failed",
               "cancelled": "Cancelled", "accepted": "Accepted by Paubox", "queued": "Waiting to send",
               "scheduled": "Scheduled", "draft": "Draft"}  # fmt: skip


def timeline_words(kind: str, detail: str) -> str:
    """One timeline step in the user's words (never a state name such as 'Scheduled — sent from draft')."""
    known = _TIMELINE_WORDS.get((kind, detail))
    if known is not None:
        return known
    if kind == "opened":
        return f"Opened by {detail}" if detail else "Opened by a recipient"
    if kind in DELIVERY_STATUSES:  # a receipt's word for one recipient (the detail names them)
        words = kind[0].upper() + kind[1:]
        return f"{words}: {detail}" if detail else words
    if kind in _KIND_WORDS:
        words = _KIND_WORDS[kind]
        return f"{words} ({detail})" if detail else words
    return f"Paubox reports: {kind}" + (f" ({detail})" if detail else "")


def hard_bounced(store: History, limit: int = 500) -> set[str]:
    """Addresses (lower case) that hard-bounced in recent history, so suggestions offer them last."""
    ids, _more = store.page(HistoryFilter(states=(OutboxState.ACCEPTED,), delivery_status="hard bounced"), limit=limit)
    return {s.recipient.lower() for i in ids for s in store.recipient_statuses(i) if s.delivery_status in FINAL_BOUNCED}
