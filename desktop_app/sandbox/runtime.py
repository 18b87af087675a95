"""The live sandbox: configuration, state, fault injector and webhook dispatcher in one place.

Created on, and only touched from, the server's event-loop thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
import time
import uuid

from aiohttp import web

from .config import SandboxConfig
from .delivery import WEBHOOK_EVENTS, Timeline, links_in, outcome_for
from .faults import FaultInjector
from .messages import OutgoingMessage, SendOptions, domain_of
from .state import SandboxState, StoredMessage
from .webhooks import WebhookDispatcher


class Runtime:
    def __init__(self, config: SandboxConfig, api_key: str, webhooks_key: str = "") -> None:
        self.config = config
        self.api_key = api_key
        self.webhooks_key = webhooks_key
        # Scoped keys of the webhooks service: key → the events it may use. The configured key
        # has every event; tests mint narrower ones through POST /_sandbox/webhook_keys.
        self.webhook_keys: dict[str, frozenset[str]] = {}
        self._reset_keys()
        self.verified_domains = frozenset(d.lower() for d in config.verified_domains)
        self.attachment_limit = config.attachment_limit_bytes
        self.state = SandboxState(config.retention)
        self.faults = FaultInjector(config.faults)
        self.webhooks = WebhookDispatcher(
            self.state, retries=config.webhook_retries, timeout=config.webhook_timeout, ca_file=config.webhook_ca_file
        )
        self.closing = asyncio.Event()  # set at shutdown: ends deliberately hanging responses

    def accept(
        self, message: OutgoingMessage, kind: str, tracking_id: str | None = None, options: SendOptions | None = None
    ) -> StoredMessage:
        """Record an accepted message and fix each recipient's outcome; returns the stored record.

        The body is dropped here (only its digest and, for click simulation, its links are kept)
        so that the retention cap bounds memory whatever the message sizes. Tracking is the
        send's override when it carried one, else the account default (``SandboxConfig``).
        """
        options = options or SendOptions()
        open_tracking = self.config.open_tracking if options.open_tracking is None else options.open_tracking
        link_tracking = self.config.link_tracking if options.link_tracking is None else options.link_tracking
        envelope = message.envelope
        single = len(envelope) == 1
        outcomes = tuple(
            outcome_for(
                address,
                force_secure=message.force_secure_notification,
                allow_non_tls=message.allow_non_tls,
                single=single,
                open_tracking=open_tracking,
                link_tracking=link_tracking,
            )
            for address in envelope
        )
        stored = StoredMessage(
            tracking_id=tracking_id or str(uuid.uuid4()),
            kind=kind,
            message=dataclasses.replace(message, text=None, html=None),
            message_id=f"<{uuid.uuid4()}@{domain_of(message.sender)}>",
            timeline=Timeline(time.time(), self.config.delivery_delay),
            envelope=envelope,
            outcomes=outcomes,
            links=links_in(message.html) if any(o.clicked for o in outcomes) else (),
            digest=message.digest(),
            options=options,
            open_tracking=open_tracking,
            link_tracking=link_tracking,
        )
        self.state.add_message(stored)
        self.webhooks.schedule(stored)
        return stored

    def count(self, endpoint: str, outcome: int | str) -> None:
        self.state.stats[(endpoint, str(outcome))] += 1

    def _reset_keys(self) -> None:
        self.webhook_keys = {self.webhooks_key: frozenset(WEBHOOK_EVENTS)} if self.webhooks_key else {}

    def mint_webhooks_key(self, events: frozenset[str]) -> str:
        key = "whk_" + secrets.token_urlsafe(24)
        self.webhook_keys[key] = events
        return key

    def reset(self) -> None:
        self._reset_keys()
        self.webhooks.reset()
        self.state.clear()
        self.faults.reset_counters()


RUNTIME = web.AppKey("runtime", Runtime)
