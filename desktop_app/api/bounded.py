"""Every request to Paubox is bounded: one deadline over the whole exchange, a size cap, abort on close.

httpx's timeouts are per operation (each read may wait ``read`` seconds), so a server trickling a
byte a second keeps a request alive forever, and ``Client.send`` blocks until the headers are in.
The bound therefore lives one level down, in the network streams httpcore reads and writes through:

* :class:`RequestGuard` gives each request a :class:`Deadline` (held in a thread-local while the
  request runs on its thread). The guarded streams clamp every connect, TLS handshake, read and
  write to the time left, so the request fails with a timeout when the deadline passes, however
  the server spreads its bytes.
* One watchdog thread per guard shuts down the socket of any request still running shortly after
  its deadline (a write of a large body is several socket calls, each with the full timeout), and
  ``close()`` shuts down the sockets of every request in flight: a thread blocked in ``recv`` wakes
  at once with end-of-file, and the request ends as a classified error instead of hanging.

``socket.shutdown`` (not ``close``) is what wakes a blocked reader; the descriptor itself is closed
later by the thread that owns it, so no other thread can ever read a reused descriptor.
"""

from __future__ import annotations

import contextlib
import errno
import os
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

MAX_RESPONSE_BYTES = 4 * 1024 * 1024
"""The most of one reply Sealpost reads (after decoding), 4 MiB.

Paubox answers with small JSON documents: a send's tracking id, a receipt, a template or webhook
list (a few KB; a long template list well under 1 MB). Anything bigger is not an answer Sealpost
can use, and reading it whole let a misbehaving endpoint grow the process until a MemoryError
(an endless chunked body) or hold hundreds of MB for nothing. Past the cap the reply is cut off
and reported; a cut-off success reply to a send is ambiguous (the message may have been accepted).
"""

WATCHDOG_GRACE_SECONDS = 0.25
"""How long after its deadline a request's socket is shut down if the clamped timeouts have not
ended it already (they normally do, to the millisecond)."""

_WRITE_PIECE = 64 * 1024  # a write is split so each piece gets only the time left


class Deadline:
    """One request's overall time limit and the network streams it is using right now."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = time.monotonic() + seconds
        self.ended_by = ""  # "" while running, "deadline" or "closed" once aborted
        self._streams: list[GuardedStream] = []
        self._lock = threading.Lock()

    @property
    def expired(self) -> bool:
        return self.ended_by == "deadline" or time.monotonic() >= self.expires

    def clamp(self, timeout: float | None, error: type[Exception]) -> float:
        """``timeout`` cut to the time left; raises ``error`` (an httpcore timeout) once none is left."""
        if self.ended_by:
            raise error(f"request ended ({self.ended_by})")
        left = self.expires - time.monotonic()
        if left <= 0:
            self.ended_by = "deadline"
            raise error("request deadline passed")
        return left if timeout is None else min(timeout, left)

    def attach(self, stream: GuardedStream) -> None:
        with self._lock:
            if stream not in self._streams:
                self._streams.append(stream)
            aborted = bool(self.ended_by)
        if aborted:  # aborted while this stream was being connected: do not let it start
            stream.abort()

    def abort(self, reason: str) -> None:
        with self._lock:
            if not self.ended_by:
                self.ended_by = reason
            streams = list(self._streams)
        for stream in streams:
            stream.abort()


_current = threading.local()


def _active_deadline() -> Deadline | None:
    deadline: Deadline | None = getattr(_current, "deadline", None)
    return deadline


class GuardedStream(httpcore.NetworkStream):
    """An httpcore stream whose every operation is clamped to the running request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def _clamp(self, timeout: float | None, error: type[Exception]) -> float | None:
        deadline = _active_deadline()
        if deadline is None:
            return timeout
        deadline.attach(self)
        return deadline.clamp(timeout, error)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        view = memoryview(buffer)
        for start in range(0, len(view), _WRITE_PIECE):
            self._inner.write(bytes(view[start : start + _WRITE_PIECE]), self._clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        upgraded = GuardedStream(
            self._inner.start_tls(ssl_context, server_hostname, self._clamp(timeout, httpcore.ConnectTimeout))
        )
        deadline = _active_deadline()
        if deadline is not None:
            deadline.attach(upgraded)
        return upgraded

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)

    def abort(self) -> None:
        """Wake any thread blocked on this connection (it reads end-of-file); safe from any thread."""
        sock = self._inner.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                # The plain socket's shutdown, also for a TLS socket: SSLSocket.shutdown would drop
                # its SSL object under the feet of the thread reading through it.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


