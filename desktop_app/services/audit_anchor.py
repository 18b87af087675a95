"""Keeps the head of the audit chain in the OS keyring, so cutting entries off its end shows.

A hash chain inside the database proves that no entry was edited or removed from the middle,
but someone holding the database key could delete the newest entries and leave a shorter chain
that still verifies. The head (newest entry id and hash) is therefore also written to the
keyring, off the caller's thread and coalesced (only the latest head matters), and verification
checks the chain against it. The anchor may lag by the last second's entries after a crash,
which verification tolerates (it never leads the chain).
"""

from __future__ import annotations

import logging
import threading

from desktop_app.store import keys
from desktop_app.store.messages import AuditAnchor

log = logging.getLogger(__name__)


MIN_INTERVAL = 1.0
"""Seconds between keyring writes: a burst of audited actions costs one D-Bus call, not hundreds."""


class AuditAnchorKeeper:
    def __init__(self, profile_id: str) -> None:
        self._profile_id = profile_id
        self._latest: AuditAnchor | None = None
        self._written: AuditAnchor | None = None
        self._wake = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="audit-anchor", daemon=True)

    def start(self) -> None:
        try:
            stored = keys.load_audit_anchor(self._profile_id)
        except keys.KeyringUnavailable:
            stored = None
        self._latest = self._written = AuditAnchor.decode(stored) if stored else None
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Write the last head before returning, so a clean exit leaves the anchor current."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def record(self, anchor: AuditAnchor) -> None:
        """Called after each committed audit entry (any thread); never blocks on the keyring."""
        with self._wake:
            self._latest = anchor
            self._wake.notify_all()

    @property
    def current(self) -> AuditAnchor | None:
        with self._wake:
            return self._latest

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._latest == self._written and not self._stopping:
                    self._wake.wait()
                latest, stopping = self._latest, self._stopping
            if latest is not None and latest != self._written:
                try:
                    keys.store_audit_anchor(self._profile_id, latest.encode())
                    self._written = latest
                except keys.KeyringUnavailable as error:
                    log.warning("could not record the audit anchor: %s", error)
                    self._written = latest  # do not spin; the next entry tries again
            if stopping:
                return
            with self._wake:
                self._wake.wait_for(lambda: self._stopping, timeout=MIN_INTERVAL)
