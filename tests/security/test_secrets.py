"""Secrets and PHI (docs/security.md §6): canaries for the API key and for message content are
planted in a real send, then searched for everywhere the app writes or shows text.
"""

from __future__ import annotations

import logging
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors
import pytest

from desktop_app.api.activity import ActivityEvent
from desktop_app.core.addresses import Address
from desktop_app.core.message import OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.core.redact import redact
from desktop_app.sandbox.server import SandboxConfig, SandboxServer
from desktop_app.services.logging_setup import RedactingFilter, configure_logging
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime, SetupError
from desktop_app.store import keys
from tests.security.faults import FINAL, set_faults, wait_for
from tests.security.tally import count

KEY_CANARY = "sk-canary-" + secrets.token_hex(8) + "!#$%"  # printable ASCII a real key may also hold
PHI_CANARY = "Canary-" + secrets.token_hex(6)  # in the subject, the body and the recipient's name


@pytest.fixture
def app_logging(tmp_path: Path) -> Iterator[Path]:
    """The app's real logging set-up (file + ring buffer, redacted), removed again after the test."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    configure_logging(tmp_path / "logs", verbose=True)
    yield tmp_path / "logs"
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


def _files_containing(root: Path, needle: str) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file():
            count("files scanned for canaries")
            if needle.encode() in path.read_bytes():
                hits.append(str(path.relative_to(root)))
    return hits


def test_key_and_phi_canaries_never_appear_outside_the_keyring_and_the_wire(
    profile: Profile, app_logging: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    launched: list[Any] = []
    real_popen = subprocess.Popen

    def recording_popen(args: Any, *rest: Any, **kwargs: Any) -> Any:
        launched.append((args, kwargs.get("env")))
        return real_popen(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", recording_popen)
    events: list[ActivityEvent] = []
    errors: list[str] = []
    with SandboxServer(SandboxConfig(api_key=KEY_CANARY, delivery_delay=0)) as server:
        rt = Runtime(profile, Overrides(api_base_url=server.base_url, api_key=KEY_CANARY))
        rt.open()
        try:
            rt.activity.subscribe(events.append)
            assert rt.store is not None
            assert rt.outbox is not None
            assert rt.client is not None
            phi = OutgoingMessage(sender="staff@clinic.example", to=(Address("pat@example.org", PHI_CANARY),),
                                  subject=f"Result {PHI_CANARY}", text=f"Body {PHI_CANARY}")  # fmt: skip
            first = rt.queue(phi)
            assert rt.wait_until(first.id, FINAL, 20).state is OutboxState.ACCEPTED
            set_faults(server, revoke_key_after=0)  # the key is refused: the error path runs too
            second = rt.queue(phi)
            wait_for(lambda: rt.outbox is not None and "key" in rt.outbox.status.detail)
            errors += [
                rt.outbox.status.detail,
                rt.store.get(second.id).last_error,
                repr(rt.client),
                repr(rt.client.config),
            ]
            logging.getLogger("sealpost.test").exception("while sending with %s", rt.client.config.authorization())
        finally:
            rt.close()
    shown = [repr(e) for e in events] + errors + [str(a) for a in launched]
    for canary in (KEY_CANARY, PHI_CANARY):
        count("canaries searched for")
        assert not [text for text in shown if canary in text]
        assert _files_containing(app_logging, canary) == []
        assert _files_containing(profile.directory, canary) == []  # the database is encrypted
    assert "[redacted]" in (app_logging / "sealpost.log").read_text()  # the planted log line was written
    assert all(KEY_CANARY not in str(env or {}) for _, env in launched)


@pytest.mark.parametrize(
    "line",
    [
        f"Authorization: Token token={KEY_CANARY}",
        f"authorization=Bearer {KEY_CANARY}",
        f"headers={{'Authorization': 'Token token={KEY_CANARY}'}}",
        f"Bearer {KEY_CANARY} refused",
        f"api_key={KEY_CANARY}",
        f"API-KEY: {KEY_CANARY}",
    ],
)
def test_log_redaction_removes_the_whole_key(line: str) -> None:
    count("redaction cases")
    cleaned = redact(line)
    assert KEY_CANARY not in cleaned
    assert KEY_CANARY[10:20] not in cleaned  # not even a fragment
    assert redact(cleaned) == cleaned


def test_addresses_in_log_lines_are_redacted() -> None:
    cleaned = redact("could not deliver to jane.doe+lab@clinic.example (Jane)")
    assert "jane.doe" not in cleaned
    assert "[address]" in cleaned


def test_a_logged_traceback_is_redacted_too() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
    try:
        raise RuntimeError(f"server said: Token token={KEY_CANARY} for pat@example.org")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    assert KEY_CANARY not in record.getMessage()
    assert "pat@example.org" not in record.getMessage()


class _LockedKeyring(keyring.backend.KeyringBackend):
    priority = 0.1

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("locked")


@pytest.mark.parametrize(("backend", "words"), [("fail", "keyring"), ("locked", "locked")])
def test_no_keyring_or_a_locked_one_gives_a_clear_message_and_writes_nothing(
    backend: str, words: str, profile: Profile, sandbox: SandboxServer
) -> None:
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring() if backend == "fail" else _LockedKeyring())  # type: ignore[no-untyped-call]
    rt = Runtime(profile, Overrides(api_base_url=sandbox.base_url, api_key=KEY_CANARY, allow_ephemeral_key=False))
    with pytest.raises(SetupError, match=words):
        rt.open()
    rt.close()
    assert not profile.database_path.exists()
    assert _files_containing(profile.directory, KEY_CANARY) == []


def test_a_wrong_database_key_gives_a_clear_message_and_changes_nothing(
    profile: Profile, sandbox: SandboxServer
) -> None:
    rt = Runtime(profile, Overrides(api_base_url=sandbox.base_url, api_key="k"))
    rt.open(start_engines=False)
    rt.close()
    before = profile.database_path.read_bytes()
    keys.store_database_key(profile.settings.profile_id, secrets.token_bytes(keys.DATABASE_KEY_BYTES))
    with pytest.raises(SetupError, match="cannot be decrypted"):
        Runtime(profile, Overrides(api_base_url=sandbox.base_url, api_key="k")).open(start_engines=False)
    assert profile.database_path.read_bytes() == before
