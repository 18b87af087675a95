"""One sending owner per profile: the process that runs the outbox sender and the status tracker.

The GUI and the headless commands share a profile and may run at the same time (a ``sealpost
batch`` from cron while the window is open). If each of them sent, each would also recover the
others' in-flight messages at start-up as if they had been interrupted. So exactly one process
at a time holds an exclusive advisory lock on a file in the profile directory and sends; the
others write to the store and wait, and take the lock over when it frees.

The kernel releases the lock when its holder dies, even by ``kill -9``: "the lock is free"
proves "the previous owner is gone", which is the only ground on which rows left in ``sending``
may be recovered (DESIGN §3, ownership). The file holds only the holder's process id, role and
start time, for the words shown to the others; never PHI.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.errors import KnownError

LOCK_FILE = "sending-owner.lock"
WINDOW_LOCK_FILE = "window.lock"
"""Held by the one window open on a profile (a second window offers to show the first instead)."""
OPEN_LOCK_FILE = "open.lock"
OPEN_LOCK_WAIT_SECONDS = 30.0

if sys.platform != "win32":
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

else:  # pragma: no cover - Windows builds are not tested here (docs/install.md)
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


@dataclass(frozen=True)
class OwnerInfo:
    """Who holds the lock, as it wrote itself into the lock file."""

    pid: int
    role: str
    since: float

    def describe(self) -> str:
        started = time.strftime("%H:%M", time.localtime(self.since))
        return f"{self.role} (process {self.pid}, since {started})"


class ProfileLock:
    """An exclusive advisory lock on one file in the profile directory, released by the kernel on death."""

    def __init__(self, directory: Path, file_name: str, *, role: str) -> None:
        self.role = role
        self.path = directory / file_name
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self) -> bool:
        """Take the lock if it is free (never waits); True if this process holds it now."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        if not _try_lock(fd):
            os.close(fd)
            return False
        info = {"pid": os.getpid(), "role": self.role, "since": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self._fd = fd
        return True

    def release(self) -> None:
        """Give the lock up (closing the descriptor releases it); another process may take it."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def holder(self) -> OwnerInfo | None:
        """Who holds the lock now, if someone else does and said who (the file may be half-written)."""
        if self._fd is not None:
            return None
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            data = json.loads(self.path.read_text("utf-8"))
            return OwnerInfo(int(data["pid"]), str(data["role"]), float(data["since"]))
        return None


class SendingOwnership(ProfileLock):
    """The profile's sending-owner lock; ``owner_id`` is what this process writes into its claims."""

    def __init__(self, directory: Path, *, role: str) -> None:
        super().__init__(directory, LOCK_FILE, role=role)
        import uuid  # here: the window's lock (ProfileLock) is taken before its first paint, which needs no uuid

        self.owner_id = uuid.uuid4().hex


class ProfileBusy(KnownError, RuntimeError):
    """Another process has been opening this profile for longer than anyone should."""


@contextlib.contextmanager
def opening_profile(directory: Path, timeout: float = OPEN_LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the profile's open lock while its database is opened, created or migrated.

    Two processes starting on a new profile at the same moment must not each create a database
    key (the second would replace the first's in the keyring) or both apply a migration; the
    open lock makes them take turns. It is held for the open only, never while sending.
    """
    fd = os.open(directory / OPEN_LOCK_FILE, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise ProfileBusy("Another Sealpost process has been opening this profile for too long; try again.")
            time.sleep(0.02)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)
