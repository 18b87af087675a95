"""The rules around writing and sending a message, shared by the window and the ``sealpost`` command.

What deserves a second look before a message is queued (a domain never written to, many
recipients), queueing it (and remembering its domains), taking a message back for editing
(a failed one becomes a draft again), and the addresses offered while typing. They live here,
below the UI, so no screen carries a rule the command line lacks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.history import history, open_store

if TYPE_CHECKING:  # loaded with the runtime; the window imports this module before its first paint
    from desktop_app.core.addresses import Address
    from desktop_app.core.message import OutgoingMessage
    from desktop_app.services.runtime import Runtime
    from desktop_app.store.messages import StoredMessage

S = OutboxState
KNOWN_ADDRESS_MESSAGES = 500  # the newest sent or waiting messages whose recipients are offered
KNOWN_ADDRESS_STATES = (S.ACCEPTED, S.QUEUED, S.SCHEDULED)


def pre_send_concerns(runtime: Runtime, message: OutgoingMessage) -> list[str]:
    """Why this message deserves a second look, in words (empty: send it). Validation errors raise
    here, as the known errors they are, before anyone is asked anything."""
    runtime.prepare(message)
    found = []
    new = open_store(runtime).unknown_domains({a.domain for a in message.all_recipients})
    if new:
        found.append(
            f"This is the first message from this profile to {', '.join(new)}. Check the address: "
            "a typo in the domain sends patient information to a stranger."
        )
    count = len(message.all_recipients)
    if count > runtime.profile.settings.recipient_guard:
        found.append(f"It goes to {count} people. Use Bcc if they should not see each other's addresses.")
    return found


def queue_checked(runtime: Runtime, message: OutgoingMessage, *, undo: bool = True,
                  draft_id: int | None = None) -> StoredMessage:  # fmt: skip
    """Queue a message the user has confirmed; its domains are known from now on (no second question)."""
    stored = runtime.queue(message, undo=undo, draft_id=draft_id)
    open_store(runtime).remember_domains({a.domain for a in message.all_recipients})
    return stored


def open_for_editing(runtime: Runtime, message_id: int) -> OutgoingMessage:
    """A draft as it is; a failed message becomes a draft again; a waiting one is taken back (undo).

    Raises TransitionError once the message is being sent or was sent."""
    store = open_store(runtime)
    stored = store.get(message_id)
    if stored.state is S.DRAFT:
        return stored.message
    if stored.state is S.FAILED:
        store.transition(message_id, S.DRAFT, expected=[S.FAILED], detail="edited by user")
        return runtime.without_footer(stored.message)
    return runtime.undo(message_id)


def known_addresses(runtime: Runtime, limit: int = KNOWN_ADDRESS_MESSAGES) -> list[Address]:
    """Recipients of the newest ``limit`` sent or waiting messages, newest first, each once; an
    address that hard-bounced is never offered first. Read from the stored recipients column: the
    messages themselves (500 bodies of a mail merge) are never loaded for it."""
    from desktop_app.services.contacts import stored_addresses
    from desktop_app.services.drafts import hard_bounced
    from desktop_app.store.messages import HistoryFilter  # loaded with the store

    reader = history(runtime)
    seen: dict[Address, bool] = {}
    ids, _more = reader.page(HistoryFilter(states=KNOWN_ADDRESS_STATES), limit=limit)
    bounced = hard_bounced(reader)
    for address in stored_addresses(reader.recipients_of(ids)):
        seen.setdefault(address, address.email.lower() in bounced)
    return sorted(seen, key=seen.__getitem__)
