"""Idle auto-lock and the app passphrase (plain Python, no Qt, injectable clock).

The passphrase only guards the screen: it is stored as a salted scrypt hash in the profile
settings and the database key is never derived from it, so forgetting it loses no data.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

from desktop_app.core.errors import KnownError

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_SCHEME = "scrypt"
MIN_PASSPHRASE_LENGTH = 8


class PassphraseError(KnownError, ValueError):
    """A passphrase the user must change; the text says how."""


def hash_passphrase(passphrase: str, *, salt: bytes | None = None) -> str:
    """Return ``scrypt$n$r$p$salt$hash`` (hex): everything needed to verify, nothing to recover."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise PassphraseError(f"Use at least {MIN_PASSPHRASE_LENGTH} characters for the passphrase.")
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return f"{_SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_passphrase(passphrase: str, stored: str) -> bool:
    """Constant-time check of ``passphrase`` against a :func:`hash_passphrase` result."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != _SCHEME:
            return False
        digest = hashlib.scrypt(passphrase.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), expected)


class IdleLock:
    """Decides when the window must lock: after ``timeout_minutes`` without user input.

    The GUI reports input with :meth:`touch` and asks :meth:`due` from a timer; a timeout of
    0 disables the idle lock (locking on demand still works).
    """

    def __init__(self, timeout_minutes: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.timeout_seconds = timeout_minutes * 60.0
        self._last_input = clock()
        self.locked = False

    def set_timeout(self, minutes: float) -> None:
        self.timeout_seconds = minutes * 60.0

    def touch(self) -> None:
        self._last_input = self._clock()

    def due(self) -> bool:
        if self.locked or self.timeout_seconds <= 0:
            return False
        return self._clock() - self._last_input >= self.timeout_seconds

    def lock(self) -> None:
        self.locked = True

    def unlock(self) -> None:
        self.locked = False
        self.touch()
