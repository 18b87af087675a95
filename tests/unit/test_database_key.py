"""The database key lives in the real OS keyring, and the database is unreadable without it."""

from __future__ import annotations

from pathlib import Path

import httpx
import keyring
import pytest

from desktop_app.sandbox.embedded import start_embedded_sandbox
from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime, SetupError
from desktop_app.store import keys
from desktop_app.store.database import WrongKey, open_database

EMBEDDED = Overrides(start_sandbox=start_embedded_sandbox)


@pytest.mark.keyring
def test_database_key_is_stored_in_the_secret_service_and_required(tmp_path: Path) -> None:
    backend = keyring.get_keyring()
    assert "SecretService" in type(backend).__module__ + type(backend).__name__, backend

    profile = Profile(tmp_path / "profile")
    runtime = Runtime(profile, EMBEDDED)  # sandbox mode: starts the embedded sandbox
    runtime.open()
    try:
        assert not runtime.ephemeral_key
        stored = keyring.get_password(keys.SERVICE, f"database-key:{profile.settings.profile_id}")
        assert stored is not None
        assert len(bytes.fromhex(stored)) == 32
    finally:
        runtime.close()

    with pytest.raises(WrongKey):
        open_database(profile.database_path, b"\x01" * 32)
    assert b"SQLite format 3" not in profile.database_path.read_bytes()[:16]

    keys.delete_database_key(profile.settings.profile_id)
    with pytest.raises(SetupError, match="missing from the system keyring"):
        Runtime(profile, EMBEDDED).open()


def test_no_keyring_means_no_key_is_written_anywhere(tmp_path: Path) -> None:
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    profile = Profile(tmp_path / "profile")
    with pytest.raises(keys.KeyringUnavailable, match="No secure OS keyring"):
        keys.create_database_key(profile.settings.profile_id)
    assert not profile.database_path.exists()


@pytest.mark.keyring
def test_a_sandbox_started_while_the_store_opened_is_stopped_when_the_store_cannot_open(tmp_path: Path) -> None:
    started: list[SandboxServer] = []

    def start(delay: float, limit_mb: float) -> SandboxServer:
        started.append(start_embedded_sandbox(delay, limit_mb))
        return started[-1]

    profile = Profile(tmp_path / "profile")
    runtime = Runtime(profile, Overrides(start_sandbox=start))
    runtime.open()
    runtime.close()
    keys.delete_database_key(profile.settings.profile_id)
    with pytest.raises(SetupError, match="missing from the system keyring"):
        Runtime(profile, Overrides(start_sandbox=start)).open()
    assert len(started) == 2  # it was started alongside the failing open...
    with pytest.raises(httpx.TransportError):  # ...and nothing listens there any more
        httpx.get(started[1].root_url, timeout=2.0)
