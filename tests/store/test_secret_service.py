"""The Secret Service backend that keeps one connection and one session, against the real Secret Service."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import keyring
import pytest
from keyring.backends import SecretService
from secretstorage.util import open_session

from desktop_app.store import secret_service
from desktop_app.store.secret_service import SharedConnectionKeyring

SERVICE = "Sealpost-test"


@pytest.fixture
def sessions(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every secret session the backend opens (each one a Diffie-Hellman exchange with the service)."""
    opened: list[object] = []

    def counted(connection: object) -> object:
        session = open_session(connection)
        opened.append(session)
        return session

    monkeypatch.setattr(secret_service, "open_session", counted)
    return opened


@pytest.fixture
def ring() -> Iterator[SharedConnectionKeyring]:
    backend = SharedConnectionKeyring()
    yield backend
    backend.forget_connection()


def _name() -> str:
    return f"entry-{uuid.uuid4().hex}"


@pytest.mark.keyring
def test_many_secrets_move_over_one_session(ring: SharedConnectionKeyring, sessions: list[object]) -> None:
    names = [_name() for _ in range(4)]
    for n, name in enumerate(names):
        ring.set_password(SERVICE, name, f"secret {n} é")
    assert [ring.get_password(SERVICE, name) for name in names] == [f"secret {n} é" for n in range(4)]
    assert len(sessions) == 1
    for name in names:
        ring.delete_password(SERVICE, name)
    assert ring.get_password(SERVICE, names[0]) is None
    with pytest.raises(keyring.errors.PasswordDeleteError):
        ring.delete_password(SERVICE, names[0])


@pytest.mark.keyring
def test_it_reads_and_writes_the_same_items_as_keyrings_own_backend(ring: SharedConnectionKeyring) -> None:
    """A profile's keys written by an earlier version (keyring's backend) are found, and the other way round."""
    theirs = SecretService.Keyring()
    first, second = _name(), _name()
    theirs.set_password(SERVICE, first, "written by keyring")
    ring.set_password(SERVICE, second, "written by Sealpost")
    try:
        assert ring.get_password(SERVICE, first) == "written by keyring"
        assert theirs.get_password(SERVICE, second) == "written by Sealpost"
    finally:
        theirs.delete_password(SERVICE, first)
        ring.delete_password(SERVICE, second)


@pytest.mark.keyring
def test_a_closed_connection_is_opened_again(ring: SharedConnectionKeyring, sessions: list[object]) -> None:
    name = _name()
    ring.set_password(SERVICE, name, "before")
    ring._connection.close()  # the socket went away underneath (a bus restart)
    assert ring.get_password(SERVICE, name) == "before"
    ring.set_password(SERVICE, name, "after")
    assert ring.get_password(SERVICE, name) == "after"
    ring.delete_password(SERVICE, name)
    assert len(sessions) == 2


@pytest.mark.keyring
def test_a_session_the_service_closed_is_opened_again(ring: SharedConnectionKeyring, sessions: list[object]) -> None:
    """A keyring daemon restarted (or one that ends idle sessions) no longer knows the kept session."""
    from jeepney import DBusAddress, new_method_call

    name = _name()
    ring.set_password(SERVICE, name, "kept")
    kept = ring._session
    assert kept is not None
    address = DBusAddress(kept.object_path, "org.freedesktop.secrets", "org.freedesktop.Secret.Session")
    ring._connection.send_and_get_reply(new_method_call(address, "Close"))
    assert ring.get_password(SERVICE, name) == "kept"
    assert len(sessions) == 2
    assert ring._session is not kept
    ring.delete_password(SERVICE, name)


@pytest.mark.keyring
def test_a_dismissed_unlock_prompt_is_not_asked_twice(
    ring: SharedConnectionKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    from secretstorage.exceptions import PromptDismissedException

    ring.get_password(SERVICE, _name())  # the connection is kept from here on
    asked: list[bool] = []

    def dismissed(*_args: object, **_kwargs: object) -> None:
        asked.append(True)
        raise PromptDismissedException("Prompt dismissed.")

    monkeypatch.setattr(ring, "get_preferred_collection", dismissed)
    with pytest.raises(PromptDismissedException):
        ring.get_password(SERVICE, _name())
    assert asked == [True]
