"""What the views read: the open runtime's history, behind a read-only face.

Views page through messages, count them, show one message's recipients and timeline, and hear
about changes; they never write. :func:`history` hands them the store typed as :class:`History`,
so a view that tried to change a message (or write the audit log) fails the type check: every
change goes through the runtime or a rule in ``services/``. This module loads nothing heavy, so
the window may import it before its first paint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from desktop_app.core.errors import KnownError

if TYPE_CHECKING:
    from desktop_app.core.outbox_state import OutboxState
    from desktop_app.core.records import RecipientDelivery
    from desktop_app.services.runtime import Runtime
    from desktop_app.store.history_pages import PageKey
    from desktop_app.store.messages import (
        AuditEntry,
        HistoryFilter,
        MessageStore,
        RequestGroup,
        StatusEvent,
        StoredMessage,
    )

NOT_OPEN = "Sealpost is still starting. Try again in a moment."


class NotOpen(KnownError):
    """The runtime has no open store yet (starting, switching profiles) or any more (closing)."""


class History(Protocol):
    """The read side of the message store."""

    def list_ids(self, flt: HistoryFilter, *, newest_first: bool = True) -> list[int]: ...
    def page(
        self, flt: HistoryFilter, *, limit: int, after: PageKey | None = None, newest_first: bool = True
    ) -> tuple[list[int], PageKey | None]: ...
    def count_matching(self, flt: HistoryFilter) -> int: ...
    def get(self, message_id: int) -> StoredMessage: ...
    def get_many(self, ids: Sequence[int]) -> list[StoredMessage]: ...
    def recipients_of(self, ids: Sequence[int]) -> list[str]: ...
    def counts_by_state(self) -> dict[OutboxState, int]: ...
    def unknown_groups(self) -> list[RequestGroup]: ...
    def recipient_statuses(self, message_id: int) -> list[RecipientDelivery]: ...
    def timeline(self, message_id: int) -> list[StatusEvent]: ...
    def daily_counts(self, start: float, days: int) -> dict[str, list[int]]: ...
    def on_change(self, listener: Callable[[int], None]) -> None: ...
    def audit_entries(self) -> list[AuditEntry]: ...


def open_store(runtime: Runtime) -> MessageStore:
    """The runtime's store for a rule in ``services/`` (reads and writes), or :class:`NotOpen`."""
    if runtime.store is None:
        raise NotOpen(NOT_OPEN)
    return runtime.store


def history(runtime: Runtime) -> History:
    """The runtime's store, read-only, for the views (or :class:`NotOpen`)."""
    return open_store(runtime)


def is_open(runtime: Runtime | None) -> bool:
    """Whether ``runtime`` has its store open (the window's views can be attached)."""
    return runtime is not None and runtime.store is not None