class SocketStream(httpcore.NetworkStream):
    """A plain (or TLS) socket as an httpcore stream: httpcore's ``SyncStream``, minus TLS-in-TLS."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        with _mapped(httpcore.ReadTimeout, httpcore.ReadError):
            self._sock.settimeout(timeout)
            return self._sock.recv(max_bytes)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        with _mapped(httpcore.WriteTimeout, httpcore.WriteError):
            while buffer:
                self._sock.settimeout(timeout)
                buffer = buffer[self._sock.send(buffer) :]

    def close(self) -> None:
        self._sock.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        with _mapped(httpcore.ConnectTimeout, httpcore.ConnectError):
            try:
                self._sock.settimeout(timeout)
                wrapped = ssl_context.wrap_socket(self._sock, server_hostname=server_hostname)
            except BaseException:
                self.close()
                raise
        return SocketStream(wrapped)

    def get_extra_info(self, info: str) -> Any:
        if info == "ssl_object":
            return self._sock if isinstance(self._sock, ssl.SSLSocket) else None
        if info == "client_addr":
            return self._sock.getsockname()
        if info == "server_addr":
            return self._sock.getpeername()
        if info == "socket":
            return self._sock
        if info == "is_readable":  # an idle pooled connection the server closed reads as readable
            return self._sock.fileno() < 0 or _readable_now(self._sock)
        return None


def _readable_now(sock: socket.socket) -> bool:
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ)
        return bool(selector.select(0))


@contextlib.contextmanager
def _mapped(timeout_error: type[Exception], other_error: type[Exception]) -> Iterator[None]:
    """Socket errors as httpcore's (which httpx maps to its own): a timeout first, any OSError else."""
    try:
        yield
    except TimeoutError as error:
        raise timeout_error(str(error)) from error
    except OSError as error:
        raise other_error(str(error)) from error


_CONNECT_SLICE = 0.1  # how often a connect in progress looks whether its request was aborted
# What a non-blocking connect_ex answers while the handshake runs (Windows: WSAEWOULDBLOCK).
_IN_PROGRESS = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY, getattr(errno, "WSAEWOULDBLOCK", errno.EAGAIN)}


