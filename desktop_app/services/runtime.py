"""Assembles the app's engines for one profile: keyring → encrypted store → endpoint → client →
outbox and status tracker. The GUI, the CLI and the self-test all run on this one object.

``open()`` does disk and keyring work and may take a moment: call it off the GUI thread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import queue
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Protocol, TypeVar, cast

from desktop_app.api.activity import ActivityEvent, ActivityHub, LatencyWindow
from desktop_app.api.client import PauboxClient
from desktop_app.api.config import ApiConfig, AuthStyle, BasePreset, Secret, check_base_url, preset_url
from desktop_app.api.connection import Candidate, api_root, key_fingerprint
from desktop_app.api.errors import PauboxError
from desktop_app.core.errors import KnownError
from desktop_app.core.footer import Footer, footer_from_setting
from desktop_app.core.message import OutgoingMessage, message_to_dict
from desktop_app.core.outbox_state import OutboxState
from desktop_app.core.sanitize import check_body_size, html_to_text, sanitize_html
from desktop_app.services.audit_anchor import AuditAnchorKeeper
from desktop_app.services.connectivity import OfflinePolicy
from desktop_app.services.mailmerge import TEMPLATE, MergedRows, MergePlan, rerun_id
from desktop_app.services.outbox import SHUTDOWN_WAIT_SECONDS, Connectivity, EngineStatus, OutboxEngine
from desktop_app.services.ownership import ProfileBusy, SendingOwnership, opening_profile
from desktop_app.services.profile import Mode, Profile
from desktop_app.services.tracker import StatusTracker
from desktop_app.store import keys
from desktop_app.store.database import IN_USE_SUFFIX, Connection, IntegrityWatch, StoreError, open_database
from desktop_app.store.messages import BatchSummary, HistoryFilter, MessageStore, StoredMessage
from desktop_app.store.unlock import open_profile_database

log = logging.getLogger(__name__)

API_KEY_ENV = "PAUBOX_API_KEY"
REDETECT_GRACE_SECONDS = 30.0  # a refusal this soon after a switch is taken to be from the old endpoint
API_USERNAME_ENV = "PAUBOX_API_USERNAME"  # the legacy generation's username, when the profile has none

TAKEOVER_CHECK_SECONDS = 0.3
"""How often a process that is not the sending owner checks whether the owner has gone."""

OTHER_PROCESS_CHECK_SECONDS = 0.25
"""How often the store is asked whether another process committed (``PRAGMA data_version``)."""

CHANGE_SLACK_SECONDS = 5.0
"""How far back a change check looks: another process stamps a change when its transaction starts,
and may commit it a little later."""


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


class SetupError(KnownError, RuntimeError):
    """The app cannot start its engines; the message is for the user, in plain words."""


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


class Runtime:
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
            self.store, self.client, polls_per_minute=self.profile.settings.poll_budget_per_minute
        )
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

    @property
    def is_sending_owner(self) -> bool:
        """Whether this process sends for the profile now (see services/ownership.py)."""
        return self.outbox is not None and self.outbox.running

    def _start_sending(self) -> None:
        """Holding the lock proves any previous owner gone: recover its rows, then send and track."""
        assert self.outbox is not None
        assert self.tracker is not None
        with self._owner_lock:
            if self._closed:
                return
            # The status is set before the engine runs, so whoever sees this process own the
            # sending (``is_sending_owner``) never sees the other owner's "delegated" text.
            if self.key_missing:
                self.outbox._set_status(
                    EngineStatus(Connectivity.KEY_REJECTED, "Enter your Paubox API key in Settings to send.")
                )
            elif self.outbox.status.connectivity is Connectivity.DELEGATED:
                self.outbox._set_status(EngineStatus(Connectivity.ONLINE))
            self.outbox.start()
            self.tracker.start()
        log.info("this process sends for the profile")

    def _show_delegated(self) -> None:
        assert self.outbox is not None
        holder = self.ownership.holder()
        who = holder.describe() if holder else "Another Sealpost process"
        log.info("another process sends for this profile; messages queued here go out through it")
        self.outbox._set_status(EngineStatus(Connectivity.DELEGATED, (
            f"{who} is sending for this profile; messages queued here go out through it, "
            "and this window takes over when it ends."
        )))  # fmt: skip

    def _wait_for_ownership(self) -> None:
        """Not the owner: take over as soon as the owner's lock frees (it exited, or was killed)."""
        while not self._stop_threads.wait(TAKEOVER_CHECK_SECONDS):
            if self.ownership.try_acquire():
                self._start_sending()
                return

    def _follow_other_processes(self) -> None:
        """Tell this process's listeners what other processes changed, and wake the sender for it.

        ``PRAGMA data_version`` changes only when another connection commits, so the common case
        (nobody else is there) costs one pragma per check.
        """
        store = self.store
        assert store is not None
        version = store.data_version()
        seen: dict[int, float] = {}
        since = time.time() - CHANGE_SLACK_SECONDS
        while not self._stop_threads.wait(OTHER_PROCESS_CHECK_SECONDS):
            try:
                current = store.data_version()
                if current == version:
                    continue
                version, checked_at = current, time.time()
                changed = [(i, at) for i, at in store.changed_since(since) if seen.get(i) != at]
                seen = {i: at for i, at in {**seen, **dict(changed)}.items() if at >= since}
                since = checked_at - CHANGE_SLACK_SECONDS
                store.notify_changed([i for i, _ in changed])
                if self.is_sending_owner and self.outbox is not None and self.tracker is not None:
                    self.outbox.wake()
                    self.tracker.wake()
            except Exception:
                if self._stop_threads.is_set():
                    return
                log.exception("could not check for other processes' changes")

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._background.append(thread)
        thread.start()

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
        if self.store is not None:
            self.store.close()
        self.ownership.release()  # only now: nothing of ours can claim or settle a message any more
        if self.ephemeral_key:
            _remove_database_files(self._ephemeral_path())

    def _open_database(self) -> Connection:
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

    def _api_config(self) -> ApiConfig:
        """The endpoint, key and limits for this run, from the overrides or the profile."""
        settings = self.profile.settings
        base, key, rate = self._endpoint()
        return ApiConfig(
            base,
            Secret(key),
            AuthStyle.TOKEN if self.sandbox is not None else AuthStyle(settings.auth_style),
            requests_per_second=rate,
            # The client refuses what the composer would allow unless both use the profile's limit.
            attachment_limit_bytes=int(settings.attachment_limit_mb * 1024 * 1024),
        )

    def _endpoint(self) -> tuple[str, str, float]:
        settings = self.profile.settings
        rate = settings.requests_per_second
        if self.overrides.api_base_url is not None:
            key = self.overrides.api_key or os.environ.get(API_KEY_ENV, "")
            if not key:
                raise SetupError(f"Set the {API_KEY_ENV} environment variable to the API key for that endpoint.")
            return self.overrides.api_base_url, key, rate
        if settings.mode is Mode.SANDBOX:
            if self.overrides.start_sandbox is None:
                raise SetupError("This profile is in sandbox mode, but this start of Sealpost has no sandbox.")
            # The embedded sandbox enforces the profile's attachment limit, like the client and composer.
            server = self.overrides.start_sandbox(self.overrides.sandbox_delivery_delay, settings.attachment_limit_mb)
            self.sandbox = server
            return server.base_url, server.api_key, max(rate, 50.0)
        preset = BasePreset(settings.base_preset)
        base = settings.base_url if preset is BasePreset.CUSTOM else preset_url(preset, settings.api_username)
        try:
            stored_key = keys.load_api_key(settings.profile_id)
        except keys.KeyringUnavailable as error:
            raise SetupError(str(error)) from None
        if not stored_key:
            self.key_missing = True
        return base, stored_key or "", rate

    # ------------------------------------------------------------------ endpoint detection

    def _detection_root(self) -> str | None:
        """Where to detect the generation: a root URL (no ``/v1…``), "" for Paubox's own hosts, or None
        when this run names its endpoint exactly (a generation URL, or the embedded sandbox)."""
        if self.sandbox is not None:
            return None
        if self.overrides.api_base_url is not None:
            return api_root(self.overrides.api_base_url)
        settings = self.profile.settings
        if BasePreset(settings.base_preset) is BasePreset.CUSTOM:
            return api_root(settings.base_url) if settings.base_url else None
        return ""

    def _username(self) -> str:
        return self.profile.settings.api_username or os.environ.get(API_USERNAME_ENV, "")

    def _marker(self, key: str, root: str) -> str:
        return key_fingerprint(f"{key}\n{root}", self.profile.settings.profile_id)

    def _under_root(self, root: str, preset: BasePreset) -> str:
        url = preset_url(preset, self._username())
        return check_base_url(root) + url[url.index("/v1") :]

    def _detected(self, config: ApiConfig) -> ApiConfig:
        """The config to send with: detected (read-only probes) the first time a key is used here.

        The generation and auth style found are remembered with a marker of the key and root, so
        the next start with the same key sends at once; a new key, or a 401/404 that looks like a
        wrong generation (``_redetect``), detects again.
        """
        root = self._detection_root()
        key = config.api_key.reveal()
        if root is None or not key:
            return config
        settings = self.profile.settings
        if root:  # until something is detected, a root means the newest generation under it
            preset = BasePreset(settings.detected_preset or BasePreset.V1_EMAIL)
            config = replace(config, base_url=self._under_root(root, preset))
        if settings.endpoint_checked_for_key == self._marker(key, root):
            return config
        found = self._detect(config, root)
        if found is None:
            log.warning("no base-URL generation answered; sending to %s until one does", config.base_url)
            return config
        self._remember(found, key, root)
        return replace(config, base_url=found.base_url, auth_style=found.auth_style)

    def _detect(self, config: ApiConfig, root: str) -> Candidate | None:
        quick = replace(config, connect_timeout=min(config.connect_timeout, 5.0), read_timeout=10.0)
        probe = PauboxClient(quick, on_activity=self.activity.publish, read_attempts=1)
        try:
            report = probe.test_connection(username=self._username(), root=root or None)
        finally:
            probe.close()
        log.info("endpoint detection: %s", report.summary)
        return report.working

    def _remember(self, found: Candidate, key: str, root: str) -> None:
        changes = {"auth_style": found.auth_style.value, "endpoint_checked_for_key": self._marker(key, root)}
        changes["detected_preset" if root else "base_preset"] = found.preset.value
        self.profile.update(**changes)

    def _redetect(self, error: PauboxError) -> bool:
        """After a 401 or an HTML 404 on a send: detect again; True if another endpoint works and is used now.

        The same endpoint answering the probe again means the refusal was not about the generation
        (a revoked key, say): False, and the outbox handles it as before -- unless another sender
        thread switched endpoints moments ago, so this refused request most likely went to the old one.
        One detection at a time.
        """
        client = self.client
        root = self._detection_root()
        if client is None or root is None:
            return False
        with self._redetecting:
            config = client.config
            found = self._detect(config, root)
            if found is None:
                return False
            if (found.base_url, found.auth_style) == (config.base_url, config.auth_style):
                return time.monotonic() - self._switched_at < REDETECT_GRACE_SECONDS
            log.warning("%s looked like a wrong base-URL generation; now using %s", type(error).__name__, found.label)
            self._remember(found, config.api_key.reveal(), root)
            _switch_endpoint(client, found)
            self._switched_at = time.monotonic()
            return True

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

    def _require(self) -> tuple[MessageStore, OutboxEngine]:
        if self.store is None or self.outbox is None:
            raise SetupError("Sealpost is still starting.")
        return self.store, self.outbox

    def prepare(self, message: OutgoingMessage) -> OutgoingMessage:
        """Sanitise the HTML body and derive the plain-text part, then validate."""
        if message.html:
            check_body_size(message.html)
        html = sanitize_html(message.html) if message.html else ""
        text = message.text or (html_to_text(html) if html else "")
        prepared = self._with_footer(replace(message, html=html, text=text))
        self.validate(prepared)
        return prepared

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
        return ((row, self._with_footer(message)) for row, message in rows)

    def validate(self, prepared: OutgoingMessage) -> None:
        """Raise MessageError or AddressError if a prepared message (HTML sanitised) would be refused.

        Mail merge renders its rows from a template sanitised once per batch and checks each row
        with this alone (services/mailmerge.py); :meth:`prepare` is this after sanitising.
        """
        # A Paubox dynamic template is the body of a templated message; check everything else.
        checked = replace(prepared, text="(template)") if prepared.meta.get(TEMPLATE) else prepared
        checked.validate(int(self.profile.settings.attachment_limit_mb * 1024 * 1024))

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
        store, outbox = self._require()
        prepared = self._footered(rows) if isinstance(rows, MergedRows) else ((r, self.prepare(m)) for r, m in rows)
        ids = store.add_batch(batch_id, prepared)
        store.audit("queue_batch", detail=f"batch {batch_id[:16]}, {len(ids)} messages")
        outbox.wake()
        return ids

    def start_batch(self, plan: MergePlan, *, again: bool = False) -> BatchStart:
        """Queue a planned mail merge, resume it, or say it was already sent.

        The same batch (same id: same rows, body, sender, switches) resumes where it stopped and
        never queues a row twice; once every message of it is settled it is not queued again
        unless ``again``, which queues one new, separately identified run (audited).
        """
        store, outbox = self._require()
        base = plan.batch_id
        if plan.legacy_batch_id and store.batch_summary(base) is None and self._stored_as(plan.legacy_batch_id, plan):
            base = plan.legacy_batch_id  # a batch an earlier version started, with exactly these messages
        runs: list[BatchSummary] = []
        while (summary := store.batch_summary(rerun_id(base, len(runs)))) is not None:
            runs.append(summary)
        if runs and not runs[-1].settled:
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
        """The user's decision for every outcome-unknown message of one request (see ``sealpost outbox``)."""
        store, outbox = self._require()
        ids = store.resolve_group(group, resend=resend)  # StoreError in words if nothing is waiting
        if resend:
            outbox.wake()
        return ids

    # ------------------------------------------------------------------ drafts

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

    # ------------------------------------------------------------------ maintenance

    def send_queued_now(self) -> None:
        """The user answered "send now" after reconnecting (offline policy "ask"), or resumed a hold."""
        _, outbox = self._require()
        outbox.hold(False)

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

    def _store(self) -> MessageStore:
        if self.store is None:
            raise SetupError("Sealpost is still starting.")
        return self.store

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

    def wait_until(self, message_id: int, states: set[OutboxState], timeout: float) -> StoredMessage:
        """Block (headless callers only) until the message reaches one of ``states``."""
        store, _ = self._require()
        deadline = time.monotonic() + timeout
        changed = threading.Event()
        store.on_change(lambda changed_id: changed.set() if changed_id == message_id else None)
        while True:
            stored = store.get(message_id)
            if stored.state in states:
                return stored
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return stored
            changed.wait(min(remaining, 0.5))
            changed.clear()


def _switch_endpoint(client: PauboxClient, found: Candidate) -> None:
    """Point a running client at another generation and auth style from its next request on."""
    client.replace_endpoint(found.base_url, found.auth_style)


def _remove_database_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", IN_USE_SUFFIX):
        Path(str(path) + suffix).unlink(missing_ok=True)
