"""Idle auto-lock timing (with an injected clock) and the scrypt passphrase hash."""

from __future__ import annotations

import pytest

from desktop_app.services.autolock import IdleLock, PassphraseError, hash_passphrase, verify_passphrase


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_locks_after_idle_minutes_and_input_postpones_it() -> None:
    clock = FakeClock()
    idle = IdleLock(10, clock=clock)
    clock.now += 9 * 60
    assert not idle.due()
    idle.touch()
    clock.now += 9 * 60
    assert not idle.due()
    clock.now += 61
    assert idle.due()
    idle.lock()
    assert not idle.due()  # already locked: nothing more to do
    idle.unlock()
    assert not idle.due()


def test_zero_minutes_disables_the_idle_lock() -> None:
    clock = FakeClock()
    idle = IdleLock(0, clock=clock)
    clock.now += 10**6
    assert not idle.due()


def test_passphrase_hash_verifies_only_the_right_passphrase() -> None:
    stored = hash_passphrase("correct horse")
    assert stored.startswith("scrypt$")
    assert "correct horse" not in stored
    assert verify_passphrase("correct horse", stored)
    assert not verify_passphrase("correct horsf", stored)
    assert not verify_passphrase("correct horse", "garbage")
    assert hash_passphrase("correct horse") != stored  # salted


def test_short_passphrases_are_refused() -> None:
    with pytest.raises(PassphraseError, match="at least 8"):
        hash_passphrase("short")
