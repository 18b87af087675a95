"""The outbox engine: takes queued messages to Paubox, one durable transition at a time.

Order of events for each message (DESIGN §3):
1. it is already in the database (``queued``) before this engine sees it;
2. it is moved to ``sending`` and committed *before* the request goes out;
3. the answer decides: accepted (tracking id stored), back to queued with a backoff time
   (nothing reached Paubox), outcome_unknown (it may have), or failed (Paubox refused it).
Between 2 and 3, just before the request writes its first byte, the message is durably marked
"on the wire" (``on_wire_at``, with the request group it goes out in). A crash between 2 and 3
leaves ``sending``; the next sending owner (services/ownership.py: only one process per profile
sends, and it takes over only when the lock proves the previous one gone) returns a message that
never went on the wire to the queue and makes one that did outcome_unknown. Every claim records
its owner, and outcomes are settled only under that claim (``MessageStore.settle``).

Mail-merge messages (those with a batch id) go through ``bulk_messages`` in chunks of at most 50,
each chunk claimed in one transaction; after an ambiguous reply the chunk shrinks (down to
single messages) and grows back while requests succeed (core/chunking.py). Other messages are
sent one per request, except when a backlog of at least ``BACKLOG_THRESHOLD`` is due at once:
then they go through ``bulk_messages`` too, in chunks of ``BACKLOG_CHUNK_SIZE`` (see there). Templated messages and
messages that opted into open or link tracking always go one per request: ``bulk_messages``
carries neither a template nor the tracking overrides. While Paubox cannot be reached the engine
claims nothing and lets the connectivity watch probe.
"""

from __future__ import annotations

import json
import logging
import queue
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from desktop_app.api.client import BULK_CHUNK_SIZE, PauboxClient
from desktop_app.api.errors import (
    AmbiguousOutcome,
    ConnectionFailed,
    NotSent,
    NotServed,
    PauboxError,
    RateLimited,
    Rejected,
    Unauthorized,
)
from desktop_app.api.models import SendResult
from desktop_app.core.chunking import AdaptiveChunkSize
from desktop_app.core.message import TEMPLATE, TEMPLATE_VALUES
from desktop_app.core.outbox_state import OutboxState
from desktop_app.core.retry import BackoffPolicy
from desktop_app.services.connectivity import ConnectivityWatch, OfflinePolicy, ProbeResult
from desktop_app.services.engine_loop import EngineLoop
from desktop_app.store.crashpoint import crash_point
from desktop_app.store.messages import Change, MessageStore, StoredMessage

log = logging.getLogger(__name__)

S = OutboxState

BACKLOG_THRESHOLD = 20
"""Single messages due at once from which they are sent through ``bulk_messages``.

One request per message caps single sends at (connections / round trip), ≈ 400/s for 8
connections and 20 ms; a backlog (the queue after being offline, a burst from a script) drains
up to 20 times faster in chunks. Below the threshold every message keeps its own request, so an
everyday send is never tied to another message's fate.
"""

BACKLOG_CHUNK_SIZE = 20
"""Messages per ``bulk_messages`` request when draining a backlog of single messages.

Smaller than mail-merge's 50 to bound the blast radius: a chunk whose outcome is ambiguous
(timeout, 5xx) makes every message in it ``outcome_unknown`` for the user to resolve, and a
chunk refused because of one message (a 400 naming it) sends the others again after a backoff.
Twenty already cuts the requests twentyfold, past which the network is no longer the limit.
"""

BULK_CHUNKS_IN_FLIGHT = 4
"""Mail-merge chunks sent at once. One at a time, a 1,000-row batch spent most of its sending
waiting on the round trip (20 chunks one after another); four overlap one chunk's round trip
with the others' building and storing. More would only hold more rows in ``sending`` meanwhile."""

FIRST_POLL_DELAY = 1.0
"""Seconds after acceptance before the first receipt poll: Paubox needs a moment to know the message."""


