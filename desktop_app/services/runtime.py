"""Assembles the app's engines for one profile: keyring → encrypted store → endpoint → client →
outbox and status tracker. The GUI, the CLI and the self-test all run on this one object.

``open()`` does disk and keyring work and may take a moment: call it off the GUI thread.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import queue
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

from desktop_app.api.activity import ActivityEvent, ActivityHub, LatencyWindow
from desktop_app.api.client import PauboxClient
from desktop_app.api.config import Secret, check_base_url
from desktop_app.services.audit_anchor import AuditAnchorKeeper
from desktop_app.services.audit_forwarding import AuditForwarder
from desktop_app.services.connectivity import OfflinePolicy
from desktop_app.services.outbox import SHUTDOWN_WAIT_SECONDS, OutboxEngine
from desktop_app.services.ownership import ProfileBusy, SendingOwnership, opening_profile
from desktop_app.services.profile import Mode, Profile
from desktop_app.services.runtime_actions import BatchOutcome, BatchStart, MessageActions
from desktop_app.services.runtime_endpoint import API_KEY_ENV, EndpointSetup
from desktop_app.services.runtime_errors import SetupError
from desktop_app.services.runtime_sending import SendingCoordination
from desktop_app.services.runtime_state import EmbeddedSandbox, Overrides
from desktop_app.services.tracker import StatusTracker
from desktop_app.store import keys
from desktop_app.store.database import (
    IN_USE_SUFFIX,
    Connection,
    IntegrityWatch,
    StoreError,
    open_database,
    wipe_freed_memory,
)
from desktop_app.store.messages import MessageStore
from desktop_app.store.unlock import open_profile_database

log = logging.getLogger(__name__)


T = TypeVar("T")


def _in_background(work: Callable[[], T], name: str) -> Callable[[], T]:
    """Start ``work`` on a thread now; the returned call waits for it, then returns or raises its outcome."""
    outcome: list[tuple[bool, object]] = []

    def run() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as error:
            outcome.append((False, error))

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()

    def result() -> T:
        thread.join()
        done, value = outcome[0]
        if not done:
            assert isinstance(value, BaseException)
            raise value
        return cast(T, value)

    return result


class Runtime(MessageActions, SendingCoordination, EndpointSetup):
    def __init__(self, profile: Profile, overrides: Overrides | None = None, *, role: str = "Sealpost") -> None:
        """``role`` names this process to others on the same profile ("sealpost batch", "the Sealpost window")."""
        self.profile = profile
        self.overrides = overrides or Overrides()
        self.role = role
        self.ownership = SendingOwnership(profile.directory, role=role)
        self.activity = ActivityHub()
        self.metrics = LatencyWindow()
        self.activity.subscribe(self.metrics.add)
        self.store: MessageStore | None = None
        self.client: PauboxClient | None = None
        self.outbox: OutboxEngine | None = None
        self.tracker: StatusTracker | None = None
        self.sandbox: EmbeddedSandbox | None = None
        self.ephemeral_key = False
        self.key_missing = False
        self.integrity = IntegrityWatch()
        self.audit_anchor: AuditAnchorKeeper | None = None
        self.forwarder: AuditForwarder | None = None
        self._closed = False
        self._stop_threads = threading.Event()
        self._background: list[threading.Thread] = []
        self._owner_lock = threading.Lock()
        self._activity_queue: queue.SimpleQueue[ActivityEvent | None] = queue.SimpleQueue()
        self._activity_thread: threading.Thread | None = None
        self._redetecting = threading.Lock()
        self._switched_at = -math.inf  # time.monotonic() of the last endpoint switch by _redetect

    # ------------------------------------------------------------------ lifecycle

    @property
    def is_sandbox(self) -> bool:
        return self.overrides.api_base_url is None and self.profile.settings.mode is Mode.SANDBOX

    @property
    def _starts_sandbox(self) -> bool:
        return self.is_sandbox and self.overrides.start_sandbox is not None

    def verify_audit(self) -> int | None:
        """Check the audit chain against its head kept in the keyring: the id of the first entry
        that was changed or removed, or None when the trail is intact."""
        if self.store is None:
            raise SetupError("Sealpost is still starting.")
        return self.store.verify_audit_chain(self.audit_anchor.current if self.audit_anchor else None)

    def on_integrity_problem(self, callback: Callable[[str], None]) -> None:
        """``callback(message)`` if the background integrity check finds the database damaged.

        Large databases that were closed cleanly are checked after start-up (see store.database);
        the callback runs on the checking thread (a GUI must cross to its own thread to show the
        message) and at once if the damage was already found. The message is for the user.
        """
        self.integrity.on_problem(callback)

    def open(self, *, start_engines: bool = True) -> None:
        """Open the store and start the engines. Raises SetupError with words for the user.

        ``start_engines=False`` opens the store only (read-only headless commands): nothing is
        sent, polled or recovered, and no endpoint or API key is needed.
        """
        if start_engines and self.overrides.api_base_url is not None:
            try:  # a refused endpoint is said before anything is opened or created
                check_base_url(self.overrides.api_base_url)
            except ValueError as error:
                raise SetupError(str(error)) from None
        # The embedded sandbox starts meanwhile: the keyring's D-Bus replies, SQLCipher and its
        # certificates load without the GIL, so the two overlap (≈ 0.1 to 0.2 s of every sandbox start).
        early = _in_background(self._api_config, "sandbox-start") if start_engines and self._starts_sandbox else None
        try:
            with opening_profile(self.profile.directory):
                self.store = MessageStore(self._open_database())
        except BaseException as error:
            if early is not None:
                with contextlib.suppress(Exception):
                    early()
                if self.sandbox is not None:
                    self.sandbox.stop()
            if isinstance(error, StoreError | ProfileBusy):
                raise SetupError(str(error)) from None
            raise
        if not self.ephemeral_key:
            self.audit_anchor = AuditAnchorKeeper(self.profile.settings.profile_id)
            self.audit_anchor.start()
            self.store.on_audit(self.audit_anchor.record)
        for problem in self.profile.policies.problems:  # each start that meets them records them
            self.store.audit("policy_problem", actor="policy", detail=problem)
        self.purge_expired()
        if not start_engines:
            return
        try:
            config = early() if early is not None else self._api_config()
        except ValueError as error:  # a refused endpoint (plain http to a remote host, a malformed URL)
            self.close()
            raise SetupError(str(error)) from None
        config = self._detected(config)
        self.client = PauboxClient(config, on_activity=self.activity.publish)
        self.outbox = OutboxEngine(
            self.store, self.client, offline_policy=OfflinePolicy(self.profile.settings.offline_policy),
            owner=self.ownership.owner_id,
        )  # fmt: skip
        self.outbox.on_wrong_endpoint(self._redetect)
        self.tracker = StatusTracker(
            self.store, self.client, polls_per_minute=self.profile.settings.poll_budget_per_minute,
            sending_limit=self.client.limiter,
        )  # fmt: skip
        self.activity.subscribe(self._activity_queue.put)
        self._activity_thread = threading.Thread(target=self._write_activity, name="activity-writer", daemon=True)
        self._activity_thread.start()
        # A newly accepted message is due for its first poll within a second: the tracker must not
        # sleep out its idle interval (it is woken only if it would).
        self.outbox.on_accepted(self.tracker.expect_poll)
        if self.ownership.try_acquire():
            self._start_sending()
        else:
            self._show_delegated()
            self._spawn(self._wait_for_ownership, "sending-takeover")
        self._spawn(self._follow_other_processes, "other-process-changes")

    # ------------------------------------------------------------------ ownership

    def close(self, *, drain_seconds: float = SHUTDOWN_WAIT_SECONDS) -> None:
        """Stop everything and close the store; calling it again does nothing.

        Requests in flight get ``drain_seconds`` to be answered (``DRAIN_SECONDS`` for a command
        that finished its own work normally); whatever is still unanswered then is left to the
        next sending owner, which settles it.
        """
        with self._owner_lock:
            if self._closed:
                return
            self._closed = True
        self._stop_threads.set()
        for thread in self._background:
            thread.join(5.0)
        self.integrity.stop()
        if self.outbox is not None:
            self.outbox.stop(drain_seconds=drain_seconds)
        if self.tracker is not None:
            self.tracker.stop()
        if self._activity_thread is not None:
            self._activity_queue.put(None)
            self._activity_thread.join(5.0)
        if self.client is not None:
            self.client.close()
        if self.sandbox is not None:
            self.sandbox.stop()
        if self.audit_anchor is not None:
            self.audit_anchor.stop()
        if self.forwarder is not None:
            self.forwarder.stop()
        if self.store is not None:
            self.store.close()
        self.ownership.release()  # only now: nothing of ours can claim or settle a message any more
        if self.ephemeral_key:
            _remove_database_files(self._ephemeral_path())

    def _open_database(self) -> Connection:
        if self.profile.settings.wipe_database_memory:
            wipe_freed_memory()
        try:
            return open_profile_database(
                self.profile.database_path, self.profile.settings.profile_id, watch=self.integrity
            )
        except keys.KeyringUnavailable as error:
            if not (self.is_sandbox and self.overrides.allow_ephemeral_key):
                raise SetupError(str(error)) from None
            # Sandbox without a keyring: a key that exists only in memory for this session. The
            # database is unreadable once the app exits and is deleted then; nothing is stored in clear.
            log.warning("no OS keyring: sandbox data is kept for this session only")
            self.ephemeral_key = True
            path = self._ephemeral_path()
            _remove_database_files(path)
            return open_database(path, secrets.token_bytes(keys.DATABASE_KEY_BYTES))

    def _ephemeral_path(self) -> Path:
        # One file per process: a key that lives only in this process's memory opens only this file,
        # and a second process on the profile must not delete it at its own start.
        return self.profile.directory / f"sandbox-session-{os.getpid()}.db"

    # ------------------------------------------------------------------ endpoint detection

    def _write_activity(self) -> None:
        """Persist activity in small batches on its own thread so senders never wait on disk."""
        assert self.store is not None
        while True:
            first = self._activity_queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < 200:
                try:
                    item = self._activity_queue.get(timeout=0.05)
                except queue.Empty:
                    break
                if item is None:
                    self._flush_activity(batch)
                    return
                batch.append(item)
            self._flush_activity(batch)

    def _flush_activity(self, batch: list[ActivityEvent]) -> None:
        assert self.store is not None
        try:
            self.store.add_activity(batch)
        except Exception:
            log.exception("could not record %d activity events", len(batch))

    # ------------------------------------------------------------------ user actions

    # ------------------------------------------------------------------ drafts

    # ------------------------------------------------------------------ maintenance

    def purge_expired(self) -> int:
        """Retention: delete history older than ``Settings.retention_days`` (0 keeps everything)."""
        store = self._store()
        days = self.profile.settings.retention_days
        if days <= 0:
            return 0
        purged = store.purge_older_than(time.time() - days * 86400.0)
        if purged:
            store.audit("purge", actor="retention", detail=f"{purged} messages older than {days} days")
        return purged

    def rotate_database_key(self) -> None:
        """Re-encrypt the history with a new random key kept in the keyring (crash-safe, see store.unlock)."""
        store = self._store()
        if self.ephemeral_key:
            raise SetupError("This sandbox session has no keyring; there is no stored key to rotate.")
        try:
            store.rotate_key(self.profile.settings.profile_id)
        except keys.KeyringUnavailable as error:
            raise SetupError(str(error)) from None
        store.audit("rotate_key")

    def update_api_key(self, api_key: str) -> None:
        """Store a new key for this profile and resume a queue paused by a rejected key.

        Messages held back by a 401 were never sent, so they simply go out with the new key.
        """
        if self.client is None or self.outbox is None:
            raise SetupError("Sealpost is still starting.")
        if not self.is_sandbox and self.overrides.api_base_url is None:
            keys.store_api_key(self.profile.settings.profile_id, api_key)
        self.client.replace_key(Secret(api_key))
        self.key_missing = False
        if self.store is not None:
            self.store.audit("api_key_changed")
        self.outbox.key_changed()


def _remove_database_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", IN_USE_SUFFIX):
        Path(str(path) + suffix).unlink(missing_ok=True)


__all__ = [
    "API_KEY_ENV", "BatchOutcome", "BatchStart", "EmbeddedSandbox", "Overrides", "Runtime", "SetupError",
]  # fmt: skip
