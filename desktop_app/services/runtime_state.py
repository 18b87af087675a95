"""What every part of the runtime shares: the profile, the engines once open, and the threads' state.

The parts (``runtime_actions``, ``runtime_sending``, ``runtime_endpoint``) are written beside
``runtime.py`` by concern; ``Runtime`` combines them and assigns all of this in ``__init__``.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from desktop_app.api.activity import ActivityEvent, ActivityHub, LatencyWindow
from desktop_app.api.client import PauboxClient
from desktop_app.services.audit_anchor import AuditAnchorKeeper
from desktop_app.services.audit_forwarding import AuditForwarder
from desktop_app.services.outbox import OutboxEngine
from desktop_app.services.ownership import SendingOwnership
from desktop_app.services.profile import Profile
from desktop_app.services.runtime_errors import SetupError
from desktop_app.services.tracker import StatusTracker
from desktop_app.store.database import IntegrityWatch
from desktop_app.store.messages import MessageStore


class EmbeddedSandbox(Protocol):
    """What the runtime needs of the embedded sandbox; the entry point starts it (services never import it)."""

    @property
    def base_url(self) -> str: ...

    @property
    def api_key(self) -> str: ...

    @property
    def root_url(self) -> str: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class Overrides:
    """Endpoint settings from the command line; they win over the profile for this run only.

    ``start_sandbox(delivery_delay, attachment_limit_mb)`` is how a profile in sandbox mode gets its embedded server:
    the composition root passes it (``desktop_app.sandbox.embedded.start_embedded_sandbox``).
    """

    api_base_url: str | None = None
    api_key: str | None = None
    sandbox_delivery_delay: float = 2.0
    allow_ephemeral_key: bool = True
    start_sandbox: Callable[[float, float], EmbeddedSandbox] | None = None


class RuntimeState:
    """The attributes ``Runtime.__init__`` sets, declared once for the parts that use them."""

    profile: Profile
    overrides: Overrides
    role: str
    ownership: SendingOwnership
    activity: ActivityHub
    metrics: LatencyWindow
    store: MessageStore | None
    client: PauboxClient | None
    outbox: OutboxEngine | None
    tracker: StatusTracker | None
    sandbox: EmbeddedSandbox | None
    ephemeral_key: bool
    key_missing: bool
    integrity: IntegrityWatch
    audit_anchor: AuditAnchorKeeper | None
    forwarder: AuditForwarder | None
    _closed: bool
    _stop_threads: threading.Event
    _background: list[threading.Thread]
    _owner_lock: threading.Lock
    _activity_queue: queue.SimpleQueue[ActivityEvent | None]
    _activity_thread: threading.Thread | None
    _redetecting: threading.Lock
    _switched_at: float

    def _require(self) -> tuple[MessageStore, OutboxEngine]:
        if self.store is None or self.outbox is None:
            raise SetupError("Sealpost is still starting.")
        return self.store, self.outbox

    def _store(self) -> MessageStore:
        if self.store is None:
            raise SetupError("Sealpost is still starting.")
        return self.store
