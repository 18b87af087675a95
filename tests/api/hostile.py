"""Misbehaving HTTP endpoints on 127.0.0.1 for the hardening tests: plain sockets, one thread each.

Every server stops by itself: it serves at most ``max_seconds`` (and the test's ``stop()``), every
loop is bounded by that, and a client hanging up ends the connection's loop at the next write.
``sent`` counts the response bytes the server managed to hand to the kernel, so a test can tell
that a client stopped reading instead of swallowing an endless body.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Behaviour = Callable[["HostileServer", socket.socket], None]


class HostileServer:
    def __init__(self, behaviour: Behaviour, *, max_seconds: float = 40.0, tls: ssl.SSLContext | None = None) -> None:
        self._behaviour = behaviour
        self._tls = tls  # a server context: the server speaks https (with whatever certificate it holds)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]
        self._until = time.monotonic() + max_seconds
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.sent = 0
        self.requests = 0
        self.hung_up = threading.Event()  # the client closed its side while we were answering
        self._threads: list[threading.Thread] = []
        self._thread = threading.Thread(target=self._accept, name="hostile-server", daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/v1/x"

    @property
    def root_url(self) -> str:
        """The address without a generation: Sealpost detects one first, with receipt probes."""
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return not self._stop.is_set() and time.monotonic() < self._until

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for thread in self._threads:
            thread.join(5)
        self._listener.close()

    def write(self, connection: socket.socket, data: bytes) -> bool:
        """Send ``data`` whole (or as much as the client takes); False once the client is gone or time is up."""
        view = memoryview(data)
        while view and self.running:
            try:
                sent = connection.send(view)
            except TimeoutError:
                continue  # the client is not reading right now; look at the clock and try again
            except OSError:
                self.hung_up.set()
                return False
            with self._lock:
                self.sent += sent
            view = view[sent:]
        return not view

    def pause(self, seconds: float) -> bool:
        """Sleep (interruptibly); False when the server should stop."""
        self._stop.wait(min(seconds, max(0.0, self._until - time.monotonic())))
        return self.running

    def _accept(self) -> None:
        while self.running:
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            thread = threading.Thread(target=self._handle, args=(connection,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _handle(self, connection: socket.socket) -> None:
        if self._tls is not None:
            connection.settimeout(5.0)
            try:
                connection = self._tls.wrap_socket(connection, server_side=True)
            except (ssl.SSLError, OSError):  # the client refused the certificate, as it should
                connection.close()
                return
        with connection:
            connection.settimeout(0.2)
            if not self._read_request(connection):
                return
            with self._lock:
                self.requests += 1
            self._behaviour(self, connection)

    def _read_request(self, connection: socket.socket) -> bool:
        data = b""
        while b"\r\n\r\n" not in data:
            if not self.running or len(data) > 1_000_000:
                return False
            try:
                chunk = connection.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                return False
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length and self.running:
            try:
                chunk = connection.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                return False
            body += chunk
        return True


@contextmanager
def hostile(
    behaviour: Behaviour, *, max_seconds: float = 40.0, tls: ssl.SSLContext | None = None
) -> Iterator[HostileServer]:
    server = HostileServer(behaviour, max_seconds=max_seconds, tls=tls)
    try:
        yield server
    finally:
        server.stop()


# ----------------------------------------------------------------------------------- behaviours

MB = 1024 * 1024


def endless_chunked(server: HostileServer, connection: socket.socket) -> None:
    """200, chunked, and chunks for ever (until the client hangs up or time is up)."""
    if not server.write(connection, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                    b"Transfer-Encoding: chunked\r\n\r\n1\r\n[\r\n"):  # fmt: skip
        return
    chunk = b"%x\r\n%s\r\n" % (65536, b"[" * 65536)
    while server.write(connection, chunk):
        pass


def trickled_headers(server: HostileServer, connection: socket.socket) -> None:
    """A status line, then a header one byte a second, never finished."""
    if not server.write(connection, b"HTTP/1.1 200 OK\r\nX-Slow: "):
        return
    while server.pause(1.0) and server.write(connection, b"a"):
        pass


def trickled_body(server: HostileServer, connection: socket.socket) -> None:
    """Complete headers announcing 10,000 bytes of JSON, then one byte a second."""
    if not server.write(connection, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                    b"Content-Length: 10000\r\n\r\n"):  # fmt: skip
        return
    while server.pause(1.0) and server.write(connection, b" "):
        pass


def silent(server: HostileServer, connection: socket.socket) -> None:
    """Read the request, then say nothing at all (until time is up)."""
    while server.pause(0.2):
        pass


def json_reply(status: int, document: object) -> Behaviour:
    """Answer every request with ``status`` and ``document`` as JSON (whatever words a server may write)."""
    body = json.dumps(document).encode()

    def behaviour(server: HostileServer, connection: socket.socket) -> None:
        _answer(server, connection, status, "Whatever", body, declare_length=True)

    return behaviour


def huge_error_title(size: int, *, declare_length: bool = True) -> Behaviour:
    """400 whose first error title is ``size`` characters (an address hidden in it)."""

    def behaviour(server: HostileServer, connection: socket.socket) -> None:
        title = "T" * (size // 2) + " pat.doe@example.org " + "T" * (size // 2)
        body = json.dumps({"errors": [{"title": title, "details": "x" * 1000}]}).encode()
        _answer(server, connection, 400, "Bad Request", body, declare_length=declare_length)

    return behaviour


def huge_success(size: int, *, declare_length: bool = True) -> Behaviour:
    """200 with a ``size``-byte body (a JSON document padded with spaces)."""

    def behaviour(server: HostileServer, connection: socket.socket) -> None:
        start = b'{"sourceTrackingId": "t-1", "pad": "'
        body_size = size
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        if declare_length:
            head += f"Content-Length: {body_size}\r\n\r\n".encode()
        else:
            head += b"Transfer-Encoding: chunked\r\n\r\n"
        if not server.write(connection, head):
            return
        for piece in _padded(start, body_size - len(start) - 2, b'"}'):
            data = piece if declare_length else b"%x\r\n%s\r\n" % (len(piece), piece)
            if not server.write(connection, data):
                return
        if not declare_length:
            server.write(connection, b"0\r\n\r\n")

    return behaviour


def _padded(start: bytes, padding: int, end: bytes) -> Iterator[bytes]:
    """``start``, ``padding`` bytes of "x" and ``end``, from one reused 1 MB block (never the whole body)."""
    block = b"x" * MB
    yield start
    while padding > 0:
        yield block if padding >= MB else block[:padding]
        padding -= MB
    yield end


def _answer(
    server: HostileServer, connection: socket.socket, status: int, reason: str, body: bytes, *, declare_length: bool
) -> None:
    head = f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
    if declare_length:
        server.write(connection, (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
        return
    if not server.write(connection, (head + "Transfer-Encoding: chunked\r\n\r\n").encode()):
        return
    for start in range(0, len(body), MB):
        piece = body[start : start + MB]
        if not server.write(connection, b"%x\r\n%s\r\n" % (len(piece), piece)):
            return
    server.write(connection, b"0\r\n\r\n")