def _connect(
    host: str, port: int, timeout: float | None, local_address: str | None,
    socket_options: Iterable[httpcore.SOCKET_OPTION], deadline: Deadline | None,
) -> socket.socket:  # fmt: skip
    """``socket.create_connection``, but waiting in slices so ``close()`` (an aborted deadline) ends it.

    The name lookup itself cannot be interrupted; the TCP handshake can, within ``_CONNECT_SLICE``.
    An ASCII host is looked up as bytes: given text, the lookup loads the IDNA codec and its tables
    (≈ 2 ms of CPU, in the middle of a batch's first requests) only to turn it into the same bytes.
    """
    ends = None if timeout is None else time.monotonic() + timeout
    options = list(socket_options)
    last: OSError = OSError(f"no address found for {host}")
    name: str | bytes = host.encode("ascii") if host.isascii() else host
    for family, kind, proto, _name, address in socket.getaddrinfo(name, port, type=socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            for option in options:
                sock.setsockopt(*option)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if local_address:
                sock.bind((local_address, 0))
            sock.setblocking(False)
            code = sock.connect_ex(address)
            with selectors.DefaultSelector() as selector:
                selector.register(sock, selectors.EVENT_WRITE)
                while code in _IN_PROGRESS:
                    if deadline is not None and deadline.ended_by:
                        raise ConnectionAbortedError(f"request ended ({deadline.ended_by})")
                    left = None if ends is None else ends - time.monotonic()
                    if left is not None and left <= 0:
                        raise TimeoutError("timed out")
                    if selector.select(_CONNECT_SLICE if left is None else min(left, _CONNECT_SLICE)):
                        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                raise OSError(code, os.strerror(code))
            sock.setblocking(True)
            return sock
        except OSError as error:
            sock.close()
            last = error
            if isinstance(error, TimeoutError | ConnectionAbortedError):
                break  # no time left for another address
    raise last


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend, with its connects and streams clamped to the request's deadline."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        deadline = _active_deadline()
        if deadline is not None:
            timeout = deadline.clamp(timeout, httpcore.ConnectTimeout)
        with _mapped(httpcore.ConnectTimeout, httpcore.ConnectError):
            sock = _connect(host, port, timeout, local_address, socket_options or (), deadline)
        stream = GuardedStream(SocketStream(sock))
        if deadline is not None:
            deadline.attach(stream)
        return stream

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.NetworkStream:  # pragma: no cover - Sealpost never configures a Unix socket
        raise httpcore.ConnectError("Unix sockets are not used")

    def sleep(self, seconds: float) -> None:  # pragma: no cover - only httpcore retries sleep
        time.sleep(seconds)


class RequestGuard:
    """The deadlines of one client's requests in flight, their watchdog, and the abort on close."""

    def __init__(self) -> None:
        self.backend = GuardedBackend()
        self._active: set[Deadline] = set()
        self._wake = threading.Condition()
        self._closing = False
        self._watchdog: threading.Thread | None = None

    @property
    def closing(self) -> bool:
        return self._closing

    @contextlib.contextmanager
    def request(self, seconds: float) -> Iterator[Deadline]:
        """Run one request on this thread under a fresh deadline of ``seconds``."""
        deadline = Deadline(seconds)
        with self._wake:
            if self._closing:
                deadline.ended_by = "closed"
            else:
                self._active.add(deadline)
                if self._watchdog is None:
                    self._watchdog = threading.Thread(target=self._watch, name="paubox-deadline", daemon=True)
                    self._watchdog.start()
                self._wake.notify_all()
        _current.deadline = deadline
        try:
            yield deadline
        finally:
            _current.deadline = None
            with self._wake:
                self._active.discard(deadline)
                self._wake.notify_all()

    @property
    def in_flight(self) -> int:
        with self._wake:
            return len(self._active)

    def wait_idle(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for the requests in flight to end; True when none is left."""
        with self._wake:
            return self._wake.wait_for(lambda: not self._active, timeout)

    def close(self) -> None:
        """Refuse new requests and abort those in flight (their threads end them); never blocks on them."""
        with self._wake:
            self._closing = True
            aborting = list(self._active)
            self._wake.notify_all()
        for deadline in aborting:
            deadline.abort("closed")

    def _watch(self) -> None:
        """Shut down requests past their deadline; ends when none is in flight (restarted by the next)."""
        with self._wake:
            while not self._closing and self._active:
                now = time.monotonic()
                running = [d for d in self._active if not d.ended_by]
                for deadline in running:
                    if deadline.expires + WATCHDOG_GRACE_SECONDS <= now:
                        deadline.abort("deadline")
                upcoming = [d.expires + WATCHDOG_GRACE_SECONDS - now for d in running if not d.ended_by]
                self._wake.wait(max(0.05, min(upcoming)) if upcoming else None)
            self._watchdog = None


class BoundedTransport(httpx.HTTPTransport):
    """httpx's transport on httpcore's pool, but with :class:`GuardedBackend` as its network backend.

    httpx does not expose the backend, so the pool it built is replaced by an identical one that
    names the backend (``ssl_context``, limits, HTTP/1.1 only, no retries: httpx's defaults here).
    """

    def __init__(self, guard: RequestGuard, *, ssl_context: ssl.SSLContext, limits: httpx.Limits) -> None:
        super().__init__(verify=ssl_context, limits=limits, trust_env=False)
        self._pool.close()
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=guard.backend,
        )
