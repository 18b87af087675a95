"""A collector that accepts and never reads: once the TCP window is full every write blocks. Stopping
the forwarder (closing the app, switching profile) must still end its thread within the time it was
given, the backlog kept for the next start."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from desktop_app.core.syslog_format import parse_target
from desktop_app.services.audit_forwarding import AuditForwarder
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Runtime


@pytest.fixture
def deaf_collector() -> Iterator[int]:
    """Accepts every connection with a tiny receive window and never reads from it."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    server.close()
    for connection in held:
        connection.close()


def test_stop_ends_the_thread_in_time_though_the_collector_never_reads(profile: Profile, deaf_collector: int) -> None:
    runtime = Runtime(profile)
    runtime.open(start_engines=False)
    try:
        assert runtime.store is not None
        for n in range(2000):  # ~1 MB of syslog: far past what the socket buffers hold
            runtime.store.audit("settings", detail=f"retention_days {n} " + "x" * 300)
        target = parse_target(f"tcp://127.0.0.1:{deaf_collector}")
        assert target is not None
        forwarder = AuditForwarder(runtime.store, target, runtime.profile.settings.profile_id)
        forwarder.start()
        deadline = time.monotonic() + 30
        while not forwarder.connected and time.monotonic() < deadline:  # it is writing into the full window
            time.sleep(0.05)
        assert forwarder.connected
        time.sleep(0.5)
        forwarder.stop(timeout=1.0)
        # Bounded, not instant: the cut connection ends the blocked write within seconds on a loaded
        # machine, where the old behaviour waited out the whole write timeout.
        forwarder._thread.join(5.0)
        assert not forwarder._thread.is_alive()  # not left blocked in a write behind the app's back
        assert forwarder.backlog() > 0  # nothing was counted as delivered: it goes out next time
    finally:
        runtime.close()