class Connectivity(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"  # Paubox cannot be reached; queued mail waits without burning retries
    RATE_LIMITED = "rate_limited"
    KEY_REJECTED = "key_rejected"  # 401: paused until the user enters a new key
    PAUSED = "paused"  # the user chose to hold the queue
    DELEGATED = "delegated"  # another process is this profile's sending owner; it sends what is queued here


@dataclass(frozen=True)
class EngineStatus:
    connectivity: Connectivity
    detail: str = ""
    until: float | None = None  # for rate limits and offline probes


StatusListener = Callable[[EngineStatus], None]
AcceptedListener = Callable[[float], None]
_Work = StoredMessage | list[StoredMessage]
_Accepted = tuple[StoredMessage, SendResult]
_WireMark = tuple[Sequence[int], str, float]  # message ids, request group, when
_Item = TypeVar("_Item")

SHUTDOWN_WAIT_SECONDS = 1.5
"""How long stopping waits for requests in flight. A stuck request is not waited for: its row
stays ``sending`` under this owner's claim, and the next owner settles it (on the wire: unknown)."""

DRAIN_SECONDS = 10.0
"""How long a command that finished its own work waits for the requests it still has in flight
(a ``send`` that took over a batch's sending): long enough for a slow but answering server."""


def new_request_group() -> str:
    """A short id shared by the messages of one request (shown to the user, typed in ``outbox resolve``)."""
    return "r" + secrets.token_hex(5)


class _GroupCommit(Generic[_Item]):
    """Items that parallel senders produce at about the same moment share one transaction.

    At ``synchronous=FULL`` every commit waits for an fsync; with eight senders each committing
    alone, that wait (not the network) bounded throughput. The first sender to arrive commits
    everything pending; the others wait for that commit and share its outcome, so no sender
    returns before its item is durable.
    """

    def __init__(self, commit: Callable[[list[_Item]], None]) -> None:
        self._commit = commit
        self._changed = threading.Condition()
        self._pending: list[_Item] = []
        self._committing = False
        self._outcomes: dict[int, Exception | None] = {}  # by id() of an item a leader committed for others

    def submit(self, item: _Item) -> None:
        """Return once ``item`` is committed; raise what the commit raised if it failed."""
        with self._changed:
            self._pending.append(item)
            while self._committing and id(item) not in self._outcomes:
                self._changed.wait()
            if id(item) in self._outcomes:
                error = self._outcomes.pop(id(item))
                if error is not None:
                    raise error
                return
            batch, self._pending, self._committing = self._pending, [], True
        failure: Exception | None = None
        try:
            self._commit(batch)
        except Exception as error:
            failure = error
        with self._changed:
            self._committing = False
            self._outcomes.update((id(other), failure) for other in batch if other is not item)
            self._changed.notify_all()
        if failure is not None:
            raise failure


class _SenderThreads:
    """A fixed set of daemon threads running send jobs.

    Daemon threads, unlike ``ThreadPoolExecutor``'s, are not joined at interpreter exit: a
    request stuck on a hostile server can never hold the process open after it has stopped.
    """

    def __init__(self, count: int, name: str) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._run, name=f"{name}-{n}", daemon=True) for n in range(count)]
        for thread in self._threads:
            thread.start()

    def submit(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            job()

    def stop(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)


class OutboxEngine:
    """Runs on its own thread; sends in parallel on a small pool of connections.

    Only the profile's sending owner starts it (services/ownership.py); ``owner`` is the id its
    claims carry. A process that is not the owner still builds the engine, for its status and
    its ``wake()``, without starting it.
    """

    def __init__(
        self,
        store: MessageStore,
        client: PauboxClient,
        *,
        workers: int = 8,
        backoff: BackoffPolicy | None = None,
        clock: Callable[[], float] = time.time,
        offline_probe_seconds: float = 2.0,
        offline_probe_max_seconds: float = 60.0,
        offline_policy: OfflinePolicy = OfflinePolicy.ALWAYS,
        owner: str | None = None,
    ) -> None:
        self.owner = owner or uuid.uuid4().hex
        self._store = store
        self._client = client
        self._workers = workers
        self._backoff = backoff or BackoffPolicy(base_seconds=2.0, cap_seconds=300.0)
        self._clock = clock
        self._watch = ConnectivityWatch(
            client.check_credentials, first_interval=offline_probe_seconds,
            max_interval=offline_probe_max_seconds, clock=clock,
        )  # fmt: skip
        self.offline_policy = offline_policy
        self._loop = EngineLoop("outbox-engine", self._tick, error_wait=2.0, clock=time.monotonic)
        self._wake = self._loop.lock  # also guards the count of requests in flight
        self._ticking = threading.Lock()  # held while claiming: hold(True) waits it out
        # A request's acceptances (one, or a chunk's) share a commit with those of requests answered meanwhile.
        self._acceptances: _GroupCommit[list[_Accepted]] = _GroupCommit(
            lambda requests: self._record_accepted_many([one for request in requests for one in request])
        )
        self._wire_marks: _GroupCommit[_WireMark] = _GroupCommit(
            lambda marks: self._store.mark_on_wire(self.owner, marks)
        )
        self.bulk_chunk = AdaptiveChunkSize(BULK_CHUNK_SIZE)
        self.backlog_chunk = AdaptiveChunkSize(BACKLOG_CHUNK_SIZE)
        self._in_flight = 0
        self._bulk_in_flight = 0  # mail-merge chunks among them (at most BULK_CHUNKS_IN_FLIGHT)
        self._pool: _SenderThreads | None = None
        self._status = EngineStatus(Connectivity.ONLINE)
        self._listeners: list[StatusListener] = []
        self._accepted_listeners: list[AcceptedListener] = []
        self._redetect: Callable[[PauboxError], bool] | None = None
        self._held = False

    # ------------------------------------------------------------------ lifecycle

    @property
    def running(self) -> bool:
        return self._loop.running

    def start(self) -> None:
        """Recover what a previous owner left in ``sending``, then send. Call only as the owner."""
        recovery = self._store.recover_interrupted()
        if recovery.requeued:
            log.info("%d message(s) had not left before Sealpost stopped; queued again", len(recovery.requeued))
        if recovery.unknown:
            log.warning("%d message(s) were interrupted while sending; marked outcome unknown", len(recovery.unknown))
        self._pool = _SenderThreads(self._workers, "outbox-send")
        self._loop.start()

    def stop(self, timeout: float = 10.0, *, drain_seconds: float = SHUTDOWN_WAIT_SECONDS) -> None:
        """Stop claiming, and wait up to ``drain_seconds`` for requests in flight to be answered."""
        self._loop.stop(timeout)
        if self._pool is not None:
            self._pool.stop()
            deadline = time.monotonic() + drain_seconds
            with self._wake:
                while self._in_flight and (left := deadline - time.monotonic()) > 0:
                    self._wake.wait(left)
                if self._in_flight:  # the log file only: a command's terminal gets one line, its outcome
                    log.info("%d request(s) still in flight at shutdown; the next start settles them",
                             self._in_flight)  # fmt: skip

    def wake(self) -> None:
        """Look at the queue now (a message was queued, the network came back, a key was changed)."""
        self._loop.wake()

    # ------------------------------------------------------------------ status

    @property
    def status(self) -> EngineStatus:
        return self._status

    def on_status(self, listener: StatusListener) -> None:
        self._listeners.append(listener)

    def on_accepted(self, listener: AcceptedListener) -> None:
        """``listener(first_poll_at)`` after acceptances are stored (a sender thread calls it)."""
        self._accepted_listeners.append(listener)

    def _set_status(self, status: EngineStatus) -> None:
        if status != self._status:
            self._status = status
            log.info("outbox is %s", status.connectivity.value)
            for listener in list(self._listeners):
                listener(status)

    def hold(self, held: bool) -> None:
        """Pause or resume sending on the user's request (the offline "ask" policy).

        Once ``hold(True)`` returns, nothing more is claimed (a tick already claiming is waited out).
        """
        with self._ticking:
            self._held = held
        self._set_status(EngineStatus(Connectivity.PAUSED if held else Connectivity.ONLINE))
        self.wake()

    def on_wrong_endpoint(self, redetect: Callable[[PauboxError], bool]) -> None:
        """``redetect(error)`` after a 401 or an HTML 404 that may mean a wrong base-URL generation.

        It runs on the sender thread before the refused messages are settled; True means it found and
        switched to a different working endpoint: the messages (provably not sent) stay queued, due
        now, the attempt not counted, and go out normally through the new endpoint.
        """
        self._redetect = redetect

    def key_changed(self) -> None:
        """The user entered a new key: leave the key-rejected pause and try again."""
        if self._status.connectivity is Connectivity.KEY_REJECTED:
            self._set_status(EngineStatus(Connectivity.ONLINE))
        self.wake()

    @property
    def idle(self) -> bool:
        with self._wake:
            return self._in_flight == 0

    # ------------------------------------------------------------------ loop

    def _tick(self) -> float:
        """Dispatch what is due; return how long to sleep before looking again."""
        now = self._clock()
        self._store.release_scheduled(now)
        blocked = self._blocked_for(now)
        if blocked is not None:
            return blocked
        with self._ticking:
            if self._held:  # held while this tick looked at the network
                return 60.0
            self._claim_and_dispatch(now)
        next_due = self._store.next_due_time()
        if next_due is None:
            return 60.0
        return max(0.05, min(60.0, next_due - self._clock()))

    def _claim_and_dispatch(self, now: float) -> None:
        with self._wake:
            free = self._workers - self._in_flight
            bulk_free = BULK_CHUNKS_IN_FLIGHT - self._bulk_in_flight
        chunks, size = min(free, bulk_free), self.bulk_chunk.size
        if chunks > 0:  # one claim (one commit) for every chunk that can start now
            claimed = self._store.claim_due(now, chunks * size, bulk=True, owner=self.owner)
            for start in range(0, len(claimed), size):
                self._submit(self._send_chunk, claimed[start : start + size], bulk=True)
                free -= 1
        if free > 0:
            size = self.backlog_chunk.size
            if size > 1 and self._store.count_due(now, BACKLOG_THRESHOLD, bulk=False) >= BACKLOG_THRESHOLD:
                claimed = self._store.claim_due(now, free * size, bulk=False, owner=self.owner)
                for start in range(0, len(claimed), size):
                    self._submit(self._send_backlog_chunk, claimed[start : start + size])
            else:
                for stored in self._store.claim_due(now, free, bulk=False, owner=self.owner):
                    self._submit(self._send_one, stored)

    def _blocked_for(self, now: float) -> float | None:
        status = self._status
        if self._held or status.connectivity is Connectivity.KEY_REJECTED:
            return 60.0
        if self._watch.offline:
            return self._probe(now)
        if status.connectivity is Connectivity.RATE_LIMITED and status.until and now < status.until:
            return status.until - now
        return None

    def _probe(self, now: float) -> float | None:
        """Offline: wait for the next probe, run it, and on success resume (or ask, per policy)."""
        assert self._watch.next_probe_at is not None
        if now < self._watch.next_probe_at:
            return self._watch.next_probe_at - now
        result = self._watch.probe_now()
        if result is ProbeResult.UNREACHABLE:
            assert self._watch.next_probe_at is not None
            self._set_status(EngineStatus(Connectivity.OFFLINE, self._status.detail, self._watch.next_probe_at))
            return max(0.05, self._watch.next_probe_at - self._clock())
        if result is ProbeResult.KEY_REJECTED:
            self._set_status(EngineStatus(Connectivity.KEY_REJECTED, "The API key was not accepted."))
            return 60.0
        log.info("Paubox is reachable again")
        waiting = self._store.counts_by_state().get(S.QUEUED, 0)
        if self.offline_policy is OfflinePolicy.ASK and waiting:
            self._held = True
            self._set_status(EngineStatus(
                Connectivity.PAUSED, f"Back online; {waiting} message(s) are waiting. Send them now?"
            ))  # fmt: skip
            return 60.0
        self._set_status(EngineStatus(Connectivity.ONLINE))
        return None

    def _submit(self, job: Callable[[_Work], None], work: _Work, *, bulk: bool = False) -> None:
        with self._wake:
            self._in_flight += 1
            self._bulk_in_flight += bulk
        assert self._pool is not None
        self._pool.submit(lambda: self._guarded(job, work, bulk))

    def _guarded(self, job: Callable[[_Work], None], work: _Work, bulk: bool = False) -> None:
        """Run one send job; a bug must not strand its messages in ``sending`` until restart."""
        try:
            job(work)
        except Exception:
            if self._loop.stopping:  # answered after shutdown: the store may be closed; the next owner settles it
                log.info("a request ended after shutdown; its message(s) are settled at the next start")
                return
            log.exception("unexpected error while sending")
            self._settle_after_bug(work if isinstance(work, list) else [work])
        finally:
            with self._wake:
                self._in_flight -= 1
                self._bulk_in_flight -= bulk
                self._wake.notify_all()  # a drain at shutdown waits for this
            self._loop.wake()

    def _settle_after_bug(self, work: list[StoredMessage]) -> None:
        """What a bug left in ``sending`` under this claim: queued if it never went on the wire, else unknown."""
        try:
            current = self._store.get_many([stored.id for stored in work])
            self._store.settle(self.owner, [
                Change(stored.id, S.OUTCOME_UNKNOWN, (S.SENDING,), "internal error", {"last_error": (
                    "An internal error interrupted sending; check whether it arrived before resending.")})
                if stored.on_wire_at is not None else
                Change(stored.id, S.QUEUED, (S.SENDING,), "internal error before sending", {
                    "next_attempt_at": self._clock() + self._backoff.delay(stored.attempts, None),
                    "last_error": "An internal error stopped this message before it was sent; it will go again.",
                })
                for stored in current if stored.state is S.SENDING and stored.claimed_by == self.owner
            ])  # fmt: skip
        except Exception:
            log.exception("could not settle messages after an internal error; the next start will")

    def _wire(self, ids: Sequence[int], group: str) -> None:
        """Durably mark a request's messages as going on the wire; the request starts only after this."""
        self._wire_marks.submit((ids, group, self._clock()))

    def _send_one(self, work: _Work) -> None:
        assert isinstance(work, StoredMessage)
        message = work.message
        group = new_request_group()
        wired: list[bool] = []

        def on_wire() -> None:
            self._wire([work.id], group)
            wired.append(True)

        try:
            if message.meta.get(TEMPLATE):
                values = json.loads(message.meta.get(TEMPLATE_VALUES, "{}"))
                result = self._client.send_templated(
                    message.meta[TEMPLATE], values, message, attempt=work.attempts, on_wire=on_wire
                )
            else:
                result = self._client.send(message, attempt=work.attempts, on_wire=on_wire)
        except PauboxError as error:
            self._record_failures([(work, error)], wired=bool(wired))
            return
        crash_point("after_http_200_before_store")
        self._acceptances.submit([(work, result)])

    def _send_backlog_chunk(self, work: _Work) -> None:
        self._send_chunk(work, self.backlog_chunk)

    def _send_chunk(self, work: _Work, sizer: AdaptiveChunkSize | None = None) -> None:
        """One bulk_messages request for a mail-merge chunk or a backlog chunk; acceptances are stored together.

        Each message keeps the single-send rules: NotSent → queued again, Rejected → failed,
        ambiguous → outcome_unknown (``send_many`` blames only the message a 400 names).
        Messages bulk_messages cannot carry (see :func:`_bulk_capable`) go one by one.
        An ambiguous reply halves the next chunks; clear answers let them grow back.
        """
        assert isinstance(work, list)
        sizer = sizer or self.bulk_chunk
        plain: list[StoredMessage] = []
        for stored in work:
            if _bulk_capable(stored):
                plain.append(stored)
            else:
                self._send_one(stored)
        if not plain:
            return
        group = new_request_group()
        wired: list[bool] = []

        def on_wire(indexes: Sequence[int]) -> None:
            self._wire([plain[i].id for i in indexes], group)
            wired.append(True)

        outcomes = self._client.send_many([stored.message for stored in plain], on_wire=on_wire)
        if _refused_as_a_whole(outcomes):
            # A 4xx for the whole request proves nothing was sent, and does not say which message it
            # was about (a 422 for one sender's domain, 413 for the chunk's size): one request each
            # gives every message its own verdict instead of failing them all.
            log.info("a bulk chunk of %d was refused as a whole; sending its messages one by one", len(plain))
            sizer.succeeded()
            for stored in plain:
                self._send_one(stored)
            return
        if wired and any(isinstance(outcome, AmbiguousOutcome) for outcome in outcomes):
            sizer.ambiguous()
            log.info("ambiguous reply to a bulk request; next chunks carry at most %d", sizer.size)
        else:
            sizer.succeeded()
        accepted: list[_Accepted] = []
        failures: list[tuple[StoredMessage, PauboxError]] = []
        for index, (stored, outcome) in enumerate(zip(plain, outcomes, strict=True)):
            if index == len(plain) // 2:
                crash_point("during_bulk_chunk")
            if isinstance(outcome, SendResult):
                accepted.append((stored, outcome))
            else:
                failures.append((stored, outcome))
        if failures:
            self._record_failures(failures, wired=bool(wired))
        if accepted:
            self._acceptances.submit(accepted)

    def _record_accepted_many(self, accepted: list[_Accepted]) -> None:
        """Store tracking ids in one transaction: at synchronous=FULL each commit costs an fsync."""
        now = self._clock()
        first_poll = now + FIRST_POLL_DELAY
        stale = self._store.settle(self.owner, [
            Change(stored.id, S.ACCEPTED, (S.SENDING,), f"tracking id {result.tracking_id}", {
                "tracking_id": result.tracking_id, "accepted_at": now, "last_error": "", "next_poll_at": first_poll,
            })
            for stored, result in accepted
        ], domains=[a.domain for stored, _ in accepted for a in stored.message.all_recipients])  # fmt: skip
        if stale:
            log.warning("%d acceptance(s) arrived for messages already moved; recorded as accepted", len(stale))
        for listener in list(self._accepted_listeners):
            listener(first_poll)
        if self._status.connectivity is not Connectivity.ONLINE and not self._held and not self._watch.offline:
            self._set_status(EngineStatus(Connectivity.ONLINE))

    def _record_failures(self, failures: list[tuple[StoredMessage, PauboxError]], *, wired: bool) -> None:
        """Settle one request's failed messages in one transaction; ``wired``: its request started writing.

        The engine's status (offline, rate-limited, key rejected) changes only once the messages'
        new states are durable, so whoever sees the status sees the queue that goes with it.
        """
        wrong = next((e for _, e in failures if isinstance(e, Unauthorized | NotServed)), None)
        switched = wrong is not None and self._redetect is not None and self._redetect(wrong)
        outcomes = [
            self._redetected(stored) if switched and isinstance(error, Unauthorized | NotServed)
            else self._failure_outcome(stored, error, wired)
            for stored, error in failures
        ]  # fmt: skip
        stale = self._store.settle(self.owner, [change for change, _ in outcomes])
        if stale:
            log.warning("%d outcome(s) arrived for messages someone else had moved; left as they were", len(stale))
        for _, status in outcomes:
            if status is not None:
                self._set_status(status)

    def _failure_outcome(
        self, stored: StoredMessage, error: PauboxError, wired: bool
    ) -> tuple[Change, EngineStatus | None]:
        """The message's next state after ``error``, and the engine status it implies (if any)."""
        now = self._clock()
        if isinstance(error, AmbiguousOutcome) and not wired:
            # Whatever the error says, the request never started writing: provably not sent.
            delay = self._backoff.delay(stored.attempts, None)
            reason = "The request did not start; the message stays queued."
            return self._requeue(stored, now + delay, reason, refund=True), None
        if isinstance(error, AmbiguousOutcome):
            return Change(stored.id, S.OUTCOME_UNKNOWN, (S.SENDING,), type(error).__name__,
                          {"last_error": error.user_message}), None  # fmt: skip
        if isinstance(error, Unauthorized):
            # 401 proves nothing was sent: keep the message queued and pause until a new key.
            status = EngineStatus(Connectivity.KEY_REJECTED, error.user_message)
            return self._requeue(stored, now, error.user_message, refund=True), status
        if isinstance(error, NotSent):
            if isinstance(error, ConnectionFailed):
                # Offline is not the message's fault: do not count the attempt; the watch probes.
                until = self._watch.went_offline()
                status = EngineStatus(Connectivity.OFFLINE, error.user_message, until)
                return self._requeue(stored, None, error.user_message, refund=True), status
            delay = self._backoff.delay(stored.attempts, error.retry_after)
            limited = EngineStatus(Connectivity.RATE_LIMITED, error.user_message, now + delay)
            return self._requeue(stored, now + delay, error.user_message), (
                limited if isinstance(error, RateLimited) else None
            )
        return Change(stored.id, S.FAILED, (S.SENDING,), type(error).__name__,
                      {"last_error": error.user_message}), None  # fmt: skip

    def _redetected(self, stored: StoredMessage) -> tuple[Change, EngineStatus | None]:
        reason = "The endpoint was detected again; the message stays queued."
        return self._requeue(stored, self._clock(), reason, refund=True), None

    @staticmethod
    def _requeue(stored: StoredMessage, when: float | None, reason: str, *, refund: bool = False) -> Change:
        return Change(stored.id, S.QUEUED, (S.SENDING,), reason, {
            "next_attempt_at": when, "last_error": reason,
            "attempts": stored.attempts - 1 if refund else stored.attempts,
        })  # fmt: skip


def _refused_as_a_whole(outcomes: list[SendResult | PauboxError]) -> bool:
    """Every message got the same refusal, other than a rejected key (which pauses the queue instead)."""
    first = outcomes[0]
    return (
        len(outcomes) > 1
        and isinstance(first, Rejected)
        and not isinstance(first, Unauthorized)
        and all(outcome is first for outcome in outcomes)
    )


def _bulk_capable(stored: StoredMessage) -> bool:
    """Whether ``bulk_messages`` can carry this message as the user meant it.

    Its items have no template and no ``override_open_tracking``/``override_link_tracking`` or
    ``unsubscribe_url`` (paubox-api §3.1), so templated messages and those that chose tracking
    (on or off) or an unsubscribe URL go singly; those on the account's defaults may go in bulk.
    """
    message = stored.message
    return not (message.meta.get(TEMPLATE) or message.has_send_options)
