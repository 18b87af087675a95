"""Forwarding the audit trail to the organisation's syslog collector (RFC 5424 over TCP or TLS).

Runs on one background thread in the profile's sending owner only (services/ownership.py), so
two processes never forward the same profile at once. The backlog is the audit log itself: the
ledger (store/audit_forwarding.py) remembers the newest entry the collector is known to have,
and everything after it is sent in id order whenever the collector can be reached.

Delivery: plain syslog over TCP has no acknowledgement, and bytes written into a connection the
collector already dropped vanish without an error. So a batch counts as delivered only when the
connection is still healthy a moment after it was written (the collector neither closed nor
reset it); otherwise the batch is sent again on a new connection. On the wire that is
at-least-once: a crash between sending and recording, or a connection that died after the
collector read the batch, re-sends entries, always with the same ``seq`` (the entry id) and
hash. "Exactly once" is what the collector holds after de-duplicating on profile + seq; each
entry is marked forwarded exactly once, and the ledger never moves backwards.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable

from desktop_app.core.syslog_format import ForwardingTargetError, Target, format_entry, frame, parse_target
from desktop_app.store.audit_forwarding import ForwardingLedger
from desktop_app.store.audit_log import AuditAnchor
from desktop_app.store.store_base import StoreBase

log = logging.getLogger(__name__)

BATCH = 200
"""Entries written per round before the connection is checked and the ledger moved."""
SETTLE_SECONDS = 0.2
"""How long after a batch the connection must stay healthy for the batch to count as delivered."""
POLL_SECONDS = 1.0
"""How often to look for entries other processes wrote (this process's own wake the thread)."""
CONNECT_TIMEOUT = 5.0
WRITE_TIMEOUT = 10.0
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
DRAIN_SECONDS = 3.0
"""On stop, how long a live connection keeps sending what is waiting (a short ``sealpost send``
forwards its own entries before it exits); no new connection is opened then."""


def connect(target: Target) -> socket.socket:
    """A TCP (or TLS, certificate and host name verified, TLS 1.2+) connection to the collector."""
    raw = socket.create_connection((target.host, target.port), timeout=CONNECT_TIMEOUT)
    if target.scheme != "tls":
        raw.settimeout(WRITE_TIMEOUT)
        return raw
    context = ssl.create_default_context()  # the system's trust store; host name checked
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        secure = context.wrap_socket(raw, server_hostname=target.host)
    except (OSError, ssl.SSLError):
        raw.close()
        raise
    secure.settimeout(WRITE_TIMEOUT)
    return secure


def still_open(sock: socket.socket) -> bool:
    """Whether the collector has neither closed nor reset the connection (it never sends us data)."""
    sock.setblocking(False)
    try:
        return sock.recv(4096) != b""
    except (BlockingIOError, ssl.SSLWantReadError):
        return True
    except OSError:
        return False
    finally:
        sock.settimeout(WRITE_TIMEOUT)


class AuditForwarder:
    """The thread that keeps one collector up to date with the audit trail."""

    def __init__(self, store: StoreBase, target: Target, profile_id: str,
                 *, connector: Callable[[Target], socket.socket] = connect) -> None:  # fmt: skip
        self._ledger = ForwardingLedger(store)
        self.target = target
        self._profile_id = profile_id
        self._connector = connector
        self._hostname = socket.gethostname() or "-"
        self._procid = str(os.getpid())
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._sock: socket.socket | None = None
        self._drain_until = 0.0
        self._thread = threading.Thread(target=self._run, name="audit-forwarding", daemon=True)
        self.connected = False

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = DRAIN_SECONDS + WRITE_TIMEOUT) -> None:
        """Send what is waiting over the live connection (at most ``DRAIN_SECONDS``), then end; a
        write still blocked then (a collector that accepts and never reads) is cut, not waited on."""
        end = time.monotonic() + timeout
        self._drain_until = time.monotonic() + DRAIN_SECONDS
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(min(DRAIN_SECONDS + SETTLE_SECONDS, timeout * 0.8))
        live = self._sock
        if self._thread.is_alive() and live is not None:
            # a collector that never reads: the write waits on a full window; cut it (the batch
            # stays unconfirmed and goes out next time) rather than leave the thread blocked
            with contextlib.suppress(OSError):
                live.shutdown(socket.SHUT_RDWR)
        if self._thread.is_alive():
            self._thread.join(max(0.0, end - time.monotonic()))
        self._drop()

    def wake(self, _anchor: AuditAnchor | None = None) -> None:
        """An entry was appended here (``MessageStore.on_audit``): send it without waiting for the poll."""
        self._wake.set()

    def backlog(self) -> int:
        return self._ledger.backlog(self.target.name)

    def _run(self) -> None:
        failures = 0
        while True:
            stopping = self._stopping.is_set()
            if stopping and (self._sock is None or time.monotonic() >= self._drain_until):
                return
            try:
                sent = self._forward_once()
                failures = 0
                if not sent:
                    if stopping:
                        return
                    self._wake.wait(POLL_SECONDS)
                    self._wake.clear()
            except OSError as error:  # unreachable, refused, reset, TLS refused: keep the backlog, retry
                self._drop()
                if stopping:
                    return
                delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                if failures == 0:
                    log.warning("audit forwarding to %s paused: %s", self.target.name, error)
                failures += 1
                self._stopping.wait(delay)
            except Exception:
                if self._stopping.is_set():
                    return
                log.exception("audit forwarding failed; retrying")
                self._stopping.wait(RETRY_SECONDS[-1])

    def _forward_once(self) -> int:
        """Send the next batch and record it once the connection proved healthy; how many went."""
        entries = self._ledger.pending(self.target.name, BATCH)
        if not entries:
            return 0
        if self._sock is not None and not still_open(self._sock):
            self._drop()  # the collector went away since the last batch: a new connection first
        if self._sock is None:
            if self._stopping.is_set():
                return 0  # stopping: only a connection that is already up is used
            self._sock = self._connector(self.target)
            if not self.connected:
                log.info("audit forwarding to %s connected", self.target.name)
            self.connected = True
        payload = b"".join(
            frame(format_entry(e, profile_id=self._profile_id, hostname=self._hostname, procid=self._procid))
            for e in entries
        )
        self._sock.sendall(payload)
        time.sleep(SETTLE_SECONDS)  # not cut short by stop(): a drained batch is checked like any other
        if not still_open(self._sock):
            raise ConnectionResetError("the collector closed the connection; the batch will be sent again")
        self._ledger.confirm(self.target.name, entries[-1].id, time.time())
        return len(entries)

    def _drop(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None
        self.connected = False


def start_forwarding(store: StoreBase, setting: str, profile_id: str) -> AuditForwarder | None:
    """The forwarder for the profile's ``audit_forwarding`` setting, started; None when it is off or wrong."""
    try:
        target = parse_target(setting)
    except ForwardingTargetError as error:
        log.warning("%s; the audit trail is not forwarded", error)
        return None
    if target is None:
        return None
    forwarder = AuditForwarder(store, target, profile_id)
    forwarder.start()
    return forwarder
